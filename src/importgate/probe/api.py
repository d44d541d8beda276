"""Wires the runtime probe: config -> static facts -> plan -> pool -> runtime rules -> Report.

Shared by the CLI (``importgate probe``) and the pytest plugin. The analysed
code only ever runs in child processes of the target interpreter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from importgate import engine
from importgate.config import Config, read_pyproject, tool_table
from importgate.facts.environment import default_interpreter, resolve_interpreter
from importgate.model import Problem, Report, Severity
from importgate.probe import settings as probe_settings
from importgate.probe.plan import Plan, make_plan
from importgate.probe.results import ImportTime, Outcome, parse_log
from importgate.probe.runner import CHILD_FILE, Pool
from importgate.probe.settings import ProbeSettings
from importgate.project import Project
from importgate.probe.findings import RuntimeContext, Timing, Verdicts, context_index, judge


@dataclass
class Prepared:
    """Everything needed to probe one project, before any module is imported."""

    config: Config
    project: Project
    settings: ProbeSettings
    plan: Plan
    python: str
    env: dict[str, str]
    context: RuntimeContext

    def pool(self, notes: Callable[[str], None] | None = None, jobs: int | None = None) -> Pool:
        return Pool(
            self.python,
            self.plan.session,
            isolation=self.settings.isolation,
            jobs=jobs or self.settings.jobs,
            timeout=self.settings.timeout,
            env=self.env,
            notes=notes,
        )


@dataclass
class ProbeRun:
    """One probe: its report and verdicts, with what the summary prints about how it ran."""

    report: Report
    verdicts: Verdicts
    isolation: str
    jobs: int
    targets: int
    excluded: tuple[tuple[str, str], ...]
    dependency_costs: tuple[tuple[str, float], ...]  # third-party top-level packages, slowest first
    slowest: int
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)
    preloaded: tuple[str, ...] = ()  # fork server: modules imported once before forking
    preload_failed: tuple[tuple[str, str], ...] = ()  # (module, exception type): imported per child instead
    preload_dropped: tuple[str, ...] = ()  # left out after crashing, hanging or starting threads
    fail_on: Severity = Severity.ERROR


def prepare(config: Config, *, entries: tuple[str, ...] = (), entry_points: bool = False, **overrides) -> Prepared:
    """Read [tool.importgate.probe], merge command-line overrides, build the static project and the plan."""
    pyproject, _problem = read_pyproject(config.project_root)
    table = tool_table(pyproject).get("probe")
    settings = probe_settings.merge(probe_settings.from_table(table, config.project_root), **overrides)
    env = probe_settings.environment(settings)
    python = resolve_interpreter(config.python) if config.python else default_interpreter(config.project_root)
    project, _files = engine.build_project(config)
    plan = make_plan(project, settings, pyproject, entries=entries, use_entry_points=entry_points)
    declared = {(t.module, t.attr): t.declared for t in plan.targets if t.declared is not None}
    context = RuntimeContext(
        project_root=project.root,
        module_paths=plan.module_paths,
        first_party_files=plan.session.first_party_files,
        first_party_tops=plan.session.first_party_tops,
        optional=plan.optional,
        expected=settings.expected,
        max_import_seconds=settings.max_import_seconds,
        timeout=settings.timeout,
        python=python,
        declared=declared,
        stdlib=project.env.stdlib | project.env.builtin,
        modules_by_path=context_index(plan.module_paths),
    )
    return Prepared(config, project, settings, plan, python, env, context)


def findings_for(prepared: Prepared, verdicts: Verdicts):
    """The config's select/ignore/severity and inline `# importgate: ignore[...]` apply as for `check`."""
    found = list(engine.select(verdicts.findings, prepared.config))
    return list(engine.suppress(found, prepared.project))


def run(
    prepared: Prepared,
    progress: Callable[[Outcome, int, int], None] | None = None,
    notes: Callable[[str], None] | None = None,
) -> ProbeRun:
    started = time.perf_counter()
    tasks = prepared.plan.tasks()
    problems: list[Problem] = []

    def note(message: str) -> None:
        problems.append(Problem(message))
        if notes is not None:
            notes(message)

    outcomes: list[Outcome] = []
    server_timings: tuple[ImportTime, ...] = ()
    with prepared.pool(notes=note) as pool:
        for outcome in pool.run(tasks):
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome, len(outcomes), len(tasks))
        info = pool.server_info
        if info is not None:
            server_timings = _server_timings(info.log)
        isolation, jobs = pool.isolation, pool.jobs
    verdicts = judge(outcomes, prepared.context)
    for outcome in verdicts.internal:
        why = "its code closed the probe's result channel" if outcome.returncode == 75 else "the probe child failed to start"
        note(f"could not probe {outcome.task.module}: {why}: {outcome.log_tail[-300:] or 'no output'}")
    findings = findings_for(prepared, verdicts)
    report = Report(
        findings=tuple(findings),
        files=len(tasks),
        modules=len(tasks),
        seconds=time.perf_counter() - started,
        problems=tuple(problems),
    )
    return ProbeRun(
        report=report,
        verdicts=verdicts,
        isolation=isolation,
        jobs=jobs,
        targets=len(tasks),
        excluded=prepared.plan.excluded,
        dependency_costs=_dependency_costs(outcomes, server_timings, _third_party_tops(prepared)),
        slowest=prepared.settings.slowest,
        outcomes=tuple(outcomes),
        preloaded=info.loaded if info else (),
        preload_failed=info.failed if info else (),
        preload_dropped=info.dropped if info else (),
        fail_on=prepared.config.fail_on,
    )


def _server_timings(log: str) -> tuple[ImportTime, ...]:
    try:
        with open(log, "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ()
    return parse_log(text, CHILD_FILE).timings


def _third_party_tops(prepared: Prepared) -> frozenset[str]:
    ctx = prepared.context
    tops = {name.split(".")[0] for name in prepared.plan.session.preload}
    return frozenset(t for t in tops if t not in ctx.stdlib and t not in ctx.first_party_tops)


def _dependency_costs(outcomes: list[Outcome], server: tuple[ImportTime, ...], tops: frozenset[str]) -> tuple[tuple[str, float], ...]:
    """Import cost of each third-party package the project imports (preloaded once, or per child)."""
    costs: dict[str, float] = {}

    def add(timings) -> None:
        for t in timings:
            if t.module in tops:
                costs[t.module] = max(costs.get(t.module, 0.0), t.cumulative_us / 1e6)

    add(server)
    for outcome in outcomes:
        add(outcome.timings)
    return tuple(sorted(costs.items(), key=lambda kv: (-kv[1], kv[0])))


def probe_paths(paths: tuple[str, ...], *, entries: tuple[str, ...] = (), entry_points: bool = False,
                config_overrides: dict | None = None, progress=None, notes=None, **overrides) -> list[ProbeRun]:
    """One ProbeRun per project the paths belong to."""
    from importgate import projects

    configs = projects.configs_for(paths, **(config_overrides or {}))
    runs = []
    for config in configs:
        prepared = prepare(config, entries=entries, entry_points=entry_points, **overrides)
        runs.append(run(prepared, progress=progress, notes=notes))
    return runs


def timings_text(timings: tuple[Timing, ...], limit: int) -> Iterator[str]:
    for t in timings[:limit]:
        heavy = t.heaviest != t.module and t.heaviest_seconds >= max(0.01, t.cumulative_seconds / 2)
        extra = f"  (mostly {t.heaviest}: {t.heaviest_seconds:.3f}s)" if heavy else ""
        yield f"  {t.cumulative_seconds:7.3f}s  self {t.self_seconds:6.3f}s  {t.module}{extra}"
