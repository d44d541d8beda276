"""An installed module's text answers "does it bind this name?" without a parse, and only when
the parsed facts could not say otherwise (importgate.facts.textproof)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig

import pytest

from importgate.facts.parse import parse_module
from importgate.facts.textproof import ModuleText, _binding_lines

from support import run_check, venv_with_paths, write_project


def binds(source: str, name: str) -> bool:
    declared = re.search(r"coding[:=]\s*([-\w.]+)", source)
    return ModuleText(source.encode(declared.group(1) if declared else "utf-8")).binds(name)


# -- positive and negative cases, each a trap for a text search -------------------------------

@pytest.mark.parametrize("source,name", [
    ("def f():\n    pass\n", "f"),
    ("async def f():\n    pass\n", "f"),
    ("class C(object):\n    pass\n", "C"),
    ("class C:\n    pass\n", "C"),
    ("@decorator\ndef f():\n    pass\n", "f"),
    ("from os import path, sep as separator\n", "path"),
    ("from os import path, sep as separator\n", "separator"),
    ("from os import (\n    path,  # a comment, with a comma\n    sep as separator,\n)\n", "separator"),
    ("from . import sibling\n", "sibling"),
    ("import os.path as osp\n", "osp"),
    ("X = 1\n", "X"),
    ("X: int\nX = 1\n", "X"),
    ("'''a docstring'''\nX = compute(\n    1,\n)\n", "X"),
    ("s = 'it''s'\ndef f():\n    pass\n", "f"),
    ("s = 'windows'\r\ndef f():\r\n    pass\r\n", "f"),
    ("s = r'\\'' \ndef f():\n    pass\n", "f"),
    ("del other\ndef f():\n    pass\n", "f"),
    ("d = {}\ndel d[key]\ndef f():\n    pass\n", "f"),
    ("def f():\n    pass\ndel (g,\n     h)\n", "f"),  # a del over several lines that never names it
])
def test_a_name_bound_at_the_top_level_is_proven(source, name):
    assert binds(source, name)
    assert name in parse_module(source.encode(), "m.py", runtime_loads=False).defined


@pytest.mark.parametrize("source,name", [
    ('"""\ndef f():\n    pass\n"""\n', "f"),  # a docstring's example
    ("x = '''\nclass C:\n'''\n", "C"),
    ("x = 'one \\\ndef f(): pass'\n", "f"),  # a string continued by a backslash
    ("# def f():\n", "f"),
    ("if True:\n    def f():\n        pass\n", "f"),  # bound, but not at column 0: the parse decides
    ("def f():\n    pass\ndel f\n", "f"),
    ("def f():\n    pass\ndel (g,\n     f)\n", "f"),  # a del that goes on past its line
    ("def f():\n    pass\nif x:\n    del f\n", "f"),
    ("x = dict(\ny=1)\n", "y"),  # a keyword argument at column 0
    ("x = \\\ny = 2\n", "y"),  # a continued line: `x = y = 2` binds y, but the text does not say so plainly
    ("from os import *\n", "path"),
    ("import os\n", "os"),  # plain imports are left to the parse
    ("from os import (path,\n    sep)\n", "other"),
    ('x = f"{d["key"]}"\ndef f():\n    pass\n', "f"),  # 3.12 nests quotes in f-strings: unsure, so silent
    ("if'x' in y: pass\ndef f():\n    pass\n", "f"),  # letters before a quote that are no prefix: unsure
    ("def f():\n    pass\n", "g"),
    # old Mac line ends ("\r"): the comment on the first line ends there for Python, and the
    # string that holds `def f` opens on the second; for the patterns the comment goes on. Unsure, so silent
    ("x = 1  # c\ry = '''\ndef f():\n    pass\n'''\rz = 1  # '''\r", "f"),
    # Shift-JIS: "表" ends in the byte of a backslash, which seems to escape the closing quotes
    ("# -*- coding: shift_jis -*-\ns = '''表'''\nx = '''\ndef f():\n    pass\n'''\nz = 1  # '''\n", "f"),
])
def test_anything_else_is_left_to_the_parse(source, name):
    assert not binds(source, name)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="type parameters are Python 3.12 syntax")
def test_a_generic_function_is_proven():
    source = "def f[T](x: T) -> T:\n    return x\n"
    assert binds(source, "f") and "f" in parse_module(source.encode(), "m.py", runtime_loads=False).defined


# -- soundness on real code ---------------------------------------------------------------------

def _real_sources() -> list[str]:
    roots = [sysconfig.get_paths()["stdlib"], os.path.dirname(pytest.__file__)]
    out = []
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "test", "tests", "idlelib", "__pycache__"))
            out.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(".py"))
    return out


def test_every_name_the_text_proves_is_bound_in_the_parsed_facts():
    """Over the standard library and pytest: each name proven from the text is in the facts'
    ``defined`` (or the file does not parse, where the facts say "unknown", which counts as yes)."""
    proven = checked = candidates = 0
    wrong = []
    for path in _real_sources():
        with open(path, "rb") as fh:
            source = fh.read()
        text = ModuleText(source)
        lines = _binding_lines(source)
        names = [n for n in lines if text.binds(n)]
        facts = parse_module(source, path, runtime_loads=False)
        if facts.syntax_error is not None:
            continue
        checked += 1
        candidates += len(lines)
        proven += len(names)
        wrong.extend(f"{path}: {n}" for n in names if n not in facts.defined)
    assert wrong == []
    # not vacuous: it answers for most names that a column-0 statement binds (10,506 of 10,7xx
    # on CPython 3.11's standard library and pytest)
    assert checked > 500 and proven > 8_000 and proven > 0.9 * candidates


# -- in a check, on an installed package ----------------------------------------------------------

INSTALLED = {
    "plain.py": "def helper():\n    return 1\n\n\nclass Thing:\n    pass\n",
    "documented.py": '"""Usage:\n\ndef hidden():\n    pass\n"""\n',
    "removed.py": "def gone():\n    pass\n\n\ndel gone\n",
    "keywords.py": "settings = dict(\nDEBUG=True,\n)\n",
}


def _imports_fine(python: str, module: str, name: str) -> bool:
    return subprocess.run([python, "-c", f"from {module} import {name}"], capture_output=True).returncode == 0


def test_installed_names_found_by_text_and_the_traps_reported(tmp_path):
    lib = write_project(tmp_path / "lib", INSTALLED)
    python = venv_with_paths(tmp_path, lib)
    root = write_project(tmp_path / "app", {
        "app.py": (
            "from plain import helper, Thing\n"
            "from documented import hidden\n"
            "from removed import gone\n"
            "from keywords import DEBUG\n"
        ),
    })
    cached = run_check(root, cache_dir=str(tmp_path / "cache"), python=python)
    found = sorted((f.rule.name, f.name) for f in cached.findings)
    assert found == [("missing-name", "DEBUG"), ("missing-name", "gone"), ("missing-name", "hidden")]
    # CPython agrees, name by name
    assert _imports_fine(python, "plain", "helper") and _imports_fine(python, "plain", "Thing")
    for module, name in (("documented", "hidden"), ("removed", "gone"), ("keywords", "DEBUG")):
        assert not _imports_fine(python, module, name)
    for options in ({"cache": False}, {"cache": False, "jobs": 1}, {"cache_dir": str(tmp_path / "cache")}):
        again = run_check(root, python=python, **options)
        assert sorted((f.rule.name, f.name) for f in again.findings) == found


def test_a_module_whose_asked_names_its_text_proves_is_not_parsed(tmp_path):
    from importgate import engine
    from importgate.config import Config
    from importgate.facts.cache import NullCache
    from importgate.facts.discover import installed_scope, walk_project

    lib = write_project(tmp_path / "lib", INSTALLED)
    python = venv_with_paths(tmp_path, lib)
    root = write_project(tmp_path / "app", {"app.py": "from plain import helper\nfrom documented import hidden\n"})
    config = Config(project_root=str(root), python=python)
    env = engine.load_environment(config)
    files = walk_project(str(root), (), only=installed_scope(str(root), ()))
    hashed = engine.hash_files(files, NullCache())
    installed = engine.speculate_installed(files, hashed[1], env, NullCache(), str(root), installed_scope(str(root), ()))
    assert [os.path.basename(p) for p in installed.texts] == ["plain.py"]
    assert [os.path.basename(job[0]) for job in installed.jobs] == ["documented.py"]  # parsed ahead: its text proves nothing


def test_an_edit_of_an_installed_module_answered_by_its_text_is_seen(tmp_path):
    """The text's answer counts as reading the file: a cached run after ``del helper`` is added
    to the installed module must not replay the clean report."""
    lib = write_project(tmp_path / "lib", INSTALLED)
    python = venv_with_paths(tmp_path, lib)
    root = write_project(tmp_path / "app", {"app.py": "from plain import helper\n"})
    cache = str(tmp_path / "cache")
    assert run_check(root, cache_dir=cache, python=python).findings == ()
    with open(lib / "plain.py", "a") as fh:
        fh.write("\ndel helper\n")
    report = run_check(root, cache_dir=cache, python=python)
    assert [(f.rule.name, f.name) for f in report.findings] == [("missing-name", "helper")]
    assert not _imports_fine(python, "plain", "helper")


# -- soundness on random code built from the traps ----------------------------------------------

def _random_module(rng) -> str:
    """A few statements drawn from the shapes a text search gets wrong: bindings inside strings
    of every prefix and quote, escaped quotes, comments holding quotes, keyword arguments at
    column 0, continued lines, f-strings with quotes in their fields, and del in one or two lines."""
    name = rng.choice(["f", "g", "C", "X", "y"])
    q = rng.choice(["'", '"'])
    tq = q * 3
    prefix = rng.choice(["", "r", "b", "rb", "f", "rf", "u", "B", "F", "Rb"])
    inner = rng.choice([f"def {name}():", f"class {name}:", f"{name} = 1", "#", q, "\\" + q, "{", "}", "{{", "}}", "\\\\", "(", ")"])
    binding = rng.choice([f"def {name}(): pass", f"{name} = 2", f"class {name}: pass"])
    shapes = [
        f"def {name}():\n    pass\n",
        f"class {name}:\n    pass\n",
        f"{name} = 1\n",
        f"from os import path as {name}\n",
        f"from os import (\n    sep,\n    path as {name},\n)\n",
        f"s = {prefix}{tq}\n{inner}\n{binding}\n{tq}\n",
        f"s = {prefix}{q}{inner}{q}  # {rng.choice([q, tq, 'x'])}\n",
        f"# {rng.choice([q, tq, 'def ' + name + '():'])}\n",
        f"del {name}\n",
        f"del ({name},\n     x)\n",
        f"z = dict(\n{name}=1,\n)\n",
        "w = 1 + \\\n2\n",
        f"s = {prefix}{q}a\\\n{binding}{q}\n",
        f"if True:\n    {name} = 4\n",
        f"s = f{q}{{ {rng.choice(['1', repr('a'), chr(34) + 'a' + chr(34)])} }}{q}\n",
        f"t = ({tq}\n{inner}\n{tq},\n{name}\n)\n",
        f"x = {prefix}{tq}{inner}{tq}\n",
    ]
    return "".join(rng.choice(shapes) for _ in range(rng.randrange(1, 9)))


def test_on_random_modules_every_proven_name_is_bound():
    """CPython's parser is the judge: in every random module it accepts, each name the text
    proves is in the parsed facts. (Offline, 20,000 seeds each on CPython 3.11, 3.12 and 3.13:
    no name differs.)"""
    import ast
    import random

    checked = proven = 0
    for seed in range(2500):
        source = _random_module(random.Random(seed)).encode()
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        facts = parse_module(source, "m.py", runtime_loads=False)
        text = ModuleText(source)
        names = [n for n in _binding_lines(source) if text.binds(n)]
        assert [n for n in names if n not in facts.defined] == [], (seed, source)
        checked += 1
        proven += len(names)
    assert checked > 1500 and proven > 3000  # not vacuous: most modules parse, and most have proofs


def test_bad_bytes_never_raise():
    """An installed file may hold anything: NUL bytes, invalid UTF-8, a coding cookie naming no
    codec, an unterminated string. The text then proves nothing it should not, and never raises."""
    import random

    rng = random.Random(7)
    alphabet = [b"def f():\n", b"class C:\n", b"'''", b'"', b"'", b"#", b"\\", b"\n", b"\r", b"\x00", b"\xff\xfe",
                b"del f\n", b"(", b")", b"f = 1\n", b"from x import (f,\n", b"# coding: no-such-codec\n"]
    for _ in range(500):
        source = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 30)))
        text = ModuleText(source)
        for name in ("f", "C", "x"):
            text.binds(name)  # no exception
    assert not ModuleText(b"# coding: no-such-codec\ndef f():\n    pass\n").binds("f")
