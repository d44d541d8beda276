"""What the project says it depends on: the manifests, read into plain data.

Sources, in the order a build tool would honour them: PEP 621 ``[project]``
(and ``[tool.setuptools.dynamic]`` files), PEP 735 ``[dependency-groups]``,
Poetry, uv/PDM dev tables, ``setup.cfg``, and ``requirements*.txt`` /
``requirements/*.in|*.txt`` with ``-r``/``-c`` includes. Requirement strings
are parsed with ``packaging`` and names normalised per PEP 503, so ``PyYAML``,
``pyyaml`` and ``py_yaml`` are one distribution. Markers are evaluated for the
*target* interpreter: ``tomli; python_version < "3.11"`` is not a dependency
of a 3.11 deployment.

Nothing here raises on bad input: an unparsable requirement or a missing
``-r`` file becomes a ``ManifestProblem`` (reported as a finding), and the
rest is still read.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass, field

from importgate.model import Location

# group and extra names that mean "not for production"
DEV_NAMES = frozenset({
    "dev", "develop", "development", "devel", "test", "tests", "testing", "lint", "linting", "lints",
    "doc", "docs", "documentation", "typing", "types", "mypy", "typecheck", "type-check", "check", "checks",
    "qa", "ci", "style", "format", "formatting", "fmt", "coverage", "cov", "bench", "benchmark",
    "benchmarks", "local", "debug", "tox", "nox", "pre-commit", "precommit", "release", "build", "profiling",
})
_RUNTIME_FILE_STEMS = frozenset({"requirements", "base", "common", "main", "prod", "production", "runtime", "core", "install"})


@dataclass(slots=True, unsafe_hash=True)
class Requirement:
    """One declared requirement, where it was written, and whether it applies to the target."""

    name: str  # canonical (PEP 503)
    text: str  # as written
    extras: frozenset[str]  # extras requested of the dependency: ``requests[socks]``
    location: Location
    active: bool  # its marker holds for the target (True when there is none or it cannot be evaluated)
    marker: str | None = None
    from_requirements_file: bool = False  # requirements files double as pin lists


@dataclass(slots=True, unsafe_hash=True)
class ManifestProblem:
    """A manifest line that could not be read: reported, never silently dropped."""

    message: str
    location: Location


@dataclass(slots=True, unsafe_hash=True)
class DeclaredDeps:
    """Everything the manifests declare. Group and extra names are canonical."""

    project_name: str | None  # canonical name of the project's own distribution
    runtime: tuple[Requirement, ...] = ()
    extras: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)
    groups: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # files that declared something
    consulted: tuple[str, ...] = ()  # every file opened or looked for (a replayed report checks them)
    problems: tuple[ManifestProblem, ...] = ()
    runtime_declared: bool = False  # some manifest has a runtime dependency list (even an empty one)
    constraints: frozenset[str] = frozenset()  # names only pinned by -c files
    runtime_where: str | None = None  # where runtime dependencies are declared, for hints

    @property
    def found(self) -> bool:
        """Whether there is anything to compare imports against."""
        return self.runtime_declared or bool(self.extras) or bool(self.groups)

    def all_requirements(self):
        yield from self.runtime
        for reqs in self.extras.values():
            yield from reqs
        for reqs in self.groups.values():
            yield from reqs


_SEPARATORS = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    """PEP 503 normalisation, the PEP's own one-liner (what ``packaging.utils.canonicalize_name``
    does; importing that module would pull in packaging.tags and logging on every run)."""
    return _SEPARATORS.sub("-", name).lower()


def marker_holds(marker, env: dict[str, str], extra: str = "", **more) -> bool:
    """Does a PEP 508 marker (a ``packaging`` Marker or its text) hold for the target? One that
    cannot be read or evaluated (an unknown variable) counts as holding: never drop a dependency
    on a guess."""
    if marker is None or marker == "":
        return True
    from packaging.markers import Marker

    try:
        parsed = marker if isinstance(marker, Marker) else Marker(marker)
        return bool(parsed.evaluate({**env, "extra": extra, **more}))
    except Exception:  # noqa: BLE001 - InvalidMarker, UndefinedEnvironmentName, ...
        return True


def is_dev_name(name: str) -> bool:
    n = canonical(name)
    return n in DEV_NAMES or any(part in DEV_NAMES for part in n.split("-"))


# -- locating text in files (tomllib and configparser give no positions) -------


class _Lines:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                self.lines = fh.read().splitlines()
        except OSError:
            self.lines = []

    def find(self, needle: str, after: int = 0, quoted: bool = True) -> Location:
        """The first line at or after ``after`` (0-based) that holds ``needle``."""
        import json

        candidates = [f'"{needle}"', f"'{needle}'", json.dumps(needle)] if quoted else [needle]
        head = re.match(r"[A-Za-z0-9._-]+", needle.strip())
        if quoted and head:  # escaped or re-quoted text: fall back to the name at a string start
            candidates += [f'"{head.group(0)}', f"'{head.group(0)}"]
        for c in candidates:
            for start in (after, 0):
                for i in range(start, len(self.lines)):
                    col = self.lines[i].find(c)
                    if col >= 0:
                        return Location(self.path, i + 1, col + 1, i + 1, col + 1 + len(c))
        return Location(self.path, 1, 1)

    def header(self, pattern: str) -> int:
        """0-based line of the first TOML/INI header matching ``pattern`` (a regex), else 0."""
        rx = re.compile(pattern)
        for i, line in enumerate(self.lines):
            if rx.match(line.strip()):
                return i
        return 0

    def key(self, key: str, after: int) -> Location:
        rx = re.compile(r"""^\s*["']?%s["']?\s*=""" % re.escape(key), re.IGNORECASE)
        for i in range(after, len(self.lines)):
            if rx.match(self.lines[i]):
                col = len(self.lines[i]) - len(self.lines[i].lstrip()) + 1
                return Location(self.path, i + 1, col, i + 1, col + len(key))
        return Location(self.path, after + 1, 1)


# -- requirement strings -----------------------------------------------------


class _Reader:
    def __init__(self, root: str, marker_env: dict[str, str]) -> None:
        self.root = root
        self.env = marker_env
        self.problems: list[ManifestProblem] = []
        self.sources: list[str] = []
        self.consulted: list[str] = []

    def requirement(self, text: str, location: Location, from_file: bool = False, extra: str = "") -> Requirement | None:
        """``extra``: the extra that declares it (its own ``extra == '...'`` marker holds for it,
        as pip reads it: ``cli = ["click; extra == 'cli'"]`` installs click with ``[cli]``)."""
        from packaging.requirements import InvalidRequirement
        from packaging.requirements import Requirement as PRequirement

        try:
            req = PRequirement(text)
        except InvalidRequirement as exc:
            self.problems.append(ManifestProblem(f"invalid requirement {text!r}: {exc}", location))
            return None
        marker = str(req.marker) if req.marker is not None else None
        return Requirement(
            name=canonical(req.name),
            text=text,
            extras=frozenset(canonical(e) for e in req.extras),
            location=location,
            active=self.evaluate(req.marker, extra),
            marker=marker,
            from_requirements_file=from_file,
        )

    def evaluate(self, marker, extra: str = "") -> bool:
        return marker_holds(marker, self.env, extra)

    def strings(self, values, lines: _Lines, after: int, where: str, extra: str = "") -> list[Requirement]:
        out = []
        found: dict[str, int] = {}
        if not isinstance(values, list):
            self.problems.append(ManifestProblem(f"{where} must be a list of requirement strings", Location(lines.path, after + 1, 1)))
            return out
        for value in values:
            if not isinstance(value, str):
                continue  # include-group tables are handled by the caller
            # a repeated string is the next copy of it, further down
            location = lines.find(value, found[value] if value in found else after)
            found[value] = location.line
            req = self.requirement(value.strip(), location, extra=extra)
            if req is not None:
                out.append(req)
        return out

    # -- requirements files ------------------------------------------------
    def requirements_file(self, path: str, seen: set[str], constraints: set[str], origin: Location | None = None) -> list[Requirement]:
        real = os.path.realpath(path)
        if real in seen:
            return []
        seen.add(real)
        self.consulted.append(os.path.abspath(path))
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                raw = fh.read().splitlines()
        except OSError as exc:
            self.problems.append(ManifestProblem(
                f"cannot read requirements file {os.path.relpath(path, self.root)}: {exc.strerror or exc}",
                origin or Location(path, 1, 1),
            ))
            return []
        self.sources.append(path)
        out: list[Requirement] = []
        for lineno, line in _logical_lines(raw):
            loc = Location(path, lineno, 1, lineno, len(raw[lineno - 1]) + 1 if lineno - 1 < len(raw) else 1)
            if line.startswith("-"):
                option, value = _option(line)
                if option in ("-r", "--requirement", "-c", "--constraint") and value:
                    target = os.path.join(os.path.dirname(path), value)
                    if option in ("-c", "--constraint"):
                        for req in self.requirements_file(target, seen, constraints, loc):
                            constraints.add(req.name)
                    else:
                        out.extend(self.requirements_file(target, seen, constraints, loc))
                elif option in ("-e", "--editable") and value:
                    name = _egg_name(value)
                    if name:
                        req = self.requirement(name, loc, from_file=True)
                        if req is not None:
                            out.append(req)
                continue  # -i, --hash, --find-links, ...: nothing declared
            text = _strip_options(line)
            if not text:
                continue
            if _looks_like_path_or_url(text):
                name = _egg_name(text)
                if name:
                    req = self.requirement(name, loc, from_file=True)
                    if req is not None:
                        out.append(req)
                continue
            req = self.requirement(text, loc, from_file=True)
            if req is not None:
                out.append(req)
        return out


def _logical_lines(raw: list[str]):
    """(first line number, text) with comments stripped and ``\\`` continuations joined."""
    buffer = ""
    start = 0
    for i, line in enumerate(raw, start=1):
        line = re.sub(r"(^|\s)#.*$", "", line)
        if not buffer:
            start = i
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        text = buffer.strip()
        buffer = ""
        if text:
            yield start, text
    if buffer.strip():
        yield start, buffer.strip()


def _option(line: str) -> tuple[str, str]:
    if line.startswith("--"):
        head, sep, value = line.partition("=")
        if not sep:
            head, _, value = line.partition(" ")
        return head.strip(), value.strip()
    # short options: "-r file" or "-rfile"
    head, value = line[:2], line[2:].strip()
    return head, value


def _strip_options(text: str) -> str:
    # per-requirement options such as --hash=sha256:... follow the requirement
    return re.split(r"\s--?[a-zA-Z]", " " + text, maxsplit=1)[0].strip()


def _looks_like_path_or_url(text: str) -> bool:
    if "@" in text.split(";")[0] and re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[.*\])?\s*@", text):
        return False  # "name @ url" is a proper requirement
    return bool(re.match(r"^(\.|/|~|[a-zA-Z][a-zA-Z0-9+.-]*://|git\+|hg\+|svn\+|bzr\+)", text)) or text.endswith((".whl", ".tar.gz", ".zip"))


def _egg_name(value: str) -> str | None:
    match = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", value)
    return match.group(1) if match else None


# -- the manifests -----------------------------------------------------------


def read_declared(root: str, pyproject: dict, marker_env: dict[str, str], requirements: tuple[str, ...] = ()) -> DeclaredDeps:
    """Read every manifest of the project at ``root``.

    ``pyproject`` is the already-parsed pyproject.toml (``config.read_pyproject``);
    ``requirements`` overrides the discovery of runtime requirements files.
    """
    reader = _Reader(root, marker_env)
    pyproject_path = os.path.join(root, "pyproject.toml")
    lines = _Lines(pyproject_path) if pyproject else None
    runtime: list[Requirement] = []
    extras: dict[str, list[Requirement]] = {}
    groups: dict[str, list[Requirement]] = {}
    runtime_declared = False
    runtime_where: str | None = None
    project_name = None
    constraints: set[str] = set()
    seen_files: set[str] = set()

    project = pyproject.get("project") if isinstance(pyproject.get("project"), dict) else {}
    poetry = pyproject.get("tool", {}).get("poetry") if isinstance(pyproject.get("tool"), dict) else None
    poetry = poetry if isinstance(poetry, dict) else {}
    if isinstance(project.get("name"), str):
        project_name = canonical(project["name"])
    elif isinstance(poetry.get("name"), str):
        project_name = canonical(poetry["name"])

    # PEP 621
    if project and lines is not None:
        at = lines.header(r"^\[project\]$")
        dynamic = project.get("dynamic") if isinstance(project.get("dynamic"), list) else []
        if "dependencies" in project:
            runtime_declared = True
            runtime_where = runtime_where or "[project] dependencies in pyproject.toml"
            runtime += reader.strings(project["dependencies"], lines, at, "[project] dependencies")
        elif "dependencies" in dynamic:
            files = _setuptools_dynamic_files(pyproject, "dependencies")
            if files:
                runtime_declared = True
                runtime_where = runtime_where or "the requirements file named by [tool.setuptools.dynamic]"
                for rel in files:
                    runtime += reader.requirements_file(os.path.join(root, rel), seen_files, constraints)
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict):
            at = lines.header(r"^\[project\.optional-dependencies\]$") or at
            for extra, values in optional.items():
                key = lines.key(extra, at).line - 1  # each extra's own list
                extras.setdefault(canonical(extra), []).extend(
                    reader.strings(values, lines, key, f"[project.optional-dependencies] {extra}", extra=canonical(extra))
                )
        elif "optional-dependencies" in dynamic:
            table = _table(pyproject, "tool", "setuptools", "dynamic", "optional-dependencies")
            if isinstance(table, dict):
                for extra, spec in table.items():
                    for rel in _file_list(spec):
                        extras.setdefault(canonical(extra), []).extend(
                            reader.requirements_file(os.path.join(root, rel), seen_files, constraints)
                        )

    # PEP 735
    dep_groups = pyproject.get("dependency-groups")
    if isinstance(dep_groups, dict) and lines is not None:
        for name, reqs in _pep735(dep_groups, reader, lines).items():
            groups.setdefault(name, []).extend(reqs)

    # Poetry
    if poetry and lines is not None:
        table = poetry.get("dependencies")
        if isinstance(table, dict):
            runtime_declared = True
            runtime_where = runtime_where or "[tool.poetry.dependencies] in pyproject.toml"
            at = lines.header(r"^\[tool\.poetry\.dependencies\]$")
            main, optional_reqs = _poetry_table(table, reader, lines, at)
            runtime += main
            poetry_extras = poetry.get("extras") if isinstance(poetry.get("extras"), dict) else {}
            by_name = {r.name: r for r in optional_reqs}
            placed: set[str] = set()
            for extra, names in poetry_extras.items():
                members = []
                for n in names if isinstance(names, list) else []:
                    if isinstance(n, str):
                        key = canonical(re.split(r"[\s\[(<>=!~;]", n.strip(), maxsplit=1)[0])
                        if key in by_name:
                            members.append(by_name[key])
                            placed.add(key)
                extras.setdefault(canonical(extra), []).extend(members)
            for name, req in by_name.items():
                if name not in placed:  # optional but in no extra: installable by nobody; an extra of its own
                    extras.setdefault(name, []).append(req)
        dev = poetry.get("dev-dependencies")
        if isinstance(dev, dict):
            at = lines.header(r"^\[tool\.poetry\.dev-dependencies\]$")
            main, optional_reqs = _poetry_table(dev, reader, lines, at)
            groups.setdefault("dev", []).extend(main + optional_reqs)
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            for group, spec in poetry_groups.items():
                if isinstance(spec, dict) and isinstance(spec.get("dependencies"), dict):
                    at = lines.header(r"^\[tool\.poetry\.group\.[\"']?%s[\"']?\.dependencies\]$" % re.escape(group))
                    main, optional_reqs = _poetry_table(spec["dependencies"], reader, lines, at)
                    groups.setdefault(canonical(group), []).extend(main + optional_reqs)

    # uv's and PDM's dev tables (before PEP 735 existed)
    tool = pyproject.get("tool") if isinstance(pyproject.get("tool"), dict) else {}
    if lines is not None:
        uv_dev = tool.get("uv", {}).get("dev-dependencies") if isinstance(tool.get("uv"), dict) else None
        if isinstance(uv_dev, list):
            groups.setdefault("dev", []).extend(reader.strings(uv_dev, lines, lines.header(r"^\[tool\.uv\]$"), "[tool.uv] dev-dependencies"))
        pdm_dev = tool.get("pdm", {}).get("dev-dependencies") if isinstance(tool.get("pdm"), dict) else None
        if isinstance(pdm_dev, dict):
            at = lines.header(r"^\[tool\.pdm\.dev-dependencies\]$")
            for group, values in pdm_dev.items():
                groups.setdefault(canonical(group), []).extend(reader.strings(values, lines, at, f"[tool.pdm.dev-dependencies] {group}"))
    if pyproject:
        reader.sources.append(pyproject_path)

    # setup.cfg
    setup_cfg = os.path.join(root, "setup.cfg")
    if os.path.isfile(setup_cfg):
        cfg_runtime, cfg_extras, cfg_name, has_runtime = _setup_cfg(setup_cfg, reader)
        if has_runtime and not runtime_declared:
            runtime += cfg_runtime
            runtime_declared = True
            runtime_where = runtime_where or "install_requires in setup.cfg"
        for extra, reqs in cfg_extras.items():
            if extra not in extras:
                extras[extra] = list(reqs)
        project_name = project_name or cfg_name

    # requirements files
    runtime_files, group_files = _requirements_files(root, requirements)
    if runtime_files and not runtime_declared:
        runtime_declared = True
        runtime_where = runtime_where or os.path.basename(runtime_files[0])
        for path in runtime_files:
            runtime += reader.requirements_file(path, seen_files, constraints)
    for group, path in group_files:
        reqs = reader.requirements_file(path, set(), constraints)
        groups.setdefault(group, []).extend(reqs)

    # self-references: `all = ["myproject[a,b]"]`
    if project_name:
        extras = {k: _expand_self(v, project_name, extras) for k, v in extras.items()}
        groups = {k: _expand_self(v, project_name, extras) for k, v in groups.items()}
        runtime = [r for r in runtime if r.name != project_name]

    return DeclaredDeps(
        project_name=project_name,
        runtime=tuple(runtime),
        extras={k: tuple(v) for k, v in extras.items()},
        groups={k: tuple(v) for k, v in groups.items()},
        sources=tuple(dict.fromkeys(reader.sources)),
        consulted=tuple(dict.fromkeys(reader.consulted)),
        problems=tuple(reader.problems),
        runtime_declared=runtime_declared,
        constraints=frozenset(constraints),
        runtime_where=runtime_where,
    )


def _expand_self(reqs: list[Requirement], own: str, extras: dict[str, list[Requirement]], depth: int = 0) -> list[Requirement]:
    out = []
    for r in reqs:
        if r.name != own:
            out.append(r)
        elif depth < 5:
            for extra in r.extras:
                out += _expand_self(extras.get(extra, []), own, extras, depth + 1)
    return out


def _table(data: dict, *keys: str) -> dict:
    """data[k1][k2]... when every level is a table, else {} (manifests are user input)."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _setuptools_dynamic_files(pyproject: dict, key: str) -> list[str]:
    spec = _table(pyproject, "tool", "setuptools", "dynamic").get(key)
    return _file_list(spec)


def _file_list(spec) -> list[str]:
    if isinstance(spec, dict):
        files = spec.get("file")
        if isinstance(files, str):
            return [files]
        if isinstance(files, list):
            return [f for f in files if isinstance(f, str)]
    return []


def _pep735(table: dict, reader: _Reader, lines: _Lines) -> dict[str, list[Requirement]]:
    at = lines.header(r"^\[dependency-groups\]$")
    raw = {canonical(k): v for k, v in table.items()}
    done: dict[str, list[Requirement]] = {}

    def expand(name: str, stack: tuple[str, ...]) -> list[Requirement]:
        if name in done:
            return done[name]
        values = raw.get(name)
        if not isinstance(values, list):
            reader.problems.append(ManifestProblem(f"[dependency-groups] {name} must be a list", Location(lines.path, at + 1, 1)))
            return []
        out = reader.strings(values, lines, at, f"[dependency-groups] {name}")
        for value in values:
            if isinstance(value, dict) and isinstance(value.get("include-group"), str):
                included = canonical(value["include-group"])
                loc = lines.find(value["include-group"], at)
                if included in stack:
                    reader.problems.append(ManifestProblem(f"[dependency-groups] {name} includes itself through {included}", loc))
                elif included not in raw:
                    reader.problems.append(ManifestProblem(f"[dependency-groups] {name} includes unknown group {included!r}", loc))
                else:
                    out = out + expand(included, stack + (included,))
        done[name] = out
        return out

    return {name: expand(name, (name,)) for name in raw}


def _poetry_table(table: dict, reader: _Reader, lines: _Lines, at: int) -> tuple[list[Requirement], list[Requirement]]:
    """(installed, optional) requirements of one Poetry dependency table."""
    from packaging.specifiers import InvalidSpecifier

    main: list[Requirement] = []
    optional: list[Requirement] = []
    version = reader.env.get("python_full_version")
    for name, spec in table.items():
        if canonical(name) == "python":
            continue
        loc = lines.key(name, at)
        specs = spec if isinstance(spec, list) else [spec]
        active = False
        is_optional = True
        extras: set[str] = set()
        markers = []
        for item in specs:
            item_active = True
            if isinstance(item, dict):
                if isinstance(item.get("markers"), str):
                    from packaging.markers import InvalidMarker, Marker

                    try:
                        item_active = reader.evaluate(Marker(item["markers"]))
                        markers.append(item["markers"])
                    except InvalidMarker:
                        pass
                if isinstance(item.get("python"), str) and version:
                    try:
                        item_active = item_active and _poetry_python(item["python"], version)
                    except (InvalidSpecifier, ValueError):
                        pass
                if isinstance(item.get("extras"), list):
                    extras.update(canonical(e) for e in item["extras"] if isinstance(e, str))
                if not item.get("optional", False):
                    is_optional = False
            else:
                is_optional = False
            active = active or item_active
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", name):
            reader.problems.append(ManifestProblem(f"invalid dependency name {name!r}", loc))
            continue
        req = Requirement(canonical(name), name, frozenset(extras), loc, active, " or ".join(markers) or None)
        (optional if is_optional else main).append(req)
    return main, optional


def _poetry_python(constraint: str, version: str) -> bool:
    """Poetry's ``python = "^3.8"`` style constraint, for the target version."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    target = Version(version)
    for alternative in constraint.split("||"):
        specs = []
        for part in re.split(r"[,\s]+", alternative.strip()):
            if not part or part == "*":
                continue
            if part.startswith("^"):
                base = Version(part[1:])
                upper = f"{base.major + 1}.0" if base.major else f"0.{base.minor + 1}"
                specs += [f">={part[1:]}", f"<{upper}"]
            elif part.startswith("~") and not part.startswith("~="):
                base = Version(part[1:])
                specs += [f">={part[1:]}", f"<{base.major}.{base.minor + 1}"]
            elif part[0].isdigit():
                specs.append(f"=={part}")
            else:
                specs.append(part)
        if SpecifierSet(",".join(specs)).contains(target, prereleases=True):
            return True
    return False


def _setup_cfg(path: str, reader: _Reader) -> tuple[list[Requirement], dict[str, list[Requirement]], str | None, bool]:
    parser = configparser.ConfigParser(interpolation=None)
    lines = _Lines(path)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeError) as exc:
        reader.problems.append(ManifestProblem(f"setup.cfg cannot be parsed: {exc}", Location(path, 1, 1)))
        return [], {}, None, False
    runtime: list[Requirement] = []
    extras: dict[str, list[Requirement]] = {}
    has_runtime = False
    name = parser.get("metadata", "name", fallback=None)
    if parser.has_option("options", "install_requires"):
        has_runtime = True
        at = lines.header(r"^\[options\]$")
        runtime = _cfg_list(parser.get("options", "install_requires"), reader, lines, at)
    if parser.has_section("options.extras_require"):
        at = lines.header(r"^\[options\.extras_require\]$")
        for extra, value in parser.items("options.extras_require"):
            extras[canonical(extra)] = _cfg_list(value, reader, lines, at, extra=canonical(extra))
    if runtime or extras:
        reader.sources.append(path)
    return runtime, extras, canonical(name) if name else None, has_runtime


def _cfg_list(value: str, reader: _Reader, lines: _Lines, at: int, extra: str = "") -> list[Requirement]:
    out = []
    # setuptools' "list-semi": a dangling list (markers may hold ';') or one line of ';'-separated values
    for item in value.split("\n") if "\n" in value.strip() else value.split(";"):
        item = re.sub(r"(^|\s)#.*$", "", item).strip()
        if not item:
            continue
        if item.startswith("file:"):
            continue
        req = reader.requirement(item, lines.find(item, at, quoted=False), extra=extra)
        if req is not None:
            out.append(req)
    return out


def _requirements_files(root: str, configured: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]]:
    """(runtime files, [(group, file)]) by the usual naming conventions.

    ``requirements.in`` wins over ``requirements.txt`` beside it: the .txt is
    then pip-compile's output, a lock and not a declaration.
    """
    if configured:
        return [os.path.join(root, p) for p in configured], []
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return [], []
    candidates: list[tuple[str, str]] = []  # (stem, path)
    for name in names:
        match = re.match(r"^(requirements(?:[-_.](.+?))?)\.(txt|in)$", name, re.IGNORECASE)
        if match and os.path.isfile(os.path.join(root, name)):
            candidates.append((match.group(2) or "requirements", os.path.join(root, name)))
    sub = os.path.join(root, "requirements")
    if os.path.isdir(sub):
        for name in sorted(os.listdir(sub)):
            match = re.match(r"^(.+)\.(txt|in)$", name)
            if match and os.path.isfile(os.path.join(sub, name)):
                candidates.append((match.group(1), os.path.join(sub, name)))
    # prefer .in over its compiled .txt
    ins = {os.path.splitext(p)[0] for _, p in candidates if p.endswith(".in")}
    candidates = [(s, p) for s, p in candidates if not (p.endswith(".txt") and os.path.splitext(p)[0] in ins)]
    runtime, groups = [], []
    for stem, path in candidates:
        key = canonical(stem)
        if key in _RUNTIME_FILE_STEMS:
            runtime.append(path)
        else:
            groups.append((key, path))
    return runtime, groups
