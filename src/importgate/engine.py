"""The one place that wires the static pipeline:

discover -> parse -> name -> environment -> resolve -> rules -> suppress -> merge -> chains -> Report
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections import deque
from dataclasses import replace
from collections.abc import Callable, Iterable, Iterator

from importgate.config import Config
from importgate.facts.discover import ProjectFiles, assign_names, installed_scope, walk_project
from importgate.facts.cache import FactsCache, NullCache, digest, dumps, loads, open_cache, parser_key
from importgate.facts import target_parse
from importgate.facts.environment import Environment, PendingEnvironment, default_interpreter, resolve_interpreter
from importgate.model import Finding, Location, Related, Report, Severity
from importgate import catalogue

# a warm run replays the stored report: the parser, the finder, the resolver and the rules are
# imported only by the functions that need them, so that it pays none of their import time
TYPE_CHECKING = False  # typing itself is one of those imports
if TYPE_CHECKING:
    from importgate.facts.model import ModuleFacts  # a run that replays never creates facts
    from importgate.facts.textproof import ModuleText
    from importgate.project import Project
    from importgate.resolve import Resolver

RuleFamily = Callable[["Project"], Iterator[Finding]]


def rule_families() -> tuple[RuleFamily, ...]:
    """Rule families in the order their findings are produced (imported lazily)."""
    from importgate.rules import cycles, dependencies, exports, files, reexports, resolution

    return (files.check, resolution.check, exports.check, dependencies.check, reexports.check, cycles.check)


def read_source(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as fh:
            return fh.read(), None
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"


class DiskFacts:
    """Facts for any module file: first-party ones parsed up front, installed ones on
    demand (and kept in the user-level cache by path, size and mtime)."""

    def __init__(
        self, known: dict[str, ModuleFacts], cache: FactsCache | NullCache, env: Environment | None = None,
        texts: dict[str, ModuleText] | None = None,
    ) -> None:
        self.known = known
        self.cache = cache
        self.env = env  # whose interpreter parses what this one is too old for (``target_parse``)
        self.parsed_on_demand = 0
        self.read: set[str] = set()  # files whose facts or text an answer used
        self.texts: dict[str, ModuleText | None] = dict(texts or {})  # installed modules asked by their text

    def binds(self, path: str, name: str) -> bool:
        """Does the text of this installed module prove that it binds ``name`` (``facts.textproof``)?
        False when its facts are at hand already: they answer exactly, and as cheaply."""
        if path in self.known:
            return False
        text = self.texts.get(path, False)
        if text is False:
            from importgate.facts.textproof import ModuleText

            source, _ = read_source(path)
            text = self.texts[path] = ModuleText(source) if source is not None and path.endswith(".py") else None
        if text is None or not text.binds(name):
            return False
        self.read.add(path)
        return True

    def facts(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None:
        self.read.add(path)
        return self._facts(path, name, is_package, is_stub)

    def _facts(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None:
        cached = self.known.get(path)
        if cached is not None:
            return cached
        from importgate.facts.model import renamed
        try:
            st = os.stat(path)
        except OSError:
            return None
        facts = self.cache.lookup_site(path, st.st_size, st.st_mtime_ns)
        if facts is None:
            from importgate.facts.parse import parse_module

            source, _ = read_source(path)
            if source is None:
                return None
            facts = parse_module(source, path, name, is_package=is_package, is_stub=is_stub, runtime_loads=False)
            if self.env is not None and target_parse.too_new_here(facts, self.env.version[:2]):
                job = (path, source, is_package, is_stub, None)
                facts = renamed(target_parse.reparse_one(job, facts, self.env.executable, self.env.version[:2]), name)
            self.cache.remember_site(path, st.st_size, st.st_mtime_ns, dumps(facts))
            self.parsed_on_demand += 1
        elif facts.name != name:
            facts = renamed(facts, name)
        self.known[path] = facts
        return facts


    def attribute_writes(self, path: str) -> frozenset[str] | None:
        """The attribute names this file's text could assign on some object (``x.name =``,
        "*" for any ``setattr(``): lets the resolver skip parsing files that cannot inject
        a name into a module. None when unreadable (then it must parse)."""
        self.read.add(path)
        source, _ = read_source(path)
        if source is None:
            return None
        names = {m.decode("ascii", "replace") for m in _ATTRIBUTE_WRITE.findall(source)}
        if b"setattr(" in source or b"sys.modules[" in source:  # setattr(mod, ...), sys.modules["pkg"].__dict__.update(...)
            names.add("*")
        return frozenset(names)


_ATTRIBUTE_WRITE = re.compile(rb"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=(?!=)|[-+*/|&%@^]=|:)")

# below this much source, a process pool costs more than it saves
_PARALLEL_MIN_FILES = 48
_PARALLEL_MIN_BYTES = 400_000


def _parse(source: bytes, path: str, is_package: bool, is_stub: bool, target: tuple[int, int] | None) -> ModuleFacts:
    """One file's facts, independent of its module name. Without a target version the file is a
    stub or an installed module: it never runs as first-party code, so the facts only the cycle
    simulation needs are skipped."""
    from importgate.facts.parse import parse_module

    return parse_module(source, path, "", is_package=is_package, is_stub=is_stub, target_version=target, runtime_loads=target is not None)


def _unreadable(path: str, is_package: bool, is_stub: bool, error: str | None) -> ModuleFacts:
    from importgate.facts.model import ModuleFacts, SyntaxProblem

    return ModuleFacts(
        name="", path=path, is_package=is_package, is_stub=is_stub,
        syntax_error=SyntaxProblem(error or "cannot read the file", Location(path, 1, 1), unreadable=True),
    )


def _parse_job(job: list[tuple[str, bytes, bool, bool, tuple[int, int] | None]]) -> list[tuple[str, bytes]]:
    """Runs in a worker process: parse a chunk of files, return pickled facts."""
    with _no_gc():
        return [(path, dumps(_parse(source, path, is_package, is_stub, target))) for path, source, is_package, is_stub, target in job]


class _collector:
    """The cyclic garbage collector on or off for a while, then as it was. Off (``_no_gc``) for
    parsing and the rules: syntax trees, facts and resolutions are acyclic and freed by
    reference counting, but their millions of allocations keep triggering the collector over an
    ever larger heap of facts; pausing it makes parsing a big package about a tenth faster, and
    a whole cold run on Django about 5% (peak memory the same within 1%)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __enter__(self) -> None:
        import gc

        self.was_enabled = gc.isenabled()
        _switch(self.enabled)

    def __exit__(self, *exc) -> None:
        _switch(self.was_enabled)


def _switch(enabled: bool) -> None:
    """Turning the collector back on after a pause: its first collection would walk every
    object made meanwhile (the whole heap of facts, ~25 ms on Django, when the fix stage
    starts). They are moved straight to the oldest generation instead, as if they had survived
    the collections the pause skipped (freeze then unfreeze: no walk). Not when objects are
    frozen already (by the caller, or by CPython 3.12 itself at start-up): unfreezing would
    release them, so there the first collection walks the heap as before."""
    import gc

    if not enabled:
        gc.disable()
        return
    if not gc.isenabled() and gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
    gc.enable()


def _no_gc() -> _collector:
    return _collector(False)


def _parse_serial(job: list[tuple[str, bytes, bool, bool, tuple[int, int] | None]]) -> list[tuple[str, ModuleFacts]]:
    """In this process: facts as objects (pickled only if a cache keeps them)."""
    with _no_gc():
        return [(path, _parse(source, path, is_package, is_stub, target)) for path, source, is_package, is_stub, target in job]


def _facts_and_blob(result: bytes | ModuleFacts) -> tuple[ModuleFacts, bytes]:
    """A parse result as (facts, pickle): workers hand back pickles, a serial parse the facts."""
    if isinstance(result, bytes):
        return loads(result), result
    return result, dumps(result)


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def _parse_all(
    jobs_list: list[tuple[str, bytes, bool, bool, tuple[int, int] | None]], jobs: int, progress: Progress = _no_progress
) -> Iterator[tuple[str, bytes] | tuple[str, ModuleFacts]]:
    """(path, pickled facts) from worker processes as each chunk arrives, or (path, facts) when
    parsed here: the caller loads and stores one chunk while the workers parse the next."""
    total = sum(len(job[1]) for job in jobs_list)
    workers = min(jobs, len(jobs_list))
    count = len(jobs_list)
    if workers <= 1 or count < _PARALLEL_MIN_FILES or total < _PARALLEL_MIN_BYTES:
        for start in range(0, count, 64):
            yield from _parse_serial(jobs_list[start : start + 64])
            progress("parsing", min(start + 64, count), count)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from importgate.facts import parse  # noqa: F401  # once here, not once per forked worker

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # largest files first, dealt round-robin into many small chunks: even load per worker
    ordered = sorted(jobs_list, key=lambda job: len(job[1]), reverse=True)
    chunks = [ordered[i :: workers * 4] for i in range(workers * 4)]
    done: set[str] = set()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
            for chunk in pool.map(_parse_job, chunks):
                done.update(path for path, _ in chunk)
                yield from chunk
                progress("parsing", len(done), count)
    except (OSError, RuntimeError, AssertionError):  # no processes here (a sandbox, a daemonic process): parse serially
        yield from _parse_serial([job for job in jobs_list if job[0] not in done])


def hash_files(files: ProjectFiles, cache: FactsCache | NullCache) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, str]]:
    """Each file's content hash: from the stat table when the file is unchanged (no read),
    else read and hashed, and its stat remembered (once it is old enough to trust: a run right
    after a checkout must not leave every later run that replays reading the whole tree).
    Returns (digests, sources read, read errors)."""
    digests: dict[str, bytes] = {}
    sources: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    for f in files.files:
        key = cache.known_digest(f.path, f.size, f.mtime_ns)
        if key is not None:
            digests[f.path] = key
            continue
        source, error = read_source(f.path)
        if source is None:
            errors[f.path] = error or "cannot read the file"
            continue
        sources[f.path] = source
        digests[f.path] = digest(source)
        cache.remember_stat(f.path, f.size, f.mtime_ns, digests[f.path])
    return digests, sources, errors


def parse_files(
    files: ProjectFiles,
    target_version: tuple[int, int] | None,
    cache: FactsCache | NullCache | None = None,
    jobs: int = 1,
    hashed: tuple[dict[str, bytes], dict[str, bytes], dict[str, str]] | None = None,
    progress: Progress = _no_progress,
    installed: "InstalledPrefetch | None" = None,
    lazy: bool = False,
    interpreter: str | None = None,
) -> dict[str, ModuleFacts]:
    """Facts of every first-party file: from the cache when its content is known, else parsed
    (in parallel above a size threshold). ``installed`` rides along in the same pool: installed
    modules the project will ask about, parsed while first-party files are. ``lazy`` leaves
    cached facts pickled (see ``materialize``): a run that replays never loads them. A file that
    this interpreter is too old to parse goes to the target ``interpreter`` (``target_parse``)."""
    cache = cache or NullCache()
    digests, sources, errors = hashed if hashed is not None else hash_files(files, cache)
    out: dict[str, ModuleFacts] = {}
    todo: list[tuple[str, bytes, bool, bool, tuple[int, int] | None]] = []
    pending: dict[str, tuple[int, int, bytes, str]] = {}
    for f in files.files:
        if f.path in errors:
            out[f.path] = _unreadable(f.path, f.is_package, f.is_stub, errors[f.path])
            continue
        target = None if f.is_stub else target_version
        parser = parser_key(target)
        key = digests[f.path]
        facts = cache.lookup_raw(f.path, key, parser)
        if facts is not None:
            out[f.path] = facts  # type: ignore[assignment]  # loaded by materialize
            continue
        source = sources.get(f.path)
        if source is None:
            source, error = read_source(f.path)
            if source is None:
                out[f.path] = _unreadable(f.path, f.is_package, f.is_stub, error)
                continue
        pending[f.path] = (f.size, f.mtime_ns, key, parser)
        todo.append((f.path, source, f.is_package, f.is_stub, target))
    cache.stats.parsed += len(todo)
    keeps = not isinstance(cache, NullCache)
    extra = installed.jobs if installed is not None else []
    results: Iterable[tuple[str, bytes | ModuleFacts]] = _parse_all(todo + extra, jobs, progress)
    if interpreter is not None and target_parse.newer_than_here(target_version):
        results = target_parse.reparse(todo + extra, dict(results), interpreter, target_version).items()
    for path, result in results:
        if installed is not None and path in installed.wanted:
            installed.take(path, result, cache)
            continue
        if not keeps:
            out[path] = loads(result) if isinstance(result, bytes) else result
            continue
        out[path], blob = _facts_and_blob(result)
        size, mtime, key, parser = pending[path]
        cache.remember(path, size, mtime, key, parser, blob)
    # in walk order whatever came from the cache: rules that list places must list them alike
    out = {f.path: out[f.path] for f in files.files if f.path in out}
    return out if lazy else materialize(out, files, target_version, cache, digests, interpreter)


def materialize(
    parsed: dict[str, ModuleFacts | bytes], files: ProjectFiles, target_version: tuple[int, int] | None, cache,
    digests: dict[str, bytes], interpreter: str | None = None,
) -> dict[str, ModuleFacts]:
    """Load the facts ``parse_files(lazy=True)`` left pickled; an entry that does not load
    (a damaged cache row) is parsed again and stored over the damaged one."""
    by_path = {f.path: f for f in files.files}
    out: dict[str, ModuleFacts] = {}
    for path, value in parsed.items():
        if isinstance(value, bytes):
            try:
                value = loads(value)
            except Exception:  # noqa: BLE001 - a damaged row is a miss
                f = by_path[path]
                source, error = read_source(path)
                if source is None:
                    value = _unreadable(path, f.is_package, f.is_stub, error)
                else:
                    target = None if f.is_stub else target_version
                    value = _parse(source, path, f.is_package, f.is_stub, target)
                    if interpreter is not None:
                        value = target_parse.reparse_one((path, source, f.is_package, f.is_stub, target), value, interpreter, target_version)
                    cache.remember(path, f.size, f.mtime_ns, digests[path], parser_key(target), dumps(value))
        out[path] = value
    return out


# unanchored so that the regex engine can search for the literal "from" (ten times faster);
# a match inside a string or comment only costs a wasted guess
_FROM_IMPORT = re.compile(rb"from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b[ \t]*(\([^)]*\)?|[^\n]*)")


class InstalledPrefetch:
    """Installed modules that first-party sources name in ``from X import`` lines, found before
    anything is parsed (a text scan and the environment's search path), so that a cold run
    parses them in the same pool as the project instead of one by one when the rules ask.
    A module whose text proves that it binds every name those lines import from it
    (``facts.textproof``: ``class timedelta`` at column 0) is not parsed at all, nor is a
    package asked only for its submodules: on Django, 57 of 67 standard-library modules.
    A guess that turns out unused costs only its parse; correctness never depends on it."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, bytes, bool, bool, None]] = []
        self.wanted: dict[str, tuple[int, int, str]] = {}  # path -> (size, mtime_ns, module name)
        self.results: dict[str, ModuleFacts] = {}
        self.texts: dict[str, ModuleText] = {}  # modules left unparsed: their text answers every name asked

    def take(self, path: str, result, cache) -> None:
        from importgate.facts.model import renamed

        size, mtime, name = self.wanted[path]
        facts, blob = _facts_and_blob(result)
        cache.remember_site(path, size, mtime, blob)
        self.results[path] = renamed(facts, name)


def speculate_installed(
    files: ProjectFiles, sources: dict[str, bytes], env: Environment, cache, project_root: str, scope
) -> InstalledPrefetch:
    """The installed source modules that ``sources`` name in ``from X import`` lines and that
    no earlier run has parsed (the project's own roots are not known yet: anything inside the
    project is left out): to parse (``jobs``), or answered by their text (``texts``)."""
    from importgate.facts.finder import Kind, ModuleFinder

    out = InstalledPrefetch()
    asked: dict[bytes, set[bytes]] = {}  # module text -> the texts of what is imported from it
    for source in sources.values():
        for module, names in _FROM_IMPORT.findall(source):
            asked.setdefault(module, set()).add(names)
    if not asked:
        return out
    own = {f.path for f in files.files}
    finder = ModuleFinder(env, (), project_root, scope)
    prefix = os.path.join(project_root, "")
    for text in sorted(asked):
        try:
            name = text.decode("ascii")
        except UnicodeDecodeError:
            continue
        found = finder.find(name)
        if found is None or found.kind is not Kind.SOURCE or found.path is None:
            continue
        path = found.path
        if path in own or path in out.wanted or path.startswith(prefix):
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        if cache.lookup_site(path, st.st_size, st.st_mtime_ns) is not None:
            continue  # known from an earlier run: read when asked
        source, _ = read_source(path)
        if source is None:
            continue
        names = _imported_names(asked[text])
        if names and found.locations:  # a package's submodules are answered without its facts
            names = {n for n in names if finder.find_in(f"{found.name}.{n}", n, found.locations, found.first_party) is None}
            if not names:
                continue
        if names and path.endswith(".py"):
            from importgate.facts.textproof import ModuleText

            module_text = ModuleText(source)
            if all(module_text.binds(n) for n in names):
                out.texts[path] = module_text  # every name asked is bound at its top level: no parse
                continue
        out.wanted[path] = (st.st_size, st.st_mtime_ns, found.name)
        out.jobs.append((path, source, found.is_package, False, None))
    return out


def _imported_names(texts: set[bytes]) -> set[str] | None:
    """The names these ``from X import ...`` texts import; None when one imports ``*`` or is not
    plain (a guess: it only decides what is parsed ahead)."""
    from importgate.facts.textproof import import_list

    found: set[str] = set()
    for text in texts:
        pairs = import_list(text)
        if pairs is None or any(b"." in imported for imported, _ in pairs):
            return None
        found.update(imported.decode("ascii") for imported, _ in pairs)
    return found or None


def absolute_imports(facts: Iterable[ModuleFacts]) -> set[str]:
    out: set[str] = set()
    for f in facts:
        for edge in f.imports:
            if edge.level == 0:
                out.add(edge.module_text)
                if edge.is_from:
                    out.update(f"{edge.module_text}.{n.name}" for n in edge.names if n.name != "*")
    return out


def load_environment(config: Config, cache: FactsCache | NullCache | None = None) -> Environment:
    return start_environment(config, cache).result()


def start_environment(config: Config, cache: FactsCache | NullCache | None = None) -> PendingEnvironment:
    """The target's description: cached, or asked in a process that runs while we walk."""
    python = resolve_interpreter(config.python) if config.python else default_interpreter(config.project_root)
    return PendingEnvironment(python, cache)


def open_project_cache(config: Config) -> FactsCache | NullCache:
    return open_cache(os.path.abspath(config.project_root), config.cache_dir, config.cache)


def gather(config: Config, env: Environment | None = None, cache: FactsCache | NullCache | None = None):
    """The facts layer: files, target environment, parsed facts, and the installed modules
    parsed alongside them."""
    cache = cache or NullCache()
    root = os.path.abspath(config.project_root)
    files = walk_project(root, config.exclude, only=installed_scope(config.project_root, config.paths))
    env = env or load_environment(config, cache)
    parsed, installed = parse_project(config, files, env, cache, hash_files(files, cache))
    return files, env, parsed, installed


def parse_project(config: Config, files: ProjectFiles, env: Environment, cache, hashed, progress: Progress = _no_progress, lazy: bool = False):
    """``parse_files`` with the installed modules the sources name parsed in the same pool:
    (first-party facts, the ``InstalledPrefetch``). Only a parse that uses a pool guesses them:
    a serial one (an edit, a small project) leaves them to the rules, which parse on demand
    only what they ask about (an edit of pylint's tree: ~2 ms less)."""
    root = os.path.abspath(config.project_root)
    jobs = config.jobs or os.cpu_count() or 1
    read = hashed[1]
    if jobs > 1 and len(read) >= _PARALLEL_MIN_FILES and sum(map(len, read.values())) >= _PARALLEL_MIN_BYTES:
        installed = speculate_installed(files, read, env, cache, root, installed_scope(root, config.paths))
    else:
        installed = InstalledPrefetch()
    parsed = parse_files(files, env.version[:2], cache, jobs, hashed, progress, installed, lazy=lazy, interpreter=env.executable)
    return parsed, installed


def assemble(
    config: Config, files: ProjectFiles, env: Environment, parsed: dict[str, ModuleFacts], cache,
    installed: InstalledPrefetch | None = None,
) -> Project:
    """Names, roots and the resolver over gathered facts."""
    from importgate.facts.finder import ModuleFinder
    from importgate.project import Project
    from importgate.resolve import Resolver

    root = os.path.abspath(config.project_root)
    layout = assign_names(files, absolute_imports(parsed.values()), config.roots)
    from importgate.facts.model import renamed

    facts = {path: renamed(f, layout.names[path]) for path, f in parsed.items()}
    finder = ModuleFinder(env, layout.roots, root, installed_scope(root, config.paths))
    package_dirs = frozenset(os.path.dirname(p) for p, f in facts.items() if f.is_package and not f.is_stub)
    prefetched = installed.results if installed is not None else {}
    disk = DiskFacts({**prefetched, **facts}, cache, env, installed.texts if installed is not None else None)
    resolver = Resolver(finder, disk, package_dirs, first_party=facts)
    resolver.test_dirs = pytest_dirs(config, facts, resolver)
    report_paths = None
    requested = [os.path.abspath(p) for p in config.paths]
    if requested and not any(p == root for p in requested):
        report_paths = frozenset(requested)
    return Project(
        config=config, layout=layout, env=env, resolver=resolver, facts=facts, report_paths=report_paths, cache=cache
    )


def build_project(
    config: Config, env: Environment | None = None, cache: FactsCache | NullCache | None = None
) -> tuple[Project, ProjectFiles]:
    cache = cache or NullCache()
    files, env, parsed, installed = gather(config, env, cache)
    return assemble(config, files, env, parsed, cache, installed), files


def pytest_dirs(config: Config, facts: dict[str, ModuleFacts], resolver: Resolver) -> frozenset[str]:
    """What pytest puts on sys.path for a session: each test module's and conftest's basedir
    (its default "prepend" import mode) plus [tool.pytest.ini_options] pythonpath."""
    from importgate.config import read_pyproject
    from importgate.resolve import _is_test_file

    dirs = {resolver.basedir(path) for path in facts if _is_test_file(path)}
    pyproject, _ = read_pyproject(config.project_root, only_if=b"pythonpath")
    options = pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    extra = options.get("pythonpath", []) if isinstance(options, dict) else []
    if isinstance(extra, str):
        extra = extra.split()
    root = os.path.abspath(config.project_root)
    dirs.update(os.path.normpath(os.path.join(root, p)) for p in extra if isinstance(p, str))
    return frozenset(dirs)


def check(
    config: Config,
    env: Environment | None = None,
    fixer: Callable[[list[Finding], Project], list[Finding]] | None = None,
    replay_tag: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run the static gate on one project (``fixer``: the fix stage, see importgate.fix;
    ``replay_tag``: names a deterministic fixer whose report may be replayed)."""
    started = time.perf_counter()
    with _no_gc():
        return _check(config, env, fixer, replay_tag, progress, started)


def _check(config: Config, env: Environment | None, fixer, replay_tag: str | None, progress: Progress | None, started: float) -> Report:
    cache = open_project_cache(config)
    pending = None
    asked = None
    try:
        asked = start_environment(config, cache) if env is None else None
        files = walk_project(os.path.abspath(config.project_root), config.exclude, only=installed_scope(config.project_root, config.paths))
        hashed = hash_files(files, cache)
        env = env or asked.result()
        # a fixer that writes files must run every time; a deterministic one is part of the key
        replays = None
        if config.cache and (fixer is None or replay_tag is not None):
            from importgate.replay import Replays

            replays = Replays(config, files, env, cache, hashed, replay_tag)
            report = replays.by_content(started)
            if report is not None:  # nothing that decides the report changed
                return report
        pending = _start_distributions(config, env, cache)  # runs while we parse
        parsed_before = cache.stats.parsed
        progress = progress or _no_progress
        lazy, installed = parse_project(config, files, env, cache, hashed, progress, lazy=True)
        if replays is not None:
            report = replays.by_facts_or_interface(lazy, started, _parsed_count(parsed_before, cache))
            if report is not None:  # no fact changed, or no interface
                return report
        parsed = materialize(lazy, files, env.version[:2], cache, hashed[0], env.executable)
        project = assemble(config, files, env, parsed, cache, installed)
        if replays is not None and replays.pending is not None:
            report = replays.by_outside_imports(project, started, _parsed_count(parsed_before, cache), getattr(fixer, "plans_hold", None))
            if report is not None:  # only clean imports of modules outside the project changed
                return report
            # the rules get a resolver of their own: its memos must not depend on what was asked first
            project = assemble(config, files, env, parsed, cache, installed)
        project.pending_distributions = pending
        parsed_most = _parsed_count(parsed_before, cache) * 2 >= len(parsed)
        standing = replays.partial.standing if replays is not None and replays.partial is not None else None
        if standing is None:
            meanwhile = (lambda: replays.prepare(project, parsed.values())) if replays is not None else None
            findings = selected(run_families(project, rule_families(), progress, fixer, parsed_most, meanwhile), project, config)
        else:  # only the import-order simulation (the last family) may answer otherwise: ``incremental.Confirmed``
            from importgate.rules import cycles

            findings = list(standing) + selected(cycles.check(project), project, config)
        report = replace(_finish(findings, project, files, cache, config, started, fixer), parsed=_parsed_count(parsed_before, cache))
        if replays is not None:
            replays.remember(report, fixer, project, parsed.values(), tuple(f for f in findings if f.rule not in catalogue.CYCLE_RULES))
        return report
    finally:
        cache.close()
        if pending is not None:
            pending.close()
        if asked is not None:
            asked.close()


def run_families(
    project: Project, families: tuple[RuleFamily, ...], progress: Progress, fixer=None, parsed_most: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> list[Finding]:
    """Every family's findings in family order. On a big project the last family (the cycle
    simulation) runs in a forked child meanwhile (see importgate.beside), and this process
    does what it can of the later stages: loads the fix renderer, runs ``meanwhile``."""
    from importgate.beside import Beside, worth_forking

    beside = Beside(project, families[-1]) if worth_forking(project, parsed_most) else None
    here = families[:-1] if beside is not None else families
    findings: list[Finding] = []
    try:
        for done, family in enumerate(here):
            progress("checking", done, len(families))
            findings.extend(family(project))
        if beside is not None:
            prepare = getattr(fixer, "prepare", None)
            if prepare is not None and findings and beside.running():
                prepare(findings)  # loading the fix renderer (~0.2 s) costs nothing while the child works
            if meanwhile is not None and beside.running():
                meanwhile()
            findings.extend(beside.findings())
    finally:
        if beside is not None:
            beside.close()
    progress("checking", len(families), len(families))
    return findings


def _start_distributions(config: Config, env: Environment, cache):
    """Start the target's distributions query in its own process when the dependency rules will
    need it and no cached answer holds, so that it overlaps with parsing. A cached answer is
    left for the rules to load when they run (an edit answered without them never does)."""
    wanted = any(catalogue.enabled(rule, config.select, config.ignore) for rule in catalogue.DEPENDENCY_RULES)
    if not wanted:
        return None
    from importgate.facts.environment import _signature, distributions_key

    stored = cache.env_signature(distributions_key(env.executable))
    if stored is not None and stored == _signature(env.executable, env.path):
        return None
    from importgate.facts.distributions import PendingDistributions

    return PendingDistributions(env, cache if config.cache else None)


def _parsed_count(before: int, cache) -> int:
    return cache.stats.parsed - before


def selected(findings: Iterable[Finding], project: Project, config: Config) -> list[Finding]:
    """The findings the settings and the ignore comments let through (one at a time)."""
    return list(suppress(select(findings, config), project))


def _finish(
    findings: list[Finding], project: Project, files: ProjectFiles, cache, config: Config, started: float, fixer=None
) -> Report:
    """``findings``: ``selected`` already."""
    findings = merge_groups(findings)
    if fixer is not None:
        with _collector(True):  # libcst's trees may be cyclic: the fix stage collects its garbage
            findings = fixer(findings, project)
    if config.entries:
        findings = add_chains(findings, project, config.entries)
    findings.sort(key=Finding.sort_key)
    problems = list(files.problems) + list(cache.problems)
    return Report(
        findings=tuple(findings),
        files=len(files.files),
        modules=len(set(project.layout.names.values())),
        seconds=time.perf_counter() - started,
        problems=tuple(problems),
    )


# -- filtering --------------------------------------------------------------


def select(findings: Iterable[Finding], config: Config) -> Iterator[Finding]:
    overrides = dict(config.severity)
    for f in findings:
        if not catalogue.enabled(f.rule, config.select, config.ignore):
            continue
        for key, severity in overrides.items():
            if catalogue.matches(f.rule, frozenset({key})):
                f = replace(f, severity=severity)
        yield f


def suppress(findings: Iterable[Finding], project: Project) -> Iterator[Finding]:
    """Inline `# importgate: ignore[rule]` comments and per-file ignores."""
    per_file = project.config.per_file_ignores
    for f in findings:
        facts = project.facts.get(f.location.path)
        if facts is not None and _suppressed_inline(f, facts):
            continue
        if per_file:
            rel = os.path.relpath(f.location.path, project.root).replace(os.sep, "/")
            if any(fnmatch.fnmatch(rel, pattern) and catalogue.matches(f.rule, rules) for pattern, rules in per_file):
                continue
        yield f


def _suppressed_inline(f: Finding, facts: ModuleFacts) -> bool:
    if not facts.suppressions:
        return False
    lines = {f.location.line}
    for edge in facts.imports:
        loc = edge.location
        if loc.line <= f.location.line <= loc.end_line:
            lines.update((loc.line, loc.end_line))
            break
    for line, rules in facts.suppressions:
        if line in lines and (not rules or f.rule.name in rules or f.rule.code in rules):
            return True
    return False


# -- one fault, one finding ---------------------------------------------------


_PRIMARY_ORDER = {"missing-name": 0, "undefined-export": 1, "unresolved-module": 2}
_ADVICE_ADDS = {("unresolved-module", "undeclared-dependency")}  # (primary, member): both hints stand


def merge_groups(findings: list[Finding]) -> list[Finding]:
    """Findings that share a group key describe one fault: keep one, relate the rest."""
    groups: dict[tuple, list[Finding]] = {}
    out: list[Finding] = []
    for f in findings:
        if f.group is None:
            out.append(f)
        else:
            groups.setdefault(f.group, []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: (_PRIMARY_ORDER.get(f.rule.name, 9), f.sort_key()))
        primary = members[0]
        if len(members) == 1:
            out.append(primary)
            continue
        related = list(primary.related)
        seen = {(r.location.path, r.location.line) for r in related}
        seen.add((primary.location.path, primary.location.line))
        importers = 0
        for other in members[1:]:
            key = (other.location.path, other.location.line)
            if other.rule.name in ("missing-name", "unresolved-module"):
                importers += 1
                note = f"also imported here ({other.rule.name})"
            else:
                note = f"{other.rule.name}: {other.message}"
                if other.rule != primary.rule:  # another rule's word on the same line is news
                    key = (*key, other.rule.code)
            if key not in seen:
                related.append(Related(other.location, note))
                seen.add(key)
            for r in other.related:
                rkey = (r.location.path, r.location.line)
                if rkey not in seen:
                    related.append(r)
                    seen.add(rkey)
        message = primary.message
        extras = []
        if importers:
            extras.append(f"{importers} more import{'s' if importers > 1 else ''} of it fail{'' if importers > 1 else 's'} the same way")
        if any(o.rule.name == "undefined-export" for o in members[1:]):
            extras.append("it is also listed in __all__")
        if extras:
            message += " [" + "; ".join(extras) + "]"
        hints = [primary.hint] if primary.hint else []
        for other in members[1:]:  # advice that adds to the primary's (install it; declare it)
            if other.hint and (primary.rule.name, other.rule.name) in _ADVICE_ADDS and other.hint not in hints:
                hints.append(other.hint)
        hint = "; ".join(hints) if hints else next((o.hint for o in members[1:] if o.hint), None)
        out.append(replace(primary, message=message, related=tuple(related), hint=hint))
    return out


# -- start-up chains ------------------------------------------------------------


def startup_graph(project: Project) -> dict[str, list[tuple[int, str]]]:
    """path -> [(line, path executed by a module-level import)], first-party only."""
    from importgate.resolve import absolute_target

    graph: dict[str, list[tuple[int, str]]] = {}
    modules = project.layout.modules
    for path, facts in project.facts.items():
        if facts.is_stub:
            continue
        targets: list[tuple[int, str]] = []
        for edge in facts.imports:
            if not edge.guard.at_import:
                continue
            base = absolute_target(edge, facts.name, facts.is_package)
            if base is None:
                continue
            names = [base]
            if edge.is_from:
                names += [f"{base}.{n.name}" for n in edge.names if n.name != "*"]
            parts = base.split(".")
            executed = [".".join(parts[:i]) for i in range(1, len(parts))] + names
            for dotted in executed:
                for target in modules.get(dotted, ())[:1]:
                    if target != path:
                        targets.append((edge.location.line, target))
        graph[path] = targets
    return graph


def add_chains(findings: list[Finding], project: Project, entries: tuple[str, ...]) -> list[Finding]:
    graph = startup_graph(project)
    previous: dict[str, tuple[str, int] | None] = {}
    queue: deque[str] = deque()
    for entry in entries:
        dotted = entry.split(":", 1)[0]
        parts = dotted.split(".")
        # importing a.b.c runs a, a.b, a.b.c
        for i in range(1, len(parts) + 1):
            for path in project.layout.modules.get(".".join(parts[:i]), ())[:1]:
                if path not in previous:
                    previous[path] = None
                    queue.append(path)
    while queue:
        current = queue.popleft()
        for line, target in graph.get(current, ()):
            if target not in previous:
                previous[target] = (current, line)
                queue.append(target)
    out = []
    for f in findings:
        path = f.location.path
        if path not in previous:
            out.append(replace(f, chain=()))
            continue
        hops = [f"{project.module_name(path)}:{f.location.line}"]
        cursor = previous[path]
        while cursor is not None:
            parent, line = cursor
            hops.append(f"{project.module_name(parent)}:{line}")
            cursor = previous[parent]
        out.append(replace(f, chain=tuple(reversed(hops))))
    return out


def exit_code(report: Report, fail_on: Severity) -> int:
    return 1 if any(f.effective_severity >= fail_on for f in report.findings) else 0

