"""Which files are first-party, where the import roots are, and each file's module name.

Two steps, because the right root is sometimes only visible from the code:
``walk_project`` lists the files (no parsing), and ``assign_names`` decides
roots and names once the absolute imports of all files are known. That is how
``services/api/app/__init__.py`` (a root at ``services/api``, imported as
``app``) is told apart from ``src/company/product/__init__.py`` (a PEP 420
namespace package, imported as ``company.product``).
"""

from __future__ import annotations

import fnmatch
import operator
import os
import stat
from dataclasses import dataclass

from importgate.model import Problem

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist",
    "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".importgate_cache",
    "site-packages", "__pypackages__", ".direnv", ".idea", ".vscode",
)
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(slots=True, unsafe_hash=True)
class SourceFile:
    """A Python file of the project, with the stat the cache's fast path compares."""

    path: str  # absolute, normalised
    relpath: str  # relative to the project root, "/" separated
    is_package: bool  # an __init__ file
    is_stub: bool  # a .pyi file
    size: int = -1  # from the walk's stat: lets the cache skip reading unchanged files
    mtime_ns: int = -1


@dataclass(slots=True, unsafe_hash=True)
class ProjectFiles:
    """What the walk found: the sources, and the directories namespace packages live in."""

    root: str
    files: tuple[SourceFile, ...]
    problems: tuple[Problem, ...]
    extension_modules: tuple[str, ...] = ()  # relpaths of .so/.pyd inside the project
    dirs: tuple[str, ...] = ()  # relpaths of every directory walked (namespace packages live here)


def find_project_root(path: str) -> str:
    """The nearest directory at or above ``path`` with a project marker, else ``path`` itself."""
    start = os.path.abspath(path)
    if os.path.isfile(start):
        start = os.path.dirname(start)
    current = start
    while True:
        if any(os.path.isfile(os.path.join(current, marker)) for marker in _PROJECT_MARKERS):
            return current
        if os.path.isdir(os.path.join(current, ".git")):
            return current
        if _is_import_directory(current):
            # an installed package or the stdlib: never climb out of sys.path; a path inside an
            # installed package belongs to its top-level package (site-packages/alembic)
            if current == start:
                return start
            return os.path.join(current, os.path.relpath(start, current).split(os.sep, 1)[0])
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


def _is_import_directory(path: str) -> bool:
    """site-packages, dist-packages or a standard library directory."""
    name = os.path.basename(path)
    if name in ("site-packages", "dist-packages"):
        return True
    return name.startswith("python3") and os.path.isfile(os.path.join(path, "os.py"))


def _exclusion_matcher(patterns: tuple[str, ...]):
    """One compiled test for every pattern. A plain name ("build") matches that name at any
    depth; a path ("tests/projects") matches that directory; a glob ("gen/*.py") matches the
    relative path or the name."""
    import re

    cleaned = [p.strip().rstrip("/") for p in patterns if p.strip()]
    names = {p for p in cleaned if "/" not in p and not any(c in p for c in "*?[")}
    parts = []
    for p in cleaned:
        if p in names:
            continue
        if any(c in p for c in "*?["):
            parts.append(fnmatch.translate(p))
        else:
            parts.append(re.escape(p) + r"(?:/.*)?\Z")
    regex = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None

    def excluded(relpath: str, name: str) -> bool:
        if name in names:
            return True
        return regex is not None and (regex.match(relpath) is not None or regex.match(name) is not None)

    return excluded


def installed_scope(root: str, paths: tuple[str, ...]) -> frozenset[str] | None:
    """When the project root is site-packages or the stdlib itself (a single installed module
    such as ``six.py`` was asked for), the entries of it to walk: only the requested ones, not
    every installed distribution (those are the environment). None: walk everything."""
    root = os.path.abspath(root)
    if not paths or not _is_import_directory(root):
        return None
    names = set()
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), root)
        if rel == "." or rel.startswith(".."):
            return None
        names.add(rel.split(os.sep, 1)[0])
    return frozenset(names)


_entry_name = operator.attrgetter("name")  # a directory's entries sort by name (thousands of directories)


def walk_project(
    root: str, exclude: tuple[str, ...] = (), use_default_excludes: bool = True, only: frozenset[str] | None = None
) -> ProjectFiles:
    """List .py/.pyi files under ``root`` with their stat; never raises on a bad tree.
    ``only``: the names at the root's top level to walk (see installed_scope)."""
    root = os.path.abspath(root)
    dir_excluded = _exclusion_matcher(tuple(exclude) + (DEFAULT_EXCLUDES if use_default_excludes else ()))
    file_excluded = _exclusion_matcher(tuple(exclude)) if exclude else None
    files: list[SourceFile] = []
    problems: list[Problem] = []
    extensions: list[str] = []
    try:
        root_real = os.path.realpath(root)
    except OSError:
        root_real = root
    seen_dirs: set[str] = set()
    walked: list[str] = []
    stack = [(root, "", root_real)]
    while stack:
        directory, rel, real = stack.pop()
        walked.append(rel)
        if real in seen_dirs:
            problems.append(Problem(f"skipped {rel or '.'}: a symlink loop leads back to {os.path.relpath(real, root_real)}", directory))
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=_entry_name)
        except OSError as exc:
            problems.append(Problem(f"cannot read directory {rel or '.'}: {exc.strerror or exc}", directory))
            continue
        if rel and any(e.name == "pyvenv.cfg" for e in entries):
            continue  # a virtual environment
        subdirs = []
        if only is not None and not rel:
            entries = [e for e in entries if e.name in only]
        for entry in entries:
            name = entry.name
            is_source = name.endswith((".py", ".pyi"))
            if not is_source and "." in name and not name.endswith((".so", ".pyd")):
                continue  # data files: never a directory we descend into in practice, never a module
            relpath = f"{rel}/{name}" if rel else name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                if name.startswith(".") or dir_excluded(relpath, name):
                    continue
                if entry.is_symlink():
                    try:
                        child_real = os.path.realpath(entry.path)
                    except OSError:
                        continue
                    if child_real == real or real.startswith(child_real + os.sep) or child_real in seen_dirs:
                        problems.append(Problem(f"skipped {relpath}: a symlink loop leads back to {os.path.relpath(child_real, root_real)}", entry.path))
                        continue
                else:
                    child_real = os.path.join(real, name)
                subdirs.append((entry.path, relpath, child_real))
                continue
            if file_excluded is not None and file_excluded(relpath, name):
                continue
            if is_source:
                try:
                    st = entry.stat()  # follows symlinks
                except OSError:
                    problems.append(Problem(f"skipped {relpath}: a dangling symlink", entry.path))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    problems.append(Problem(f"skipped {relpath}: not a regular file", entry.path))
                    continue
                stem = name.rsplit(".", 1)[0]
                files.append(
                    SourceFile(
                        path=os.path.normpath(entry.path),
                        relpath=relpath,
                        is_package=stem == "__init__",
                        is_stub=name.endswith(".pyi"),
                        size=st.st_size,
                        mtime_ns=st.st_mtime_ns,
                    )
                )
            elif name.endswith((".so", ".pyd")):
                extensions.append(relpath)
        stack.extend(reversed(subdirs))
    files.sort(key=lambda f: f.relpath)
    return ProjectFiles(root, tuple(files), tuple(problems), tuple(extensions), tuple(walked))


@dataclass(slots=True, unsafe_hash=True)
class Layout:
    """Import roots (most specific first) and every first-party module's names."""

    project_root: str
    roots: tuple[str, ...]
    # path -> primary dotted name (what messages show, and what relative imports start from)
    names: dict[str, str]
    # dotted name -> paths providing it, in root order (a name can exist under two roots)
    modules: dict[str, tuple[str, ...]]
    packages: frozenset[str]  # dotted names that are packages (regular or namespace)


def _is_identifier_path(parts: list[str]) -> bool:
    return all(p.isidentifier() for p in parts)


def _module_parts(relpath: str) -> list[str]:
    parts = relpath.split("/")
    last = parts[-1].rsplit(".", 1)[0]
    if last == "__init__":
        return parts[:-1]
    return parts[:-1] + [last]


def candidate_roots(project: ProjectFiles, configured: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Roots every layout starts from: configured ones, else ``src/`` and the project root."""
    root = project.root
    if configured:
        return tuple(os.path.normpath(os.path.join(root, r)) for r in configured)
    if any(f.relpath in ("__init__.py", "__init__.pyi") for f in project.files):
        # checking a package directory itself (e.g. an installed package): import it from its parent
        return (os.path.dirname(root),)
    out = []
    src = os.path.join(root, "src")
    if any(f.relpath.startswith("src/") for f in project.files):
        out.append(src)
    out.append(root)
    return tuple(out)


def _namespace_root(
    root: str, parent_abs: str, namespace_name: str | None, package_dirs: set[str], absolute_imports: set[str]
) -> str | None:
    """For a package whose parents are namespace directories, the directory from which the
    longest dotted name that the code imports starts (``jaraco.functools`` -> the directory
    holding ``jaraco/``); None when only the full or the bare name is used."""
    if not namespace_name:
        return None
    parts = namespace_name.split(".")
    for k in range(1, len(parts) - 1):
        suffix = ".".join(parts[k:])
        if not any(imp == suffix or imp.startswith(suffix + ".") for imp in absolute_imports):
            continue
        candidate = parent_abs
        for _ in range(len(parts) - 1 - k):
            candidate = os.path.dirname(candidate)
        # every directory between the candidate root and the package must be a namespace portion
        between = os.path.relpath(parent_abs, candidate).split(os.sep)
        rel = os.path.relpath(candidate, root)
        rel = "" if rel == "." else rel.replace(os.sep, "/")
        inside = [f"{rel}/{'/'.join(between[: i + 1])}" if rel else "/".join(between[: i + 1]) for i in range(len(between))]
        if any(d in package_dirs for d in inside):
            continue
        return candidate
    return None


def assign_names(
    project: ProjectFiles,
    absolute_imports: set[str],
    configured_roots: tuple[str, ...] = (),
) -> Layout:
    """Decide roots and module names.

    ``absolute_imports`` holds every absolute module a first-party file names
    (``a.b`` for ``import a.b`` and ``from a.b import c``, plus ``a.b.c``).
    """
    base_roots = list(candidate_roots(project, configured_roots))
    root = project.root
    package_dirs = {os.path.dirname(f.relpath) for f in project.files if f.is_package and not f.is_stub}
    package_dirs |= {os.path.dirname(f.relpath) for f in project.files if f.is_package}
    extra_roots: list[str] = []
    if not configured_roots:
        # The parent of every topmost regular package is a root unless the
        # package is imported by a longer, namespace-package name.
        topmost = []
        for directory in sorted(package_dirs):
            if not directory:
                continue
            parent = os.path.dirname(directory)
            if parent in package_dirs:
                continue  # not topmost
            package = os.path.basename(directory)
            if not package.isidentifier():
                continue
            parent_abs = os.path.normpath(os.path.join(root, parent)) if parent else root
            namespace_name = None
            for base in base_roots:
                if parent_abs.startswith(base + os.sep):
                    parts = os.path.relpath(parent_abs, base).split(os.sep)
                    if _is_identifier_path(parts):
                        namespace_name = ".".join(parts + [package])
                        break
            topmost.append((parent_abs, package, namespace_name))
        # packages imported by a shorter namespace name (`jaraco.functools` under setuptools/_vendor):
        # that decides the root of every package beside them, not the bare package name (which may
        # be a stdlib module: `functools`)
        inner_roots: dict[str, str] = {}
        for parent_abs, package, namespace_name in topmost:
            inner = _namespace_root(root, parent_abs, namespace_name, package_dirs, absolute_imports)
            if inner is not None:
                inner_roots.setdefault(parent_abs, inner)
        for parent_abs, package, namespace_name in topmost:
            if parent_abs in base_roots or parent_abs in extra_roots:
                continue
            if namespace_name and any(
                imp == namespace_name or imp.startswith(namespace_name + ".") for imp in absolute_imports
            ):
                continue
            inner = inner_roots.get(parent_abs)
            if inner is not None:
                if inner not in base_roots and inner not in extra_roots:
                    extra_roots.append(inner)
                continue
            short_used = any(imp == package or imp.startswith(package + ".") for imp in absolute_imports)
            if namespace_name is None or short_used or not any(
                imp.startswith(namespace_name.split(".")[0]) for imp in absolute_imports
            ):
                extra_roots.append(parent_abs)
    # most specific first: deeper roots win for the files under them
    roots = tuple(sorted(set(base_roots) | set(extra_roots), key=lambda r: (-r.count(os.sep), r)))
    names: dict[str, str] = {}
    modules: dict[str, list[str]] = {}
    packages: set[str] = set()
    for f in project.files:
        parent_dir = os.path.dirname(f.path)
        primary = None
        for r in roots:
            if f.path.startswith(r + os.sep):
                parts = _module_parts(os.path.relpath(f.path, r).replace(os.sep, "/"))
                if not parts or not _is_identifier_path(parts):
                    continue
                dotted = ".".join(parts)
                modules.setdefault(dotted, []).append(f.path)
                for i in range(1, len(parts) - (0 if f.is_package else 1) + 1):
                    packages.add(".".join(parts[:i]))
                if primary is None:
                    primary = dotted
        if primary is None:
            # not importable from any root (e.g. a script in `my-scripts/`): a top-level module
            stem = os.path.basename(f.path).rsplit(".", 1)[0]
            primary = os.path.basename(parent_dir) if stem == "__init__" else stem
        names[f.path] = primary
    return Layout(
        project_root=root,
        roots=roots,
        names=names,
        modules={k: tuple(v) for k, v in modules.items()},
        packages=frozenset(packages),
    )
