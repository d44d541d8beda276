"""pytest plugin: ``pytest --importgate`` adds one test per first-party module.

Each test imports its module in an isolated process of the interpreter running
pytest (a fork server per pytest process, or fresh interpreters), exactly as
``importgate probe`` does, so with pytest-xdist the imports spread over the
workers. Enable it with ``--importgate``, the ini option ``importgate = true``,
or ``[tool.importgate.pytest] enabled = true`` in pyproject.toml.

Loaded in every pytest session of an environment where importgate is
installed, so it imports nothing of importgate until it is enabled.
"""

from __future__ import annotations

import os
import sys

import pytest

_PYTEST_KEYS = {"enabled"}
_STATE = pytest.StashKey["_ProbeState"]()


def pytest_addoption(parser) -> None:
    group = parser.getgroup("importgate")
    group.addoption(
        "--importgate",
        action="store_true",
        default=None,
        help="importgate: add one test per first-party module that imports it in an isolated process",
    )
    group.addoption("--importgate-timeout", type=float, default=None, metavar="S", help="importgate: seconds one import may take")
    parser.addini("importgate", type="bool", default=False, help="importgate: add one import test per first-party module")


def _pytest_table(rootpath) -> dict:
    from importgate.config import read_pyproject, tool_table

    pyproject, _problem = read_pyproject(str(rootpath))
    table = tool_table(pyproject).get("pytest", {})
    if not isinstance(table, dict):
        raise pytest.UsageError("[tool.importgate.pytest] must be a table")
    unknown = set(table) - _PYTEST_KEYS
    if unknown:
        raise pytest.UsageError(
            f"unknown key {sorted(unknown)[0]!r} in [tool.importgate.pytest] (known keys: {', '.join(sorted(_PYTEST_KEYS))})"
        )
    enabled = table.get("enabled", False)
    if not isinstance(enabled, bool):
        raise pytest.UsageError("[tool.importgate.pytest] enabled must be true or false")
    return table


def _enabled(config) -> bool:
    if config.getoption("importgate"):
        return True
    if config.getini("importgate"):
        return True
    if not os.path.isfile(os.path.join(str(config.rootpath), "pyproject.toml")):
        return False
    return bool(_pytest_table(config.rootpath).get("enabled", False))


def pytest_configure(config) -> None:
    if os.path.isfile(os.path.join(str(config.rootpath), "pyproject.toml")):
        try:
            _pytest_table(config.rootpath)
        except pytest.UsageError:
            raise
        except Exception as exc:  # a broken pyproject.toml is the static check's business
            config.issue_config_time_warning(pytest.PytestConfigWarning(f"importgate: {exc}"), stacklevel=2)
    config.addinivalue_line("markers", "importgate: an import test added by importgate's pytest plugin")


class _ProbeState:
    """One per pytest process (each xdist worker has its own): the plan and a lazily started pool."""

    def __init__(self, prepared) -> None:
        self.prepared = prepared
        self.pool = None

    def probe(self, task):
        if self.pool is None:
            self.pool = self.prepared.pool(jobs=1)
        return next(iter(self.pool.run([task])))

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _prepare(config):
    from importgate import projects
    from importgate.probe import api as probe_api

    [project_config] = projects.configs_for((str(config.rootpath),))
    overrides = {}
    if config.getoption("importgate_timeout") is not None:
        overrides["timeout"] = config.getoption("importgate_timeout")
    if project_config.python is None:
        from dataclasses import replace

        project_config = replace(project_config, python=sys.executable)
    return probe_api.prepare(project_config, **overrides)


def pytest_collection_modifyitems(session, config, items) -> None:
    if not _enabled(config):
        return
    from importgate.config import ConfigError

    try:
        prepared = _prepare(config)
    except ConfigError as exc:
        raise pytest.UsageError(f"importgate: {exc}") from None
    state = _ProbeState(prepared)
    config.stash[_STATE] = state
    for task in prepared.plan.tasks():
        label = task.module + (f":{task.attr}" if task.attr else "")
        item = ImportItem.from_parent(
            session,
            name=f"import[{label}]",
            nodeid=f"importgate::{label}",
            task=task,
        )
        item.add_marker("importgate")
        items.append(item)


def pytest_unconfigure(config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


class ImportFailed(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ImportItem(pytest.Item):
    def __init__(self, *, task, **kwargs) -> None:
        path = task.path
        if path is not None:
            kwargs.setdefault("path", __import__("pathlib").Path(path))
        super().__init__(**kwargs)
        self.task = task

    def runtest(self) -> None:
        from importgate.model import Severity
        from importgate.probe import api as probe_api
        from importgate.probe.findings import judge

        state: _ProbeState = self.config.stash[_STATE]
        outcome = state.probe(self.task)
        verdicts = judge([outcome], state.prepared.context)
        if verdicts.internal:
            raise ImportFailed(f"importgate could not probe {self.task.module}: {outcome.log_tail[-500:]}")
        findings = probe_api.findings_for(state.prepared, verdicts)
        for skipped in verdicts.skipped:
            _skip_here(skipped.reason)
        errors = [f for f in findings if f.effective_severity >= Severity.ERROR]
        for f in findings:
            if f.effective_severity < Severity.ERROR:
                self.warn(pytest.PytestWarning(f"importgate {f.rule.name}: {_where(f.location)}: {f.message}"))
        if errors:
            raise ImportFailed(_describe(errors, outcome))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ImportFailed):
            return excinfo.value.text
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"importgate: import {self.task.module}"


def _skip_here(reason: str) -> None:
    """Skip, reported at the module's location rather than at this line of the plugin."""
    try:
        raise pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:  # pragma: no cover - older pytest
        pytest.skip(reason)


def _where(location) -> str:
    from importgate.report import display_path

    return f"{display_path(location.path)}:{location.line}"


def _describe(errors, outcome) -> str:
    from importgate.report import display_path

    lines = []
    for f in errors:
        lines.append(f"{_where(f.location)}: {f.rule.code} [{f.rule.name}] {f.message}")
        if f.chain:
            lines.append(f"    import chain: {' -> '.join(f.chain)}")
        if f.hint:
            lines.append(f"    help: {f.hint}")
    frames = outcome.exception.frames if outcome.exception else tuple(reversed(outcome.dump))
    shown = [fr for fr in frames if not fr.path.startswith("<frozen") and not fr.path.endswith(os.path.join("probe", "child.py"))]
    if shown:
        lines.append("Traceback (most recent call last, trimmed):")
        for fr in shown[-12:]:
            lines.append(f'  File "{display_path(fr.path)}", line {fr.line}, in {fr.function}')
            if fr.text:
                lines.append(f"    {fr.text}")
        if outcome.exception:
            lines.append(f"{outcome.exception.type}: {outcome.exception.message}")
    return "\n".join(lines)
