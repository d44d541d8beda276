"""The cycle family in a forked child beside the other families (importgate.beside): the same
findings and fixes as one process, what the child read reaches the parent's replay inputs
and cache, and every way the child can fail falls back to running the family here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from importgate import beside, engine
from importgate.facts.cache import open_cache
from importgate.projects import configs_for
from support import cli, write_project


def _big_project(root, modules: int = 230):
    """Enough files to fork by default; a failing cycle, a missing module, a fixable __all__
    and a name the package does not re-export (fixable), among many plain modules."""
    files = {
        "pkg/__init__.py": "from pkg.a import A\n__all__ = ['A', 'ghost']\n",
        "pkg/a.py": "from pkg.b import B\n\nA = 1\n",
        "pkg/b.py": "from pkg.a import A\n\nB = 2\n",
        "pkg/monitoring/__init__.py": "from pkg.monitoring.reporter import Reporter\n",
        "pkg/monitoring/reporter.py": "class Reporter: ...\n\n\ndef set_request_context(): ...\n",
        "pkg/middleware.py": "from pkg.monitoring import Reporter, set_request_context\nimport not_installed_anywhere\n",
    }
    for i in range(modules):
        files[f"pkg/plain/m{i}.py"] = f"import json\nfrom pkg.plain import m{(i + 1) % modules} as nxt\n\nVALUE = {i}\n"
    files["pkg/plain/__init__.py"] = ""
    return write_project(root, files)


def _project(root, tmp_path, jobs=2):
    config = configs_for((str(root),), python=sys.executable, jobs=jobs, cache_dir=str(tmp_path / "cache"))[0]
    cache = engine.open_project_cache(config)
    project, _ = engine.build_project(config, cache=cache)
    return project, cache


def test_cli_output_is_the_same_with_the_cycle_family_forked(tmp_path):
    root = _big_project(tmp_path / "proj")
    runs = {}
    for jobs in ("1", "2"):
        proc = cli("check", ".", "--format", "json", "--jobs", jobs, "--no-cache", cwd=root)
        assert proc.returncode == 1, proc.stderr
        runs[jobs] = json.loads(proc.stdout)["findings"]
    assert runs["1"] == runs["2"]
    rules = {f["rule"] for f in runs["2"]}
    assert {"circular-import", "unresolved-module", "undefined-export", "missing-name"} <= rules, rules
    assert any(f.get("fix") and f["fix"].get("edits") for f in runs["2"])  # rendered fixes agree too


@pytest.mark.parametrize("fixable", [True, False])
def test_the_fix_renderer_loads_meanwhile_only_for_findings_that_can_be_fixed(tmp_path, fixable):
    """While the child simulates, this process may load libcst (Fixer.prepare): only if a finding
    may get a fix (a name the package does not re-export), not for findings no fix exists for
    (a missing module, a failing cycle). In a fresh interpreter, so sys.modules tells."""
    files = {
        "pkg/__init__.py": "from pkg.a import A\n",
        "pkg/a.py": "from pkg.b import B\n\nA = 1\n",
        "pkg/b.py": "from pkg.a import A\n\nB = 2\n",
        "pkg/c.py": "import not_installed_anywhere\n",
    }
    if fixable:
        files["pkg/reporter.py"] = "class Reporter: ...\n"
        files["pkg/middleware.py"] = "from pkg import Reporter\n"
    root = write_project(tmp_path / "proj", files)
    script = (
        "import sys\n"
        "from importgate import api\n"
        "from importgate.fix.stage import Fixer\n"
        f"report = api.check_paths(({str(root)!r},), python=sys.executable, cache=False)\n"
        "print(sorted({f.rule.name for f in report.findings}), 'libcst' in sys.modules)\n"
        "Fixer().prepare(list(report.findings))\n"
        "print('libcst' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    checked, prepared = proc.stdout.splitlines()
    assert "'circular-import'" in checked and "'unresolved-module'" in checked
    assert ("'missing-name'" in checked) is fixable
    assert checked.endswith("False")  # checking alone never loads it
    assert prepared == str(fixable)


def test_the_big_project_forks_and_a_small_one_does_not(tmp_path):
    big, cache = _project(_big_project(tmp_path / "big"), tmp_path)
    cache.close()
    small, cache = _project(write_project(tmp_path / "small", {"a.py": "import b\n", "b.py": ""}), tmp_path)
    cache.close()
    assert beside.worth_forking(big) and beside.worth_forking(big, parsed_most=False)
    assert not beside.worth_forking(small)
    serial, cache = _project(tmp_path / "big", tmp_path, jobs=1)
    cache.close()
    assert not beside.worth_forking(serial)
    # big enough for the cycle family's own pool: forked only when the fix renderer may load too
    bigger, cache = _project(_big_project(tmp_path / "bigger", modules=beside.OWN_POOL_FILES), tmp_path)
    cache.close()
    assert beside.worth_forking(bigger) and not beside.worth_forking(bigger, parsed_most=False)


def test_what_the_child_reads_reaches_the_parent(tmp_path):
    """An installed module only the child's family parses: the parent learns that it was read
    (a replayed report re-checks it), keeps its facts, and caches them for the next run."""
    root = write_project(tmp_path / "proj", {"app.py": "X = 1\n"})
    site = write_project(tmp_path / "site", {"extlib.py": "def helper(): ...\nimport app\n"})
    path = str(site / "extlib.py")
    project, cache = _project(root, tmp_path)
    pids = tmp_path / "pids"

    def family(p):
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        facts = p.resolver.source.facts(path, "extlib", False, False)
        return [facts.defined.get("helper")]

    try:
        assert path not in project.resolver.source.known
        found = beside.Beside(project, family).findings()
        assert found == [1]
        assert pids.read_text().split() != [str(os.getpid())]  # it ran in another process
        assert path in project.resolver.source.read
        assert project.resolver.source.known[path].defined.get("helper") == 1
        assert project.resolver.source.parsed_on_demand == 1
    finally:
        cache.close()
    again = open_cache(str(root), str(tmp_path / "cache"), True)
    try:
        st = os.stat(path)
        stored = again.lookup_site(path, st.st_size, st.st_mtime_ns)
        assert stored is not None and stored.defined.get("helper") == 1
    finally:
        again.close()


def test_the_child_reads_the_installed_facts_an_earlier_run_cached(tmp_path):
    """Through a connection of its own: an installed module parsed by an earlier run is not
    parsed again in the child (that cost Django's warm edits 0.3 s)."""
    root = write_project(tmp_path / "proj", {"app.py": "X = 1\n"})
    site = write_project(tmp_path / "site", {"extlib.py": "def helper(): ...\n"})
    path = str(site / "extlib.py")

    def family(p):
        return [p.resolver.source.facts(path, "extlib", False, False).defined.get("helper")]

    first, cache = _project(root, tmp_path)
    try:
        assert list(family(first)) == [1] and first.resolver.source.parsed_on_demand == 1
    finally:
        cache.close()  # writes the installed module's facts
    second, cache = _project(root, tmp_path)
    try:
        assert beside.Beside(second, family).findings() == [1]
        assert second.resolver.source.parsed_on_demand == 0
        assert path in second.resolver.source.read
    finally:
        cache.close()


def _raise(code):
    raise RuntimeError("only in the child")


@pytest.mark.parametrize("in_the_child", [_raise, os._exit], ids=["raises", "dies"])
def test_a_child_that_fails_leaves_the_family_to_this_process(tmp_path, in_the_child):
    """A child that raises, or dies without sending anything (killed): the family runs here."""
    project, cache = _project(write_project(tmp_path / "proj", {"a.py": ""}), tmp_path)
    parent = os.getpid()

    def family(p):
        if os.getpid() != parent:
            in_the_child(3)
        return ["here"]

    try:
        assert beside.Beside(project, family).findings() == ["here"]
    finally:
        cache.close()


def test_an_error_of_the_family_itself_is_raised_here(tmp_path):
    """A bug in the family surfaces as it would without the child (exit 2 upstream)."""
    project, cache = _project(write_project(tmp_path / "proj", {"a.py": ""}), tmp_path)

    def family(p):
        raise ValueError("a bug")

    try:
        with pytest.raises(ValueError, match="^a bug$"):
            beside.Beside(project, family).findings()
    finally:
        cache.close()


def test_no_fork_while_another_thread_runs(tmp_path):
    project, cache = _project(write_project(tmp_path / "proj", {"a.py": ""}), tmp_path)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        runner = beside.Beside(project, lambda p: [os.getpid()])
        assert runner.process is None
        assert runner.findings() == [os.getpid()]
    finally:
        release.set()
        other.join()
        cache.close()


def _in_a_daemon(project, out):
    runner = beside.Beside(project, lambda p: [os.getpid()])
    out.write_text(json.dumps([runner.process is None, runner.findings() == [os.getpid()]]))


def test_a_daemonic_process_runs_the_family_itself(tmp_path):
    """multiprocessing forbids a daemonic process children (a user's Pool worker calling us)."""
    import multiprocessing

    project, cache = _project(write_project(tmp_path / "proj", {"a.py": ""}), tmp_path)
    out = tmp_path / "out.json"
    try:
        worker = multiprocessing.get_context("fork").Process(target=_in_a_daemon, args=(project, out), daemon=True)
        worker.start()
        worker.join(60)
    finally:
        cache.close()
    assert worker.exitcode == 0
    assert json.loads(out.read_text()) == [True, True]


def _check_in_a_daemon(root, out):
    report = engine.check(configs_for((str(root),), python=sys.executable, jobs=2, cache=False)[0])
    out.write_text(json.dumps(sorted(f.rule.name for f in report.findings)))


def test_a_whole_check_in_a_daemonic_process_runs_without_children(tmp_path, monkeypatch):
    """Parsing, the cycle simulation and the family beside all fall back to this process."""
    import multiprocessing

    from importgate.rules import cycles

    monkeypatch.setattr(engine, "_PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(engine, "_PARALLEL_MIN_BYTES", 1)
    monkeypatch.setattr(cycles, "_PARALLEL_MIN_STARTS", 2)
    monkeypatch.setattr(beside, "BESIDE_MIN_FILES", 1)
    root = _big_project(tmp_path / "proj", modules=20)
    expected = sorted(f.rule.name for f in engine.check(configs_for((str(root),), python=sys.executable, jobs=1, cache=False)[0]).findings)
    out = tmp_path / "out.json"
    worker = multiprocessing.get_context("fork").Process(target=_check_in_a_daemon, args=(root, out), daemon=True)
    worker.start()
    worker.join(120)
    assert worker.exitcode == 0
    assert json.loads(out.read_text()) == expected and "circular-import" in expected


def test_what_the_simulation_pool_reads_reaches_this_process(tmp_path, monkeypatch):
    """The cycle simulation's own workers (forked when it is run here, with cores to spare)
    read installed modules too: a replayed report must re-check them, so they come back."""
    from importgate.rules import cycles

    monkeypatch.setattr(cycles, "_PARALLEL_MIN_STARTS", 4)
    files = {"ring/__init__.py": ""}
    for i in range(8):  # a ring of modules, each importing a name from the standard library
        files[f"ring/m{i}.py"] = f"import ring.m{(i + 1) % 8}\nfrom json import dumps\nfrom shlex import quote\n\nVALUE = {i}\n"
    files["ring/m7.py"] = "from ring.m0 import VALUE\nfrom json import dumps\n"
    root = write_project(tmp_path / "proj", files)
    reads, found = {}, {}
    for jobs in (1, 2):
        project, cache = _project(root, tmp_path / f"jobs{jobs}", jobs=jobs)
        try:
            found[jobs] = [(f.rule.name, f.location) for f in cycles.check(project)]
            reads[jobs] = {p for p in project.resolver.source.read if p not in project.facts}
        finally:
            cache.close()
    assert found[1] and found[2] == found[1]
    assert any(p.endswith(os.path.join("json", "__init__.py")) for p in reads[1])
    assert reads[2] == reads[1]


def test_an_error_here_stops_the_child(tmp_path, monkeypatch):
    """A family failing in this process (exit 2 upstream) must not leave the child running."""
    import multiprocessing
    import time

    monkeypatch.setattr(beside, "BESIDE_MIN_FILES", 1)
    project, cache = _project(write_project(tmp_path / "proj", {"a.py": ""}), tmp_path)

    def boom(p):
        raise ValueError("a bug here")

    def slow(p):
        time.sleep(60)
        return []

    try:
        started = time.monotonic()
        with pytest.raises(ValueError):
            engine.run_families(project, (boom, slow), engine._no_progress)
        assert time.monotonic() - started < 30
        assert multiprocessing.active_children() == []
    finally:
        cache.close()


def test_an_edit_of_a_big_project_keeps_the_family_here(tmp_path, monkeypatch):
    """The run's own parse count decides: a cold run forks, an edit of one file's first-party
    imports (every rule runs, fixes come from the cache) leaves the cycle family its own pool."""
    root = _big_project(tmp_path / "proj", modules=beside.OWN_POOL_FILES)
    started = []
    real = beside.Beside

    def counting(project, family):
        started.append(family.__module__)
        return real(project, family)

    monkeypatch.setattr(beside, "Beside", counting)
    config = configs_for((str(root),), python=sys.executable, jobs=2, cache_dir=str(tmp_path / "cache"))[0]
    cold = engine.check(config)
    assert started == ["importgate.rules.cycles"]
    with open(root / "pkg" / "plain" / "m3.py", "a") as fh:
        fh.write("from pkg.plain import m7 as again\n")
    edited = engine.check(configs_for((str(root),), python=sys.executable, jobs=2, cache_dir=str(tmp_path / "cache"))[0])
    assert started == ["importgate.rules.cycles"]  # not again
    fresh = engine.check(configs_for((str(root),), python=sys.executable, jobs=1, cache=False)[0])
    assert [f.sort_key() for f in edited.findings] == [f.sort_key() for f in fresh.findings]
    assert [f.sort_key() for f in cold.findings] == [f.sort_key() for f in fresh.findings]


def test_the_record_made_while_the_child_simulates_is_the_one_made_after_it(tmp_path, monkeypatch):
    """What the next run compares an edit with (incremental.Record) is made by this process
    while the child simulates (Replays.prepare): it must equal the record made at the end."""
    from importgate import replay
    from importgate.facts.discover import walk_project

    root = _big_project(tmp_path / "proj")
    prepared = []
    real_prepare = replay.Replays.prepare
    records = {}
    for early in (True, False):
        if early:  # as if the child were still at work when this process gets there
            monkeypatch.setattr(replay.Replays, "prepare", lambda self, *a: prepared.append(1) or real_prepare(self, *a))
            monkeypatch.setattr(beside.Beside, "running", lambda self: True)
        else:
            monkeypatch.setattr(replay.Replays, "prepare", lambda self, *a: None)
        config = configs_for((str(root),), python=sys.executable, jobs=2, cache_dir=str(tmp_path / f"cache-{early}"))[0]
        report = engine.check(config)
        assert {f.rule.name for f in report.findings} >= {"circular-import", "missing-name"}
        cache = engine.open_project_cache(config)
        try:
            files = walk_project(str(root))
            replays = replay.Replays(config, files, engine.load_environment(config, cache), cache, engine.hash_files(files, cache), None)
            records[early] = replays._last_record()
        finally:
            cache.close()
    assert prepared == [1]  # made early once, in the run that forked
    assert records[True] is not None and records[False] is not None
    assert records[True].report.findings == records[False].report.findings
    assert records[True]._replace(report=None) == records[False]._replace(report=None)  # the run times differ
    assert "set_request_context" in records[True].names
