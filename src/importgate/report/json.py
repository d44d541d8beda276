"""The JSON envelope (version 1) shared by ``check`` and ``probe``."""

from __future__ import annotations

import json

from importgate.model import Finding, Report
from importgate.report import display_path


def finding_dict(f: Finding) -> dict:
    loc = f.location
    out = {
        "rule": f.rule.name,
        "code": f.rule.code,
        "severity": str(f.effective_severity),
        "path": display_path(loc.path),
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": f.message,
        "module": f.module,
        "name": f.name,
        "hint": f.hint,
        "related": [
            {
                "path": display_path(r.location.path),
                "line": r.location.line,
                "column": r.location.column,
                "message": r.message,
            }
            for r in f.related
        ],
    }
    if f.chain is not None:
        out["chain"] = list(f.chain)
    if f.fix is not None:
        out["fix"] = {
            "applicability": f.fix.applicability,
            "message": f.fix.description,
            "edits": [
                {
                    "path": display_path(e.path),
                    "line": e.line,
                    "column": e.column,
                    "end_line": e.end_line,
                    "end_column": e.end_column,
                    "content": e.content,
                }
                for e in f.fix.edits
            ],
        }
    return out


def render(report: Report) -> str:
    data = {
        "version": 1,
        "findings": [finding_dict(f) for f in report.findings],
        "summary": {
            "files": report.files,
            "modules": report.modules,
            "findings": len(report.findings),
            "seconds": round(report.seconds, 3),
            "parsed": report.parsed,
            "replayed": report.replayed,
        },
    }
    if report.problems:
        data["problems"] = [{"message": p.message, "path": display_path(p.path) if p.path else None} for p in report.problems]
    if report.fixed:
        data["fixed"] = list(report.fixed)
    return json.dumps(data, indent=2) + "\n"
