"""``facts.interface.binding_order``: what the import-order simulation can tell of where a module
binds its names. Two versions of a module with equal orders (and equal placeless interfaces)
must give the simulation the same findings, so a cached run answers such an edit of a module
on an import cycle from the last report: checked on hand-written cases (with CPython), and on
random projects full of cycles against a run without the cache."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import textwrap

import pytest

from importgate.facts.interface import binding_order, placeless_interface
from importgate.facts.parse import parse_module
from support import run_check, write_project
from test_random_cycles import random_project

OBSERVABLE = frozenset({"f", "g", "n", "os", "pkg", "b", "x", "__all__"})


def order(source: str, observable=OBSERVABLE):
    facts = parse_module(textwrap.dedent(source).encode(), "pkg/a.py", "pkg.a", target_version=(3, 11))
    return binding_order(facts, observable)


def test_a_definition_renamed_and_bound_again_after_the_last_import_keeps_the_order():
    before = order("import pkg.b\n\ndef f():\n    pass\n\ndef g():\n    pass\n")
    assert before == order("import pkg.b\n\ndef _f():\n    pass\n\ndef g():\n    pass\n\nf = _f\n")
    # a read the simulation skips (of a name the module bound itself, earlier) changes nothing
    assert before == order("import pkg.b\n\ndef _f():\n    pass\n\ndef g():\n    pass\nx = _f\n\nf = _f\n", OBSERVABLE - {"x"})


def test_a_binding_moved_past_an_import_that_runs_at_import_time_changes_the_order():
    before = order("def f():\n    pass\n\nimport pkg.b\n")
    assert before != order("def _f():\n    pass\n\nimport pkg.b\nf = _f\n")
    # nor past one under an `if` or a `try`: the module may pause there as well
    assert order("def f():\n    pass\nif x:\n    import pkg.b\n") != order("if x:\n    import pkg.b\ndef f():\n    pass\n")


def test_a_binding_moved_past_an_import_inside_a_function_keeps_the_order():
    """The simulation never pauses a module at an import that runs only when a function is called."""
    before = order("import os\n\ndef f():\n    pass\n\ndef g():\n    import pkg.b\n")
    assert before == order("import os\n\ndef _f():\n    pass\n\ndef g():\n    import pkg.b\n\nf = _f\n")


def test_a_binding_moved_past_a_read_of_its_name_changes_the_order():
    before = order("import pkg.b\ndef f():\n    pass\nx = f\n")
    assert before != order("import pkg.b\ndef _f():\n    pass\nx = f\nf = _f\n")
    # a read of another name in between does not count
    assert order("import pkg.b\ndef f():\n    pass\nx = g\n") == order("import pkg.b\ndef _f():\n    pass\nx = g\nf = _f\n")


def test_a_binding_moved_past_a_read_through_an_import_of_the_module_itself_changes_the_order():
    """``import pkg.a`` in pkg.a, then ``x = pkg.a.f``: the module reads its own half-built
    namespace, so f must be bound before that line (CPython: AttributeError otherwise)."""
    before = order("import pkg.a\ndef f():\n    pass\nx = pkg.a.f\n")
    assert before != order("import pkg.a\nx = pkg.a.f\ndef f():\n    pass\n")


def test_a_read_of_an_own_name_before_it_is_bound_counts():
    """``x = _f`` before ``def _f``: a NameError at import time, which stops the simulation."""
    assert order("import pkg.b\ndef f():\n    pass\n") != order("import pkg.b\nx = _f\ndef _f():\n    pass\nf = _f\n", OBSERVABLE - {"x"})


def test_a_class_whose_body_now_holds_an_import_changes_the_order():
    """A class name is bound only when its body ends: an import inside the body sees it unbound."""
    assert order("class g:\n    pass\nimport pkg.b\n") != order("class g:\n    import pkg.b\n")


def test_dunder_all_moved_past_an_import_changes_the_order():
    assert order("__all__ = ['f']\nimport pkg.b\ndef f():\n    pass\n") != order("import pkg.b\n__all__ = ['f']\ndef f():\n    pass\n")


def test_unobservable_definitions_do_not_count_and_lines_in_between_do_not_either():
    assert order("import pkg.b\ndef f():\n    pass\n") == order("\n\nimport pkg.b\n\n\ndef helper():\n    pass\ndef f():\n    pass\n")


def test_a_file_with_a_syntax_error_has_no_order():
    assert order("def f(:\n") is None


# -- with CPython and the cache ------------------------------------------------------------

CYCLE = {
    "pkg/__init__.py": "",
    "pkg/a.py": "def A():\n    return 1\n\n\nimport pkg.b\n\n\ndef C():\n    return 2\n",
    "pkg/b.py": "from pkg.a import A\n\n\ndef B():\n    return A()\n",
    "app.py": "from pkg.a import C\n",
}


def _cached_then_edited(tmp_path, edit) -> tuple[bool, list, str]:
    root = write_project(tmp_path / "p", CYCLE)
    cache = tmp_path / "c"
    run_check(root, cache_dir=str(cache))
    (root / "pkg/a.py").write_text(edit(CYCLE["pkg/a.py"]))
    cached = run_check(root, cache_dir=str(cache))
    fresh = run_check(root, cache=False)
    seen = lambda report: [(f.rule.code, f.location.path, f.location.line, f.message) for f in report.findings]  # noqa: E731
    assert seen(cached) == seen(fresh)
    imports = subprocess.run([sys.executable, "-c", "import pkg.a"], cwd=root, capture_output=True, text=True, timeout=60)
    return cached.replayed, seen(cached), imports.stderr


def test_a_definition_on_a_cycle_rebound_after_the_modules_imports_is_answered_from_the_cache(tmp_path):
    """pkg.a is on a cycle with pkg.b. C, which app imports, is defined after pkg.a's only
    import: renaming it and binding C again at the end changes nothing the simulation can see
    (and CPython imports pkg.a first as before)."""
    replayed, seen, stderr = _cached_then_edited(tmp_path, lambda text: text.replace("def C(", "def _C(") + "C = _C\n")
    assert replayed and seen == [] and stderr == ""


def test_a_definition_on_a_cycle_rebound_after_an_import_that_reads_it_runs_the_simulation(tmp_path):
    """A is read by pkg.b while pkg.a is paused at its import: binding A after that import
    breaks `import pkg.a`, in CPython and in the cached run."""
    replayed, seen, stderr = _cached_then_edited(tmp_path, lambda text: text.replace("def A(", "def _A(") + "A = _A\n")
    assert not replayed and [code for code, *_ in seen] == ["IG402"]
    assert "partially initialized module 'pkg.a'" in stderr


# -- random projects -----------------------------------------------------------------------


def _blocks(text: str) -> list[str]:
    """The module's top-level statements, each with its indented lines."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if out and line[:1] in (" ", "\t"):
            out[-1] += line
        else:
            out.append(line)
    return out


def _rebindings(text: str, rng: random.Random) -> list[str]:
    """Edits that keep what the module binds but move where: a definition renamed and bound
    again (right after it, or at the end), or a definition or assignment moved elsewhere."""
    blocks = _blocks(text)
    edits = []
    defining = [i for i, b in enumerate(blocks) if re.match(r"(def|class) (\w+)|(\w+) = ", b)]
    for i in rng.sample(defining, min(3, len(defining))):
        block = blocks[i]
        match = re.match(r"(?:def|class) (\w+)", block)
        if match:
            name = match[1]
            renamed = block.replace(f" {name}", f" _{name}_impl", 1)
            after = blocks[:i] + [renamed, f"{name} = _{name}_impl\n"] + blocks[i + 1:]
            at_end = blocks[:i] + [renamed] + blocks[i + 1:] + [f"{name} = _{name}_impl\n"]
            edits += ["".join(after), "".join(at_end)]
        rest = blocks[:i] + blocks[i + 1:]
        to = rng.randrange(len(rest) + 1)
        edits.append("".join(rest[:to] + [block] + rest[to:]))
    return edits


def _seen(report, edited: str) -> list:
    """The findings, with the line numbers of the edited file left out (they may move)."""
    return sorted(
        (f.rule.code, f.location.path, None if f.location.path == edited else f.location.line, f.name,
         re.sub(r"\d+", "#", f.message))
        for f in report.findings
    )


def binding_project(rng: random.Random) -> dict[str, str]:
    """Modules on cycles that define every name they are asked for, before or after the imports
    that read them: where a name is bound decides most of what fails."""
    count = rng.randint(2, 3)
    package = rng.random() < 0.3
    modules = ["pkg"] + [f"pkg.m{i}" for i in range(1, count)] if package else [f"m{i}" for i in range(count)]
    names = ["n0", "n1"]
    files = {}
    for module in modules:
        blocks = []
        for _ in range(rng.randint(2, 5)):
            other, name, tag = rng.choice(modules), rng.choice(names), rng.randint(0, 99)
            blocks.append(rng.choice([
                f"from {other} import {name}\n",
                f"from {other} import {name}\n",
                f"import {other}\nx_{tag} = {other}.{name}\n",
                f"y_{tag} = {rng.choice(names)}\n",
                f"class C{tag}:\n    from {other} import {name}\n",
                f"from {other} import *\n",
                f"__all__ = {names!r}\n",
                f"if x_{tag}:\n    {name} = 2\n",
                f"try:\n    from {other} import {name}\nexcept ImportError:\n    pass\n",
                "def __getattr__(name):\n    raise AttributeError(name)\n",
                f"del {name}\n",
            ] + ([f"from pkg import {other.rsplit('.', 1)[-1]}\n"] if package and other != "pkg" else [])))
        for name in names:  # every name is bound somewhere
            definition = rng.choice([f"def {name}():\n    pass\n", f"class {name}:\n    pass\n", f"{name} = 1\n"])
            blocks.insert(rng.randrange(len(blocks) + 1), definition)
        files[module.replace(".", "/") + ("/__init__.py" if module == "pkg" else ".py")] = "".join(blocks)
    return files


def _module(rel: str) -> str:
    return rel.removesuffix("/__init__.py").removesuffix(".py").replace("/", ".")


def _cases(seed: int):
    """(files, a file, its edited text, whether the edit keeps the placeless interface and the
    binding order of the file) for rebinding edits of a random project."""
    from importgate import incremental

    rng = random.Random(seed)
    files = random_project(rng) if seed % 2 else binding_project(rng)

    def parse(rel: str, text: str):
        return parse_module(text.encode(), rel, _module(rel), is_package=rel.endswith("__init__.py"), target_version=(3, 11))

    names = incremental.mentions([parse(rel, text) for rel, text in files.items()], frozenset())[1]
    for rel in sorted(files):
        old = parse(rel, files[rel])
        for text in _rebindings(files[rel], rng):
            new = parse(rel, text)
            alike = placeless_interface(old, names) == placeless_interface(new, names) is not None
            yield files, rel, text, alike and binding_order(old, names) == binding_order(new, names)


@pytest.mark.parametrize("seed", range(60))
def test_equal_binding_orders_give_the_simulation_the_same_answers(tmp_path, seed):
    """For every rebinding edit of a random project whose module keeps its binding order (and
    its placeless interface), the findings of a full run stay the same; and a cached run after
    any of these edits agrees with a run without the cache."""
    root = cache = base = None
    for files, rel, text, same_order in _cases(seed):
        if root is None:
            root = write_project(tmp_path / "p", files)
            cache = tmp_path / "c"
            base = run_check(root, cache=False)
            run_check(root, cache_dir=str(cache))
        (root / rel).write_text(text)
        cached, fresh = run_check(root, cache_dir=str(cache)), run_check(root, cache=False)
        assert [(f.rule.code, f.location, f.message) for f in cached.findings] == [(f.rule.code, f.location, f.message) for f in fresh.findings]
        if same_order:
            assert _seen(fresh, str(root / rel)) == _seen(base, str(root / rel)), (rel, files[rel], text)
        (root / rel).write_text(files[rel])
        run_check(root, cache_dir=str(cache))


def test_the_random_rebindings_exercise_both_answers(tmp_path):
    """Not vacuous: many edits above keep the binding order of a module on a cycle, in projects
    with cycle findings too, and many others do not; and of the first kind, the cached run
    answers a fair share from the last report (the others: the report names the file)."""
    from support import cycle_model

    kept = kept_with_findings = changed = replayed = 0
    for seed in range(60):
        root = None
        for files, rel, text, same_order in _cases(seed):
            if root is None:
                root = write_project(tmp_path / f"p{seed}", files)
                model = cycle_model(root)
                on_cycle = {model.name[p] for p in model.cyclic_modules()}
                findings = bool(run_check(root, select=frozenset({"IG4"}), cache=False).findings)
                run_check(root, cache_dir=str(tmp_path / f"c{seed}"))
            if _module(rel) not in on_cycle:
                continue
            kept += same_order
            kept_with_findings += same_order and findings
            changed += not same_order
            if same_order and seed < 20:
                (root / rel).write_text(text)
                replayed += run_check(root, cache_dir=str(tmp_path / f"c{seed}")).replayed
                (root / rel).write_text(files[rel])
                run_check(root, cache_dir=str(tmp_path / f"c{seed}"))
    assert kept >= 150 and kept_with_findings >= 50 and changed >= 150 and replayed >= 20, (kept, kept_with_findings, changed, replayed)
