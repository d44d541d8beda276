"""The public API of first-party packages as importgate sees it (``importgate exports``).

For each package: the names it promises (``__all__``, else its public names),
where each one is really defined (following re-export chains), and which
modules outside the package import it. Names that outsiders import but the
package does not declare are listed too: they are the API nobody wrote down.
Pure analysis over a Project; rendering is at the bottom.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from importgate.facts.model import ModuleFacts
from importgate.project import Project
from importgate.resolve import Verdict, absolute_target



@dataclass(slots=True, unsafe_hash=True)
class Origin:
    """Where a name a module provides is really bound."""

    module: str
    path: str | None
    line: int
    via: tuple[str, ...] = ()  # modules that re-export it on the way, outermost first
    kind: str = "definition"  # "definition" | "module" (the name is a module)


@dataclass(slots=True, unsafe_hash=True)
class Use:
    """One import of a package's name from outside the package."""

    module: str
    path: str
    line: int


@dataclass(slots=True, unsafe_hash=True)
class Export:
    """One name a package exports, where it is defined and who imports it."""

    name: str
    origin: Origin | None
    status: str  # "ok" | "missing" (not there at run time) | "implicit" (there, but undeclared) | "unknown"
    imported_by: tuple[Use, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class PackageApi:
    """The public API of one first-party package."""

    name: str
    path: str
    declared_by: str  # "__all__" | "computed __all__" | "public names"
    exports: tuple[Export, ...]
    undeclared: tuple[Export, ...] = ()  # imported from outside, not exported
    star_imported_by: tuple[Use, ...] = field(default=())


# -- origins ----------------------------------------------------------------------


def runtime_binding(facts: ModuleFacts, name: str):
    """The last module-level import that binds ``name`` at run time: (edge, imported or None)."""
    found = None
    for edge in facts.imports:
        if not edge.guard.at_import:
            continue
        if edge.is_from:
            for imported in edge.names:
                if imported.name != "*" and (imported.asname or imported.name) == name:
                    found = (edge, imported)
        elif (edge.asname or edge.module_text.split(".")[0]) == name:
            found = (edge, None)
    return found


def origin_of(project: Project, module: str, path: str | None, name: str, _via: tuple[str, ...] = ()) -> Origin | None:
    """Follow ``from x import name`` chains (and star imports) to the definition."""
    if path is None or len(_via) > 16:
        return None
    resolver = project.resolver
    facts = project.facts.get(path)
    if facts is None:
        found = resolver.resolve(module, None).found
        facts = resolver.facts_of(found) if found is not None and found.path == path else None
    if facts is None or facts.syntax_error is not None:
        return None
    if name in facts.own_definitions and name in facts.defined:
        return Origin(module, path, facts.defined[name], _via)
    binding = runtime_binding(facts, name)
    if binding is not None:
        edge, imported = binding
        if imported is None:  # `import x.y as name`
            target = edge.module_text if edge.asname else edge.module_text.split(".")[0]
            found = resolver.resolve(target, path).found
            return Origin(found.name, found.path, 1, _via + (module,), "module") if found is not None else None
        base = absolute_target(edge, module, facts.is_package)
        if base is None:
            return None
        found = resolver.resolve(base, path).found
        if found is None:
            return None
        if found.is_package:
            sub = resolver.finder.find_in(f"{base}.{imported.name}", imported.name, found.locations, found.first_party)
            if sub is not None:
                return Origin(sub.name, sub.path, 1, _via + (module,), "module")
        return origin_of(project, found.name, found.path, imported.name, _via + (module,))
    for edge in facts.imports:
        if not edge.is_star or not edge.guard.at_import:
            continue
        base = absolute_target(edge, module, facts.is_package)
        found = resolver.resolve(base, path).found if base else None
        if found is None:
            continue
        exported = resolver.exports(found)
        if exported is not None and name in exported:
            return origin_of(project, found.name, found.path, name, _via + (module,))
    if name in facts.defined:
        return Origin(module, path, facts.defined[name], _via)
    if facts.is_package:
        sub = project.layout.modules.get(f"{module}.{name}")
        if sub:
            return Origin(f"{module}.{name}", sub[0], 1, _via + (module,), "module")
    return None


# -- packages ------------------------------------------------------------------------


def configured_packages(project_root: str) -> list[str]:
    """``[tool.importgate.exports] packages``; unknown keys are errors, as everywhere."""
    from importgate.config import ConfigError, read_pyproject, tool_table

    data, _ = read_pyproject(project_root)
    table = tool_table(data).get("exports", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.importgate.exports] must be a table")
    unknown = sorted(set(table) - {"packages"})
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in [tool.importgate.exports] (known keys: packages)")
    packages = table.get("packages", [])
    if isinstance(packages, str):
        packages = [packages]
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        raise ConfigError("[tool.importgate.exports] packages must be a list of dotted package names")
    return packages


def first_party_packages(project: Project) -> dict[str, str]:
    """Dotted name -> __init__.py path of every first-party regular package."""
    out: dict[str, str] = {}
    for path, facts in sorted(project.facts.items()):
        if facts.is_package and not facts.is_stub and facts.name:
            out.setdefault(facts.name, path)
    return out


def collect(project: Project, names: list[str] | None = None) -> list[PackageApi]:
    """The API of the named packages (modules work too), or of every first-party package."""
    packages = first_party_packages(project)
    if not names:
        targets = sorted(packages.items())
    else:
        targets = []
        for name in names:
            path = packages.get(name) or project.source_path(name)
            if path is None:
                raise LookupError(name)
            targets.append((name, path))
    uses, stars = _outside_uses(project)
    return [package_api(project, path, uses.get(path, {}), stars.get(path, [])) for _, path in targets]


def _outside_uses(project: Project):
    """path -> name -> uses, and path -> star importers, for imports from outside the module's package."""
    uses: dict[str, dict[str, list[Use]]] = {}
    stars: dict[str, list[Use]] = {}
    for facts in sorted(project.facts.values(), key=lambda f: f.path):
        if facts.is_stub or facts.syntax_error is not None:
            continue
        for edge in facts.imports:
            found = project.outside_source(facts, edge)
            if found is None:
                continue
            for imported in edge.names:
                use = Use(facts.name, facts.path, imported.location.line)
                if imported.name == "*":
                    stars.setdefault(found.path, []).append(use)
                else:
                    uses.setdefault(found.path, {}).setdefault(imported.name, []).append(use)
    return uses, stars


def package_api(project: Project, path: str, uses: dict[str, list[Use]], stars: list[Use]) -> PackageApi:
    facts = project.facts[path]
    found = project.found_for(path)
    resolver = project.resolver
    if facts.all_dynamic:
        declared_by, names = "computed __all__", []
    elif facts.all_entries is not None:
        declared_by = "__all__"
        names = list(dict.fromkeys(e.name for e in facts.all_entries))
        full = resolver.all_names(found)
        names += sorted(n for n in (full or ()) if n not in names)
    else:
        declared_by = "public names"
        names = sorted(n for n in facts.defined if not n.startswith("_") and _public_by_convention(project, facts, n))

    def export(name: str, undeclared: bool = False) -> Export:
        answer = resolver.provides(found, name)
        if answer.verdict is Verdict.NO:
            status = "missing"
        elif answer.verdict is Verdict.YES:
            status = "implicit" if undeclared else "ok"
        else:
            status = "unknown"
        origin = origin_of(project, facts.name, path, name) if status != "missing" else None
        return Export(name, origin, status, tuple(uses.get(name, ())))

    exports = tuple(export(n) for n in names)
    declared = set(names)
    undeclared = []
    for name in sorted(uses):
        if name in declared or f"{facts.name}.{name}" in project.layout.modules:
            continue  # submodules are importable whatever __init__ says
        undeclared.append(export(name, undeclared=True))
    return PackageApi(facts.name, path, declared_by, exports, tuple(undeclared), tuple(stars))


def _public_by_convention(project: Project, facts: ModuleFacts, name: str) -> bool:
    """Without __all__: own definitions and re-exports from inside the package are API;
    modules and names it merely imports from elsewhere (os, typing.Any) are not."""
    if name in facts.own_definitions:
        return True
    binding = runtime_binding(facts, name)
    if binding is None:
        return False
    edge, imported = binding
    if imported is None:
        return False
    base = absolute_target(edge, facts.name, facts.is_package) or ""
    return base == facts.name or base.startswith(facts.name + ".")


# -- rendering -----------------------------------------------------------------------


def render_text(apis: list[PackageApi], rel) -> str:
    lines: list[str] = []
    for api in apis:
        count = len(api.exports)
        what = f"{api.declared_by}: {count} name{'s' if count != 1 else ''}"
        if api.declared_by == "computed __all__":
            what = "__all__ is computed: its names cannot be read statically"
        lines.append(f"{api.name}  {rel(api.path)}  ({what})")
        width = max([len(e.name) for e in api.exports + api.undeclared] + [8]) + 2
        for e in api.exports:
            lines.append("  " + _line(e, width, rel))
        if api.undeclared:
            lines.append("  imported from outside, but not declared:")
            for e in api.undeclared:
                lines.append("    " + _line(e, width, rel))
        if api.star_imported_by:
            lines.append("  star-imported by: " + ", ".join(f"{u.module}:{u.line}" for u in api.star_imported_by))
        lines.append("")
    if not apis:
        lines.append("No first-party packages found.")
    return "\n".join(lines).rstrip("\n") + "\n"


def _line(e: Export, width: int, rel) -> str:
    if e.status == "missing":
        where = "NOT DEFINED (importing it fails)"
    elif e.origin is None:
        where = "(cannot tell where it is defined)"
    else:
        where = f"{rel(e.origin.path)}:{e.origin.line}" if e.origin.path else e.origin.module
        if e.origin.kind == "module":
            where += " (module)"
    if e.status == "implicit":
        where += "  [implicit re-export]"
    users = ", ".join(f"{u.module}:{u.line}" for u in e.imported_by)
    return f"{e.name:<{width}}{where}" + (f"  <- {users}" if users else "")


def render_json(apis: list[PackageApi], rel) -> str:
    def use(u: Use) -> dict:
        return {"module": u.module, "path": rel(u.path), "line": u.line}

    def export(e: Export) -> dict:
        origin = None
        if e.origin is not None:
            origin = {
                "module": e.origin.module,
                "path": rel(e.origin.path) if e.origin.path else None,
                "line": e.origin.line,
                "kind": e.origin.kind,
                "via": list(e.origin.via),
            }
        return {"name": e.name, "status": e.status, "defined": origin, "imported_by": [use(u) for u in e.imported_by]}

    data = {
        "version": 1,
        "packages": [
            {
                "package": api.name,
                "path": rel(api.path),
                "declared_by": api.declared_by,
                "exports": [export(e) for e in api.exports],
                "undeclared": [export(e) for e in api.undeclared],
                "star_imported_by": [use(u) for u in api.star_imported_by],
            }
            for api in apis
        ],
    }
    return json.dumps(data, indent=2) + "\n"
