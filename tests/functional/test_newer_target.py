"""importgate running on an older Python than the project's: the target parses what this
interpreter cannot (importgate.facts.target_parse). Real interpreters, real venvs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import findings, import_fails, run_check

# nested quotes in an f-string (PEP 701) and a type alias (PEP 695): both need 3.12
NEWER_SOURCE = '''
type Alias = list[int]


def helper(row):
    return f"{row["id"]}"
'''


def _newer_python() -> str | None:
    from support import find_python

    for minor in (12, 13, 14):
        if minor > sys.version_info[1]:
            found = find_python(minor)
            if found is not None:
                return found
    return None


@pytest.fixture(scope="module")
def newer():
    python = _newer_python()
    if python is None:
        pytest.skip("needs a Python of 3.12 or newer beside the one running importgate")
    return python


def test_newer_syntax_is_parsed_by_the_target(make_project, newer):
    root = make_project({
        "app/__init__.py": "",
        "app/util.py": NEWER_SOURCE,
        "app/main.py": "from app.util import helper, Alias, missing_one\n",
        "app/ok.py": "from app.util import helper, Alias\n",
    })
    assert not import_fails(root, "app.ok", python=newer)  # ground truth: it runs there
    assert import_fails(root, "app.main", python=newer)
    report = run_check(root, python=newer, cache=False)
    assert findings(report, "syntax-error") == []
    # the target's facts are complete: the names it defines are known, a missing one is not
    assert [(f.location.path.endswith("main.py"), f.name) for f in report.findings] == [(True, "missing_one")]


def test_a_real_syntax_error_is_still_one_in_the_targets_words(make_project, newer):
    root = make_project({"app/__init__.py": "", "app/bad.py": 'def f(:\n    return f"{1}"\n', "app/util.py": NEWER_SOURCE})
    assert import_fails(root, "app.bad", python=newer)
    (bad,) = findings(run_check(root, python=newer, cache=False), "syntax-error")
    assert bad.location.path.endswith("bad.py") and bad.location.line == 1
    assert "raises SyntaxError" in bad.message and "importgate runs on" not in bad.message


def test_facts_from_the_target_are_cached_like_any_other(make_project, newer, tmp_path):
    root = make_project({"app/__init__.py": "", "app/util.py": NEWER_SOURCE, "app/main.py": "from app.util import missing_one\n"})
    cache_dir = str(tmp_path / "cache")
    first = run_check(root, python=newer, cache_dir=cache_dir)
    again = run_check(root, python=newer, cache_dir=cache_dir)
    assert [f.name for f in first.findings] == [f.name for f in again.findings] == ["missing_one"]
    assert again.parsed == 0


def test_installed_module_in_newer_syntax(make_project, newer, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([newer, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "newlib").mkdir()
    # inner is named by no first-party import: it is parsed when the star import is followed
    (Path(site) / "newlib" / "__init__.py").write_text(NEWER_SOURCE + "from newlib.inner import *\n")
    (Path(site) / "newlib" / "inner.py").write_text(NEWER_SOURCE + "deep = 1\n")
    (Path(site) / "newlib" / "sub.py").write_text(NEWER_SOURCE + "VALUE = 1\n")
    root = make_project({
        "app.py": "from newlib import helper, Alias, deep, nothere\nfrom newlib.sub import VALUE, nope\n",
        "pyproject.toml": '[project]\nname = "app"\nversion = "0"\ndependencies = ["newlib"]\n',
    })
    report = run_check(root, python=python, cache=False)
    assert sorted(f.name for f in findings(report, "missing-name")) == ["nope", "nothere"]
    assert [f.rule.name for f in report.findings if f.rule.name != "missing-name"] == []


def test_fix_of_a_file_in_newer_syntax_is_checked_by_the_target(make_project, newer):
    """--fix never writes a file Python cannot read: for a 3.12 file fixed from an older Python,
    the target's grammar says whether the rewritten file parses."""
    from support import cli

    root = make_project({
        "pkg/__init__.py": 'from .a import X\n\n__all__ = ["T"]\n\ntype T = int\n',
        "pkg/a.py": "X = 1\n",
        "app/__init__.py": "",
        "app/main.py": "from pkg import X\n",
    })
    proc = cli("check", ".", "--diff", "--no-cache", "--python", newer, cwd=root)
    assert '+__all__ = ["T", "X"]' in proc.stdout, proc.stdout + proc.stderr
    assert "would not parse" not in proc.stdout + proc.stderr
    assert proc.returncode == 1  # the finding stands until the fix is applied


def test_a_damaged_cache_row_of_a_newer_file_is_parsed_by_the_target_again(make_project, newer, tmp_path):
    import sqlite3

    root = make_project({"app/__init__.py": "", "app/util.py": NEWER_SOURCE, "app/main.py": "from app.util import missing_one\n"})
    cache = tmp_path / "cache"
    clean = run_check(root, python=newer, cache_dir=str(cache))
    db = sqlite3.connect(cache / "facts.sqlite3")
    db.execute("UPDATE facts SET data = ? WHERE path LIKE ?", (b"\x80\x05not a pickle", "%util.py"))
    db.execute("DELETE FROM reports")
    db.commit()
    db.close()
    again = run_check(root, python=newer, cache_dir=str(cache))
    assert [f.name for f in again.findings] == [f.name for f in clean.findings] == ["missing_one"]
