"""``check --fix`` / ``--diff`` / fixes in reports: check, plan, render, write, re-check.

``apply`` repeats check-and-fix until a round changes nothing (bounded), so the
report that follows describes the fixed tree and a second ``--fix`` is a no-op.
``diff`` and ``show`` never write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from importgate.config import Config
from importgate.fix.stage import FileChange, Fixer
from importgate.model import Problem, Report

MAX_ROUNDS = 4


@dataclass
class Outcome:
    """A report after fixes, and the files they changed (or would change)."""

    report: Report
    changes: tuple[FileChange, ...] = ()  # what was written (apply) or would be (diff, show)
    fixable: int = 0  # findings with a fix in this report (diff, show)


def run(config: Config, *, mode: str, unsafe: bool = False) -> Outcome:
    """mode: "show" (attach fixes), "diff" (and keep the would-be files) or "apply" (write them)."""
    from importgate import engine

    started = time.perf_counter()
    if mode != "apply":  # one check: it asks for the environment itself, while it walks
        fixer = Fixer(unsafe=unsafe, reuse=mode == "show")
        # showing fixes is deterministic: that report may be replayed; a diff needs the new files
        tag = f"fixes:show:unsafe={unsafe}" if mode == "show" else None
        report = engine.check(config, fixer=fixer, replay_tag=tag)
        report = replace(report, problems=report.problems + tuple(fixer.problems))
        fixable = sum(1 for f in report.findings if f.fix is not None)
        return Outcome(report, tuple(fixer.files.values()), fixable)
    cache = engine.open_project_cache(config)
    try:
        env = engine.load_environment(config, cache)
    finally:
        cache.close()
    cache_problems = tuple(cache.problems)  # e.g. a corrupt store rebuilt here: say so once
    applied: list[str] = []
    problems: list[Problem] = []
    written: dict[str, FileChange] = {}
    for _ in range(MAX_ROUNDS):
        fixer = Fixer(unsafe=unsafe)
        report = engine.check(config, env, fixer=fixer)
        problems.extend(p for p in fixer.problems if p not in problems)
        if not fixer.files:
            break
        done = _write(fixer.files.values(), problems)
        if not done:
            break
        for change in done:
            first = written.get(change.path)
            written[change.path] = replace(change, old=first.old, old_text=first.old_text) if first else change
        applied.extend(fixer.applied)
    else:
        report = engine.check(config, env, fixer=Fixer(unsafe=unsafe))
        problems.append(Problem(f"fixes were still changing files after {MAX_ROUNDS} rounds; what remains is reported"))
    report = replace(
        report,
        fixed=tuple(applied),
        problems=cache_problems + report.problems + tuple(p for p in problems if p not in report.problems),
        seconds=time.perf_counter() - started,
    )
    return Outcome(report, tuple(written.values()))


def _write(changes, problems: list[Problem]) -> list[FileChange]:
    done = []
    for change in changes:
        try:
            with open(change.path, "rb") as fh:
                current = fh.read()
            if current != change.old:
                problems.append(Problem(f"{change.path} changed while importgate was fixing it; left alone", change.path))
                continue
            with open(change.path, "wb") as fh:
                fh.write(change.new)
        except OSError as exc:
            problems.append(Problem(f"cannot write {change.path}: {exc.strerror or exc}", change.path))
            continue
        done.append(change)
    return done


def unified_diff(changes) -> str:
    """A patch (``git apply`` / ``patch -p1`` from the current directory) of the changes."""
    import difflib

    from importgate.fix.edits import split_lines
    from importgate.report import display_path

    out: list[str] = []
    for change in sorted(changes, key=lambda c: c.path):
        name = display_path(change.path).replace("\\", "/")
        old, new = _terminated(split_lines(change.old_text)), _terminated(split_lines(change.new_text))
        out.extend(difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"))
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in out)  # headers


def _terminated(lines: list[str]) -> list[str]:
    """difflib needs every line terminated (a missing final newline is not shown)."""
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines = lines[:-1] + [lines[-1] + "\n"]
    return lines
