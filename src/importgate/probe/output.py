"""Probe output: the shared reporters for findings, plus what only a probe knows
(skipped modules, the slowest imports, third-party import costs, counts)."""

from __future__ import annotations

import json
import shutil
import sys
import time

from importgate.model import Report, Severity
from importgate.probe.api import ProbeRun, timings_text
from importgate.report import render


def merged_report(runs: list[ProbeRun]) -> Report:
    from importgate.projects import merge_reports

    return merge_reports([r.report for r in runs])


def render_runs(runs: list[ProbeRun], fmt: str, *, color: bool = False) -> str:
    report = merged_report(runs)
    if fmt == "json":
        data = json.loads(render(report, "json"))
        data["probe"] = _probe_json(runs)
        return json.dumps(data, indent=2) + "\n"
    if fmt != "text":
        return render(report, fmt, color=color, command="probe")
    return _text(runs, report, color)


def _probe_json(runs: list[ProbeRun]) -> dict:
    return {
        "isolation": runs[0].isolation if runs else None,
        "jobs": runs[0].jobs if runs else None,
        "modules": sum(r.targets for r in runs),
        "passed": [m for r in runs for m in r.verdicts.passed],
        "failed": [m for r in runs for m in r.verdicts.failed],
        "skipped": [{"module": s.module, "reason": s.reason} for r in runs for s in r.verdicts.skipped],
        "excluded": [{"module": m, "pattern": p} for r in runs for m, p in r.excluded],
        "timings": [
            {
                "module": t.module,
                "self_seconds": round(t.self_seconds, 6),
                "cumulative_seconds": round(t.cumulative_seconds, 6),
                "heaviest": t.heaviest,
            }
            for r in runs
            for t in r.verdicts.timings
        ],
        "dependencies": [{"name": n, "seconds": round(s, 6)} for r in runs for n, s in r.dependency_costs],
        "preload": {
            "loaded": [m for r in runs for m in r.preloaded],
            "failed": [{"module": m, "exception": e} for r in runs for m, e in r.preload_failed],
            "dropped": [m for r in runs for m in r.preload_dropped],
        },
    }


def _text(runs: list[ProbeRun], report: Report, color: bool) -> str:
    from importgate.report import text

    rendered = text.render(report, color=color).rstrip("\n").split("\n")
    lines = rendered[:-1]  # the shared summary speaks of files; ours follows
    skipped = [s for r in runs for s in r.verdicts.skipped]
    if skipped:
        lines.append("")
        lines.append(f"Skipped ({len(skipped)}):")
        width = min(max(len(s.module) for s in skipped), 48)
        lines.extend(f"  {s.module:<{width}}  {s.reason}" for s in skipped)
    limit = runs[0].slowest if runs else 0
    timings = tuple(sorted((t for r in runs for t in r.verdicts.timings), key=lambda t: -t.cumulative_seconds))
    if limit and timings:
        lines.append("")
        lines.append(f"Slowest imports (time in first-party module code, top {min(limit, len(timings))}):")
        lines.extend(timings_text(timings, limit))
        deps = [d for r in runs for d in r.dependency_costs][:5]
        if deps:
            lines.append("  third-party: " + ", ".join(f"{n} {s:.3f}s" for n, s in deps))
    lines.append("")
    lines.append(summary(runs, report))
    return "\n".join(line for line in lines).lstrip("\n") + "\n"


def summary(runs: list[ProbeRun], report: Report) -> str:
    modules = sum(r.targets for r in runs)
    passed = sum(len(r.verdicts.passed) for r in runs)
    failed = sum(len(r.verdicts.failed) for r in runs)
    skipped = sum(len(r.verdicts.skipped) for r in runs)
    mode = f"{runs[0].isolation}, {runs[0].jobs} job{'s' if runs[0].jobs != 1 else ''}" if runs else ""
    head = f"Probed {modules} module{'s' if modules != 1 else ''} in {report.seconds:.2f}s ({mode}): {passed} passed, {failed} failed, {skipped} skipped."
    counts = []
    for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note")):
        n = report.count(severity)
        if n:
            counts.append(f"{n} {word}{'s' if n != 1 else ''}")
    return head + (f" Found {', '.join(counts)}." if counts else " No import problems found.")


class Progress:
    """A one-line progress bar on a terminal: counts and the slowest import so far."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.failed = 0
        self.slowest: tuple[float, str] = (0.0, "")
        self.last = 0.0
        self.width = 80

    def __call__(self, outcome, done: int, total: int) -> None:
        if not self.enabled:
            return
        if outcome.status != "ok":
            self.failed += 1
        if outcome.seconds > self.slowest[0]:
            self.slowest = (outcome.seconds, outcome.task.module)
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        width = 24
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "." * (width - filled)
        slow = f"  slowest {self.slowest[1]} {self.slowest[0]:.2f}s" if self.slowest[1] else ""
        line = f"[{bar}] {done}/{total}  not ok {self.failed}{slow}"
        self.width = max(20, min(120, shutil.get_terminal_size((80, 24)).columns - 1))
        self.stream.write("\r" + line[: self.width].ljust(self.width))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.last:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
