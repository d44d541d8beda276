"""The pytest plugin, collected and run through a real pytest subprocess (with and without xdist)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PROJECT = {
    "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n',
    "svc/__init__.py": "",
    "svc/ok.py": "import json\nVALUE = 1\n",
    "svc/also_ok.py": "from svc.ok import VALUE\n",
    "svc/bad.py": "from svc.ok import MISSING\n",
    "svc/optional.py": "import not_installed_optional_pkg\n",
    "svc/guard.py": "try:\n    import not_installed_optional_pkg\nexcept ImportError:\n    pass\n",
    "svc/writes.py": "open('generated.txt', 'w').close()\n",
    "tests/test_unit.py": "def test_unit():\n    assert True\n",
}


@pytest.fixture
def project(pytester):
    for rel, content in PROJECT.items():
        path = pytester.path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return pytester


def _check(result):
    result.assert_outcomes(passed=6, failed=1, skipped=1, warnings=1)
    out = result.stdout.str()
    assert "importgate: import svc.bad" in out
    assert "svc/bad.py:1: IG301 [import-failed]" in out
    assert "cannot import name 'MISSING' from 'svc.ok'" in out
    assert "file-write-at-import" in out


def test_plugin_adds_one_test_per_module(project):
    result = project.runpytest_subprocess("--importgate", "-p", "no:cacheprovider", "-rfs")
    _check(result)
    assert "SKIPPED [1] svc/optional.py:1: optional dependency `not_installed_optional_pkg`" in result.stdout.str()


def test_plugin_with_xdist(project):
    result = project.runpytest_subprocess("--importgate", "-n", "2", "-p", "no:cacheprovider")
    _check(result)
    assert "2 workers" in result.stdout.str()


def test_plugin_is_off_by_default_and_on_through_pyproject(project):
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    with open(project.path / "pyproject.toml", "a") as fh:
        fh.write("\n[tool.importgate.pytest]\nenabled = true\n")
    _check(project.runpytest_subprocess("-p", "no:cacheprovider"))


def test_plugin_on_through_ini_and_selectable_by_marker(project):
    (project.path / "pytest.ini").write_text("[pytest]\nimportgate = true\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-m", "importgate", "-k", "not bad")
    result.assert_outcomes(passed=5, skipped=1, warnings=1)


def test_plugin_rejects_unknown_keys(project):
    with open(project.path / "pyproject.toml", "a") as fh:
        fh.write("\n[tool.importgate.pytest]\nenable = true\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "unknown key 'enable'" in result.stderr.str()
