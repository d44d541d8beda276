"""Verdicts do not depend on the isolation mode or the number of jobs."""

from __future__ import annotations

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


def test_fork_server_preloads_third_party_but_never_first_party(make_project, tmp_path):
    # a third-party package that imports the project's own module when imported:
    # the fork server must refuse it (so no first-party code runs in the server)
    import os

    marks = tmp_path / "marks.txt"
    site = tmp_path / "site"
    (site / "plugin_host").mkdir(parents=True)
    (site / "plugin_host" / "__init__.py").write_text(
        "try:\n    import myapp.settings as SETTINGS\nexcept ImportError:\n    SETTINGS = None\n"
    )
    root = make_project({
        "myapp/__init__.py": "",
        "myapp/settings.py": f"import os\nwith open({str(marks)!r}, 'a') as fh:\n    fh.write(f'{{os.getpid()}} {{os.getppid()}}\\n')\n",
        "myapp/uses.py": "import plugin_host\nassert plugin_host.SETTINGS is not None\n",
    })
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(site)
    try:
        fork = probe(root, isolation="fork")
        spawn = probe(root, isolation="spawn")
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    assert _verdicts(fork) == _verdicts(spawn)
    assert set(fork.verdicts.passed) == {"myapp", "myapp.settings", "myapp.uses"}
    pids = [tuple(map(int, line.split())) for line in marks.read_text().splitlines()]
    assert len(pids) == 4  # settings and uses, in each mode: never in a server
    servers_children = {ppid for _pid, ppid in pids[:2]}
    assert os.getpid() not in servers_children  # not run by a process importgate started directly
