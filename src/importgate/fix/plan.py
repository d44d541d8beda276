"""What ``--fix`` would change for one finding, decided from facts alone.

Pure: a Finding and the Project in, a ``Planned`` set of abstract changes (or a
``Refused`` reason) out. No file is read here; ``apply`` turns changes into
text. A fix is planned only when exactly one outcome is right; everything else
is refused with the reason and the candidates, because a wrong "fix" to an
import is worse than none.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Union

from importgate.facts.model import ImportEdge, ModuleFacts
from importgate.model import Finding
from importgate.project import Definition, Project
from importgate.public_api import origin_of
from importgate.resolve import Verdict, absolute_target

# -- changes (abstract edits, rendered by apply.py) ------------------------------------


@dataclass(slots=True, unsafe_hash=True)
class AddImport:
    """Bind ``name`` in the package at ``path`` by importing it from ``source`` (absolute)."""

    path: str
    source: str
    name: str


@dataclass(slots=True, unsafe_hash=True)
class AddToAll:
    """Add ``name`` to ``__all__`` of the module at ``path``."""

    path: str
    name: str


@dataclass(slots=True, unsafe_hash=True)
class RemoveFromAll:
    """Remove ``name`` from ``__all__`` of the module at ``path``."""

    path: str
    name: str


@dataclass(slots=True, unsafe_hash=True)
class RenameInAll:
    """Replace ``old`` by ``new`` in ``__all__`` of the module at ``path``."""

    path: str
    old: str
    new: str


@dataclass(slots=True, unsafe_hash=True)
class RenameImport:
    """In every ``from <source> import old`` of ``path``, import ``new`` instead."""

    path: str
    source: str
    old: str
    new: str


Change = Union[AddImport, AddToAll, RemoveFromAll, RenameInAll, RenameImport]


@dataclass(slots=True, unsafe_hash=True)
class Planned:
    """A fix for one finding: the changes, and whether applying them is safe."""

    changes: tuple[Change, ...]
    applicability: str  # "safe" | "unsafe"
    description: str


@dataclass(slots=True, unsafe_hash=True)
class Refused:
    """No fix for a finding, and why (shown in its hint)."""

    reason: str


Decision = Union[Planned, Refused, None]

MAX_LISTED = 5


def plan(finding: Finding, project: Project, cache: dict | None = None) -> Decision:
    """The fix for one finding, or why there is none (None: nothing to fix of this kind).

    ``cache`` (any dict, shared across the findings of one report) keeps the import
    graph walks of the cycle check from being repeated for every finding.
    """
    planner = _PLANNERS.get(finding.rule.name)
    if finding.name is None or planner is None:
        return None
    return planner(finding, project, {} if cache is None else cache)


# -- missing-name -----------------------------------------------------------------


def _missing_name(finding: Finding, project: Project, cache: dict) -> Decision:
    name, module = finding.name, finding.module
    if module is None or name is None:
        return None
    init = _package_init(project, module)
    if init is not None:
        package = project.facts[init]
        inside = _inside_definitions(project, package, name)
        if len(inside) > 1:
            return Refused(
                f"'{name}' is defined in {len(inside)} modules of {module} ({_places(project, inside)}), "
                f"so which one {module} should re-export is a choice for a person"
            )
        if len(inside) == 1:
            return _reexport(project, package, name, inside[0], True, cache)
    return _typo_in_import(finding, project, module, name)


def _typo_in_import(finding: Finding, project: Project, module: str, name: str) -> Decision:
    found = project.resolver.resolve(module, finding.location.path).found
    if found is None:
        return None
    close = close_names(project, found, name)
    if not close:
        return None
    if len(close) > 1:
        return Refused(f"several names in {module} are spelled like '{name}': " + ", ".join(f"'{c}'" for c in close))
    new = close[0]
    paths = []
    for loc in [finding.location] + [r.location for r in finding.related]:  # merged importers too
        facts = project.facts.get(loc.path)
        if facts is not None and _imports_name_at(facts, module, name, loc.line, loc.column):
            paths.append(loc.path)
    if not paths:
        return None  # not an import statement (a lazy_loader table, say): nothing to rename
    changes = tuple(RenameImport(path, module, name, new) for path in dict.fromkeys(paths))
    return Planned(changes, "unsafe", f"import '{new}' instead of the misspelled '{name}' from {module}")


def _imports_name_at(facts: ModuleFacts, module: str, name: str, line: int, column: int) -> bool:
    for edge in facts.imports:
        if not edge.is_from or absolute_target(edge, facts.name, facts.is_package) != module:
            continue
        if any(n.name == name and n.location.line == line and n.location.column == column for n in edge.names):
            return True
    return False


# -- undefined-export ---------------------------------------------------------------


def _undefined_export(finding: Finding, project: Project, cache: dict) -> Decision:
    facts = project.facts.get(finding.location.path)
    name = finding.name
    if facts is None or name is None or facts.is_stub:
        return None
    if facts.all_dynamic:
        return Refused(f"__all__ of {facts.name} is computed, so importgate cannot rewrite it")
    bound = _bound_otherwise(facts, name)
    if bound:
        return Refused(bound)
    elsewhere = [d for d in project.definitions(name) if d.path != facts.path]
    inside = _inside_definitions(project, facts, name) if facts.is_package else []
    if len(inside) == 1:
        return _reexport(project, facts, name, inside[0], False, cache)
    if len(inside) > 1:
        return Refused(
            f"'{name}' is defined in {len(inside)} modules of {facts.name} ({_places(project, inside)}), "
            f"so which one to import is a choice for a person"
        )
    if elsewhere:
        return Refused(
            f"'{name}' is defined only outside {facts.name} ({_places(project, elsewhere)}): "
            f"import it by hand if {facts.name} should re-export it, or remove it from __all__"
        )
    listed = {e.name for e in facts.all_entries or ()}
    close = [c for c in close_names(project, project.found_for(facts.path), name) if not c.startswith("_")]
    if len(close) > 1:
        return Refused(f"several names in {facts.name} are spelled like '{name}': " + ", ".join(f"'{c}'" for c in close))
    if len(close) == 1 and close[0] not in listed:
        new = close[0]
        return Planned(
            (RenameInAll(facts.path, name, new),),
            "unsafe",
            f"list '{new}' in __all__ of {facts.name} instead of the misspelled '{name}'",
        )
    return Planned(
        (RemoveFromAll(facts.path, name),),
        "safe",
        f"remove '{name}' from __all__ of {facts.name}: nothing in the project defines it",
    )


# -- implicit-reexport ------------------------------------------------------------------


def _implicit_reexport(finding: Finding, project: Project, cache: dict) -> Decision:
    facts = project.facts.get(finding.location.path)
    name = finding.name
    if facts is None or name is None or facts.all_entries is None or facts.all_dynamic:
        return None
    from importgate.public_api import runtime_binding

    binding = runtime_binding(facts, name)
    if binding is None:
        return None
    edge = binding[0]
    origin = absolute_target(edge, facts.name, facts.is_package) or ""
    inside = origin == facts.name or origin.startswith(facts.name + ".")
    if not (inside or project.is_first_party_name(origin)):
        return None  # `from typing import Any`: the importer should import it from typing
    return Planned(
        (AddToAll(facts.path, name),),
        "safe" if inside else "unsafe",
        f"add '{name}' to __all__ of {facts.name}",
    )


# -- shared -------------------------------------------------------------------------


def _package_init(project: Project, module: str) -> str | None:
    """The first-party __init__.py that ``module`` names, if it is one importgate may edit."""
    for path in project.layout.modules.get(module, ()):
        facts = project.facts.get(path)
        if facts is not None and facts.is_package and not facts.is_stub and path.endswith(".py"):
            return path
    return None


def _inside_definitions(project: Project, package: ModuleFacts, name: str) -> list[Definition]:
    prefix = package.name + "."
    return [d for d in project.definitions(name) if d.path != package.path and d.module.startswith(prefix)]


def _places(project: Project, defs: list[Definition]) -> str:
    text = ", ".join(f"{project.rel(d.path)}:{d.line}" for d in defs[:MAX_LISTED])
    return text + (f" and {len(defs) - MAX_LISTED} more" if len(defs) > MAX_LISTED else "")


def _bound_otherwise(facts: ModuleFacts, name: str) -> str | None:
    """Why the module deliberately does not bind ``name`` at run time, if it looks deliberate."""
    if name in facts.typing_only:
        return f"{facts.name} imports '{name}' only under `if TYPE_CHECKING:` (line {facts.typing_only[name]}), presumably on purpose"
    if name in facts.deleted:
        return f"{facts.name} deletes '{name}' with `del` at line {facts.deleted[name]}"
    if name in facts.annotated_only:
        return f"{facts.name} only annotates '{name}' (line {facts.annotated_only[name]})"
    return None


def _blocked(facts: ModuleFacts, name: str) -> str | None:
    """Why an import must not be added to this __init__ by a tool."""
    if facts.syntax_error is not None:
        return f"{facts.name} does not parse"
    if facts.dynamic:
        return f"{facts.name} is dynamic ({facts.dynamic}), so its names are unknowable"
    if facts.lazy_attach is not None:
        return f"{facts.name} loads its names lazily with lazy_loader.attach(); add '{name}' to its table by hand"
    if facts.getattr is not None:
        if facts.getattr.serves is None:
            return f"{facts.name} has a module-level __getattr__ that may serve any name"
        return (
            f"{facts.name} has a module-level __getattr__ (line {facts.getattr.location.line}) that serves some names "
            f"lazily; whether '{name}' belongs there or in an eager import is a choice for a person"
        )
    return _bound_otherwise(facts, name)


def _reexport(project: Project, package: ModuleFacts, name: str, definition: Definition, list_in_all: bool, cache: dict) -> Decision:
    blocked = _blocked(package, name)
    if blocked:
        return Refused(blocked)
    listed = package.all_entries is not None and any(e.name == name for e in package.all_entries)
    add_to_all = list_in_all and package.all_entries is not None and not listed
    if list_in_all and package.all_dynamic:
        return Refused(f"__all__ of {package.name} is computed, so importgate cannot keep it in step with the new import")
    if add_to_all and package.all_sources:
        exported = project.resolver.all_names(project.found_for(package.path))
        if exported is None:
            return Refused(f"__all__ of {package.name} includes other modules' __all__ that importgate cannot read")
        add_to_all = name not in exported
    source = best_source(project, package, name, definition)
    cycle = circular(project, package, source, name, cache)
    if cycle:
        return Refused(cycle)
    changes: list[Change] = [AddImport(package.path, source, name)]
    if add_to_all:
        changes.append(AddToAll(package.path, name))
    where = project.rel(package.path)
    text = f"re-export '{name}' from {source} in {where}" + (" and list it in __all__" if add_to_all else "")
    return Planned(tuple(changes), "safe", text)


def best_source(project: Project, package: ModuleFacts, name: str, definition: Definition) -> str:
    """The module to import from: the shallowest subpackage on the way that already exports
    the name (``from .sub import X`` rather than ``from .sub._impl import X``), else where it is defined."""
    parts = definition.module.split(".")
    depth = package.name.count(".") + 1
    for i in range(depth + 1, len(parts)):
        ancestor = ".".join(parts[:i])
        path = _package_init(project, ancestor)
        if path is None:
            continue
        facts = project.facts[path]
        if facts.dynamic or name not in facts.defined:
            continue
        if facts.all_entries is not None and name not in {e.name for e in facts.all_entries}:
            continue  # only an incidental import there
        origin = origin_of(project, ancestor, path, name)
        if origin is not None and origin.path == definition.path:
            return ancestor
    return definition.module


# -- cycles -------------------------------------------------------------------------------


def _module_level(edge: ImportEdge) -> bool:
    return edge.guard.at_import


def _executed(project: Project, facts: ModuleFacts, edge: ImportEdge) -> list[tuple[str, str]]:
    """First-party (dotted name, path) that running this import statement executes."""
    base = absolute_target(edge, facts.name, facts.is_package)
    if base is None:
        return []
    names = [base]
    if edge.is_from:
        names += [f"{base}.{n.name}" for n in edge.names if n.name != "*"]
    parts = base.split(".")
    dotted = [".".join(parts[:i]) for i in range(1, len(parts))] + names
    out = []
    for d in dotted:
        for path in project.layout.modules.get(d, ()):
            target = project.facts.get(path)
            if target is not None and not target.is_stub:
                out.append((d, path))
                break
    return out


def _imports_package(project: Project, facts: ModuleFacts, edge: ImportEdge, package: str) -> bool:
    """Does this statement need the package's namespace (not just one of its submodules)?"""
    if absolute_target(edge, facts.name, facts.is_package) != package:
        return False
    if not edge.is_from or edge.is_star:
        return True
    return any(f"{package}.{n.name}" not in project.layout.modules for n in edge.names)


def circular(project: Project, package: ModuleFacts, source: str, name: str, cache: dict | None = None) -> str | None:
    """Why importing ``source`` from the package's __init__ would create an import cycle, if it would.

    Two ways: the source module (or anything it imports at module level) imports the
    package itself while the package is still initialising; or the package's own
    initialisation already runs a module that imports ``name`` from the package.
    """
    cache = {} if cache is None else cache
    key = ("source", package.path, source)
    if key not in cache:
        cache[key] = _imports_package_from(project, package, source, cache)
    found = cache[key]
    if found is not None:
        chain, path, line, needed, why = found
        return (
            f"`from {_relative(source, package.name)} import {name}` in {package.name} would create a circular import: "
            f"{' -> '.join(chain)} imports {needed} at module level ({project.rel(path)}:{line}){why}"
        )
    key = ("init", package.path)
    if key not in cache:
        cache[key] = _names_needed_during_init(project, package)
    early = cache[key].get(name)
    if early is not None:
        chain, path, line = early
        return (
            f"{package.name}'s own initialisation runs {chain[-1]}, which imports '{name}' from {package.name} "
            f"({project.rel(path)}:{line}) before a new import could bind it; reorder the imports by hand"
        )
    return None


def _walk(project: Project, start: str, first: str, skip: set[str]):
    """Breadth-first over module-level first-party imports: (path, chain of dotted names, facts)."""
    seen = {start} | skip
    queue: list[tuple[str, tuple[str, ...]]] = [(start, (first,))]
    while queue:
        path, chain = queue.pop(0)
        facts = project.facts[path]
        yield path, chain, facts
        for edge in facts.imports:
            if not _module_level(edge):
                continue
            for dotted, target in _executed(project, facts, edge):
                if target not in seen:
                    seen.add(target)
                    queue.append((target, chain + (dotted,)))


def _imports_package_from(project: Project, package: ModuleFacts, source: str, cache: dict):
    """The first module-level import, run by importing ``source``, that needs a namespace
    which is still half-built while the package initialises: the package's own, or that of
    an ancestor package whose __init__ is what imports the package (for names it binds
    only after that point). Ancestors are never re-run (they are in sys.modules already),
    so the walk does not enter them."""
    start = _package_init(project, source) or project.source_path(source)
    if start is None:
        return None
    parts = package.name.split(".")
    ancestors = {}
    for i in range(1, len(parts)):
        path = _package_init(project, ".".join(parts[:i]))
        if path is not None:
            ancestors[".".join(parts[:i])] = path
    skip = {package.path} | set(ancestors.values())
    for path, chain, facts in _walk(project, start, source, skip):
        for edge in facts.imports:
            if not _module_level(edge):
                continue
            if _imports_package(project, facts, edge, package.name):
                return chain, path, edge.location.line, package.name, f" while {package.name} is still initialising"
            target = absolute_target(edge, facts.name, facts.is_package)
            if target in ancestors and edge.is_from and _imports_package(project, facts, edge, target):
                ancestor = project.facts[ancestors[target]]
                line = _line_that_runs(project, ancestor, package.path, cache)
                if line is None:
                    continue  # the ancestor does not import the package: it is complete by then
                late = [n.name for n in edge.names if n.name != "*" and ancestor.defined.get(n.name, line + 1) > line]
                if late or edge.is_star:
                    what = ", ".join(f"'{n}'" for n in late) or "*"
                    why = (
                        f", but {target} is itself still initialising then (it imports {package.name} at "
                        f"{project.rel(ancestor.path)}:{line}) and binds {what} only later"
                    )
                    return chain, path, edge.location.line, f"{what} from {target}", why
    return None


def _line_that_runs(project: Project, facts: ModuleFacts, target: str, cache: dict) -> int | None:
    """The line of the first module-level import in ``facts`` whose execution runs ``target``."""
    key = ("runs", facts.path, target)
    if key not in cache:
        cache[key] = None
        for edge in facts.imports:
            if not _module_level(edge):
                continue
            for _, path in _executed(project, facts, edge):
                if path == facts.path:
                    continue  # its own package, in sys.modules already
                if path == target or target in _closure(project, path, facts.path, cache):
                    cache[key] = edge.location.line
                    break
            if cache[key] is not None:
                break
    return cache[key]


def _closure(project: Project, start: str, skip: str, cache: dict) -> frozenset[str]:
    key = ("closure", start, skip)
    if key not in cache:
        cache[key] = frozenset(p for p, _, _ in _walk(project, start, "", {skip}))
    return cache[key]


def _names_needed_during_init(project: Project, package: ModuleFacts) -> dict[str, tuple]:
    """Names that modules run by the package's own initialisation import from the package."""
    out: dict[str, tuple] = {}
    for path, chain, facts in _walk(project, package.path, package.name, set()):
        if path == package.path:
            continue
        for edge in facts.imports:
            if _module_level(edge) and edge.is_from and absolute_target(edge, facts.name, facts.is_package) == package.name:
                for n in edge.names:
                    out.setdefault(n.name, (chain, path, edge.location.line))
    return out


def _relative(source: str, package: str) -> str:
    return "." + source[len(package) + 1:] if source.startswith(package + ".") else source


# -- spelling ---------------------------------------------------------------------------------


def close_names(project: Project, found, name: str) -> list[str]:
    """Names the module really provides that are spelled like ``name`` (at most a few)."""
    resolver = project.resolver
    facts = resolver.facts_of(found)
    if facts is None or facts.dynamic or facts.syntax_error is not None:
        return []
    candidates = set(facts.defined)
    if facts.getattr is not None and facts.getattr.serves:
        candidates |= facts.getattr.serves
    if found.locations:
        candidates |= resolver.finder.submodule_names(found)
    exported = resolver.exports(found)
    if exported:
        candidates |= exported
    candidates.discard(name)
    if not name.startswith("_"):
        candidates = {c for c in candidates if not c.startswith("_")}
    close = difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.8)
    return [c for c in close if resolver.provides(found, c).verdict is Verdict.YES]


# the rules whose findings can get a fix, and how each is planned
_PLANNERS = {"missing-name": _missing_name, "undefined-export": _undefined_export, "implicit-reexport": _implicit_reexport}
FIXED_RULES = frozenset(_PLANNERS)
