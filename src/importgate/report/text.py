"""Human text: ``path:line:col: CODE [rule] message``, then hint, related places and chain."""

from __future__ import annotations

from importgate.model import Report, Severity
from importgate.report import display_path

_MOST_RELATED = 20  # a missing module imported in 2,000 places is one finding, not 2,000 lines
_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(report: Report, *, color: bool = False) -> str:
    lines: list[str] = []
    for f in report.findings:
        loc = f.location
        severity = f.effective_severity
        head = _paint(f"{display_path(loc.path)}:{loc.line}:{loc.column}:", "1", color)
        code = _paint(f"{f.rule.code} [{f.rule.name}]", _COLORS[severity], color)
        label = "" if severity is Severity.ERROR else f"({severity}) "
        lines.append(f"{head} {code} {label}{f.message}")
        if f.hint:
            lines.append(f"    = help: {f.hint}")
        places = [(where, r) for r in f.related
                  # a place the message names already: JSON and SARIF keep every related place
                  if (where := f"{display_path(r.location.path)}:{r.location.line}") not in f.message]
        for where, r in places[:_MOST_RELATED]:
            lines.append(f"    --> {where}: {r.message}")
        if len(places) > _MOST_RELATED:
            lines.append(f"    --> and {len(places) - _MOST_RELATED} more places (the JSON and SARIF reports list every one)")
        if f.chain is not None:
            if f.chain:
                lines.append(f"    = reached at start-up: {' -> '.join(f.chain)}")
            else:
                lines.append("    = not reached at start-up from the configured entries")
    for fix in report.fixed:
        lines.append(f"fixed: {fix}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    errors = report.count(Severity.ERROR)
    warnings = report.count(Severity.WARNING)
    infos = report.count(Severity.INFO)
    where = f"{report.files} file{'s' if report.files != 1 else ''} ({report.modules} modules) in {report.seconds:.2f}s"
    fixed = f"; fixed {len(report.fixed)}" if report.fixed else ""
    if not report.findings:
        return f"No import problems found in {where}{fixed}."
    parts = []
    for count, word in ((errors, "error"), (warnings, "warning"), (infos, "note")):
        if count:
            parts.append(f"{count} {word}{'s' if count != 1 else ''}")
    return f"Found {', '.join(parts)} in {where}{fixed}."
