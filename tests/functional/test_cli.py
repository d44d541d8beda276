"""The command-line contract: output formats, exit codes, configuration, suppression, entries."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support import cli, write_project

REPO = Path(__file__).resolve().parents[2]
INCIDENT = REPO / "examples" / "incident"

BROKEN = {
    "pkg/__init__.py": "__all__ = ['gone']\n",
    "pkg/impl.py": "def real(): ...\n",
    "app.py": "from pkg import real\nimport os\n",
}


@pytest.fixture
def broken(tmp_path):
    return write_project(tmp_path / "p", BROKEN)


@pytest.fixture
def clean(tmp_path):
    return write_project(tmp_path / "c", {"pkg/__init__.py": "x = 1\n", "app.py": "from pkg import x\n"})


def test_exit_codes(broken, clean):
    assert cli("check", str(clean)).returncode == 0
    assert cli("check", str(broken)).returncode == 1
    assert cli("check", "--no-such-flag").returncode == 2
    assert cli().returncode == 2


def test_text_output_shape(broken):
    proc = cli("check", str(broken), cwd=broken)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("app.py:1:17: IG102 [missing-name] cannot import name 'real' from 'pkg'")
    assert any(line.startswith("pkg/__init__.py:1:12: IG103 [undefined-export]") for line in lines)
    assert lines[-1].startswith("Found 2 errors in 3 files")
    assert "\x1b[" not in proc.stdout  # no colour when not a TTY


def test_color_always(broken):
    proc = cli("check", str(broken), "--color", "always")
    assert "\x1b[31m" in proc.stdout


def test_json_envelope(broken):
    proc = cli("check", str(broken), "--format", "json", cwd=broken)
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert set(data["summary"]) >= {"files", "modules", "findings", "seconds"}
    assert data["summary"]["findings"] == len(data["findings"]) == 2
    first = data["findings"][0]
    assert set(first) >= {"rule", "code", "severity", "path", "line", "column", "end_line", "end_column", "message", "module", "name", "hint", "related"}
    assert first["path"] == "app.py" and first["rule"] == "missing-name" and first["name"] == "real"
    assert first["code"] == "IG102" and first["severity"] == "error"
    assert first["related"] and {"path", "line", "column", "message"} <= set(first["related"][0])


def test_sarif_github_junit(broken):
    sarif = json.loads(cli("check", str(broken), "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and {r["id"] for r in run["tool"]["driver"]["rules"]} == {"IG102", "IG103"}
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    github = cli("check", str(broken), "--format", "github").stdout.splitlines()
    assert github[0].startswith("::error file=") and "title=IG102 missing-name" in github[0]
    junit = ET.fromstring(cli("check", str(broken), "--format", "junit").stdout)
    suite = junit.find("testsuite")
    assert suite.get("failures") == "2" and len(suite.findall("testcase")) == 2


def test_output_file(broken, tmp_path):
    out = tmp_path / "report.json"
    proc = cli("check", str(broken), "--format", "json", "--output", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["summary"]["findings"] == 2


def test_select_and_ignore(broken):
    assert cli("check", str(broken), "--select", "undefined-export").stdout.count("IG10") == 1
    assert cli("check", str(broken), "--ignore", "IG102,IG103").returncode == 0
    assert cli("check", str(broken), "--select", "IG1").returncode == 1


def test_inline_suppression(tmp_path):
    root = write_project(
        tmp_path / "s",
        {
            "m.py": "x = 1\n",
            "a.py": "from m import y  # importgate: ignore[missing-name]\n",
            "b.py": "from m import (  # importgate: ignore\n    y,\n)\n",
            "c.py": "from m import y  # importgate: ignore[unresolved-module]\n",
            "d.py": "from m import y  # importgate: ignore[IG102]\n",
        },
    )
    data = json.loads(cli("check", str(root), "--format", "json").stdout)
    assert [Path(f["path"]).name for f in data["findings"]] == ["c.py"]


def test_per_file_ignores_and_severity_and_fail_on(tmp_path):
    root = write_project(
        tmp_path / "cfg",
        {
            "pyproject.toml": """
                [tool.importgate]
                per-file-ignores = { "legacy/*" = ["missing-name"] }
                severity = { "undefined-export" = "warning" }
                """,
            "m.py": "x = 1\n__all__ = ['ghost']\n",
            "legacy/old.py": "from m import y\n",
        },
    )
    proc = cli("check", str(root), "--format", "json")
    data = json.loads(proc.stdout)
    assert [f["rule"] for f in data["findings"]] == ["undefined-export"]
    assert data["findings"][0]["severity"] == "warning"
    assert proc.returncode == 0  # warnings do not fail by default
    assert cli("check", str(root), "--fail-on", "warning").returncode == 1


def test_entry_chains(tmp_path):
    root = write_project(
        tmp_path / "e",
        {
            "app/__init__.py": "",
            "app/main.py": "import os\nfrom app.mw import auth\n",
            "app/mw/__init__.py": "",
            "app/mw/auth.py": "from app.util import nothing\n",
            "app/util.py": "",
            "app/unused.py": "from app.util import other_nothing\n",
        },
    )
    data = json.loads(cli("check", str(root), "--entry", "app.main:app", "--format", "json").stdout)
    by_name = {f["name"]: f for f in data["findings"]}
    assert by_name["nothing"]["chain"] == ["app.main:2", "app.mw.auth:1"]
    assert by_name["other_nothing"]["chain"] == []
    text = cli("check", str(root), "--entry", "app.main").stdout
    assert "reached at start-up: app.main:2 -> app.mw.auth:1" in text
    assert "not reached at start-up" in text


def test_python_m_and_console_script_agree(broken):
    import shutil
    import subprocess

    import sys

    script = shutil.which("importgate") or str(Path(sys.executable).parent / "importgate")
    if not Path(script).exists():
        pytest.skip("console script not installed")
    a = subprocess.run([script, "check", str(broken), "--format", "json"], capture_output=True, text=True)
    b = cli("check", str(broken), "--format", "json")
    strip = lambda s: {k: v for k, v in json.loads(s).items() if k != "summary"}  # noqa: E731
    assert a.returncode == b.returncode == 1 and strip(a.stdout) == strip(b.stdout)


def test_rules_listing():
    out = cli("rules").stdout
    for name in ("unresolved-module", "missing-name", "undefined-export", "relative-beyond-top-level", "syntax-error"):
        assert name in out
    codes = [r["code"] for r in json.loads(cli("rules", "--format", "json").stdout)]
    assert len(codes) == len(set(codes))


def test_incident_example_reports_the_outage():
    proc = cli("check", str(INCIDENT), "--format", "json", cwd=REPO)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    missing = sorted(f["name"] for f in data["findings"] if f["rule"] == "missing-name")
    assert missing == ["GCPErrorReporter", "clear_request_context", "set_request_context"]
    exports = sorted(f["name"] for f in data["findings"] if f["rule"] == "undefined-export")
    assert exports == ["ErrorFormatter", "GCPClientManager", "GCPErrorService", "GCPRateLimiter"]
    reporter = next(f for f in data["findings"] if f["name"] == "GCPErrorReporter")
    assert "gcp_error_reporter.py:8" in reporter["message"]
    assert reporter["chain"] == ["app.main:3", "app.middleware.auth:3"]


def test_self_check_is_clean():
    proc = cli("check", str(REPO / "src"), str(REPO / "tests"), cwd=REPO)
    assert proc.returncode == 0, proc.stdout


def test_progress_is_drawn_on_a_terminal_only_for_slow_runs(tmp_path):
    """A real pseudo-terminal: the status line appears once a run takes longer than the delay."""
    import io

    from importgate.cli import TtyProgress

    class FakeTty(io.StringIO):
        def isatty(self):
            return True

    quick = FakeTty()
    progress = TtyProgress(quick, delay=10.0)
    progress("parsing", 5, 10)
    progress.clear()
    assert quick.getvalue() == ""  # a fast run draws nothing

    slow = FakeTty()
    progress = TtyProgress(slow, delay=0.0)
    progress("parsing", 5, 10)
    progress("checking", 2, 2)
    progress.clear()
    text = slow.getvalue()
    assert "parsing" in text and "5/10" in text and "checking" in text and text.endswith("\r\x1b[2K")


def test_no_progress_when_stderr_is_not_a_terminal(broken):
    proc = cli("check", str(broken))
    assert "\r" not in proc.stderr


def test_help_is_wrapped_to_the_terminal_width():
    """argparse would ask shutil for the width; importgate asks the same places itself."""
    narrow = cli("check", "--help", env={"COLUMNS": "50"})
    wide = cli("check", "--help", env={"COLUMNS": "120"})
    assert narrow.returncode == wide.returncode == 0
    lines = narrow.stdout.splitlines()
    options = lines[lines.index("options:") + 1 :]  # (usage lines may not break inside a [...])
    assert max(len(line) for line in options) <= 48  # help text wrapped to COLUMNS - 2
    assert max(len(line) for line in wide.stdout.splitlines()) > 50  # and the room is used
    assert len(narrow.stdout.splitlines()) > len(wide.stdout.splitlines())


def test_help_width_falls_back_when_the_terminal_says_nothing():
    """COLUMNS=0 (or a terminal reporting 0 columns) means "unknown", as for shutil: 80."""
    unknown = cli("check", "--help", env={"COLUMNS": "0"})
    eighty = cli("check", "--help", env={"COLUMNS": "80"})
    assert unknown.returncode == 0 and unknown.stdout == eighty.stdout


def test_reports_through_a_pipe_are_complete(tmp_path):
    """The console command exits without tearing the interpreter down (``cli.run``): what it
    wrote to a buffered stdout must still all arrive, a short report and one many times longer
    than a pipe holds, with its exit status."""
    import os
    import subprocess
    import sys

    files = {"pkg/__init__.py": "", "ok/__init__.py": ""}
    files.update({f"pkg/m{i}.py": "".join(f"from pkg import missing_{i}_{j}\n" for j in range(40)) for i in range(60)})
    root = write_project(tmp_path / "long", files)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "VIRTUAL_ENV")}  # block-buffered, as in CI logs

    def run(*args):
        return subprocess.run([sys.executable, "-m", "importgate", "check", *args], capture_output=True, text=True, env=env, timeout=120)

    text = run(str(root), "--color", "never")
    assert text.returncode == 1
    assert len(text.stdout) > 200_000
    assert text.stdout.count("IG102") == 60 * 40 and "missing_59_39" in text.stdout
    data = json.loads(run(str(root), "--format", "json").stdout)  # truncated JSON would not load
    assert len(data["findings"]) == 60 * 40
    short = run(str(root / "ok"), "--color", "never")
    assert short.returncode == 0 and "No import problems found" in short.stdout


def _fake_python(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("echo 'no such module: json' >&2; exit 3", "failed to describe itself: no such module: json"),
        ("echo 'Welcome to the shell'", "printed something unexpected"),
    ],
)
def test_a_target_that_cannot_describe_itself_is_a_usage_error(tmp_path, body, said):
    """The target is asked while the project is walked (``PendingEnvironment``): when its answer
    is unusable the run still ends with one clear message and exit status 2, nothing cached."""
    import os

    if os.name == "nt":
        pytest.skip("a shell script stands in for the interpreter")
    root = write_project(tmp_path / "p", {"app.py": "import os\n"})
    python = _fake_python(tmp_path / "python", body)
    for _ in range(2):  # a failed answer is not remembered: asked again, same message
        proc = cli("check", str(root), "--python", str(python), "--format", "json", env={"XDG_CACHE_HOME": str(tmp_path / "xdg")})
        assert proc.returncode == 2, proc.stderr
        assert said in proc.stderr and "internal error" not in proc.stderr
        assert proc.stdout == ""


def _imported(stderr: str) -> set[str]:
    """Module names from ``-X importtime`` lines ("import time: self | cumulative | name")."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:") and "|" in line}


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="from 3.12 dataclasses uses inspect for every class")
def test_a_check_answered_from_the_cache_does_not_import_inspect(tmp_path, broken):
    """``dataclasses`` gets a stand-in for ``inspect`` (``cli._import_dataclasses_without_inspect``):
    ~6 ms of every start-up. It holds only while no class of ours lacks a docstring."""
    env = {"PYTHONPROFILEIMPORTTIME": "1", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    runs = [cli("check", str(broken), "--format", "json", "--cache-dir", str(tmp_path / "cache"), env=env) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1], runs[0].stderr[-2000:]
    assert json.loads(runs[0].stdout)["findings"] == json.loads(runs[1].stdout)["findings"]
    assert "dataclasses" in _imported(runs[1].stderr)
    assert "inspect" not in _imported(runs[1].stderr)
    edited = broken / "app.py"
    edited.write_text(edited.read_text() + "import json\n")
    edit = cli("check", str(broken), "--format", "json", "--cache-dir", str(tmp_path / "cache"), env=env)
    assert edit.returncode == 1 and "inspect" not in _imported(edit.stderr)


def test_every_dataclass_of_importgate_has_a_docstring():
    """The stand-in's premise: a class without one makes dataclasses load the real inspect
    (the test above catches that only for the classes a replay and an edit load)."""
    import ast

    missing = []
    for path in sorted((REPO / "src" / "importgate").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any("dataclass" in ast.unparse(d) for d in node.decorator_list):
                if ast.get_docstring(node) is None:
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert missing == []


def test_the_stand_in_for_inspect_behaves_as_inspect():
    """A class without a docstring gets the docstring dataclasses writes with ``inspect``, and
    ``import inspect`` elsewhere gets the real module."""
    import subprocess

    code = (
        "import sys\n"
        "from importgate.cli import _import_dataclasses_without_inspect\n"
        "_import_dataclasses_without_inspect()\n"
        "import dataclasses\n"
        "fresh = 'inspect' not in sys.modules\n"
        "@dataclasses.dataclass\n"
        "class Point:\n"
        "    x: int\n"
        "    y: str = 'a'\n"
        "import inspect\n"
        "print(fresh, Point.__doc__, type(inspect).__name__, dataclasses.inspect.signature is inspect.signature)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(" ", 1)[1] == "Point(x: int, y: str = 'a') module True\n"
    assert out.stdout.startswith("True ")  # dataclasses was imported without inspect
