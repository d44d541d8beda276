"""Which projects a set of paths belongs to (one Config each), and how their Reports combine."""

from __future__ import annotations

import os

from importgate.config import Config, ConfigError, forget_pyprojects, from_pyproject, merge_cli, normalise_selector
from importgate.facts.discover import find_project_root
from importgate.model import Report, Severity


def configs_for(paths: tuple[str, ...], **overrides) -> list[Config]:
    """One Config per project that the paths belong to (CLI values override pyproject)."""
    forget_pyprojects()  # a new run: files may have changed within one mtime tick
    groups: dict[str, list[str]] = {}
    for path in paths:
        if not os.path.exists(path):
            raise ConfigError(f"no such file or directory: {path}")
        root = find_project_root(path)
        groups.setdefault(root, []).append(os.path.abspath(path))
    configs = []
    for root, members in groups.items():
        config = from_pyproject(root)
        config = merge_cli(config, paths=tuple(members), **_normalise(overrides))
        configs.append(config)
    return configs


def _normalise(overrides: dict) -> dict:
    out = dict(overrides)
    for key in ("select", "ignore"):
        value = out.get(key)
        if value is not None and not isinstance(value, frozenset):
            out[key] = frozenset(normalise_selector(v, f"--{key}") for v in value)
    if isinstance(out.get("fail_on"), str):
        out["fail_on"] = Severity.parse(out["fail_on"])
    for key in ("entries", "roots", "exclude", "dep_groups", "dep_extras"):
        if isinstance(out.get(key), list):
            out[key] = tuple(out[key])
    return out


def merge_reports(reports: list[Report]) -> Report:
    if len(reports) == 1:
        return reports[0]
    return Report(
        findings=tuple(f for r in reports for f in r.findings),
        files=sum(r.files for r in reports),
        modules=sum(r.modules for r in reports),
        seconds=sum(r.seconds for r in reports),
        problems=tuple(p for r in reports for p in r.problems),
        fixed=tuple(x for r in reports for x in r.fixed),
    )
