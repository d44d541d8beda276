"""What the target interpreter sees: its version, platform and module search path.

The target defaults to the project's own environment (``$VIRTUAL_ENV``, then
``.venv``/``venv`` in the project), then the interpreter running importgate,
because the service runs there and not in importgate's own (pipx) venv.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

# Runs inside the target interpreter: stdlib only, prints one JSON object.
_PROBE = r"""
import json, sys, importlib.machinery as m
finders = []
for f in sys.meta_path:
    mod = type(f).__module__ if not isinstance(f, type) else f.__module__
    name = getattr(f, "__name__", None) or type(f).__name__
    mapping = getattr(sys.modules.get(mod), "MAPPING", None)
    namespaces = getattr(sys.modules.get(mod), "NAMESPACES", None)
    finders.append({"module": mod, "name": name,
                    "mapping": {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else None,
                    "namespaces": {str(k): [str(p) for p in v] for k, v in namespaces.items()} if isinstance(namespaces, dict) else None})
import sysconfig, os
overrides = {}
if any(type(f).__name__ == "DistutilsMetaFinder" for f in sys.meta_path) and os.environ.get("SETUPTOOLS_USE_DISTUTILS", "local") == "local":
    # setuptools' shim serves `distutils` from setuptools._distutils, ahead of the stdlib
    import importlib.util
    spec = importlib.util.find_spec("setuptools")
    if spec is not None and spec.submodule_search_locations:
        local = os.path.join(list(spec.submodule_search_locations)[0], "_distutils")
        if os.path.isdir(local):
            overrides["distutils"] = local
print(json.dumps({
    "overrides": overrides,
    "executable": sys.executable,
    "version": list(sys.version_info[:3]),
    "platform": sys.platform,
    "implementation": sys.implementation.name,
    "path": [p for p in sys.path if p],
    "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
    "builtin": sorted(sys.builtin_module_names),
    "extension_suffixes": list(m.EXTENSION_SUFFIXES),
    "finders": finders,
    "purelib": sysconfig.get_paths().get("purelib"),
    "stdlib_dir": sysconfig.get_paths().get("stdlib"),
}))
"""

# meta path finders that never serve arbitrary top-level modules
_KNOWN_FINDERS = {
    "_frozen_importlib.BuiltinImporter",
    "_frozen_importlib.FrozenImporter",
    "_frozen_importlib_external.PathFinder",
    "_distutils_hack.DistutilsMetaFinder",
    "six._SixMetaPathImporter",
    "pkg_resources.extern.VendorImporter",
    "setuptools.extern.VendorImporter",
    "_virtualenv._Finder",
}


@dataclass(slots=True, unsafe_hash=True)
class EditableFinder:
    """The names an editable install's import hook maps into a directory."""

    mapping: dict[str, str]  # top-level name -> path of the package dir or module file
    namespaces: dict[str, tuple[str, ...]]


@dataclass(slots=True, unsafe_hash=True)
class Environment:
    """The target interpreter as its own probe saw it (``sys.path``, version, standard library)."""

    executable: str
    version: tuple[int, int, int]
    platform: str
    implementation: str
    path: tuple[str, ...]  # sys.path without the script directory
    stdlib: frozenset[str]
    builtin: frozenset[str]
    extension_suffixes: tuple[str, ...]
    editable: tuple[EditableFinder, ...]
    overrides: dict[str, str]  # top-level names served by a finder ahead of sys.path (distutils shim)
    unknown_finders: tuple[str, ...]  # meta path finders we cannot see into
    purelib: str | None
    stdlib_dir: str | None

    @property
    def short_version(self) -> str:
        return "%d.%d" % self.version[:2]

    def describe(self) -> str:
        return f"{self.executable} (Python {self.short_version})"


class EnvironmentError_(Exception):
    """The target interpreter could not be queried."""


def default_interpreter(project_root: str) -> str:
    venv = os.environ.get("VIRTUAL_ENV")
    candidates = []
    if venv:
        candidates.append(venv)
    candidates += [os.path.join(project_root, ".venv"), os.path.join(project_root, "venv")]
    for candidate in candidates:
        for rel in ("bin/python", "Scripts/python.exe"):
            exe = os.path.join(candidate, rel)
            if os.path.isfile(exe) and os.access(exe, os.X_OK):
                return exe
    return sys.executable


def resolve_interpreter(python: str | None) -> str:
    """Accept an interpreter path, a venv directory, or a command name."""
    if python is None:
        return sys.executable
    if os.path.isdir(python):
        for rel in ("bin/python", "Scripts/python.exe"):
            exe = os.path.join(python, rel)
            if os.path.isfile(exe):
                return os.path.abspath(exe)
        raise EnvironmentError_(f"{python} is a directory without bin/python: not a virtual environment")
    if os.sep not in python:
        import shutil

        found = shutil.which(python)
        if found:
            return found
    if not os.path.exists(python):
        raise EnvironmentError_(f"no Python interpreter at {python}")
    return os.path.abspath(python)  # not realpath: a venv's python is a symlink that must stay one


_ENV_VARS = ("PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONSAFEPATH", "PYTHONUSERBASE", "SETUPTOOLS_USE_DISTUTILS")


def _signature(python: str, path: tuple[str, ...]) -> bytes:
    """What decides the interpreter's start-up view: itself, its venv, its sys.path directories."""
    parts = []
    for candidate in (os.path.realpath(python), os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(python))), "pyvenv.cfg"), *path):
        try:
            st = os.stat(candidate)
            parts.append(f"{candidate}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append(f"{candidate}:-")
    return "\n".join(parts).encode()


def distributions_key(executable: str) -> str:
    """Where the target's distribution index is cached (beside its environment)."""
    return f"distributions|{executable}"


def _env_key(python: str) -> str:
    return "|".join([os.path.abspath(python)] + [f"{k}={os.environ.get(k, '')}" for k in _ENV_VARS])


class PendingEnvironment:
    """The target interpreter's answer, asked in a process started at once, so that a cold run
    walks and hashes the project meanwhile; ``result()`` waits for it, or gives the cached one
    while the interpreter and its sys.path directories are unchanged."""

    def __init__(self, python: str, cache=None) -> None:
        self.python = os.path.abspath(python) if os.sep in python else python  # it runs from another directory
        self.cache = cache
        self.env: Environment | None = None
        self.proc = None
        self.error: str | None = None
        if cache is not None:
            stored = cache.lookup_env(_env_key(python))
            if stored is not None:
                signature, env = stored
                if isinstance(env, Environment) and signature == _signature(python, env.path):
                    self.env = env
                    return
        import subprocess

        try:
            self.proc = subprocess.Popen(
                [self.python, "-c", _PROBE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **target_process(self.python)
            )
        except OSError as exc:
            self.error = f"cannot run {self.python}: {exc}"

    def result(self) -> Environment:
        if self.env is not None:
            return self.env
        if self.proc is None:
            raise EnvironmentError_(self.error or f"cannot run {self.python}")
        import subprocess

        try:
            stdout, stderr = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired as exc:
            self.close()
            raise EnvironmentError_(f"cannot run {self.python}: {exc}") from None
        self.env = _parse_answer(self.python, self.proc.returncode, stdout, stderr)
        if self.cache is not None:
            self.cache.remember_env(_env_key(self.python), _signature(self.python, self.env.path), self.env)
        return self.env

    def close(self) -> None:
        """Reap the query if nobody asked for its answer (the walk failed)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            self.proc.communicate()


def target_process(python: str) -> dict:
    """How importgate runs a question in the target interpreter (``python -c``): away from the
    caller's directory, which ``-c`` would put on sys.path, and without PYTHONSAFEPATH, which
    would hide the start-up view a service has."""
    return {
        "env": {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"},
        "cwd": os.path.dirname(os.path.abspath(python)) or None,
    }


def query_environment(python: str) -> Environment:
    """Ask the target interpreter, always in a fresh process: only a fresh
    interpreter shows the import hooks and sys.path the service starts with."""
    return PendingEnvironment(python).result()


def _parse_answer(python: str, returncode: int, stdout: str, stderr: str) -> Environment:
    import json

    if returncode != 0:
        raise EnvironmentError_(f"{python} failed to describe itself: {stderr.strip()[-500:]}")
    try:
        data = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise EnvironmentError_(f"{python} printed something unexpected: {stdout[-200:]!r}") from None
    return _environment_from(data)


def _environment_from(data: dict) -> Environment:
    editable = []
    unknown = []
    for finder in data.get("finders", []):
        key = f"{finder['module']}.{finder['name']}"
        if finder.get("mapping") is not None:
            editable.append(
                EditableFinder(
                    mapping=dict(finder["mapping"]),
                    namespaces={k: tuple(v) for k, v in (finder.get("namespaces") or {}).items()},
                )
            )
        elif key not in _KNOWN_FINDERS and not finder["module"].startswith(("_frozen_importlib", "__editable__")):
            unknown.append(key)
    version = tuple(data["version"])
    return Environment(
        executable=data["executable"],
        version=(version[0], version[1], version[2]),
        platform=data["platform"],
        implementation=data["implementation"],
        path=tuple(p for p in data["path"] if p),
        stdlib=frozenset(data.get("stdlib", ())),
        builtin=frozenset(data.get("builtin", ())),
        extension_suffixes=tuple(data["extension_suffixes"]),
        editable=tuple(editable),
        overrides=dict(data.get("overrides") or {}),
        unknown_finders=tuple(unknown),
        purelib=data.get("purelib"),
        stdlib_dir=data.get("stdlib_dir"),
    )
