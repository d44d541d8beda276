"""Settings: defaults < ``[tool.importgate]`` in pyproject.toml < command line.

Unknown keys and unknown rule names are errors: a typo in a gate's
configuration must not silently switch the gate off.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields, replace

from importgate.model import Severity
from importgate import catalogue


class ConfigError(Exception):
    """A configuration or usage error: exit status 2."""


@dataclass(slots=True, unsafe_hash=True)
class Config:
    """Every setting of a run: defaults, then pyproject.toml, then the command line."""

    paths: tuple[str, ...] = (".",)
    project_root: str = "."
    roots: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: frozenset[str] = frozenset({"ALL"})
    ignore: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    fail_on: Severity = Severity.ERROR
    python: str | None = None
    entries: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()  # per-rule overrides
    # deploy profile for the dependency rules (None: [tool.importgate.dependencies] decides)
    dep_groups: tuple[str, ...] | None = None
    dep_extras: tuple[str, ...] | None = None
    only_runtime: bool = False
    cache: bool = True
    cache_dir: str | None = None
    jobs: int = 0  # 0: one per CPU


# key in pyproject -> (field name, converter)
def strings(key: str, value, table: str = "[tool.importgate]") -> tuple[str, ...]:
    """A setting that takes a string or a list of strings."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{table} {key} must be a string or a list of strings, not {value!r}")


def _rules(key: str, value) -> frozenset[str]:
    names = strings(key, value)
    return frozenset(normalise_selector(n, key) for n in names)


def normalise_selector(name: str, where: str) -> str:
    name = name.strip()
    if name.upper() == "ALL":
        return "ALL"
    rule = catalogue.lookup(name)
    if rule is not None:
        return rule.code
    if name.upper().startswith("IG") and any(r.code.startswith(name.upper()) for r in catalogue.RULES):
        return name.upper()
    known = ", ".join(r.name for r in catalogue.RULES)
    raise ConfigError(f"unknown rule {name!r} in {where} (known rules: {known})")


def _per_file(key: str, value) -> tuple[tuple[str, frozenset[str]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"[tool.importgate] {key} must be a table of glob = [rules]")
    return tuple((pattern, _rules(f"{key}.{pattern!r}", rules)) for pattern, rules in value.items())


def _severity(key: str, value) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"[tool.importgate] {key} must be one of info, warning, error")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"[tool.importgate] {key}: {exc}") from None


def _severities(key: str, value) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"[tool.importgate] {key} must be a table of rule = severity")
    return tuple((normalise_selector(rule, key), _severity(f"{key}.{rule}", sev)) for rule, sev in value.items())


def _python(key: str, value) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"[tool.importgate] {key} must be a string")
    return value


_KEYS = {
    "roots": ("roots", strings),
    "exclude": ("exclude", strings),
    "select": ("select", _rules),
    "ignore": ("ignore", _rules),
    "per-file-ignores": ("per_file_ignores", _per_file),
    "fail-on": ("fail_on", _severity),
    "python": ("python", _python),
    "entry": ("entries", strings),
    "entries": ("entries", strings),
    "severity": ("severity", _severities),
    "cache-dir": ("cache_dir", _python),
}
# tables owned by other subcommands; validated by them
_SUBTABLES = {"probe", "dependencies", "exports", "pytest"}


def _load_toml(data: bytes) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib.loads(data.decode())  # as tomllib.load does (a bad byte is a ValueError)


_PYPROJECTS: dict[tuple[str, int, int], dict] = {}


def forget_pyprojects() -> None:
    _PYPROJECTS.clear()


def read_pyproject(project_root: str, only_if: bytes | None = None) -> tuple[dict, tuple[str, int, int] | None]:
    """The whole pyproject.toml as a dict, or ({}, problem) when it cannot be parsed. Parsed
    once per content (several layers read it in one run): treat the dict as read-only.
    ``only_if``: a key the caller reads; when the file's bytes cannot spell it (nor could, with
    an escape in a quoted key), ({}, None) without parsing. Most projects' files name neither
    [tool.importgate] nor pytest's ``pythonpath``: the TOML parser then stays unimported, a
    tenth of a run that replays its last report (rules.files reports a broken file)."""
    path = os.path.join(project_root, "pyproject.toml")
    try:
        st = os.stat(path)
    except OSError:
        return {}, None
    if not os.path.isfile(path):
        return {}, None
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    if key in _PYPROJECTS:
        return _PYPROJECTS[key], None
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return {}, (f"cannot read pyproject.toml: {exc.strerror or exc}", 1, 1)
    if only_if is not None and only_if not in raw and b"\\u" not in raw and b"\\U" not in raw:
        return {}, None
    try:
        data = _PYPROJECTS[key] = _load_toml(raw)
        return data, None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        import re

        message = str(exc)
        match = re.search(r"at line (\d+), column (\d+)", message)
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        return {}, (f"pyproject.toml is not valid TOML: {message}", line, col)


def tool_table(pyproject: dict) -> dict:
    table = pyproject.get("tool", {}).get("importgate", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.importgate] must be a table")
    return table


def from_pyproject(project_root: str, base: Config | None = None) -> Config:
    pyproject = read_pyproject(project_root, only_if=b"importgate")[0]
    config = base or Config()
    config = replace(config, project_root=project_root)
    table = tool_table(pyproject)
    updates = {}
    for key, value in table.items():
        if key in _SUBTABLES:
            continue
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown key {key!r} in [tool.importgate] of {os.path.join(project_root, 'pyproject.toml')} (known keys: {known})")
        name, convert = _KEYS[key]
        updates[name] = convert(key, value)
    python = updates.get("python")
    if python and ("/" in python or os.sep in python) and not os.path.isabs(python):
        updates["python"] = os.path.join(project_root, python)  # relative to the project, not the cwd
    return replace(config, **updates)


def merge_cli(config: Config, **overrides) -> Config:
    """Command-line values win; None means "not given"."""
    valid = {f.name for f in fields(Config)}
    clean = {}
    for key, value in overrides.items():
        if key not in valid:
            raise ConfigError(f"internal: unknown setting {key}")
        if value is not None:
            clean[key] = value
    return replace(config, **clean)
