"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json

from importgate.version import __version__
from importgate.model import Location, Report, Severity
from importgate.report import display_path

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _physical(loc: Location) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": display_path(loc.path).replace("\\", "/")},
            "region": {
                "startLine": loc.line,
                "startColumn": loc.column,
                "endLine": max(loc.end_line, loc.line),
                "endColumn": max(loc.end_column, loc.column),
            },
        }
    }


def render(report: Report) -> str:
    rules = {}
    results = []
    for f in report.findings:
        rules.setdefault(f.rule.code, f.rule)
        text = f.message + (f"\nhelp: {f.hint}" if f.hint else "")
        result = {
            "ruleId": f.rule.code,
            "level": _LEVEL[f.effective_severity],
            "message": {"text": text},
            "locations": [_physical(f.location)],
        }
        if f.related:
            result["relatedLocations"] = [
                {"id": i, **_physical(r.location), "message": {"text": r.message}} for i, r in enumerate(f.related)
            ]
        results.append(result)
    driver = {
        "name": "importgate",
        "version": __version__,
        "rules": [
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            }
            for rule in sorted(rules.values(), key=lambda r: r.code)
        ],
    }
    data = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(data, indent=2) + "\n"
