"""The pre-commit hook definition runs the real gate on a repository."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from support import write_project

REPO = Path(__file__).resolve().parents[2]


def test_hook_definition_runs_the_gate(tmp_path):
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "importgate" and hook["language"] == "python" and hook["pass_filenames"] is False
    entry = shlex.split(hook["entry"])
    assert entry[0] == "importgate"
    command = [sys.executable, "-m", "importgate", *entry[1:]]  # the console script, as pre-commit would call it
    broken = write_project(tmp_path / "broken", {"pkg/__init__.py": "", "app.py": "from pkg import gone\n"})
    clean = write_project(tmp_path / "clean", {"pkg/__init__.py": "gone = 1\n", "app.py": "from pkg import gone\n"})
    for root in (broken, clean):
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    assert subprocess.run(command, cwd=broken, capture_output=True).returncode == 1
    assert subprocess.run(command, cwd=clean, capture_output=True).returncode == 0
