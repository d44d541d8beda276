"""import-failed, import-timeout, import-crashed, import-exit, slow-import and the
import-time side effects: what probing each module in its own process showed.

Pure functions from probe Outcomes to Findings. One fault, one finding: every
module that fails at the same first-party frame with the same exception is
listed on one finding at that frame (one broken ``__init__.py`` is one finding,
however many submodules it takes down).
"""

from __future__ import annotations

import os
import re
import signal as signals
from dataclasses import dataclass, field

from importgate.model import Finding, Location, Related, Rule
from importgate.probe.results import CRASH, ERROR, EXIT, INTERNAL, OK, TIMEOUT, Frame, Outcome, stable_message
from importgate.probe.settings import Expected
from importgate import catalogue as C

_HINTS = {
    "missing-name": "`{name}` is not defined in `{source}` when it is imported: import it from the module that defines it, or re-export it there",
    "circular": "a circular import: the name is used before its module finished initialising; import the module instead of the name, or move one import into the function that needs it",
    "first-party-module": "there is no first-party module `{name}`: fix the import or add the missing file",
    "third-party-module": "`{top}` is not installed in {python}: declare and install it, or guard the import if it is optional",
    "attribute": "`{module}` has no attribute `{attr}` once imported: fix the entry point",
    "exit": "module code ends the process when imported: guard start-up code with `if __name__ == \"__main__\":`",
    "timeout": "module code blocks when imported (network, locks, waiting for input): every process that imports it stalls; move the work into a function called at start-up",
    "crash": "the interpreter died while importing: usually a native extension built for another interpreter or library version",
    "network": "connecting at import time makes start-up depend on the network and slows every tool that imports the module: connect lazily",
    "subprocess": "starting processes at import time slows every importer and fails in restricted sandboxes: run it when it is needed",
    "file-write": "writing files at import time fails on read-only deployments and races between workers: write when the code runs",
    "slow": "move expensive module-level work into functions, or cache it",
}
_EFFECT_RULES = {"network": C.NETWORK_AT_IMPORT, "subprocess": C.SUBPROCESS_AT_IMPORT, "file-write": C.FILE_WRITE_AT_IMPORT}
_EFFECT_WORDS = {"network": "reaches the network", "subprocess": "starts a subprocess", "file-write": "writes a file"}


@dataclass(slots=True, unsafe_hash=True)
class RuntimeContext:
    """What the probe's verdicts need to know about the project to judge an outcome."""

    project_root: str
    module_paths: dict[str, str]  # first-party module -> file
    first_party_files: frozenset[str]
    first_party_tops: frozenset[str]
    optional: dict[str, str] = field(default_factory=dict)  # top-level import name -> why optional
    expected: tuple[Expected, ...] = ()
    max_import_seconds: float | None = None
    timeout: float = 30.0
    python: str = "the target environment"
    declared: dict[tuple[str, str | None], Location] = field(default_factory=dict)  # entry points in pyproject
    stdlib: frozenset[str] = frozenset()

    modules_by_path: dict[str, str] = field(default_factory=dict)  # file -> module (see context_index)

    def module_of(self, path: str) -> str | None:
        return self.modules_by_path.get(path)


def context_index(module_paths: dict[str, str]) -> dict[str, str]:
    """file -> module name, for the ``modules_by_path`` field (real paths too)."""
    index: dict[str, str] = {}
    for module, path in sorted(module_paths.items()):
        index.setdefault(path, module)
        index.setdefault(os.path.realpath(path), module)
    return index


@dataclass(slots=True, unsafe_hash=True)
class Skipped:
    """A module the probe did not import, and why."""

    module: str
    reason: str


@dataclass(slots=True, unsafe_hash=True)
class Timing:
    """How long a module took to import, and its heaviest first-party part."""

    module: str
    self_seconds: float  # the module's own body
    cumulative_seconds: float  # every first-party module body its import ran
    heaviest: str  # the first-party module with the largest own time
    heaviest_seconds: float


@dataclass(slots=True, unsafe_hash=True)
class Verdicts:
    """What a probe concluded from every outcome."""

    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    timings: tuple[Timing, ...]  # slowest first
    passed: tuple[str, ...]
    failed: tuple[str, ...]
    internal: tuple[Outcome, ...]  # the probe itself failed for these (not a verdict)


@dataclass(slots=True, unsafe_hash=True)
class _Fault:
    """One module's failure before grouping."""

    rule: Rule
    location: Location
    key: tuple
    core: str  # what went wrong, the same for every module in the group
    module: str
    hint: str | None
    name: str | None
    via: Location | None  # where the probed module's own code starts the failing chain
    chain: tuple[str, ...]


# -- frames ---------------------------------------------------------------------------


def _first_party(frames, ctx: RuntimeContext) -> list[Frame]:
    files = ctx.first_party_files
    return [f for f in frames if f.path in files]


def _chain(frames: list[Frame], ctx: RuntimeContext) -> tuple[str, ...]:
    hops: list[str] = []
    for f in frames:
        module = ctx.module_of(f.path) or os.path.basename(f.path)
        hop = f"{module}:{f.line}" if f.function == "<module>" else f"{module}.{f.function}:{f.line}"
        if not hops or hops[-1] != hop:
            hops.append(hop)
    return tuple(hops)


def _fallback_location(outcome: Outcome, ctx: RuntimeContext) -> Location:
    task = outcome.task
    declared = ctx.declared.get((task.module, task.attr))
    if declared is not None:
        return declared
    if task.path:
        return Location(task.path, 1, 1)
    pyproject = os.path.join(ctx.project_root, "pyproject.toml")
    return Location(pyproject if os.path.isfile(pyproject) else ctx.project_root, 1, 1)


def _relativise(text: str, ctx: RuntimeContext) -> str:
    root = ctx.project_root.rstrip(os.sep) + os.sep
    return text.replace(root, "")


# -- one outcome ---------------------------------------------------------------------------


def _expected(outcome: Outcome, ctx: RuntimeContext) -> Skipped | None:
    exc = outcome.exception
    bases = exc.bases if exc else ()
    if outcome.status == TIMEOUT:
        bases = ("timeout",)
    elif outcome.status == CRASH:
        bases = ("crash",)
    for item in ctx.expected:
        if item.matches(outcome.task.module, bases):
            what = exc.type if exc else outcome.status
            reason = f"expected {what} ([tool.importgate.probe] expected: {item.module}"
            reason += f", {item.exception})" if item.exception else ")"
            if item.reason:
                reason += f": {item.reason}"
            return Skipped(outcome.task.module, reason)
    if exc is not None and "ModuleNotFoundError" in exc.bases and exc.name:
        top = exc.name.split(".")[0]
        if top not in ctx.first_party_tops and top in ctx.optional:
            return Skipped(outcome.task.module, f"optional dependency `{top}` is not installed ({ctx.optional[top]})")
    return None


def _fault(outcome: Outcome, ctx: RuntimeContext) -> _Fault | None:
    task = outcome.task
    status = outcome.status
    if status == ERROR or status == EXIT and outcome.exception is not None:
        exc = outcome.exception
        assert exc is not None
        frames = _first_party(exc.frames, ctx)
        location = None
        if exc.syntax is not None and exc.syntax.path in ctx.first_party_files:
            column = int(exc.syntax.text) if exc.syntax.text.isdigit() else 1
            location = Location(exc.syntax.path, exc.syntax.line, max(column, 1))
        elif frames:
            location = Location(frames[-1].path, frames[-1].line, 1)
        if location is None:
            location = _fallback_location(outcome, ctx)
        message = _relativise(exc.message, ctx)
        core = f"{exc.type}: {message}" if message else exc.type
        name = None
        hint = None
        kind = "exception"
        if status == EXIT:
            kind = "exit"
            code = exc.exit_code
            core = f"SystemExit({code!r})" if code is not None else "SystemExit"
            hint = _HINTS["exit"]
        elif outcome.attr_missing:
            kind = "attribute"
            name = task.attr
            hint = _HINTS["attribute"].format(module=task.module, attr=task.attr)
            location = ctx.declared.get((task.module, task.attr)) or location
        elif "ModuleNotFoundError" in exc.bases and exc.name:
            name = exc.name
            top = exc.name.split(".")[0]
            if top in ctx.first_party_tops:
                kind = "first-party-module"
                hint = _HINTS[kind].format(name=exc.name)
            else:
                kind = "third-party-module"
                hint = _HINTS[kind].format(top=top, python=ctx.python)
        elif "ImportError" in exc.bases and ("partially initialized module" in exc.message or "circular import" in exc.message):
            kind = "circular"
            match = re.search(r"cannot import name '([^']+)'", exc.message)
            name = match.group(1) if match else None
            hint = _HINTS[kind]
        elif "ImportError" in exc.bases and exc.message.startswith("cannot import name"):
            kind = "missing-name"
            match = re.search(r"cannot import name '([^']+)' from '([^']+)'", exc.message)
            if match:
                name = match.group(1)
                hint = _HINTS[kind].format(name=name, source=match.group(2))
        rule = C.IMPORT_EXIT if status == EXIT else C.IMPORT_FAILED
        key = (rule.code, location.path, location.line, kind, exc.qualname, stable_message(core))
        via = Location(frames[0].path, frames[0].line, 1) if frames else None
        return _Fault(rule, location, key, core, task.module, hint, name, via, _chain(frames, ctx))
    if status in (TIMEOUT, CRASH, EXIT):
        frames = _first_party(outcome.dump, ctx)  # most recent call first
        location = Location(frames[0].path, frames[0].line, 1) if frames else _fallback_location(outcome, ctx)
        ordered = list(reversed(frames))
        via = Location(ordered[0].path, ordered[0].line, 1) if ordered else None
        if status == TIMEOUT:
            rule, core, hint = C.IMPORT_TIMEOUT, f"did not finish within {ctx.timeout:g}s and was killed", _HINTS["timeout"]
        elif status == CRASH:
            rule, hint = C.IMPORT_CRASHED, _HINTS["crash"]
            core = f"the interpreter was killed by {_signal_name(outcome.signal)}"
        else:
            rule, hint = C.IMPORT_EXIT, _HINTS["exit"]
            core = f"the process exited with status {outcome.returncode} (os._exit or a C-level exit)"
        key = (rule.code, location.path, location.line, core)
        return _Fault(rule, location, key, core, task.module, hint, None, via, _chain(ordered, ctx))
    return None


def _signal_name(number: int | None) -> str:
    if number is None:
        return "a signal"
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _effects(outcome: Outcome, ctx: RuntimeContext) -> list[_Fault]:
    out = []
    for effect in outcome.effects:
        rule = _EFFECT_RULES.get(effect.kind)
        if rule is None or effect.path not in ctx.first_party_files:
            continue
        detail = _relativise(effect.detail, ctx)
        core = f"{_EFFECT_WORDS[effect.kind]} when imported: {effect.event} {detail}"
        location = Location(effect.path, effect.line, 1)
        key = (rule.code, effect.path, effect.line)
        out.append(_Fault(rule, location, key, core, outcome.task.module, _HINTS[effect.kind], None, None, ()))
    return out


def _timing(outcome: Outcome, ctx: RuntimeContext) -> Timing | None:
    own = [t for t in outcome.timings if t.module in ctx.module_paths]
    if not own:
        return None
    total = sum(t.self_us for t in own) / 1e6
    mine = [t for t in own if t.module == outcome.task.module]
    heaviest = max(own, key=lambda t: t.self_us)
    return Timing(
        module=outcome.task.module,
        self_seconds=(mine[-1].self_us / 1e6) if mine else 0.0,
        cumulative_seconds=total,
        heaviest=heaviest.module,
        heaviest_seconds=heaviest.self_us / 1e6,
    )


def _slow(timing: Timing, ctx: RuntimeContext) -> _Fault | None:
    limit = ctx.max_import_seconds
    if limit is None or timing.cumulative_seconds <= limit:
        return None
    path = ctx.module_paths.get(timing.heaviest)
    if path is None:
        return None
    location = Location(path, 1, 1)
    core = f"over the {limit:g}s limit; `{timing.heaviest}` alone runs for {timing.heaviest_seconds:.2f}s"
    key = (C.SLOW_IMPORT.code, path)
    return _Fault(C.SLOW_IMPORT, location, key, core, timing.module, _HINTS["slow"], None, None, ())


# -- all outcomes ---------------------------------------------------------------------------


def judge(outcomes: list[Outcome], ctx: RuntimeContext) -> Verdicts:
    faults: list[_Fault] = []
    skipped: list[Skipped] = []
    timings: list[Timing] = []
    passed: list[str] = []
    failed: list[str] = []
    internal: list[Outcome] = []
    seconds: dict[tuple, float] = {}
    for outcome in sorted(outcomes, key=lambda o: (o.task.module, o.task.attr or "")):
        label = outcome.task.module + (f":{outcome.task.attr}" if outcome.task.attr else "")
        faults.extend(_effects(outcome, ctx))
        timing = _timing(outcome, ctx)
        if timing is not None:
            timings.append(timing)
        if outcome.status == INTERNAL:
            internal.append(outcome)
            continue
        if outcome.status == OK:
            passed.append(label)
            slow = _slow(timing, ctx) if timing is not None else None
            if slow is not None:
                faults.append(slow)
                seconds[(slow.key, label)] = timing.cumulative_seconds
            continue
        skip = _expected(outcome, ctx)
        if skip is not None:
            skipped.append(Skipped(label, skip.reason))
            continue
        fault = _fault(outcome, ctx)
        if fault is not None:
            failed.append(label)
            faults.append(fault if not outcome.task.attr else _with_module(fault, label))
    findings = _group(faults, ctx, seconds)
    timings.sort(key=lambda t: (-t.cumulative_seconds, t.module))
    return Verdicts(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        skipped=tuple(skipped),
        timings=tuple(timings),
        passed=tuple(passed),
        failed=tuple(failed),
        internal=tuple(internal),
    )


def _with_module(fault: _Fault, label: str) -> _Fault:
    from dataclasses import replace

    return replace(fault, module=label)


def _subject(label: str) -> str:
    """`import pkg.mod`, or `pkg.mod:app` for an entry point's object."""
    return f"`{label}`" if ":" in label else f"`import {label}`"


def _names(modules: list[str], limit: int = 3) -> str:
    shown = ", ".join(modules[:limit])
    return shown + (f" and {len(modules) - limit} more" if len(modules) > limit else "")


def _group(faults: list[_Fault], ctx: RuntimeContext, seconds: dict[tuple, float]) -> list[Finding]:
    groups: dict[tuple, list[_Fault]] = {}
    for fault in faults:
        groups.setdefault(fault.key, []).append(fault)
    findings = []
    for key, members in groups.items():
        first = members[0]
        modules = sorted({m.module for m in members})
        rule = first.rule
        if rule is C.SLOW_IMPORT:
            slowest = max(seconds.get((key, m), 0.0) for m in modules)
            if len(modules) == 1:
                message = f"{_subject(modules[0])} spends {slowest:.2f}s in first-party module code, {first.core}"
            else:
                message = f"{len(modules)} imports spend up to {slowest:.2f}s in first-party module code ({_names(modules)}), {first.core}"
        elif rule in _EFFECT_RULES.values():
            details = sorted({m.core for m in members})
            subject = _subject(modules[0]) if len(modules) == 1 else f"importing {len(modules)} modules ({_names(modules)})"
            message = f"{subject} {details[0]}"
        elif len(modules) == 1:
            message = f"{_subject(modules[0])} fails: {first.core}"
        else:
            message = f"importing {len(modules)} modules fails here ({_names(modules)}): {first.core}"
        related: list[Related] = []
        seen = {(first.location.path, first.location.line)}
        for m in sorted(members, key=lambda m: m.module):
            where = m.via
            if where is None or (where.path, where.line) in seen:
                # the module's own code never ran (its package failed first): point at its file
                path = ctx.module_paths.get(m.module.split(":")[0])
                where = Location(path, 1, 1) if path and path != first.location.path else None
            if where is None or (where.path, where.line) in seen:
                continue
            seen.add((where.path, where.line))
            effect = rule in _EFFECT_RULES.values() or rule is C.SLOW_IMPORT
            note = f"{_subject(m.module)} runs it" if effect else f"{_subject(m.module)} fails through this"
            if len(m.chain) > 1:
                note += f" ({' -> '.join(m.chain)})"
            related.append(Related(where, note))
        owner = ctx.module_of(first.location.path) or first.module
        chain = first.chain if len(modules) == 1 and len(first.chain) > 1 else None
        findings.append(
            Finding(
                rule=rule,
                location=first.location,
                message=message,
                module=owner,
                name=first.name,
                hint=first.hint,
                related=tuple(related),
                chain=chain,
            )
        )
    return findings
