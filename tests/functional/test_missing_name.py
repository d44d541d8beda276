"""missing-name: `from x import y` where x does not provide y, and every trap where it must stay silent."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import findings, rules_of, run_check


def imports_ok_at_runtime(root, module: str) -> bool:
    """Ground truth: does importing the module in a fresh interpreter work?"""
    proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=root, capture_output=True, text=True)
    return proc.returncode == 0


def test_outage_missing_reexport_names_the_real_home(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "",
            "pkg/monitoring/__init__.py": '__all__ = ["GCPErrorService"]\nfrom .service import GCPErrorService\n',
            "pkg/monitoring/service.py": "class GCPErrorService: ...\n",
            "pkg/monitoring/gcp_error_reporter.py": "# reporter\n\nclass GCPErrorReporter: ...\ndef set_request_context(): ...\n",
            "pkg/middleware.py": "from pkg.monitoring import GCPErrorReporter, set_request_context\n",
        }
    )
    report = run_check(root)
    missing = findings(report, "missing-name")
    assert [f.name for f in missing] == ["GCPErrorReporter", "set_request_context"]
    first = missing[0]
    assert "gcp_error_reporter.py:3" in first.message
    assert "does not import it" in first.message
    assert first.hint and "from .gcp_error_reporter import GCPErrorReporter" in first.hint
    assert first.location.line == 1 and first.location.column == len("from pkg.monitoring import ") + 1
    assert not imports_ok_at_runtime(root, "pkg.middleware")


def test_defined_imported_and_submodule_names_are_fine(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from .a import thing\nimport os\nVALUE = 1\ndef f(): ...\nclass C: ...\n",
            "pkg/a.py": "thing = 1\n",
            "pkg/sub.py": "",
            "use.py": "from pkg import thing, os, VALUE, f, C, sub, a, __name__, __file__\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert imports_ok_at_runtime(root, "use")


def test_typo_gets_did_you_mean(make_project):
    root = make_project({"lib.py": "def compute_total(): ...\n", "app.py": "from lib import compute_totl\n"})
    (f,) = findings(run_check(root), "missing-name")
    assert "did you mean 'compute_total'" in f.message


def test_name_missing_from_stdlib_and_installed_modules(make_project):
    root = make_project({"app.py": "from os.path import joinn\nfrom json import loads, nothing_here\n"})
    names = [f.name for f in findings(run_check(root), "missing-name")]
    assert names == ["joinn", "nothing_here"]


def test_pep562_getattr_that_may_serve_anything_silences(make_project):
    root = make_project(
        {
            "lazy.py": "import importlib\ndef __getattr__(name):\n    return importlib.import_module('.' + name, 'x')\n",
            "app.py": "from lazy import whatever\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_pep562_getattr_with_literal_set_reports_other_names(make_project):
    root = make_project(
        {
            "lazy.py": """
                _LAZY = {"heavy": ".heavy_impl"}
                def __getattr__(name):
                    if name in _LAZY:
                        return 42
                    raise AttributeError(name)
                """,
            "app.py": "from lazy import heavy\nfrom lazy import light\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "light" and "only serves: heavy" in f.message
    assert not imports_ok_at_runtime(root, "app")


def test_getattr_with_equality_chain_and_else(make_project):
    root = make_project(
        {
            "m.py": """
                def __getattr__(name):
                    if name == "a":
                        return 1
                    elif name == "b":
                        return 2
                    else:
                        raise AttributeError(name)
                """,
            "app.py": "from m import a, b\nfrom m import c\n",
        }
    )
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["c"]


def test_guarded_imports_are_silent(make_project):
    root = make_project(
        {
            "m.py": "x = 1\n",
            "app.py": """
                try:
                    from m import fast_x
                except ImportError:
                    fast_x = None
                try:
                    import not_installed_anywhere
                except (ValueError, ModuleNotFoundError):
                    not_installed_anywhere = None
                try:
                    from m import z
                except Exception:
                    z = None
                try:
                    from m import w
                except:  # noqa: E722
                    w = None
                import contextlib
                with contextlib.suppress(ImportError):
                    from m import v
                """,
        }
    )
    assert rules_of(run_check(root)) == []
    assert imports_ok_at_runtime(root, "app")


def test_module_not_found_handler_does_not_catch_a_missing_name(make_project):
    root = make_project(
        {
            "m.py": "x = 1\n",
            "app.py": "try:\n    from m import y\nexcept ModuleNotFoundError:\n    y = None\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "y"
    assert not imports_ok_at_runtime(root, "app")  # ImportError is not a ModuleNotFoundError


def test_handler_that_reraises_is_not_a_guard(make_project):
    root = make_project(
        {
            "m.py": "x = 1\n",
            "app.py": """
                try:
                    from m import y
                except ImportError as exc:
                    raise RuntimeError("m is too old") from exc
                """,
        }
    )
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["y"]


def test_type_checking_import_is_not_a_runtime_error(make_project):
    root = make_project(
        {
            "m.py": "x = 1\n",
            "app.py": """
                from typing import TYPE_CHECKING
                import typing
                if TYPE_CHECKING:
                    from m import OnlyForTypes
                if typing.TYPE_CHECKING:
                    from m import Other
                """,
        }
    )
    report = run_check(root)
    assert findings(report, "missing-name") == []
    warnings = findings(report, "unresolved-typing-import")
    assert [f.name for f in warnings] == ["OnlyForTypes", "Other"]
    assert all(str(f.effective_severity) == "warning" for f in warnings)


def test_a_typing_import_is_checked_as_a_type_checker_reads_it(make_project):
    """Under `if TYPE_CHECKING:` a type checker reads the other module's TYPE_CHECKING block
    too, and bare annotations, and typeshed for the standard library (urllib3, pydantic and
    sphinx import their own typing-only aliases this way; `subprocess._ENV` exists only in
    typeshed): only a name nothing binds in a first-party module is a warning."""
    root = make_project(
        {
            "pkg/__init__.py": "",
            "pkg/types_.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    Alias = dict\n    from pkg.more import *\n"
                "Declared: int\n"
            ),
            "pkg/more.py": "Extra = int\n",
            "pkg/lazy.py": "def __getattr__(name: str) -> int:\n    raise AttributeError(name)\n",
            "pkg/user.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from pkg.types_ import Alias, Declared, Extra\n    from pkg.more import Nothing\n"
                "    from pkg.lazy import Anything\n    from subprocess import _ENV\n"
            ),
        }
    )
    warnings = findings(run_check(root), "unresolved-typing-import")
    assert [f.name for f in warnings] == ["Nothing"]
    # what a type checker says of the same imports: only Nothing is missing
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--no-incremental", "pkg"], cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert [line.split(": error: ")[1] for line in proc.stdout.splitlines() if ": error: " in line] == [
        'Module "pkg.more" has no attribute "Nothing"  [attr-defined]'
    ], proc.stdout + proc.stderr


def test_names_a_decorator_writes_into_its_callers_globals(make_project):
    """zope.interface's @_use_c_impl writes FooPy and FooFallback into the decorated module through
    sys._getframe(1).f_globals: that module's namespace is unknowable, so nothing is claimed
    missing from it. A decorator that does not write there hides nothing."""
    root = make_project(
        {
            "pkg/__init__.py": "",
            "pkg/_compat.py": (
                "import sys\n\n\ndef keep_fallback(obj, globs=None):\n    globs = globs or sys._getframe(1).f_globals\n"
                "    globs[obj.__name__ + 'Fallback'] = obj\n    return obj\n\n\ndef plain(obj):\n    return obj\n"
            ),
            "pkg/impl.py": "from pkg._compat import keep_fallback\n\n\n@keep_fallback\nclass Lookup:\n    pass\n",
            "pkg/other.py": "from pkg._compat import plain\n\n\n@plain\nclass Lookup:\n    pass\n",
            "main.py": "from pkg.impl import LookupFallback\nfrom pkg.other import LookupFallback as _f\n",
        }
    )
    assert [(f.rule.name, f.module) for f in run_check(root).findings] == [("missing-name", "pkg.other")]
    assert imports_ok_at_runtime(root, "pkg.impl") and subprocess.run(
        [sys.executable, "-c", "from pkg.impl import LookupFallback"], cwd=root).returncode == 0


def test_name_defined_only_under_type_checking_fails_at_runtime(make_project):
    root = make_project(
        {
            "types_.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from decimal import Decimal\n",
            "app.py": "from types_ import Decimal\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert "TYPE_CHECKING" in f.message and f.related
    assert not imports_ok_at_runtime(root, "app")


def test_version_and_platform_guards_are_silent(make_project):
    root = make_project(
        {
            "app.py": """
                import sys, os, platform
                if sys.version_info >= (3, 99):
                    from os import future_thing
                if sys.platform == "win32":
                    from os import startfile_like
                if os.name == "nt":
                    from nt import _getfullpathname
                if platform.system() == "Darwin":
                    from os import mac_only
                if hasattr(os, "fork"):
                    from os import fork_helper
                """,
        }
    )
    assert rules_of(run_check(root)) == []


def test_conditional_definitions_count(make_project):
    root = make_project(
        {
            "m.py": """
                import os
                if os.environ.get("FAST"):
                    def impl(): ...
                else:
                    impl = None
                try:
                    from json import loads as parse
                except ImportError:
                    parse = None
                for _name in ["a"]:
                    pass
                with open(__file__) as handle:
                    pass
                """,
            "app.py": "from m import impl, parse, _name, handle\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_del_at_module_level_removes_the_name(make_project):
    root = make_project(
        {
            "m.py": "import os\nhelper = 1\ntemp = 2\ndel temp\nredefined = 1\ndel redefined\nredefined = 2\n",
            "app.py": "from m import helper, redefined\nfrom m import temp\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "temp" and "del" in f.message
    assert not imports_ok_at_runtime(root, "app")


def test_conditional_del_stays_silent(make_project):
    root = make_project(
        {
            "m.py": "import os\ntemp = 2\nif os.environ.get('X'):\n    del temp\n",
            "app.py": "from m import temp\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_annotation_without_value_is_not_a_binding(make_project):
    root = make_project({"m.py": "counter: int\n", "app.py": "from m import counter\n"})
    (f,) = findings(run_check(root), "missing-name")
    assert "only annotated" in f.message
    assert not imports_ok_at_runtime(root, "app")


def test_star_import_without_all_exports_public_names(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from .impl import *\n",
            "pkg/impl.py": "public = 1\n_private = 2\n",
            "app.py": "from pkg import public\nfrom pkg import _private\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "_private"
    assert not imports_ok_at_runtime(root, "app")


def test_star_import_honours_all(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from .impl import *\n",
            "pkg/impl.py": "__all__ = ['listed']\nlisted = 1\nunlisted = 2\n",
            "app.py": "from pkg import listed\nfrom pkg import unlisted\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "unlisted" and "star import" in f.message
    assert not imports_ok_at_runtime(root, "app")


def test_chained_star_imports_and_reexport_chains(make_project):
    root = make_project(
        {
            "a/__init__.py": "from a.b import *\n",
            "a/b/__init__.py": "from .c import *\nfrom .c import __all__ as _c_all\n__all__ = ['B'] + list(_c_all)\nB = 1\n",
            "a/b/c.py": "__all__ = ['deep']\ndeep = 1\n",
            "top/__init__.py": "from .mid import Widget\n",
            "top/mid/__init__.py": "from .low import Widget\n",
            "top/mid/low.py": "class Widget: ...\n",
            "app.py": "from a import deep, B\nfrom top import Widget\nfrom top.mid import Widget as W2\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert imports_ok_at_runtime(root, "app")


def test_star_from_unknowable_module_silences(make_project):
    root = make_project(
        {
            "dyn.py": "for n in ['x']:\n    globals()[n] = 1\n",
            "pkg/__init__.py": "from dyn import *\n",
            "app.py": "from pkg import x\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_dynamic_namespaces_are_unknown(make_project):
    root = make_project(
        {
            "g.py": "globals().update({'made': 1})\n",
            "s.py": "import sys, types\nsys.modules[__name__] = types.SimpleNamespace(anything=1)\n",
            "e.py": "exec('made = 1')\n",
            "app.py": "from g import made\nfrom s import anything\nfrom e import made as m2\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_reading_globals_is_not_dynamic(make_project):
    root = make_project({"m.py": "x = globals().get('y')\n", "app.py": "from m import y\n"})
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["y"]


def test_attribute_set_from_another_module_counts(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from . import types, core\n",
            "pkg/types.py": "",
            "pkg/core.py": "from . import types\nNULL = object()\ntypes.NULL = NULL\nsetattr(types, 'OTHER', 1)\n",
            "app.py": "import pkg\nfrom pkg.types import NULL, OTHER\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert imports_ok_at_runtime(root, "app")


def test_import_a_b_binds_a(make_project):
    root = make_project(
        {
            "a/__init__.py": "",
            "a/b.py": "",
            "m.py": "import a.b\nimport os.path as osp\n",
            "app.py": "from m import a, osp\nfrom m import b\n",
        }
    )
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["b"]


def test_namespace_package_has_only_submodules(make_project):
    root = make_project(
        {
            "ns/one.py": "X = 1\n",
            "app.py": "from ns import one\nfrom ns import X\n",
        }
    )
    (f,) = findings(run_check(root), "missing-name")
    assert f.name == "X" and "namespace package" in f.message


def test_function_level_import_is_checked_for_first_party(make_project):
    root = make_project(
        {
            "m.py": "x = 1\n",
            "app.py": "def handler():\n    from m import y\n    return y\n",
        }
    )
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["y"]


def test_global_statement_defines_module_name(make_project):
    root = make_project(
        {
            "m.py": "def setup():\n    global registry\n    registry = {}\nsetup()\n",
            "app.py": "from m import registry\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_walrus_and_match_bindings(make_project):
    root = make_project(
        {
            "m.py": "import os\nif (value := os.environ.get('X')):\n    pass\nmatch os.name:\n    case 'posix' as kind:\n        pass\n    case _:\n        kind = None\n",
            "app.py": "from m import value, kind\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_one_fault_one_finding_merges_importers_and_all(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "__all__ = ['Reporter']\n",
            "pkg/impl.py": "class Reporter: ...\n",
            "a.py": "from pkg import Reporter\n",
            "b.py": "from pkg import Reporter\n",
        }
    )
    report = run_check(root)
    assert [f.rule.name for f in report.findings] == ["missing-name"]
    (f,) = report.findings
    related = {(r.location.path.rsplit("/", 1)[-1], r.location.line) for r in f.related}
    assert ("b.py", 1) in related  # the second importer
    assert ("__init__.py", 1) in related  # the __all__ entry
    assert ("impl.py", 1) in related  # where it is defined
    assert "listed in __all__" in f.message


# a vendored copy's interface; tests against the real package live in test_environment.py
LAZY_LOADER = """
import importlib
def attach(package_name, submodules=None, submod_attrs=None):
    submodules = set(submodules or ())
    attr_to_modules = {a: m for m, attrs in (submod_attrs or {}).items() for a in attrs}
    names = sorted(submodules | set(attr_to_modules))
    def __getattr__(name):
        if name in submodules:
            return importlib.import_module(f"{package_name}.{name}")
        if name in attr_to_modules:
            module = importlib.import_module(f"{package_name}.{attr_to_modules[name]}")
            return getattr(module, name)
        raise AttributeError(name)
    return __getattr__, lambda: names, list(names)
"""


def test_lazy_loader_attach_literal_names(make_project):
    root = make_project(
        {
            "pkg/__init__.py": """
                import lazy_loader as lazy
                __getattr__, __dir__, __all__ = lazy.attach(
                    __name__,
                    submodules=["sub"],
                    submod_attrs={"impl": ["work", "wrok_typo"]},
                )
                """,
            "pkg/sub.py": "",
            "pkg/impl.py": "def work(): ...\n",
            "lazy_loader.py": LAZY_LOADER,
            "app.py": "from pkg import sub, work\nfrom pkg import missing_thing\n",
        }
    )
    report = run_check(root)
    names = sorted(f.name for f in findings(report, "missing-name"))
    assert names == ["missing_thing", "wrok_typo"]
    typo = next(f for f in report.findings if f.name == "wrok_typo")
    assert "lazy_loader.attach" in typo.message


def test_lazy_loader_typo_in_submodules(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "import lazy_loader\n__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, ['subb'])\n",
            "pkg/sub.py": "",
            "lazy_loader.py": LAZY_LOADER,
        }
    )
    (f,) = findings(run_check(root), "unresolved-module")
    assert f.module == "pkg.subb" and "lazy_loader.attach" in f.message


def test_lazy_loader_non_literal_arguments_are_unknown(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "import lazy_loader\nSUBS = ['x']\n__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, SUBS)\n",
            "lazy_loader.py": LAZY_LOADER,
            "app.py": "from pkg import anything\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_circular_reexport_chain_terminates(make_project):
    root = make_project(
        {
            "a.py": "from b import *\n",
            "b.py": "from a import *\n",
            "app.py": "from a import nothing\n",
        }
    )
    report = run_check(root)  # must terminate; verdict may be unknown
    assert all(f.rule.name in ("missing-name",) for f in report.findings)


def test_except_import_error_fallback_runs_only_when_the_try_fails(make_project):
    root = make_project(
        {
            "m.py": "new_name = 1\n",
            "app.py": """
                try:
                    from m import new_name
                except ImportError:
                    from m import old_name  # never runs: the try body succeeds
                try:
                    from m import gone
                except ImportError:
                    from m import also_gone  # surely runs, and surely fails
                try:
                    import optional_xyz
                except ImportError:
                    pass
                else:
                    from optional_xyz import feature  # runs only if the import worked
                """,
        }
    )
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["also_gone"]
    assert not imports_ok_at_runtime(root, "app")


def test_feature_flag_computed_from_version(make_project):
    root = make_project(
        {
            "app.py": """
                import sys
                PEP_560 = sys.version_info[:3] >= (3, 7, 0)
                if PEP_560:
                    GenericMeta = type
                else:
                    from typing import GenericMeta
                """,
        }
    )
    assert rules_of(run_check(root)) == []


def test_library_version_flags_are_feature_tests(make_project):
    """Shapes from Airflow (a flag imported from a version module), protobuf-generated code in
    mlflow (``Version(lib.__version__)``) and wagtail (``DJANGO_VERSION``, in a function run at
    import time): the branch that imports the old name never runs with this version. An
    ordinary flag guards nothing (``DEBUG``: the import surely fails when it is set)."""
    root = make_project(
        {
            "lib/__init__.py": '__version__ = "3.2.0"\nVERSION = (3, 2, 0)\n',
            "lib/permissions.py": "RESOURCE_ASSET = 'Assets'\n",
            "lib/version_compat.py": (
                "from lib import __version__\n"
                "LIB_V_3_0_PLUS = tuple(int(p) for p in __version__.split('.')) >= (3, 0, 0)\n"
            ),
            "app/__init__.py": "",
            "app/compat.py": """
                from lib.version_compat import LIB_V_3_0_PLUS
                if LIB_V_3_0_PLUS:
                    from lib.permissions import RESOURCE_ASSET
                else:
                    from lib.permissions import RESOURCE_DATASET as RESOURCE_ASSET
                """,
            "app/generated.py": """
                from lib import __version__ as lib_version

                def Version(text):
                    return tuple(int(p) for p in text.split("."))

                if Version(lib_version)[0] >= 3:
                    NEW = True
                else:
                    from lib.permissions import service
                """,
            "app/choices.py": """
                from lib import VERSION as LIB_VERSION

                def get_choices():
                    if LIB_VERSION >= (4, 1):
                        from lib.permissions import BLANK_LABEL
                        return BLANK_LABEL
                    return ""

                CHOICES = get_choices()
                """,
            "app/debug.py": """
                DEBUG = True
                if DEBUG:
                    from lib.permissions import DEBUG_TOOLBAR
                conversion = True  # a word holding "version" is no version
                if conversion:
                    from lib.permissions import CONVERTER
                """,
        }
    )
    for module in ("app.compat", "app.generated", "app.choices"):
        assert imports_ok_at_runtime(root, module)
    assert not imports_ok_at_runtime(root, "app.debug")
    reported = [(f.location.path.rsplit("/", 1)[-1], f.name) for f in findings(run_check(root), "missing-name")]
    assert reported == [("debug.py", "DEBUG_TOOLBAR"), ("debug.py", "CONVERTER")]


def test_flags_another_module_computes_are_feature_tests(make_project):
    """A flag computed from a version check in one module and tested in another, imported by
    name, read as a module attribute (six's ``six.PY2``) or through a dotted import, with a
    name that says nothing about versions (scrapy's TWISTED_TLS_NEW_IMPL, from a version
    comparison in scrapy/utils/_deps_compat.py): the branch importing the other version's
    name never runs here. A flag of another module that is no such check (DEBUG) still guards
    nothing, however it is reached."""
    root = make_project(
        {
            "lib/__init__.py": '__version__ = "3.2.0"\n',
            "lib/api.py": "def current():\n    return 1\n",
            "app/__init__.py": "",
            "app/deps_compat.py": """
                import sys
                from lib import __version__ as LIB_VERSION
                LIB_VERSION_INFO = tuple(int(p) for p in LIB_VERSION.split("."))
                TLS_NEW_IMPL = LIB_VERSION_INFO >= (3, 0)
                OLD_PYTHON = sys.version_info < (3, 8)
                DEBUG = True
                """,
            "app/by_name.py": """
                from app.deps_compat import TLS_NEW_IMPL

                def configure():
                    if not TLS_NEW_IMPL:
                        from lib.api import legacy_protocols
                        return legacy_protocols
                    return None

                configure()
                """,
            "app/by_attribute.py": """
                from app import deps_compat
                if deps_compat.OLD_PYTHON:
                    from lib.api import old_current as current
                else:
                    from lib.api import current
                """,
            "app/by_dotted_import.py": """
                import app.deps_compat
                if app.deps_compat.OLD_PYTHON:
                    from lib.api import oldest_current
                """,
            "app/by_alias.py": """
                import app.deps_compat as compat
                if compat.TLS_NEW_IMPL and True:
                    pass
                else:
                    from lib.api import legacy_alias
                """,
            "app/debug.py": """
                from app import deps_compat
                from app.deps_compat import DEBUG
                if DEBUG:
                    from lib.api import debug_toolbar
                if deps_compat.DEBUG:
                    from lib.api import debug_panel
                """,
        }
    )
    for module in ("app.by_name", "app.by_attribute", "app.by_dotted_import", "app.by_alias"):
        assert imports_ok_at_runtime(root, module)
    assert not imports_ok_at_runtime(root, "app.debug")
    reported = [(f.location.path.rsplit("/", 1)[-1], f.name) for f in findings(run_check(root), "missing-name")]
    assert reported == [("debug.py", "debug_toolbar"), ("debug.py", "debug_panel")]  # each its own finding: names differ


@pytest.mark.skipif(sys.version_info < (3, 11), reason="enum.global_enum is new in Python 3.11")
def test_global_enum_members_are_module_names(make_project):
    root = make_project(
        {
            "flags.py": """
                import enum
                @enum.global_enum
                class Color(enum.IntFlag):
                    RED = 1
                    BLUE = 2
                """,
            "app.py": "from flags import RED, BLUE\nfrom re import IGNORECASE\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert imports_ok_at_runtime(root, "app")


def test_package_with_import_hook_may_serve_submodules(make_project):
    root = make_project(
        {
            "vend/__init__.py": """
                import sys
                class _Importer:
                    def install(self):
                        sys.meta_path.append(self)
                _Importer().install()
                """,
            "app.py": "from vend import packaging\n",
        }
    )
    assert rules_of(run_check(root)) == []


def test_an_all_built_from_a_module_follows_the_module_level_binding(make_project):
    """``__all__ = core.__all__``: ``core`` is the module imported at module level, not the one a
    function imports under the same local name, so ``from pkg import *`` binds ``alpha`` only."""
    root = make_project(
        {
            "pkg/__init__.py": (
                "def _load():\n    from . import other as core\n    return core\n\n\n"
                "from . import core\nfrom .core import *\n__all__ = core.__all__\n"
            ),
            "pkg/core.py": "__all__ = ['alpha']\nalpha = 1\n",
            "pkg/other.py": "__all__ = ['beta']\nbeta = 2\n",
            "star.py": "from pkg import *\n",
            "uses_alpha.py": "from star import alpha\n",
            "uses_beta.py": "from star import beta\n",
        }
    )
    report = run_check(root)
    assert [(f.location.path.rsplit("/", 1)[-1], f.name) for f in findings(report, "missing-name")] == [("uses_beta.py", "beta")]
    assert imports_ok_at_runtime(root, "uses_alpha") and not imports_ok_at_runtime(root, "uses_beta")


def test_imports_of_one_missing_name_are_one_finding_that_counts_them(make_project):
    root = make_project({
        "lib.py": "present = 1\n",
        "a.py": "from lib import absent\n",
        "b.py": "from lib import absent\n",
        "c.py": "from lib import gone\n",
        "d.py": "from lib import gone\n",
        "e.py": "from lib import gone\n",
    })
    messages = {f.name: f.message for f in findings(run_check(root), "missing-name")}
    assert messages["absent"].endswith("[1 more import of it fails the same way]")
    assert messages["gone"].endswith("[2 more imports of it fail the same way]")
