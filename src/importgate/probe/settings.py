"""``[tool.importgate.probe]``: validated like the rest of the configuration.

An unknown key is an error (exit 2): a typo such as ``timout`` must not
silently leave the gate at its default.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, replace

from importgate.config import ConfigError, strings

ISOLATIONS = ("auto", "fork", "spawn")
DEFAULT_TIMEOUT = 30.0
# modules that are run, not imported: importing them starts a CLI, a build or a test session
DEFAULT_SKIP = (
    "setup", "conftest", "*.conftest", "noxfile", "fabfile", "__main__", "*.__main__",
    "tests", "tests.*", "*.tests", "*.tests.*", "test", "test.*", "docs", "docs.*",
)


@dataclass(slots=True, unsafe_hash=True)
class Expected:
    """A failure the project accepts: module pattern and (optionally) exception type."""

    module: str
    exception: str | None = None
    reason: str | None = None

    def matches(self, module: str, bases: tuple[str, ...]) -> bool:
        if not fnmatch.fnmatchcase(module, self.module):
            return False
        return self.exception is None or self.exception in bases


@dataclass(slots=True, unsafe_hash=True)
class ProbeSettings:
    """[tool.importgate.probe] and the probe's CLI flags, merged."""

    timeout: float = DEFAULT_TIMEOUT
    jobs: int | None = None
    isolation: str = "auto"
    max_import_seconds: float | None = None
    env: tuple[tuple[str, str], ...] = ()
    env_files: tuple[str, ...] = ()
    expected: tuple[Expected, ...] = ()
    skip: tuple[str, ...] = ()
    slowest: int = 10

    def skipped_by_pattern(self, module: str) -> str | None:
        for pattern in DEFAULT_SKIP + self.skip:
            if fnmatch.fnmatchcase(module, pattern):
                return pattern
        return None


_WHERE = "[tool.importgate.probe]"


def _positive(key: str, value, integer: bool = False):
    ok_type = int if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_type) or value <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise ConfigError(f"{_WHERE} {key} must be {kind}, not {value!r}")
    return int(value) if integer else float(value)


def _non_negative_int(key: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{_WHERE} {key} must be a non-negative integer, not {value!r}")
    return value


def _isolation(key: str, value) -> str:
    if value not in ISOLATIONS:
        raise ConfigError(f"{_WHERE} {key} must be one of {', '.join(ISOLATIONS)}, not {value!r}")
    return value


def _env(key: str, value) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(f"{_WHERE} {key} must be a table of NAME = \"value\" strings")
    return tuple(value.items())


def _strings(key: str, value) -> tuple[str, ...]:
    return strings(key, value, _WHERE)


_EXPECTED_KEYS = {"module", "exception", "reason"}


def _expected(key: str, value) -> tuple[Expected, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{_WHERE} {key} must be a list of tables like {{module = \"pkg.contrib.*\", exception = \"ImproperlyConfigured\"}}")
    out = []
    for i, item in enumerate(value):
        where = f"{_WHERE} {key}[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a table with module = \"pattern\"")
        unknown = set(item) - _EXPECTED_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known keys: {', '.join(sorted(_EXPECTED_KEYS))})")
        module = item.get("module")
        if not isinstance(module, str) or not module:
            raise ConfigError(f"{where} needs module = \"pattern\" (a module name or glob)")
        for optional in ("exception", "reason"):
            if optional in item and not isinstance(item[optional], str):
                raise ConfigError(f"{where} {optional} must be a string")
        out.append(Expected(module=module, exception=item.get("exception"), reason=item.get("reason")))
    return tuple(out)


_KEYS = {
    "timeout": ("timeout", lambda k, v: _positive(k, v)),
    "jobs": ("jobs", lambda k, v: _positive(k, v, integer=True)),
    "isolation": ("isolation", _isolation),
    "max-import-seconds": ("max_import_seconds", lambda k, v: _positive(k, v)),
    "env": ("env", _env),
    "env-file": ("env_files", _strings),
    "expected": ("expected", _expected),
    "skip": ("skip", _strings),
    "slowest": ("slowest", _non_negative_int),
}


def from_table(table: object, project_root: str) -> ProbeSettings:
    if table is None:
        return ProbeSettings()
    if not isinstance(table, dict):
        raise ConfigError(f"{_WHERE} must be a table")
    updates = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(
                f"unknown key {key!r} in {_WHERE} of {os.path.join(project_root, 'pyproject.toml')} (known keys: {known})"
            )
        name, convert = _KEYS[key]
        updates[name] = convert(key, value)
    if "env_files" in updates:  # relative to the project, like every path in pyproject.toml
        updates["env_files"] = tuple(os.path.join(project_root, f) for f in updates["env_files"])
    return replace(ProbeSettings(), **updates)


def merge(settings: ProbeSettings, **overrides) -> ProbeSettings:
    """Command-line values win; None means "not given". env and env_files add to the file's."""
    clean = {}
    for key, value in overrides.items():
        if value is None:
            continue
        if key in ("env", "env_files"):
            value = getattr(settings, key) + tuple(value)
        clean[key] = value
    return replace(settings, **clean)


# -- the environment the service would see --------------------------------------


def parse_env_assignment(text: str, where: str = "--env") -> tuple[str, str]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not (name.replace("_", "a").isalnum() and not name[0].isdigit()):
        raise ConfigError(f"{where}: expected NAME=VALUE, not {text!r}")
    return name, value


def read_env_file(path: str) -> list[tuple[str, str]]:
    """A dotenv file: NAME=value lines, `export` prefixes, # comments, optional quotes."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read env file {path}: {exc.strerror or exc}") from None
    out = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, value = parse_env_assignment(line, f"{path}:{number}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            quote, value = value[0], value[1:-1]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        out.append((name, value))
    return out


def environment(settings: ProbeSettings, base: dict[str, str] | None = None) -> dict[str, str]:
    """os.environ < env files (in order) < explicit NAME=VALUE settings."""
    env = dict(os.environ if base is None else base)
    for path in settings.env_files:
        env.update(read_env_file(path))
    env.update(settings.env)
    return env
