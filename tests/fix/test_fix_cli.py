"""The command-line side of fixes: exit codes, --output, libcst loaded only when needed."""

from __future__ import annotations

import subprocess
import sys

from support import cli, write_project
from fixhelp import snapshot

FIXABLE_AND_NOT = {
    "pkg/__init__.py": "__all__ = ['ghost']\n",
    "pkg/sub.py": "def alpha(): ...\n",
    "app.py": "from pkg import alpha\nfrom pkg import nowhere\n",
}


def run_python(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_fix_exit_code_follows_what_remains(tmp_path):
    root = write_project(tmp_path / "p", FIXABLE_AND_NOT)
    proc = cli("check", "--fix", str(root), cwd=root)
    assert proc.returncode == 1  # `nowhere` cannot be fixed
    assert proc.stdout.count("fixed: ") == 2 and "Found 1 error" in proc.stdout and "fixed 2." in proc.stdout
    assert "app.py:2:17: IG102 [missing-name] cannot import name 'nowhere'" in proc.stdout


def test_diff_to_an_output_file(tmp_path):
    root = write_project(tmp_path / "p", FIXABLE_AND_NOT)
    before = snapshot(root)
    out = tmp_path / "fix.patch"
    proc = cli("check", "--diff", "--output", str(out), str(root), cwd=root)
    assert proc.returncode == 1 and proc.stdout == ""
    assert out.read_text().startswith("--- a/pkg/__init__.py\n+++ b/pkg/__init__.py\n")
    assert "fixing 2 findings; 1 would remain" in proc.stderr
    assert snapshot(root) == before


def test_plain_check_never_loads_libcst(tmp_path):
    root = write_project(tmp_path / "p", FIXABLE_AND_NOT)
    code = "import sys\nfrom importgate.cli import main\nrc = main(['check', '.'])\nprint(rc, 'libcst' in sys.modules)"
    assert run_python(code, root).stdout.splitlines()[-1] == "1 False"
    code = code.replace("['check', '.']", "['check', '--format', 'json', '.']")
    assert run_python(code, root).stdout.splitlines()[-1] == "1 True"  # the edits need it


def test_without_libcst_the_check_still_runs(tmp_path):
    root = write_project(tmp_path / "p", FIXABLE_AND_NOT)
    before = snapshot(root)
    code = "import sys\nsys.modules['libcst'] = None\nfrom importgate.cli import main\nsys.exit(main(['check', '--fix', '.']))"
    proc = run_python(code, root)
    assert proc.returncode == 1 and "fixes are unavailable: cannot import libcst" in proc.stderr
    assert "Found 3 errors" in proc.stdout and snapshot(root) == before
