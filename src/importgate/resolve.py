"""What an import points at, and whether that module provides a name.

Every answer is three-valued: yes, no (with the reason), or unknown (the code
is too dynamic to know). Rules only report "no". File access goes through the
``ModuleFinder`` and ``FactsSource`` ports, which the engine wires to disk and
cache; nothing here opens a file itself.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from typing import Protocol

from importgate.facts.finder import Found, Kind, ModuleFinder
from importgate.model import ImportEdge, Location, ModuleFacts


class FactsSource(Protocol):
    def facts(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None: ...


class Verdict(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"
    STUB_NO = "stub-no"  # missing from a stub that stands in for a compiled module


@dataclass(frozen=True, slots=True)
class Answer:
    verdict: Verdict
    reason: str | None = None  # why not, in words
    where: Location | None = None  # where the reason lives (a del, a TYPE_CHECKING block, ...)

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.YES, Verdict.UNKNOWN)


YES = Answer(Verdict.YES)
UNKNOWN = Answer(Verdict.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The module an import names: ``found`` or, when absent, whether that is certain."""

    name: str
    found: Found | None
    unknown: str | None = None  # why absence is not certain
    missing_part: str | None = None  # the first dotted prefix that does not exist

    @property
    def certain_missing(self) -> bool:
        return self.found is None and self.unknown is None


def absolute_target(edge: ImportEdge, importer: str, importer_is_package: bool) -> str | None:
    """The absolute module an import statement names; None when it climbs above the top."""
    if edge.level == 0:
        return edge.module_text
    package = importer if importer_is_package else importer.rpartition(".")[0]
    parts = package.split(".") if package else []
    if edge.level - 1 > len(parts) or (not parts):
        return None
    base_parts = parts[: len(parts) - (edge.level - 1)]
    if not base_parts:
        return None
    rest = edge.module_text.lstrip(".")
    return ".".join(base_parts + ([rest] if rest else []))


class Resolver:
    def __init__(self, finder: ModuleFinder, source: FactsSource, package_dirs: frozenset[str]) -> None:
        self.finder = finder
        self.source = source
        self.package_dirs = package_dirs  # first-party directories holding an __init__.py
        self._facts: dict[str, ModuleFacts | None] = {}
        self._exports: dict[str, frozenset[str] | None] = {}
        self._provides: dict[tuple[str, str], Answer] = {}

    # -- facts -------------------------------------------------------------
    def facts_of(self, found: Found) -> ModuleFacts | None:
        if found.kind is not Kind.SOURCE or found.path is None:
            return None
        return self._load(found.path, found.name, found.is_package, False)

    def stub_facts_of(self, found: Found) -> ModuleFacts | None:
        if found.stub is None:
            return None
        return self._load(found.stub, found.name, found.is_package, True)

    def _load(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None:
        if path not in self._facts:
            self._facts[path] = self.source.facts(path, name, is_package, is_stub)
        return self._facts[path]

    # -- modules -----------------------------------------------------------
    def resolve(self, name: str, importer_path: str | None, script_dir: str | None = None) -> Resolution:
        found = self.finder.find(name, importer_path)
        if found is not None:
            return Resolution(name, found)
        if script_dir is not None:
            head, _, rest = name.partition(".")
            local = self.finder.find_in(head, head, (script_dir,), True)
            if local is not None:
                for part in rest.split(".") if rest else ():
                    local = self.finder.find_in(local.name + "." + part, part, local.locations, True) if local.locations else None
                    if local is None:
                        break
                if local is not None:
                    return Resolution(name, local)
        return self._explain_missing(name, importer_path)

    def _explain_missing(self, name: str, importer_path: str | None) -> Resolution:
        parts = name.split(".")
        parent: Found | None = None
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            current = self.finder.find(prefix, importer_path)
            if current is None:
                if parent is not None:
                    why = self._dynamic_children(parent, prefix)
                    if why:
                        return Resolution(name, None, unknown=why, missing_part=prefix)
                elif self.finder.env.unknown_finders:
                    return Resolution(
                        name, None,
                        unknown="the target environment installs import hooks: " + ", ".join(self.finder.env.unknown_finders),
                        missing_part=prefix,
                    )
                return Resolution(name, None, missing_part=prefix)
            parent = current
        return Resolution(name, None, missing_part=name)

    def _dynamic_children(self, parent: Found, child: str) -> str | None:
        """Why a missing submodule of ``parent`` may still exist at run time."""
        if parent.kind in (Kind.EXTENSION, Kind.SOURCELESS, Kind.ARCHIVE, Kind.DYNAMIC, Kind.BUILTIN, Kind.STUB_ONLY):
            return f"{parent.name} is a {parent.kind.value} module whose submodules cannot be listed"
        # walk up: any ancestor that registers modules or installs a finder
        name = parent.name
        while name:
            found = self.finder.find(name, None) if name != parent.name else parent
            facts = self.facts_of(found) if found is not None else None
            if facts is not None:
                if child in facts.registers_modules:
                    return f"{name} registers {child} in sys.modules"
                if facts.installs_finder:
                    return f"{name} installs an import hook or fills sys.modules at run time"
                if facts.dynamic_path:
                    return f"{name} extends its __path__ at run time"
            name = name.rpartition(".")[0]
        return None

    # -- names -------------------------------------------------------------
    def provides(self, found: Found, name: str) -> Answer:
        key = (found.path or found.name + "/", name)
        cached = self._provides.get(key)
        if cached is None:
            self._provides[key] = UNKNOWN  # recursion guard for cyclic re-export chains
            cached = self._provides[key] = self._provides_uncached(found, name)
        return cached

    def _provides_uncached(self, found: Found, name: str) -> Answer:
        if name.startswith("__") and name.endswith("__"):
            return YES  # module attributes (__version__ is not one, but dunders are too dynamic)
        if found.locations and self._submodule(found, name) is not None:
            return YES
        if found.kind is Kind.NAMESPACE:
            return Answer(Verdict.NO, f"{found.name} is a namespace package (a directory without __init__.py): it has only submodules")
        facts = self.facts_of(found)
        if facts is None:
            stub = self.stub_facts_of(found)
            if stub is not None and found.kind in (Kind.EXTENSION, Kind.STUB_ONLY):
                answer = self._names_in(found, stub, name)
                if answer.verdict is Verdict.NO:
                    return Answer(Verdict.STUB_NO, answer.reason, answer.where)
            return UNKNOWN
        return self._names_in(found, facts, name)

    def _names_in(self, found: Found, facts: ModuleFacts, name: str) -> Answer:
        if facts.syntax_error is not None:
            return UNKNOWN
        if name in facts.defined:
            return YES
        if facts.dynamic:
            return UNKNOWN
        registered = f"{found.name}.{name}"
        if registered in facts.registers_modules:
            return YES
        lazy = facts.lazy_attach
        if lazy is not None:
            if lazy.from_stub:
                stub = self.stub_facts_of(found)
                if stub is None or name in stub.defined or stub.dynamic:
                    return UNKNOWN if stub is None else YES
            elif any(e.name == name for e in lazy.submodules) or any(e.name == name for _, e in lazy.attrs):
                return YES
        for star in self._star_sources(found, facts):
            if star is None:
                return UNKNOWN
            exported = self.exports(star)
            if exported is None or name in exported:
                return UNKNOWN if exported is None else YES
        if facts.getattr is not None:
            served = facts.getattr.serves
            if served is None or name in served:
                return UNKNOWN if served is None else YES
        if found.locations and (facts.dynamic_path or found.kind is not Kind.SOURCE):
            return UNKNOWN
        # certain: now say why
        if name in facts.typing_only:
            line = facts.typing_only[name]
            return Answer(Verdict.NO, f"'{name}' is only bound under `if TYPE_CHECKING:` (line {line}), which never runs", Location(facts.path, line))
        if name in facts.deleted:
            line = facts.deleted[name]
            return Answer(Verdict.NO, f"'{name}' is removed by `del` at line {line}", Location(facts.path, line))
        if name in facts.annotated_only:
            line = facts.annotated_only[name]
            return Answer(Verdict.NO, f"'{name}' is only annotated (line {line}), never assigned", Location(facts.path, line))
        if facts.getattr is not None and facts.getattr.serves is not None:
            served = ", ".join(sorted(facts.getattr.serves)) or "nothing"
            return Answer(Verdict.NO, f"its module-level __getattr__ only serves: {served}", facts.getattr.location)
        stars = [e for e in facts.imports if e.is_star and e.guard == e.guard.NONE]
        if stars:
            sources = ", ".join(e.module_text for e in stars)
            return Answer(Verdict.NO, f"it is not bound there, nor exported by its star import{'s' if len(stars) > 1 else ''} from {sources}")
        return Answer(Verdict.NO)

    def _submodule(self, found: Found, name: str) -> Found | None:
        if not found.locations:
            return None
        return self.finder.find_in(f"{found.name}.{name}", name, found.locations, found.first_party)

    def _star_sources(self, found: Found, facts: ModuleFacts):
        """Modules star-imported at run time; None for one that cannot be resolved."""
        for edge in facts.imports:
            if not edge.is_star or edge.guard & edge.guard.TYPE_CHECKING:
                continue
            target = absolute_target(edge, found.name, found.is_package)
            if target is None:
                yield None
                continue
            resolution = self.resolve(target, found.path)
            yield resolution.found

    def exports(self, found: Found) -> frozenset[str] | None:
        """What ``from found import *`` binds; None when unknowable."""
        key = found.path or found.name
        if key in self._exports:
            return self._exports[key]
        self._exports[key] = None  # cycle guard
        result = self._exports_uncached(found)
        self._exports[key] = result
        return result

    def _exports_uncached(self, found: Found) -> frozenset[str] | None:
        facts = self.facts_of(found)
        if facts is None:
            if found.kind is Kind.NAMESPACE:
                return frozenset()
            return None
        if facts.syntax_error is not None or facts.dynamic:
            return None
        if facts.all_entries is not None or facts.all_dynamic:
            if facts.all_dynamic:
                return None
            names = {e.name for e in facts.all_entries or ()}
            for ref in facts.all_sources:
                other = self._module_bound_to(found, facts, ref)
                if other is None:
                    return None
                other_exports = self.all_names(other)
                if other_exports is None:
                    return None
                names |= other_exports
            return frozenset(names)
        names = {n for n in facts.defined if not n.startswith("_")}
        for star in self._star_sources(found, facts):
            if star is None:
                return None
            exported = self.exports(star)
            if exported is None:
                return None
            names |= {n for n in exported if not n.startswith("_")}
        if facts.getattr is not None and facts.getattr.serves is None:
            pass  # star without __all__ reads __dict__ only: __getattr__ does not matter
        return frozenset(names)

    def all_names(self, found: Found) -> frozenset[str] | None:
        """The module's ``__all__`` (resolved through ``other.__all__`` references), or None."""
        facts = self.facts_of(found)
        if facts is None or facts.all_dynamic or facts.all_entries is None:
            return None
        return self.exports(found)

    def _module_bound_to(self, found: Found, facts: ModuleFacts, local: str) -> Found | None:
        """The module a local name like ``core`` (in ``core.__all__``) refers to."""
        head = local.split(".")[0]
        for edge in facts.imports:
            if edge.is_from:
                for imported in edge.names:
                    if (imported.asname or imported.name) == head:
                        base = absolute_target(edge, found.name, found.is_package)
                        if base is None:
                            return None
                        resolution = self.resolve(f"{base}.{imported.name}", found.path)
                        if resolution.found is not None:
                            return resolution.found
                        return None
            elif (edge.asname or edge.module_text.split(".")[0]) == head:
                target = edge.module_text if edge.asname else local
                resolution = self.resolve(target, found.path)
                return resolution.found
        # a submodule referenced without import (bound because it was imported elsewhere)
        if found.locations:
            return self._submodule(found, head)
        return None

    def script_dir_for(self, path: str) -> str | None:
        """The directory Python puts on sys.path when ``path`` runs as a script or test module."""
        directory = os.path.dirname(path)
        if directory in self.package_dirs:
            return None
        return directory
