"""Real packages (installed from the package registry with the test extra): delete
re-exports from their __init__.py the way the outage did, and --fix must put back
exactly what their authors wrote, byte for byte."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from fixhelp import fix

pytestmark = pytest.mark.slow


def package_copy(tmp_path: Path, name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"{name} is not installed")
    root = tmp_path / name
    shutil.copytree(list(spec.submodule_search_locations)[0], root / name, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text(f"[project]\nname = '{name}-copy'\nversion = '0'\n")
    return root


@pytest.mark.parametrize(
    "package, init, removals",
    [
        # parenthesised multi-line imports, a comment-free sorted run of absolute imports
        ("libcst", "libcst/metadata/__init__.py", [
            r"\n    ScopeProvider,", r"\n    FunctionScope,", r"\nfrom libcst.metadata.file_path_provider import FilePathProvider", r"\n    PositionProvider,",
        ]),
        # case-insensitive order inside one statement
        ("libcst", "libcst/codemod/__init__.py", [r"\n    gather_files,"]),
        # one name per statement (isort force_single_line)
        ("execnet", "execnet/__init__.py", [r"\nfrom \.gateway_base import DumpError"]),
        ("_pytest", "_pytest/_code/__init__.py", [r"\nfrom \.source import getrawcode"]),
    ],
)
def test_deleted_re_exports_come_back_byte_for_byte(tmp_path, package, init, removals):
    root = package_copy(tmp_path, package)
    path = root / init
    original = path.read_bytes()
    text = original.decode()
    for pattern in removals:
        text, count = re.subn(pattern, "", text, count=1)
        assert count == 1, pattern
    path.write_bytes(text.encode())
    outcome = fix(root)
    assert len(outcome.report.fixed) >= len(removals)
    assert path.read_bytes() == original
