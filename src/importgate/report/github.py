"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from importgate.model import Report, Severity
from importgate.report import display_path

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        loc = f.location
        props = ",".join(
            [
                f"file={_prop(display_path(loc.path))}",
                f"line={loc.line}",
                f"col={loc.column}",
                f"endLine={loc.end_line}",
                f"endColumn={loc.end_column}",
                f"title={_prop(f'{f.rule.code} {f.rule.name}')}",
            ]
        )
        body = f.message + (f"\nhelp: {f.hint}" if f.hint else "")
        lines.append(f"::{_COMMAND[f.effective_severity]} {props}::{_data(body)}")
    return "\n".join(lines) + ("\n" if lines else "")
