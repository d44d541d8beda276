"""What a deployment will really install, from the project's lock file.

``uv.lock``, ``poetry.lock`` and PEP 751 ``pylock.toml`` pin the whole
dependency tree. Walking it from the selected groups and extras, with markers
evaluated for the target Python and platform, gives the set of distributions
that the production image will hold, independent of whatever happens to be
installed on the developer's machine.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from importgate.facts.manifest import DeclaredDeps, canonical, marker_holds

LOCK_FILES = ("uv.lock", "pylock.toml", "poetry.lock")


@dataclass(slots=True, unsafe_hash=True)
class LockClosure:
    """What a lock file installs for the deploy profile, and which package pulled each one in."""

    path: str
    packages: frozenset[str]  # canonical names installed by the selected profile
    # child -> parent that pulled it in (for "a -> b -> c" explanations); roots map to None
    parents: dict[str, str | None]
    problem: str | None = None

    def chain(self, name: str) -> tuple[str, ...]:
        out = [name]
        seen = {name}
        cursor = self.parents.get(name)
        while cursor is not None and cursor not in seen:
            out.append(cursor)
            seen.add(cursor)
            cursor = self.parents.get(cursor)
        return tuple(reversed(out))


def find_lock(root: str) -> str | None:
    for name in LOCK_FILES:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            return path
    try:
        named = sorted(n for n in os.listdir(root) if re.match(r"^pylock\.[^.]+\.toml$", n))
    except OSError:
        named = []
    return os.path.join(root, named[0]) if named else None


def read_lock(
    root: str,
    declared: DeclaredDeps,
    marker_env: dict[str, str],
    extras: frozenset[str],
    groups: frozenset[str],
) -> LockClosure | None:
    """The profile's closure from the project's lock file; None when there is none."""
    path = find_lock(root)
    if path is None:
        return None
    from importgate.config import _load_toml

    try:
        with open(path, "rb") as fh:
            data = _load_toml(fh.read())
    except (OSError, ValueError) as exc:
        return LockClosure(path, frozenset(), {}, f"cannot read {os.path.basename(path)}: {exc}")
    name = os.path.basename(path)
    try:
        if name == "uv.lock":
            return _uv(path, data, declared, marker_env, extras, groups)
        if name == "poetry.lock":
            return _poetry(path, data, declared, marker_env, extras, groups)
        return _pylock(path, data, marker_env, extras, groups)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return LockClosure(path, frozenset(), {}, f"cannot understand {name}: {exc!r}")




def _walk(roots: list[tuple[str, frozenset[str], str | None]], edges) -> tuple[frozenset[str], dict[str, str | None]]:
    """Breadth-first closure; ``edges(name, extras)`` yields (child, child_extras)."""
    parents: dict[str, str | None] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    queue = list(roots)
    while queue:
        name, wanted, parent = queue.pop(0)
        if name not in parents:
            parents[name] = parent
        if (name, wanted) in done:
            continue
        done.add((name, wanted))
        for child, child_extras in edges(name, wanted):
            queue.append((child, child_extras, name))
    return frozenset(parents), parents


def _uv(path, data, declared, env, extras, groups) -> LockClosure:
    packages: dict[str, list[dict]] = {}
    for pkg in data.get("package", []):
        packages.setdefault(canonical(pkg["name"]), []).append(pkg)
    own = declared.project_name
    root_pkg = None
    for key, pkgs in packages.items():
        for pkg in pkgs:
            source = pkg.get("source", {})
            if (own and key == own) or (not own and ("editable" in source or "virtual" in source) and source.get("editable", source.get("virtual")) == "."):
                root_pkg = pkg
                break
        if root_pkg is not None:
            break

    def deps_of(entries) -> list[tuple[str, frozenset[str]]]:
        out = []
        for dep in entries or []:
            if marker_holds(dep.get("marker"), env):
                out.append((canonical(dep["name"]), frozenset(canonical(e) for e in dep.get("extra", []))))
        return out

    def edges(name, wanted):
        out = []
        for pkg in packages.get(name, []):
            out += deps_of(pkg.get("dependencies"))
            optional = pkg.get("optional-dependencies", {})
            for extra in wanted:
                out += deps_of(optional.get(extra) or optional.get(extra.replace("-", "_")))
        return out

    roots: list[tuple[str, frozenset[str], str | None]] = []
    if root_pkg is not None:
        roots += [(n, e, None) for n, e in deps_of(root_pkg.get("dependencies"))]
        optional = root_pkg.get("optional-dependencies", {})
        for extra, entries in optional.items():
            if canonical(extra) in extras:
                roots += [(n, e, None) for n, e in deps_of(entries)]
        for table in ("dev-dependencies", "dependency-groups"):
            for group, entries in (root_pkg.get(table) or {}).items():
                if canonical(group) in groups:
                    roots += [(n, e, None) for n, e in deps_of(entries)]
    else:  # a workspace without a root package: start from the declaration
        roots = [(r.name, r.extras, None) for r in _selected(declared, extras, groups)]
    names, parents = _walk(roots, edges)
    return LockClosure(path, names, parents)


def _selected(declared: DeclaredDeps, extras: frozenset[str], groups: frozenset[str]):
    for r in declared.runtime:
        if r.active:
            yield r
    for extra in extras:
        for r in declared.extras.get(extra, ()):
            if r.active:
                yield r
    for group in groups:
        for r in declared.groups.get(group, ()):
            if r.active:
                yield r


def _poetry(path, data, declared, env, extras, groups) -> LockClosure:
    packages = {canonical(p["name"]): p for p in data.get("package", [])}

    def edges(name, wanted):
        pkg = packages.get(name)
        if pkg is None:
            return []
        out = []
        optional_wanted: set[str] = set()
        for extra in wanted:
            for item in (pkg.get("extras") or {}).get(extra, []):
                optional_wanted.add(canonical(re.split(r"[\s\[(<>=!~;]", item.strip(), maxsplit=1)[0]))
        for dep_name, spec in (pkg.get("dependencies") or {}).items():
            key = canonical(dep_name)
            specs = spec if isinstance(spec, list) else [spec]
            for item in specs:
                if isinstance(item, dict):
                    if item.get("optional") and key not in optional_wanted:
                        continue
                    if not marker_holds(item.get("markers"), env):
                        continue
                    out.append((key, frozenset(canonical(e) for e in item.get("extras", []))))
                else:
                    out.append((key, frozenset()))
                break
        return out

    roots = [(r.name, r.extras, None) for r in _selected(declared, extras, groups)]
    names, parents = _walk(roots, edges)
    return LockClosure(path, names, parents)


def _pylock(path, data, env, extras, groups) -> LockClosure:
    """PEP 751: a package is installed when its marker holds for the environment, extras and groups."""
    default_groups = frozenset(canonical(g) for g in data.get("default-groups", []))
    selected_groups = groups or default_groups
    names: set[str] = set()
    by_name: dict[str, dict] = {}
    for pkg in data.get("packages", []):
        key = canonical(pkg["name"])
        if marker_holds(pkg.get("marker"), env, extras=set(extras), dependency_groups=set(selected_groups)):
            names.add(key)
            by_name[key] = pkg
    parents: dict[str, str | None] = {n: None for n in names}
    for key, pkg in by_name.items():
        for dep in pkg.get("dependencies", []) or []:
            child = canonical(dep.get("name", "")) if isinstance(dep, dict) else None
            if child in names and parents.get(child) is None and child != key:
                parents[child] = key
    # roots: packages nobody in the lock depends on
    return LockClosure(path, frozenset(names), parents)
