"""syntax-error, unreadable-file, broken-pyproject: input that cannot be analysed
is itself a finding, and never stops the rest of the project from being checked."""

from __future__ import annotations

import os
from typing import Iterator

from importgate.config import read_pyproject
from importgate.model import Finding, Location
from importgate.project import Project
from importgate import catalogue as C


def check(project: Project) -> Iterator[Finding]:
    problem = read_pyproject(project.root)[1]
    if problem is not None:
        message, line, column = problem
        yield Finding(
            rule=C.BROKEN_PYPROJECT,
            location=Location(os.path.join(project.root, "pyproject.toml"), line, column),
            message=message + " (importgate used its defaults for this run)",
            hint="fix the TOML syntax; pip cannot build the project either",
        )
    for facts in project.checked_modules():
        problem = facts.syntax_error
        if problem is None:
            continue
        rule = C.UNREADABLE_FILE if problem.unreadable else C.SYNTAX_ERROR
        text = problem.message
        if rule is C.SYNTAX_ERROR and problem.newer_syntax is None:
            text = f"{text}: importing {facts.name} raises SyntaxError"
        yield Finding(
            rule=rule,
            location=problem.location,
            message=text,
            module=facts.name,
        )
