"""Verdicts do not depend on the isolation mode or the number of jobs."""

from __future__ import annotations

import json

import pytest

from probe_helpers import probe

from importgate.report import render

MIXED = {
    "mix/__init__.py": "import json\n",
    "mix/ok.py": "import collections\nfrom mix import helpers\n",
    "mix/helpers.py": "def h():\n    return 1\n",
    "mix/raises.py": "raise ValueError('bad config')\n",
    "mix/missing.py": "from mix.helpers import nope\n",
    "mix/exits.py": "import sys\nsys.exit(2)\n",
    "mix/crash.py": "import ctypes\nctypes.string_at(0)\n",
    "mix/hang.py": "import time\ntime.sleep(60)\n",
    "mix/writes.py": "open('out.txt', 'w').close()\n",
    "mix/runs.py": "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'pass'])\n",
    "mix/third.py": "import definitely_not_installed_pkg\n",
    "mix/broken/__init__.py": "raise ImportError('broken package')\n",
    "mix/broken/a.py": "",
    "mix/broken/b.py": "",
    "p.py": "def f():\n    return 1\n\nfrom q import g\n",
    "q.py": "from p import f\n\ndef g():\n    return 2\n",
}


def _verdicts(run):
    return sorted(o.verdict_key() for o in run.outcomes)


def _json_findings(run):
    import json

    data = json.loads(render(run.report, "json"))
    return data["findings"]


@pytest.mark.parametrize("first,second", [
    ({"isolation": "fork", "jobs": 1}, {"isolation": "fork", "jobs": 2}),
    ({"isolation": "spawn", "jobs": 1}, {"isolation": "spawn", "jobs": 2}),
    ({"isolation": "fork", "jobs": 2}, {"isolation": "spawn", "jobs": 2}),
])
def test_identical_verdicts(make_project, first, second):
    root = make_project(MIXED)
    a = probe(root, timeout=1.5, **first)
    b = probe(root, timeout=1.5, **second)
    assert a.isolation == first["isolation"] and b.isolation == second["isolation"]
    assert a.jobs == first["jobs"]
    assert _verdicts(a) == _verdicts(b)
    assert _json_findings(a) == _json_findings(b)
    rules = {f.rule.name for f in a.report.findings}
    assert rules == {"import-failed", "import-exit", "import-crashed", "import-timeout",
                     "file-write-at-import", "subprocess-at-import"}
    assert len(a.outcomes) == 16


def _site_with(tmp_path, name: str, source: str) -> dict:
    """A third-party package outside the project, on PYTHONPATH for importgate and its children."""
    import os

    site = tmp_path / "site"
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(source)
    return {"PYTHONPATH": str(site) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_fork_server_preloads_third_party_but_never_first_party(make_project, tmp_path):
    # a third-party package that imports the project's own module when imported:
    # the fork server must refuse it, so no first-party code ever runs in the server
    from probe_helpers import probe_json

    env = _site_with(tmp_path, "plugin_host", (
        "try:\n    import myapp.settings as SETTINGS\nexcept ImportError:\n    SETTINGS = None\n"
    ))
    marks = tmp_path / "marks.txt"
    root = make_project({
        "myapp/__init__.py": "",
        # a probe child is a session leader (setsid); the fork server is not
        "myapp/settings.py": f"import os\nwith open({str(marks)!r}, 'a') as fh:\n    fh.write(f'{{os.getsid(0) == os.getpid()}}\\n')\n",
        "myapp/uses.py": "import plugin_host\nassert plugin_host.SETTINGS is not None\n",
    })
    results = {}
    for isolation in ("fork", "spawn"):
        code, data = probe_json(str(root), "--isolation", isolation, env=env)
        assert code == 0, data
        results[isolation] = (sorted(data["probe"]["passed"]), data["findings"])
        if isolation == "fork":
            assert {"module": "plugin_host", "exception": "_FirstPartyRefused"} in data["probe"]["preload"]["failed"]
    assert results["fork"] == results["spawn"]
    assert results["fork"][0] == ["myapp", "myapp.settings", "myapp.uses"]
    assert marks.read_text().split() == ["True"] * 4


def test_preload_that_starts_threads_is_dropped_and_verdicts_hold(make_project, tmp_path):
    from probe_helpers import probe_cli

    env = _site_with(tmp_path, "threaded_lib", (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "READY = True\n"
    ))
    root = make_project({"app/__init__.py": "", "app/uses.py": "import threaded_lib\nassert threaded_lib.READY\nimport json\n", "app/plain.py": "import decimal\n"})
    outputs = {}
    for isolation in ("fork", "spawn"):
        proc = probe_cli(str(root), "--isolation", isolation, "--format", "json", env=env)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        outputs[isolation] = (sorted(data["probe"]["passed"]), data["findings"])
        if isolation == "fork":
            assert data["probe"]["isolation"] == "fork"
            assert data["probe"]["preload"]["dropped"] == ["threaded_lib"]
            assert "decimal" in data["probe"]["preload"]["loaded"]
            assert "not preloading threaded_lib" in proc.stderr and "threads" in proc.stderr
    assert outputs["fork"] == outputs["spawn"]
    assert outputs["fork"][0] == ["app", "app.plain", "app.uses"]


def test_target_interpreter_that_cannot_run_the_child_is_exit_2(make_project, tmp_path):
    from probe_helpers import cli

    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexec /usr/bin/env python3.11 \"$@\"\n")
    fake.chmod(0o755)
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'no python here' >&2\nexit 3\n")
    broken.chmod(0o755)
    root = make_project({"a.py": ""})
    proc = cli("probe", "--python", str(broken), str(root))
    assert proc.returncode == 2
    assert "importgate: error" in proc.stderr
