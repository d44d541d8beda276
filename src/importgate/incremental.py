"""Answer an edit from the previous report when no changed file's interface changed.

After every full run the engine keeps a record: the report, each file's content and facts
digests, and every name the project's facts mention. On the next run, each file whose facts
changed is compared with its previous facts through ``facts.interface``: when definitions
nobody mentions are all that changed (a helper function added, a body grown by some lines),
no rule can answer differently, so the report stands, unless it quotes the changed file (its
lines that moved) or could suggest one of the changed names as a spelling.

An edit that adds or removes imports of modules outside the project (``import json``,
``from typing import Any``) gets one more chance: when those imports are all that changed in the
interface, nobody else can look up the names they bind, and once the project is assembled
each of them is seen to resolve cleanly (``confirm``: found, every imported name there, no
dependency rule concerned), the report stands too. No rule sees such an import but the ones
that check the import itself, which ``confirm`` does. The same holds for an import of a
first-party module that does not run at import time (``def f(): from .models import User``,
``if TYPE_CHECKING: from .models import User``): the import-order simulation skips it, so
``confirm`` asks the resolution rule about it, and checks the little else that counts it
(an outside use of a package's incidental import, whether a module is imported only lazily).
One that does run at import time is answered too when the simulation is seen to run exactly as
before (``rules.cycles.runs_as_before``): the file already ran every module it names, or a
module new to it runs apart (nothing it runs reaches a cycle or an edited file: only when it
finishes changes), and either no cycle is reachable from the file or the import is a plain one
of its own package. When the simulation may run otherwise (a new module on or into a cycle),
it runs again alone, and its findings join the other rules' findings of the record
(``Confirmed.BUT_CYCLES``): no other rule follows the import graph beyond one import, except
the start-up chains and the fix planner's cycle check, which run again over the joined
findings. The simulation alone also runs again
when the lines an edit moved are quoted by its findings only.

The contract this rests on: rules look a definition up only by a name some fact mentions
(``facts.interface.mentioned_names``), except for "did you mean" spellings (checked here). A rule
that enumerates a module's definitions in some other way must widen the interface first.
"""

from __future__ import annotations

import enum
import os
import re
from collections import Counter, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, replace

from importgate.facts.cache import blake2b, loads
from importgate.facts.interface import (
    binding_order, definition_entries, interface_and_lines, mention_sets, mentioned_names, placeless_interface,
)
from importgate.facts.model import Guard, ImportEdge, ModuleFacts
from importgate.model import Finding, Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importgate.facts.discover import Layout
    from importgate.project import Project

_MOST_CHANGED_FILES = 16  # past this many, a full run is about as fast as the comparisons


class Record(namedtuple("Record", "report touched inputs content blobs names ours importable layout standing", defaults=(None,))):
    """What the next run needs to decide whether its edit can change ``report``: the digests of
    the files its fixes edit (``touched``), the stamps of the files outside the keys its rules
    read (``inputs``), each file's content digest and facts digest (``content``, ``blobs``),
    every name any fact mentions (``names``) and those first-party code can look up in
    first-party modules (``ours``), every name ``import <name>`` may reach first-party code
    under (``importable``), the digest of the module layout, and the findings of every rule but
    the import-order simulation, selected and not suppressed, before merging and fixes
    (``standing``: a rerun of that rule alone is finished beside them; None: unknown).
    (A plain named tuple: typing.NamedTuple would import typing into every edit's run.)"""

    __slots__ = ()

    @property
    def answer(self) -> tuple:
        """The stored answer's (report, touched, inputs)."""
        return self.report, self.touched, self.inputs

    @property
    def plugins(self) -> bool:
        """Did an installed module import first-party code (so nothing was narrowed)?"""
        return self.ours == self.names


def record(
    report: Report, touched: dict, inputs: dict, content: dict[str, bytes], blobs: dict[str, bytes],
    facts: Iterable[ModuleFacts], project: "Project", plugins: bool = False, standing: tuple[Finding, ...] | None = None,
    mentioned: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None,
) -> Record:
    """The record of a report (``plugins``: an earlier run saw an installed module import
    first-party code; a replay reads too few installed modules to see it again; ``mentioned``:
    ``mentions`` of these facts, made earlier while this process had time)."""
    importable = importable_names(project)
    if mentioned is None or mentioned[0] != importable:
        mentioned = mentions(facts, importable)
    _, names, ours = mentioned
    if plugins or installed_imports_first_party(project, importable):
        ours = names  # `from installed import x` may end in a module of ours
    return Record(report, touched, inputs, dict(content), dict(blobs), names, ours, importable,
                  layout_digest(project.layout), standing)


def mentions(facts: Iterable[ModuleFacts], importable: frozenset[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(``importable``, every name the facts mention, those first-party code may look up in
    first-party modules)."""
    names: set[str] = set()
    ours: set[str] = set()
    for f in facts:
        inside, outside = mention_sets(f, importable)
        ours |= inside
        names |= inside
        names |= outside
        # module names are looked up too (a package's submodule against its own names)
        base, _ = os.path.splitext(os.path.basename(f.path))
        folder = os.path.basename(os.path.dirname(f.path))
        names.update((base, folder))
        ours.update((base, folder))
    return importable, frozenset(names), frozenset(ours)


def is_record(value) -> bool:
    return isinstance(value, Record) and isinstance(value.report, Report)


def advanced(previous: Record, content: dict[str, bytes], blobs: dict[str, bytes]) -> Record:
    """The record after a replay: the same report and names, the new digests."""
    return previous._replace(content=dict(content), blobs=dict(blobs))


def extended(previous: Record, answer: tuple, content: dict[str, bytes], blobs: dict[str, bytes],
             imports: Iterable[LocalImport]) -> Record:
    """The record after a replay that added or removed imports (``confirm``): the new answer and
    digests, and the names with what the added imports mention. Everything else the edit
    mentions was mentioned already (``still_answers``), and the layout and what is importable are
    as they were; a name no longer mentioned stays, which only makes later comparisons stricter."""
    names, ours = set(previous.names), set(previous.ours)
    for item in imports:
        if item.added:
            inside, outside = mention_sets(ModuleFacts(name="", path=item.path, is_package=False, is_stub=False,
                                                       imports=(item.edge,)), previous.importable)
            names |= inside | outside
            ours |= inside
    if previous.plugins:
        ours = names
    report, touched, inputs = answer[:3]
    return previous._replace(report=report, touched=touched, inputs=inputs, content=dict(content), blobs=dict(blobs),
                             names=frozenset(names), ours=frozenset(ours))


@dataclass(slots=True, unsafe_hash=True)
class LocalImport:
    """An import an edit added or removed that only the rules ``confirm`` asks may see."""

    path: str
    edge: ImportEdge
    twin: bool  # an unchanged import of the same module and names under the same guard stays in the file
    added: bool = True  # else removed
    first_party: bool = False  # it may reach first-party code
    earlier: tuple[ImportEdge, ...] = ()  # imports the edit left alone before it (in its version of the file)


@dataclass(slots=True, unsafe_hash=True)
class Pending:
    """The report stands if each of these imports resolves cleanly (``confirm``)."""

    previous: Record
    imports: tuple[LocalImport, ...]
    simulation: bool = False  # the import-order simulation's findings quote lines that moved: it runs again
    rebound: tuple[str, ...] = ()  # files that only bind names elsewhere or otherwise: each must run whole


def still_answers(previous: Record, current: dict[str, ModuleFacts | bytes], content: dict[str, bytes],
                  blobs: dict[str, bytes], stored_facts) -> bool | Pending:
    """Does ``previous``'s report answer the project whose facts (maybe still pickled) are
    ``current``? ``stored_facts(path, content digest)`` gives the pickled facts a file had.
    A ``Pending`` answer: yes, if its imports resolve cleanly once the project is assembled."""
    report, old_content, old_blobs, names, ours, importable = (
        previous.report, previous.content, previous.blobs, previous.names, previous.ours, previous.importable)
    if set(old_blobs) != set(current) or any(path not in blobs for path in current):
        return False
    changed = [path for path in current if blobs[path] != old_blobs[path]]
    if len(changed) > _MOST_CHANGED_FILES:
        return False
    renamed: set[str] = set()
    moved: dict[str, set[int]] = {}  # path -> its old line numbers that are elsewhere now
    local: list[LocalImport] = []
    rebound: list[str] = []
    for path in changed:
        raw = stored_facts(path, old_content.get(path))
        if raw is None:
            return False
        try:
            old = loads(raw)
        except Exception:  # noqa: BLE001 - a damaged row: decide by a full run
            return False
        new = current[path]
        if isinstance(new, bytes):
            new = loads(new)
        added: list[ImportEdge] = []
        removed: list[ImportEdge] = []
        views = _views(old, new, names)
        if views is None:  # more changed than unmentioned definitions: imports from outside only?
            split = _unseen_imports_changed(old, new, ours, importable)
            if split is None:
                if not _rebound(old, new, names) or _names_file(report, path):
                    return False
                if binding_order(old, names) != binding_order(new, names):
                    rebound.append(path)  # it may bind a name too late for an import cycle: ``confirm``
                renamed |= _kind_changes(definition_entries(old), definition_entries(new))
                moved[path] = set()
                continue
            added, removed = split
            views = _views(_without(old, removed), _without(new, added), names)
            if views is None:
                return False
        (_, old_lines), (_, new_lines) = views
        before, after = definition_entries(old), definition_entries(new)
        renamed |= _kind_changes(before, after)
        moved[path] = {o for o, n in zip(old_lines, new_lines) if o != n} | {line for _, _, line in before - after if line}
        moved[path].update(line for edge in removed for line in _lines(edge))
        if added or removed:
            kept = {_twin_key(e) for e in _without(new, added).imports}
            for edges, is_added, facts in ((added, True, new), (removed, False, old)):
                others = _without(facts, edges).imports
                local.extend(LocalImport(path, e, _twin_key(e) in kept, is_added, _reaches_first_party(e, importable),
                                         tuple(o for o in others if o.location.line < e.location.line))
                             for e in edges)
    if _could_suggest(report, renamed):
        return False
    if not any(_quotes(report, path, moved[path]) for path in changed):
        return Pending(previous, tuple(local), rebound=tuple(rebound)) if local or rebound else True
    # a line that moved is quoted: by the import-order simulation's findings alone, which (the
    # order of every file's lines kept) only run again to give the new numbers?
    from importgate import catalogue

    others = replace(report, findings=tuple(f for f in report.findings if f.rule not in catalogue.CYCLE_RULES))
    if previous.standing is None or rebound or any(_quotes(others, path, moved[path]) for path in changed):
        return False
    return Pending(previous, tuple(local), simulation=True)


def _rebound(old: ModuleFacts, new: ModuleFacts, names: frozenset[str]) -> bool:
    """Did the edit change only where and how the module binds the names it binds (``def f``
    renamed ``_f`` and ``f = _f`` appended: the API kept), and add names nobody mentions, read
    there only? Then no rule but the import-order simulation can tell the two apart, and it
    cannot either when the bindings keep their places among the lines it compares them with
    (``binding_order``), or when the module always runs in one step and is never read
    half-built (``confirm`` asks: it must reach no import cycle). The caller checks those, and
    that the report quotes nothing of the file and suggests none of the new names."""
    own = new.own_definitions
    if not all(name in own for name in mentioned_names(new) - names):
        return False
    view = placeless_interface(old, names)
    return view is not None and view == placeless_interface(new, names)


def _names_file(report: Report, path: str) -> bool:
    """Could the report show anything of this file: a place in it, or its name in a text?
    (A fix that edits it: ``_quotes``.)"""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem == "__init__":
        stem = os.path.basename(os.path.dirname(path))
    word = re.compile(rf"\b{re.escape(stem)}\b")
    for finding in report.findings:
        if any(loc.path == path for loc in (finding.location, *(r.location for r in finding.related))):
            return True
        texts = [finding.message, finding.hint or "", *(r.message for r in finding.related), *(finding.chain or ())]
        if any(word.search(text) for text in texts):
            return True
    return False


def _views(old: ModuleFacts, new: ModuleFacts, names: frozenset[str]):
    """Both interfaces with their lines, when they are equal and the new facts mention nothing
    new; else None."""
    if not mentioned_names(new) <= names:
        return None
    old_view, new_view = interface_and_lines(old, names), interface_and_lines(new, names)
    return (old_view, new_view) if old_view[0] == new_view[0] else None


# -- imports of modules outside the project ------------------------------------------------

# an import inside a try decides whether its fallback runs; a fallback runs only if that failed
_PAIRED = Guard.TRY | Guard.TRY_MODULE | Guard.FALLBACK


def _unseen_imports_changed(old: ModuleFacts, new: ModuleFacts, ours: frozenset[str], importable: frozenset[str]):
    """(added, removed) when every import the edit added or removed binds no module-level name
    first-party code can look up here, and is not paired with a fallback; else None.
    (``confirm`` checks what they import, and that the import-order simulation is unchanged.)"""
    from importgate.resolve import binds_module_name

    if old.is_stub or new.is_stub or old.suppressions or new.suppressions:
        return None  # a stub's imports are names it serves; an ignore comment covers a whole import's lines
    added, removed = _difference(old.imports, new.imports), _difference(new.imports, old.imports)
    if not added and not removed:
        return None
    own_mentions = mentioned_names(_without(old, removed), importable) | mentioned_names(_without(new, added), importable)
    kept = _bindings(added) & _bindings(removed)  # `from x import a` grown to `from x import a, b` keeps a as it was
    for edge, facts in [(e, new) for e in added] + [(e, old) for e in removed]:
        if edge.is_star or edge.block or edge.guard & _PAIRED:
            return None
        for name, binding in zip(bound_names(edge), _edge_bindings(edge)):
            if binding in kept or not binds_module_name(edge, facts, name):
                continue  # bound as before, or a function's local name
            if name in ours or name in own_mentions or (name.startswith("__") and name.endswith("__")):
                return None
    return added, removed


def _bindings(edges: list[ImportEdge]) -> set[tuple]:
    return {binding for edge in edges for binding in _edge_bindings(edge)}


def _edge_bindings(edge: ImportEdge) -> list[tuple]:
    """Each name the statement binds (in ``bound_names`` order), with all that decides what it
    is bound to."""
    source = (edge.level, edge.module_text, edge.is_from, int(edge.guard), edge.location.line)
    if edge.is_from:
        return [(n.asname or n.name, n.name, n.location.line, source) for n in edge.names]
    return [(bound_names(edge)[0], edge.asname, source)]


def _reaches_first_party(edge: ImportEdge, importable: frozenset[str]) -> bool:
    """May the import reach first-party code (``confirm`` resolves it to be sure)?"""
    return bool(edge.level) or edge.module_text.split(".")[0] in importable


def _twin_key(edge: ImportEdge) -> tuple:
    """What the dependency rules judge an import by: the module, the names imported from it
    (``from nsx import b`` may come from another distribution than ``from nsx import a``), the
    guard, and whether a handler raises again (IG205 words that apart)."""
    return (edge.module_text, edge.is_from, tuple(sorted(n.name for n in edge.names)), edge.guard, edge.reraised)


def _edge_key(edge: ImportEdge) -> tuple:
    """An import statement as written, wherever it is."""
    return (edge.level, edge.module_text, tuple((n.name, n.asname) for n in edge.names), edge.asname,
            int(edge.guard), edge.is_from, bool(edge.block))


def _difference(base: tuple[ImportEdge, ...], other: tuple[ImportEdge, ...]) -> list[ImportEdge]:
    """The imports of ``other`` that ``base`` lacks (of repeated ones, the last)."""
    surplus = Counter(map(_edge_key, other)) - Counter(map(_edge_key, base))
    out = []
    for edge in reversed(other):
        key = _edge_key(edge)
        if surplus[key] > 0:
            surplus[key] -= 1
            out.append(edge)
    return out[::-1]


def bound_names(edge: ImportEdge) -> tuple[str, ...]:
    if edge.is_from:
        return tuple(n.asname or n.name for n in edge.names)
    return (edge.asname or edge.module_text.split(".")[0],)


def _lines(edge: ImportEdge) -> set[int]:
    out = {edge.location.line, edge.location.end_line}
    for n in edge.names:
        out.update((n.location.line, n.location.end_line))
    return out


def _without(facts: ModuleFacts, edges: list[ImportEdge]) -> ModuleFacts:
    """The facts as if these import statements were not there (and did not bind their names)."""
    if not edges:
        return facts
    drop = {id(e) for e in edges}
    bindings = {(name, line) for e in edges for name in bound_names(e) for line in _lines(e)}

    def prune(table: dict[str, int]) -> dict[str, int]:
        return {n: line for n, line in table.items() if (n, line) not in bindings}

    return replace(facts, imports=tuple(e for e in facts.imports if id(e) not in drop),
                   defined=prune(facts.defined), typing_only=prune(facts.typing_only))


class Confirmed(enum.Enum):
    """What ``confirm`` found the previous report to be worth."""

    NO = "nothing: every rule runs"
    YES = "all of it: the report stands"
    # the findings of every other rule stand (the record's ``standing``): only the import-order
    # simulation, whose import graph the edit changed, runs again
    BUT_CYCLES = "all but the import-order simulation's findings"


def confirm(pending: Pending, project: "Project", manifests: bool = True, plans_hold=None) -> Confirmed:
    """With the project assembled: is each added or removed import one no rule reports and no
    other answer depends on? The layout must be the one recorded (imports name modules, and
    module names decide the layout). An import of a module outside the project must find it
    with every name it imports (the import-order simulation stops at an import that fails); a
    third-party one must leave the dependency rules as they were (an unchanged twin in the
    file, and no dependency finding there), unless the project has no manifest (``manifests``)
    to declare dependencies in. An import of a first-party module: ``_first_party_clean``, the
    dependency rules' view of which modules are imported only lazily, and for one that runs at
    import time, the import-order simulation (``rules.cycles.runs_as_before``) or, when that may
    run otherwise, a rerun of it alone (``BUT_CYCLES``). ``plans_hold``: the fix stage's check
    that it would plan the report's fixes alike (``fix.stage.Fixer.plans_hold``)."""
    from importgate import catalogue
    from importgate.facts.finder import in_standard_library

    previous = pending.previous
    report, importable = previous.report, previous.importable
    if layout_digest(project.layout) != previous.layout:
        return Confirmed.NO
    answer = Confirmed.BUT_CYCLES if pending.simulation else Confirmed.YES
    if pending.rebound:
        from importgate.rules import cycles

        # where a module on a cycle binds names is the import-order simulation's business alone
        if not cycles.runs_whole(project, pending.rebound):
            if previous.standing is None:
                return Confirmed.NO
            answer = Confirmed.BUT_CYCLES
    dependency_rules = set(catalogue.DEPENDENCY_RULES)
    # a dependency finding lists every import of the distribution: one more would show
    concerned = {loc.path for f in report.findings if f.rule in dependency_rules
                 for loc in (f.location, *(r.location for r in f.related))}
    resolver, env = project.resolver, project.env
    ours = [item for item in pending.imports if item.first_party]
    if ours:
        clean = _first_party_clean(project, previous, ours, plans_hold)
        if clean is Confirmed.NO:
            return clean
        if clean is Confirmed.BUT_CYCLES:
            answer = clean
    for item in pending.imports:
        edge, target = item.edge, item.edge.module_text
        if item.first_party:
            continue
        if project.is_first_party_name(target):
            return Confirmed.NO
        found = resolver.resolve(target, item.path, resolver.fallback_dirs(item.path)).found
        if found is None or found.first_party or resolver.resolve(target, item.path).found != found:
            return Confirmed.NO
        if edge.is_from and not all(resolver.provides(found, n.name).ok for n in edge.names):
            return Confirmed.NO
        if manifests and not in_standard_library(target, found, env) and (not item.twin or item.path in concerned):
            return Confirmed.NO
    # the installed modules these imports reached count too: one may import code of ours
    return answer if previous.plugins or not installed_imports_first_party(project, importable) else Confirmed.NO


def _first_party_clean(project: "Project", previous: Record, items: list[LocalImport], plans_hold=None) -> Confirmed:
    """Does no rule answer differently for these imports of first-party modules? Each is
    ``_resolves_cleanly``; the dependency rules, which count a module imported only lazily as an
    optional part, see the same such modules; and for the imports that run at import time the
    import-order simulation runs as before, file by file, and no configured entries make start-up
    chains that they may lengthen. Else, if the record keeps the other rules' findings, the
    simulation runs again (and the chains are drawn again) beside them: ``BUT_CYCLES``."""
    if not all(_resolves_cleanly(project, previous.report, item) for item in items) or not _laziness_kept(project, items):
        return Confirmed.NO
    running: dict[str, tuple[list[ImportEdge], list[ImportEdge]]] = {}
    for item in items:
        if item.edge.guard.at_import:
            running.setdefault(item.path, ([], []))[0 if item.added else 1].append(item.edge)
    if not running:
        return Confirmed.YES
    from importgate.rules import cycles

    earlier = {item.edge: item.earlier for item in items}
    if not project.config.entries and all(
        cycles.runs_as_before(project, path, added, removed, earlier, frozenset(running)) for path, (added, removed) in running.items()
    ) and (plans_hold is None or plans_hold(project, previous.report)):
        return Confirmed.YES
    return Confirmed.NO if previous.standing is None else Confirmed.BUT_CYCLES


def _resolves_cleanly(project: "Project", report: Report, item: LocalImport) -> bool:
    """It resolves to the same first-party module wherever Python looks and the resolution rules
    find nothing wrong with it (asked of the rules themselves); it is no outside use of a name a
    package imports incidentally; and no unused-dependency finding can name it as the local
    module that shadows a distribution."""
    from importgate import catalogue
    from importgate.resolve import absolute_target
    from importgate.rules import resolution

    facts = project.facts.get(item.path)
    edge = item.edge
    if facts is None or facts.syntax_error is not None:
        return False
    target = absolute_target(edge, facts.name, facts.is_package)
    if target is None:
        return False
    resolver = project.resolver
    found = resolver.resolve(target, item.path, resolver.fallback_dirs(item.path)).found
    if found is None or not found.first_party or resolver.resolve(target, item.path).found != found:
        return False
    if next(iter(resolution.check_import(project, facts, edge)), None) is not None:
        return False
    package = project.outside_package(facts, edge)
    if package is not None:
        from importgate.rules import reexports

        if any(reexports.incidental(project, project.facts[package], n.name) for n in edge.names):
            return False
    return not (edge.level == 0 and any(f.rule.code == catalogue.UNUSED_DEPENDENCY.code for f in report.findings))


def _laziness_kept(project: "Project", items: list[LocalImport]) -> bool:
    """Is every module these imports name imported only lazily (``only_when_needed``) with them
    exactly when it was without them?"""
    from importgate.project import imported_paths, only_when_needed

    now = project.importers()
    before = {path: list(guards) for path, guards in now.items()}
    named: set[str] = set()
    for item in items:
        facts = project.facts.get(item.path)
        if facts is None:
            return False
        for path in imported_paths(item.edge, facts, project.layout.modules):
            named.add(path)
            guards = before.setdefault(path, [])
            if not item.added:
                guards.append(item.edge.guard)
            elif item.edge.guard in guards:
                guards.remove(item.edge.guard)
            else:
                return False
    return all(only_when_needed(now.get(path, [])) == only_when_needed(before[path]) for path in named)


def importable_names(project: "Project") -> frozenset[str]:
    """Every name under which ``import <name>`` may reach first-party code: the files and
    directories that sit in a directory on some ``sys.path`` (an import root, a test directory
    or ``pythonpath`` entry pytest adds, a directory a ``.pth`` file adds, a script's own folder:
    any directory that is not a regular package), and the names an editable install maps into
    the project. ``json`` is not one for Django
    (``django/core/serializers/json.py`` sits inside a package); ``util`` is for a project with
    ``scripts/util.py``."""
    packages = project.resolver.package_dirs
    root = project.root
    inside = os.path.join(root, "")
    searched = {os.path.normpath(os.path.join(root, d)) for d in project.layout.roots}
    searched.update(project.resolver.test_dirs)
    searched.update(os.path.normpath(p) for p in project.env.path if p and os.path.normpath(p).startswith(inside))

    def on_path(directory: str) -> bool:
        return directory not in packages or directory in searched

    out: set[str] = set()
    seen: set[str] = set()
    for path in project.facts:
        directory = os.path.dirname(path)
        if on_path(directory):
            out.add(os.path.basename(path).split(".")[0])
        while directory not in seen and len(directory) > len(root):
            seen.add(directory)
            parent = os.path.dirname(directory)
            if on_path(parent):
                out.add(os.path.basename(directory))
            directory = parent
    out.update(name.split(".")[0] for name in project.layout.modules)  # configured roots too
    # a directory above the project on some sys.path reaches it as `<its folder>.helpers`
    out.add(os.path.basename(root))
    for directory in (*project.env.path, *project.resolver.test_dirs, *project.layout.roots):
        above = os.path.normpath(os.path.join(root, directory))
        if inside.startswith(os.path.join(above, "")) and above != root:
            out.add(os.path.relpath(root, above).split(os.sep)[0])

    def ours(target: str) -> bool:
        target = os.path.normpath(target)
        return target == root or target.startswith(inside)

    for finder in project.env.editable:  # an editable install may map any name into the project
        out.update(name.split(".")[0] for name, target in finder.mapping.items() if ours(target))
        out.update(name.split(".")[0] for name, targets in finder.namespaces.items() if any(ours(t) for t in targets))
    return frozenset(out)


def installed_imports_first_party(project: "Project", importable: frozenset[str]) -> bool:
    """Does an installed module read so far import first-party code (a plugin of ours)?"""
    known = getattr(project.resolver.source, "known", {})
    for path, facts in known.items():
        if path in project.facts:
            continue
        if any(e.level == 0 and e.module_text.split(".")[0] in importable for e in facts.imports):
            return True
    return False


def layout_digest(layout: "Layout") -> bytes:
    h = blake2b(digest_size=20)
    h.update(repr((layout.roots, sorted(layout.names.items()), sorted(layout.modules.items()),
                   sorted(layout.packages))).encode())
    return h.digest()


def _kind_changes(before: set[tuple[str, str, int]], after: set[tuple[str, str, int]]) -> set[str]:
    """Names added, removed, or bound in another way than before (defined -> deleted,
    annotated -> assigned): suggestions draw on some kinds only. A name that only moved is
    not among them."""
    kinds_before = {(kind, name) for kind, name, _ in before}
    kinds_after = {(kind, name) for kind, name, _ in after}
    return {name for _, name in kinds_before ^ kinds_after}


def _quotes(report: Report, path: str, moved: set[int]) -> bool:
    """Could the report show one of ``path``'s lines that moved: a location there, or the number
    anywhere in a text ("defined in a.py:12", "a:12", "(line 12)")? A number is a number: a
    count that happens to equal a moved line also sends the edit to a full run."""
    for finding in report.findings:
        if finding.fix is not None and any(edit.path == path for edit in finding.fix.edits):
            return True  # fixes depend on the bytes (the stored digests say so too)
        if not moved:
            continue
        for loc in (finding.location, *(r.location for r in finding.related)):
            if loc.path == path and (loc.line in moved or loc.end_line in moved):
                return True
        texts = [finding.message, finding.hint or "", *(r.message for r in finding.related), *(finding.chain or ())]
        if finding.fix is not None:
            texts.append(finding.fix.description)
        if any(int(number) in moved for text in texts for number in _NUMBER.findall(text)):
            return True
    return False


_NUMBER = re.compile(r"\d+")


def _could_suggest(report: Report, renamed: set[str]) -> bool:
    """Could a name that appeared or went away now be offered as "did you mean" (or as an
    unsafe fix) for a name a finding is about? (The lowest cutoff any suggestion uses.)"""
    wanted = sorted({f.name for f in report.findings if f.name})
    if not renamed or not wanted:
        return False
    import difflib

    candidates = sorted(renamed)
    return any(difflib.get_close_matches(name, candidates, n=1, cutoff=0.7) for name in wanted)
