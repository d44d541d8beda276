"""The view of one project that every rule reads: files, facts, layout, resolver."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from importgate.config import Config
from importgate.facts.discover import Layout
from importgate.facts.environment import Environment
from importgate.facts.finder import Found, Kind
from importgate.facts.model import Guard, ImportEdge, ModuleFacts
from importgate.model import Location
from importgate.resolve import Resolver, absolute_target


@dataclass(slots=True, unsafe_hash=True)
class Definition:
    """Where a name is bound: module, file and line."""

    module: str
    path: str
    line: int


@dataclass
class Learned:
    """What a forked child's answers read that later stages in its parent need: files read (a
    replayed report re-checks them), installed modules parsed (their facts, rows for the cache)."""

    read: set[str]
    inputs: set[str]  # directories listed, archives opened, manifests included
    known: dict[str, ModuleFacts]
    sites: list[tuple[str, int, int, bytes]]
    parsed: int


@dataclass
class Project:
    """One project's facts, layout, environment and resolver: what every rule reads."""

    config: Config
    layout: Layout
    env: Environment
    resolver: Resolver
    facts: dict[str, ModuleFacts]  # first-party facts by absolute path
    report_paths: frozenset[str] | None = None  # report only under these (None: all)
    cache: object | None = None  # the facts cache (an I/O port for facts loaded by rule families)
    pending_distributions: object | None = None  # the installed-distributions query, started early
    # files a rule read that the replay keys do not cover (a `-r ../shared/requirements.txt`):
    # a stored report is replayed only while each is as it was
    extra_inputs: set[str] = field(default_factory=set)
    _defs: dict[str, list[Definition]] | None = field(default=None, repr=False)
    _names_by_path: dict[str, list[str]] | None = field(default=None, repr=False)
    _declared: dict[str, str] | None = field(default=None, repr=False)

    @property
    def root(self) -> str:
        return self.layout.project_root

    def workers(self) -> int:
        """Processes a rule may use: --jobs, else one per CPU."""
        return self.config.jobs or os.cpu_count() or 1

    # -- forked rule work (importgate.beside, the cycle simulation's pool) ---------------------
    def enter_forked_child(self, jobs: int | None = None) -> None:
        """In a process forked from the one that owns the caches: an SQLite connection must not
        cross a fork, so installed-module facts are read through a connection of its own and
        what would be written is kept for the parent (see ``learned_since``). ``jobs``: the
        processes it may use itself."""
        from dataclasses import replace

        from importgate.facts.cache import ForkedSiteCache

        source = self.resolver.source
        source.cache = ForkedSiteCache(source.cache)
        self.cache = None
        self.pending_distributions = None  # the parent's query, read by the parent
        if jobs is not None:
            self.config = replace(self.config, jobs=jobs)

    def checkpoint(self) -> tuple:
        """What has been read so far (a token for ``learned_since``)."""
        source = self.resolver.source
        return set(source.known), set(source.read), self.resolver.finder.consulted(), set(self.extra_inputs), source.parsed_on_demand

    def learned_since(self, checkpoint: tuple) -> "Learned":
        known, read, consulted, extra, parsed = checkpoint
        source = self.resolver.source
        return Learned(
            read=source.read - read,
            inputs=(self.resolver.finder.consulted() - consulted) | (self.extra_inputs - extra),
            known={path: f for path, f in source.known.items() if path not in known and path not in self.facts},
            sites=list(getattr(source.cache, "remembered", ())),
            parsed=source.parsed_on_demand - parsed,
        )

    def absorb(self, learned: "Learned") -> None:
        """Take in what a forked child learned (``learned_since`` there)."""
        source = self.resolver.source
        source.read.update(learned.read)
        self.extra_inputs.update(learned.inputs)
        for path, f in learned.known.items():
            source.known.setdefault(path, f)
        for path, size, mtime_ns, blob in learned.sites:
            source.cache.remember_site(path, size, mtime_ns, blob)
        source.parsed_on_demand += learned.parsed

    def source_path(self, name: str) -> str | None:
        """The first-party file that runs for module ``name`` (not its stub)."""
        for path in self.layout.modules.get(name, ()):
            facts = self.facts.get(path)
            if facts is not None and not facts.is_stub:
                return path
        return None

    def module_name(self, path: str) -> str:
        return self.layout.names.get(path, os.path.basename(path))

    def reported(self, path: str) -> bool:
        if self.report_paths is None:
            return True
        return any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in self.report_paths)

    def checked_modules(self):
        """First-party facts to report on, in path order (runtime files before stubs)."""
        for path in sorted(self.facts):
            if self.reported(path):
                yield self.facts[path]

    def definitions(self, name: str) -> list[Definition]:
        """Where first-party code defines ``name`` (def, class, assignment; not imports)."""
        if self._defs is None:
            index: dict[str, list[Definition]] = {}
            for path, facts in self.facts.items():
                if facts.is_stub:
                    continue
                for defined in facts.own_definitions:
                    line = facts.defined.get(defined)
                    if line is not None:
                        index.setdefault(defined, []).append(Definition(self.module_name(path), path, line))
            self._defs = index
        return self._defs.get(name, [])

    def rel(self, path: str) -> str:
        """A path as users see it in messages: relative to the current directory when
        below it, else to the project root."""
        for base in (os.getcwd(), self.root):
            try:
                rel = os.path.relpath(path, base)
            except ValueError:
                continue
            if not rel.startswith(".."):
                return rel
        return path

    def where(self, loc: Location) -> str:
        return f"{self.rel(loc.path)}:{loc.line}"

    def all_names(self, path: str) -> list[str]:
        """Every dotted name the file is importable as (one per root that holds it)."""
        if self._names_by_path is None:
            index: dict[str, list[str]] = {}
            for dotted, paths in self.layout.modules.items():
                for p in paths:
                    index.setdefault(p, []).append(dotted)
            self._names_by_path = index
        return self._names_by_path.get(path, [self.module_name(path)])

    def found_for(self, path: str) -> Found:
        """The first-party module at ``path`` as the finder would describe it."""
        facts = self.facts[path]
        directory = os.path.dirname(path)
        stub = path[:-3] + ".pyi" if path.endswith(".py") and (path[:-3] + ".pyi") in self.facts else None
        return Found(
            name=facts.name,
            kind=Kind.SOURCE,
            path=path,
            stub=stub,
            locations=(directory,) if facts.is_package else (),
            first_party=True,
            origin_dir=directory,
        )

    def is_first_party_name(self, dotted: str) -> bool:
        head = dotted.split(".", 1)[0]
        return head in self.layout.packages or head in self.layout.modules

    def declared_in(self, distribution: str) -> str | None:
        """Where the manifests declare this distribution (canonical name), or None. Read on
        first use: only an import of an outside module the target lacks asks."""
        if self._declared is None:
            from importgate.facts.deps import declared_only

            declared = declared_only(self.root)
            self.extra_inputs.update(declared.consulted)
            where: dict[str, str] = {}
            for req in declared.runtime:
                where.setdefault(req.name, declared.runtime_where or "the runtime dependencies")
            for kind, tables in (("extra", declared.extras), ("dependency group", declared.groups)):
                for name, reqs in sorted(tables.items()):
                    for req in reqs:
                        where.setdefault(req.name, f"the {kind} '{name}'")
            self._declared = where
        return self._declared.get(distribution)

    # -- who imports what (here, not in the rules that ask: a replay asks too, and loads no rule) --
    def importers(self) -> dict[str, list[Guard]]:
        """Path of a first-party module -> the guard of each import of it by another module."""
        guards: dict[str, list[Guard]] = {}
        modules = self.layout.modules
        for facts in self.facts.values():
            if facts.is_stub:
                continue
            for edge in facts.imports:
                for path in imported_paths(edge, facts, modules):
                    guards.setdefault(path, []).append(edge.guard)
        return guards

    def outside_source(self, facts: ModuleFacts, edge: ImportEdge) -> Found | None:
        """The first-party module ``from <module> import ...`` reaches from outside it (not from
        the module itself or a module inside its package); None for any other import."""
        if not edge.is_from:
            return None
        target = absolute_target(edge, facts.name, facts.is_package)
        if target is None or not self.is_first_party_name(target):
            return None
        if facts.name == target or facts.name.startswith(target + "."):
            return None  # inside the package: internal imports are its own business
        found = self.resolver.resolve(target, facts.path).found
        if found is None or found.path not in self.facts:
            return None
        return found

    def outside_package(self, facts: ModuleFacts, edge: ImportEdge) -> str | None:
        """The ``__init__`` path of the first-party package ``from <package> import <names>``
        reaches from a module outside that package; None for any other import."""
        found = None if edge.is_star else self.outside_source(facts, edge)
        return found.path if found is not None and found.is_package else None

# an import under any of these may never run: a module imported only so is an optional part
_QUIET = Guard.TRY | Guard.TRY_MODULE | Guard.TYPE_CHECKING | Guard.FEATURE_TEST | Guard.CONDITIONAL | Guard.FUNCTION


def only_when_needed(guards: list[Guard]) -> bool:
    """Is a module with these importers (``Project.importers``) imported only under a guard, in
    a function or behind a condition? It runs only when its optional dependencies are wanted."""
    return bool(guards) and all(g & _QUIET for g in guards)


def imported_paths(edge: ImportEdge, facts: ModuleFacts, modules) -> list[str]:
    """The first-party files an import names (its module and, for ``from``, each submodule
    among its names), other than the importer's own."""
    base = absolute_target(edge, facts.name, facts.is_package)
    if base is None:
        return []
    names = [base] + ([f"{base}.{n.name}" for n in edge.names if n.name != "*"] if edge.is_from else [])
    return [path for dotted in names for path in modules.get(dotted, ())[:1] if path != facts.path]
