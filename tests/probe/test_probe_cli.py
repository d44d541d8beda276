"""`importgate probe` through the real console entry point: output formats, exit codes, the incident."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from probe_helpers import probe_cli, probe_json

REPO = Path(__file__).resolve().parents[2]


def test_incident_reports_the_import_error_at_its_root_frame():
    proc = probe_cli("examples/incident", cwd=REPO)
    assert proc.returncode == 1, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("examples/incident/app/middleware/auth.py:3:1: IG301 [import-failed]")
    assert "ImportError: cannot import name 'GCPErrorReporter' from 'app.services.monitoring'" in first
    assert "app.main" in first
    assert "examples/incident/app/main.py:3:" in proc.stdout  # how start-up reaches it
    assert "Probed 11 modules" in proc.stdout


def test_incident_json_envelope():
    code, data = probe_json("examples/incident", cwd=REPO)
    assert code == 1
    assert data["version"] == 1
    [finding] = data["findings"]
    assert (finding["path"], finding["line"], finding["code"]) == ("examples/incident/app/middleware/auth.py", 3, "IG301")
    assert finding["name"] == "GCPErrorReporter"
    assert data["summary"]["findings"] == 1
    probe = data["probe"]
    assert set(probe["failed"]) == {"app.main:app", "app.middleware.auth"}
    assert "app.services.monitoring" in probe["passed"]
    assert probe["isolation"] in ("fork", "spawn")


def test_other_formats(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/bad.py": "x = 1\nraise KeyError('k')\n"})
    sarif = json.loads(probe_cli(str(root), "--format", "sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "IG301"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    github = probe_cli(str(root), "--format", "github").stdout
    assert github.startswith("::error file=") and "line=2" in github
    junit = ElementTree.fromstring(probe_cli(str(root), "--format", "junit").stdout)
    assert junit.find("testsuite").get("name") == "importgate probe"
    assert junit.find("testsuite").get("failures") == "1"


def test_clean_run_exits_zero_and_warnings_do_not_fail(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/w.py": "open('x.txt', 'w').close()\n"})
    proc = probe_cli(str(root), "--slowest", "0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "IG308 [file-write-at-import] (warning)" in proc.stdout
    assert "Slowest imports" not in proc.stdout
    assert probe_cli(str(root), "--fail-on", "warning").returncode == 1
    assert probe_cli(str(root), "--ignore", "file-write-at-import", "--fail-on", "warning").returncode == 0


def test_inline_suppression(make_project):
    root = make_project({
        "pkg/__init__.py": "",
        "pkg/w.py": "open('x.txt', 'w').close()  # importgate: ignore[file-write-at-import]\n",
    })
    code, data = probe_json(str(root))
    assert code == 0 and data["findings"] == []


def test_text_lists_skipped_and_slowest(make_project):
    root = make_project({
        "pkg/__init__.py": "try:\n    import optional_thing_xyz\nexcept ImportError:\n    pass\n",
        "pkg/extra.py": "import optional_thing_xyz\n",
        "pkg/slow.py": "import time\ntime.sleep(0.3)\n",
    })
    proc = probe_cli(str(root), "--slowest", "2")
    assert proc.returncode == 0
    out = proc.stdout
    assert "Skipped (1):" in out and "pkg.extra" in out and "optional dependency `optional_thing_xyz`" in out
    assert "Slowest imports" in out
    slow_line = next(line for line in out.splitlines() if line.strip().endswith("pkg.slow"))
    assert float(slow_line.split("s", 1)[0]) >= 0.25
    assert "Probed 3 modules" in out and "2 passed, 0 failed, 1 skipped" in out


def test_progress_is_quiet_when_not_a_terminal(make_project):
    root = make_project({"a.py": ""})
    proc = probe_cli(str(root))
    assert proc.stderr == ""
