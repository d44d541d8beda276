"""The parser's shortcuts (taken for speed) give what the plain way gives, on real code."""

from __future__ import annotations

import ast
import gc
import os
import sysconfig

import pytest

from importgate.engine import _switch
from importgate.facts.parse import _IMPORT_WORD, _expr_loads, _match_lines, _statement_loads


def _stdlib_sources(limit: int = 400) -> list[tuple[str, bytes]]:
    root = sysconfig.get_paths()["stdlib"]
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "test", "tests", "idlelib"))
        for name in sorted(files):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as fh:
                    out.append((os.path.join(folder, name), fh.read()))
    return out[:limit]


def test_import_lines_are_the_lines_where_the_word_import_starts():
    source = b"reimport(x)\nimport os\n\nx.importer = 1\nfrom a import (\n    b)\n_import = 2\nif y: import z\nimport"
    assert _match_lines(_IMPORT_WORD, source) == [2, 5, 8, 9]


@pytest.mark.parametrize("path,source", _stdlib_sources()[:200:7])
def test_import_lines_match_a_word_bounded_search(path, source):
    import re

    bounded = re.compile(rb"\bimport\b")
    expected = sorted({source.count(b"\n", 0, m.start()) + 1 for m in bounded.finditer(source)})
    assert _match_lines(_IMPORT_WORD, source) == expected


def _reference_expr_loads(expr, out, shadow):
    """The walk without shortcuts: every child by ``ast.iter_child_nodes``."""
    from importgate.facts.parse import _add_load, _dotted

    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            if dotted is not None:
                if isinstance(node.ctx, ast.Load):
                    _add_load(dotted, node.lineno, out, shadow)
                continue
            stack.append(node.value)
        elif isinstance(node, ast.BoolOp):
            stack.append(node.values[0])
        elif isinstance(node, ast.IfExp):
            stack.append(node.test)
        elif isinstance(node, ast.Lambda):
            continue
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            stack.append(node.generators[0].iter)
        elif isinstance(node, ast.NamedExpr):
            stack.append(node.value)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    stack.append(child)
                elif isinstance(child, ast.keyword):
                    stack.append(child.value)


def test_module_level_reads_are_those_of_the_plain_walk_with_the_same_first_lines(monkeypatch):
    """Calls, names and constants take a shortcut; the reads and the line each is first read on
    (which the cycle findings report) must not change, whatever order a call's parts come in."""
    import importgate.facts.parse as parse

    checked = 0
    for path, source in _stdlib_sources():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        fast: dict[str, int] = {}
        for stmt in tree.body:
            _statement_loads(stmt, fast, frozenset())
        plain: dict[str, int] = {}
        with monkeypatch.context() as m:
            m.setattr(parse, "_expr_loads", _reference_expr_loads)
            for stmt in tree.body:
                parse._statement_loads(stmt, plain, frozenset())
        assert fast == plain, path
        assert list(fast) == list(plain), path  # the same order too
        checked += len(fast)
    assert checked > 2000
    assert _expr_loads  # the shortcut is what the engine calls


def test_turning_the_collector_back_on_leaves_the_paused_objects_out_of_its_next_collection():
    if gc.get_freeze_count():
        pytest.skip("objects are frozen already (CPython 3.12 starts with some): nothing is moved, see the next test")
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        made = [[i] for i in range(50_000)]  # tracked containers, made while paused
        _switch(True)
        assert gc.isenabled()
        young = {id(o) for o in gc.get_objects(generation=0)}
        assert not any(id(o) in young for o in made[::997])
        oldest = {id(o) for o in gc.get_objects(generation=2)}
        assert all(id(o) in oldest for o in made[::997])
    finally:
        (gc.enable if was else gc.disable)()


def test_turning_the_collector_back_on_keeps_what_the_caller_froze_frozen():
    gc.collect()
    was = gc.isenabled()
    kept = [[i] for i in range(1000)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        gc.disable()
        made = [[i] for i in range(1000)]
        _switch(True)
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen  # the caller's objects were not released
        assert made and kept
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


_WRITERS = '''
import sys

def _install(name):
    sys.modules[name].__dict__.update(x=1)

def helper(name):
    _install(name)

class Registry:
    def add(self, name):
        return self._put(name)

    def _put(self, name):
        helper(name)

def factory():
    def wrap(cls):
        setattr(sys.modules[cls.__module__], "extra", 1)
        return cls
    return wrap

def unrelated():
    return 1

def ünïcode(name):
    helper(name)

def calls_unicode(name):
    ünïcode(name)
'''


def test_namespace_writers_found_by_text_first_are_those_of_reading_every_function():
    """Callers are looked for by their text (a call of ``f`` names f); the answer must be what
    walking every function gives: through functions, methods (``self._put``), returned
    functions and names the bytes spell in UTF-8."""
    from importgate.facts.parse import _namespace_writers

    tree = ast.parse(_WRITERS)
    writers = _namespace_writers(tree, _WRITERS.encode())
    assert writers == _namespace_writers(tree)
    assert {"_install", "helper", "Registry._put", "Registry.add", "factory", "factory.<locals>.wrap", "ünïcode", "calls_unicode"} <= writers
    assert "unrelated" not in writers


def test_namespace_writers_by_text_match_the_full_reading_on_the_standard_library():
    from importgate.facts.parse import _namespace_writers

    compared = found = 0
    for path, source in _stdlib_sources(limit=2000):
        if b"sys.modules" not in source and b"f_globals" not in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        writers = _namespace_writers(tree, source)
        assert writers == _namespace_writers(tree), path
        compared += 1
        found += bool(writers)
    assert compared > 40 and found > 5


def test_function_bodies_read_only_for_attribute_writes_give_the_facts_of_the_full_walk(monkeypatch):
    """A function body without an import, ``global`` or ``__all__`` is only searched for
    ``X.attr = ...``: the facts must be those of walking it statement by statement, for the
    project's files (every fact) and installed modules alike."""
    import pickle

    from importgate.facts import parse

    sources = _stdlib_sources(limit=600)[::3] + [("writes.py", _BODY_CASES.encode())]
    shortcut = [
        [parse.parse_module(source, path, "m", target_version=(3, 11)), parse.parse_module(source, path, "m", runtime_loads=False)]
        for path, source in sources
    ]
    monkeypatch.setattr(parse._Walker, "only_attribute_writes_within", lambda self, node: False)
    for (path, source), facts in zip(sources, shortcut):
        full = [parse.parse_module(source, path, "m", target_version=(3, 11)), parse.parse_module(source, path, "m", runtime_loads=False)]
        assert pickle.dumps(facts) == pickle.dumps(full), path
    writes = shortcut[-1][0]
    assert ("config", "*") not in writes.injects
    assert [attr for _, attr in writes.injects] == ["first", "second", "third", "fourth", "fifth"]
    assert "LATE" in writes.defined  # bound by `global` in a function body


_BODY_CASES = '''
import config
import registry as reg

def set_up(value):
    config.first = value
    if value:
        for item in value:
            try:
                reg.second = item
            except KeyError:
                config.third = item
            else:
                pass
            finally:
                config.fourth = 1
    while False:
        class Inner:
            def method(self):
                self.x = config.fifth = 2

def late():
    global LATE
    LATE = 1
'''


def test_renamed_facts_are_those_dataclasses_replace_gives():
    import dataclasses
    import pickle

    from importgate.facts import parse
    from importgate.facts.model import renamed

    for path, source in _stdlib_sources(limit=300)[::10]:
        for facts in (parse.parse_module(source, path, "", target_version=(3, 11)), parse.parse_module(source, path, "", runtime_loads=False)):
            new = renamed(facts, "pkg.mod")
            assert new == dataclasses.replace(facts, name="pkg.mod")
            assert pickle.dumps(new) == pickle.dumps(dataclasses.replace(facts, name="pkg.mod"))
            assert facts.name == "" and new.name == "pkg.mod"
