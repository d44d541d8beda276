"""Import-time side effects seen through audit hooks, and slow imports."""

from __future__ import annotations

from probe_helpers import by_rule, probe


def test_socket_connection_at_import(make_project, listening_socket):
    port, accepted = listening_socket
    root = make_project({
        "svc/__init__.py": "",
        "svc/cache.py": """
            import os
            import socket

            CONN = socket.create_connection(("127.0.0.1", int(os.environ["CACHE_PORT"])), timeout=5)
        """,
        # connects only when called: not an import-time effect
        "svc/lazy.py": """
            import socket

            def connect(port):
                return socket.create_connection(("127.0.0.1", port))
        """,
    })
    run = probe(root, env=(("CACHE_PORT", str(port)),))
    [finding] = by_rule(run, "network-at-import")
    assert (finding.location.path, finding.location.line) == (str(root / "svc/cache.py"), 4)
    assert f"127.0.0.1:{port}" in finding.message
    assert str(finding.effective_severity) == "warning"
    assert accepted, "the module really connected"
    assert set(run.verdicts.passed) == {"svc", "svc.cache", "svc.lazy"}


def test_a_third_party_import_is_not_blamed_on_the_importer(make_project, tmp_path, listening_socket):
    # a package outside the project that connects when *it* is imported: not the project's side effect
    port, _ = listening_socket
    site = tmp_path / "site"
    (site / "chatty").mkdir(parents=True)
    (site / "chatty" / "__init__.py").write_text(
        f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=5).close()\n"
    )
    root = make_project({"app/__init__.py": "", "app/uses.py": "import chatty\n"})
    import os

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(site)  # both the static facts and the children see it
    try:
        run = probe(root)
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    assert run.verdicts.passed == ("app", "app.uses")
    assert not by_rule(run, "network-at-import")


def test_file_write_outside_temp(make_project):
    root = make_project({
        "jobs/__init__.py": "",
        "jobs/log.py": """
            import logging
            logging.basicConfig(filename="service.log")
        """,
        "jobs/tmp.py": """
            import tempfile
            with tempfile.NamedTemporaryFile("w", delete=True) as fh:
                fh.write("scratch")
        """,
        "jobs/reads.py": """
            with open(__file__) as fh:
                SOURCE = fh.read()
        """,
    })
    run = probe(root)
    [finding] = by_rule(run, "file-write-at-import")
    assert (finding.location.path, finding.location.line) == (str(root / "jobs/log.py"), 2)
    assert "service.log" in finding.message
    assert (root / "service.log").exists()


def test_subprocess_at_import(make_project):
    root = make_project({
        "tooling/__init__.py": "",
        "tooling/version.py": """
            import subprocess, sys
            VERSION = subprocess.run([sys.executable, "-c", "print('1.0')"], capture_output=True, text=True).stdout.strip()
        """,
        "tooling/later.py": """
            import subprocess

            def version():
                return subprocess.run(["git", "describe"], capture_output=True).stdout
        """,
    })
    run = probe(root)
    [finding] = by_rule(run, "subprocess-at-import")
    assert (finding.location.path, finding.location.line) == (str(root / "tooling/version.py"), 2)
    assert "subprocess.Popen" in finding.message


def test_one_side_effect_reached_from_many_modules_is_one_finding(make_project, tmp_path):
    root = make_project({
        "app/__init__.py": "",
        "app/db.py": "import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'pass'])\n",
        "app/models.py": "from app import db\n",
        "app/views.py": "from app import models\n",
    })
    run = probe(root)
    [finding] = by_rule(run, "subprocess-at-import")
    assert "importing 3 modules" in finding.message
    assert {r.location.path for r in finding.related} == {str(root / "app/models.py"), str(root / "app/views.py")}


def test_slow_import_only_with_a_limit(make_project):
    root = make_project({
        "heavy/__init__.py": "",
        "heavy/table.py": "import time\ntime.sleep(1.0)\nTABLE = {}\n",
        "heavy/api.py": "from heavy.table import TABLE\n",
        "heavy/quick.py": "X = 1\n",
    })
    run = probe(root)
    assert not by_rule(run, "slow-import")
    top = run.verdicts.timings[0]
    assert top.module in ("heavy.api", "heavy.table")
    assert top.cumulative_seconds >= 0.9
    assert top.heaviest == "heavy.table"

    run = probe(root, max_import_seconds=0.5)
    [finding] = by_rule(run, "slow-import")
    assert finding.location.path == str(root / "heavy/table.py")
    assert "2 imports" in finding.message and "heavy.table" in finding.message
    assert str(finding.effective_severity) == "warning"
