"""circular-import / order-dependent-import: import cycles that are certain to fail.

Most import cycles work: CPython puts a module in ``sys.modules`` before running it, so
a module that is still running can be imported again; it just is not finished. What
fails is reading something from it that it has not bound yet: ``from X import n``
(ImportError, "partially initialized module"), ``X.n`` at module level
(AttributeError), ``from X import *`` with an ``__all__`` that names it (AttributeError),
or a name that ``from X import *`` should have brought (NameError).

So instead of listing cycles (pylint's cyclic-import), this family *runs* the imports
the way CPython would, on facts only: a module executes its module-level statements in
order; importing a first-party module that has not started runs it to completion first
(``a.b.c`` runs ``a``, then ``a.b``, then ``a.b.c``); importing one that is running
gives the half-built module. It is done once per module of each import cycle, as if
that module were the first one imported (a fresh ``python -c "import m"``), and once
for the configured entries in order.

Only certainties are reported. Every step that leads to the failure must be an import
that surely runs and is not caught (unguarded, at module level or in a class body);
an import that may or may not run (under ``if``, ``try``, a feature test) makes every
module it could reach "maybe started", and nothing that depends on those is claimed.
The name must surely be unbound at that moment: not bound by any earlier statement
(even a conditional one), not a submodule, no module ``__getattr__``, no star import
that may bring it, no other module that sets it, no namespace tricks.
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Iterator

from importgate.facts.model import Guard, ImportedName, ImportEdge, ModuleFacts
from importgate.model import Finding, Location, Related
from importgate.project import Learned, Project
from importgate.resolve import Verdict, absolute_name, absolute_target
from importgate import catalogue as C

# attributes the import system sets on every module before its code runs
_MODULE_ATTRIBUTES = frozenset(
    {"__file__", "__name__", "__path__", "__spec__", "__loader__", "__package__", "__builtins__", "__doc__", "__cached__", "__dict__", "__annotations__"}
)
_BUILTINS = frozenset(dir(builtins)) | _MODULE_ATTRIBUTES


def check(project: Project) -> Iterator[Finding]:
    model = _Model(project)
    starts = model.cyclic_modules()
    if not starts:
        return  # without a cycle, nothing can be half-built
    jobs = project.workers()
    order = sorted(starts, key=lambda p: (model.name[p].count("."), model.name[p]))
    outcomes = _import_each_first(model, order, jobs)
    # modules outside the cycles that reach one: which of them cannot be imported first either
    outside: dict[str, _Failure | None] = {}
    failing = {p for failure in outcomes.values() if failure is not None for p in _cycle(failure)}
    if failing:
        # only a module whose import can run a failing cycle can fail on it ("fails too"): the
        # frames of a simulation are all reachable from the imported module and its packages
        reaching = model.reaching(failing)
        ancestors = _Simulation(model).with_ancestors
        rest = [
            p for p in sorted(model.facts, key=lambda p: model.name[p])
            if p not in outcomes and not model.acyclic_closure(p) and any(a in reaching for a in ancestors(p))
        ]
        outside = _import_each_first(model, rest, jobs, _PARALLEL_MIN_OUTSIDE)
    entry_failure = None
    if project.config.entries:
        entry_paths = []
        for entry in project.config.entries:
            path = model.path_of(entry.split(":", 1)[0].strip(), None)
            if path is not None:
                entry_paths.append(path)
        if entry_paths:
            entry_failure = _Simulation(model).import_first(entry_paths)
    yield from _findings(project, model, outcomes, outside, entry_failure)


def runs_as_before(
    project: Project, path: str, added: list[ImportEdge], removed: list[ImportEdge],
    earlier: dict[ImportEdge, tuple[ImportEdge, ...]], edited: frozenset[str] = frozenset(),
) -> bool:
    """Does the simulation run exactly as it did before an edit added and removed these imports
    (ones that run at import time) of the module at ``path``? ``project`` holds the file as it is
    now; ``earlier`` gives, for each, the imports the edit left alone that come before it in its
    own version of the file. Yes when the module runs the same modules as before (its import
    successors stay the same: no reachability, cycle or "maybe started" walk changes), or the
    ones only one version runs run apart from everything else (``_runs_apart``), and either
    the simulation never executes the file statement by statement (it is dynamic, or no cycle is
    reachable from it and it is no package: it is always run whole, in one step), or each of
    these statements does nothing there (``_no_op``). The names the imports bind are the
    caller's to check (``facts.interface``): no step of the simulation may read them.
    ``edited``: the other files whose imports that run at import time the same edit changed."""
    model = _Model(project, build=False)
    facts = model.facts.get(path)
    if facts is None or facts.syntax_error is not None:
        return False
    new = list(added)  # equal, not identical: the caller may hold another copy of the facts
    kept: set[str] = set()
    for edge in facts.imports:
        if edge in new:
            new.remove(edge)
        elif edge.guard.at_import:
            step = model._step(path, facts, edge)
            if step is not None:
                kept.update(model.may_run(path, step))
    if new:
        return False  # an added import the file does not have
    added_steps = [model._step(path, facts, edge) for edge in added]
    removed_steps = [model._step(path, facts, edge) for edge in removed]
    steps = added_steps + removed_steps
    if any(step is None for step in steps):
        return False
    started = set(_Simulation(model).with_ancestors(path))  # running or done whenever the file runs
    ran_after = kept.union(*(model.may_run(path, step) for step in added_steps))
    apart = (ran_after ^ kept.union(*(model.may_run(path, step) for step in removed_steps))) - started
    if not all(_runs_apart(model, edited | {path}, module) for module in apart):
        return False
    if facts.dynamic:
        return True  # its statements are never followed: all it may run is "maybe started"
    if not facts.is_package and model.reaches_no_cycle(path):
        return True
    alone = [step for step in steps if step not in _rewritten(model, path, added_steps, removed_steps)]
    return all(_no_op(model, path, step, earlier.get(step.edge, ()), started | apart) for step in alone)


def runs_whole(project: Project, paths: Iterable[str]) -> bool:
    """Does no import cycle reach the modules at ``paths`` (so none goes through them)? Then the
    simulation runs each in one step whenever it runs, and nothing reads it half-built: where
    its statements bind names cannot matter."""
    model = _Model(project, build=False)
    return all(path in model.facts and model.reaches_no_cycle(path) for path in paths)


def _runs_apart(model: _Model, edited: frozenset[str], module: str) -> bool:
    """Is a module that only one version of the file runs one whose run the rest of the
    simulation cannot tell from another time? So when nothing it runs reaches an import cycle
    or an edited file (what it runs is then the same before the edit and after), and no code
    puts one of them in sys.modules itself: then, wherever it runs, it runs to the end and
    touches no half-built module, an import that surely runs finds it done or runs it
    (``_Simulation._settles``), and a name missing from it fails alike at any time
    (``_Model.fails_otherwise``). Only when it finishes changes, and no step can tell."""
    return model.reaches_no_cycle(module) and not model.closure(module) & (edited | model.registered_paths)


def _rewritten(model: _Model, path: str, added: list[_Import], removed: list[_Import]) -> list[_Import]:
    """The added and removed imports that are one statement rewritten in place (``from x import
    a`` grown to ``from x import a, b``): on the same line, of the same module, under the same
    guard, importing the same submodules in the same order, so the statement runs the same
    modules as before. Neither version may fail for another reason than a cycle, and a name
    that only one of them reads from a module that may be half-built must be a submodule."""
    out: list[_Import] = []
    for new in added:
        for old in removed:
            if old in out or not _same_statement(new, old):
                continue
            if _fails_for_another_reason(model, path, new) or _fails_for_another_reason(model, path, old):
                continue
            names = {(n.name, sub) for n, sub in new.subs} ^ {(n.name, sub) for n, sub in old.subs}
            if new.from_base is not None and any(sub is None for _, sub in names) and model.reaches(new.from_base, path):
                continue
            out += [new, old]
            break
    return out


def _same_statement(new: _Import, old: _Import) -> bool:
    a, b = new.edge, old.edge
    return (new.line == old.line and new.runs == old.runs and new.from_base == old.from_base
            and [sub for _, sub in new.subs if sub] == [sub for _, sub in old.subs if sub]
            and (a.level, a.module_text, a.is_from, a.guard, a.block, a.skippable, a.shielded)
            == (b.level, b.module_text, b.is_from, b.guard, b.block, b.skippable, b.shielded))


def _fails_for_another_reason(model: _Model, path: str, step: _Import) -> bool:
    """Could ``_Model.fails_otherwise`` say yes for this import, in some state?"""
    model.fails_otherwise(path, step, {})
    return step.otherwise is not _NEVER_FAILS


def _no_op(model: _Model, path: str, step: _Import, earlier: tuple[ImportEdge, ...], started: set[str]) -> bool:
    """Does this import statement change nothing, whenever the simulation runs it? A plain
    ``import`` of the file's own package or one above it finds them started (running or done).
    Any other: every module it may run is started (``started``: the file's packages, and the
    modules that run apart, see ``_runs_apart``) or an earlier import that surely runs has run
    it (or marked it "maybe started", which clouded the rest already); it cannot fail for
    another reason (a missing module or name); and a name it reads from a module that may be
    half-built (one that reaches the file: it may be running below it) is a submodule it
    imports."""
    if not step.edge.is_from and set(step.runs) <= started:
        return True
    facts = model.facts[path]
    ran: set[str] = set(started)
    for edge in earlier:
        if edge.guard.at_import and not edge.guard & ~Guard.TRY_MODULE:
            before = model._step(path, facts, edge)
            if before is not None:
                ran.update(before.runs)
    if not _named(step) <= ran or _fails_for_another_reason(model, path, step):
        return False
    return not (model.reads_names(step) and model.reaches(step.from_base, path))


def _named(step: _Import) -> set[str]:
    """The modules an import statement may run: the module and its packages, and submodules."""
    return {*step.runs, *(sub for _, sub in step.subs if sub is not None)}


# below this many simulations a process pool costs more than it saves (measured on Django's 189
# and SQLAlchemy's 172 modules on cycles: 0.044 s and 0.028 s serial, 0.070 s and 0.064 s forked)
_PARALLEL_MIN_STARTS = 300
_PARALLEL_MIN_OUTSIDE = 200  # modules off the cycles that reach a failing one: each runs much more
_FORKED_MODEL: "_Model | None" = None  # what forked workers simulate on (inherited, never pickled)
# what an import made by a module on no cycle ran is remembered when it ran this many modules
_WORTH_REMEMBERING = 16


def _import_each_first(model: "_Model", paths: list[str], jobs: int, least: int = 0) -> dict[str, "_Failure | None"]:
    """Each module imported first in its own fresh interpreter: independent simulations, so a
    big code base spreads them over forked workers that inherit the model. Neighbouring paths
    share their packages' simulations, so each worker takes a contiguous run of them."""
    least = least or _PARALLEL_MIN_STARTS
    workers = min(jobs, len(paths) // (least // 2))
    if workers > 1:
        import multiprocessing

        if "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            global _FORKED_MODEL
            size = -(-len(paths) // (workers * 2))
            chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
            _FORKED_MODEL = model
            try:
                with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                    out: dict[str, _Failure | None] = {}
                    for part, learned in pool.map(_simulate_chunk, chunks):
                        out.update(part)
                        model.project.absorb(learned)  # what the worker read counts as read here
                    return out
            except (OSError, RuntimeError, AssertionError):  # a daemonic process may have no children
                pass  # no processes allowed here: simulate in this one
            finally:
                _FORKED_MODEL = None
    return _simulate(model, paths)


def _simulate_chunk(paths: list[str]) -> tuple[dict[str, "_Failure | None"], Learned]:
    assert _FORKED_MODEL is not None
    project = _FORKED_MODEL.project
    project.enter_forked_child()
    checkpoint = project.checkpoint()
    return _simulate(_FORKED_MODEL, paths), project.learned_since(checkpoint)


def _simulate(model: "_Model", paths: list[str]) -> dict[str, "_Failure | None"]:
    prefixes: dict[tuple[str, ...], tuple[dict, _Failure | None, bool]] = {}
    runs: dict[tuple, tuple[dict, bool, _Failure | None]] = {}
    return {path: _import_first(model, path, prefixes, runs) for path in paths}


def _import_first(model: "_Model", path: str, prefixes: dict, runs: dict) -> "_Failure | None":
    """``python -c "import <path>"``: runs its ancestor packages first, so every module
    under one package shares the simulation of that package's import (memoised by prefix),
    and modules on no cycle share what their imports run (see run_alone)."""
    chain = _Simulation(model).with_ancestors(path)
    state: dict = {}
    failure = None
    clouded = False
    for i in range(len(chain)):
        prefix = tuple(chain[: i + 1])
        if prefix not in prefixes:
            simulation = _Simulation(model, state=dict(state), clouded=clouded)
            if model.on_cycle(chain[i]):
                failure = simulation.run_first([chain[i]])
            else:
                failure = simulation.run_alone(chain[i], runs)
            prefixes[prefix] = (simulation.state, failure, simulation.clouded)
        state, failure, clouded = prefixes[prefix]
        if failure is not None or state.get(path) is _State.DONE:
            break
    if failure is None or failure is _ELSEWHERE:
        return None
    return replace(failure, starts=(path,))


# -- facts the simulation reads -----------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Import:
    """One import statement as it runs."""

    line: int
    edge: ImportEdge
    definite: bool  # surely runs, and a failure inside is not caught
    runs: tuple[str, ...]  # first-party module paths it imports, in order (ancestors first)
    base: str | None  # the module `from base import ...` reads names from (its path)
    subs: tuple[tuple[ImportedName, str | None], ...]  # from-imported names; the submodule path if one
    # (module certainly missing, what it resolves to, names certainly missing from it); computed once
    otherwise: tuple | None = None
    from_base: str | None = None  # base, for a `from` import: its names are read


_NEVER_FAILS = (False, None, ())  # an import that cannot fail but for a cycle (identity matters)


@dataclass(slots=True, unsafe_hash=True)
class _Load:
    """A name read while the module runs: an attribute of an imported module, or a bare name
    a star import should have bound."""

    line: int
    dotted: str
    undefined: bool = False  # the name is surely unbound there: NameError, whatever the cycles do


class _Model:
    """Per project: each module's import steps and reads, in execution order."""

    def __init__(self, project: Project, build: bool = True) -> None:
        """``build=False`` reads each module's imports only when asked (``successors_of``)."""
        self.project = project
        self.facts: dict[str, ModuleFacts] = {}
        self.name: dict[str, str] = {}
        self._paths: dict[tuple[str, str | None], str | None] = {}
        for path, facts in project.facts.items():
            if facts.is_stub:
                continue
            self.facts[path] = facts
            self.name[path] = facts.name
        self.injected: set[tuple[str, str]] = set()
        self.registered: set[str] = set()  # module names code puts in sys.modules itself
        for facts in self.facts.values():
            for text, attr in facts.injects:
                target = absolute_name(text, facts.name, facts.is_package)
                if target:
                    self.injected.add((target, attr))
            self.registered.update(facts.registers_modules)
            self.registered.update(key for key, _ in facts.registered_aliases)
        self.registered_paths = {path for path, name in self.name.items() if name in self.registered}
        self.events: dict[str, list[_Import | _Load]] = {}
        self.successors: dict[str, set[str]] = {}
        self._bound: dict[tuple[str, str], tuple[str, int] | None] = {}
        self._closures: dict[str, frozenset[str]] = {}
        self._reads: dict[str, frozenset[str]] = {}
        self._looks: dict[str, frozenset[str]] = {}  # per module: what it reads beyond what it runs
        self._acyclic: dict[str, bool] = {}
        self._cyclic: set[str] | None = None
        if build:
            for path in self.facts:
                self._build(path)

    def path_of(self, dotted: str, importer: str | None) -> str | None:
        """The first-party source file that runs when ``dotted`` is imported, if any."""
        if dotted not in self.project.layout.modules:
            return None  # not a first-party name: nothing of ours runs
        key = (dotted, importer)
        if key not in self._paths:
            found = self.project.resolver.resolve(dotted, importer).found
            path = None
            if found is not None and found.first_party and found.path in self.facts:
                path = found.path
            self._paths[key] = path
        return self._paths[key]

    def _build(self, path: str) -> None:
        facts = self.facts[path]
        steps: list[tuple[int, int, int, _Import | _Load]] = []
        successors: set[str] = set()
        if facts.syntax_error is None:
            for index, edge in enumerate(facts.imports):
                if not edge.guard.at_import:
                    continue
                step = self._step(path, facts, edge)
                if step is None:
                    continue
                steps.append((step.line, 0, index, step))
                successors.update(self.may_run(path, step))
        steps.sort(key=lambda item: item[:3])
        self.events[path] = [item[3] for item in steps]
        self.successors[path] = successors
        # reads that can matter: attributes of a module bound by an import, and bare names
        # (a star import of a half-built module may have left them out)
        stars = any(isinstance(e, _Import) and e.edge.is_star for e in self.events[path])
        star_lines = [e.location.line for e in facts.imports if e.is_star]
        loads = []
        for index, (dotted, line) in enumerate(facts.runtime_loads if facts.syntax_error is None else ()):
            head, _, rest = dotted.partition(".")
            if self._undefined(facts, head, line, star_lines):
                loads.append((line, 1, index, _Load(line, dotted, undefined=True)))
                continue
            if rest:
                bound = self.module_bound(path, head)
                if bound is None or bound[1] >= line:
                    continue
            elif not stars:
                continue
            loads.append((line, 1, index, _Load(line, dotted)))
        if loads:
            merged = sorted(steps + loads, key=lambda item: item[:3])
            self.events[path] = [item[3] for item in merged]

    def _undefined(self, facts: ModuleFacts, name: str, line: int, star_lines: list[int]) -> bool:
        """Is ``name`` surely unbound in this module at ``line`` (so reading it raises NameError)?"""
        if name in _BUILTINS or facts.dynamic or name in facts.deleted:
            return False
        bound = facts.defined.get(name)
        if bound is not None and bound <= line:
            return False
        if any(star < line for star in star_lines) or (facts.name, name) in self.injected:
            return False  # a star import or another module may bind it
        if facts.is_package and f"{facts.name}.{name}" in self.project.layout.modules:
            return False  # importing the submodule sets it in the package's namespace
        return True

    def _step(self, path: str, facts: ModuleFacts, edge: ImportEdge) -> _Import | None:
        base = absolute_target(edge, facts.name, facts.is_package)
        if base is None:
            return None
        parts = base.split(".")
        runs: list[str] = []
        for i in range(1, len(parts) + 1):
            target = self.path_of(".".join(parts[:i]), path)
            if target is not None and target not in runs:
                runs.append(target)
        base_path = self.path_of(base, path)
        subs: list[tuple[ImportedName, str | None]] = []
        if edge.is_from and not edge.is_star:
            for imported in edge.names:
                subs.append((imported, self.path_of(f"{base}.{imported.name}", path) if base_path else None))
        definite = not (edge.guard & ~Guard.TRY_MODULE)
        return _Import(edge.location.line, edge, definite, tuple(runs), base_path, tuple(subs), from_base=base_path if edge.is_from else None)

    def may_run(self, path: str, step: _Import) -> set[str]:
        """The modules this import statement of ``path`` may run (its edges in the import graph).
        Not the file's own packages when the statement reads nothing from them: importing the
        file ran them first, so they are running or done whenever the statement runs. That holds
        for a plain ``import pkg`` (or ``import pkg.sub``) whose name nothing at module level
        reads, and for a ``from`` import of another module (``from pkg.other import x``) or of
        submodules only (``from pkg import sub``). An edge there would put the file on a cycle
        that no import order can make fail, and make an edit adding such a line look like a
        change of the graph."""
        named = _named(step)
        own = self._own_packages(path, step)
        if not own:
            return named
        edge = step.edge
        if edge.is_from:
            if step.from_base in own and self.reads_names(step):
                return named  # it reads names from a package that may be half-built
        elif not self._unread(path, step):
            return named
        return named - own

    def _own_packages(self, path: str, step: _Import) -> set[str]:
        name = self.name[path]
        return {run for run in step.runs if name.startswith(self.name[run] + ".")}

    def _unread(self, path: str, step: _Import) -> bool:
        """Does nothing at module level read through the name a plain import binds?"""
        edge = step.edge
        local = edge.asname or edge.module_text.split(".")[0]
        facts = self.facts[path]
        return not any(dotted.partition(".")[0] == local for dotted, _ in facts.runtime_loads)

    def is_submodule(self, base: str, name: str) -> bool:
        """Is ``base.name`` a module (first-party or not) that ``from base import name`` imports
        when the package lacks the name? Then no half-built package can make it fail."""
        facts = self.facts[base]
        if not facts.is_package:
            return False
        if facts.dynamic_path:
            return True
        resolution = self.project.resolver.resolve(f"{facts.name}.{name}", base)
        return resolution.found is not None or resolution.unknown is not None

    def reads_names(self, step: _Import) -> bool:
        """Does a ``from`` import read from its module something that may not be bound while
        the module is half-built (not a submodule)?"""
        if step.from_base is None:
            return False
        if step.edge.is_star:
            return True
        return any(sub is None and not self.is_submodule(step.from_base, imported.name) for imported, sub in step.subs)

    def successors_of(self, path: str) -> set[str]:
        if path not in self.successors:
            self._build(path)
        return self.successors[path]

    def reaches(self, start: str, goal: str) -> bool:
        """May importing ``start`` run ``goal``?"""
        return goal in self.closure(start)

    def reaches_no_cycle(self, path: str) -> bool:
        """``acyclic_closure``, found from the modules ``path`` reaches alone (a depth-first
        walk that stops at the first way back): a cycle reachable from ``path`` lies among them."""
        done: set[str] = set()
        walking = {path}
        stack = [(path, iter(sorted(self.successors_of(path))))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child in walking:
                    return False
                if child not in done:
                    walking.add(child)
                    stack.append((child, iter(sorted(self.successors_of(child)))))
                    break
            else:
                stack.pop()
                walking.discard(node)
                done.add(node)
        return True

    def cyclic_modules(self) -> set[str]:
        """Modules on an import cycle (Tarjan's SCCs of the module-level import graph,
        self-imports included); only they can fail by being imported first."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        out: set[str] = set()
        counter = 0
        for root in self.facts:
            if root in index:
                continue
            work = [(root, iter(sorted(self.successors[root])))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(sorted(self.successors.get(child, ())))))
                        advanced = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len(members) > 1 or node in self.successors.get(node, ()):
                        out.update(members)
        self._cyclic = out
        return out

    def on_cycle(self, path: str) -> bool:
        cyclic = self._cyclic if self._cyclic is not None else self.cyclic_modules()
        return path in cyclic

    def acyclic(self, path: str) -> bool:
        """``acyclic_closure``, from the modules ``path`` reaches alone while the graph is not
        built whole (``build=False``)."""
        return self.acyclic_closure(path) if self._cyclic is not None or len(self.successors) == len(self.facts) else self.reaches_no_cycle(path)

    def acyclic_closure(self, path: str) -> bool:
        """True when nothing ``path`` runs at import time can reach an import cycle:
        running it cannot touch a half-built module, so it can be run in one step."""
        cache = self._acyclic
        if path in cache:
            return cache[path]
        cyclic = self._cyclic if self._cyclic is not None else self.cyclic_modules()
        # iterative post-order over a DAG (cyclic nodes are answered False directly)
        stack = [path]
        while stack:
            node = stack[-1]
            if node in cache:
                stack.pop()
                continue
            if node in cyclic:
                cache[node] = False
                stack.pop()
                continue
            pending = [s for s in self.successors.get(node, ()) if s not in cache]
            if pending:
                stack.extend(pending)
                continue
            cache[node] = all(cache[s] for s in self.successors.get(node, ()))
            stack.pop()
        return cache[path]

    def fails_otherwise(self, path: str, step: _Import, state: dict[str, "_State"]) -> bool:
        """Does this import surely raise for a reason other than a cycle: a module that
        is certainly missing, or a name certainly missing from a finished module?"""
        if step.otherwise is None:
            edge = step.edge
            resolver = self.project.resolver
            base = absolute_target(edge, self.name[path], self.facts[path].is_package)
            missing_names = []
            if base is None:
                step.otherwise = _NEVER_FAILS
                return False
            resolution = resolver.resolve(base, path)
            if resolution.found is not None and edge.is_from and not edge.is_star:
                for imported, sub in step.subs:
                    if sub is None and resolver.provides(resolution.found, imported.name).verdict is Verdict.NO:
                        missing_names.append(imported.name)
            step.otherwise = (resolution.certain_missing and edge.guard == Guard.NONE, resolution.found, tuple(missing_names))
            if not step.otherwise[0] and not missing_names:
                step.otherwise = _NEVER_FAILS
        if step.otherwise is _NEVER_FAILS:
            return False
        missing_module, found, missing_names = step.otherwise
        if missing_module:
            return True
        if missing_names and found is not None:
            # a first-party module must have finished, or the names may just be late; one that
            # reaches no cycle finishes before they are read (it cannot be running: this module
            # would be on a cycle with it)
            return found.path not in self.facts or state.get(found.path) is _State.DONE or self.acyclic(found.path)
        return False

    def reads(self, path: str) -> frozenset[str]:
        """Every module whose state running ``path`` may read: those it may run, their packages
        (``from pkg import sub`` imports the submodule only while the package lacks the name,
        and an edge to one's own package is left out of the graph: see ``may_run``), and the
        submodules that their module-level attribute reads (``a.b.c``) may look at."""
        cache = self._reads
        if path not in cache:
            out = set(self.closure(path))
            looks = self._looks
            for module in self.closure(path):
                if module not in looks:
                    looks[module] = frozenset(self._attribute_modules(module).union(self.ancestors(module)))
                out.update(looks[module])
            cache[path] = frozenset(out)
        return cache[path]

    def ancestors(self, path: str) -> list[str]:
        """The packages that run before ``path``, outermost first."""
        parts = self.name[path].split(".")
        out = []
        for i in range(1, len(parts)):
            ancestor = self.path_of(".".join(parts[:i]), None)
            if ancestor is not None:
                out.append(ancestor)
        return out

    def _attribute_modules(self, path: str) -> set[str]:
        out: set[str] = set()
        for event in self.events[path]:
            if not isinstance(event, _Load):
                continue
            head, _, rest = event.dotted.partition(".")
            bound = self.module_bound(path, head) if rest else None
            if bound is None:
                continue
            current = bound[0]
            for attr in rest.split("."):
                current = self.path_of(f"{self.name[current]}.{attr}", current)
                if current is None:
                    break
                out.add(current)
        return out

    def closure(self, path: str) -> frozenset[str]:
        """Every module that importing ``path`` may run (itself included)."""
        cache = self._closures
        if path not in cache:
            seen = {path}
            todo = [path]
            while todo:
                for nxt in self.successors_of(todo.pop()):
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
            cache[path] = frozenset(seen)
        return cache[path]

    def reaching(self, targets: set[str]) -> set[str]:
        """Every module whose import may run one of ``targets`` (themselves included)."""
        importers: dict[str, list[str]] = {}
        for path, successors in self.successors.items():
            for nxt in successors:
                importers.setdefault(nxt, []).append(path)
        seen = set(targets)
        todo = list(targets)
        while todo:
            for previous in importers.get(todo.pop(), ()):
                if previous not in seen:
                    seen.add(previous)
                    todo.append(previous)
        return seen

    def module_bound(self, path: str, local: str) -> tuple[str, int] | None:
        """(module path, line) when the local name surely refers to one first-party module
        from that line on: every binding of it is an import of that module (no assignment,
        def, del or namespace trick), and that line's import surely runs."""
        cache = self._bound
        key = (path, local)
        if key not in cache:
            cache[key] = self._module_bound(path, local)
        return cache[key]

    def _module_bound(self, path: str, local: str) -> tuple[str, int] | None:
        facts = self.facts[path]
        if local in facts.own_definitions or local in facts.deleted or facts.dynamic:
            return None
        module = None
        first = None
        for event in self.events[path]:
            if not isinstance(event, _Import):
                continue
            bound = self._binds(event, local)
            if bound is False:
                continue
            if bound is None or (module is not None and bound != module):
                return None
            module = bound
            if event.definite and first is None:
                first = event.line
        if module is None or first is None:
            return None
        return module, first

    def _binds(self, step: _Import, local: str):
        """False: the statement does not bind ``local``; a path: it binds that first-party
        module; None: it binds something else, or may."""
        edge = step.edge
        if not edge.is_from:
            if edge.asname is not None:
                if edge.asname != local:
                    return False
                if step.runs and self.name[step.runs[-1]] == edge.module_text:
                    return step.runs[-1]
                return None
            top = edge.module_text.split(".")[0]
            if top != local:
                return False
            if step.runs and self.name[step.runs[0]] == top:
                return step.runs[0]
            return None
        if edge.is_star:
            if step.base is None:
                return None
            return None if local in self.facts[step.base].defined else False
        for imported, sub in step.subs:
            if (imported.asname or imported.name) != local:
                continue
            if sub is None or step.base is None or imported.name in self.facts[step.base].defined:
                return None  # a name, not (surely) the submodule
            return sub
        return False


# -- the simulation -----------------------------------------------------------------------


class _State(enum.Enum):
    RUNNING = "running"
    DONE = "done"
    MAYBE = "maybe"  # may have run (or be running): an import that might run could reach it


@dataclass(slots=True, unsafe_hash=True)
class _Failure:
    """The first import-time failure the simulation met, with the import chain that led to it."""

    kind: str  # "name" | "star" | "attribute" | "global"
    starts: tuple[str, ...]  # the modules imported first (paths), in order
    frames: tuple[tuple[str, int], ...]  # (path, line) of every running module, outermost first
    partial: str  # path of the half-built module
    name: str
    location: Location
    binds_at: int | None  # where the half-built module binds the name (too late), if it does
    via: str | None = None  # the line of the star import that should have brought the name ("global")
    owner: str | None = None  # "attribute": the module read (the package, when a submodule is half-built)
    expr: str | None = None  # "attribute": the dotted expression read (`models.User`)


# the import fails before any cycle matters (a missing module or name): nothing to claim
_ELSEWHERE = _Failure("elsewhere", (), (), "", "", Location(""), None)


@dataclass
class _Simulation:
    """The state of one simulated start-up: which modules have run, how far."""

    model: _Model
    state: dict[str, _State] = field(default_factory=dict)
    line: dict[str, int] = field(default_factory=dict)  # running module -> line being executed
    current: dict[str, "_Import | _Load"] = field(default_factory=dict)  # running module -> its statement
    frames: list[str] = field(default_factory=list)
    stars: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)  # path -> (partial, its line, star line)
    failure: _Failure | None = None
    starts: tuple[str, ...] = ()
    # an import that surely runs went into a module that may have run already (or may be
    # running): it may raise, so a failure found after it may never be reached
    clouded: bool = False

    def import_first(self, paths: list[str]) -> _Failure | None:
        """Import these modules one after the other in a fresh interpreter; the first
        certain circular-import failure, or None."""
        failure = self.run_first(paths)
        return None if failure is _ELSEWHERE else failure

    def run_first(self, paths: list[str]) -> _Failure | None:
        self.starts = tuple(paths)
        for path in paths:
            for target in self.with_ancestors(path):
                if self.failure is None and target not in self.state:
                    self._run(target)
        return self.failure

    def with_ancestors(self, path: str) -> list[str]:
        return self.model.ancestors(path) + [path]

    def run_alone(self, path: str, runs: dict) -> _Failure | None:
        """``run_first([path])`` for a module on no import cycle. Nothing it imports can come
        back to it, so what one of its imports runs depends only on the state of the modules that
        import can run or read, on whether an earlier import may have raised (``clouded``) and on
        the try or with around the import: many modules begin by importing into the same big
        cycle from the same state, and that cycle is simulated once, not once per module
        (``runs`` remembers). Exact: a remembered run is reused only when all of that is equal."""
        self.starts = (path,)
        if path in self.state:
            return self.failure
        model = self.model
        bottom = self._execute(path)
        while self.failure is None:
            try:
                child = next(bottom)
            except StopIteration:
                break
            if model.acyclic_closure(child):
                for done in model.closure(child):
                    self.state[done] = _State.DONE
                continue
            reads = model.reads(child)
            if path in reads:  # it may read this module's half-built namespace: nothing to share
                self._run(child)
                continue
            step = self.current[path]
            state = self.state
            seen = {p: state[p] for p in reads if p in state} if len(reads) < len(state) else {p: v for p, v in state.items() if p in reads}
            key = (child, self.clouded, bool(step.edge.block), step.edge.skippable, step.edge.shielded, frozenset(seen.items()))
            known = runs.get(key)
            if known is not None:
                writes, self.clouded, failure = known
                state.update(writes)
                if failure is not None and failure is not _ELSEWHERE:  # this module is the outermost frame
                    failure = replace(failure, frames=((path, self.line[path]),) + failure.frames[1:])
                self.failure = failure
                continue
            self._run(child)
            # what the run changed (it may also turn a module that may have run into a finished one)
            writes = {p: state[p] for p in model.closure(child) if p in state and seen.get(p) is not state[p]}
            if len(writes) >= _WORTH_REMEMBERING:
                runs[key] = (writes, self.clouded, self.failure)
        return self.failure

    def _run(self, path: str) -> None:
        """Run ``path`` to completion (or to the first certain failure), depth first,
        with an explicit stack of generators so that deep import chains do not recurse."""
        stack = [self._execute(path)]
        while stack and self.failure is None:
            try:
                child = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            if self.model.acyclic_closure(child):
                # it cannot reach a half-built module: run it (and all it runs) in one step
                for done in self.model.closure(child):
                    self.state[done] = _State.DONE
                continue
            stack.append(self._execute(child))

    def _settles(self, path: str) -> bool:
        """An import that surely runs went into a module that may have run: when nothing it runs
        can reach a cycle, it has finished or it runs to the end now, without touching a
        half-built module (it cannot be running: it would be on a cycle with this one). So it is
        done, as a module imported for the first time would be, and nothing is clouded."""
        model = self.model
        if path in model.registered_paths or not model.acyclic_closure(path):
            return False
        for done in model.closure(path):
            self.state[done] = _State.DONE
        return True

    def _maybe(self, path: str) -> None:
        """An import that may run: whatever it could start is no longer certain. (Modules
        already started or marked stop the walk: what they reach is accounted for.)"""
        if path in self.state:
            return
        state = self.state
        successors = self.model.successors
        state[path] = _State.MAYBE
        todo = [path]
        while todo:
            for nxt in successors.get(todo.pop(), ()):
                if nxt not in state:
                    state[nxt] = _State.MAYBE
                    todo.append(nxt)

    def _execute(self, path: str):
        model = self.model
        state, line, current = self.state, self.line, self.current  # hot loop: names, not attributes
        state[path] = _State.RUNNING
        self.frames.append(path)
        facts = model.facts[path]
        if facts.syntax_error is not None or facts.dynamic:
            for target in model.successors[path]:
                self._maybe(target)
        else:
            for event in model.events[path]:
                line[path] = event.line
                current[path] = event
                if event.__class__ is _Load:
                    self._load(path, event)
                elif not event.definite:
                    for target in event.runs:
                        self._maybe(target)
                    for _, sub in event.subs:
                        if sub is not None:
                            self._maybe(sub)
                elif event.otherwise is not _NEVER_FAILS and model.fails_otherwise(path, event, state):
                    self.failure = _ELSEWHERE  # it raises before any cycle matters
                    return
                else:
                    # IMPORT_NAME: the module and its ancestors, then the submodules that
                    # `from package import sub` needs (only those the package lacks)
                    unsure = False  # once one step is uncertain, so is everything after it
                    for target in event.runs:
                        was = state.get(target)
                        if was is None and not unsure and target not in model.registered_paths:
                            yield target
                        elif was is _State.MAYBE and not unsure and self._settles(target):
                            continue
                        elif was is None or was is _State.MAYBE:
                            unsure = True
                            self._maybe(target)
                            self.clouded = True
                        if self.failure is not None:
                            return
                    for imported, sub in event.subs:
                        if sub is None:
                            continue
                        was = state.get(sub)
                        if was is None and not unsure and self._imports_submodule(event.base, imported.name):
                            yield sub
                        elif was is _State.MAYBE and not unsure and self._imports_submodule(event.base, imported.name) and self._settles(sub):
                            continue
                        elif was is None or was is _State.MAYBE:
                            unsure = True
                            self._maybe(sub)
                            self.clouded = True
                        if self.failure is not None:
                            return
                    # IMPORT_FROM: each name read from the module, if it is running
                    base = event.from_base
                    if base is not None and state.get(base) is _State.RUNNING:
                        self._from(path, event)
                if self.failure is not None:
                    return
        self.frames.pop()
        line.pop(path, None)
        current.pop(path, None)
        self.stars.pop(path, None)
        state[path] = _State.DONE

    # -- the checks ------------------------------------------------------------------------

    def _from(self, path: str, step: _Import) -> None:
        """``from X import ...`` where X is running: each name must be bound already."""
        edge = step.edge
        if step.base is None or not edge.is_from:
            return
        base = step.base
        if self.state.get(base) is not _State.RUNNING:
            return
        at = self.line[base]
        if edge.is_star:
            self._star(path, step, base, at)
            return
        for imported, sub in step.subs:
            if sub is not None or self._is_submodule(base, imported.name):
                continue  # imported (or found in sys.modules) as a submodule
            unbound = self._unbound(base, imported.name, at)
            if unbound == 0:  # never bound: it raises, but that is missing-name's finding
                self.failure = _ELSEWHERE
                return
            if unbound:
                self._fail("name", path, base, imported.name, imported.location, unbound)
                return

    def _star(self, path: str, step: _Import, base: str, at: int) -> None:
        facts = self.model.facts[base]
        self.stars.setdefault(path, []).append((base, at, step.line))
        loc = facts.all_location
        if facts.all_entries is None or facts.all_dynamic or facts.all_sources or loc is None:
            return
        if loc.column != 1 or loc.end_line >= at or facts.defined.get("__all__") != loc.line:
            return  # __all__ is not surely bound (top level, unconditionally) before the cycle
        for entry in facts.all_entries:
            if not loc.line <= entry.location.line <= loc.end_line:
                continue  # added later, maybe conditionally
            if self._is_submodule(base, entry.name):
                continue
            unbound = self._unbound(base, entry.name, at)
            if unbound == 0:  # never bound: it raises, but that is undefined-export's finding
                self.failure = _ELSEWHERE
                return
            if unbound:
                self._fail("star", path, base, entry.name, step.edge.location, unbound)
                return

    def _load(self, path: str, load: _Load) -> None:
        if load.undefined:
            self.failure = _ELSEWHERE  # NameError: not a cycle's doing
            return
        head, _, rest = load.dotted.partition(".")
        bound = self.model.module_bound(path, head)
        if bound is not None:
            module, line = bound
            if rest and line < load.line:
                self._attributes(path, module, rest.split("."), load)
            return
        if not rest and self.stars.get(path):
            self._global(path, self.model.facts[path], head, load)

    def _attributes(self, path: str, module: str, attrs: list[str], load: _Load) -> None:
        """``X.n`` read at import time: a half-built X may not have bound n yet, and a
        submodule becomes an attribute of its package only once it has finished."""
        current = module
        for attr in attrs:
            state = self.state.get(current)
            if state not in (_State.RUNNING, _State.DONE):
                return
            facts = self.model.facts[current]
            at = self.line[current] if state is _State.RUNNING else 1 << 30
            sub = self.model.path_of(f"{self.model.name[current]}.{attr}", current)
            if sub is None:
                if state is _State.DONE or self._is_submodule(current, attr):
                    return  # a finished module's missing attribute is not a cycle's doing
                binds = self._unbound(current, attr, at)
                if binds == 0:  # never bound: it raises, but not because of the cycle
                    self.failure = _ELSEWHERE
                if not binds:
                    return
                partial = current
            else:
                sub_state = self.state.get(sub)
                if not self._unbound_plain(current, facts, attr, at) or f"{facts.name}.{attr}" in self.model.registered:
                    return  # the package binds that name itself: some other object
                if sub_state is _State.DONE:
                    current = sub
                    continue
                if sub_state is not _State.RUNNING:
                    return
                binds, partial = None, sub
            location = Location(self.model.facts[path].path, load.line)
            self._fail("attribute", path, partial, attr, location, binds, expr=load.dotted, owner=current)
            return

    def _global(self, path: str, facts: ModuleFacts, name: str, load: _Load) -> None:
        """A name read at module level that only ``from X import *`` (X half-built) could bind."""
        if name in _BUILTINS or name.startswith("_") or facts.dynamic or facts.getattr is not None:
            return
        bound = facts.defined.get(name)
        if bound is not None and bound <= load.line or name in facts.deleted:
            return
        partial = [(base, at, line) for base, at, line in self.stars[path] if line < load.line]
        if not partial:
            return
        bases = {base for base, _, _ in partial}
        # every other star import that ran before must surely leave the name out
        for edge in facts.imports:
            if not edge.is_star or not edge.guard.at_import or edge.location.line >= load.line:
                continue
            target = absolute_target(edge, facts.name, facts.is_package)
            if target is None:
                return
            if self.model.path_of(target, path) in bases:
                continue
            found = self.model.project.resolver.resolve(target, path).found
            exported = self.model.project.resolver.exports(found) if found is not None else None
            if exported is None or name in exported:
                return
        for base, at, _ in partial:
            if self._unbound(base, name, at) is None:
                return  # the star import may have brought it
        for base, at, _ in partial:
            base_facts = self.model.facts[base]
            all_line = base_facts.defined.get("__all__")
            if base_facts.defined.get(name) is None or (all_line is not None and all_line < at):
                self.failure = _ELSEWHERE  # an undefined name (NameError), not the cycle's doing
                return
        base, at, line = partial[0]
        self._fail("global", path, base, name, Location(facts.path, load.line), self.model.facts[base].defined.get(name), star_line=line)

    # -- what is bound in a half-built module ------------------------------------------------
    # A cached run answers an edit that moves where a module binds names from the last report
    # when ``facts.interface.binding_order`` stays the same: it assumes every comparison of a
    # binding line (``defined``, ``class_ends``) made here is with a line where the module
    # pauses at an import, a read of that name (``f``, ``m.f``) or the ``__all__`` statement.
    # A comparison of another kind must be added there too (tests/cycles/test_binding_order.py).

    def _is_submodule(self, base: str, name: str) -> bool:
        return self.model.is_submodule(base, name)

    def _unbound_plain(self, base: str, facts: ModuleFacts, name: str, at: int) -> bool:
        """The module itself surely has not bound ``name`` by line ``at`` (submodules aside)."""
        if facts.dynamic or facts.syntax_error is not None or facts.lazy_attach is not None:
            return False
        if facts.getattr is not None and facts.getattr.location.line < at:
            return False
        if name in facts.deleted or (facts.name, name) in self.model.injected:
            return False
        line = facts.defined.get(name)
        if line is not None and line <= at and not (line < at and self._inside_class(facts, name, at)):
            if line < at or not self._bound_by_running_import(base, name, at):
                return False
        for edge in facts.imports:
            if edge.is_star and not edge.guard & Guard.TYPE_CHECKING and edge.location.line < at:
                if not self._star_leaves_out(base, facts, edge, name):
                    return False
        return True

    def _unbound(self, base: str, name: str, at: int) -> int | None | bool:
        """None when ``name`` may be bound in the running module ``base`` at line ``at``;
        else the line that binds it later (0 when nothing does)."""
        if name in _MODULE_ATTRIBUTES:
            return None
        facts = self.model.facts[base]
        if f"{facts.name}.{name}" in self.model.registered:
            return None
        if not self._unbound_plain(base, facts, name, at):
            return None
        line = facts.defined.get(name, 0)
        if line and line < at:  # bound when the class statement being run ends
            line = dict(facts.class_ends).get(name, line)
        return line

    def _fail(self, kind: str, *args, **kwargs) -> None:
        if self.clouded:  # an earlier import may have raised: nothing certain to say
            self.failure = _ELSEWHERE
            return
        if any(
            isinstance(step, _Import) and (step.edge.skippable or step.edge.shielded or (kind != "name" and step.edge.block))
            for step in (self.current.get(p) for p in self.frames)
        ):
            # here or in a module importing this one: a `try` handler may catch the AttributeError
            # or NameError; a handler or a context manager may swallow an error that code the
            # simulation does not follow raises before the failure; or an earlier statement of a
            # try or with body may raise what is caught there, and the failing import never runs
            self.failure = _ELSEWHERE
            return
        self._record(kind, *args, **kwargs)

    @staticmethod
    def _inside_class(facts: ModuleFacts, name: str, at: int) -> bool:
        """The module is running the body of the class statement that first binds ``name``:
        the class name is bound only when its body has finished."""
        start = facts.defined.get(name)
        for class_name, end in facts.class_ends:
            if class_name == name:
                return start is not None and start < at <= end
        return False

    def _bound_by_running_import(self, base: str, name: str, at: int) -> bool:
        """``from y import name`` on the very line the module is executing binds the name
        only when that import finishes, which it has not."""
        for event in self.model.events[base]:
            if isinstance(event, _Import) and event.line == at and event.edge.is_from:
                if any((n.asname or n.name) == name for n in event.edge.names):
                    return True
        return False

    def _star_leaves_out(self, base: str, facts: ModuleFacts, edge: ImportEdge, name: str) -> bool:
        target = absolute_target(edge, facts.name, facts.is_package)
        if target is None:
            return False
        found = self.model.project.resolver.resolve(target, base).found
        if found is None:
            return False
        exported = self.model.project.resolver.exports(found)
        return exported is not None and name not in exported

    def _record(self, kind: str, path: str, partial: str, name: str, location: Location, binds, expr: str | None = None, star_line: int | None = None, owner: str | None = None) -> None:
        frames = tuple((p, self.line.get(p, 0)) for p in self.frames)
        # the failing module's own frame points at the failing line
        frames = frames[:-1] + ((path, location.line),)
        self.failure = _Failure(
            kind=kind,
            starts=self.starts,
            frames=frames,
            partial=partial,
            name=name,
            expr=expr,
            location=location,
            binds_at=binds or None,
            via=str(star_line) if star_line else None,
            owner=owner,
        )

    def _imports_submodule(self, base: str | None, name: str) -> bool:
        """Does ``from base import name`` import the submodule ``base.name`` now? Only when
        the package surely has no attribute ``name`` yet."""
        if base is None:
            return False
        state = self.state.get(base)
        facts = self.model.facts[base]
        if state is _State.RUNNING:
            return self._unbound_plain(base, facts, name, self.line[base])
        if state is _State.DONE:
            return self._unbound_plain(base, facts, name, 1 << 30)
        return False


# -- findings ----------------------------------------------------------------------------------


def _cycle(failure: _Failure) -> tuple[str, ...]:
    paths = [p for p, _ in failure.frames]
    index = paths.index(failure.partial) if failure.partial in paths else 0
    return tuple(paths[index:])


def _findings(project: Project, model: _Model, outcomes, outside, entry: _Failure | None) -> Iterator[Finding]:
    """One finding per cycle (the modules from the half-built one to the failing one)."""
    groups: dict[frozenset[str], list[_Failure]] = {}
    for path, failure in outcomes.items():
        if failure is not None:
            groups.setdefault(frozenset(_cycle(failure)), []).append(failure)
    also: dict[frozenset[str], list[str]] = {}
    for path, failure in outside.items():
        if failure is not None and frozenset(_cycle(failure)) in groups:
            also.setdefault(frozenset(_cycle(failure)), []).append(path)
    entry_key = frozenset(_cycle(entry)) if entry is not None else None
    if entry is not None and entry_key not in groups:
        groups[entry_key] = []
    for key, failures in groups.items():
        members = sorted(key, key=lambda p: (model.name[p].count("."), model.name[p]))
        failing = {f.starts[0] for f in failures}
        every = all(m in failing for m in members)
        in_startup = entry is not None and key == entry_key
        ordered = sorted(failures, key=lambda f: (model.name[f.starts[0]].count("."), model.name[f.starts[0]]))
        if in_startup:
            ordered = [entry] + ordered
        reported = [f for f in ordered if project.reported(f.location.path)]
        if not reported:
            continue
        primary = reported[0]
        working = [m for m in members if m not in failing and outcomes.get(m) is None and m in outcomes]
        yield _finding(project, model, primary, ordered, every or in_startup, in_startup, working, also.get(key, []))


def _describe(model: _Model, failure: _Failure) -> str:
    partial = model.name[failure.partial]
    name = failure.name
    if failure.kind == "name":
        return f"cannot import name '{name}' from partially initialized module '{partial}'"
    if failure.kind == "star":
        return f"`from {partial} import *` raises AttributeError: the __all__ of partially initialized module '{partial}' names '{name}', not bound yet,"
    if failure.kind == "attribute":
        if not _submodule_case(failure):
            return f"`{failure.expr}` raises AttributeError: partially initialized module '{partial}' has no attribute '{name}' yet"
        owner = model.name[failure.owner] if failure.owner else partial.rpartition(".")[0]
        return (
            f"`{failure.expr}` raises AttributeError: cannot access submodule '{name}' of module '{owner}' "
            f"(it is still initialising, and a package gets a submodule as attribute only when the submodule finishes)"
        )
    return f"name '{name}' is not defined (NameError): `from {partial} import *` copied partially initialized module '{partial}' before it bound '{name}'"


def _submodule_case(failure: _Failure) -> bool:
    return failure.kind == "attribute" and failure.owner is not None and failure.owner != failure.partial


def _names(model: _Model, paths, limit: int = 5) -> str:
    names = [model.name[p] for p in paths]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _chain(model: _Model, failure: _Failure) -> str:
    hops = [f"{model.name[p]}:{line}" for p, line in failure.frames]
    return " -> ".join(hops)


def _finding(project, model, primary: _Failure, failures, certain_everywhere: bool, in_startup: bool, working, also) -> Finding:
    partial = model.name[primary.partial]
    first = ", ".join(model.name[p] for p in primary.starts)
    name = primary.name
    if in_startup and primary is failures[0]:
        message = f"{_describe(model, primary)} in the start-up from the entries ({first}): {_chain(model, primary)}"
    elif certain_everywhere:
        message = (
            f"{_describe(model, primary)}, whichever module of the cycle is imported first; "
            f"importing {first} runs {_chain(model, primary)}"
        )
    else:
        message = f"{_describe(model, primary)} when {first} is imported first: {_chain(model, primary)}"
    cycle_line = next((line for p, line in primary.frames if p == primary.partial), 0)
    if primary.binds_at and _Simulation._inside_class(model.facts[primary.partial], name, cycle_line):
        message += f", and {partial} binds '{name}' only when its class statement ends (line {primary.binds_at})"
    elif primary.binds_at:
        message += f", and {partial} binds '{name}' only at line {primary.binds_at}"
    elif not _submodule_case(primary):
        message += f", and {partial} does not bind '{name}' before that"
    if not certain_everywhere and not in_startup:
        message += " (order-dependent circular import"
        if working:
            message += f"; importgate finds no failure when importing {_names(model, working)} first"
        message += ")"
    others = set(also)
    if not certain_everywhere:  # else every module of the cycle fails anyway
        others |= {f.starts[0] for f in failures if f.starts and f.starts[0] != primary.starts[0]}
    others = sorted(others, key=lambda p: model.name[p])
    if others and not (in_startup and primary is failures[0]):
        message += f"; importing {_names(model, others)} first fails too"
    notes: dict[tuple[str, int], list[str]] = {}
    for (path, line), (nxt, _) in zip(primary.frames, primary.frames[1:]):
        note = f"{model.name[path]} imports {model.name[nxt]} here"
        if path == primary.partial:
            note += ": the cycle starts here" if _submodule_case(primary) else f" before it binds '{name}': the cycle starts here"
        notes.setdefault((path, line), []).append(note)
    if primary.binds_at:
        notes.setdefault((primary.partial, primary.binds_at), []).append(f"'{name}' is bound here, too late")
    here = (primary.location.path, primary.location.line)
    for other in failures:
        key = (other.location.path, other.location.line)
        if key == here or other is primary:
            continue
        starts = ", ".join(model.name[p] for p in other.starts)
        note = f"when {starts} is imported first it fails here: {_describe(model, other)}"
        if note not in notes.get(key, []):
            notes.setdefault(key, []).append(note)
    related = tuple(Related(Location(path, line), "; ".join(texts)) for (path, line), texts in notes.items())
    return Finding(
        rule=C.CIRCULAR_IMPORT if certain_everywhere or in_startup else C.ORDER_DEPENDENT_IMPORT,
        location=primary.location,
        message=message,
        module=partial,
        name=name,
        hint=_hint(model, primary),
        related=related,
    )


def _hint(model: _Model, failure: _Failure) -> str:
    partial = model.name[failure.partial]
    name = failure.name
    cycle_line = next((line for p, line in failure.frames if p == failure.partial), None)
    if failure.kind == "name":
        options = [
            f"import the module instead (`import {partial}`, then use `{partial}.{name}` inside functions)",
            "move this import into the function that uses it",
        ]
    elif failure.kind == "attribute":
        options = [f"read `{failure.expr}` inside a function, not at module level", "move the import into the function that uses it"]
    elif failure.kind == "star":
        options = [f"import the names you need from {partial} explicitly, inside the functions that use them"]
    else:
        options = [f"import '{name}' where it is used (inside a function), not through `from {partial} import *` at module level"]
    if failure.binds_at and cycle_line and failure.binds_at >= cycle_line and failure.partial in model.facts:
        if _Simulation._inside_class(model.facts[failure.partial], name, cycle_line):
            options.append(f"move the import at line {cycle_line} of {partial} out of the body of class {name}")
        else:
            options.append(f"move the definition of '{name}' above line {cycle_line} of {partial}")
    return "; or ".join(options)
