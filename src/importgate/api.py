"""Programmatic entry points for users and the CLI: check a set of paths, get a Report."""

from __future__ import annotations

from importgate.model import Report
from importgate.projects import configs_for, merge_reports

__all__ = ["check_paths", "configs_for", "merge_reports"]


def check_paths(paths: tuple[str, ...], **overrides) -> Report:
    from importgate import engine

    return merge_reports([engine.check(config) for config in configs_for(paths, **overrides)])

