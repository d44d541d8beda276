"""Real packages with many import cycles that work (django, sqlalchemy, pydantic, installed
from the package registry into a throwaway venv): every claim the cycle rules make about
them is checked against a real `python -c "import <module>"` in that venv."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from support import cycle_claims, run_check, shared_venv, site_packages

pytestmark = pytest.mark.slow

# oracledb: django's Oracle backend imports it before its cycle can show
REQUIREMENTS = ["django", "sqlalchemy", "pydantic", "oracledb"]


@pytest.fixture(scope="module")
def python() -> Path:
    return shared_venv("cycles-real", REQUIREMENTS)


def copy_package(tmp_path: Path, python: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(site_packages(python) / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text(f"[project]\nname = '{name}-copy'\nversion = '0'\n")
    return root


def import_error(python: Path, module: str) -> str | None:
    proc = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, text=True, timeout=120)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]


@pytest.mark.parametrize("package", ["django", "sqlalchemy", "pydantic"])
def test_every_claim_on_a_real_package_is_what_python_does(tmp_path, python, package):
    root = copy_package(tmp_path, python, package)
    report = run_check(root, python=str(python), select=frozenset({"IG4"}))
    for finding in report.findings:
        first, too, works = cycle_claims(finding.message)
        error = import_error(python, first)
        assert error is not None, f"{first} imports fine, but: {finding.message}"
        assert f"'{finding.name}'" in error, error
        if "NameError" not in finding.message:
            assert f"partially initialized module '{finding.module}'" in error or "circular import" in error, error
        for module in too:
            assert import_error(python, module) is not None, module
        for module in works:
            error = import_error(python, module)
            assert error is None or "circular import" not in error, (module, error)
    if package == "django":
        # django 5: `python -c "import django.db.backends.sqlite3.features"` really fails this way
        names = {(f.module, f.name) for f in report.findings}
        assert ("django.db.backends.sqlite3.features", "DatabaseFeatures") in names
        assert all(f.rule.name == "order-dependent-import" for f in report.findings)
    else:
        assert report.findings == ()
