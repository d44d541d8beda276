"""Findings and reports shared by every layer (the facts of a parsed file are in
importgate.facts.model).

Plain dataclasses and nothing else: this module imports nothing from importgate and does
no I/O, so every other layer can depend on it.

Findings, reports and facts are values: made once, compared and hashed by their fields, never
changed. They are ``@dataclass(slots=True, unsafe_hash=True)``, not ``frozen=True``: on CPython
3.11 a frozen class costs two more generated methods (~0.26 ms a class, ~9 ms of an edit's
answer over the ~40 classes it loads) and a slower ``__init__`` (loading cached facts, parsing).
That nothing changes them is tested over whole checks (tests/functional/test_values.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


def by_fields(self):
    """Pickle as ``cls(*fields)``: about twice as fast to load as the default state dict of a
    slotted dataclass, which matters when a warm run loads every module's facts."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= fail_on`` decides the exit code."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected one of: info, warning, error)"
            ) from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(slots=True, unsafe_hash=True)
class Location:
    """A span in a file; lines and columns are 1-based, end is exclusive."""

    __reduce__ = by_fields

    path: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        if self.end_line == 0:
            self.end_line = self.line
        if self.end_column == 0:
            self.end_column = self.column


@dataclass(slots=True, unsafe_hash=True)
class Rule:
    """A rule's stable code and name (the catalogue lists them all)."""

    __reduce__ = by_fields

    code: str
    name: str
    severity: Severity
    summary: str


@dataclass(slots=True, unsafe_hash=True)
class Related:
    """Another place a finding points at (where the name lives, who imports it)."""

    __reduce__ = by_fields

    location: Location
    message: str


@dataclass(slots=True, unsafe_hash=True)
class Edit:
    """Replace the span [line:column, end_line:end_column) of ``path`` by ``content``."""

    __reduce__ = by_fields

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(slots=True, unsafe_hash=True)
class Fix:
    """Edits that repair a finding; ``unsafe`` ones are applied only on request."""

    __reduce__ = by_fields

    applicability: str  # "safe" | "unsafe"
    description: str
    edits: tuple[Edit, ...]


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """One problem in the analysed code, with why it fails and how to fix it."""

    __reduce__ = by_fields

    rule: Rule
    location: Location
    message: str
    module: str | None = None
    name: str | None = None
    hint: str | None = None
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    # findings with the same key describe one fault and are merged into one
    group: tuple[str, ...] | None = None
    chain: tuple[str, ...] | None = None  # start-up import chain, when entries are known
    severity: Severity | None = None  # overrides rule.severity (config)

    @property
    def effective_severity(self) -> Severity:
        return self.severity if self.severity is not None else self.rule.severity

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule.code, self.name or "", self.message)


@dataclass(slots=True, unsafe_hash=True)
class Problem:
    """Something importgate itself could not do (unreadable file, broken config): shown, never fatal."""

    __reduce__ = by_fields

    message: str
    path: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class Report:
    """What a run found, and what it cost (files, time, how much came from the cache)."""

    __reduce__ = by_fields

    findings: tuple[Finding, ...]
    files: int
    modules: int
    seconds: float
    problems: tuple[Problem, ...] = ()
    fixed: tuple[str, ...] = ()  # descriptions of applied fixes
    parsed: int = 0  # files parsed in this run (the rest came from the cache)
    replayed: bool = False  # nothing changed: the previous report was reused

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.effective_severity == severity)
