"""Which distribution provides an import name, in the *target* environment.

The answer comes from the target interpreter's installed metadata (each
distribution's ``RECORD``, else ``top_level.txt``), asked by a small
stdlib-only script run in that interpreter, because importgate's own
environment is not the one that will run the service. Names are kept at the
depth where ownership is decided: ``google`` is shared by many distributions
(a namespace), so ``google.cloud.storage`` and ``google.protobuf`` are
recorded instead, and importing one never makes the other "used".

When a module is not installed, ``facts.known`` supplies the usual provider;
when neither knows, the answer is "unknown" and the rules stay silent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from importgate.facts import known
from importgate.facts.environment import Environment, distributions_key, target_process

# Runs inside the target interpreter: stdlib only (3.8+), prints one JSON object.
_SCRIPT = r"""
import json, os, sys, platform
try:
    from importlib import metadata as md
except ImportError:
    md = None
from importlib.machinery import EXTENSION_SUFFIXES
suffixes = tuple(sorted(set(EXTENSION_SUFFIXES) | {".py", ".pyi", ".pyc", ".so", ".pyd"}, key=len, reverse=True))

def version_of(info):
    v = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        v += info.releaselevel[0] + str(info.serial)
    return v

marker_env = {
    "implementation_name": sys.implementation.name,
    "implementation_version": version_of(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}

def names_from_record(files):
    # dotted names of directories holding Python files, plus modules at namespace level
    dirs = {}
    modules = set()
    inits = set()
    for f in files:
        p = str(f).replace("\\", "/")
        if p.startswith(("../", "/")) or "__pycache__" in p:
            continue
        parts = p.split("/")
        if parts[0].endswith((".dist-info", ".egg-info", ".data")) or parts[0].startswith("__editable__"):
            continue
        leaf = parts[-1]
        stem = None
        for s in suffixes:
            if leaf.endswith(s):
                stem = leaf[: -len(s)].split(".")[0]
                break
        if stem is None or not stem.isidentifier():
            continue
        package = parts[:-1]
        if not all(x.isidentifier() for x in package):
            continue
        if stem == "__init__":
            inits.add(".".join(package))
            if package:
                dirs[".".join(package)] = True
        else:
            if package:
                dirs[".".join(package)] = True
            modules.add((".".join(package), stem))
    out = set(dirs)
    for package, stem in modules:
        if not package or package not in inits:
            out.add(package + "." + stem if package else stem)
    return out

dists = []
seen = set()
if md is not None:
    for dist in md.distributions():
        try:
            name = dist.metadata["Name"]
        except Exception:
            name = None
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        names = set()
        try:
            record = dist.read_text("RECORD")
        except Exception:
            record = None
        if record is not None:
            try:
                names = names_from_record(dist.files or ())
            except Exception:
                names = set()
        if not names:
            try:
                top = dist.read_text("top_level.txt") or ""
            except Exception:
                top = ""
            names = set(n.strip().replace("/", ".") for n in top.splitlines() if n.strip() and not n.strip().startswith("_"))
            names |= set(n.strip() for n in top.splitlines() if n.strip().startswith("_") and n.strip().isidentifier())
        try:
            requires = list(dist.requires or ())
        except Exception:
            requires = []
        editable = False
        try:
            direct = dist.read_text("direct_url.json")
            if direct:
                editable = bool(json.loads(direct).get("dir_info", {}).get("editable"))
        except Exception:
            pass
        dists.append({"name": name, "version": dist.version, "names": sorted(names), "requires": requires, "editable": editable})
# keep only the shallowest name of each run of names owned by the same single distribution
owners = {}
for d in dists:
    for n in d["names"]:
        owners.setdefault(n, set()).add(d["name"])
for d in dists:
    kept = []
    for n in d["names"]:
        parent = n.rpartition(".")[0]
        while parent and parent not in owners:
            parent = parent.rpartition(".")[0]
        if parent and owners.get(parent) == {d["name"]} and owners.get(n) == {d["name"]}:
            continue
        kept.append(n)
    d["names"] = kept
print(json.dumps({"marker_env": marker_env, "dists": dists}))
"""


@dataclass(slots=True, unsafe_hash=True)
class Distribution:
    """One installed distribution: its name, version, the modules it owns and what it requires."""

    name: str  # as published
    key: str  # canonical
    version: str
    modules: tuple[str, ...]  # dotted names it owns (see the module docstring)
    requires: tuple[str, ...]  # Requires-Dist strings
    editable: bool = False


@dataclass(slots=True, unsafe_hash=True)
class DistIndex:
    """Installed distributions of the target, and lookups by import name."""

    marker_env: dict[str, str]
    dists: dict[str, Distribution] = field(default_factory=dict)  # canonical name -> dist
    owners: dict[str, frozenset[str]] = field(default_factory=dict)  # dotted -> canonical names
    problem: str | None = None  # why metadata could not be read (the index is then empty)

    def providers(self, module: str) -> frozenset[str]:
        """Canonical names of installed distributions owning the deepest known prefix of ``module``."""
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            found = self.owners.get(".".join(parts[:i]))
            if found:
                return found
        return frozenset()

    def display(self, key: str) -> str:
        """The distribution's own spelling: installed metadata, else the fallback table's."""
        dist = self.dists.get(key)
        if dist is not None:
            return dist.name
        return known_display(key) or key

    def modules_of(self, key: str) -> tuple[str, ...] | None:
        dist = self.dists.get(key)
        return dist.modules if dist is not None and dist.modules else None

    def requires_of(self, key: str, extras: frozenset[str] = frozenset()) -> list[tuple[str, frozenset[str]]]:
        """Distributions that ``key`` (with ``extras``) requires in the target, as (canonical name, extras)."""
        from packaging.requirements import InvalidRequirement, Requirement

        from importgate.facts.manifest import canonical, marker_holds

        dist = self.dists.get(key)
        if dist is None:
            return []
        out = []
        for text in dist.requires:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            if not any(marker_holds(req.marker, self.marker_env, extra) for extra in ("", *sorted(extras))):
                continue
            out.append((canonical(req.name), frozenset(canonical(e) for e in req.extras)))
        return out


_CACHE: dict[tuple, DistIndex] = {}


def _stamp(env: Environment) -> tuple:
    stamps = []
    for entry in env.path:
        try:
            stamps.append((entry, os.stat(entry).st_mtime_ns))
        except OSError:
            stamps.append((entry, None))
    return (env.executable, tuple(stamps))


class PendingDistributions:
    """The distributions query started early, in its own process, so that it runs while
    importgate parses; ``result()`` waits for it (or returns what the cache already had)."""

    def __init__(self, env: Environment, cache=None) -> None:
        from importgate.facts.environment import _signature

        self.env = env
        self.cache = cache
        self.index: DistIndex | None = _CACHE.get(_stamp(env))
        self.proc = None  # the query's subprocess.Popen, when one runs
        self.signature = _signature(env.executable, env.path) if cache is not None else b""
        if self.index is None and cache is not None:
            stored = cache.lookup_env(distributions_key(env.executable))
            if stored is not None and stored[0] == self.signature and isinstance(stored[1], DistIndex):
                self.index = stored[1]
        if self.index is None:
            import subprocess

            try:
                self.proc = subprocess.Popen(
                    [env.executable, "-c", _SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    **target_process(env.executable),
                )
            except OSError:
                self.proc = None

    def close(self) -> None:
        """Reap the query if nobody asked for its result (no manifest, an error elsewhere)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            self.proc.communicate()

    def result(self) -> DistIndex:
        if self.index is not None:
            return self.index
        if self.proc is None:
            return query_distributions(self.env, self.cache)
        import subprocess

        try:
            out, err = self.proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return query_distributions(self.env, self.cache)
        data, problem = _decode(self.env.executable, self.proc.returncode, out, err)
        self.index = _index(data, problem, self.env)
        _CACHE[_stamp(self.env)] = self.index
        if self.cache is not None and problem is None:
            self.cache.remember_env(distributions_key(self.env.executable), self.signature, self.index)
        return self.index


def query_distributions(env: Environment, cache=None) -> DistIndex:
    """The target's installed distributions (cached while its sys.path directories are unchanged:
    in memory, and in the persistent cache when one is given)."""
    from importgate.facts.environment import _signature

    key = _stamp(env)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    store_key = distributions_key(env.executable)
    signature = _signature(env.executable, env.path) if cache is not None else b""
    if cache is not None:
        stored = cache.lookup_env(store_key)
        if stored is not None and stored[0] == signature and isinstance(stored[1], DistIndex):
            _CACHE[key] = stored[1]
            return stored[1]
    data, problem = _run(env.executable)
    index = _index(data, problem, env)
    _CACHE[key] = index
    if cache is not None and problem is None:
        cache.remember_env(store_key, signature, index)
    return index


def _run(python: str) -> tuple[dict | None, str | None]:
    """Always a fresh process of the target: importgate's own process may carry other paths."""
    import subprocess

    try:
        out = subprocess.run([python, "-c", _SCRIPT], capture_output=True, text=True, timeout=120, check=False, **target_process(python))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"cannot run {python}: {exc}"
    return _decode(python, out.returncode, out.stdout, out.stderr)


def _decode(python: str, returncode: int, stdout: str, stderr: str) -> tuple[dict | None, str | None]:
    import json

    if returncode != 0:
        return None, f"{python} could not list its distributions: {stderr.strip()[-300:]}"
    try:
        return json.loads(stdout.strip().splitlines()[-1]), None
    except (ValueError, IndexError):
        return None, f"{python} printed something unexpected while listing distributions"


def fallback_marker_env(env: Environment) -> dict[str, str]:
    """PEP 508 marker variables derived from the Environment alone."""
    system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows", "cygwin": "CYGWIN_NT"}.get(env.platform, "")
    full = "%d.%d.%d" % env.version
    impl = {"cpython": "CPython", "pypy": "PyPy"}.get(env.implementation, env.implementation)
    return {
        "implementation_name": env.implementation,
        "implementation_version": full,
        "os_name": "nt" if env.platform == "win32" else "posix",
        "platform_machine": "",
        "platform_release": "",
        "platform_system": system,
        "platform_version": "",
        "python_full_version": full,
        "platform_python_implementation": impl,
        "python_version": "%d.%d" % env.version[:2],
        "sys_platform": env.platform,
    }


def _index(data: dict | None, problem: str | None, env: Environment) -> DistIndex:
    from importgate.facts.manifest import canonical

    if data is None:
        return DistIndex(marker_env=fallback_marker_env(env), problem=problem)
    dists: dict[str, Distribution] = {}
    owners: dict[str, set[str]] = {}
    for raw in data.get("dists", []):
        key = canonical(raw["name"])
        if key in dists:
            continue
        dist = Distribution(
            name=raw["name"],
            key=key,
            version=str(raw.get("version") or ""),
            modules=tuple(raw.get("names") or ()),
            requires=tuple(raw.get("requires") or ()),
            editable=bool(raw.get("editable")),
        )
        dists[key] = dist
        for name in dist.modules:
            owners.setdefault(name, set()).add(key)
    marker_env = data.get("marker_env") or fallback_marker_env(env)
    return DistIndex(
        marker_env=marker_env,
        dists=dists,
        owners={k: frozenset(v) for k, v in owners.items()},
    )


def known_provider(module: str) -> str | None:
    """The usual provider of a module that is not installed (canonical name), from the fallback table."""
    from importgate.facts.manifest import canonical

    dist = known.provider_for(module)
    return canonical(dist) if dist else None


def known_display(key: str) -> str | None:
    """How the fallback table spells distribution ``key`` (canonical): ``pyyaml`` -> ``PyYAML``."""
    from importgate.facts.manifest import canonical

    return next((dist for dist in known.DISTRIBUTION_FOR_IMPORT.values() if canonical(dist) == key), None)


def known_modules(key: str) -> tuple[str, ...]:
    """Import names the fallback table gives for distribution ``key`` (canonical)."""
    from importgate.facts.manifest import canonical

    names = tuple(mod for mod, dist in known.DISTRIBUTION_FOR_IMPORT.items() if canonical(dist) == key)
    if not names and key.replace("-", "_") in known.SAME_NAME_DISTRIBUTIONS:
        names = (key.replace("-", "_"),)
    return names
