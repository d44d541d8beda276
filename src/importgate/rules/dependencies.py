"""undeclared-dependency, unused-dependency, transitive-dependency,
dev-dependency-in-production, unguarded-optional-import, invalid-requirement:
does what the code imports match what the deployment installs?

Every import of first-party code is mapped to the distribution that provides
it in the target environment (installed metadata, then the fallback table);
an import that cannot be mapped is never reported. The declared dependencies
and the deploy profile (``--groups``/``--extras``/``--only-runtime``) decide
what the production install holds; the lock file, or else the installed
``Requires-Dist`` graph, decides what it holds transitively.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Iterable, Iterator

from importgate.facts.distributions import known_modules, known_provider
from importgate.facts.manifest import canonical
from importgate.facts.finder import in_standard_library
from importgate.facts.model import Guard, ImportEdge, ModuleFacts
from importgate.model import Finding, Location, Severity
from importgate.project import Project, only_when_needed
from importgate import catalogue as C

FAMILY = C.DEPENDENCY_RULES
# guards under which an import may never run: a missing declaration is not certain to fail
_MAY_NOT_RUN = Guard.TRY | Guard.TRY_MODULE | Guard.TYPE_CHECKING | Guard.FEATURE_TEST | Guard.CONDITIONAL


def check(project: Project) -> Iterator[Finding]:
    config = project.config
    if not any(C.enabled(rule, config.select, config.ignore) for rule in FAMILY):
        return
    from importgate.config import ConfigError
    from importgate.facts import deps

    try:
        facts = deps.load(config, project.root, project.env, project.cache, project.pending_distributions)
        project.extra_inputs.update(facts.declared.consulted)
        findings = list(analyse(project, facts))
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug here must not hide the other rules' findings
        yield Finding(
            rule=C.INVALID_REQUIREMENT,
            location=Location(os.path.join(project.root, "pyproject.toml"), 1, 1),
            message=f"importgate could not analyse the declared dependencies: {exc!r} (please report it)",
        )
        return
    yield from findings


@dataclass(slots=True, unsafe_hash=True)
class Use:
    """One import statement of a third-party module, mapped to its providers."""

    module: ModuleFacts
    edge: ImportEdge
    name: str  # the imported module as shown in messages
    dists: frozenset[str]  # canonical names of the providing distributions
    installed: bool  # the module exists in the target
    dev_file: bool


def analyse(project: Project, facts) -> Iterator[Finding]:
    """The rules proper: pure over the project and the dependency facts."""
    declared = facts.declared
    for problem in declared.problems:
        yield Finding(rule=C.INVALID_REQUIREMENT, location=problem.location, message=problem.message,
                      hint="pip cannot install the project from this declaration either")
    if facts.lock is not None and facts.lock.problem:
        yield Finding(rule=C.INVALID_REQUIREMENT, location=Location(facts.lock.path, 1, 1), message=facts.lock.problem)
    if not declared.found:
        return  # nothing declared: nothing to compare against
    uses, shadows = _collect(project, facts)
    ctx = _Context(project, facts, _imported_only_when_needed(project), uses)
    for use in uses:
        if use.dev_file or not project.reported(use.module.path):
            continue
        finding = ctx.judge(use)
        if finding is not None:
            yield finding
    yield from _unused(project, facts, uses, shadows)


# -- mapping imports to distributions ------------------------------------------


def _collect(project: Project, facts) -> tuple[list[Use], dict[str, str]]:
    """Third-party imports of every first-party module; and distributions shadowed by local modules."""
    settings = facts.settings
    index = facts.index
    env = project.env
    first_party = {n.split(".")[0] for n in settings.first_party}
    module_map: dict[str, str] = {}
    for dist, modules in settings.module_map:
        for m in modules:
            module_map[m] = canonical(dist)
    own = declared_own(facts)
    uses: list[Use] = []
    shadows: dict[str, str] = {}  # canonical dist -> first-party path of the module that shadows it
    resolver = project.resolver
    for path, module in sorted(project.facts.items()):
        if module.is_stub or module.syntax_error is not None:
            continue
        rel = os.path.relpath(path, project.root)
        dev = facts.is_dev_file(rel)
        extra_dirs = resolver.fallback_dirs(path)
        for edge in module.imports:
            if edge.level > 0:
                continue
            target = edge.module_text
            top = target.split(".")[0]
            if top in env.stdlib or top in env.builtin or top == "__future__" or top in first_party:
                continue
            resolution = resolver.resolve(target, path, extra_dirs)
            found = resolution.found
            # a module found outside the project is not ours even under a namespace we share
            # (``azure.core`` beside the project's ``azure/mine``)
            if (found.first_party if found is not None else project.is_first_party_name(target)):
                for key in index.providers(top) if found is not None and found.first_party else ():
                    shadows.setdefault(key, found.path or path)
                continue
            if found is not None and in_standard_library(target, found, env):
                continue
            dists = _providers(edge, target, found is not None, index, module_map)
            if not dists or dists & own:
                continue  # unknown provider, or the project itself: stay silent
            uses.append(Use(module, edge, target, frozenset(dists), found is not None, dev))
    return uses, shadows


def _providers(edge: ImportEdge, target: str, installed: bool, index, module_map: dict[str, str]) -> frozenset[str]:
    """Distributions providing the imported module: ``from google.cloud import storage``
    is decided by ``google.cloud.storage`` when that is deeper than what ``google.cloud`` maps to."""

    def lookup(module: str) -> tuple[int, frozenset[str]]:
        parts = module.split(".")
        for i in range(len(parts), 0, -1):
            prefix = ".".join(parts[:i])
            if prefix in module_map:
                return i, frozenset({module_map[prefix]})
            if installed and not index.problem:
                owners = index.owners.get(prefix)
                if owners:
                    return i, owners
            else:
                provider = known_provider(prefix) if prefix in _KNOWN_KEYS() or (i == 1 and prefix in _SAME_NAME()) else None
                if provider:
                    return i, frozenset({provider})
        return 0, frozenset()

    depth, base = lookup(target)
    deeper: set[str] = set()
    if edge.is_from:
        for n in edge.names:
            if n.name == "*":
                continue
            d, owners = lookup(f"{target}.{n.name}")
            if d > len(target.split(".")) and d > depth:
                deeper |= owners
    return frozenset(deeper) if deeper else base


def _KNOWN_KEYS():
    from importgate.facts import known

    return known.DISTRIBUTION_FOR_IMPORT


def _SAME_NAME():
    from importgate.facts import known

    return known.SAME_NAME_DISTRIBUTIONS


def declared_own(facts) -> frozenset[str]:
    own = facts.declared.project_name
    return frozenset({own}) if own else frozenset()


def _mapped(module: str, module_map: dict[str, str]) -> str | None:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        hit = module_map.get(".".join(parts[:i]))
        if hit:
            return hit
    return None


# -- judging one import --------------------------------------------------------


def _imported_only_when_needed(project: Project) -> frozenset[str]:
    """First-party modules that other first-party code imports only under a guard, in a function or
    behind a condition (``try: from .watchfilesreload import X except ImportError``): such a module
    runs only when its optional dependencies are wanted."""
    return frozenset(path for path, gs in project.importers().items() if only_when_needed(gs))


# entry-point groups whose modules are loaded only by one host program
PLUGIN_HOSTS = {
    "pytest11": "pytest",
    "flake8.extension": "flake8",
    "flake8.report": "flake8",
    "mkdocs.plugins": "mkdocs",
    "sphinx.html_themes": "sphinx",
    "sphinx.builders": "sphinx",
    "pygments.lexers": "pygments",
    "pygments.styles": "pygments",
    "jupyter_client.kernel_provisioners": "jupyter-client",
}


def _plugin_hosts(root: str) -> dict[str, frozenset[str]]:
    """Module -> distributions that are surely present when it is imported: a module registered
    as a plugin entry point (e.g. `pytest11`) is imported by its host program only."""
    from importgate.config import read_pyproject

    pyproject, _ = read_pyproject(root)
    groups = pyproject.get("project", {}).get("entry-points", {})
    out: dict[str, set[str]] = {}
    if not isinstance(groups, dict):
        return {}
    for group, entries in groups.items():
        host = PLUGIN_HOSTS.get(group)
        if host is None or not isinstance(entries, dict):
            continue
        for target in entries.values():
            if isinstance(target, str):
                module = target.split(":", 1)[0].strip()
                out.setdefault(module, set()).add(canonical(host))
    return {k: frozenset(v) for k, v in out.items()}


class _Context:
    def __init__(self, project: Project, facts, lazy_modules: frozenset[str] = frozenset(), uses: Iterable[Use] = ()) -> None:
        self.project = project
        self.facts = facts
        self.lazy_modules = lazy_modules
        self.plugin_hosts = _plugin_hosts(project.config.project_root)
        declared = facts.declared
        profile = facts.profile
        self.runtime = {r.name for r in declared.runtime if r.active}
        self.inactive = {r.name: r for r in declared.runtime if not r.active}
        self.present = set(self.runtime)
        for extra in profile.extras:
            self.present |= {r.name for r in declared.extras.get(extra, ()) if r.active}
        for group in profile.groups:
            self.present |= {r.name for r in declared.groups.get(group, ()) if r.active}
        self.optional: dict[str, list[str]] = {}  # dist -> non-dev extras it is declared in
        self.dev: dict[str, list[str]] = {}  # dist -> dev groups/extras it is declared in
        for extra, reqs in declared.extras.items():
            if extra in profile.extras:
                continue
            for r in reqs:
                if r.active:
                    bucket = self.dev if extra in profile.dev_extras else self.optional
                    bucket.setdefault(r.name, []).append(f"extra `{extra}`")
        for group, reqs in declared.groups.items():
            if group in profile.groups:
                continue
            for r in reqs:
                if r.active:
                    self.dev.setdefault(r.name, []).append(f"group `{group}`")
        self.extra_of: dict[str, list[str]] = {}
        for extra, reqs in declared.extras.items():
            for r in reqs:
                self.extra_of.setdefault(r.name, []).append(extra)
        self.through_extra = self._through_optional(declared, profile)
        self.imported_dists: dict[str, set[str]] = {}  # module path -> distributions it imports
        for use in uses:
            self.imported_dists.setdefault(use.module.path, set()).update(use.dists)
        self.where = declared.runtime_where or "the project's dependencies"
        self.allow_undeclared = tuple(facts.settings.allow_undeclared)

    def _through_optional(self, declared, profile) -> dict[str, str]:
        """Distributions the deployment gets only with an optional extra, because a distribution
        that extra declares requires them (black's `d` extra: aiohttp, which requires multidict):
        each with the declared one it comes through."""
        queue = [(r.name, r.extras, r.name) for extra, reqs in sorted(declared.extras.items())
                 if extra not in profile.extras and extra not in profile.dev_extras for r in reqs if r.active]
        out: dict[str, str] = {}
        done: set[tuple[str, frozenset[str]]] = set()
        while queue:
            name, extras, root = queue.pop(0)
            if (name, extras) in done:
                continue
            done.add((name, extras))
            for child, child_extras in self.facts.index.requires_of(name, extras):
                if child not in self.present and child not in self.optional:
                    out.setdefault(child, root)
                queue.append((child, child_extras, root))
        return out

    def show(self, dists: frozenset[str]) -> str:
        names = sorted(self.facts.index.display(d) for d in dists)
        if len(names) == 1:
            return f"`{names[0]}`"
        return "one of " + ", ".join(f"`{n}`" for n in names)

    def allowed_undeclared(self, use: Use) -> bool:
        for pattern in self.allow_undeclared:
            if use.name == pattern or use.name.startswith(pattern + ".") or any(
                fnmatch.fnmatch(d, canonical(pattern)) for d in use.dists
            ):
                return True
        return False

    def judge(self, use: Use) -> Finding | None:
        dists = use.dists
        guard = use.edge.guard
        if dists & self.present:
            return None
        if dists & self.plugin_hosts.get(use.module.name, frozenset()):
            return None  # a plugin module is only ever imported by its host, which is therefore present
        provided = f"`{use.name}` is provided by {self.show(dists)}"
        typing_only = bool(guard & Guard.TYPE_CHECKING)
        if typing_only:
            return None  # never runs
        if not use.installed:
            provided = f"`{use.name}` is usually provided by {self.show(dists)} (not installed in the target)"
        chain = self._chain(dists)
        optional = [d for d in dists if d in self.optional]
        # an optional extra wins over dev groups: flask lists asgiref in its `async` extra *and* its test groups
        dev = [d for d in dists if d in self.dev and d not in self.optional]
        # installed only through an extra's own dependency, in a module that imports that one too
        # (blackd: aiohttp, then multidict): the line never runs without it, so it is as optional
        through = [] if optional or dev or chain is not None else sorted(
            d for d in dists if d in self.through_extra and self.through_extra[d] in self.imported_dists.get(use.module.path, ()))
        if optional or through:
            if guard & (_MAY_NOT_RUN | Guard.FUNCTION) or chain is not None:
                return None
            roots = optional or sorted({self.through_extra[d] for d in through})
            extras = sorted({e for d in roots for e in self.extra_of.get(d, ())})
            if self._belongs_to_extra(use, extras, roots):
                return None
            extra_text = ", ".join(f"`{e}`" for e in extras)
            if through:
                only = (f"which the deployment gets only with the optional extra {extra_text} "
                        f"({self.show(frozenset(roots))} requires it)")
            else:
                only = f"which is only in the optional extra {extra_text}"
            if use.edge.reraised:  # the author's own message names the extra: guarding is not the fix
                fails = "fails: its `except ImportError` raises again"
                hint = (f"if {use.module.name} is meant to need the extra, import it only where the extra is installed "
                        f"and say so in [tool.importgate.dependencies] extra-modules; otherwise declare it in {self.where}")
            else:
                fails = "raises ModuleNotFoundError"
                hint = (f"guard the import (try/except ImportError), move it into the module that needs the extra, "
                        f"or declare it in {self.where}")
            return Finding(
                rule=C.UNGUARDED_OPTIONAL_IMPORT,
                location=use.edge.location,
                message=f"{provided}, {only}: importing {use.module.name} without that extra {fails}",
                module=use.name,
                name=sorted(optional or through)[0],
                hint=hint,
                group=("unguarded-optional-import", *sorted(dists), use.module.path),
            )
        if guard & _MAY_NOT_RUN:
            return None
        if self.allowed_undeclared(use):
            return None
        deferred = bool(guard & Guard.FUNCTION)
        # inside a function, the import fails only if the function runs and its caller does not
        # handle ImportError (ckan's shell falls back from IPython): a warning, apart from the errors
        when = " (inside a function: it fails when that function runs, unless its caller handles ImportError)" if deferred else ""
        severity = Severity.WARNING if deferred else None
        apart = ("inside a function",) if deferred else ()
        if dev:
            places = _places(sorted({p for d in dev for p in self.dev[d]}))
            if chain is not None:
                return self._transitive(use, provided, chain, f"declared only in {places}")
            return Finding(
                rule=C.DEV_DEPENDENCY_IN_PRODUCTION,
                location=use.edge.location,
                message=f"{provided}, which is declared only in {places}: "
                f"the deployment ({self.facts.profile.describe()}) does not install it{when}",
                module=use.name,
                name=sorted(dev)[0],
                hint=f"move it to {self.where}, keep this import out of production code, "
                f"or include the group in the deploy profile (--groups / --extras)",
                group=("dev-dependency-in-production", *sorted(dists), *apart),
                severity=severity,
            )
        if chain is not None:
            return self._transitive(use, provided, chain, "")
        inactive = [self.inactive[d] for d in dists if d in self.inactive]
        if inactive:
            req = inactive[0]
            message = (
                f"{provided}, which is declared as `{req.text}`: that marker does not hold for the target "
                f"(Python {self.project.env.short_version} on {self.project.env.platform}){when}"
            )
        else:
            installed = " (installed here, but the deployment will not install it)" if use.installed else ""
            message = f"{provided}, which is not a declared dependency{installed}{when}"
        return Finding(
            rule=C.UNDECLARED_DEPENDENCY,
            location=use.edge.location,
            message=message,
            module=use.name,
            name=sorted(dists)[0],
            hint=f"declare {self.show(dists)} in {self.where}",
            group=self._undeclared_group(use, dists, apart),
            severity=severity,
        )

    @staticmethod
    def _undeclared_group(use: Use, dists: frozenset[str], apart: tuple[str, ...]) -> tuple:
        """A module that is not installed either, imported where it runs: the import fails there
        already (unresolved-module says so and names the distribution), so this joins that
        finding, the group resolution gives it, instead of reporting the line twice."""
        if not use.installed and not apart and not use.edge.level:
            return C.missing_module_group(use.name.partition(".")[0])
        return ("undeclared-dependency", *sorted(dists), *apart)

    def _chain(self, dists: frozenset[str]) -> tuple[str, ...] | None:
        best = None
        for d in sorted(dists):
            chain = self.facts.closure_chain(d)
            if chain is not None and len(chain) > 1 and (best is None or len(chain) < len(best)):
                best = chain
        return best

    def _transitive(self, use: Use, provided: str, chain: tuple[str, ...], prefix: str) -> Finding:
        index = self.facts.index
        shown = " -> ".join(index.display(c) for c in chain)
        source = os.path.basename(self.facts.lock.path) if self.facts.lock is not None and self.facts.lock.problem is None else "installed metadata"
        return Finding(
            rule=C.TRANSITIVE_DEPENDENCY,
            location=use.edge.location,
            message=f"{provided}, which is {prefix or 'not declared'}: the deployment has it only because "
            f"`{index.display(chain[-2])}` requires it ({shown}, from {source})",
            module=use.name,
            name=chain[-1],
            hint=f"declare {self.show(use.dists)} in {self.where}: a new release of {index.display(chain[0])} may drop it",
            group=("transitive-dependency", *sorted(use.dists)),
        )

    def _belongs_to_extra(self, use: Use, extras: list[str], dists: list[str]) -> bool:
        """Is the importing module the extra's own module (named after it, configured, or only
        imported lazily by the rest of the project)?"""
        if use.module.path in self.lazy_modules:
            return True
        module_name = use.module.name
        parts = {p.lower() for p in module_name.split(".")}
        words = set()
        for p in parts:
            words |= set(p.split("_"))
        keys = {e.replace("-", "_") for e in extras} | {e.split("-")[0] for e in extras}
        for d in dists:
            mods = self.facts.index.modules_of(d) or known_modules(d) or (d.replace("-", "_"),)
            keys |= {m.split(".")[-1].lower() for m in mods}
        if parts & keys or words & keys:
            return True
        for extra, patterns in self.facts.settings.extra_modules:
            if canonical(extra) in extras and any(
                module_name == p or module_name.startswith(p + ".") or fnmatch.fnmatch(module_name, p) for p in patterns
            ):
                return True
        return False


def _places(places: list[str]) -> str:
    """["group `dev`", "group `tests`"] -> "groups `dev`, `tests`"."""
    by_kind: dict[str, list[str]] = {}
    for p in places:
        kind, _, name = p.partition(" ")
        by_kind.setdefault(kind, []).append(name)
    return " and ".join(
        f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}" for kind, names in sorted(by_kind.items())
    )


# -- unused-dependency -------------------------------------------------------------


def _unused(project: Project, facts, uses: list[Use], shadows: dict[str, str]) -> Iterator[Finding]:
    if project.report_paths is not None and not any(os.path.isdir(p) for p in project.report_paths):
        return  # a check of single files cannot tell what the rest of the project imports
    declared = facts.declared
    own = declared_own(facts)
    allow = tuple(facts.settings.allow_unused) + _default_allow()
    module_map = {canonical(d): mods for d, mods in facts.settings.module_map}
    runtime_use: set[str] = set()
    typing_use: set[str] = set()
    dev_use: set[str] = set()
    for use in uses:
        if use.dev_file:
            dev_use |= use.dists
        elif use.edge.guard & Guard.TYPE_CHECKING:
            typing_use |= use.dists
        else:
            runtime_use |= use.dists
    pinned = _pins(facts)
    named: set[str] | None = None
    seen: set[str] = set()
    for req in declared.runtime:
        key = req.name
        if key in seen or not req.active or key in own or key in runtime_use:
            continue
        seen.add(key)
        if any(fnmatch.fnmatch(key, canonical(p)) if "*" in p else key == canonical(p) for p in allow):
            continue
        modules = module_map.get(key) or facts.index.modules_of(key) or known_modules(key)
        if not modules:
            continue  # we do not know what it provides: stay silent
        if req.from_requirements_file and key in pinned:
            continue  # a pin of something another declared dependency requires
        if named is None:
            named = _named_by_strings(project)
        if any(m.split(".")[0] in named for m in modules):
            continue  # loaded by name: INSTALLED_APPS = ["corsheaders"], "jinja2.ext.do"
        name = facts.index.display(key)
        if key in typing_use:
            why = "is only imported under `if TYPE_CHECKING:`, which never runs"
        elif key in dev_use:
            why = "is only imported by test and development code"
        elif key in shadows:
            why = f"is never imported: the local module {project.rel(shadows[key])} shadows its `{modules[0]}`"
        else:
            public = [m for m in modules if not m.split(".")[-1].startswith("_") and "__" not in m] or list(modules)
            shown = ", ".join(f"`{m}`" for m in public[:4]) + (", ..." if len(public) > 4 else "")
            why = f"is never imported (it provides {shown})"
        yield Finding(
            rule=C.UNUSED_DEPENDENCY,
            location=req.location,
            message=f"`{name}` is a declared runtime dependency but {why}",
            name=key,
            hint="remove it, move it to a dev group, or list it in [tool.importgate.dependencies] allow-unused "
            "if it is a plugin, driver or command-line tool",
        )


def _named_by_strings(project: Project) -> set[str]:
    """Top-level modules that first-party strings name (``ModuleFacts.named_modules``): a
    framework imports them by that name (Django's settings, Jinja's extensions, Celery's
    ``include``), so the dependency that provides one is used though no import statement shows it."""
    out: set[str] = set()
    for module in project.facts.values():
        out.update(module.named_modules)
    return out


def _default_allow() -> tuple[str, ...]:
    from importgate.facts.deps import DEFAULT_ALLOW_UNUSED

    return DEFAULT_ALLOW_UNUSED


def _pins(facts) -> set[str]:
    """Runtime requirements that another declared runtime requirement pulls in (requirements files pin those)."""
    declared = facts.declared
    index = facts.index
    out: set[str] = set()
    queue = [(r.name, r.extras) for r in declared.runtime if r.active]
    roots = {r.name for r in declared.runtime if r.active}
    done: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras = queue.pop()
        if (name, extras) in done:
            continue
        done.add((name, extras))
        for child, child_extras in index.requires_of(name, extras):
            if child in roots:
                out.add(child)
            queue.append((child, child_extras))
    if facts.lock is not None and facts.lock.problem is None:
        for name in roots:
            parent = facts.lock.parents.get(name)
            if parent is not None:
                out.add(name)
    return out


