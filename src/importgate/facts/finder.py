"""Find modules the way CPython's import system would, without importing them.

Mirrors ``BuiltinImporter`` -> ``PathFinder``/``FileFinder`` -> editable-install
finders: first-party roots stand where ``sys.path[0]`` would, then the target
interpreter's ``sys.path``. Directory listings are cached, so a lookup is a
few set-membership tests.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass

from importgate.facts.discover import DEFAULT_EXCLUDES
from importgate.facts.environment import Environment


# in sys.modules before any code runs, whatever file or command started the interpreter
_ALWAYS_THERE = frozenset({"__main__"})


def in_standard_library(target: str, found: "Found | None", env: Environment) -> bool:
    """Is ``import <target>`` the standard library's (a built-in module, a file under the
    stdlib directory, ``__future__``)? The dependency rules never look at those."""
    top = target.split(".")[0]
    if top in env.stdlib or top in env.builtin or top == "__future__" or top in _ALWAYS_THERE:
        return True
    if found is None:
        return False
    if found.kind is Kind.BUILTIN:
        return True
    if not found.path or not env.stdlib_dir:
        return False
    stdlib = os.path.normpath(env.stdlib_dir) + os.sep
    return found.path.startswith(stdlib) and "site-packages" not in found.path and "dist-packages" not in found.path


class Kind(enum.Enum):
    SOURCE = "source"  # a .py file: names are knowable
    STUB_ONLY = "stub"  # only a .pyi (usually for a module built at install time)
    EXTENSION = "extension"  # compiled .so/.pyd: names unknowable (a sibling .pyi may tell)
    BUILTIN = "builtin"
    NAMESPACE = "namespace"  # PEP 420 directory without __init__
    SOURCELESS = "sourceless"  # .pyc only
    ARCHIVE = "archive"  # inside a zip on sys.path
    DYNAMIC = "dynamic"  # registered at run time (sys.modules, meta path finder)


@dataclass(slots=True, unsafe_hash=True)
class Found:
    """Where a module was found, and as what (the finder's answer for one dotted name)."""

    name: str
    kind: Kind
    path: str | None  # the file that runs (.py/.so/...), None for namespace/builtin
    stub: str | None  # a .pyi describing it, when there is one
    locations: tuple[str, ...]  # package __path__ directories; () for plain modules
    first_party: bool
    origin_dir: str | None = None  # the sys.path entry or root it came from

    @property
    def is_package(self) -> bool:
        return bool(self.locations)

    @property
    def names_knowable(self) -> bool:
        return self.kind is Kind.SOURCE or self.kind is Kind.NAMESPACE


class _Listing:
    """``os.scandir`` of a directory, once: name -> is_dir."""

    __slots__ = ("entries",)

    def __init__(self, directory: str) -> None:
        entries: dict[str, bool] = {}
        try:
            with os.scandir(directory) as it:
                for entry in it:
                    try:
                        entries[entry.name] = entry.is_dir()
                    except OSError:
                        entries[entry.name] = False
        except OSError:
            pass
        self.entries = entries


_NOT_FIRST_PARTY = frozenset(DEFAULT_EXCLUDES) | {"dist-packages"}


class ModuleFinder:
    def __init__(self, env: Environment, roots: tuple[str, ...], project_root: str, scope: frozenset[str] | None = None) -> None:
        self.env = env
        self.roots = roots
        self.project_root = project_root
        # the project is part of an import directory (one module of site-packages): only these
        # entries of it are first-party, the rest is installed third-party code
        self._scope = tuple(os.path.join(project_root, name) for name in sorted(scope)) if scope else None
        self._listings: dict[str, _Listing] = {}
        self._zips: dict[str, frozenset[str] | None] = {}
        self._cache: dict[tuple[str, tuple[str, ...]], Found | None] = {}
        self._ext = tuple(sorted(env.extension_suffixes, key=len, reverse=True))
        self._top_level: set[str] | None = None
        self._search: dict[str, tuple[str, ...]] = {}
        self._env_path = tuple(p for p in env.path if os.path.abspath(p) not in {os.path.abspath(r) for r in roots})

    # -- directory helpers ---------------------------------------------------
    def listing(self, directory: str) -> dict[str, bool]:
        cached = self._listings.get(directory)
        if cached is None:
            cached = self._listings[directory] = _Listing(directory)
        return cached.entries

    def consulted(self) -> set[str]:
        """The directories listed and archives opened so far: what the answers depend on."""
        return set(self._listings) | set(self._zips)

    def _zip_names(self, archive: str) -> frozenset[str] | None:
        if archive not in self._zips:
            import zipfile  # an archive on sys.path is rare: not imported on every run

            try:
                with zipfile.ZipFile(archive) as zf:
                    self._zips[archive] = frozenset(zf.namelist())
            except (OSError, zipfile.BadZipFile):
                self._zips[archive] = None
        return self._zips[archive]

    # -- lookups ---------------------------------------------------------------
    def search_path(self, importer: str | None) -> tuple[str, ...]:
        """First-party roots (those holding the importer first), then the environment."""
        if importer is None:
            return self.roots + self._env_path
        cached = self._search.get(importer)
        if cached is None:
            own = tuple(r for r in self.roots if importer.startswith(r + os.sep))
            rest = tuple(r for r in self.roots if r not in own)
            cached = self._search[importer] = own + rest + self._env_path
        return cached

    def find(self, name: str, importer: str | None = None) -> Found | None:
        """The module ``name`` as seen from the file ``importer``; None when it does not exist."""
        search = self.search_path(importer)
        key = (name, search[:4])
        if key in self._cache:
            return self._cache[key]
        found = self._find(name, search)
        self._cache[key] = found
        return found

    def _find(self, name: str, search: tuple[str, ...]) -> Found | None:
        head, _, rest = name.partition(".")
        found = self.find_top(head, search)
        if found is None:
            return None
        for part in rest.split(".") if rest else ():
            if not found.locations:
                return None
            # a namespace package's portions may lie inside and outside the project (azure.mine
            # beside an installed azure.core): each child is ours only if its file is
            inherited = None if found.kind is Kind.NAMESPACE else found.first_party
            child = self.find_in(found.name + "." + part, part, found.locations, inherited)
            if child is None:
                return None
            found = child
        return found

    def find_top(self, name: str, search: tuple[str, ...]) -> Found | None:
        if name in self.env.builtin or name in _ALWAYS_THERE:
            return Found(name, Kind.BUILTIN, None, None, (), False)
        override = self.env.overrides.get(name)
        if override is not None:
            found = self._from_path(name, override)
            if found is not None:
                return found
        found = self.find_in(name, name, search, None)
        if found is not None:
            return found
        for finder in self.env.editable:
            target = finder.mapping.get(name)
            if target is not None:
                return self._from_path(name, target)
            if name in finder.namespaces:
                return Found(name, Kind.NAMESPACE, None, None, finder.namespaces[name], False)
        return None

    def _from_path(self, name: str, target: str) -> Found | None:
        if os.path.isdir(target):
            return self._package_in_dir(name, target, False, os.path.dirname(target)) or Found(
                name, Kind.NAMESPACE, None, None, (target,), False
            )
        if os.path.isfile(target):
            kind = Kind.SOURCE if target.endswith(".py") else Kind.EXTENSION
            return Found(name, kind, target, None, (), False, os.path.dirname(target))
        return None

    def _is_first_party(self, path: str) -> bool:
        """First-party means "inside the project", whatever root made it importable."""
        if self._scope is not None:
            return any(path == entry or path.startswith(entry + os.sep) for entry in self._scope) or any(
                path + suffix in self._scope for suffix in (".py", ".pyi")
            )
        root = self.project_root
        if path == root:
            return True
        if not path.startswith(root + os.sep):
            return False
        # what discovery leaves out is not the project's own code, even when a sys.path entry
        # reaches into it: a ./.venv's site-packages, a build/ copy
        return not any(part in _NOT_FIRST_PARTY for part in path[len(root) + 1 :].split(os.sep))

    def find_in(self, full: str, part: str, locations: tuple[str, ...], first_party: bool | None) -> Found | None:
        """Look for ``part`` in each directory of ``locations`` (a sys.path or a __path__)."""
        namespace: list[str] = []
        for directory in locations:
            if directory.endswith((".zip", ".egg", ".whl")) and os.path.isfile(directory):
                names = self._zip_names(directory)
                if names and (f"{part}/__init__.py" in names or f"{part}.py" in names or f"{part}.pyc" in names or f"{part}/" in names):
                    return Found(full, Kind.ARCHIVE, directory, None, (), False, directory)
                continue
            entries = self.listing(directory)
            if not entries:
                continue
            fp = self._is_first_party(os.path.join(directory, part)) if first_party is None else first_party
            if entries.get(part):  # a directory
                package_dir = os.path.join(directory, part)
                pkg = self._package_in_dir(full, package_dir, fp, directory)
                if pkg is not None:
                    return pkg
                namespace.append(package_dir)
                # FileFinder still looks for part.py beside the directory
            module = self._module_in_dir(full, part, directory, entries, fp)
            if module is not None:
                return module
        for finder in self.env.editable:
            # setuptools' editable installs add their portions of a namespace through a path hook
            namespace.extend(p for p in finder.namespaces.get(full, ()) if p not in namespace)
        if namespace:
            fp = first_party if first_party is not None else self._is_first_party(namespace[0])
            return Found(full, Kind.NAMESPACE, None, None, tuple(namespace), fp, os.path.dirname(namespace[0]))
        return None

    def _package_in_dir(self, full: str, package_dir: str, first_party: bool, origin: str) -> Found | None:
        entries = self.listing(package_dir)
        stub = os.path.join(package_dir, "__init__.pyi") if "__init__.pyi" in entries else None
        for suffix in self._ext:
            if "__init__" + suffix in entries:
                return Found(full, Kind.EXTENSION, os.path.join(package_dir, "__init__" + suffix), stub, (package_dir,), first_party, origin)
        if "__init__.py" in entries:
            return Found(full, Kind.SOURCE, os.path.join(package_dir, "__init__.py"), stub, (package_dir,), first_party, origin)
        if "__init__.pyc" in entries:
            return Found(full, Kind.SOURCELESS, os.path.join(package_dir, "__init__.pyc"), stub, (package_dir,), first_party, origin)
        return None

    def _module_in_dir(self, full: str, part: str, directory: str, entries: dict[str, bool], first_party: bool) -> Found | None:
        stub_name = part + ".pyi"
        stub = os.path.join(directory, stub_name) if stub_name in entries else None
        for suffix in self._ext:
            if part + suffix in entries:
                return Found(full, Kind.EXTENSION, os.path.join(directory, part + suffix), stub, (), first_party, directory)
        if part + ".py" in entries:
            return Found(full, Kind.SOURCE, os.path.join(directory, part + ".py"), stub, (), first_party, directory)
        if part + ".pyc" in entries:
            return Found(full, Kind.SOURCELESS, os.path.join(directory, part + ".pyc"), stub, (), first_party, directory)
        if stub is not None:
            return Found(full, Kind.STUB_ONLY, None, stub, (), first_party, directory)
        if first_party and (part + ".pyx" in entries or part + ".pxd" in entries):
            # a Cython module built at install time
            return Found(full, Kind.EXTENSION, None, None, (), first_party, directory)
        return None

    # -- helpers for messages --------------------------------------------------
    def top_level_names(self) -> set[str]:
        """Every importable top-level name (for "did you mean" hints); listed once per run."""
        if self._top_level is not None:
            return self._top_level
        names = set(self.env.builtin) | set(self.env.stdlib)
        for directory in self.roots + self._env_path:
            for entry, is_dir in self.listing(directory).items():
                if is_dir:
                    if entry.isidentifier():
                        names.add(entry)
                elif entry.endswith(".py"):
                    names.add(entry[:-3])
                else:
                    for suffix in self._ext:
                        if entry.endswith(suffix):
                            names.add(entry[: -len(suffix)])
        self._top_level = names
        return names

    def submodule_names(self, found: Found) -> set[str]:
        out = set()
        for directory in found.locations:
            for entry, is_dir in self.listing(directory).items():
                if is_dir:
                    if entry.isidentifier():
                        out.add(entry)
                elif entry.endswith((".py", ".pyi")) and entry.rsplit(".", 1)[0] != "__init__":
                    out.add(entry.rsplit(".", 1)[0])
                else:
                    for suffix in self._ext:
                        if entry.endswith(suffix):
                            out.add(entry[: -len(suffix)])
        return out
