"""Answer an edit from the previous report when no changed file's interface changed.

After every full run the engine keeps a record: the report, each file's content and facts
digests, and every name the project's facts mention. On the next run, each file whose facts
changed is compared with its previous facts through ``facts.interface``: when definitions
nobody mentions are all that changed (a helper function added, a body grown by some lines),
no rule can answer differently, so the report stands, unless it quotes the changed file (its
lines that moved) or could suggest one of the changed names as a spelling.

The contract this rests on: rules look a definition up only by a name some fact mentions
(``facts.interface.mentioned_names``), except for "did you mean" spellings (checked here). A rule
that enumerates a module's definitions in some other way must widen the interface first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from importgate.facts.cache import loads
from importgate.facts.interface import definition_entries, interface_and_lines, mentioned_names
from importgate.model import ModuleFacts, Report

_TAG = "interface/1"
_MOST_CHANGED_FILES = 16  # past this many, a full run is about as fast as the comparisons


def record(
    report: Report, touched: dict, inputs: dict, content: dict[str, bytes], blobs: dict[str, bytes],
    facts: Iterable[ModuleFacts],
) -> tuple:
    """What the next run needs to decide whether its edit can change this report."""
    names: set[str] = set()
    for f in facts:
        names |= mentioned_names(f)
        # module names are looked up too (a package's submodule against its own names)
        base, _ = os.path.splitext(os.path.basename(f.path))
        names.add(base)
        names.add(os.path.basename(os.path.dirname(f.path)))
    return (_TAG, report, touched, inputs, dict(content), dict(blobs), frozenset(names))


def is_record(value) -> bool:
    return isinstance(value, tuple) and len(value) == 7 and value[0] == _TAG and isinstance(value[1], Report)


def advanced(previous: tuple, content: dict[str, bytes], blobs: dict[str, bytes]) -> tuple:
    """The record after a replay: the same report and names, the new digests."""
    return (*previous[:4], dict(content), dict(blobs), previous[6])


def still_answers(previous: tuple, current: dict[str, ModuleFacts | bytes], content: dict[str, bytes],
                  blobs: dict[str, bytes], stored_facts) -> bool:
    """Does ``previous``'s report answer the project whose facts (maybe still pickled) are
    ``current``? ``stored_facts(path, content digest)`` gives the pickled facts a file had."""
    _, report, _, _, old_content, old_blobs, names = previous
    if set(old_blobs) != set(current) or any(path not in blobs for path in current):
        return False
    changed = [path for path in current if blobs[path] != old_blobs[path]]
    if len(changed) > _MOST_CHANGED_FILES:
        return False
    renamed: set[str] = set()
    moved: dict[str, set[int]] = {}  # path -> its old line numbers that are elsewhere now
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
        if not mentioned_names(new) <= names:
            return False
        (old_view, old_lines), (new_view, new_lines) = interface_and_lines(old, names), interface_and_lines(new, names)
        if old_view != new_view:
            return False
        before, after = definition_entries(old), definition_entries(new)
        renamed |= _kind_changes(before, after)
        moved[path] = {o for o, n in zip(old_lines, new_lines) if o != n} | {line for _, _, line in before - after if line}
    if any(_quotes(report, path, moved[path]) for path in changed):
        return False
    return not _could_suggest(report, renamed)


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
