"""Stored answers: a run that can be answered without running the rules.

Four ways, cheapest first (``engine.check`` asks in this order):

- by content: every file's bytes, the tree, the manifests, the environment and the settings as
  the last time (``run_key`` over content digests);
- by facts: an edit that changed no fact (a comment, a docstring) gives the same report
  (``run_key`` over facts digests; the edited files had to be parsed to know);
- by interface: the changed files differ from the state last answered only in definitions no
  module mentions and in where their lines are (``importgate.incremental``);
- by outside imports: besides, only in imports of modules outside the project, or of
  first-party modules inside functions or ``if TYPE_CHECKING:``, that resolve cleanly (asked
  after the project is assembled, before any rule runs). An import of a first-party module that
  runs at import time may change the import-order simulation: then that rule alone runs, and
  its findings join the other rules' findings of the last run (``partial``).

Every stored answer is (report, digests of the files its fixes edit, stamps of the files outside
the keys its rules read, facts key or None); it holds while those are as they were.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, replace

from importgate.config import Config
from importgate.facts.cache import PARSER_KEY, blake2b, digest, parser_key
from importgate.facts.discover import ProjectFiles
from importgate.facts.environment import Environment
from importgate.model import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importgate.project import Project


class Replays:
    """The stored answers one run may give, and what it stores for the next."""

    def __init__(self, config: Config, files: ProjectFiles, env: Environment, cache, hashed, tag: str | None) -> None:
        self.files, self.env, self.cache = files, env, cache
        self.content, self.errors = hashed[0], hashed[2]
        self.tag = tag or ""
        self.layout = layout_hash(config, files, env)
        self.key = run_key(self.layout, files, self.content, self.tag)
        self.facts_key: bytes | None = None
        self.pending = None  # an incremental.Pending left for by_outside_imports
        self.partial = None  # a record whose findings but the simulation's stand (by_outside_imports)
        self.last_key = run_key(self.layout, files, {}, "last|" + self.tag)
        self.mentioned = None  # what the record will say of the facts, if made early (prepare)

    def by_content(self, started: float) -> Report | None:
        stored = self.cache.lookup_report(self.key)
        if not _still_holds(stored, self.content) or not self._whole(self.key, stored[3]):
            return None
        if stored[3] is not None:
            self._mark_last(stored[3])
        return self._replayed(stored[0], started, 0)

    def by_facts_or_interface(self, current: dict, started: float, parsed: int) -> Report | None:
        """After parsing (``current``: every file's facts, maybe still pickled)."""
        self.facts_key = self._facts_key()
        if self.facts_key is None:
            return None
        stored = self.cache.lookup_report(self.facts_key)
        if _still_holds(stored, self.content) and self._whole(self.facts_key, self.facts_key):  # an edit that changed no fact
            self.cache.remember_report(self.key, (replace(stored[0], problems=(), parsed=0), *stored[1:3], self.facts_key))
            self._mark_last(self.facts_key)
            return self._replayed(stored[0], started, parsed)
        base = self._last_record()
        holds = self._interfaces_hold(base, current)
        if holds is False:  # more than unmentioned definitions changed
            return None
        if holds is not True:  # imports of modules outside the project: see once assembled
            self.pending = holds
            return None
        from importgate import incremental

        answer = (replace(base.report, problems=(), parsed=0), base.touched, base.inputs, self.facts_key)
        self._store(answer, incremental.advanced(base, self.content, self.cache.blob_digests))
        return self._replayed(base.report, started, parsed)

    def by_outside_imports(self, project: "Project", started: float, parsed: int, plans_hold=None) -> Report | None:
        """The edit added or removed imports no rule but their own checks see (of modules
        outside the project, deferred ones of first-party modules): the report stands if each
        resolves cleanly (``incremental.confirm``). When only the import-order simulation may
        answer otherwise, ``partial`` is left with the record of the other rules' findings."""
        from importgate import incremental

        pending, self.pending = self.pending, None
        if pending is None or self.facts_key is None:
            return None
        confirmed = incremental.confirm(pending, project, _has_manifest(project.root), plans_hold)
        if confirmed is incremental.Confirmed.BUT_CYCLES:
            self.partial = pending.previous
        if confirmed is not incremental.Confirmed.YES:
            return None
        base = pending.previous
        inputs = dict(base.inputs)  # what those imports read counts too
        inputs.update((path, _stamp(path)) for path in sorted(_inputs_outside_the_keys(project, self.files)))
        answer = (replace(base.report, problems=(), parsed=0), base.touched, inputs, self.facts_key)
        self._store(answer, incremental.extended(base, answer, self.content, self.cache.blob_digests, pending.imports))
        return self._replayed(base.report, started, parsed)

    def _store(self, answer: tuple, record: tuple) -> None:
        self.cache.remember_report(self.key, answer)
        self.cache.remember_report(self.facts_key, answer)
        self.cache.remember_report(_record_key(self.facts_key), record)
        self._mark_last(self.facts_key)

    def remember(self, report: Report, fixer, project: "Project", facts, standing: tuple | None = None) -> None:
        """After a run of the rules (all of them, or the simulation beside ``self.partial``): the
        answer under every key, and the interface record (``standing``: the other rules' findings
        for the next such run)."""
        touched = _touched_digests(fixer, self.content)
        inputs = {path: _stamp(path) for path in sorted(_inputs_outside_the_keys(project, self.files))}
        if self.partial is not None:  # the rules that did not run read these
            inputs = {**self.partial.inputs, **inputs}
        if self.facts_key is None or touched is None:
            self.cache.remember_report(self.key, (replace(report, problems=()), touched or {}, inputs, None))
            return
        from importgate import incremental

        answer = (replace(report, problems=(), parsed=0), touched, inputs, self.facts_key)
        self._store(answer, incremental.record(*answer[:3], self.content, self.cache.blob_digests, facts, project,
                                               plugins=self.partial is not None and self.partial.plugins, standing=standing,
                                               mentioned=self.mentioned))

    def prepare(self, project: "Project", facts) -> None:
        """What ``remember`` will record of the facts, made now (the rules' findings are not
        needed for it): the engine calls this while a forked child simulates."""
        if self.facts_key is not None:
            from importgate import incremental

            self.mentioned = incremental.mentions(facts, incremental.importable_names(project))

    def _replayed(self, report: Report, started: float, parsed: int) -> Report:
        return replace(
            report,
            seconds=time.perf_counter() - started,
            problems=tuple(self.files.problems) + tuple(self.cache.problems),
            parsed=parsed,
            replayed=True,
        )

    def _facts_key(self) -> bytes | None:
        """``run_key`` over every file's facts instead of its bytes: a comment, a docstring or a
        function body edited without moving a line leaves the facts, and so the report, as they
        were. None when some file's facts have no digest (then only a full run is exact)."""
        digests = dict(self.cache.blob_digests)
        for path, error in self.errors.items():
            digests[path] = digest(error.encode())
        if any(f.path not in digests for f in self.files.files):
            return None
        return run_key(self.layout, self.files, digests, "facts|" + self.tag)

    def _whole(self, key: bytes, facts_key: bytes | None) -> bool:
        """Is the answer under ``key`` stored with the interface record of its facts (when it
        has one)? An answer whose record was evicted is not given: the full run instead stores
        both again, and the next edit of this tree is answered from the record."""
        if facts_key is None:
            return True
        record = _record_key(facts_key)
        if not self.cache.has_report(record):
            return False
        self.cache.used_together(key, (record,) if facts_key == key else (facts_key, record))
        return True

    def _mark_last(self, facts_key: bytes) -> None:
        """Note the state this answer was for: the next edit is compared with it (the working
        tree just before the edit), whichever way it was answered."""
        if self.cache.lookup_report(self.last_key) != facts_key:
            self.cache.remember_report(self.last_key, facts_key)

    def _last_record(self):
        """The interface record of the state last answered, if any."""
        last = self.cache.lookup_report(self.last_key)
        return self.cache.lookup_report(_record_key(last)) if isinstance(last, bytes) else None

    def _interfaces_hold(self, previous, current: dict):
        from importgate import incremental

        if not incremental.is_record(previous) or not _still_holds((*previous.answer, None), self.content):
            return False
        stubs = {f.path for f in self.files.files if f.is_stub}
        target = self.env.version[:2]

        def stored_facts(path: str, key: bytes | None) -> bytes | None:
            if key is None:
                return None
            return self.cache.stored_raw(path, key, parser_key(None if path in stubs else target))

        return incremental.still_answers(previous, current, self.content, self.cache.blob_digests, stored_facts)


def _record_key(facts_key: bytes) -> bytes:
    return b"interface|" + facts_key


def layout_hash(config: Config, files: ProjectFiles, env: Environment):
    """A hash of everything a report depends on but the files' contents: the file and directory
    tree (namespace packages), the project's manifests and lock files, the target environment,
    the settings, the working directory and importgate's own version."""
    from importgate.facts.environment import _signature

    h = blake2b(digest_size=20)
    h.update(PARSER_KEY.encode())
    h.update(_code_stamp())
    h.update(_settings(config).encode())
    h.update(os.getcwd().encode())  # messages name paths relative to it
    h.update(_signature(env.executable, env.path))
    for f in files.files:
        h.update(f.path.encode())
    for directory in files.dirs:
        h.update(directory.encode())
    for relpath in files.extension_modules:
        h.update(relpath.encode())
    root = os.path.abspath(config.project_root)
    for directory in (root, os.path.join(root, "requirements")):
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if directory == root and not _MANIFEST.match(entry.name):
                continue  # logs, coverage data, editor files: they decide nothing
            try:
                if entry.is_file():
                    st = entry.stat()
                    h.update(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}".encode())
            except OSError:
                continue
    return h


_CODE_STAMP: bytes | None = None


def _code_stamp() -> bytes:
    """The size and modification time of every module of importgate itself: a report depends
    on the rules' code, and a development tree or an install from a branch changes it without
    a new version number (PARSER_KEY covers only the parser). About 120 stats, once a process."""
    global _CODE_STAMP
    if _CODE_STAMP is None:
        h = blake2b(digest_size=16)
        package = os.path.dirname(os.path.abspath(__file__))
        todo = [package]
        while todo:
            try:
                with os.scandir(todo.pop()) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.name.endswith(".py"):
                        st = entry.stat()
                        h.update(f"{entry.path[len(package):]}:{st.st_size}:{st.st_mtime_ns}\0".encode())
                    elif entry.name != "__pycache__" and entry.is_dir():
                        todo.append(entry.path)
                except OSError:
                    continue
        _CODE_STAMP = h.digest()
    return _CODE_STAMP


def _settings(config: Config) -> str:
    """The settings as text, sets sorted: their order follows string hashing, which differs
    between processes, and a key must not (``--select A,B`` would never replay otherwise)."""
    return repr({name: _sorted_sets(value) for name, value in asdict(config).items()})


def _sorted_sets(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value)  # rule selectors: strings
    if isinstance(value, tuple):
        return tuple(_sorted_sets(item) for item in value)
    return value


def run_key(layout, files: ProjectFiles, digests: dict[str, bytes], tag: str = "") -> bytes:
    """Everything a report depends on (``layout``: see layout_hash) with each file's digest, of
    its content or of its facts. Equal keys mean the previous report is still exact."""
    h = layout.copy()
    h.update(tag.encode())
    h.update(b"\0")
    for f in files.files:
        h.update(digests.get(f.path, b"?"))
    return h.digest()


# files at the project root that can change a report: configuration, declared dependencies, locks
_MANIFEST = re.compile(
    r"^(pyproject\.toml|setup\.cfg|Pipfile(\.lock)?|uv\.lock|poetry\.lock|pdm\.lock|pylock(\..+)?\.toml"
    r"|(requirements|constraints|dev-requirements|test-requirements)[\w.-]*\.(txt|in))$",
    re.IGNORECASE,  # as the manifest reader matches them: Requirements.txt declares too
)


def _has_manifest(root: str) -> bool:
    """Could the project declare a dependency (the dependency rules read only these)?"""
    try:
        names = os.listdir(root)
    except OSError:
        return True
    return any(name.lower() == "requirements" or _MANIFEST.match(name) for name in names)


def _touched_digests(fixer, content: dict[str, bytes]) -> dict[str, bytes] | None:
    """The bytes of the files a fixer rendered edits for (its edits depend on them, not only
    on facts); None when one is unknown."""
    out = {}
    for path in sorted(getattr(fixer, "touched", ())):
        if path not in content:
            return None
        out[path] = content[path]
    return out


def _inputs_outside_the_keys(project: "Project", files: ProjectFiles) -> set[str]:
    """Files and directories the rules' answers came from that the replay keys do not cover:
    installed modules (an editable sibling edited in place shows in no sys.path directory's
    stamp), directories searched for modules, manifests included from anywhere. The project's
    walked files and directories are in the keys already."""
    out = set(project.extra_inputs)
    out.update(getattr(project.resolver.source, "read", ()))
    out.update(project.resolver.finder.consulted())
    walked = {os.path.normpath(os.path.join(project.root, d)) for d in files.dirs}
    return {path for path in out if path not in project.facts and path not in walked and path != project.root}


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _still_holds(stored, content: dict[str, bytes]) -> bool:
    """A stored (report, bytes of the files its fixes edit, stamps of the other files its rules
    read, facts key or None) is still the answer when those files are as they were."""
    if not (isinstance(stored, tuple) and len(stored) == 4 and isinstance(stored[0], Report)):
        return False
    touched, inputs = stored[1], stored[2]
    if not (isinstance(touched, dict) and isinstance(inputs, dict)):
        return False
    return all(content.get(path) == key for path, key in touched.items()) and all(
        _stamp(path) == stamp for path, stamp in inputs.items()
    )
