"""From the static facts to a probe plan: which modules to import, what the
fork server may preload, and which missing packages are optional.

Pure functions over a ``Project`` (built by the static engine); nothing here
runs the analysed code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from importgate.facts.distributions import known_modules
from importgate.facts.manifest import canonical
from importgate.facts.model import Guard
from importgate.model import Location
from importgate.probe.results import Task
from importgate.probe.runner import CHILD_FILE, SessionSpec, default_temp_dirs
from importgate.probe.settings import ProbeSettings
from importgate.project import Project
from importgate.resolve import absolute_target


@dataclass(slots=True, unsafe_hash=True)
class Target:
    """A module (or ``module:attr``) the probe imports."""

    module: str
    attr: str | None
    path: str | None  # first-party file, when known
    declared: Location | None = None  # where an entry point names it (pyproject.toml)


@dataclass(slots=True, unsafe_hash=True)
class Plan:
    """What a probe imports, in which session, and what it leaves out."""

    targets: tuple[Target, ...]
    session: SessionSpec
    optional: dict[str, str]  # third-party top-level import name -> why it is optional
    module_paths: dict[str, str]  # first-party module -> file
    excluded: tuple[tuple[str, str], ...]  # (module, skip pattern) never imported

    def tasks(self) -> list[Task]:
        return [Task(i, t.module, t.attr, t.path) for i, t in enumerate(self.targets)]


def first_party_modules(project: Project) -> dict[str, str]:
    """Every first-party module -> the file Python would run for it.

    One name per file: its primary name (``pkg.mod`` under ``src/``, not also
    ``src.pkg.mod`` through the namespace package the project root makes).
    """
    out = {}
    for dotted, paths in project.layout.modules.items():
        runnable = next((p for p in paths if p.endswith(".py")), None)
        if runnable is not None and project.layout.names.get(runnable) == dotted:
            out[dotted] = runnable
    return out


def parse_entry(text: str) -> tuple[str, str | None]:
    """``pkg.mod``, ``pkg.mod:attr.sub`` or an entry-point value ``pkg.mod:func [extra]``."""
    text = re.sub(r"\[.*\]\s*$", "", text.strip()).strip()
    module, _, attr = text.partition(":")
    return module.strip(), (attr.strip() or None)


def entry_points(pyproject: dict) -> list[tuple[str, str]]:
    """(label, value) of every console script, GUI script and entry point declared in pyproject.toml."""
    project = pyproject.get("project", {}) if isinstance(pyproject, dict) else {}
    out = []
    for table in ("scripts", "gui-scripts"):
        for name, value in (project.get(table) or {}).items():
            if isinstance(value, str):
                out.append((f"[project.{table}] {name}", value))
    for group, items in (project.get("entry-points") or {}).items():
        if isinstance(items, dict):
            for name, value in items.items():
                if isinstance(value, str):
                    out.append((f"[project.entry-points.{group!r}] {name}", value))
    return out


def _pyproject_line(project_root: str, needle: str) -> Location | None:
    path = os.path.join(project_root, "pyproject.toml")
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if needle in line:
                    return Location(path, number, line.index(needle) + 1)
    except OSError:
        return None
    return None


def select_targets(
    project: Project,
    settings: ProbeSettings,
    entries: tuple[str, ...] = (),
    use_entry_points: bool = False,
    pyproject: dict | None = None,
    config_entries: tuple[str, ...] = (),
) -> tuple[list[Target], list[tuple[str, str]]]:
    """Explicit entries (and entry points) only, else every first-party module in the requested paths."""
    modules = first_party_modules(project)
    targets: list[Target] = []
    seen: set[tuple[str, str | None]] = set()

    def add(module: str, attr: str | None, declared: Location | None = None) -> None:
        if (module, attr) not in seen:
            seen.add((module, attr))
            targets.append(Target(module, attr, modules.get(module), declared))

    for entry in entries:
        add(*parse_entry(entry))
    if use_entry_points:
        for _label, value in entry_points(pyproject or {}):
            module, attr = parse_entry(value)
            add(module, attr, _pyproject_line(project.root, value))
    if entries or use_entry_points:
        return targets, []
    excluded = []
    attrs: dict[str, list[str]] = {}
    for entry in config_entries:  # [tool.importgate] entries: their attributes are checked too
        module, attr = parse_entry(entry)
        if attr:
            attrs.setdefault(module, []).append(attr)
    for module in sorted(modules):
        path = modules[module]
        if not project.reported(path):
            continue
        if project.facts.get(path) is not None and project.facts[path].is_stub:
            continue
        pattern = settings.skipped_by_pattern(module)
        if pattern is not None:
            excluded.append((module, pattern))
            continue
        # one import per module: the first declared attribute rides along with it
        own = attrs.get(module, [])
        add(module, own[0] if own else None)
        for attr in own[1:]:
            add(module, attr)
    return targets, excluded


def preload_modules(project: Project) -> tuple[str, ...]:
    """Non-first-party modules that first-party code imports when it is imported.

    Imports inside functions and under TYPE_CHECKING never run at import time:
    preloading them would only slow the server down.
    """
    names: set[str] = set()
    resolver = project.resolver
    for path, facts in project.facts.items():
        if facts.is_stub:
            continue
        for edge in facts.imports:
            if not edge.guard.at_import:
                continue
            base = absolute_target(edge, facts.name, facts.is_package)
            if base is None or base == "__main__":
                continue
            candidates = [base]
            if edge.is_from:
                candidates += [f"{base}.{n.name}" for n in edge.names if n.name != "*"]
            for i, name in enumerate(candidates):
                resolution = resolver.resolve(name, path)
                found = resolution.found
                if found is None or found.first_party:
                    continue
                if i > 0 and not (found.path or found.locations):
                    continue
                names.add(found.name)
    # parents before children, so each preload import is a small step
    return tuple(sorted(names, key=lambda n: (n.count("."), n)))


def _import_names_for(distribution: str) -> set[str]:
    """Best-effort top-level import names of a distribution that is (usually) not installed."""
    key = canonical(distribution)
    names = {module.split(".")[0] for module in known_modules(key)}
    names.add(key.replace("-", "_"))
    names.add(distribution.replace("-", "_"))
    return names


def _requirement_name(text: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text).name
    except InvalidRequirement:
        return None


def optional_dependencies(project: Project, pyproject: dict) -> dict[str, str]:
    """Top-level import names whose absence is expected, with the reason.

    Optional means: imported under try/except ImportError somewhere in
    first-party code, or provided by a distribution listed only in an extra.
    A required dependency is never optional.
    """
    meta = pyproject.get("project", {}) if isinstance(pyproject, dict) else {}
    required: set[str] = set()
    for req in meta.get("dependencies") or ():
        if isinstance(req, str) and (name := _requirement_name(req)):
            required |= _import_names_for(name)
    out: dict[str, str] = {}
    extras = meta.get("optional-dependencies") or {}
    if isinstance(extras, dict):
        for extra, reqs in sorted(extras.items()):
            for req in reqs if isinstance(reqs, list) else ():
                name = _requirement_name(req) if isinstance(req, str) else None
                if name is None or canonical(name) == canonical(str(meta.get("name", ""))):
                    continue
                for imp in _import_names_for(name):
                    if imp not in required:
                        out.setdefault(imp, f"it comes with the optional extra [{extra}] ({name})")
    first_party_tops = {name.split(".")[0] for name in project.layout.modules}
    for path in sorted(project.facts):
        facts = project.facts[path]
        if facts.is_stub:
            continue
        for edge in facts.imports:
            if not edge.guard & Guard.TRY:
                continue
            base = absolute_target(edge, facts.name, facts.is_package)
            if base is None:
                continue
            top = base.split(".")[0]
            if top in first_party_tops or top in required or top in out:
                continue
            out[top] = f"the project imports it under a guard at {project.rel(path)}:{edge.location.line}"
    return out


def make_plan(
    project: Project,
    settings: ProbeSettings,
    pyproject: dict,
    entries: tuple[str, ...] = (),
    use_entry_points: bool = False,
) -> Plan:
    targets, excluded = select_targets(
        project, settings, entries, use_entry_points, pyproject, project.config.entries
    )
    modules = first_party_modules(project)
    files = frozenset(p for p, f in project.facts.items() if not f.is_stub)
    # frames name files by the path Python found them under; add resolved forms too
    files |= frozenset(os.path.realpath(p) for p in files)
    # when the project is importgate itself, the probe's own child is not the code under test
    files -= {CHILD_FILE, os.path.realpath(CHILD_FILE)}
    session = SessionSpec(
        roots=tuple(project.layout.roots),
        project_root=project.root,
        first_party_files=files,
        first_party_tops=frozenset(name.split(".")[0] for name in project.layout.modules),
        preload=preload_modules(project),
        temp_dirs=default_temp_dirs(),
        project_dirs=tuple(sorted({project.root, os.path.realpath(project.root)})),
        preload_timeout=max(settings.timeout, 10.0),
    )
    return Plan(
        targets=tuple(targets),
        session=session,
        optional=optional_dependencies(project, pyproject),
        module_paths=modules,
        excluded=tuple(excluded),
    )
