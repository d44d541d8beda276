"""Helpers for the probe tests: real child processes on projects in tmp_path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


import support
from importgate.probe import api as probe_api


def cli(*args: str, cwd=None, env=None, timeout: float = 180) -> subprocess.CompletedProcess:
    """support.cli with the probe's longer default timeout."""
    return support.cli(*args, cwd=cwd, env=env, timeout=timeout)


def probe(root: Path | str, *paths: str, entries=(), entry_points=False, python=None, **settings) -> probe_api.ProbeRun:
    """`importgate probe` in-process (the analysed code still runs only in child processes)."""
    targets = tuple(str(Path(root) / p) for p in paths) or (str(root),)
    settings.setdefault("timeout", 20.0)
    runs = probe_api.probe_paths(
        targets,
        entries=tuple(entries),
        entry_points=entry_points,
        config_overrides={"python": python or sys.executable},
        **settings,
    )
    assert len(runs) == 1
    return runs[0]


def by_rule(run: probe_api.ProbeRun, rule: str):
    return [f for f in run.report.findings if f.rule.name == rule]


def probe_cli(*args: str, cwd=None, env=None, timeout: float = 180):
    return cli("probe", "--python", sys.executable, *args, cwd=cwd, env=env, timeout=timeout)


def probe_json(*args: str, cwd=None, env=None) -> tuple[int, dict]:
    proc = probe_cli(*args, "--format", "json", cwd=cwd, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)
