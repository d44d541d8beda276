"""The installed package is complete: a wheel built from the tree holds every module and runs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "src" / "importgate"


def test_every_source_folder_is_a_regular_package():
    for folder in SOURCE.rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__" and any(folder.glob("*.py")):
            assert (folder / "__init__.py").exists(), f"{folder} has modules but no __init__.py: setuptools would leave it out of the wheel"


@pytest.mark.slow
def test_built_wheel_contains_every_module(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
    )
    (wheel,) = tmp_path.glob("importgate-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(SOURCE.parent)) for p in SOURCE.rglob("*.py")}
    assert expected <= names, sorted(expected - names)


def test_layering_contract_holds():
    """The layers in .importlinter: nothing imports a layer above it (the CLI on top, the model at the bottom)."""
    linter = Path(sys.executable).parent / "lint-imports"
    if not linter.exists():
        pytest.skip("import-linter is not installed (it is in the test extra)")
    proc = subprocess.run([str(linter)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]
