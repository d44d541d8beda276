"""undefined-export: is every name a module promises in ``__all__`` (or through
``lazy_loader.attach``) really there at run time?"""

from __future__ import annotations

from typing import Iterator

from importgate.facts.model import ModuleFacts
from importgate.model import Finding, Location, Related
from importgate.project import Project
from importgate.resolve import absolute_target
from importgate import catalogue as C
from importgate.rules.resolution import _where_it_lives


def check(project: Project) -> Iterator[Finding]:
    importers = _star_importers(project)
    for facts in project.checked_modules():
        if facts.is_stub or facts.syntax_error is not None:
            continue
        if facts.all_entries and not facts.all_dynamic:
            yield from _check_all(project, facts, importers.get(facts.path, []))
        if facts.lazy_attach is not None and not facts.lazy_attach.from_stub:
            yield from _check_lazy(project, facts)


def _star_importers(project: Project) -> dict[str, list[tuple[ModuleFacts, Location]]]:
    """First-party modules that do ``from X import *``, by X's path."""
    out: dict[str, list[tuple[ModuleFacts, Location]]] = {}
    resolver = project.resolver
    for facts in project.facts.values():
        if facts.is_stub or facts.syntax_error is not None:
            continue
        for edge in facts.imports:
            if not edge.is_star:
                continue
            target = absolute_target(edge, facts.name, facts.is_package)
            if target is None:
                continue
            found = resolver.resolve(target, facts.path).found
            if found is not None and found.path in project.facts:
                out.setdefault(found.path, []).append((facts, edge.location))
    return out


def _check_all(project: Project, facts: ModuleFacts, importers) -> Iterator[Finding]:
    found = project.found_for(facts.path)
    resolver = project.resolver
    crash = [
        Related(loc, f"`from {facts.name} import *` in {importer.name} raises AttributeError here")
        for importer, loc in sorted(importers, key=lambda item: (item[1].path, item[1].line))
    ]
    seen: set[str] = set()
    for entry in facts.all_entries or ():
        if entry.name in seen:
            continue
        seen.add(entry.name)
        answer = resolver.provides(found, entry.name)
        if answer.ok:
            continue
        message = f"'{entry.name}' is listed in __all__ of {facts.name}, but the module never defines or imports it"
        if answer.reason:
            message += f" ({answer.reason})"
        lives, lives_hint, lives_related = _where_it_lives(project, found, entry.name)
        if lives_related:
            places = ", ".join(f"{project.rel(r.location.path)}:{r.location.line}" for r in lives_related)
            message += f"; it is defined in {places}"
        message += f"; `from {facts.name} import *` raises AttributeError"
        hint = lives_hint or f"remove '{entry.name}' from __all__, or define it"
        yield Finding(
            rule=C.UNDEFINED_EXPORT,
            location=entry.location,
            message=message,
            module=facts.name,
            name=entry.name,
            hint=hint,
            related=tuple(crash) + tuple(lives_related),
            group=("name", facts.path, entry.name),
        )


def _check_lazy(project: Project, facts: ModuleFacts) -> Iterator[Finding]:
    lazy = facts.lazy_attach
    assert lazy is not None
    found = project.found_for(facts.path)
    resolver = project.resolver
    for entry in lazy.submodules:
        if resolver.resolve(f"{facts.name}.{entry.name}", facts.path).certain_missing:
            yield Finding(
                rule=C.UNRESOLVED_MODULE,
                location=entry.location,
                message=(
                    f"No module named '{facts.name}.{entry.name}': lazy_loader.attach() in {facts.name} "
                    f"serves submodule '{entry.name}', which does not exist"
                ),
                module=f"{facts.name}.{entry.name}",
                hint="fix the spelling in the submodules list, or add the module",
            )
    for submodule, entry in lazy.attrs:
        resolution = resolver.resolve(f"{facts.name}.{submodule}", facts.path)
        if resolution.found is None:
            if resolution.certain_missing:
                yield Finding(
                    rule=C.UNRESOLVED_MODULE,
                    location=entry.location,
                    message=(
                        f"No module named '{facts.name}.{submodule}': lazy_loader.attach() in {facts.name} "
                        f"serves '{entry.name}' from it"
                    ),
                    module=f"{facts.name}.{submodule}",
                )
            continue
        answer = resolver.provides(resolution.found, entry.name)
        if answer.ok:
            continue
        yield Finding(
            rule=C.MISSING_NAME,
            location=entry.location,
            message=(
                f"cannot import name '{entry.name}' from '{facts.name}.{submodule}': lazy_loader.attach() in "
                f"{facts.name} serves it, but the submodule does not define it"
                + (f" ({answer.reason})" if answer.reason else "")
            ),
            module=f"{facts.name}.{submodule}",
            name=entry.name,
            hint="fix the spelling in submod_attrs, or define the name",
            related=(Related(answer.where, answer.reason),) if answer.where is not None and answer.reason else (),
            group=("name", found.path or facts.path, entry.name),
        )
