"""The outage, repaired by one command: `importgate check --fix` on a copy of examples/incident."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import cli
from fixhelp import apply_json_edits, snapshot

INCIDENT = Path(__file__).resolve().parents[2] / "examples" / "incident"


@pytest.fixture
def incident(tmp_path):
    root = tmp_path / "incident"
    shutil.copytree(INCIDENT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def start_service(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import app.main; print(app.main.app['name'])"],
        cwd=root, capture_output=True, text=True, timeout=60,
    )


def test_fix_repairs_the_outage_and_the_service_starts(incident):
    before = start_service(incident)
    assert before.returncode != 0 and "cannot import name 'GCPErrorReporter'" in before.stderr

    proc = cli("check", "--fix", str(incident), cwd=incident)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    fixed = [line for line in proc.stdout.splitlines() if line.startswith("fixed: ")]
    assert len(fixed) == 7
    assert proc.stdout.splitlines()[-1].startswith("No import problems found") and proc.stdout.rstrip().endswith("fixed 7.")
    assert any("app/services/monitoring/__init__.py:" in line and "GCPErrorReporter" in line for line in fixed)

    init = (incident / "app/services/monitoring/__init__.py").read_text()
    assert init == '''"""Monitoring: error reporting to Google Cloud.

The public names of this package are listed in __all__.
"""

from .error_formatter import ErrorFormatter
from .gcp_client_manager import GCPClientManager
from .gcp_error_reporter import (
    GCPErrorReporter,
    clear_request_context,
    set_request_context,
)
from .gcp_error_service import GCPErrorService
from .rate_limiter import GCPRateLimiter

__all__ = [
    "GCPErrorService",
    "GCPClientManager",
    "ErrorFormatter",
    "GCPRateLimiter",
    "GCPErrorReporter",
    "set_request_context",
    "clear_request_context",
]
'''
    after = cli("check", str(incident), cwd=incident)
    assert after.returncode == 0 and after.stdout.startswith("No import problems found"), after.stdout
    started = start_service(incident)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "incident-service"
    star = subprocess.run([sys.executable, "-c", "from app.services.monitoring import *"], cwd=incident, capture_output=True)
    assert star.returncode == 0  # the false __all__ entries no longer break star imports


def test_second_fix_changes_nothing(incident):
    assert cli("check", "--fix", str(incident)).returncode == 0
    fixed_once = snapshot(incident)
    again = cli("check", "--fix", str(incident))
    assert again.returncode == 0 and "fixed:" not in again.stdout
    assert snapshot(incident) == fixed_once
    diff = cli("check", "--diff", str(incident))
    assert diff.returncode == 0 and diff.stdout == ""


def test_diff_leaves_files_untouched_and_is_a_valid_patch(incident, tmp_path):
    before = snapshot(incident)
    proc = cli("check", "--diff", str(incident), cwd=incident)
    assert proc.returncode == 1
    assert snapshot(incident) == before
    assert proc.stdout.startswith("--- a/app/services/monitoring/__init__.py\n+++ b/app/services/monitoring/__init__.py\n")
    assert "+from .gcp_error_reporter import (\n" in proc.stdout and '+    "GCPErrorReporter",\n' in proc.stdout
    assert "would change 1 file, fixing 7 findings; 0 would remain" in proc.stderr

    # the patch applies, and gives exactly what --fix writes
    if shutil.which("git") is None:
        pytest.skip("git not available")
    patched = tmp_path / "patched"
    shutil.copytree(incident, patched)
    subprocess.run(["git", "apply", "-"], input=proc.stdout, text=True, cwd=patched, check=True)
    assert cli("check", "--fix", str(incident)).returncode == 0
    assert snapshot(patched) == snapshot(incident)


def test_json_edits_give_what_fix_writes(incident, tmp_path):
    by_json = tmp_path / "by-json"
    shutil.copytree(incident, by_json)
    proc = cli("check", "--format", "json", str(by_json), cwd=by_json)
    data = json.loads(proc.stdout)
    fixes = [f["fix"] for f in data["findings"]]
    assert all(f is not None and f["applicability"] == "safe" for f in fixes)
    assert sum(len(f["edits"]) for f in fixes) >= 1
    assert all({"path", "line", "column", "end_line", "end_column", "content"} == set(e) for f in fixes for e in f["edits"])
    apply_json_edits(by_json, data["findings"])

    assert cli("check", "--fix", str(incident)).returncode == 0
    assert snapshot(by_json) == snapshot(incident)
