"""implicit-reexport: a package's public API is what its ``__all__`` says.

Code outside a package that imports a name the package merely happens to import
works today, and breaks the day someone tidies that import away; type checkers
(mypy's no-implicit-reexport, pyright's strict mode) already reject it. Only
packages that declare a literal ``__all__`` are judged: without one every public
name is exported by convention, and a computed one cannot be read.
"""

from __future__ import annotations

from typing import Iterator

from importgate.facts.model import ImportedName, ModuleFacts
from importgate.model import Finding, Related
from importgate.project import Project
from importgate.public_api import runtime_binding
from importgate.resolve import absolute_target
from importgate import catalogue as C

Site = tuple[ModuleFacts, ImportedName]


def check(project: Project) -> Iterator[Finding]:
    for (package_path, name), sites in sorted(_outside_uses(project).items()):
        finding = _judge(project, project.facts[package_path], name, sites)
        if finding is not None:
            yield finding


def _outside_uses(project: Project) -> dict[tuple[str, str], list[Site]]:
    """(package __init__ path, name) -> the from-imports of that name by modules outside the package."""
    out: dict[tuple[str, str], list[Site]] = {}
    for facts in project.facts.values():
        if facts.is_stub or facts.syntax_error is not None:
            continue
        for edge in facts.imports:
            package = project.outside_package(facts, edge)
            if package is None:
                continue
            for imported in edge.names:
                out.setdefault((package, imported.name), []).append((facts, imported))
    return out


def incidental(project: Project, package: ModuleFacts, name: str):
    """How ``package`` binds ``name`` when it only imports it and its literal ``__all__`` leaves
    it out, (edge, imported name or None); else None. Whoever imports it from outside does not
    change the answer."""
    if package.is_stub or package.syntax_error is not None or package.dynamic:
        return None
    if package.all_entries is None or package.all_dynamic or name.startswith("_"):
        return None
    if name not in package.defined or name in package.own_definitions:
        return None  # missing (another rule) or defined right there (not a re-export)
    if f"{package.name}.{name}" in project.layout.modules:
        return None  # a submodule: importable whatever __init__ says
    exported = project.resolver.all_names(project.found_for(package.path))
    if exported is None or name in exported:
        return None
    binding = runtime_binding(package, name)
    if binding is None:
        return None
    _, imported = binding
    if imported is not None and imported.asname == imported.name:
        return None  # `from .x import X as X`: the PEP 484 spelling of an explicit re-export
    return binding


def _judge(project: Project, package: ModuleFacts, name: str, sites: list[Site]) -> Finding | None:
    binding = incidental(project, package, name)
    if binding is None:
        return None
    edge, imported = binding
    if not any(project.reported(p) for p in [package.path] + [s.path for s, _ in sites]):
        return None
    origin = absolute_target(edge, package.name, package.is_package) or edge.module_text
    inside = origin == package.name or origin.startswith(package.name + ".")
    sites = sorted(sites, key=lambda s: (s[1].location.path, s[1].location.line, s[1].location.column))
    users = ", ".join(f"{project.rel(s[1].location.path)}:{s[1].location.line}" for s in sites[:3])
    if len(sites) > 3:
        users += f" and {len(sites) - 3} more"
    message = (
        f"'{name}' is imported from {package.name} outside it ({users}), but {package.name} only imports it "
        f"from '{origin}' and its __all__ leaves it out, so it is not part of the package's declared API"
    )
    if inside or project.is_first_party_name(origin):
        hint = f"add '{name}' to __all__ of {package.name} if it is meant to be public, or import it from '{origin}'"
    else:
        hint = f"import it from '{origin}', where it comes from"
    location = imported.location if imported is not None else edge.location
    return Finding(
        rule=C.IMPLICIT_REEXPORT,
        location=location,
        message=message,
        module=package.name,
        name=name,
        hint=hint,
        related=tuple(Related(s[1].location, f"imports '{name}' from {package.name}") for s in sites),
    )
