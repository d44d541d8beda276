"""Bad input never crashes the tool and never hides the findings elsewhere."""

from __future__ import annotations

import json
import os
import sys

import pytest

from support import cli, find_python, findings, run_check


def test_syntax_error_is_reported_and_the_rest_still_checked(make_project):
    root = make_project(
        {
            "broken.py": "def f(:\n    pass\n",
            "app.py": "from lib import gone\n",
            "lib.py": "x = 1\n",
        }
    )
    report = run_check(root)
    (syntax,) = findings(report, "syntax-error")
    assert syntax.location.path.endswith("broken.py") and syntax.location.line == 1
    assert "SyntaxError" in syntax.message
    assert [f.name for f in findings(report, "missing-name")] == ["gone"]


def test_importing_from_a_broken_module_does_not_add_noise(make_project):
    root = make_project({"broken.py": "x = (\n", "app.py": "from broken import x\n"})
    report = run_check(root)
    assert [f.rule.name for f in report.findings] == ["syntax-error"]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="needs a Python older than 3.12 running importgate")
def test_newer_syntax_names_both_versions(make_project):
    root = make_project({"types_.py": "type Alias = list[int]\n", "ok.py": "import types_\n"})
    (f,) = findings(run_check(root), "syntax-error")
    running = "%d.%d" % sys.version_info[:2]
    assert "Python 3.12" in f.message and f"Python {running}" in f.message


def test_syntax_too_new_for_an_older_target(make_project, tmp_path):
    older = find_python(10)
    if older is None or sys.version_info < (3, 11):
        pytest.skip("needs python3.10 as the target and a newer Python running importgate")
    root = make_project({"handler.py": "try:\n    pass\nexcept* ValueError:\n    pass\n"})
    (f,) = findings(run_check(root, python=older), "syntax-error")
    assert "3.10" in f.message


def test_non_utf8_file(make_project):
    root = make_project({"latin.py": b"x = '\xe9t\xe9'\n", "declared.py": b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "app.py": "import missing_xyz_mod\n"})
    report = run_check(root)
    (bad,) = findings(report, "unreadable-file")
    assert bad.location.path.endswith("latin.py") and "decode" in bad.message
    assert not any(f.location.path.endswith("declared.py") for f in report.findings)
    assert [f.module for f in findings(report, "unresolved-module")] == ["missing_xyz_mod"]


def test_nul_bytes(make_project):
    root = make_project({"bin.py": b"x = 1\x00\n"})
    (bad,) = findings(run_check(root), "unreadable-file")
    assert "NUL" in bad.message


def test_symlink_loop_and_dangling_link(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/a.py": "from pkg import nope\n"})
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root / "does-not-exist.py", root / "dangling.py")
    report = run_check(root)
    assert [f.name for f in findings(report, "missing-name")] == ["nope"]
    messages = " ".join(p.message for p in report.problems)
    assert "symlink loop" in messages and "dangling" in messages


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(make_project):
    root = make_project({"secret.py": "x = 1\n", "app.py": "import gone_xyz\n"})
    os.chmod(root / "secret.py", 0)
    report = run_check(root)
    assert findings(report, "unreadable-file")
    assert findings(report, "unresolved-module")


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_file_whose_read_fails(make_project):
    """Even as root some files cannot be read (/proc/self/mem raises EIO): reported, the rest still checked."""
    root = make_project({"app.py": "import gone_xyz\n"})
    os.symlink("/proc/self/mem", root / "weird.py")
    report = run_check(root)
    (bad,) = findings(report, "unreadable-file")
    assert bad.location.path.endswith("weird.py") and "cannot read" in bad.message
    assert [f.module for f in findings(report, "unresolved-module")] == ["gone_xyz"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_a_module_does_not_hang(make_project):
    root = make_project({"app.py": "import gone_xyz\n"})
    os.mkfifo(root / "pipe.py")
    (root / "dir.py").mkdir()
    report = run_check(root)
    assert [f.module for f in findings(report, "unresolved-module")] == ["gone_xyz"]


def test_broken_pyproject_is_a_finding_and_defaults_apply(make_project):
    root = make_project({"pyproject.toml": "[project\nname = 'x'\n", "app.py": "import gone_xyz\n"})
    report = run_check(root)
    (broken,) = findings(report, "broken-pyproject")
    assert broken.location.path.endswith("pyproject.toml") and broken.location.line == 1
    assert findings(report, "unresolved-module")


def test_files_outside_the_project_proper_are_not_judged(make_project):
    """Broken fixtures are common in test data: a pyproject.toml below the root (not this
    project's) and an unparsable .py in an excluded directory are not findings."""
    root = make_project(
        {
            "pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n",
            "tests/fixtures/bad/pyproject.toml": "[project\n",
            "build/lib/old.py": "print 'python 2'\n",
            "app.py": "import os\n",
        }
    )
    report = run_check(root, "app.py")
    assert findings(report, "broken-pyproject") == [] and findings(report, "syntax-error") == []
    assert run_check(root).findings == ()


def test_unknown_config_key_is_a_usage_error(make_project):
    root = make_project({"pyproject.toml": "[tool.importgate]\nselct = ['missing-name']\n", "app.py": ""})
    proc = cli("check", str(root))
    assert proc.returncode == 2
    assert "unknown key 'selct'" in proc.stderr


def test_unknown_rule_name_is_a_usage_error(make_project):
    root = make_project({"pyproject.toml": "[tool.importgate]\nignore = ['missing-nam']\n", "app.py": ""})
    proc = cli("check", str(root))
    assert proc.returncode == 2 and "unknown rule 'missing-nam'" in proc.stderr
    proc = cli("check", str(root / "app.py"), "--select", "no-such-rule")
    assert proc.returncode == 2


def test_missing_path_is_a_usage_error(tmp_path):
    proc = cli("check", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_bad_python_is_a_usage_error(make_project):
    root = make_project({"app.py": ""})
    proc = cli("check", str(root), "--python", str(root / "no-python"))
    assert proc.returncode == 2 and "no Python interpreter" in proc.stderr


def test_json_survives_bad_input(make_project):
    root = make_project({"a.py": "def (\n", "b.py": b"\xff\xfe\n"})
    proc = cli("check", str(root), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert sorted(f["rule"] for f in data["findings"]) == ["syntax-error", "unreadable-file"]


def test_broken_pyproject_with_settings_of_ours_is_a_finding_too(make_project):
    root = make_project({"pyproject.toml": "[tool.importgate]\nselect = ['IG1'\n", "app.py": "import gone_xyz\n"})
    report = run_check(root)
    assert findings(report, "broken-pyproject") and findings(report, "unresolved-module")


def test_settings_under_a_key_spelled_with_an_escape_still_apply(make_project):
    """pyproject.toml is read only when its bytes could name [tool.importgate]: an escaped
    spelling of the key counts."""
    root = make_project({
        "pyproject.toml": '[tool."\\u0069mportgate"]\nselect = ["IG102"]\n',
        "app.py": "import gone_xyz\nfrom lib import nothere\n",
        "lib.py": "x = 1\n",
    })
    report = run_check(root)
    assert [f.rule.name for f in report.findings] == ["missing-name"]
