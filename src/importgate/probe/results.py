"""What one probed import did, as plain data; and the parsers that read the child's output.

The child reports JSON; its log file holds ``-X importtime`` lines and, after a
crash or timeout, a faulthandler dump. Both are parsed here so that the rules
only ever see plain values (dataclasses).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

BEGIN_MARK = "@@importgate-probe-begin@@"  # same constant as in child.py (which cannot import us)

OK, ERROR, EXIT, TIMEOUT, CRASH, INTERNAL = "ok", "error", "exit", "timeout", "crash", "internal"


@dataclass(slots=True, unsafe_hash=True)
class Task:
    """One import a child process performs."""

    id: int
    module: str
    attr: str | None = None
    path: str | None = None  # the module's file, when first-party


@dataclass(slots=True, unsafe_hash=True)
class Frame:
    """One line of a traceback or of a stack dump."""

    path: str
    line: int
    function: str = ""
    text: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Raised:
    """The exception an import raised, as the child saw it (no live object crosses processes)."""

    type: str
    qualname: str
    bases: tuple[str, ...]  # names and qualified names along the MRO
    message: str
    frames: tuple[Frame, ...]
    name: str | None = None  # ImportError.name
    path: str | None = None  # ImportError.path
    syntax: Frame | None = None  # SyntaxError filename/lineno/offset (line, column in text)
    exit_code: int | str | None = None


@dataclass(slots=True, unsafe_hash=True)
class SideEffect:
    """Something an import did besides defining names: network, subprocess, file write."""

    kind: str  # network | subprocess | file-write
    event: str  # the audit event
    detail: str
    path: str
    line: int


@dataclass(slots=True, unsafe_hash=True)
class ImportTime:
    """One line of ``-X importtime``: a module's own and cumulative import time."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


@dataclass(slots=True, unsafe_hash=True)
class Outcome:
    """What happened when a child imported one task's module."""

    task: Task
    status: str  # ok | error | exit | timeout | crash | internal
    seconds: float
    exception: Raised | None = None
    attr_missing: bool = False
    effects: tuple[SideEffect, ...] = ()
    signal: int | None = None
    returncode: int | None = None
    dump: tuple[Frame, ...] = ()  # faulthandler stack of the importing thread (crash, timeout)
    timings: tuple[ImportTime, ...] = ()
    log_tail: str = ""

    def verdict_key(self) -> tuple:
        """What must be identical whatever the isolation mode or the number of jobs."""
        exc = self.exception
        return (
            self.task.module,
            self.status,
            exc.qualname if exc else None,
            stable_message(exc.message) if exc else None,
            self.attr_missing,
            self.signal,
            tuple(sorted((e.kind, e.path, e.line) for e in self.effects)),
        )


def stable_message(message: str) -> str:
    # object addresses differ from run to run
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", message)


def _frame(raw) -> Frame:
    path, line, function, text = (list(raw) + ["", 0, "", ""])[:4]
    return Frame(str(path), int(line or 0), str(function or ""), str(text or ""))


def raised_from(data: dict | None) -> Raised | None:
    if not data:
        return None
    syntax = data.get("syntax")
    return Raised(
        type=str(data.get("type", "Exception")),
        qualname=str(data.get("qualname", "")),
        bases=tuple(str(x) for x in data.get("mro", ())),
        message=str(data.get("message", "")),
        frames=tuple(_frame(f) for f in data.get("frames", ())),
        name=data.get("name"),
        path=data.get("path"),
        syntax=Frame(str(syntax[0]), int(syntax[1] or 1), "", str(syntax[2] or 1)) if syntax else None,
        exit_code=data.get("exit_code"),
    )


def effects_from(items) -> tuple[SideEffect, ...]:
    out = []
    for e in items or ():
        try:
            out.append(SideEffect(str(e["kind"]), str(e["event"]), str(e.get("detail", "")), str(e["path"]), int(e["line"])))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


def parse_result_line(text: str) -> dict | None:
    """The last JSON object the child wrote (None if it wrote none)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


# -- the log file -------------------------------------------------------------------

_IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")
_DUMP_HEAD = re.compile(r"^(Current thread|Thread) 0x[0-9a-fA-F]+ .*most recent call first\):\s*$|^Stack \(most recent call first\):\s*$")
_DUMP_FRAME = re.compile(r'^\s+File "(.*)", line (\d+) in (.*)$')


@dataclass(slots=True, unsafe_hash=True)
class LogFacts:
    """What a child's log says when it died without a result (crash, hang)."""

    began: bool  # the child reached the import (else it failed to start)
    timings: tuple[ImportTime, ...]
    dump: tuple[Frame, ...]
    timed_out: bool  # faulthandler's watchdog fired
    fatal: str | None  # "Fatal Python error: ..." line
    tail: str


def parse_log(text: str, child_file: str) -> LogFacts:
    began = BEGIN_MARK in text
    body = text.split(BEGIN_MARK, 1)[1] if began else text
    timings = []
    other: list[str] = []
    for line in body.splitlines():
        match = _IMPORTTIME.search(line)
        if match:
            self_us, cum_us, indent, name = match.groups()
            timings.append(ImportTime(name, int(self_us), int(cum_us), len(indent) // 2))
            prefix = line[: match.start()]
            if prefix.strip():
                other.append(prefix)
        else:
            other.append(line)
    timed_out = any(line.startswith("Timeout (") for line in other)
    fatal = next((line.strip() for line in other if line.startswith("Fatal Python error")), None)
    return LogFacts(
        began=began,
        timings=tuple(timings),
        dump=_importing_thread(other, child_file),
        timed_out=timed_out,
        fatal=fatal,
        tail="\n".join(line for line in other if line.strip())[-2000:],
    )


def _importing_thread(lines: list[str], child_file: str) -> tuple[Frame, ...]:
    """The faulthandler block of the thread that runs the import (most recent call first)."""
    blocks: list[list[Frame]] = []
    current: list[Frame] | None = None
    for line in lines:
        if _DUMP_HEAD.match(line):
            current = []
            blocks.append(current)
            continue
        match = _DUMP_FRAME.match(line)
        if match and current is not None:
            current.append(Frame(match.group(1), int(match.group(2)), match.group(3).strip()))
        elif current is not None and line.strip() and not line.startswith(" "):
            current = None
    for block in blocks:
        if any(f.path == child_file for f in block):
            return tuple(block)
    return tuple(blocks[0]) if blocks else ()
