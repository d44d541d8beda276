"""Idioms found in real packages (tests/realworld) that once made importgate report
imports that work. Each trap has a tiny project that must stay silent, a near miss
that must still be reported, and a real interpreter that says which is which."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import rules_of, run_check, shared_venv, site_packages


def runs(root, code: str, python: str = sys.executable, *args: str) -> bool:
    """Ground truth: does this code run in a fresh interpreter from the project root?"""
    proc = subprocess.run([python, *args, "-c", code] if code else [python, *args], cwd=root, capture_output=True, text=True)
    return proc.returncode == 0


# -- __all__ grown under `if TYPE_CHECKING:` (pip's vendored pyproject_hooks) ------------------------


def test_all_extended_only_for_type_checkers_is_not_an_export(make_project):
    root = make_project(
        {
            "pkg/__init__.py": """
                from typing import TYPE_CHECKING
                from ._impl import run
                __all__ = ["run"]
                if TYPE_CHECKING:
                    from ._impl import Runner
                    __all__ += ["Runner"]
                    __all__.append("Other")
            """,
            "pkg/_impl.py": "def run(): ...\nRunner = object\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "from pkg import *; run")


def test_all_extended_at_run_time_with_a_typing_only_name_is_reported(make_project):
    root = make_project(
        {
            "pkg/__init__.py": """
                from typing import TYPE_CHECKING
                from ._impl import run
                __all__ = ["run"]
                if TYPE_CHECKING:
                    from ._impl import Runner
                __all__ += ["Runner"]
            """,
            "pkg/_impl.py": "def run(): ...\nRunner = object\n",
        }
    )
    assert rules_of(run_check(root)) == [("undefined-export", "Runner")]
    assert not runs(root, "from pkg import *")


# -- `global X` then an import inside a function (matplotlib's qt_compat) -----------------------------


def test_import_into_a_global_from_a_function_binds_the_module_name(make_project):
    root = make_project(
        {
            "compat.py": """
                def _setup():
                    global QtCore, __version__
                    from json import decoder as QtCore
                    import json as __version__
                _setup()
            """,
            "backend.py": "from compat import QtCore\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import backend")


def test_import_into_a_local_from_a_function_binds_nothing(make_project):
    root = make_project(
        {
            "compat.py": """
                def _setup():
                    from json import decoder as QtCore
                    return QtCore
                _setup()
            """,
            "backend.py": "from compat import QtCore\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "QtCore")]
    assert not runs(root, "import backend")


# -- a function that rebuilds or fills a module taken from sys.modules (celery, matplotlib) -----------


def test_module_replaced_by_a_function_it_hands_its_name_to(make_project):
    root = make_project(
        {
            "lazy/__init__.py": """
                from . import local
                __all__ = ("answer", "shared_task")
                local.recreate_module(__name__, by_module={"lazy.app": ["shared_task"]}, answer=42)
            """,
            "lazy/local.py": """
                import importlib
                import sys
                import types

                def create_module(name, attrs):
                    module = sys.modules[name] = types.ModuleType(name)
                    module.__dict__.update(attrs)
                    return module

                def recreate_module(name, by_module, **attrs):
                    for origin, names in by_module.items():
                        for attr in names:
                            attrs[attr] = getattr(importlib.import_module(origin), attr)
                    return create_module(name, attrs)
            """,
            "lazy/app.py": "def shared_task(): ...\n",
            "use.py": "from lazy import answer, shared_task\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import use; from lazy import *; print(answer)")


def test_module_name_handed_to_a_function_that_only_reads_sys_modules(make_project):
    root = make_project(
        {
            "helpers.py": """
                import logging
                import sys

                def describe(name):
                    module = sys.modules[name]
                    return module.__doc__
            """,
            "mod.py": """
                import logging
                import helpers
                log = logging.getLogger(__name__)
                helpers.describe(__name__)
            """,
            "use.py": "from mod import missing\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "missing")]
    assert not runs(root, "import use")


BACKENDS = {
    "backends/__init__.py": "",
    "backends/bases.py": """
        import sys

        class Backend:
            FigureCanvas = None

            @staticmethod
            def export(cls):
                for name in ["FigureCanvas", "new_manager"]:
                    setattr(sys.modules[cls.__module__], name, getattr(cls, name))
                return cls
    """,
    "backends/qt.py": """
        from .bases import Backend

        class BackendQT(Backend):
            def new_manager(self): ...

        @BackendQT.export
        class _QT(BackendQT):
            FigureCanvas = "qt-canvas"
    """,
    "backends/agg.py": """
        from backends.bases import Backend as _Backend

        @_Backend.export
        class _Agg(_Backend):
            FigureCanvas = "agg-canvas"
            def new_manager(self): ...
    """,
}


def test_class_decorator_that_exports_into_its_module(make_project):
    root = make_project(
        {**BACKENDS, "use.py": "from backends.agg import FigureCanvas, new_manager\nfrom backends.qt import FigureCanvas as Q\n"}
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import use; print(use.FigureCanvas, use.Q)")


def test_class_decorator_that_does_not_touch_modules_proves_nothing(make_project):
    root = make_project(
        {
            **BACKENDS,
            "plain.py": """
                import functools

                @functools.total_ordering
                class Point:
                    def __lt__(self, other): return False
                    def __eq__(self, other): return True
            """,
            "use.py": "from plain import FigureCanvas\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "FigureCanvas")]
    assert not runs(root, "import use")


# -- setattr(module, computed_name, ...) (numpy.dtypes fills itself when its types are created) -------


def test_module_filled_through_setattr_with_computed_names(make_project):
    root = make_project(
        {
            "pkg/__init__.py": """
                from . import dtypes

                class StringDType: ...

                dtypes._add_dtype_helper(StringDType)
                from . import api
            """,
            "pkg/dtypes.py": """
                __all__ = []

                def _add_dtype_helper(DType):
                    from pkg import dtypes
                    setattr(dtypes, DType.__name__, DType)
                    __all__.append(DType.__name__)
            """,
            "pkg/api.py": "from .dtypes import *\n",
            "use.py": "from pkg.dtypes import StringDType\nfrom pkg.api import StringDType as S\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import use")


def test_setattr_on_something_else_proves_nothing(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from . import dtypes\n",
            "pkg/dtypes.py": """
                __all__ = []

                class Registry: ...

                def _add_dtype_helper(DType):
                    registry = Registry()
                    setattr(registry, DType.__name__, DType)
            """,
            "use.py": "from pkg.dtypes import StringDType\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "StringDType")]
    assert not runs(root, "import use")


# -- imports that a test expects to fail (networkx, sympy) -------------------------------------------


def test_import_expected_to_raise_inside_a_raises_block(make_project):
    root = make_project(
        {
            "lib.py": "pi = 3.14\n",
            "test_lib.py": """
                import contextlib
                import unittest

                def test_pi_class_is_not_exported():
                    from lib import pi
                    with unittest.TestCase().assertRaises(ImportError):
                        from lib import Pi
                    with contextlib.suppress(KeyError, ImportError):
                        from lib import nx

                test_pi_class_is_not_exported()
            """,
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import test_lib")


def test_import_inside_another_with_block_is_checked(make_project):
    root = make_project(
        {
            "lib.py": "pi = 3.14\n",
            "test_lib.py": """
                import unittest

                def test_pi():
                    with unittest.TestCase().assertRaises(KeyError):
                        from lib import Pi

                test_pi()
            """,
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "Pi")]
    assert not runs(root, "import test_lib")


# -- a script with a non-identifier name inside a package (setuptools' vendored jaraco.text) ---------


def test_relative_import_in_a_hyphenated_module_run_with_dash_m(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "",
            "pkg/layouts.py": "QWERTY = 'qwerty'\n",
            "pkg/to-dvorak.py": "from . import layouts\nprint(layouts.QWERTY)\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "", sys.executable, "-m", "pkg.to-dvorak")


def test_relative_import_in_a_hyphenated_top_level_script(make_project):
    root = make_project({"layouts.py": "", "to-dvorak.py": "from . import layouts\n"})
    assert rules_of(run_check(root)) == [("relative-beyond-top-level", None)]
    assert not runs(root, "", sys.executable, "to-dvorak.py")


# -- vendored namespace packages are imported by their namespace name (setuptools/_vendor/jaraco) ------


VENDORED = {
    "pyproject.toml": "[project]\nname = 'tool'\nversion = '0'\n",
    "tool/__init__.py": """
        import os, sys
        sys.path.append(os.path.join(os.path.dirname(__file__), "_vendor"))
        from jaraco.functools import compose
        from . import util
    """,
    "tool/util.py": "from functools import wraps, partial\n",
    "tool/_vendor/jaraco/functools/__init__.py": "def compose(*fs): ...\n",
    "tool/_vendor/jaraco/text/__init__.py": "from jaraco.functools import compose\n",
}


def test_vendored_namespace_package_does_not_shadow_the_stdlib(make_project):
    root = make_project(VENDORED)
    assert rules_of(run_check(root)) == []
    assert runs(root, "import tool, jaraco.text; from tool.util import wraps")


def test_vendored_namespace_package_names_are_still_checked(make_project):
    root = make_project({**VENDORED, "tool/_vendor/jaraco/text/__init__.py": "from jaraco.functools import pass_none\n"})
    assert rules_of(run_check(root)) == [("missing-name", "pass_none")]
    assert not runs(root, "import tool, jaraco.text")


# -- an installed namespace package without the portion asked for (kombu's google.cloud) -------------


@pytest.fixture(scope="module")
def ns_venv():
    """A bare venv whose site-packages holds a namespace portion `acmens/one.py` and a single-file module."""
    python = shared_venv("bare", [])
    site = site_packages(python)
    portion = site / "importgate_acmens" / "one.py"
    if not portion.exists():
        portion.parent.mkdir(exist_ok=True)
        portion.write_text("ONE = 1\n")
    lonely = site / "importgate_lonely.py"
    if not lonely.exists():
        lonely.write_text("from importgate_acmens import one\nfrom importgate_acmens import two\n")
    return python


def test_missing_portion_of_an_installed_namespace_is_a_missing_distribution(make_project, ns_venv):
    root = make_project(
        {
            "app.py": "from importgate_acmens import one\nfrom importgate_acmens import two\n",
            "optional.py": "def load():\n    from importgate_acmens import three\n    return three\n",
        }
    )
    report = run_check(root, python=str(ns_venv))
    assert rules_of(report) == [("unresolved-module", None)]
    (finding,) = report.findings
    assert "importgate_acmens.two" in finding.message and finding.location.line == 2
    assert runs(root, "from importgate_acmens import one", str(ns_venv))
    assert not runs(root, "import app", str(ns_venv))
    assert runs(root, "import optional", str(ns_venv))


def test_first_party_namespace_keeps_missing_name(make_project):
    root = make_project({"ns/one.py": "X = 1\n", "app.py": "from ns import one\nfrom ns import two\n"})
    assert rules_of(run_check(root)) == [("missing-name", "two")]
    assert not runs(root, "import app")


def test_single_installed_module_is_checked_alone(ns_venv):
    lonely = site_packages(ns_venv) / "importgate_lonely.py"
    report = run_check(lonely.parent, "importgate_lonely.py", python=str(ns_venv), cache=False)
    assert report.files == 1  # not every installed distribution beside it
    assert [(f.rule.name, f.module) for f in report.findings] == [("unresolved-module", "importgate_acmens.two")]
    assert not runs(lonely.parent, "import importgate_lonely", str(ns_venv))


# -- the module's class is swapped, or attributes are set through sys.modules[__name__] --------------


def test_module_class_swap_and_sys_modules_attributes(make_project):
    root = make_project(
        {
            "deprecated.py": """
                import sys
                import types

                class _Module(types.ModuleType):
                    @property
                    def old_name(self):
                        return 1

                sys.modules[__name__].__class__ = _Module
            """,
            "filled.py": "import sys\nsys.modules[__name__].answer = 42\n",
            "use.py": "from deprecated import old_name\nfrom filled import answer\nfrom filled import question\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "question")]
    assert runs(root, "from deprecated import old_name; from filled import answer")
    assert not runs(root, "import use")


# -- lazy_loader.attach_stub serves exactly what its .pyi imports (scikit-image) ---------------------

LAZY_ENV = ["markupsafe==3.0.2", "PyYAML==6.0.2", "lazy_loader==0.4", "types-toml==0.10.8.20240310", "six==1.16.0"]


def test_attach_stub_serves_the_names_its_stub_imports(make_project):
    python = shared_venv("env", LAZY_ENV)  # the same venv as test_environment.py
    root = make_project(
        {
            "filters/__init__.py": "import lazy_loader as _lazy\n__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)\n",
            "filters/__init__.pyi": "__all__ = ['gaussian', 'sobel']\nfrom ._gaussian import gaussian\nfrom ._edges import sobel\n",
            "filters/_gaussian.py": "def gaussian(): ...\ndef difference_of_gaussians(): ...\n",
            "filters/_edges.py": "def sobel(): ...\n",
            "app.py": "from filters import gaussian, sobel\nfrom filters import difference_of_gaussians\n",
        }
    )
    report = run_check(root, python=str(python))
    assert rules_of(report) == [("missing-name", "difference_of_gaussians")]
    assert "gaussian, sobel" in report.findings[0].message
    assert runs(root, "from filters import gaussian, sobel", str(python))
    assert not runs(root, "import app", str(python))


# -- globals()/locals() handed to something that only reads them (sqlalchemy, httpx) -----------------


def test_locals_passed_to_a_function_that_ignores_them_or_only_read(make_project):
    root = make_project(
        {
            "lib/__init__.py": """
                from .core import engine

                def __go(lcls):
                    from . import core
                    core.ready = True

                __go(locals())

                __locals = locals()
                for __name in ["engine"]:
                    setattr(__locals[__name], "__module__", "lib")
            """,
            "lib/core.py": "def engine(): ...\n",
            "use.py": "from lib import engine\nfrom lib import select\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "select")]
    assert runs(root, "from lib import engine")
    assert not runs(root, "import use")


def test_locals_passed_to_a_function_that_writes_through_them(make_project):
    root = make_project(
        {
            "lib/__init__.py": """
                def __go(lcls):
                    lcls["select"] = lambda: None

                __go(locals())

                __g = globals()
                __g["other"] = 1
            """,
            "use.py": "from lib import select, other\n",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "import use")


# -- __getattr__ built by a factory of the module (attrs) ---------------------------------------------


def test_getattr_from_a_local_factory_serves_its_literal_names(make_project):
    root = make_project(
        {
            "attrlike/__init__.py": """
                def define(): ...

                def _make_getattr(mod_name):
                    def __getattr__(name):
                        if name not in ("__version__", "__version_info__"):
                            raise AttributeError(f"module {mod_name} has no attribute {name}")
                        return "1.0"
                    return __getattr__

                __getattr__ = _make_getattr(__name__)
            """,
            "use.py": "from attrlike import define, __version__\nfrom attrlike import frozen\n",
        }
    )
    report = run_check(root)
    assert rules_of(report) == [("missing-name", "frozen")]
    assert "only serves: __version__, __version_info__" in report.findings[0].message
    assert runs(root, "from attrlike import define, __version__")
    assert not runs(root, "import use")


def test_getattr_from_a_factory_that_may_serve_anything(make_project):
    root = make_project(
        {
            "lazy/__init__.py": """
                import importlib

                def _make_getattr(mod_name):
                    def __getattr__(name):
                        return importlib.import_module(f"{mod_name}.{name}")
                    return __getattr__

                __getattr__ = _make_getattr(__name__)
            """,
            "lazy/sub.py": "",
            "use.py": "from lazy import anything\n",
        }
    )
    assert rules_of(run_check(root)) == []


# -- a file inside an installed package belongs to that package -------------------------------------


def test_file_inside_an_installed_package_keeps_its_dotted_name(ns_venv):
    site = site_packages(ns_venv)
    package = site / "importgate_pkg"
    if not (package / "testing" / "util.py").exists():
        (package / "testing").mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "testing" / "__init__.py").write_text("VALUE = 1\n")
        (package / "testing" / "util.py").write_text("def fixture():\n    from . import VALUE, fixture_functions\n")
    report = run_check(site, "importgate_pkg/testing/util.py", python=str(ns_venv), cache=False)
    assert [(f.module, f.name) for f in report.findings] == [("importgate_pkg.testing", "fixture_functions")]
    code = "from importgate_pkg.testing.util import fixture; fixture()"
    assert not runs(site, code, str(ns_venv))


def test_a_callee_bound_at_module_level_not_by_a_functions_import(make_project):
    """helpers.register is reader.register (the module-level import), which only reads the module
    it is handed; the writer a function imports under the same name is never helpers.register."""
    root = make_project(
        {
            "writer.py": """
                import sys

                def register(name):
                    setattr(sys.modules[name], "injected", 1)
            """,
            "reader.py": """
                import sys

                def register(name):
                    return sys.modules[name].__doc__
            """,
            "helpers.py": """
                def _later():
                    from writer import register
                    return register

                from reader import register
            """,
            "mod.py": "import helpers\nhelpers.register(__name__)\n",
            "use.py": "from mod import injected\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "injected")]
    assert not runs(root, "import use")


HIERARKEY = {
    "registry.py": """
        import sys

        class Registry:
            def add(self):
                def wrap(cls):  # django-hierarkey's Hierarkey.add(): a companion class in cls's module
                    name = cls.__name__ + "_Store"
                    setattr(sys.modules[cls.__module__], name, type(name, (), {}))
                    return cls
                return wrap

            def tag(self):
                def wrap(cls):
                    cls.tagged = True
                    return cls
                return wrap

            def later(self):
                def writer(cls):  # defined, never returned: runs only if someone calls it
                    setattr(sys.modules[cls.__module__], "Later", cls)
                return None

        registry = Registry()
    """,
    "models.py": """
        from registry import registry

        @registry.add()
        class Event:
            pass
    """,
    "tagged.py": """
        from registry import registry

        @registry.tag()
        class Item:
            pass

        registry.later()
    """,
}


def test_decorator_factory_of_an_instance_that_exports_into_its_module(make_project):
    """pretix's models: ``@hierarkey.add()`` runs the function ``add`` returns on the class, which
    sets ``Event_Store`` in the class's module. A factory whose decorator touches no module, or
    whose writer is never returned, proves nothing."""
    root = make_project({
        **HIERARKEY,
        "use.py": "from models import Event_Store\n",
        "other.py": "from tagged import Item_Store\n",
        # the instance made in another module than its class (pretix's settings_hierarkey)
        "settings_.py": "from registry import Registry\n\nhierarkey = Registry()\n",
        "orgs.py": "from settings_ import hierarkey\n\n\n@hierarkey.add()\nclass Organizer:\n    pass\n",
        "use_orgs.py": "from orgs import Organizer_Store\n",
    })
    assert runs(root, "import use") and runs(root, "import use_orgs") and not runs(root, "import other")
    assert rules_of(run_check(root)) == [("missing-name", "Item_Store")]


# -- a package filled in by a submodule it imports (toolz's tlz, used by dask) --------------------


@pytest.mark.parametrize(
    "build",
    [
        'import sys\nsys.modules["lib"].__dict__.update({"hello": 1})\n',
        # tlz/_build_tlz.py: a finder on sys.meta_path serves lib.* from elsewhere, and fills lib itself
        "import sys\n\n\nclass Loader:\n    def find_spec(self, fullname, path, target=None):\n"
        "        if fullname == 'lib.curried':\n            import importlib.util\n"
        "            return importlib.util.spec_from_loader(fullname, self)\n        return None\n\n"
        "    def create_module(self, spec):\n        return None\n\n"
        "    def exec_module(self, module):\n        module.__dict__.update({'hello': 1})\n\n\n"
        "loader = Loader()\nsys.meta_path.append(loader)\nloader.exec_module(sys.modules['lib'])\n",
    ],
)
def test_a_package_a_submodule_fills_in_through_sys_modules(make_project, build):
    files = {"lib/__init__.py": "from . import _build\n", "lib/_build.py": build, "main.py": "from lib import hello\n"}
    if "meta_path" in build:
        files["main.py"] += "import lib.curried\n"
    root = make_project(files)
    assert runs(root, "import main")
    assert rules_of(run_check(root)) == []


def test_a_submodule_writing_another_module_through_sys_modules_fills_only_that_one(make_project):
    """The near miss: lib._build writes into `other`, not into lib, and installs no finder: a
    name lib lacks and a submodule lib lacks are still reported."""
    root = make_project({
        "other.py": "",
        "lib/__init__.py": "from . import _build\n",
        "lib/_build.py": 'import sys\nimport other\nsys.modules["other"].__dict__.update({"hello": 1})\n',
        "main.py": "import lib\n",
        "broken.py": "from lib import hello\n",
        "broken_sub.py": "import lib.curried\n",
    })
    assert runs(root, "import main") and not runs(root, "import broken") and not runs(root, "import broken_sub")
    assert rules_of(run_check(root)) == [("missing-name", "hello"), ("unresolved-module", None)]


# -- a module whose __getattr__ lends it a __path__ (dask.distributed) ------------------------------


def test_a_module_whose_getattr_may_serve_a_path_may_have_submodules(make_project):
    root = make_project({
        "realpkg/__init__.py": "",
        "realpkg/sub.py": "x = 1\n",
        "shim.py": "def __getattr__(name):\n    import realpkg\n    return getattr(realpkg, name)\n",
        "main.py": "from shim.sub import x\n",
        "narrow.py": "def __getattr__(name):\n    if name == 'x':\n        return 1\n    raise AttributeError(name)\n",
        "broken.py": "from narrow.sub import x\n",  # the near miss: its __getattr__ serves only 'x'
    })
    assert runs(root, "import main") and not runs(root, "import broken")
    report = run_check(root)
    assert [(f.rule.name, f.location.path.rsplit("/", 1)[-1]) for f in report.findings] == [("unresolved-module", "broken.py")]


def test_installed_tlz_which_toolz_fills_in_at_import(make_project):
    """The real package: toolz's tlz/__init__.py imports tlz._build_tlz, which appends a finder
    serving tlz.* to sys.meta_path and fills tlz from cytoolz or toolz (dask imports it
    everywhere). toolz.itertoolz is plain code: a name it lacks is still reported."""
    python = shared_venv("toolz", ["toolz==1.1.0"])
    root = make_project({
        "app.py": "from tlz import merge, curry, sliding_window\nimport tlz.curried\nfrom tlz.functoolz import compose\n",
        "broken.py": "from toolz.itertoolz import no_such_toolz_function\n",
    })
    assert runs(root, "import app", str(python)) and not runs(root, "import broken", str(python))
    assert rules_of(run_check(root, python=str(python))) == [("missing-name", "no_such_toolz_function")]


# -- a namespace package shared with installed distributions (azure, opentelemetry) ----------------


@pytest.fixture(scope="module")
def azure_venv():
    return shared_venv("azure", ["azure-core==1.41.0"])


def test_a_project_inside_a_namespace_it_shares_with_installed_distributions(make_project, azure_venv):
    """azure-storage-blob and opentelemetry-sdk live in namespaces (`azure`, `opentelemetry`)
    that other distributions fill too. `azure.core` is then installed code, not the project's:
    its distribution is used (and must be declared); a missing `azure.mine_ext` may come from
    another, optional distribution, so a deferred or guarded import of it is left alone, as any
    optional third-party import is. The project's own missing module is still reported."""
    root = make_project({
        "pyproject.toml": '[project]\nname = "azure-mine"\nversion = "0"\ndependencies = ["azure-core"]\n',
        "azure/mine/__init__.py": (
            "from azure.core.exceptions import AzureError\n\n\n"
            "def crc(data):\n    from azure.mine_ext import checksums\n    return checksums.crc64(data)\n\n\n"
            "def verify():\n    try:\n        import azure.mine_ext\n    except ImportError as exc:\n"
            "        raise ValueError('install the [ext] extra') from exc\n"
        ),
        "azure/mine/broken.py": "from azure.mine import nothing_here\n",
    })
    assert runs(root, "import azure.mine", str(azure_venv))
    assert rules_of(run_check(root, python=str(azure_venv))) == [("missing-name", "nothing_here")]
    (root / "pyproject.toml").write_text('[project]\nname = "azure-mine"\nversion = "0"\ndependencies = []\n')
    assert ("undeclared-dependency", "azure-core") in rules_of(run_check(root, python=str(azure_venv)))
