"""Reporters turn a Report into text for people or machines; findings never render themselves."""

from __future__ import annotations

import os

FORMATS = ("text", "json", "sarif", "github", "junit")


def display_path(path: str) -> str:
    """Relative to the current directory when below it, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def render(report, fmt: str, *, color: bool = False, command: str = "check") -> str:
    if fmt == "text":
        from importgate.report import text

        return text.render(report, color=color)
    if fmt == "json":
        from importgate.report import json as json_report

        return json_report.render(report)
    if fmt == "sarif":
        from importgate.report import sarif

        return sarif.render(report)
    if fmt == "github":
        from importgate.report import github

        return github.render(report)
    if fmt == "junit":
        from importgate.report import junit

        return junit.render(report, suite=f"importgate {command}")
    raise ValueError(f"unknown format {fmt!r}")
