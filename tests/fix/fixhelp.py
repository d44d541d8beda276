"""Helpers for the fix tests: run the fix pipeline in-process, snapshot trees, apply JSON edits."""

from __future__ import annotations

import sys
from pathlib import Path

from importgate import api
from importgate.fix import run as fixes


def fix(root: Path, *, mode: str = "apply", unsafe: bool = False):
    """`importgate check --fix` (or --diff / fixes in reports) in-process; returns the Outcome."""
    (config,) = api.configs_for((str(root),), python=sys.executable)
    return fixes.run(config, mode=mode, unsafe=unsafe)


def snapshot(root: Path) -> dict[str, bytes]:
    """The project's own files (not bytecode, not importgate's cache)."""
    skip = {"__pycache__", ".importgate_cache"}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not skip & set(p.parts)}


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def hints(report) -> dict[str, str]:
    return {f.name: f.hint or "" for f in report.findings}


def apply_json_edits(root: Path, findings: list[dict]) -> None:
    """An applier written from the JSON contract alone: 1-based lines ending at LF/CRLF/CR,
    1-based character columns, exclusive ends; every edit of every fix, last first."""
    import re

    by_path: dict[str, list[dict]] = {}
    for finding in findings:
        for edit in (finding.get("fix") or {}).get("edits", []):
            by_path.setdefault(edit["path"], []).append(edit)
    for rel, edits in by_path.items():
        path = Path(rel) if Path(rel).is_absolute() else root / rel
        text = path.read_bytes().decode("utf-8")
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

        def offset(line: int, column: int) -> int:
            return starts[line - 1] + column - 1

        spans = sorted(((offset(e["line"], e["column"]), offset(e["end_line"], e["end_column"]), e["content"]) for e in edits), reverse=True)
        for (start, end, _), (next_start, _, _) in zip(spans[1:], spans):
            assert end <= next_start, "edits overlap"
        for start, end, content in spans:
            text = text[:start] + content + text[end:]
        path.write_bytes(text.encode("utf-8"))
