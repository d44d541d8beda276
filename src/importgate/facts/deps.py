"""Everything the dependency rules read, gathered once: settings, declarations,
installed distributions, and the deploy profile's closure.

Settings come from ``[tool.importgate.dependencies]`` (validated here: an
unknown key is a ConfigError, exit 2) overridden by ``--groups``,
``--extras`` and ``--only-runtime``.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field

from importgate.config import Config, ConfigError, read_pyproject, strings, tool_table
from importgate.facts.distributions import DistIndex, query_distributions
from importgate.facts.environment import Environment
from importgate.facts.lockfile import LockClosure, read_lock
from importgate.facts.manifest import DeclaredDeps, canonical, is_dev_name, read_declared

DEFAULT_DEV_FILES = (
    "tests/", "test/", "test_*.py", "*_test.py", "conftest.py",
    "docs/", "setup.py", "noxfile.py",
)

# Distributions that are declared but, by design, never imported by name:
# servers and task runners started from the command line, database drivers
# loaded by URL, event loops and parsers picked up by other libraries,
# typing-only packages, and plugin families loaded through entry points.
DEFAULT_ALLOW_UNUSED = (
    "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress", "granian", "supervisor", "honcho",
    "alembic", "celery", "ddtrace", "newrelic", "scout-apm", "elastic-apm",
    "psycopg2", "psycopg2-binary", "psycopg", "psycopg-binary", "psycopg-c", "pymysql", "mysqlclient",
    "mysql-connector-python", "cx-oracle", "oracledb", "pyodbc", "asyncpg", "aiosqlite", "aiomysql", "pg8000",
    "uvloop", "httptools", "websockets", "watchfiles", "gevent", "eventlet", "greenlet",
    "email-validator", "python-multipart", "tzdata", "certifi", "setuptools", "pip", "wheel",
    "brotli", "brotlicffi", "orjson", "ujson", "cchardet", "lxml-stubs",
    "opentelemetry-distro", "opentelemetry-instrumentation*", "opentelemetry-exporter-*",
    "types-*", "*-stubs", "pytest-*", "flake8-*", "mkdocs-*", "sphinx*", "django-*",
)


@dataclass(slots=True, unsafe_hash=True)
class DepsSettings:
    """What the project says about its dependencies ([tool.importgate.dependencies] and CLI flags)."""

    groups: tuple[str, ...] = ()  # groups the deploy installs
    extras: tuple[str, ...] = ()  # extras the deploy installs ("all" for every one)
    allow_unused: tuple[str, ...] = ()
    allow_undeclared: tuple[str, ...] = ()
    dev_files: tuple[str, ...] = DEFAULT_DEV_FILES
    first_party: tuple[str, ...] = ()
    module_map: tuple[tuple[str, tuple[str, ...]], ...] = ()  # distribution -> import names
    dev_extras: tuple[str, ...] = ()  # extras that are development-only besides the dev-like names
    extra_modules: tuple[tuple[str, tuple[str, ...]], ...] = ()  # extra -> module patterns
    requirements: tuple[str, ...] = ()  # runtime requirements files (instead of discovery)


def _strings(key: str, value) -> tuple[str, ...]:
    return strings(key, value, "[tool.importgate.dependencies]")


def _mapping(key: str, value) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"[tool.importgate.dependencies] {key} must be a table of name = [names]")
    return tuple((k, _strings(f"{key}.{k}", v)) for k, v in value.items())


_KEYS = {
    "groups": ("groups", _strings),
    "extras": ("extras", _strings),
    "allow-unused": ("allow_unused", _strings),
    "allow-undeclared": ("allow_undeclared", _strings),
    "dev-files": ("dev_files", _strings),
    "first-party": ("first_party", _strings),
    "module-map": ("module_map", _mapping),
    "dev-extras": ("dev_extras", _strings),
    "extra-modules": ("extra_modules", _mapping),
    "requirements": ("requirements", _strings),
}


def read_settings(table) -> DepsSettings:
    if not isinstance(table, dict):
        raise ConfigError("[tool.importgate.dependencies] must be a table")
    values = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key {key!r} in [tool.importgate.dependencies] (known keys: {known})")
        name, convert = _KEYS[key]
        values[name] = convert(key, value)
    return DepsSettings(**values)


@dataclass(slots=True, unsafe_hash=True)
class Profile:
    """Which declared dependencies a deployment installs."""

    groups: frozenset[str]
    extras: frozenset[str]
    dev_extras: frozenset[str]

    def describe(self) -> str:
        parts = ["runtime dependencies"]
        if self.extras:
            parts.append("extras " + ", ".join(sorted(self.extras)))
        if self.groups:
            parts.append("groups " + ", ".join(sorted(self.groups)))
        return " + ".join(parts)


@dataclass(slots=True, unsafe_hash=True)
class DepsFacts:
    """Everything the dependency rules read: declarations, what is installed, the deploy profile."""

    settings: DepsSettings
    declared: DeclaredDeps
    index: DistIndex
    profile: Profile
    lock: LockClosure | None
    # the profile's closure when there is no lock: declared -> installed Requires-Dist
    installed_closure: dict[str, str | None] = field(default_factory=dict)

    def closure_chain(self, key: str) -> tuple[str, ...] | None:
        """Declared root -> ... -> key, when the profile installs ``key`` transitively."""
        if self.lock is not None and self.lock.problem is None:
            return self.lock.chain(key) if key in self.lock.packages else None
        if key not in self.installed_closure:
            return None
        out = [key]
        seen = {key}
        cursor = self.installed_closure.get(key)
        while cursor is not None and cursor not in seen:
            out.append(cursor)
            seen.add(cursor)
            cursor = self.installed_closure.get(cursor)
        return tuple(reversed(out))

    def is_dev_file(self, rel: str) -> bool:
        return matches_any(rel, self.settings.dev_files)


def matches_any(rel: str, patterns: tuple[str, ...]) -> bool:
    rel = rel.replace(os.sep, "/")
    base = rel.rsplit("/", 1)[-1]
    for pattern in patterns:
        if pattern.endswith("/"):
            stem = pattern.strip("/")
            if f"/{stem}/" in f"/{rel}" or fnmatch.fnmatch(rel, stem + "/*"):
                return True
        elif "/" in pattern:
            if fnmatch.fnmatch(rel, pattern):
                return True
        elif fnmatch.fnmatch(base, pattern):
            return True
    return False


def _manifests(root: str) -> tuple[dict, DepsSettings]:
    pyproject, _problem = read_pyproject(root)
    return pyproject, read_settings(tool_table(pyproject).get("dependencies", {}))


def declared_only(root: str) -> DeclaredDeps:
    """What the manifests declare, without the target's distributions (markers are not weighed
    against it: every declaration counts). Enough to say that a module the target lacks is one
    the project declares."""
    pyproject, settings = _manifests(root)
    return read_declared(root, pyproject, {}, settings.requirements)


def load(config: Config, root: str, env: Environment, cache=None, pending=None) -> DepsFacts:
    pyproject, settings = _manifests(root)
    index = pending.result() if pending is not None else query_distributions(env, cache)
    declared = read_declared(root, pyproject, index.marker_env, settings.requirements)
    profile = _profile(config, settings, declared)
    lock = read_lock(root, declared, index.marker_env, profile.extras, profile.groups) if declared.found else None
    closure = _installed_closure(declared, index, profile)
    return DepsFacts(settings, declared, index, profile, lock, closure)


def _profile(config: Config, settings: DepsSettings, declared: DeclaredDeps) -> Profile:
    groups = tuple(getattr(config, "dep_groups", None) or settings.groups)
    extras = tuple(getattr(config, "dep_extras", None) or settings.extras)
    if getattr(config, "only_runtime", False):
        groups, extras = (), ()
    extra_set = {canonical(e) for e in extras}
    if extra_set & {"all", "*"}:
        extra_set = set(declared.extras)
    group_set = {canonical(g) for g in groups}
    if group_set & {"all", "*"}:
        group_set = set(declared.groups)
    for name, known, kind in ((extra_set, declared.extras, "extra"), (group_set, declared.groups, "group")):
        unknown = sorted(n for n in name if n not in known)
        if unknown and declared.found:
            have = ", ".join(sorted(known)) or "none"
            raise ConfigError(f"unknown {kind} {', '.join(unknown)} in the deploy profile (declared {kind}s: {have})")
    dev_extras = {e for e in declared.extras if is_dev_name(e)} | {canonical(e) for e in settings.dev_extras}
    return Profile(frozenset(group_set), frozenset(extra_set), frozenset(dev_extras))


def _installed_closure(declared: DeclaredDeps, index: DistIndex, profile: Profile) -> dict[str, str | None]:
    from importgate.facts.lockfile import _selected

    parents: dict[str, str | None] = {}
    queue = [(r.name, r.extras, None) for r in _selected(declared, profile.extras, profile.groups)]
    done: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras, parent = queue.pop(0)
        parents.setdefault(name, parent)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        for child, child_extras in index.requires_of(name, extras):
            queue.append((child, child_extras, name))
    return parents
