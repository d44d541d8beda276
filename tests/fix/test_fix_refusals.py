"""What --fix refuses to touch, and says why: ambiguity, dynamic packages, computed
__all__, cycles the fix would create. Also the unsafe (spelling) fixes."""

from __future__ import annotations

import json

from support import cli
from fixhelp import fix, hints, read, snapshot


def refused(make_project, files: dict[str, str], name: str) -> str:
    """Fix the project; assert nothing changed and return the finding's hint for ``name``."""
    root = make_project(files)
    before = snapshot(root)
    outcome = fix(root)
    assert snapshot(root) == before, "a refused fix must not touch any file"
    assert outcome.report.fixed == ()
    hint = hints(outcome.report)[name]
    assert "not fixed automatically" in hint
    return hint


def test_refuses_when_defined_in_several_submodules(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "",
        "pkg/a.py": "class Client: ...\n",
        "pkg/b.py": "class Client: ...\n",
        "app.py": "from pkg import Client\n",
    }, "Client")
    assert "defined in 2 modules of pkg" in hint and "pkg/a.py:1" in hint and "pkg/b.py:1" in hint


def test_undefined_export_refused_when_ambiguous_or_defined_outside(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "__all__ = ['Client']\n",
        "pkg/a.py": "class Client: ...\n",
        "pkg/b.py": "Client = None\n",
    }, "Client")
    assert "defined in 2 modules of pkg" in hint
    hint = refused(make_project, {
        "pkg/__init__.py": "__all__ = ['helper']\n",
        "other.py": "def helper(): ...\n",
    }, "helper")
    assert "defined only outside pkg (other.py:1)" in hint


def test_refuses_to_create_a_circular_import(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "SETTING = 1\n",
        "pkg/client.py": "from pkg import SETTING\n\nclass Client: ...\n",
        "app.py": "from pkg import Client\n",
    }, "Client")
    assert "circular import" in hint and "pkg.client imports pkg at module level (pkg/client.py:1)" in hint


def test_refuses_a_cycle_through_another_module(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "",
        "pkg/client.py": "from pkg.helpers import util\n\nclass Client: ...\n",
        "pkg/helpers.py": "import pkg\n\ndef util(): ...\n",
        "app.py": "from pkg import Client\n",
    }, "Client")
    assert "pkg.client -> pkg.helpers imports pkg" in hint


def test_submodule_imports_and_function_level_imports_are_not_cycles(make_project):
    root = make_project({
        "pkg/__init__.py": "",
        "pkg/client.py": "from pkg import helpers\nfrom . import consts\n\nclass Client:\n    def f(self):\n        from pkg import anything\n",
        "pkg/helpers.py": "",
        "pkg/consts.py": "",
        "app.py": "from pkg import Client\n",
    })
    fix(root)
    assert read(root, "pkg/__init__.py") == "from .client import Client\n"


def test_refuses_when_the_packages_own_start_up_needs_the_name_first(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "from .early import boot\n",
        "pkg/early.py": "from pkg import Client\n\ndef boot(): ...\n",
        "pkg/client.py": "class Client: ...\n",
    }, "Client")
    assert "own initialisation runs pkg.early" in hint


def test_refuses_lazy_packages(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": (
            "_LAZY = {'alpha': '.sub'}\n\n"
            "def __getattr__(name):\n"
            "    if name in _LAZY:\n"
            "        import importlib\n"
            "        return getattr(importlib.import_module(_LAZY[name], __name__), name)\n"
            "    raise AttributeError(name)\n"
        ),
        "pkg/sub.py": "def alpha(): ...\ndef beta(): ...\n",
        "app.py": "from pkg import beta\n",
    }, "beta")
    assert "has a module-level __getattr__ (line 3) that serves some names lazily" in hint


def test_refuses_computed_all(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "from .a import x\n__all__ = [n for n in dir() if not n.startswith('_')]\n",
        "pkg/a.py": "x = 1\n",
        "pkg/b.py": "y = 2\n",
        "app.py": "from pkg import y\n",
    }, "y")
    assert "__all__ of pkg is computed" in hint


def test_refuses_names_hidden_on_purpose(make_project):
    hint = refused(make_project, {
        "pkg/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import Heavy\n",
        "pkg/a.py": "class Heavy: ...\n",
        "app.py": "from pkg import Heavy\n",
    }, "Heavy")
    assert "only under `if TYPE_CHECKING:`" in hint


def test_no_fix_for_a_plain_module_or_a_name_defined_nowhere(make_project):
    root = make_project({
        "util.py": "def real(): ...\n",
        "lib.py": "def other(): ...\n",
        "app.py": "from util import other\nfrom util import nowhere_at_all\n",
    })
    before = snapshot(root)
    outcome = fix(root)
    assert snapshot(root) == before and len(outcome.report.findings) == 2
    assert all(f.fix is None for f in outcome.report.findings)


def test_suppressed_findings_are_not_fixed(make_project):
    root = make_project({
        "pkg/__init__.py": "",
        "pkg/sub.py": "def alpha(): ...\n",
        "app.py": "from pkg import alpha  # importgate: ignore[missing-name]\n",
    })
    before = snapshot(root)
    assert fix(root).report.fixed == () and snapshot(root) == before


# -- unsafe fixes: spelling ------------------------------------------------------------


TYPO = {
    "pkg/__init__.py": "from .reporter import GCPErrorReporter\n\n__all__ = ['GCPErrorReporter', 'GCPErorReporter']\n",
    "pkg/reporter.py": "class GCPErrorReporter: ...\n",
    "app.py": "from pkg import GCPErrorReportr\n\nreporter = GCPErrorReporter()\n",
    "cli.py": "from pkg import GCPErrorReportr\n\nreporter = GCPErrorReportr()\n",
}


def test_spelling_fixes_need_unsafe_fixes(make_project):
    root = make_project(TYPO)
    outcome = fix(root)
    assert read(root, "app.py") == TYPO["app.py"] and read(root, "cli.py") == TYPO["cli.py"]
    assert "`--unsafe-fixes` would import 'GCPErrorReporter' instead of the misspelled 'GCPErrorReportr'" in hints(outcome.report)["GCPErrorReportr"]
    assert "`--unsafe-fixes` would list 'GCPErrorReporter' in __all__ instead" not in str(hints(outcome.report))


def test_unsafe_fixes_rename_and_keep_used_names_bound(make_project):
    root = make_project(TYPO)
    outcome = fix(root, unsafe=True)
    assert read(root, "app.py") == "from pkg import GCPErrorReporter\n\nreporter = GCPErrorReporter()\n"
    assert read(root, "cli.py") == "from pkg import GCPErrorReporter as GCPErrorReportr\n\nreporter = GCPErrorReportr()\n"
    # the misspelled __all__ entry duplicates a listed name: removed (a safe fix)
    assert read(root, "pkg/__init__.py") == "from .reporter import GCPErrorReporter\n\n__all__ = ['GCPErrorReporter']\n"
    assert outcome.report.findings == ()


def test_unsafe_rename_in_all(make_project):
    root = make_project({"mod.py": "def compute(): ...\n\n__all__ = ['compute', 'comptue']\n"})
    assert "`--unsafe-fixes` would list 'compute'" not in str(hints(fix(root).report))  # a listed duplicate: removed
    root = make_project({"mod.py": "def compute(): ...\n\n__all__ = ['comptue']\n"}, "second")
    outcome = fix(root)
    assert "`--unsafe-fixes` would list 'compute' in __all__ of mod instead of the misspelled 'comptue'" in hints(outcome.report)["comptue"]
    fix(root, unsafe=True)
    assert read(root, "mod.py") == "def compute(): ...\n\n__all__ = ['compute']\n"


def test_json_marks_unsafe_fixes(make_project):
    root = make_project(TYPO)
    data = json.loads(cli("check", "--unsafe-fixes", "--format", "json", str(root), cwd=root).stdout)
    typo = [f for f in data["findings"] if f["name"] == "GCPErrorReportr"]
    assert len(typo) == 1 and typo[0]["fix"]["applicability"] == "unsafe"
    assert {e["path"] for e in typo[0]["fix"]["edits"]} == {"app.py", "cli.py"}
    plain = json.loads(cli("check", "--format", "json", str(root), cwd=root).stdout)
    assert [f.get("fix") for f in plain["findings"] if f["name"] == "GCPErrorReportr"] == [None]


ANCESTOR = {
    "top/__init__.py": "X = 1\nfrom top.pkg import thing\n",
    "top/pkg/__init__.py": "thing = 2\n",
    "top/pkg/client.py": "from top import X\n\nclass Client: ...\n",
    "app.py": "from top.pkg import Client\n",
}


def test_importing_from_an_ancestor_is_fine_when_it_binds_the_name_first(make_project):
    root = make_project(ANCESTOR)
    fix(root)
    assert read(root, "top/pkg/__init__.py") == "from .client import Client\n\nthing = 2\n"


def test_refuses_when_an_ancestor_binds_the_name_after_importing_the_package(make_project):
    hint = refused(make_project, {**ANCESTOR, "top/__init__.py": "from top.pkg import thing\nX = 1\n"}, "Client")
    assert "top.pkg.client imports 'X' from top at module level (top/pkg/client.py:1)" in hint
    assert "top is itself still initialising then (it imports top.pkg at top/__init__.py:1) and binds 'X' only later" in hint
