"""unresolved-module, missing-name, relative-beyond-top-level, stub-missing-name,
unresolved-typing-import: does every import statement point at something real?"""

from __future__ import annotations

import os
from collections.abc import Iterator

from importgate.facts import known
from importgate.facts.finder import Found, Kind
from importgate.facts.model import Guard, ImportEdge, ImportedName, ModuleFacts
from importgate.model import Finding, Location, Related
from importgate.project import Project
from importgate.resolve import Answer, Resolution, Verdict, absolute_name, absolute_target
from importgate import catalogue as C


def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked_modules():
        if facts.is_stub or facts.syntax_error is not None:
            continue
        for edge in facts.imports:
            if edge.guard & Guard.FALLBACK and not _try_body_fails(project, facts, edge.block):
                continue  # `except ImportError:` fallback that never runs
            yield from check_import(project, facts, edge)


def _try_body_fails(project: Project, facts: ModuleFacts, block: int) -> bool:
    """True when some import in the try body is certain to fail, so its fallback surely runs."""
    resolver = project.resolver
    for edge in facts.imports:
        if edge.block != block or not edge.guard & Guard.TRY or edge.guard & Guard.FALLBACK:
            continue
        target = absolute_target(edge, facts.name, facts.is_package)
        if target is None:
            return True
        resolution = resolver.resolve(target, facts.path, resolver.fallback_dirs(facts.path))
        if resolution.certain_missing:
            return True
        if resolution.found is not None and edge.is_from:
            for imported in edge.names:
                if imported.name != "*" and resolver.provides(resolution.found, imported.name).verdict is Verdict.NO:
                    return True
    return False


def check_import(project: Project, facts: ModuleFacts, edge: ImportEdge) -> Iterator[Finding]:
    """The findings about one import statement (``incremental.confirm`` asks it of an edit's
    imports before it lets the last report stand)."""
    guard = edge.guard
    if guard & (Guard.TRY | Guard.FEATURE_TEST):
        return
    if edge.flags and guard & Guard.CONDITIONAL and _under_imported_flag(project, facts, edge):
        return  # `if compat.PY312:`: a version check made in another module
    typing_only = bool(guard & Guard.TYPE_CHECKING)
    target = absolute_target(edge, facts.name, facts.is_package)
    if target is None:
        if not typing_only:
            finding = _relative_beyond(project, facts, edge)
            if finding is not None:
                yield finding
        return
    resolver = project.resolver
    resolution = resolver.resolve(target, facts.path, resolver.fallback_dirs(facts.path))
    if resolution.found is None:
        if not guard & Guard.TRY_MODULE:  # `except ModuleNotFoundError` handles exactly this
            yield from _unresolved(project, facts, edge, target, resolution, typing_only)
        return
    if not edge.is_from:
        return
    for imported in edge.names:
        if imported.name == "*":
            continue
        answer = resolver.provides(resolution.found, imported.name)
        if not answer.ok and _script_dir_module_may_provide(resolver, facts, target, imported.name):
            continue
        if answer.ok or typing_only and not _type_checkers_miss(resolver, resolution.found, imported.name):
            continue
        if resolution.found.kind is Kind.NAMESPACE and not resolution.found.first_party:
            # an installed namespace package (google.cloud) lacks a submodule: the distribution
            # that provides it is not installed, which is unresolved-module's business
            full = f"{resolution.found.name}.{imported.name}"
            missing = resolver.resolve(full, facts.path, resolver.fallback_dirs(facts.path))
            if missing.found is None and not guard & Guard.TRY_MODULE:
                yield from _unresolved(project, facts, edge, full, missing, typing_only)
            continue
        yield _missing_name(project, facts, edge, imported, resolution.found, answer, typing_only)


def _under_imported_flag(project: Project, facts: ModuleFacts, edge: ImportEdge) -> bool:
    """Does an ``if`` around the import test a flag that another module computes from a
    version, platform or availability check (``from app.compat import PY312``, ``if
    compat.PY312:``, six's ``six.PY2``)? Then it is a feature test there as here."""
    for text in edge.flags:
        module, _, name = (absolute_name(text, facts.name, facts.is_package) or "").rpartition(".")
        if module and _flags_of(project, facts, module, name):
            return True
    return False


def _flags_of(project: Project, facts: ModuleFacts, module: str, name: str) -> bool:
    resolver = project.resolver
    found = resolver.resolve(module, facts.path, resolver.fallback_dirs(facts.path)).found
    other = resolver.facts_of(found) if found is not None else None
    return other is not None and name in other.feature_flags


def _script_dir_module_may_provide(resolver, facts: ModuleFacts, target: str, name: str) -> bool:
    """A file in a directory that is no package may run as a script or test, with its own
    module of this name first on sys.path (mlflow's skills/tests/utils.py beside a scripts/
    utils package that an import root provides): the name is missing only if it is missing
    from both."""
    other = resolver.script_dir_alternative(target, facts.path, resolver.fallback_dirs(facts.path))
    return other is not None and resolver.provides(other, name).verdict is not Verdict.NO


def _type_checkers_miss(resolver, found: Found, name: str) -> bool:
    """Would a type checker, which reads ``if TYPE_CHECKING:`` blocks as true and a stub in place
    of its module, fail to find a name the running module lacks? Said only of a first-party
    module with no stub where nothing a checker reads may bind it: no binding under
    ``TYPE_CHECKING`` (a star import there included), no bare annotation, no ``del`` (whose
    reading checkers differ on), no module ``__getattr__``. Of other modules, typeshed and
    their own stubs speak, which importgate does not read (``from subprocess import _ENV``)."""
    if not found.first_party or found.stub or found.kind is not Kind.SOURCE:
        return False
    facts = resolver.facts_of(found)
    if facts is None:
        return False
    if name in facts.typing_only or name in facts.annotated_only or name in facts.deleted or facts.getattr is not None:
        return False
    return not any(edge.is_star and edge.guard & Guard.TYPE_CHECKING for edge in facts.imports)


# -- unresolved-module ----------------------------------------------------------


def _unresolved(
    project: Project,
    facts: ModuleFacts,
    edge: ImportEdge,
    target: str,
    resolution: Resolution,
    typing_only: bool,
) -> Iterator[Finding]:
    if not resolution.certain_missing:
        return
    if facts.sys_path_edit_line is not None and (
        edge.location.line > facts.sys_path_edit_line or edge.guard & Guard.FUNCTION
    ):
        return  # the sys.path edit may have made it reachable
    if edge.level == 0 and _package_edits_sys_path(project, facts):
        return  # so may one in a package around it: its __init__ runs first
    first_party = edge.level > 0 or (project.is_first_party_name(target) and not _shared_namespace_child(project, facts, resolution))
    if not first_party and edge.guard.deferred:
        return  # optional third-party import inside a function or branch
    if typing_only and not first_party:
        return
    missing = resolution.missing_part or target
    explanation, hint, related = _explain_unresolved(project, facts, target, missing, first_party)
    rule = C.UNRESOLVED_TYPING_IMPORT if typing_only else C.UNRESOLVED_MODULE
    message = f"No module named '{missing}'"
    if edge.level:
        message += f" (from `{_statement_text(edge)}` in {facts.name})"
    if explanation:
        message += f": {explanation}"
    if typing_only:
        message += " (only under `if TYPE_CHECKING:`, so run time is unaffected)"
    # every import of a missing top-level module outside the project fails for one reason: one
    # finding names them all (2,491 imports of torch in transformers, without its extra)
    whole = not first_party and not typing_only and "." not in missing and not edge.level
    yield Finding(
        rule=rule,
        location=edge.location,
        message=message,
        module=target,
        hint=hint,
        related=tuple(related),
        group=C.missing_module_group(missing) if whole else None,
    )


def _package_edits_sys_path(project: Project, facts: ModuleFacts) -> bool:
    """Does a package around this module edit sys.path (superset's migrations/__init__.py
    appends its own directory for its versions/ modules)? Each one's __init__ runs before the
    module does."""
    directory = os.path.dirname(facts.path)  # by folder: a migration file's name is no module name
    while directory in project.resolver.package_dirs:
        package = project.facts.get(os.path.join(directory, "__init__.py"))
        if package is not None and package is not facts and package.sys_path_edit_at_import:
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return False


def _shared_namespace_child(project: Project, facts: ModuleFacts, resolution: Resolution) -> bool:
    """Is the missing module a child of a namespace package that installed distributions share
    with the project (``azure``, ``opentelemetry``)? Another distribution, an optional one
    perhaps, may provide it: it is not certainly the project's own."""
    parent = (resolution.missing_part or "").rpartition(".")[0]
    if not parent:
        return False
    found = project.resolver.finder.find(parent, facts.path)
    if found is None or found.kind is not Kind.NAMESPACE:
        return False
    root = os.path.join(project.root, "")
    return any(not os.path.join(location, "").startswith(root) for location in found.locations)


def _statement_text(edge: ImportEdge) -> str:
    if edge.is_from:
        names = ", ".join(n.name for n in edge.names)
        return f"from {edge.module_text} import {names}"
    return f"import {edge.module_text}"


def _explain_unresolved(
    project: Project, facts: ModuleFacts, target: str, missing: str, first_party: bool
) -> tuple[str | None, str | None, list[Related]]:
    import difflib  # suggestions only: a replay asks this module about imports that resolve

    finder = project.resolver.finder
    related: list[Related] = []
    parent_name, _, last = missing.rpartition(".")
    if parent_name:
        parent = finder.find(parent_name, facts.path)
        if parent is not None:
            if not parent.locations:
                where = project.rel(parent.path) if parent.path else parent.name
                return (
                    f"'{parent_name}' is a module ({where}), not a package, so it has no submodule '{last}'",
                    None,
                    related,
                )
            candidates = sorted(project.resolver.finder.submodule_names(parent))
            close = difflib.get_close_matches(last, candidates, n=3, cutoff=0.7)
            where = ", ".join(project.rel(d) + "/" for d in parent.locations[:2])
            text = f"package '{parent_name}' ({where}) has no submodule '{last}'"
            if close:
                text += "; did you mean " + " or ".join(f"'{parent_name}.{c}'" for c in close) + "?"
            elsewhere = _first_party_files_named(project, missing, facts.path)
            if elsewhere:
                text += "; a file with that dotted path exists at " + ", ".join(project.rel(p) for p, _ in elsewhere)
            return text, None, related
    # a missing top-level name
    stdlib_note = known.stdlib_note(missing, project.env.version[:2])
    if stdlib_note:
        return stdlib_note, None, related
    if not first_party and missing in project.env.stdlib:  # sys.stdlib_module_names lists every platform's (msvcrt)
        text = (f"a standard-library module that the target environment {project.env.describe()} does not provide "
                "(it is platform-specific or was not built)")
        return text, "import it only where it exists (under `if sys.platform == ...`)", related
    # files of the whole imported path: a sibling `oauthlib/` wrapper without the `oauth2` the
    # import names explains nothing (django-allauth)
    elsewhere = _first_party_files_named(project, target, facts.path)
    own_dir = os.path.dirname(facts.path)
    siblings = [path for path, base in elsewhere if base == own_dir]
    if siblings and own_dir in project.resolver.package_dirs:
        package = facts.name if facts.is_package else facts.name.rpartition(".")[0]
        text = (
            f"{project.rel(siblings[0])} exists beside {project.rel(facts.path)}, but inside package '{package}' "
            f"it is '{package}.{missing}': `import {missing}` works only when the file runs as a script"
        )
        return text, f"import it as `from . import {missing.split('.')[0]}` or `import {package}.{missing}`", related
    if elsewhere:
        roots = ", ".join(project.rel(r) or "." for r in project.layout.roots)
        text = (
            f"{project.rel(elsewhere[0][0])} exists but is not importable as '{missing}' from any import root ({roots})"
        )
        hint = "add its parent directory to `roots` in [tool.importgate], or import it by its full dotted name"
        return text, hint, related
    if first_party:
        return None, None, related
    stubs = _stub_only(project, missing)
    if stubs:
        return (
            f"only type stubs ({project.rel(stubs)}) are installed in the target environment {project.env.describe()}; "
            f"the runtime package is missing",
            None,
            related,
        )
    dist = known.distribution_for(target)
    # 0.85: one slip in a longer name (colections, reqests); not oauthlib -> pathlib, pytest -> test
    close = difflib.get_close_matches(missing, sorted(finder.top_level_names() - {missing}), n=3, cutoff=0.85)
    text = f"not installed in the target environment {project.env.describe()}"
    hint = None
    declared = _declared_provider(project, dist, missing)
    if declared is not None:
        text += f", though {declared}"
        hint = (f"install the project's dependencies into {project.env.executable}, or point --python at "
                "the environment it is deployed with")
    elif dist:
        text += f"; it is provided by the distribution '{dist}'"
        hint = f"install '{dist}'"  # whether to declare it too is undeclared-dependency's word
    elif close:
        text += "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    else:
        hint = "install the distribution that provides it, or check the spelling"
    return text, hint, related


def _declared_provider(project: Project, dist: str | None, missing: str) -> str | None:
    """"'PyYAML' (which provides it) is declared in ..." for a missing top-level module that a
    declared distribution provides: the one the table of known modules names, else the one
    spelled like the module (``requests``). The code is then right; the target is not the
    environment the project is deployed with."""
    from importgate.facts.manifest import canonical  # only for an import that fails

    for name in (dist, missing):
        where = project.declared_in(canonical(name)) if name else None
        if where is not None:
            provides = " (which provides it)" if canonical(name) != canonical(missing) else ""
            return f"'{name}'{provides} is declared in {where}"
    return None


def _first_party_files_named(project: Project, dotted: str, importer: str | None = None) -> list[tuple[str, str]]:
    """(file, the folder the dotted name starts in) for first-party files whose path ends like
    the dotted name, where that folder is not inside a regular package, or is the importer's own
    folder: a module someone meant to import this way. The importer itself never counts (a
    backend ``jinja2.py`` importing the ``jinja2`` library is no self-import)."""
    parts = dotted.replace(".", os.sep)
    tails = (os.sep + parts + ".py", os.sep + parts + os.sep + "__init__.py")
    own_dir = os.path.dirname(importer) if importer else None
    out = []
    for path in sorted(project.facts):
        if path == importer:
            continue
        for tail in tails:
            if path.endswith(tail):
                base = path[: -len(tail)]
                if base not in project.resolver.package_dirs or base == own_dir:
                    out.append((path, base))
    return out


def _stub_only(project: Project, top: str) -> str | None:
    head = top.split(".", 1)[0]
    for directory in project.env.path:
        candidate = os.path.join(directory, head + "-stubs")
        if os.path.isdir(candidate):
            return candidate
    return None


# -- relative-beyond-top-level -------------------------------------------------


def _relative_beyond(project: Project, facts: ModuleFacts, edge: ImportEdge) -> Finding | None:
    # certain only if no name the file could be imported under makes it valid
    names = list(project.all_names(facts.path))
    init = os.path.join(os.path.dirname(facts.path), "__init__.py")
    if not facts.is_package and init in project.facts:
        # a file inside a package runs with that package as its parent even when its name is no
        # identifier: `python -m jaraco.text.to-dvorak`, importlib.import_module("pkg.my-script")
        stem = os.path.basename(facts.path).rsplit(".", 1)[0]
        names.append(f"{project.module_name(init)}.{stem}")
    for name in names:
        if absolute_target(edge, name, facts.is_package) is not None:
            return None
    package = facts.name if facts.is_package else facts.name.rpartition(".")[0]
    if not package:
        message = (
            f"attempted relative import with no known parent package: {facts.name} is a top-level module, "
            f"so `{_statement_text(edge)}` fails"
        )
        hint = "use an absolute import, or move the module into a package"
    else:
        depth = package.count(".") + 1
        message = (
            f"attempted relative import beyond top-level package: `{_statement_text(edge)}` climbs {edge.level} "
            f"level{'s' if edge.level > 1 else ''} from {facts.name}, whose package '{package}' is only {depth} deep"
        )
        hint = "use an absolute import, or remove a leading dot"
    return Finding(
        rule=C.RELATIVE_BEYOND_TOP,
        location=edge.location,
        message=message,
        module=edge.module_text,
        hint=hint,
    )


# -- missing-name ----------------------------------------------------------------


def _missing_name(
    project: Project,
    facts: ModuleFacts,
    edge: ImportEdge,
    imported: ImportedName,
    found: Found,
    answer: Answer,
    typing_only: bool,
) -> Finding:
    name = imported.name
    where = project.rel(found.path or found.stub or "") if (found.path or found.stub) else found.name
    message = f"cannot import name '{name}' from '{found.name}'"
    reasons: list[str] = []
    related: list[Related] = []
    hint = None
    if answer.reason:
        reasons.append(answer.reason)
        if answer.where is not None:
            related.append(Related(answer.where, answer.reason))
    if found.first_party:
        lives, lives_hint, lives_related = _where_it_lives(project, found, name, facts.path)
        if lives:
            reasons.append(lives)
            hint = lives_hint
            related.extend(lives_related)
    if not hint:
        close = _close_names(project, found, name)
        if close:
            reasons.append("did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
    if not (found.first_party and hint):
        message += f" ({where})"
    if reasons:
        message += ": " + "; ".join(reasons)
    if typing_only:
        rule = C.UNRESOLVED_TYPING_IMPORT
        message += " (only under `if TYPE_CHECKING:`, so run time is unaffected)"
    elif answer.verdict is Verdict.STUB_NO:
        rule = C.STUB_MISSING_NAME
        message += f" (only the stub {project.rel(found.stub or '')} describes this compiled module, so this may still work)"
    else:
        rule = C.MISSING_NAME
    return Finding(
        rule=rule,
        location=imported.location,
        message=message,
        module=found.name,
        name=name,
        hint=hint,
        related=tuple(related),
        group=("name", found.path or found.name, name) if rule is C.MISSING_NAME else None,
    )


def _where_it_lives(project: Project, found: Found, name: str, importer: str | None = None) -> tuple[str | None, str | None, list[Related]]:
    """(why, hint, related): the other first-party modules that define the name (not the
    importing one: a wrapper that imports ``_impl.f`` to define its own ``f`` wants no advice
    to import ``f`` from itself)."""
    definitions = [d for d in project.definitions(name) if d.path not in (found.path, importer)]
    if not definitions:
        return None, None, []
    inside = [d for d in definitions if d.module.startswith(found.name + ".")]
    chosen = inside or definitions
    owner = project.rel(found.path) if found.path else found.name
    related = [Related(Location(d.path, d.line), f"'{name}' is defined here") for d in chosen[:5]]
    if len(chosen) == 1:
        d = chosen[0]
        text = f"it is defined in {project.rel(d.path)}:{d.line}, but {owner} does not import it"
        if not found.is_package:
            text = f"it is defined in {project.rel(d.path)}:{d.line}, not in {owner}"
        if inside and found.is_package and found.path:
            relative = "." + d.module[len(found.name) + 1:]
            hint = f"re-export it: add `from {relative} import {name}` to {owner}, or import it from '{d.module}'"
        else:
            hint = f"import it from '{d.module}' instead"
        return text, hint, related
    places = ", ".join(f"{project.rel(d.path)}:{d.line}" for d in chosen[:5])
    text = f"it is defined in {len(chosen)} places ({places}), and {owner} imports none of them"
    return text, "import it from the module that defines the one you mean", related


def _close_names(project: Project, found: Found, name: str) -> list[str]:
    import difflib

    resolver = project.resolver
    candidates: set[str] = set()
    facts = resolver.facts_of(found) or resolver.stub_facts_of(found)
    if facts is not None:
        candidates |= set(facts.defined)
        if facts.getattr is not None and facts.getattr.serves:
            candidates |= facts.getattr.serves
    if found.locations:
        candidates |= resolver.finder.submodule_names(found)
    exported = resolver.exports(found) if facts is not None else None
    if exported:
        candidates |= exported
    candidates.discard(name)
    return difflib.get_close_matches(name, sorted(candidates), n=2, cutoff=0.75)
