"""The one place that wires the static pipeline:

discover -> parse -> name -> environment -> resolve -> rules -> suppress -> merge -> chains -> Report
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections import deque
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from importgate.config import Config
from importgate.facts.discover import ProjectFiles, assign_names, walk_project
from importgate.facts.environment import Environment, default_interpreter, query_environment, resolve_interpreter
from importgate.facts.finder import ModuleFinder
from importgate.facts.parse import parse_module
from importgate.model import Finding, Guard, Location, ModuleFacts, Related, Report, Severity, SyntaxProblem
from importgate.project import Project
from importgate.resolve import Resolver, absolute_target
from importgate.rules import catalogue

RuleFamily = Callable[[Project], Iterator[Finding]]


def rule_families() -> tuple[RuleFamily, ...]:
    """Rule families in the order their findings are produced (imported lazily)."""
    from importgate.rules import dependencies, exports, files, reexports, resolution

    return (files.check, resolution.check, exports.check, dependencies.check, reexports.check)


def read_source(path: str) -> tuple[bytes | None, str | None]:
    try:
        with open(path, "rb") as fh:
            return fh.read(), None
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"


class DiskFacts:
    """Facts for any module file: first-party ones parsed up front, the rest on demand."""

    def __init__(self, known: dict[str, ModuleFacts]) -> None:
        self.known = known
        self.parsed_on_demand = 0

    def facts(self, path: str, name: str, is_package: bool, is_stub: bool) -> ModuleFacts | None:
        cached = self.known.get(path)
        if cached is not None:
            return cached
        source, _ = read_source(path)
        if source is None:
            return None
        facts = parse_module(source, path, name, is_package=is_package, is_stub=is_stub)
        self.known[path] = facts
        self.parsed_on_demand += 1
        return facts


def parse_files(files: ProjectFiles, target_version: tuple[int, int] | None) -> dict[str, ModuleFacts]:
    out: dict[str, ModuleFacts] = {}
    for f in files.files:
        source, error = read_source(f.path)
        if source is None:
            out[f.path] = ModuleFacts(
                name="", path=f.path, is_package=f.is_package, is_stub=f.is_stub,
                syntax_error=SyntaxProblem(error or "cannot read the file", Location(f.path, 1, 1), unreadable=True),
            )
            continue
        out[f.path] = parse_module(
            source, f.path, "", is_package=f.is_package, is_stub=f.is_stub,
            target_version=None if f.is_stub else target_version,
        )
    return out


def absolute_imports(facts: Iterable[ModuleFacts]) -> set[str]:
    out: set[str] = set()
    for f in facts:
        for edge in f.imports:
            if edge.level == 0:
                out.add(edge.module_text)
                if edge.is_from:
                    out.update(f"{edge.module_text}.{n.name}" for n in edge.names if n.name != "*")
    return out


def load_environment(config: Config) -> Environment:
    python = resolve_interpreter(config.python) if config.python else default_interpreter(config.project_root)
    return query_environment(python)


def build_project(config: Config, env: Environment | None = None) -> tuple[Project, ProjectFiles]:
    root = os.path.abspath(config.project_root)
    files = walk_project(root, config.exclude)
    env = env or load_environment(config)
    parsed = parse_files(files, env.version[:2])
    layout = assign_names(files, absolute_imports(parsed.values()), config.roots)
    facts = {path: replace(f, name=layout.names[path]) for path, f in parsed.items()}
    finder = ModuleFinder(env, layout.roots, root)
    package_dirs = frozenset(os.path.dirname(p) for p, f in facts.items() if f.is_package and not f.is_stub)
    resolver = Resolver(finder, DiskFacts(dict(facts)), package_dirs, first_party=facts)
    resolver.test_dirs = pytest_dirs(config, facts, resolver)
    report_paths = None
    requested = [os.path.abspath(p) for p in config.paths]
    if requested and not any(p == root for p in requested):
        report_paths = frozenset(requested)
    project = Project(config=config, layout=layout, env=env, resolver=resolver, facts=facts, report_paths=report_paths)
    return project, files


def pytest_dirs(config: Config, facts: dict[str, ModuleFacts], resolver: Resolver) -> frozenset[str]:
    """What pytest puts on sys.path for a session: each test module's and conftest's basedir
    (its default "prepend" import mode) plus [tool.pytest.ini_options] pythonpath."""
    from importgate.config import read_pyproject
    from importgate.resolve import _is_test_file

    dirs = {resolver.basedir(path) for path in facts if _is_test_file(path)}
    pyproject, _ = read_pyproject(config.project_root)
    options = pyproject.get("tool", {}).get("pytest", {}).get("ini_options", {})
    extra = options.get("pythonpath", []) if isinstance(options, dict) else []
    if isinstance(extra, str):
        extra = extra.split()
    root = os.path.abspath(config.project_root)
    dirs.update(os.path.normpath(os.path.join(root, p)) for p in extra if isinstance(p, str))
    return frozenset(dirs)


def check(config: Config, env: Environment | None = None, fixer: Callable[[list[Finding], Project], list[Finding]] | None = None) -> Report:
    """Run the static gate on one project (``fixer``: the fix stage, see importgate.fix)."""
    started = time.perf_counter()
    project, files = build_project(config, env)
    findings: list[Finding] = []
    for family in rule_families():
        findings.extend(family(project))
    findings = list(select(findings, config))
    findings = list(suppress(findings, project))
    findings = merge_groups(findings)
    if fixer is not None:
        findings = fixer(findings, project)
    if config.entries:
        findings = add_chains(findings, project, config.entries)
    findings.sort(key=Finding.sort_key)
    problems = list(files.problems)
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
        if not catalogue.matches(f.rule, config.select):
            continue
        if config.ignore and catalogue.matches(f.rule, config.ignore):
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


_PRIMARY_ORDER = {"missing-name": 0, "undefined-export": 1}


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
            if other.rule.name == "missing-name":
                importers += 1
                note = f"also imported here ({other.rule.name})"
            else:
                note = f"{other.rule.name}: {other.message}"
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
            extras.append(f"{importers} more import{'s' if importers > 1 else ''} of it fail the same way")
        if any(o.rule.name == "undefined-export" for o in members[1:]):
            extras.append("it is also listed in __all__")
        if extras:
            message += " [" + "; ".join(extras) + "]"
        hint = primary.hint or next((o.hint for o in members[1:] if o.hint), None)
        out.append(replace(primary, message=message, related=tuple(related), hint=hint))
    return out


# -- start-up chains ------------------------------------------------------------


def startup_graph(project: Project) -> dict[str, list[tuple[int, str]]]:
    """path -> [(line, path executed by a module-level import)], first-party only."""
    graph: dict[str, list[tuple[int, str]]] = {}
    modules = project.layout.modules
    for path, facts in project.facts.items():
        if facts.is_stub:
            continue
        targets: list[tuple[int, str]] = []
        for edge in facts.imports:
            if edge.guard & (Guard.FUNCTION | Guard.TYPE_CHECKING):
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

