"""Edits answered from the last full run when no changed file's interface changed: each test
holds the answer to the one a run without any cache gives, and checks which way it was reached."""

from __future__ import annotations

import os
import random
import textwrap
from pathlib import Path

from support import cli_json, run_check, venv_with_paths, write_project

from importgate.facts.interface import DEFINITION_FIELDS, MENTION_FIELDS, PLAIN_FIELDS, interface, mentioned_names
from importgate.facts.parse import parse_module
from importgate.facts.model import ModuleFacts


def answers(root, cache) -> tuple[list, object]:
    """(findings as data, the report) with the cache, after checking that a run without it agrees."""
    cached = run_check(root, cache_dir=str(cache))
    fresh = run_check(root, cache=False)
    seen = [(f.location.path, f.location.line, f.rule.code, f.name, f.message, f.hint) for f in cached.findings]
    assert seen == [(f.location.path, f.location.line, f.rule.code, f.name, f.message, f.hint) for f in fresh.findings]
    return seen, cached


def append(path, text: str) -> None:
    path.write_text(path.read_text() + textwrap.dedent(text))


def insert_at_top(path, text: str) -> None:
    path.write_text(textwrap.dedent(text) + path.read_text())


def answered_after(root, cache, path, edit) -> tuple[list, object]:
    """``answers`` once ``edit`` (old text -> new text) is made to ``path``."""
    path.write_text(edit(path.read_text()))
    return answers(root, cache)


def edited_once(tmp_path, files: dict, edit: dict) -> tuple[list, list, object]:
    """(findings before, findings after, the report after) for one edit; ``edit`` maps a file to
    its new text, or to a function of its old text."""
    root = write_project(tmp_path / "p", files)
    first, _ = answers(root, tmp_path / "c")
    for rel, text in edit.items():
        path = root / rel
        path.write_text(text(path.read_text()) if callable(text) else text)
    second, report = answers(root, tmp_path / "c")
    return first, second, report


def a_new_helper_is_answered_from_the_record(root, cache) -> bool:
    """Append a helper no module mentions to pkg/core.py: the report stands, one file parsed."""
    append(root / "pkg" / "core.py", "\n\ndef _helper():\n    return 2\n")
    _, report = answers(root, cache)
    return report.replayed and report.parsed == 1


def restored(path, text: str, mtime_ns: int) -> None:
    """``path`` back to ``text`` and an old mtime, as a checkout or an undo leaves it."""
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def checked_once_long_ago(tmp_path):
    """(root, pkg/core.py, its text, its mtime) of BASE checked once, core.py ten seconds old."""
    root = write_project(tmp_path / "p", BASE)
    core = root / "pkg" / "core.py"
    past = os.stat(core).st_mtime_ns - 10_000_000_000
    os.utime(core, ns=(past, past))
    answers(root, tmp_path / "c")
    return root, core, core.read_text(), past


def checked_in_child(root, cache) -> tuple[bool, list[str], list]:
    """(replayed, the rule modules loaded, findings as data) of a cached run in a fresh
    interpreter, after checking that a run without the cache finds the same."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\nfrom importgate import api\n"
        f"report = api.check_paths(({str(root)!r},), cache_dir={str(cache)!r}, python=sys.executable)\n"
        "print(json.dumps([report.replayed, sorted(m for m in sys.modules if m.startswith('importgate.rules.')),\n"
        "    [(f.location.path, f.location.line, f.rule.code, f.name, f.message, f.hint, f.chain and list(f.chain))\n"
        "     for f in report.findings]]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    replayed, rules, seen = json.loads(proc.stdout)
    fresh = run_check(root, cache=False)
    assert seen == [[f.location.path, f.location.line, f.rule.code, f.name, f.message, f.hint, f.chain and list(f.chain)]
                    for f in fresh.findings]
    return replayed, rules, seen


# what a run that answers a new module in a file's imports from the last report loads: the
# resolution rule confirms the import, the import-order simulation runs again
ONLY_THE_SIMULATION = ["importgate.rules.cycles", "importgate.rules.resolution"]


BASE = {
    "pkg/__init__.py": "from .core import run\n__all__ = ['run', 'ghost']\n",
    "pkg/core.py": "import os\n\n\ndef run():\n    return os.sep\n",
    "app.py": "from pkg import run\nfrom pkg.core import missing\n",
}


def test_a_helper_nothing_imports_is_answered_without_the_rules(tmp_path):
    root = write_project(tmp_path / "p", BASE)
    first, _ = answers(root, tmp_path / "c")
    append(root / "pkg" / "core.py", "\n\ndef _helper():\n    return 2\n")
    second, report = answers(root, tmp_path / "c")
    assert report.replayed and report.parsed == 1
    assert second == first


def test_an_edit_after_an_undo_is_compared_with_the_tree_just_before_it(tmp_path):
    """The edit is compared with the state last answered (here: restored from the cache), not
    with the last state the rules ran on."""
    root = write_project(tmp_path / "p", BASE)
    core = root / "pkg" / "core.py"
    original = core.read_text()
    answers(root, tmp_path / "c")
    append(core, "\nimport not_installed_anywhere\n")
    _, report = answers(root, tmp_path / "c")
    assert not report.replayed  # an import that fails: every rule runs
    core.write_text(original)
    _, report = answers(root, tmp_path / "c")
    assert report.replayed and report.parsed == 0
    assert a_new_helper_is_answered_from_the_record(root, tmp_path / "c")


def test_lines_added_inside_a_body_replay_when_the_report_does_not_quote_the_file(tmp_path):
    first, second, report = edited_once(tmp_path, {
        **BASE,
        "pkg/core.py": "import os\n\n\ndef grow():\n    return 1\n\n\ndef run():\n    return os.sep\n",
    }, {"pkg/core.py": lambda text: text.replace("    return 1\n", "    x = 1\n    y = 2\n    return x + y\n")})
    assert report.replayed and second == first


def test_a_dynamic_module_whose_exec_moved_down_replays(tmp_path):
    """Its facts say why its names are unknowable, with a line ("calls exec() at line 8"):
    the line moves, the reason stays."""
    first, second, report = edited_once(tmp_path, {
        **BASE,
        "pkg/dyn.py": "import os\n\n\ndef grow():\n    return 1\n\n\nexec('y = 2')\n",
        "use.py": "from pkg.dyn import y, z\n",
    }, {"pkg/dyn.py": lambda text: text.replace("    return 1\n", "    x = 1\n    return x\n")})
    assert report.replayed and second == first


def test_moved_lines_are_checked_again_when_a_message_quotes_them(tmp_path):
    """``it is defined in pkg/impl.py:N``: N moves with the edit, so the rules run again."""
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "",
        "pkg/impl.py": "def tool():\n    return 1\n",
        "app.py": "from pkg import tool\n",
    })
    first, _ = answers(root, tmp_path / "c")
    assert "pkg/impl.py:1" in first[0][4]
    insert_at_top(root / "pkg" / "impl.py", "def _helper():\n    return 0\n\n\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed
    assert "pkg/impl.py:5" in second[0][4]


def test_a_new_definition_of_an_imported_name_runs_the_rules(tmp_path):
    root = write_project(tmp_path / "p", BASE)
    first, _ = answers(root, tmp_path / "c")
    assert "missing" in [f[3] for f in first]
    append(root / "pkg" / "core.py", "\n\ndef missing():\n    return 3\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed
    assert "missing" not in [f[3] for f in second]


def test_a_new_name_spelled_like_a_missing_one_changes_the_suggestion(tmp_path):
    root = write_project(tmp_path / "p", {"m.py": "x = 1\n", "app.py": "from m import colour\n"})
    first, _ = answers(root, tmp_path / "c")
    assert "did you mean" not in first[0][4]
    append(root / "m.py", "\n\ndef color():\n    return 1\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed
    assert "did you mean 'color'" in second[0][4]


def test_a_name_reaching_an_importer_through_a_star_import_runs_the_rules(tmp_path):
    root = write_project(tmp_path / "p", {
        "c.py": "def base():\n    return 1\n",
        "b.py": "from c import *\n",
        "a.py": "from b import extra\n",
    })
    first, _ = answers(root, tmp_path / "c")
    assert [f[3] for f in first] == ["extra"]
    append(root / "c.py", "\n\ndef extra():\n    return 2\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed and second == []


def test_a_definition_moved_across_an_import_in_a_cycle_runs_the_rules(tmp_path):
    """Line ranks keep the order of imports and imported definitions: moving ``g`` above the
    import that starts the cycle changes what the cycle sees, so it is not a replay."""
    root = write_project(tmp_path / "p", {
        "a.py": "from b import f\n\n\ndef g():\n    return 1\n",
        "b.py": "from a import g\n\n\ndef f():\n    return 2\n",
    })
    first, _ = answers(root, tmp_path / "c")
    (root / "a.py").write_text("def g():\n    return 1\n\n\nfrom b import f\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed
    assert second != first


def test_random_edits_always_agree_with_a_run_without_cache(tmp_path):
    """Edits of the kinds users make (helpers added anywhere, lines inserted, names that are
    imported, missing or spelled like those; definitions deleted), each answered exactly as a
    fresh run answers it."""
    files = {
        "pkg/__init__.py": "from .core import run, Base\nfrom .extra import *\n__all__ = ['run', 'Base', 'ghost']\n",
        "pkg/core.py": "import os\n\n\nclass Base:\n    pass\n\n\ndef run():\n    return os.sep\n",
        "pkg/extra.py": "from pkg.core import run\n\n\ndef tool():\n    return run()\n",
        "pkg/cyc.py": "from pkg.cyc2 import later\n\n\ndef early():\n    return 1\n",
        "pkg/cyc2.py": "from pkg.cyc import early\n\n\ndef later():\n    return 2\n",
        "app.py": "from pkg import run, tool, ghost\nfrom pkg.core import missing, Base\nfrom pkg.extra import helper\n",
    }
    root = write_project(tmp_path / "p", files)
    editable = ["pkg/core.py", "pkg/extra.py", "pkg/cyc.py", "pkg/cyc2.py"]
    names = ["_h", "helper", "missing", "missin", "ghost", "ghosts", "tool2", "later", "early", "Base2", "_private"]
    rng = random.Random(20261129)
    replays = 0
    answers(root, tmp_path / "c")
    for step in range(60):
        path = root / rng.choice(editable)
        lines = path.read_text().splitlines(keepends=True)
        tops = [i for i, line in enumerate(lines) if line[:1] not in (" ", "\t", "\n")] + [len(lines)]
        kind = rng.random()
        defs = [i for i, line in enumerate(lines) if line.startswith(("def ", "class "))]
        if kind < 0.15 and defs:  # delete a definition (with its body)
            at = rng.choice(defs)
            end = next((i for i in range(at + 1, len(lines)) if lines[i][:1] not in (" ", "\t", "\n")), len(lines))
            del lines[at:end]
        elif kind < 0.4:
            name = rng.choice(names)
            block = f"\n\ndef {name}():\n    return {step}\n\n\n"
            at = rng.choice(tops)
            lines[at:at] = [block]
        elif kind < 0.7:
            bodies = [i for i, line in enumerate(lines) if line.startswith("    ")]
            if bodies:
                at = rng.choice(bodies)
                lines[at:at] = ["    pass\n"]
        elif kind < 0.85:
            lines.append(f"# note {step}\n")
        else:
            lines[0:0] = ["\n"]
        path.write_text("".join(lines))
        _, report = answers(root, tmp_path / "c")
        replays += report.replayed
    assert replays >= 5  # the cheap path is actually taken


def facts_of(source: str) -> ModuleFacts:
    return parse_module(textwrap.dedent(source).encode(), "m.py", "m", target_version=(3, 11))


def test_every_facts_field_is_classified():
    from dataclasses import fields

    names = {f.name for f in fields(ModuleFacts)}
    assert names == DEFINITION_FIELDS | MENTION_FIELDS | PLAIN_FIELDS
    assert not (DEFINITION_FIELDS & MENTION_FIELDS or DEFINITION_FIELDS & PLAIN_FIELDS or MENTION_FIELDS & PLAIN_FIELDS)


def test_interface_ignores_unmentioned_definitions_and_line_distances_but_not_order():
    old = facts_of("import os\nfrom x import y\n\ndef used(): ...\n")
    observable = frozenset({"used", "y", "x", "os"})
    spread = facts_of("import os\n\n\nfrom x import y\n\ndef helper(): ...\n\n\ndef used(): ...\n")
    assert interface(old, observable) == interface(spread, observable)
    reordered = facts_of("import os\ndef used(): ...\nfrom x import y\n")
    assert interface(old, observable) != interface(reordered, observable)
    assert interface(old, observable) != interface(spread, observable | {"helper"})


def test_every_field_of_an_import_counts_in_the_interface():
    """A rule may read any field of an import (the simulation reads ``skippable`` and
    ``shielded``): changing one alone must change the interface."""
    from dataclasses import fields, replace

    from importgate.facts.model import Guard, ImportedName
    from importgate.model import Location

    facts = facts_of("try:\n    from x import y\nexcept ImportError:\n    pass\n")
    edge = facts.imports[0]
    changed = {"level": 1, "module_text": "z", "names": (ImportedName("w", None, edge.location),),
               "location": Location(edge.location.path, 3, 5, 3, 20), "guard": Guard.NONE, "is_from": False,
               "asname": "q", "block": 3, "skippable": not edge.skippable, "shielded": not edge.shielded, "flags": ("f",),
               "reraised": not edge.reraised}
    assert set(changed) == {f.name for f in fields(edge)}
    observable = frozenset({"x", "y", "z", "w", "q"})
    for name, value in changed.items():
        other = replace(facts, imports=(replace(edge, **{name: value}),))
        assert interface(other, observable) != interface(facts, observable), name


def test_mentions_cover_what_rules_look_up():
    facts = facts_of("""
        from a.b import c as d
        import e.f
        __all__ = ["g"]
        class K(h.Base, Local):
            attr = i.j
        """)
    mentioned = mentioned_names(facts)
    assert {"a", "b", "c", "d", "e", "f", "g", "Base", "Local", "i", "j"} <= mentioned
    assert "K" not in mentioned


# -- found by review: each of these was answered from a stale report ---------------------------


def test_a_statement_put_before_an_import_in_a_try_body_is_seen_by_a_cached_run(tmp_path):
    """``x = 1`` on the blank line before the import that runs the cycle: no line moves, yet a
    failure of the import may now never be reached (``x = 1`` could raise what the handler
    catches), so the simulation claims nothing any more."""
    files = {"pkg/__init__.py": "", "pkg/b.py": "from pkg.a import A\n",
             "pkg/a.py": "try:\n\n    import pkg.b\nexcept ModuleNotFoundError:\n    pass\n\n\ndef A():\n    return 1\n"}
    first, second, report = edited_once(tmp_path, files, {"pkg/a.py": lambda text: text.replace("try:\n\n", "try:\n    x = 1\n")})
    assert [f[2] for f in first] == ["IG402"] and second == [] and not report.replayed


def test_a_suggested_name_deleted_by_del_is_no_longer_suggested(tmp_path):
    edited_once(tmp_path, {"a.py": "def helper():\n    pass\n", "b.py": "from a import helpr\n"},
                {"a.py": "def helper():\n    pass\ndel helper\n"})


def test_a_suggested_name_changing_from_annotated_to_assigned_is_suggested(tmp_path):
    edited_once(tmp_path, {"a.py": "helper: int\n", "b.py": "from a import helpr\n"}, {"a.py": "helper = 1\n"})


def test_attach_stub_lists_every_name_of_the_stub(tmp_path):
    edited_once(tmp_path, {
        "pkg/__init__.py": "import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)\n",
        "pkg/__init__.pyi": "from .sub import alpha as alpha\n",
        "pkg/sub.py": "alpha = 1\n",
        "app.py": "from pkg import beta\n",
    }, {"pkg/__init__.pyi": "from .sub import alpha as alpha\ndef gamma() -> None: ...\n"})


def test_a_class_of_the_module_handed_the_module_keeps_its_bases_in_view(tmp_path):
    a = ("import sys\nclass Base:\n    @staticmethod\n    def export(name):\n        vars(sys.modules[name]).update({})\n"
         "try:\n    class _Backend(%s):\n        pass\n    _Backend.export(__name__)\nexcept Exception:\n    pass\n")
    edited_once(tmp_path, {"a.py": a % "Base", "b.py": "from a import missing\n"}, {"a.py": a % ""})


def test_a_reason_quoting_a_line_of_another_module_is_rechecked_when_it_moves(tmp_path):
    sub = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    x = 1\n"
    _, second, _ = edited_once(tmp_path, {
        "pkg/__init__.py": 'import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach(__name__, submod_attrs={"sub": ["x"]})\n',
        "pkg/sub.py": sub,
    }, {"pkg/sub.py": "def helper():\n    pass\n\n\n" + sub})
    assert any("(line 7)" in f[4] for f in second)


def test_the_state_compared_with_keeps_its_facts_through_many_edits_and_undos(tmp_path):
    """Each edit stores the file's new facts and old versions are evicted; the version on disk
    (the one the next edit is compared with) must survive however many edits came and went
    (the benchmark's edit, restore, edit, ... found it evicted after four)."""
    root, core, original, past = checked_once_long_ago(tmp_path)
    for step in range(10):
        append(core, f"\nimport absent_{step}\n")  # a finding more: every rule runs
        _, report = answers(root, tmp_path / "c")
        assert not report.replayed
        restored(core, original, past)
        _, report = answers(root, tmp_path / "c")
        assert report.replayed and report.parsed == 0
    assert a_new_helper_is_answered_from_the_record(root, tmp_path / "c")


def test_the_state_compared_with_keeps_its_record_through_many_edits_and_a_pause(tmp_path):
    """Stored answers are evicted least recently used first. Replaying the tree as it was must
    keep what an edit of it is compared with (its interface record) as used as the answer:
    found when, after a burst of edits, a minute's pause and an undo, the record was evicted
    but the answer stayed, and every later edit of that tree ran every rule."""
    import sqlite3

    root, core, original, past = checked_once_long_ago(tmp_path)
    for step in range(20):  # each a state of its own, with its answer and record
        append(core, f"\n\ndef _helper_{step}():\n    return {step}\n")
        answers(root, tmp_path / "c")
        restored(core, original, past)
    db = sqlite3.connect(tmp_path / "c" / "facts.sqlite3")
    with db:  # a pause of two minutes: every stored answer was last used that long ago
        db.execute("UPDATE reports SET used = used - 120")
    db.close()
    for _ in range(2):  # the tree before the edits, answered as stored
        _, report = answers(root, tmp_path / "c")
        assert report.replayed and report.parsed == 0
    assert a_new_helper_is_answered_from_the_record(root, tmp_path / "c")


def test_an_answer_whose_record_is_gone_is_run_again_to_store_both(tmp_path):
    """Eviction may still split an answer from its record (both last used at the same moment,
    at the edge of what is kept): that tree is then run once more, so that its next edit is
    compared with a record again instead of running every rule each time."""
    import sqlite3

    root = write_project(tmp_path / "p", BASE)
    answers(root, tmp_path / "c")
    db = sqlite3.connect(tmp_path / "c" / "facts.sqlite3")
    with db:
        assert db.execute("DELETE FROM reports WHERE key >= ? AND key < ?", (b"interface|", b"interface}")).rowcount == 1
    db.close()
    _, report = answers(root, tmp_path / "c")
    assert not report.replayed
    _, report = answers(root, tmp_path / "c")
    assert report.replayed and report.parsed == 0
    assert a_new_helper_is_answered_from_the_record(root, tmp_path / "c")


# -- imports of modules outside the project -------------------------------------------------


def test_a_standard_library_import_added_or_removed_is_answered_without_the_rules(tmp_path):
    root = write_project(tmp_path / "p", BASE)
    core = root / "pkg" / "core.py"
    first, _ = answers(root, tmp_path / "c")
    append(core, "\nimport json as _j\n")
    second, report = answers(root, tmp_path / "c")
    assert report.replayed and report.parsed == 1 and second == first
    insert_at_top(core, "from textwrap import dedent\nimport os.path as osp\n")  # every line below moves
    third, report = answers(root, tmp_path / "c")
    assert report.replayed and third == first
    core.write_text(core.read_text().replace("import json as _j\n", ""))  # and one removed
    fourth, report = answers(root, tmp_path / "c")
    assert report.replayed and fourth == first


def test_an_added_import_that_fails_runs_the_rules(tmp_path):
    for line, rule in (("import absent_module_xyz\n", "IG101"), ("from json import no_such_name\n", "IG102")):
        first, second, report = edited_once(tmp_path / rule, BASE, {"pkg/core.py": lambda text, line=line: text + line})
        assert not report.replayed
        assert [f[2] for f in second if f[0].endswith("core.py")] == [rule]


def test_an_import_binding_a_name_the_project_looks_up_there_runs_the_rules(tmp_path):
    """``app`` imports ``missing`` from pkg.core and pkg lists ``ghost`` in ``__all__``: an
    import that binds either name answers them."""
    for rel, line, gone in (("pkg/core.py", "from json import loads as missing\n", "missing"),
                            ("pkg/__init__.py", "from os import sep as ghost\n", "ghost")):
        first, second, report = edited_once(tmp_path / gone, BASE, {rel: lambda text, line=line: text + line})
        assert not report.replayed
        assert gone in [f[3] for f in first] and gone not in [f[3] for f in second]


def test_removing_an_import_the_module_reads_at_import_time_runs_the_rules(tmp_path):
    """Reading ``json`` unbound raises NameError before the cycle can fail: the circular-import
    finding goes away."""
    first, second, report = edited_once(tmp_path, {
        "a.py": "import json\nX = json.dumps(1)\nfrom b import g\n\n\ndef f():\n    return 1\n",
        "b.py": "from a import f\n\n\ndef g():\n    return 2\n",
    }, {"a.py": lambda text: text.replace("import json\n", "")})
    assert not report.replayed
    assert [f[2] for f in first] == ["IG401"] and second == []  # circular-import


def test_removing_an_import_a_finding_was_about_runs_the_rules(tmp_path):
    first, second, report = edited_once(tmp_path, {
        **BASE, "pkg/core.py": "import os\nimport absent_module_xyz\n\n\ndef run():\n    return os.sep\n",
    }, {"pkg/core.py": lambda text: text.replace("import absent_module_xyz\n", "")})
    assert not report.replayed
    assert "IG101" in [f[2] for f in first] and "IG101" not in [f[2] for f in second]


def test_an_import_added_to_a_try_body_can_make_its_fallback_run(tmp_path):
    """The fallback of a try body that surely fails runs: its own imports are checked then."""
    first, second, report = edited_once(tmp_path, {
        **BASE,
        "pkg/core.py": "try:\n    import json\nexcept ImportError:\n    from .nothere import thing\n\n\ndef run():\n    return 1\n",
    }, {"pkg/core.py": lambda text: text.replace("    import json\n", "    import json\n    import absent_module_xyz\n")})
    assert not report.replayed
    assert "nothere" not in str(first) and "nothere" in str(second)


# -- deferred imports of first-party modules ----------------------------------------------

DEFERRED = {
    "shop/__init__.py": "from .helpers import slug\nfrom .models import User\n__all__ = ['User']\n",
    "shop/helpers.py": "def slug(text):\n    return text.lower()\n",
    "shop/models.py": "class User:\n    name = 'x'\n",
    "shop/views.py": "from shop.models import User\n\n\ndef show(user):\n    return user.name\n",
    "app.py": "from shop import User\nfrom shop.views import show\n\n\ndef main():\n    return show(User())\n",
}


def test_a_first_party_import_inside_a_function_is_answered_without_the_rules(tmp_path):
    """``User`` is a name first-party code looks up (app.py imports it from shop), but inside a
    function it binds a local name only; the import-order simulation never runs it."""
    root = write_project(tmp_path / "p", DEFERRED)
    views = root / "shop" / "views.py"
    first, _ = answers(root, tmp_path / "c")
    assert first == []
    views.write_text(views.read_text().replace("    return user.name\n", "    from shop.models import User\n    from . import helpers\n    return helpers.slug(user.name), User\n"))
    second, report = answers(root, tmp_path / "c")
    assert report.replayed and report.parsed == 1 and second == first
    views.write_text(views.read_text().replace("    from . import helpers\n", ""))  # and one removed
    third, report = answers(root, tmp_path / "c")
    assert report.replayed and third == first


def test_a_replayed_deferred_import_loads_no_rule_but_resolution(tmp_path):
    """The confirmation asks the resolution rule about the import; the rest it needs lives in
    the project (who imports what), so a replay stays as lean as one for ``import json``."""
    root = write_project(tmp_path / "p", DEFERRED)
    views = root / "shop" / "views.py"
    checked_in_child(root, tmp_path / "c")
    views.write_text(views.read_text().replace("    return user.name\n", "    from shop.models import User\n    return User\n"))
    replayed, rules, _ = checked_in_child(root, tmp_path / "c")
    assert replayed and rules == ["importgate.rules.resolution"]


def test_a_first_party_import_under_type_checking_is_answered_without_the_rules(tmp_path):
    """(A new ``if TYPE_CHECKING:`` block is more: its test reads a name at import time.)"""
    root = write_project(tmp_path / "p", {**DEFERRED, "shop/helpers.py": (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from shop.views import show\n\n\n"
        + DEFERRED["shop/helpers.py"])})
    helpers = root / "shop" / "helpers.py"
    first, _ = answers(root, tmp_path / "c")
    helpers.write_text(helpers.read_text().replace("    from shop.views import show\n",
                                                   "    from shop.views import show\n    from shop.models import User as _User\n"))
    second, report = answers(root, tmp_path / "c")
    assert report.replayed and second == first
    insert_at_top(helpers, "from typing import TYPE_CHECKING as _T\nif _T:\n    from shop import models\n")
    third, report = answers(root, tmp_path / "c")
    assert not report.replayed and third == first


def test_a_deferred_import_that_fails_runs_the_rules(tmp_path):
    for line, rule in (("    from shop.models import Admin\n", "IG102"), ("    from shop import nothere\n", "IG102"),
                       ("    from shop.absent import User\n", "IG101"), ("    from ...too_far import x\n", "IG104")):
        first, second, report = edited_once(tmp_path / rule / str(len(line)), DEFERRED, {
            "shop/views.py": lambda text, line=line: text.replace("    return user.name\n", line + "    return user.name\n")})
        assert not report.replayed
        assert [f[2] for f in second if f[0].endswith("views.py")] == [rule]
    first, second, report = edited_once(tmp_path / "typing", DEFERRED, {
        "shop/views.py": lambda text: "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.models import Admin\n" + text})
    assert not report.replayed and [f[2] for f in second] == ["IG106"]  # unresolved-typing-import


def test_a_deferred_import_at_module_level_or_in_a_class_body_runs_the_rules(tmp_path):
    """Both run when the module is imported, and helpers.py imported nothing of the project
    before: the import-order simulation must see them."""
    files = {**DEFERRED, "shop/admin.py": "import shop.helpers\n"}  # admin reaches helpers: a new cycle
    for rel, edit in (("shop/helpers.py", lambda text: text + "from shop import admin as _admin\n"),
                      ("shop/helpers.py", lambda text: text + "\n\nclass K:\n    from shop import admin as _admin\n")):
        first, second, report = edited_once(tmp_path / str(len(edit(""))), files, {rel: edit})
        assert not report.replayed and second == first


def test_a_deferred_outside_use_of_an_incidental_import_runs_the_rules(tmp_path):
    """shop imports ``slug`` from .helpers and leaves it out of ``__all__``: one more place
    outside shop that imports it from there is one more place the implicit-reexport finding
    lists (and the first one makes the finding)."""
    root = write_project(tmp_path / "p", DEFERRED)
    first, _ = answers(root, tmp_path / "c")
    append(root / "app.py", "\n\ndef later():\n    from shop import slug\n    return slug\n")
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed
    assert first == [] and [f[2] for f in second] == ["IG107"]
    append(root / "app.py", "\n\ndef again():\n    from shop import slug\n    return slug\n")
    third, report = answers(root, tmp_path / "c")
    assert not report.replayed and third[0][4] != second[0][4]  # app.py:N and app.py:M


def test_a_deferred_import_declared_global_binds_a_module_name(tmp_path):
    """``global User`` makes the import bind shop.helpers.User: app.py's missing name is found."""
    files = {**DEFERRED, "app.py": DEFERRED["app.py"] + "from shop.helpers import User as _U\n"}
    first, second, report = edited_once(tmp_path, files, {"shop/helpers.py": lambda text: text + (
        "\n\ndef load():\n    global User\n    from shop.models import User\n")})
    assert not report.replayed
    assert [f[3] for f in first] == ["User"] and second != first


def test_binds_module_name_tells_a_function_local_import_from_a_global_one():
    from importgate.resolve import binds_module_name

    facts = facts_of("""\
        import os
        def f():
            from .a import local
        def g():
            global shared
            from .b import shared
        """)
    edges = {e.module_text: e for e in facts.imports}
    assert binds_module_name(edges["os"], facts, "os")
    assert not binds_module_name(edges[".a"], facts, "local")
    assert binds_module_name(edges[".b"], facts, "shared")


# -- first-party imports that run at import time ----------------------------------------------

SHOP = {
    "shop/__init__.py": "from .helpers import slug\nfrom .models import User\n__all__ = ['User', 'slug']\n",
    "shop/helpers.py": "def slug(text):\n    return text.lower()\n",
    "shop/models.py": "class User:\n    name = 'x'\n\n\nclass Admin(User):\n    pass\n",
    "shop/views.py": "from shop.models import User\n\n\ndef show(user):\n    return user.name\n",
    "app.py": "from shop import User\nfrom shop.views import show\n",
}

# two modules on a cycle that works: a new import of one changes how the simulation runs
LOOP = {"shop/loop.py": "import shop.loop2\n", "shop/loop2.py": "import shop.loop\n"}

# b.py is on a cycle that works: `import pkg.a` while pkg.a runs only binds pkg
CYCLE = {
    "pkg/__init__.py": "from pkg.a import A\n",
    "pkg/a.py": "from pkg import b\n\n\nclass A:\n    pass\n",
    "pkg/b.py": "import pkg.a\n\n\ndef make():\n    return pkg.a.A()\n",
}


# the same cycle, pkg.b reading pkg.a from its package (Python finds it in sys.modules)
SIBLING_CYCLE = {**CYCLE, "pkg/b.py": "from pkg import a\n\n\ndef make():\n    return a.A()\n"}

# no cycle anywhere (lib/__init__.py imports nothing): the simulation runs each module in one step
LEAF = {
    "lib/__init__.py": "",
    "lib/text.py": "def slug(text):\n    return text.lower()\n",
    "lib/views.py": "import os\nfrom lib.text import slug\n\n\ndef show(name):\n    return slug(name) + os.sep\n",
}


def test_a_module_level_import_of_a_module_the_file_already_runs_is_answered_without_the_rules(tmp_path):
    """views.py already runs shop and shop.models: a new import of one of them, or a name added
    to its import of shop.models, changes what it binds and nothing the simulation does. (Taking
    such an import away again is a full run: the last run saw its name, `_models`, mentioned.)"""
    root = write_project(tmp_path / "p", SHOP)
    views = root / "shop" / "views.py"
    first, _ = answers(root, tmp_path / "c")
    assert first == []
    for text, replayed in (("from shop.models import User\nfrom shop import models as _models\n", True),
                           ("from shop.models import User, Admin\nfrom shop import models as _models\n", True),
                           ("from shop.models import User, Admin\n", False)):
        again, report = answered_after(root, tmp_path / "c", views, lambda old, text=text: text + old[old.index("\n\n\n") + 1:])
        assert report.replayed is replayed and again == first, text


def test_what_a_replayed_import_mentions_is_watched_from_then_on(tmp_path):
    """The replay keeps the record's names up to date: after a replayed import of shout (which
    nothing mentioned before), deleting shout is an edit to a name someone imports."""
    helpers = SHOP["shop/helpers.py"]
    root = write_project(tmp_path / "p", {**SHOP, "shop/helpers.py": helpers + "\n\ndef shout(text):\n    return text.upper()\n"})
    answers(root, tmp_path / "c")
    append(root / "app.py", "\n\ndef loud(text):\n    from shop.helpers import shout\n    return shout(text)\n")
    first, report = answers(root, tmp_path / "c")
    assert report.replayed and first == []
    (root / "shop" / "helpers.py").write_text(helpers)
    second, report = answers(root, tmp_path / "c")
    assert not report.replayed and [(f[2], f[3]) for f in second] == [("IG102", "shout")]


def test_a_module_level_import_anywhere_in_a_file_off_every_cycle_is_answered_without_the_rules(tmp_path):
    """No cycle is reachable from lib/views.py, so the simulation never follows its lines: an
    import at its top of a module it imports further down changes nothing."""
    first, second, report = edited_once(tmp_path, LEAF, {"lib/views.py": lambda text: "from lib import text as _t\n" + text})
    assert report.replayed and second == first == []


# pkg.x imports pkg.other under an `if`, then pkg.views, then pkg.other for sure, then the cycle
# pkg.x -> pkg.y -> pkg.x that reads VALUE before pkg.x binds it
# pkg.other is on a cycle that works (with pkg.other2): once it may have run, nothing it runs
# is certain, so an import of it that surely runs clouds what follows
EARLIER = {
    "pkg/__init__.py": "",
    "pkg/other.py": "import pkg.other2\n",
    "pkg/other2.py": "import pkg.other\n",
    "pkg/views.py": "import os\n",
    "pkg/x.py": ("import os\nimport pkg.views\nif os.environ.get('SOMETIMES'):\n    import pkg.other\n"
                 "import pkg.other as _other\nfrom pkg.y import later\nVALUE = 1\n"),
    "pkg/y.py": "from pkg.x import VALUE\n\n\ndef later():\n    return VALUE\n",
}


def test_an_import_that_makes_a_module_run_earlier_runs_the_rules(tmp_path):
    """views.py is off every cycle, but a new import there of pkg.other (a module it did not run)
    makes pkg.other surely finished once pkg.x has imported views, where before it only maybe
    ran (pkg.x imports it under an `if` next): pkg.x's later import of it is no longer in doubt,
    so the cycle pkg.x -> pkg.y -> pkg.x that fails after it can be told for certain."""
    import subprocess
    import sys

    first, second, report = edited_once(tmp_path, EARLIER, {"pkg/views.py": lambda text: text + "from pkg import other as _o\n"})
    assert not report.replayed
    assert first == [] and [f[2] for f in second] == ["IG401"]
    proc = subprocess.run([sys.executable, "-c", "import pkg.x"], cwd=tmp_path / "p", capture_output=True, text=True, timeout=60)
    assert "partially initialized module 'pkg.x'" in proc.stderr


def test_with_configured_entries_a_module_level_import_reruns_the_simulation(tmp_path):
    """Findings then show the chain of imports from an entry, line by line: an import of
    lib.text on the first line of lib/views.py (no line moves) is a new first step to
    lib/text.py's finding (and the start-up from the entries is simulated again)."""
    files = {**LEAF, "pyproject.toml": "[tool.importgate]\nentries = ['lib.views']\n",
             "lib/text.py": LEAF["lib/text.py"] + "from lib import nothere\n"}
    root = write_project(tmp_path / "p", files)
    checked_in_child(root, tmp_path / "c")
    views = root / "lib" / "views.py"
    views.write_text(views.read_text().replace("import os\n", "import os; from lib import text as _t\n", 1))
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")  # the chains are drawn again over the report
    assert not replayed and rules == ONLY_THE_SIMULATION
    assert seen[0][-1][:2] == ["lib.views:1", "lib.text:3"]


def test_a_module_that_runs_code_from_a_string_is_never_followed_line_by_line(tmp_path):
    """pkg.b calls exec(): the simulation takes whatever it imports as maybe started, before the
    edit and after it, so an import of a module it already runs changes no answer (real Python
    fails here: the rule stays silent on such a module either way)."""
    files = {**CYCLE, "pkg/b.py": "import pkg.a\nexec('X = 1')\n"}
    first, second, report = edited_once(tmp_path, files, {"pkg/b.py": lambda text: "from pkg.a import A as _A\n" + text})
    assert report.replayed and second == first == []


def test_a_module_level_import_of_a_module_the_file_did_not_run_reruns_only_the_simulation(tmp_path):
    """views.py never ran shop.loop, which is on a cycle: the import graph changes, so the
    import-order simulation runs again; every other rule's answer is the last report's (the
    import resolves cleanly and binds a name nobody looks up)."""
    root = write_project(tmp_path / "p", {**SHOP, **LOOP})
    checked_in_child(root, tmp_path / "c")
    append(root / "shop" / "views.py", "from shop import loop as _l\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ONLY_THE_SIMULATION and seen == []
    append(root / "shop" / "views.py", "from shop import nothere\n")  # one that fails: every rule runs
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and len(rules) > 2 and [f[2] for f in seen] == ["IG102"]


def test_a_module_level_import_of_a_module_that_runs_apart_is_answered_without_the_rules(tmp_path):
    """views.py never ran shop.helpers either, but nothing helpers runs reaches a cycle or views:
    wherever it runs, it runs to the end and touches no half-built module, so only when it
    finishes changes and the simulation answers as before (the benchmark's "a module it did not
    import" edit of Django). A module that reaches the file, or a cycle, is no such module."""
    root = write_project(tmp_path / "p", {**SHOP, **LOOP, "shop/back.py": "import shop.views\n"})
    checked_in_child(root, tmp_path / "c")
    append(root / "shop" / "views.py", "from shop import helpers as _h\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert replayed and seen == []
    append(root / "shop" / "views.py", "from shop import back as _b\n")  # back imports views
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ONLY_THE_SIMULATION and seen == []
    helpers = SHOP["shop/helpers.py"] + "import shop.loop\n"  # helpers reaches a cycle
    root = write_project(tmp_path / "q", {**SHOP, **LOOP, "shop/helpers.py": helpers})
    checked_in_child(root, tmp_path / "d")
    append(root / "shop" / "views.py", "from shop import helpers as _h\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "d")
    assert not replayed and rules == ONLY_THE_SIMULATION and seen == []


def test_a_new_module_that_the_same_edit_changes_does_not_run_apart(tmp_path):
    """views.py and helpers.py edited at once: what helpers runs is not what it ran, so its
    new import in views.py is no module that runs apart (the simulation runs again)."""
    root = write_project(tmp_path / "p", SHOP)
    checked_in_child(root, tmp_path / "c")
    append(root / "shop" / "views.py", "from shop import helpers as _h\n")
    append(root / "shop" / "helpers.py", "import json as _j\nfrom shop import models as _m\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ONLY_THE_SIMULATION and seen == []


def test_a_plain_import_of_the_files_own_package_is_answered_without_the_rules(tmp_path):
    """shop.helpers imported nothing of shop: `import shop as _s` there names a module it never
    ran, but shop always runs before any module below it, so the statement only binds a name and
    the simulation runs as before (the benchmark's edit of django/utils/functional.py). Reading
    through that name at import time does read the package: then the rules run again."""
    root = write_project(tmp_path / "p", SHOP)
    checked_in_child(root, tmp_path / "c")
    append(root / "shop" / "helpers.py", "import shop as _s\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert replayed and seen == []
    append(root / "shop" / "helpers.py", "_name = _s.__name__\n")
    replayed, rules, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and "importgate.rules.cycles" in rules and seen == []


def test_a_cycle_failure_a_new_import_makes_certain_is_found_by_the_simulation_alone(tmp_path):
    """The edit of ``test_an_import_that_makes_a_module_run_earlier_runs_the_rules``: the other
    rules' findings (a missing name elsewhere) stand, the simulation's new one joins them."""
    root = write_project(tmp_path / "p", {**EARLIER, "app.py": "from pkg.other import nothing\n"})
    _, _, first = checked_in_child(root, tmp_path / "c")
    append(root / "pkg" / "views.py", "from pkg import other as _o\n")
    replayed, rules, second = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ONLY_THE_SIMULATION
    assert [f[2] for f in first] == ["IG102"] and [f[2] for f in second] == ["IG102", "IG401"]


def test_the_simulation_alone_replaces_its_findings_of_the_last_report(tmp_path):
    """A cycle that fails already: its finding is the simulation's to give again, once."""
    files = {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import B\nA = 1\n", "pkg/b.py": "from pkg.a import A\nB = 2\n",
             "pkg/c.py": "import pkg.e\n", "pkg/e.py": "import pkg.c\n", "pkg/d.py": "import os\n"}
    root = write_project(tmp_path / "p", files)
    _, _, first = checked_in_child(root, tmp_path / "c")
    append(root / "pkg" / "d.py", "from pkg import c as _c\n")
    replayed, rules, second = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ONLY_THE_SIMULATION and second == first and [f[2] for f in first] == ["IG401"]


def test_lines_moved_under_a_cycle_finding_rerun_the_simulation_alone(tmp_path):
    """A helper inserted at the top of pkg/b.py moves the lines the IG401 finding quotes; no other
    finding quotes them, so the simulation alone runs again and says where they are now. (A
    finding of another rule quoting them sends the edit to a full run, as before.)"""
    files = {"pkg/__init__.py": "", "pkg/a.py": "from pkg.b import B\nA = 1\n", "pkg/b.py": "from pkg.a import A\nB = 2\n"}
    root = write_project(tmp_path / "p", files)
    _, _, first = checked_in_child(root, tmp_path / "c")
    insert_at_top(root / "pkg" / "b.py", "def helper():\n    return 1\n\n\n")
    replayed, rules, second = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ["importgate.rules.cycles"]
    assert [f[2] for f in first] == [f[2] for f in second] == ["IG401"] and first != second
    append(root / "pkg" / "b.py", "from pkg.a import nothere\n")
    checked_in_child(root, tmp_path / "c")
    insert_at_top(root / "pkg" / "b.py", "def other():\n    return 2\n\n\n")
    replayed, rules, third = checked_in_child(root, tmp_path / "c")
    assert not replayed and len(rules) > 1 and "IG102" in [f[2] for f in third]


def fixes_cached_and_fresh(root, cache) -> list:
    """(rule, has a fix, hint) of each finding of a cached JSON run, which must equal a run
    without the cache."""
    _, cached = cli_json("check", str(root), "--cache-dir", str(cache))
    _, fresh = cli_json("check", str(root), "--no-cache")
    assert cached["findings"] == fresh["findings"]
    return [(f["rule"], bool(f.get("fix")), f.get("hint") or "") for f in cached["findings"]]


def fix_withdrawn_once_util_imports_pkg(tmp_path, files: dict[str, str]) -> None:
    """Helper is missing from pkg, and re-exporting it there is the planned fix; once pkg.util
    (which pkg.tools imports) imports pkg itself, the fix would create a circular import."""
    root = write_project(tmp_path / "p", files)

    def fixes() -> list:
        return fixes_cached_and_fresh(root, tmp_path / "c")

    assert [(rule, fixable) for rule, fixable, _ in fixes()] == [("missing-name", True)]
    append(root / "pkg" / "util.py", "import pkg as _pkg\n")
    (rule, fixable, hint), = fixes()
    assert rule == "missing-name" and not fixable and "would create a circular import" in hint


def test_a_fix_a_new_import_would_make_circular_is_withdrawn_after_the_simulation_alone(tmp_path):
    """Fixes are planned again over the whole report: re-exporting Helper from pkg.tools in
    pkg/__init__.py is safe until pkg.util, which pkg.tools imports, imports pkg itself."""
    files = {
        "pkg/__init__.py": "",
        "pkg/util.py": "def helper_text():\n    return 'x'\n",
        "pkg/tools.py": "from pkg.util import helper_text\n\n\nclass Helper:\n    text = helper_text()\n",
        "app.py": "import pkg.tools\nfrom pkg import Helper\n",
    }
    fix_withdrawn_once_util_imports_pkg(tmp_path, files)


def test_a_flag_another_module_tests_stops_being_a_version_check(tmp_path):
    """app.views tests app.compat's NEW flag around an import of a name lib lacks: silent while
    NEW is a version check, reported once it is a plain value (the flag is a definition that
    app.views mentions, so the edit of app.compat changes its interface)."""
    files = {
        "lib/__init__.py": "",
        "lib/api.py": "def current():\n    return 1\n",
        "app/__init__.py": "",
        "app/compat.py": "import sys\nNEW = sys.version_info >= (3, 8)\n",
        "app/views.py": "from app import compat\nif not compat.NEW:\n    from lib.api import legacy\n",
    }
    root = write_project(tmp_path / "p", files)
    _, _, seen = checked_in_child(root, tmp_path / "c")
    assert seen == []
    (root / "app" / "compat.py").write_text("import sys\nNEW = bool(sys.argv)\n")
    replayed, _, seen = checked_in_child(root, tmp_path / "c")
    assert not replayed and [(f[2], f[3]) for f in seen] == [("IG102", "legacy")]


def test_a_fix_is_planned_again_after_an_import_the_simulation_sees_run_nothing(tmp_path):
    """pkg.util already runs pkg (through `from pkg import other`), so `import pkg as _pkg` there
    changes nothing the import-order simulation does; but the fix stage reads it as needing the
    half-built package and withdraws the re-export fix. A replayed report must not keep the
    old fix: the plans are made again (``fix.stage.Fixer.plans_hold``)."""
    files = {
        "pkg/__init__.py": "",
        "pkg/other.py": "",
        "pkg/util.py": "from pkg import other as _o\n\n\ndef helper_text():\n    return 'x'\n",
        "pkg/tools.py": "from pkg.util import helper_text\n\n\nclass Helper:\n    text = helper_text()\n",
        "app.py": "import pkg.tools\nfrom pkg import Helper\n",
    }
    fix_withdrawn_once_util_imports_pkg(tmp_path, files)


def test_an_import_on_a_cycle_that_finds_its_modules_started_is_answered_without_the_rules(tmp_path):
    """pkg.b is on the cycle pkg.a -> pkg.b -> pkg.a, so the simulation runs it line by line. At
    its end, `import pkg` finds its own package started and `import pkg.a` what its first line
    imported: no-ops; `import pkg` at its top too (a package has started before its modules
    run). The same `import pkg.a` above that first line is the one that runs it: a full run."""
    root = write_project(tmp_path / "p", CYCLE)
    b = root / "pkg" / "b.py"
    first, _ = answers(root, tmp_path / "c")
    assert first == []
    for edit, replayed in ((lambda text: text + "import pkg as _pkg\n", True), (lambda text: text + "import pkg.a as _a\n", True),
                           (lambda text: "import pkg as _top\n" + text, True), (lambda text: "import pkg.a as _first\n" + text, False)):
        again, report = answered_after(root, tmp_path / "c", b, edit)
        assert report.replayed is replayed and again == first


def test_a_name_read_from_an_unfinished_module_on_a_cycle_runs_the_rules(tmp_path):
    """At the end of pkg.b, pkg.a has been imported, but it is the module that imported pkg.b and
    is still on its first line: reading A from it fails, as real Python says. A full run finds it,
    at the top of the file as at the end."""
    import subprocess
    import sys

    edits = {"end": (CYCLE, lambda text: text + "from pkg.a import A as _A\n"),
             "top": (CYCLE, lambda text: "from pkg.a import A as _A\n" + text),
             "grown": (SIBLING_CYCLE, lambda text: text.replace("from pkg import a\n", "from pkg import a, A as _A\n"))}
    for where, (files, edit) in edits.items():
        first, second, report = edited_once(tmp_path / where, files, {"pkg/b.py": edit})
        assert not report.replayed, where
        assert first == [] and [f[2] for f in second] == ["IG401"], where
        proc = subprocess.run([sys.executable, "-c", "import pkg"], cwd=tmp_path / where / "p",
                              capture_output=True, text=True, timeout=60)
        assert "partially initialized module 'pkg'" in proc.stderr or "partially initialized module 'pkg.a'" in proc.stderr


THIRD_PARTY = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "1"\ndependencies = ["packaging"]\n',
    "demo/__init__.py": "",
    "demo/core.py": "import packaging.version\n\n\ndef parse(text):\n    return packaging.version.Version(text)\n",
}


def test_a_third_party_import_is_answered_without_the_rules_only_beside_its_twin(tmp_path):
    """An import of a declared distribution the file already imports changes no dependency
    finding; one of an undeclared distribution (pytest is installed here, not declared) does."""
    root = write_project(tmp_path / "p", THIRD_PARTY)
    core = root / "demo" / "core.py"
    first, _ = answers(root, tmp_path / "c")
    append(core, "\nimport packaging.version as _v\n")
    second, report = answers(root, tmp_path / "c")
    assert report.replayed and second == first
    append(core, "\nimport pytest as _t\n")
    third, report = answers(root, tmp_path / "c")
    assert not report.replayed and [f[3] for f in third if f[0].endswith("core.py")] == ["pytest"]


def test_removing_the_only_import_of_a_declared_dependency_runs_the_rules(tmp_path):
    first, second, report = edited_once(tmp_path, THIRD_PARTY, {
        "demo/core.py": "def parse(text):\n    return text\n",
    })
    assert not report.replayed
    assert second != first  # packaging is declared but no longer used


def test_random_import_edits_always_agree_with_a_run_without_cache(tmp_path):
    """Imports added anywhere (of the standard library, a declared and an undeclared
    distribution, missing modules and names, names the project looks up, inside functions, try
    bodies and TYPE_CHECKING blocks) and removed, each answered exactly as a fresh run answers it."""
    files = {
        **THIRD_PARTY,
        "demo/__init__.py": "from .core import parse\nfrom .extra import *\n__all__ = ['parse', 'ghost', 'dumps']\n",
        "demo/extra.py": "from demo.core import parse\n\n\ndef tool():\n    return parse('1')\n",
        "demo/cyc.py": "from demo.cyc2 import later\n\n\ndef early():\n    return 1\n",
        "demo/cyc2.py": "from demo.cyc import early\n\n\ndef later():\n    return 2\n",
        "app.py": "from demo import parse, tool, ghost\nfrom demo.core import missing, json\nfrom demo.extra import dumps\n",
    }
    root = write_project(tmp_path / "p", files)
    editable = ["demo/core.py", "demo/extra.py", "demo/cyc.py", "demo/cyc2.py", "demo/__init__.py"]
    imports = [
        "import json as _j{n}", "import os", "import json", "from json import dumps", "from json import loads as _l{n}",
        "from json import nothing_{n}", "import absent_{n}", "import packaging.version", "import packaging.version as _p{n}",
        "import pytest as _t{n}", "from typing import Any", "import os.path as missing", "from os import sep as ghost",
        "from __future__ import annotations", "from demo import cyc as _c{n}", "import typing",
        "from demo.core import parse", "from demo.core import nothing_{n}", "from demo import tool", "from . import extra",
        "from .cyc2 import later as _k{n}", "import demo.extra", "from demo.absent import x", "from demo.extra import tool",
    ]
    wrappers = ["{i}\n", "{i}\n", "{i}\n", "def _f{n}():\n    {i}\n", "try:\n    {i}\nexcept ImportError:\n    pass\n",
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {i}\n"]
    rng = random.Random(20261130)
    replays = 0
    answers(root, tmp_path / "c")
    for step in range(70):
        path = root / rng.choice(editable)
        lines = path.read_text().splitlines(keepends=True)
        tops = [i for i, line in enumerate(lines) if line[:1] not in (" ", "\t", "\n") and not line.startswith(("from __future__", "except"))]
        tops.append(len(lines))
        single = [i for i, line in enumerate(lines) if line.startswith(("import ", "from ")) and "(" not in line and "__future__" not in line]
        if rng.random() < 0.3 and single:
            del lines[rng.choice(single)]
        else:
            text = rng.choice(imports).format(n=step)
            block = rng.choice(wrappers).format(i=text, n=step)
            if "__future__" in text:
                lines[0:0] = [block]  # only at the top
            else:
                lines[rng.choice(tops):rng.choice(tops)] = [block]
        path.write_text("".join(lines))
        _, report = answers(root, tmp_path / "c")
        replays += report.replayed
    assert replays >= 5  # the cheap path is actually taken


def _site_packages(python: str) -> str:
    return os.path.dirname(next(str(p) for p in Path(python).parents[1].rglob("extra.pth")))


def _agreeing(root, cache, python: str) -> tuple[list, object]:
    """((rule code, name) of each finding, the report) with the cache, after checking that a run
    without it in the same interpreter agrees."""
    cached = run_check(root, cache_dir=str(cache), python=python)
    fresh = run_check(root, cache=False, python=python)
    assert [(f.rule.code, f.name) for f in cached.findings] == [(f.rule.code, f.name) for f in fresh.findings]
    return [(f.rule.code, f.name) for f in cached.findings], cached


def test_a_module_an_added_import_reads_is_watched_like_the_rest(tmp_path):
    """``from common.sub import helper`` reads common/deep.py through a star import: editing that
    file in place (no directory changes) must not replay the answer the import was confirmed by."""
    lib = tmp_path / "lib" / "common"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "sub.py").write_text("from common.deep import *\n\n\ndef other():\n    return 1\n")
    deep = lib / "deep.py"
    deep.write_text("def helper():\n    return 2\n")
    python = venv_with_paths(tmp_path, tmp_path / "lib")
    root = write_project(tmp_path / "p", {"app.py": "from common.sub import other\n"})

    def run():
        return _agreeing(root, tmp_path / "c", python)

    assert run()[0] == []
    append(root / "app.py", "from common.sub import helper\n")
    found, report = run()
    assert report.replayed and found == []
    stamp = os.stat(lib)
    deep.write_text("def helper_renamed():\n    return 2\n")  # in place
    os.utime(lib, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    found, report = run()
    assert not report.replayed and found == [("IG102", "helper")]


def test_an_import_a_script_beside_it_reads_by_its_bare_name_runs_the_rules(tmp_path):
    """``scripts/run.py`` runs as a script: ``from util import json`` reaches scripts/util.py,
    whose ``import json`` is then a name first-party code looks up there."""
    first, second, report = edited_once(tmp_path, {
        **BASE, "scripts/run.py": "from util import json\n", "scripts/util.py": "import json\n",
    }, {"scripts/util.py": ""})
    assert not report.replayed
    assert "json" not in [f[3] for f in first] and "json" in [f[3] for f in second]


def test_an_import_added_to_an_attach_stub_is_a_name_it_serves(tmp_path):
    """lazy_loader.attach_stub serves every name its .pyi binds, imports included, and the
    missing-name message lists them."""
    first, second, report = edited_once(tmp_path, {
        "pkg/__init__.py": "import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach_stub(__name__, __file__)\n",
        "pkg/__init__.pyi": "from .sub import thing\n", "pkg/sub.py": "thing = 1\n", "use.py": "from pkg import missing\n",
    }, {"pkg/__init__.pyi": lambda text: text + "from os import sep\n"})
    assert not report.replayed
    assert "sep" in str(second) and "sep" not in str(first)


def test_an_import_spanning_an_ignore_comment_widens_its_reach(tmp_path):
    """An ignore comment on the first line of a multi-line import covers the import's last line,
    where another statement's finding sits."""
    first, second, report = edited_once(tmp_path, {
        "b.py": "y = 1\n", "a.py": "X = (  # importgate: ignore\n    111); from b import missing\n",
    }, {"a.py": "from os import (  # importgate: ignore\n    sep); from b import missing\n"})
    assert not report.replayed
    assert len(first) == 1 and second == []


def test_a_requirements_file_spelled_in_capitals_declares_dependencies(tmp_path):
    """The manifest reader matches Requirements.txt: an undeclared import needs the rules."""
    first, second, report = edited_once(tmp_path, {
        "Requirements.txt": "pluggy\n", "pkg/__init__.py": "import pluggy\n", "pkg/mod.py": "x = 1\n",
    }, {"pkg/mod.py": "import packaging\nx = 1\n"})
    assert not report.replayed
    assert first == [] and [f[3] for f in second] == ["packaging"]


def test_a_pytest_pythonpath_inside_a_package_makes_its_files_importable_by_bare_name(tmp_path):
    first, second, report = edited_once(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["pkg"]\n', "pkg/__init__.py": "",
        "pkg/helpers.py": "import json\n", "tests/test_a.py": "from helpers import json\n",
    }, {"pkg/helpers.py": "x = 1\n"})
    assert not report.replayed
    assert first == [] and [f[3] for f in second] == ["json"]


def test_a_pth_file_putting_a_package_folder_on_sys_path_makes_its_files_importable(tmp_path):
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "", "pkg/vendor/__init__.py": "", "pkg/vendor/vlib.py": "import json\n",
        "app.py": "from vlib import json\n",
    })
    python = venv_with_paths(tmp_path, root / "pkg" / "vendor")

    def run():
        return _agreeing(root, tmp_path / "c", python)

    assert run()[0] == []
    (root / "pkg" / "vendor" / "vlib.py").write_text("x = 1\n")
    found, report = run()
    assert not report.replayed and found == [("IG102", "json")]


def test_an_installed_plugin_importing_first_party_names_is_remembered_across_replays(tmp_path):
    """``plug`` (installed) star-imports pkg.m: the name app imports from plug lives in pkg.m.
    A replay reads too few installed modules to see that again; its record must keep it."""
    plugins = tmp_path / "site" / "plug"
    plugins.mkdir(parents=True)
    (plugins / "__init__.py").write_text("from pkg.m import *\n")
    python = venv_with_paths(tmp_path, tmp_path / "site")
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "", "pkg/m.py": "from os import sep as thing\n", "app.py": "from plug import thing\n",
        "pkg/n.py": "", "pkg/other.py": "import pkg.other2\n", "pkg/other2.py": "import pkg.other\n",
    })

    def run():
        return _agreeing(root, tmp_path / "c", python)

    assert run()[0] == []
    (root / "app.py").write_text("import json\nfrom plug import thing\n")
    found, report = run()
    assert report.replayed and found == []
    (root / "pkg" / "n.py").write_text("from pkg import other as _o\n")  # answered by the simulation alone
    found, report = run()
    assert not report.replayed and found == []
    (root / "pkg" / "m.py").write_text("x = 1\n")
    found, report = run()
    assert not report.replayed and found == [("IG102", "thing")]


EDITABLE_FINDER = '''\
import importlib.util
import sys

MAPPING = {MAPPING!r}
NAMESPACES = {{}}


class _EditableFinder:  # what setuptools writes for an editable install, reduced
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname in MAPPING:
            return importlib.util.spec_from_file_location(fullname, MAPPING[fullname])
        return None


def install():
    sys.meta_path.append(_EditableFinder)
'''


def _venv_with_editable_finder(tmp_path, mapping: dict[str, str]) -> str:
    """A venv whose site-packages holds an editable install's finder mapping names to paths."""
    python = venv_with_paths(tmp_path)
    site = _site_packages(python)
    with open(os.path.join(site, "__editable___demo_finder.py"), "w") as fh:
        fh.write(EDITABLE_FINDER.format(MAPPING=mapping))
    with open(os.path.join(site, "__editable__.demo.pth"), "w") as fh:
        fh.write("import __editable___demo_finder; __editable___demo_finder.install()\n")
    return python


def test_a_name_an_editable_install_maps_into_a_package_is_ours(tmp_path):
    """An editable finder's MAPPING sends ``import vlib`` to a file inside one of our packages."""
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "", "pkg/vendor/__init__.py": "", "pkg/vendor/vlib.py": "import json\n",
        "app.py": "from vlib import json\n",
    })
    python = _venv_with_editable_finder(tmp_path, {"vlib": str(root / "pkg" / "vendor" / "vlib.py")})

    def run():
        return _agreeing(root, tmp_path / "c", python)

    assert run()[0] == []
    (root / "pkg" / "vendor" / "vlib.py").write_text("x = 1\n")
    found, report = run()
    assert not report.replayed and found == [("IG102", "json")]


def test_a_sys_path_entry_above_the_project_reaches_it_by_its_folder_name(tmp_path):
    """pytest's ``pythonpath = [".."]`` puts the project's parent on sys.path: ``p.helpers``."""
    first, second, report = edited_once(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = [".."]\n',
        "helpers.py": "import json\n", "tests/test_a.py": "from p.helpers import json\n",
    }, {"helpers.py": "x = 1\n"})
    assert not report.replayed
    assert first == [] and [f[3] for f in second] == ["json"]


def test_an_editable_install_mapping_a_name_to_the_project_root_is_ours(tmp_path):
    root = write_project(tmp_path / "p", {
        "__init__.py": "", "helpers.py": "import json\n", "tools/app.py": "from alias.helpers import json\n",
    })
    python = _venv_with_editable_finder(tmp_path, {"alias": str(root)})

    def run():
        return _agreeing(root, tmp_path / "c", python)

    assert run()[0] == []
    (root / "helpers.py").write_text("x = 1\n")
    found, report = run()
    assert not report.replayed and found == [("IG102", "json")]


def test_what_the_rules_that_did_not_run_read_is_watched_after_the_simulation_alone(tmp_path):
    """After an edit answered by the simulation alone, the stored answer still depends on what
    the other rules read in the run before: here a requirements file included from outside the
    project (only the dependency rules open it). Declaring packaging there is seen."""
    shared = tmp_path / "shared" / "base.txt"
    shared.parent.mkdir()
    shared.write_text("")
    root = write_project(tmp_path / "p", {**SHOP, **LOOP, "requirements.txt": "-r ../shared/base.txt\n",
                                          "app.py": SHOP["app.py"] + "import packaging\n"})
    cache = tmp_path / "c"

    def names() -> tuple[bool, list]:
        _, cached = cli_json("check", str(root), "--cache-dir", str(cache))
        _, fresh = cli_json("check", str(root), "--no-cache")
        assert cached["findings"] == fresh["findings"]
        return cached["summary"]["replayed"], [f["name"] for f in cached["findings"]]

    assert names() == (False, ["packaging"])
    append(root / "shop" / "views.py", "from shop import loop as _l\n")  # the simulation alone
    assert names() == (False, ["packaging"])
    assert names() == (True, ["packaging"])
    shared.write_text("packaging\n")
    assert names() == (False, [])


def test_a_string_naming_a_dependency_is_seen_by_a_cached_run(tmp_path):
    """A string is no import, yet it decides unused-dependency (frameworks import what settings
    name): adding and removing it must not replay the last report."""
    root = write_project(tmp_path / "p", {
        "pyproject.toml": '[project]\nname = "demo"\nversion = "0"\ndependencies = ["PyYAML"]\n',
        "app/__init__.py": "",
        "app/settings.py": 'INSTALLED_APPS = ["other"]\n',
    })
    unused = lambda found: [f[3] for f in found if f[2] == "IG202"]  # noqa: E731
    first, _ = answers(root, tmp_path / "c")
    assert unused(first) == ["pyyaml"]
    named, _ = answered_after(root, tmp_path / "c", root / "app/settings.py", lambda text: text.replace('"other"', '"yaml"'))
    assert unused(named) == []
    again, _ = answered_after(root, tmp_path / "c", root / "app/settings.py", lambda text: text.replace('"yaml"', '"other"'))
    assert unused(again) == ["pyyaml"]


def test_a_packages_sys_path_edit_is_seen_by_a_cached_run(tmp_path):
    """A module-level sys.path edit in a package's __init__ decides whether its modules' bare
    imports are checked: adding and removing it must not replay the last report."""
    root = write_project(tmp_path / "p", {
        "app/__init__.py": "",
        "app/migrations/__init__.py": '"""Migrations."""\n',
        "app/migrations/migration_utils.py": "X = 1\n",
        "app/migrations/versions/__init__.py": "",
        "app/migrations/versions/r1.py": "import migration_utils\n",
    })
    unresolved = lambda found: [f[3] or f[2] for f in found if f[2] == "IG101"]  # noqa: E731
    first, _ = answers(root, tmp_path / "c")
    assert unresolved(first) == ["IG101"]
    edit = "import os, sys\nsys.path.append(os.path.dirname(os.path.realpath(__file__)))\n"
    init = root / "app/migrations/__init__.py"
    edited, _ = answered_after(root, tmp_path / "c", init, lambda text: text + edit)
    assert unresolved(edited) == []
    again, _ = answered_after(root, tmp_path / "c", init, lambda text: text.replace(edit, "import os\n"))
    assert unresolved(again) == ["IG101"]


def _rebind(name: str):
    """The edit of the benchmark's "imported definition rewritten": ``def name`` renamed
    ``_name_impl`` and ``name = _name_impl`` appended (the API kept)."""
    return lambda text: text.replace(f"def {name}(", f"def _{name}_impl(", 1) + f"\n{name} = _{name}_impl\n"


def test_a_definition_rebound_elsewhere_in_a_module_off_every_cycle_is_answered_without_the_rules(tmp_path):
    """shop.helpers reaches no import cycle: it runs in one step whenever it runs and is never
    read half-built, so where and how it binds slug (the name other modules import) cannot
    matter; slug is still a name it defines, and _slug_impl is read there only."""
    first, second, report = edited_once(tmp_path, SHOP, {"shop/helpers.py": _rebind("slug")})
    assert report.replayed and second == first == []


def test_a_definition_rebound_in_a_module_on_a_cycle_runs_the_rules(tmp_path):
    """pkg.a binds A before it imports pkg.b, which imports A from it: moving the binding after
    that import makes `import pkg.a` fail when pkg.a is imported first (real Python agrees). A module on a cycle runs
    statement by statement, so the rules run again."""
    import subprocess
    import sys

    files = {"pkg/__init__.py": "", "pkg/a.py": "def A():\n    return 1\n\n\nimport pkg.b\n",
             "pkg/b.py": "from pkg.a import A\n\n\ndef B():\n    return A()\n"}
    first, second, report = edited_once(tmp_path, files, {"pkg/a.py": _rebind("A")})
    assert not report.replayed and first == [] and [f[2] for f in second] == ["IG402"]
    proc = subprocess.run([sys.executable, "-c", "import pkg.a"], cwd=tmp_path / "p", capture_output=True, text=True, timeout=60)
    assert "partially initialized module 'pkg.a'" in proc.stderr


def test_a_definition_rebound_on_a_cycle_reruns_only_the_simulation(tmp_path):
    """The other rules never ask where a module binds its names: their findings of the last run
    stand (a missing name elsewhere), and the simulation alone finds the new failure."""
    files = {"pkg/__init__.py": "", "pkg/a.py": "def A():\n    return 1\n\n\nimport pkg.b\n",
             "pkg/b.py": "from pkg.a import A\n\n\ndef B():\n    return A()\n", "app.py": "from pkg.b import nothing\n"}
    root = write_project(tmp_path / "p", files)
    _, _, first = checked_in_child(root, tmp_path / "c")
    (root / "pkg" / "a.py").write_text(_rebind("A")(files["pkg/a.py"]))
    replayed, rules, second = checked_in_child(root, tmp_path / "c")
    assert not replayed and rules == ["importgate.rules.cycles"]  # no import to confirm: only the simulation
    assert [f[2] for f in first] == ["IG102"] and [f[2] for f in second] == ["IG102", "IG402"]


def test_a_definition_renamed_without_its_old_name_or_quoted_by_the_report_runs_the_rules(tmp_path):
    """slug renamed and not bound again: shop/__init__.py's import of it now fails.
    And a file the report shows (a finding in it) gets a full run whatever the edit."""
    rename = lambda text: text.replace("def slug(", "def _slug_impl(", 1)  # noqa: E731
    first, second, report = edited_once(tmp_path / "a", SHOP, {"shop/helpers.py": rename})
    assert not report.replayed and first == [] and [f[2] for f in second] == ["IG102"]
    files = {**SHOP, "shop/helpers.py": SHOP["shop/helpers.py"] + "from shop.models import Nothing\n"}
    first, second, report = edited_once(tmp_path / "b", files, {"shop/helpers.py": _rebind("slug")})
    assert not report.replayed and second == first and [f[2] for f in first] == ["IG102"]


def test_a_rebinding_edit_that_moves_a_sys_path_edit_or_an_ignore_comment_runs_the_rules(tmp_path):
    """What decides an answer by position outside the cycles: an import after a sys.path edit
    is not reported (it may have become reachable), an ignore comment covers its own line.
    Moving them in a module off every cycle must not be taken for a rebinding."""
    files = {**SHOP, "shop/paths.py": "import sys\nsys.path.insert(0, '/opt')\nimport gone_module_xyz\n"}
    swap = lambda text: "import sys\nimport gone_module_xyz\nsys.path.insert(0, '/opt')\n"  # noqa: E731
    first, second, report = edited_once(tmp_path / "a", files, {"shop/paths.py": swap})
    assert not report.replayed and first == [] and [f[2] for f in second] == ["IG101"]
    files = {**SHOP, "shop/paths.py": "import gone_module_xyz  # importgate: ignore\nimport json\n"}
    swap = lambda text: "import gone_module_xyz\nimport json  # importgate: ignore\n"  # noqa: E731
    first, second, report = edited_once(tmp_path / "b", files, {"shop/paths.py": swap})
    assert not report.replayed and first == [] and [f[2] for f in second] == ["IG101"]
