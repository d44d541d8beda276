"""What the rest of a project can observe of one module's facts.

Rules look a definition up only by a name that some fact mentions: an imported name, an
``__all__`` entry, a name read at import time, a base class, a callee. So two versions of a
file whose facts differ only in definitions nobody mentions, and in how far apart their lines
are, give every rule the same answers; only the messages that quote that file's lines, and the
"did you mean" spellings drawn from its names, can tell them apart (the caller checks those).
This is what lets an edit that adds a helper function be answered without re-running the rules,
the way mypy skips dependents when a module's interface hash is unchanged.
"""

from __future__ import annotations

import bisect
import re

from importgate.facts.model import ModuleFacts
from importgate.model import Location

_AT_LINE = re.compile(r"(?<=\bline )(\d+)")  # why a namespace is dynamic: "calls exec() at line 12"

# every ModuleFacts field is in exactly one of these (a test holds new fields to it)
DEFINITION_FIELDS = frozenset({"defined", "typing_only", "annotated_only", "deleted", "own_definitions", "class_ends", "feature_flags"})
MENTION_FIELDS = frozenset({
    "imports", "all_entries", "all_sources", "getattr", "lazy_attach", "registers_modules", "registered_aliases",
    "injects", "namespace_writers", "module_calls", "class_bases", "runtime_loads",
})
PLAIN_FIELDS = frozenset({
    "name", "path", "is_package", "is_stub", "all_dynamic", "all_location", "dynamic", "dynamic_path",
    "installs_finder", "sys_path_edit_line", "suppressions", "syntax_error", "has_main_guard", "named_modules",
    "sys_path_edit_at_import",
})


def mentioned_names(facts: ModuleFacts, first_party: frozenset[str] | None = None) -> set[str]:
    """Every name (and each part of every dotted name) a fact of this module mentions, apart
    from the names it defines: the only names any rule looks up in another module.

    With ``first_party`` (every name ``import <name>`` may reach first-party code under), the
    absolute imports of other modules are left out: ``from typing import Sequence`` looks
    ``Sequence`` up in typing, never in a module of ours (used only while no installed module
    imports first-party code)."""
    ours, outside = mention_sets(facts, first_party or frozenset())
    return ours if first_party is not None else ours | outside


def mention_sets(facts: ModuleFacts, first_party: frozenset[str]) -> tuple[set[str], set[str]]:
    """(the mentions, except those of absolute imports of modules outside ``first_party``;
    those) in one pass."""
    out: set[str] = set()
    outside: set[str] = set()

    def add(text: str | None, into: set[str] = out) -> None:
        if text:
            text = text.lstrip(":")  # module_calls write ":Cls.method" for a class of this module
            into.add(text)
            if "." in text:
                into.update(text.split("."))

    for edge in facts.imports:
        into = outside if edge.level == 0 and edge.module_text.split(".")[0] not in first_party else out
        add(edge.module_text.lstrip("."), into)
        add(edge.asname, into)
        for imported in edge.names:
            add(imported.name, into)
            add(imported.asname, into)
        for flag in edge.flags:  # looked up as another module's feature flag
            add(flag)
    for entry in facts.all_entries or ():
        add(entry.name)
    for text in facts.all_sources:
        add(text)
    if facts.getattr is not None and facts.getattr.serves:
        out.update(facts.getattr.serves)
    if facts.lazy_attach is not None:
        for entry in facts.lazy_attach.submodules:
            add(entry.name)
        for submodule, entry in facts.lazy_attach.attrs:
            add(submodule)
            add(entry.name)
    for text in facts.registers_modules:
        add(text)
    for key, text in facts.registered_aliases:
        add(key)
        add(text)
    for text, attr in facts.injects:
        add(text)
        add(attr)
    for text in facts.namespace_writers:
        add(text)
    for text in facts.module_calls:
        add(text)
    for _cls, bases in facts.class_bases:  # the class names themselves are definitions
        for base in bases:
            add(base)
    for dotted, _line in facts.runtime_loads:
        add(dotted)
    return out, outside


def definition_entries(facts: ModuleFacts) -> set[tuple[str, str, int]]:
    """Every definition as (kind, name, line): a name that changes kind (defined, deleted,
    only annotated, only for type checkers) or moves shows up in a difference of two sets."""
    out = {(kind, name, line) for kind in ("defined", "typing_only", "annotated_only", "deleted")
           for name, line in getattr(facts, kind).items()}
    out.update(("own", name, 0) for name in facts.own_definitions)
    out.update(("class", name, line) for name, line in facts.class_ends)
    out.update(("bases", name, 0) for name, _ in facts.class_bases)
    out.update(("flag", name, 0) for name in facts.feature_flags)
    return out


def placeless_interface(facts: ModuleFacts, observable: frozenset[str] | set[str]) -> tuple | None:
    """``interface`` without where anything is: what the project sees of a module that no
    import order can leave half-built while another module reads it, and that is always run
    in one step (it reaches no import cycle): then no rule asks in which order its statements
    run. Its own names read at import time (``x = _impl``) are looked up in itself only. None
    when a position decides an answer outside the cycles too: an ignore comment covers its own
    lines, and a sys.path edit the imports after it."""
    if facts.suppressions or facts.sys_path_edit_line is not None:
        return None
    return interface_and_lines(facts, observable, positions=False)[0]


def binding_order(facts: ModuleFacts, observable: frozenset[str] | set[str]) -> tuple | None:
    """What the import-order simulation (``rules.cycles``) can tell of where a module binds its
    names, when it runs the module statement by statement (the module is on an import cycle):
    the module pauses at its imports, where another module may read it half-built, and it
    reads names at import time. So the simulation compares the line that binds a name only with
    the module's import lines, with its own reads of that name (``f``, or ``m.f`` through an
    import of itself) and, for ``__all__``, with the ``__all__`` statement; never two bindings
    with each other, never lines of two modules.
    The value ranks those lines (with what is on them) and gives, for each name the project
    can look up, where its binding and the end of its class statement fall among the lines
    it is compared with. A read the simulation skips is left out: one of a name the module
    bound earlier by a definition of its own (``f = _f`` after ``def _f``). With equal
    ``placeless_interface``s, equal values mean that no import order tells the two versions
    apart: ``def f`` renamed ``_f`` and ``f = _f`` appended, when no import of the module
    comes in between. None for a file with a syntax error."""
    if facts.syntax_error is not None:
        return None
    defined = facts.defined
    by_import = _bound_by_imports(facts)

    def skipped(head: str, line: int) -> bool:
        bound = defined.get(head)
        return (bound is not None and bound <= line and head in facts.own_definitions
                and head not in by_import and head not in facts.deleted)

    loads = [(dotted, line) for dotted, line in facts.runtime_loads if not skipped(dotted.partition(".")[0], line)]
    locations: list[Location] = [e.location for e in facts.imports]
    locations.extend(n.location for e in facts.imports for n in e.names)
    locations.extend(entry.location for entry in facts.all_entries or ())
    for optional in (facts.all_location, facts.getattr.location if facts.getattr else None):
        if optional is not None:
            locations.append(optional)
    lines = {line for loc in locations for line in (loc.line, loc.end_line)}
    lines.update(e.block for e in facts.imports if e.block)
    lines.update(line for _, line in loads)
    rank = {line: i for i, line in enumerate(sorted(lines))}

    def at(loc: Location | None):
        return None if loc is None else (rank[loc.line], loc.column, rank[loc.end_line], loc.end_column)

    pauses = sorted({e.location.line for e in facts.imports if e.guard.at_import})  # where the module may pause
    reads: dict[str, list[int]] = {}
    for dotted, line in loads:  # `m.f`, read through a module's import of itself, reads f there
        for part in dotted.split("."):
            reads.setdefault(part, []).append(line)
    if facts.all_location is not None:
        reads.setdefault("__all__", []).append(facts.all_location.line)
    ends = dict(facts.class_ends)

    def slot(name: str, line: int | None):
        if line is None:
            return None
        compared = sorted(pauses + reads.get(name, []))
        return bisect.bisect_left(compared, line), line in compared

    keep = _keeper(facts, observable)
    return (
        tuple(_ranked_import(e, at, rank) for e in facts.imports),
        tuple((dotted, rank[line]) for dotted, line in loads),
        None if facts.all_entries is None else tuple((e.name, at(e.location)) for e in facts.all_entries),
        at(facts.all_location), None if facts.getattr is None else at(facts.getattr.location),
        tuple(sorted((name, slot(name, line), slot(name, ends.get(name))) for name, line in defined.items() if keep(name))),
    )


def _import_bound(facts: ModuleFacts, defined: dict[str, int]) -> tuple[str, ...]:
    """The names an import statement binds at module level (one inside a function does only
    under `global`, which the lines tell: ``resolve.binds_module_name``)."""
    spans = [(e.location.line, e.location.end_line) for e in facts.imports]
    return tuple(sorted(n for n, line in defined.items() if any(a <= line <= b for a, b in spans)))


def _bound_by_imports(facts: ModuleFacts) -> set[str]:
    """Every local name an import of the module binds (anywhere in it)."""
    out = {edge.asname or edge.module_text.split(".")[0] for edge in facts.imports if not edge.is_from}
    out.update(n.asname or n.name for edge in facts.imports if edge.is_from for n in edge.names)
    return out


def _outward_loads(facts: ModuleFacts) -> tuple[str, ...]:
    own = facts.own_definitions - _bound_by_imports(facts)
    return tuple(sorted({dotted for dotted, _ in facts.runtime_loads if dotted.partition(".")[0] not in own}))


def interface(facts: ModuleFacts, observable: frozenset[str] | set[str]) -> tuple:
    """The facts as the rest of the project sees them: definitions of names nobody mentions
    are dropped, and every line number is replaced by its rank among this file's lines (an
    edit that moves lines keeps their order and which of them coincide)."""
    return interface_and_lines(facts, observable)[0]


def interface_and_lines(facts: ModuleFacts, observable: frozenset[str] | set[str], positions: bool = True) -> tuple[tuple, list[int]]:
    """``interface`` and the sorted line numbers its ranks stand for. ``positions=False``: no
    line at all (every rank 0), and of the names read at import time only those not bound by
    the module's own definitions (see ``placeless_interface``)."""

    keep = _keeper(facts, observable)
    defined = {n: line for n, line in facts.defined.items() if keep(n)}
    typing_only = {n: line for n, line in facts.typing_only.items() if keep(n)}
    annotated_only = {n: line for n, line in facts.annotated_only.items() if keep(n)}
    deleted = {n: line for n, line in facts.deleted.items() if keep(n)}
    class_ends = [(n, line) for n, line in facts.class_ends if keep(n)]
    class_bases = tuple((n, bases) for n, bases in facts.class_bases if keep(n))

    lines: set[int] = set()
    locations: list[Location] = []
    for edge in facts.imports:
        locations.append(edge.location)
        locations.extend(imported.location for imported in edge.names)
        if edge.block:
            lines.add(edge.block)
    locations.extend(entry.location for entry in facts.all_entries or ())
    for optional in (facts.all_location, facts.getattr.location if facts.getattr else None,
                     facts.syntax_error.location if facts.syntax_error else None):
        if optional is not None:
            locations.append(optional)
    if facts.lazy_attach is not None:
        attach = facts.lazy_attach
        locations.append(attach.location)
        locations.extend(entry.location for entry in attach.submodules)
        locations.extend(entry.location for _, entry in attach.attrs)
    for loc in locations:
        lines.add(loc.line)
        lines.add(loc.end_line)
    for table in (defined, typing_only, annotated_only, deleted):
        lines.update(table.values())
    lines.update(line for _, line in class_ends)
    lines.update(line for _, line in facts.runtime_loads)
    lines.update(line for line, _ in facts.suppressions)
    if facts.sys_path_edit_line is not None:
        lines.add(facts.sys_path_edit_line)
    if facts.dynamic:
        lines.update(int(n) for n in _AT_LINE.findall(facts.dynamic))
    ordered = sorted(lines)
    rank = {line: i + 1 if positions else 0 for i, line in enumerate(ordered)}
    if not positions:  # which imports share a try block still counts (a fallback pairs with them)
        blocks = sorted({e.block for e in facts.imports if e.block})
        rank.update((block, i + 1) for i, block in enumerate(blocks))
    dynamic = _AT_LINE.sub(lambda m: f"#{rank[int(m[1])]}", facts.dynamic) if facts.dynamic else facts.dynamic

    def at(loc: Location | None):
        return None if loc is None else (rank[loc.line], loc.column, rank[loc.end_line], loc.end_column)

    def ranked(table: dict[str, int]):
        return tuple(sorted((n, rank[line]) for n, line in table.items()))

    imports = tuple(_ranked_import(e, at, rank) for e in facts.imports)
    attach = None
    if facts.lazy_attach is not None:
        a = facts.lazy_attach
        attach = (
            tuple((e.name, at(e.location)) for e in a.submodules),
            tuple((s, e.name, at(e.location)) for s, e in a.attrs),
            at(a.location), a.from_stub,
        )
    error = facts.syntax_error
    value = (
        facts.is_package, facts.is_stub, imports,
        ranked(defined), ranked(typing_only), ranked(annotated_only), ranked(deleted),
        tuple(sorted(n for n in facts.own_definitions if keep(n))),
        None if facts.all_entries is None else tuple((e.name, at(e.location)) for e in facts.all_entries),
        facts.all_dynamic, facts.all_sources, at(facts.all_location),
        None if facts.getattr is None else (at(facts.getattr.location), facts.getattr.serves),
        attach, dynamic, facts.dynamic_path, facts.registers_modules, facts.registered_aliases,
        facts.installs_finder, rank.get(facts.sys_path_edit_line) if facts.sys_path_edit_line is not None else None,
        facts.injects, facts.namespace_writers, facts.module_calls, class_bases,
        tuple((rank[line], rules) for line, rules in facts.suppressions),
        None if error is None else (error.message, at(error.location), error.newer_syntax, error.unreadable),
        facts.has_main_guard, facts.named_modules, facts.sys_path_edit_at_import,
        tuple((dotted, rank[line]) for dotted, line in facts.runtime_loads) if positions else (_outward_loads(facts), _import_bound(facts, defined)),
        tuple(sorted((n, rank[line]) for n, line in class_ends)),
        tuple(sorted(n for n in facts.feature_flags if keep(n))),
    )
    return value, ordered


def _keeper(facts: ModuleFacts, observable: frozenset[str] | set[str]):
    """Which of the module's definitions the project can look up."""

    def keep(name: str) -> bool:
        # a stub keeps all it defines: lazy_loader.attach_stub serves (and messages list) them all
        return facts.is_stub or name in observable or (name.startswith("__") and name.endswith("__"))

    return keep


def _ranked_import(e, at, rank: dict[int, int]) -> tuple:
    """Every field of an import, its lines ranked (``at``)."""
    return (e.level, e.module_text, tuple((n.name, n.asname, at(n.location)) for n in e.names), at(e.location),
            int(e.guard), e.is_from, e.asname, rank[e.block] if e.block else 0, e.flags, e.skippable, e.shielded, e.reraised)
