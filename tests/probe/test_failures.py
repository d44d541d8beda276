"""Each kind of import failure, classified and located at its first-party root frame."""

from __future__ import annotations

import os
import sys
import time

from probe_helpers import by_rule, probe


def test_exception_at_import_is_located_at_the_raise(make_project):
    root = make_project({
        "app/__init__.py": "",
        "app/settings.py": """
            import os
            DEBUG = True
            raise RuntimeError("DATABASE_URL is not set")
        """,
        "app/fine.py": "VALUE = 1\n",
    })
    run = probe(root)
    [finding] = by_rule(run, "import-failed")
    assert finding.location.path == str(root / "app/settings.py")
    assert finding.location.line == 3
    assert "RuntimeError: DATABASE_URL is not set" in finding.message
    assert finding.module == "app.settings"
    assert set(run.verdicts.passed) == {"app", "app.fine"}
    assert run.verdicts.failed == ("app.settings",)


def test_missing_name_reports_the_importing_line_and_the_chain(make_project):
    root = make_project({
        "svc/__init__.py": "",
        "svc/lib.py": "def helper():\n    return 1\n",
        "svc/views.py": "from svc.lib import helper, missing_helper\n",
        "svc/main.py": "import json\nfrom svc import views\n",
    })
    run = probe(root)
    [finding] = by_rule(run, "import-failed")
    assert (finding.location.path, finding.location.line) == (str(root / "svc/views.py"), 1)
    assert finding.name == "missing_helper"
    assert "cannot import name 'missing_helper'" in finding.message
    assert "2 modules" in finding.message  # svc.main and svc.views: one fault
    [related] = finding.related
    assert (related.location.path, related.location.line) == (str(root / "svc/main.py"), 2)
    assert "svc.main:2 -> svc.views:1" in related.message


def test_sys_exit_at_import(make_project):
    root = make_project({
        "tool/__init__.py": "",
        "tool/cli.py": """
            import sys
            if len(sys.argv) < 3:
                sys.exit("usage: tool INPUT OUTPUT")
        """,
        "tool/hard.py": "import os\nos._exit(4)\n",
    })
    run = probe(root)
    findings = {f.module: f for f in by_rule(run, "import-exit")}
    assert set(findings) == {"tool.cli", "tool.hard"}
    assert findings["tool.cli"].location.line == 3
    assert "usage: tool INPUT OUTPUT" in findings["tool.cli"].message
    assert "status 4" in findings["tool.hard"].message
    assert not by_rule(run, "import-failed")


def test_segfault_is_a_crash_at_its_line(make_project):
    root = make_project({
        "native/__init__.py": "",
        "native/boom.py": """
            import ctypes

            ctypes.string_at(0)
        """,
        "native/calm.py": "import ctypes\n",
    })
    run = probe(root)
    [finding] = by_rule(run, "import-crashed")
    assert "SIGSEGV" in finding.message
    assert (finding.location.path, finding.location.line) == (str(root / "native/boom.py"), 3)
    assert "native.calm" in run.verdicts.passed


def test_hang_is_killed_with_its_children_and_the_run_finishes(make_project, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    root = make_project({
        "slow/__init__.py": "",
        "slow/hang.py": f"""
            import subprocess, sys, time
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            with open({str(pidfile)!r}, "w") as fh:
                fh.write(str(child.pid))
            time.sleep(120)
        """,
        "slow/other.py": "X = 1\n",
    })
    started = time.monotonic()
    run = probe(root, timeout=1.5)
    assert time.monotonic() - started < 30
    [finding] = by_rule(run, "import-timeout")
    assert (finding.location.path, finding.location.line) == (str(root / "slow/hang.py"), 5)
    assert "1.5s" in finding.message
    assert "slow.other" in run.verdicts.passed
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the hung import's own subprocess survived the run"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return True


def test_failing_circular_import(make_project):
    root = make_project({
        "loop/__init__.py": "",
        "loop/a.py": "from loop.b import B\nA = 1\n",
        "loop/b.py": "from loop.a import A\nB = 2\n",
    })
    run = probe(root)
    findings = by_rule(run, "import-failed")
    assert findings, run.report
    assert all("circular import" in f.hint for f in findings)
    assert {f.name for f in findings} <= {"A", "B"}
    assert set(run.verdicts.failed) == {"loop.a", "loop.b"}


def test_order_dependent_circular_import_is_caught(make_project):
    # q fails when imported first; importing p first hides it (as an in-process importer would)
    root = make_project({
        "p.py": "def f():\n    return 1\n\nfrom q import g\n",
        "q.py": "from p import f\n\ndef g():\n    return 2\n",
    })
    run = probe(root)
    assert "p" in run.verdicts.passed
    [finding] = by_rule(run, "import-failed")
    assert finding.message.startswith("`import q` fails")
    assert "partially initialized module 'q'" in finding.message
    assert (finding.location.path, finding.location.line) == (str(root / "p.py"), 4)
    assert finding.chain == ("q:1", "p:4")


def test_forty_submodules_behind_one_broken_init_are_one_finding(make_project):
    files = {"big/__init__.py": "import os\nCONFIG = os.environ['BIG_CONFIG']\n"}
    for i in range(40):
        files[f"big/mod{i:02d}.py"] = f"VALUE = {i}\n"
    files["other.py"] = "import json\n"
    root = make_project(files)
    run = probe(root)
    [finding] = run.report.findings
    assert finding.rule.name == "import-failed"
    assert (finding.location.path, finding.location.line) == (str(root / "big/__init__.py"), 2)
    assert "importing 41 modules fails here" in finding.message
    assert "KeyError: 'BIG_CONFIG'" in finding.message
    assert len(finding.related) == 40  # every submodule, each at its own file
    assert {r.location.path for r in finding.related} == {str(root / f"big/mod{i:02d}.py") for i in range(40)}
    assert run.verdicts.passed == ("other",)


def test_the_environment_given_with_env_fixes_it(make_project, tmp_path):
    files = {"big/__init__.py": "import os\nCONFIG = os.environ['BIG_CONFIG']\n", "big/mod.py": ""}
    root = make_project(files)
    envfile = tmp_path / "prod.env"
    envfile.write_text("# production\nexport BIG_CONFIG='from file'\n")
    assert not probe(root, env=(("BIG_CONFIG", "x"),)).report.findings
    assert not probe(root, env_files=(str(envfile),)).report.findings


def test_module_not_found_first_and_third_party(make_project):
    root = make_project({
        "shop/__init__.py": "",
        "shop/orders.py": "import shop.paymnets\n",
        "shop/refunds.py": "from shop import paymnets\n",
        "shop/payments.py": "import stripe_sdk_that_is_not_installed\n",
    })
    run = probe(root)
    findings = {f.module: f for f in by_rule(run, "import-failed")}
    assert findings["shop.orders"].hint.startswith("there is no first-party module `shop.paymnets`")
    assert "No module named 'shop.paymnets'" in findings["shop.orders"].message
    # `from package import x` with no such submodule or name is Python's "cannot import name"
    assert "cannot import name 'paymnets'" in findings["shop.refunds"].message
    assert findings["shop.refunds"].name == "paymnets"
    third = findings["shop.payments"]
    assert third.name == "stripe_sdk_that_is_not_installed"
    assert "is not installed in" in third.hint
    assert (third.location.path, third.location.line) == (str(root / "shop/payments.py"), 1)


def test_syntax_error_points_at_the_bad_line(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/broken.py": "x = 1\ndef f(:\n    pass\n"})
    run = probe(root)
    [finding] = by_rule(run, "import-failed")
    assert (finding.location.path, finding.location.line) == (str(root / "pkg/broken.py"), 2)
    assert "SyntaxError" in finding.message


def test_clean_project_has_no_findings(make_project):
    root = make_project({
        "ok/__init__.py": "from ok.core import run\n",
        "ok/core.py": "import json, os\n\ndef run():\n    return json.dumps({})\n",
        "ok/__main__.py": "from ok.core import run\nrun()\nraise SystemExit(0)\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
    })
    run = probe(root)
    assert run.report.findings == ()
    assert set(run.verdicts.passed) == {"ok", "ok.core"}
    assert ("ok.__main__", "*.__main__") in run.excluded
    assert ("setup", "setup") in run.excluded


def test_analysed_code_never_runs_in_importgates_process(make_project, tmp_path):
    marks = tmp_path / "marks.txt"
    root = make_project({
        "spy/__init__.py": "",
        "spy/mark.py": f"import os\nwith open({str(marks)!r}, 'a') as fh:\n    fh.write(f'{{os.getpid()}} {{os.getppid()}}\\n')\n",
    })
    for isolation in ("fork", "spawn"):
        probe(root, isolation=isolation)
    lines = [tuple(map(int, line.split())) for line in marks.read_text().splitlines()]
    assert len(lines) == 2
    for pid, ppid in lines:
        assert pid != os.getpid()
    assert "spy.mark" not in sys.modules
    # in fork mode the module ran in a child of the server, never in the server itself
    fork_pid, fork_ppid = lines[0]
    assert fork_ppid != os.getpid()


def test_src_layout_modules_are_probed_once_under_their_import_name(make_project):
    root = make_project({
        "pyproject.toml": "[project]\nname = 'lib'\nversion = '1'\n",
        "src/lib/__init__.py": "from lib.core import run\n",
        "src/lib/core.py": "def run():\n    return 1\n",
        "scripts/tool.py": "import lib\n",
    })
    run = probe(root)
    assert sorted(run.verdicts.passed) == ["lib", "lib.core", "scripts.tool"]
    assert run.report.findings == ()


def test_module_that_closes_every_descriptor_is_a_problem_not_a_verdict(make_project):
    root = make_project({"daemon/__init__.py": "", "daemon/detach.py": "import os\nos.closerange(3, 4096)\n", "daemon/ok.py": ""})
    for isolation in ("fork", "spawn"):
        run = probe(root, isolation=isolation)
        assert run.report.findings == ()
        assert [o.task.module for o in run.verdicts.internal] == ["daemon.detach"]
        assert any("daemon.detach" in p.message and "result channel" in p.message for p in run.report.problems)
        assert set(run.verdicts.passed) == {"daemon", "daemon.ok"}
