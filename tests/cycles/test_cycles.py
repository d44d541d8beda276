"""circular-import / order-dependent-import: every positive case is proven by a real
`python -c "import <first>"` that fails, every negative case by imports that work."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support import cycle_model, findings, run_check


def import_error(root, *modules: str) -> str | None:
    """Ground truth: import the modules, in order, in a fresh interpreter; the last line
    of the traceback, or None when it works."""
    code = "; ".join(f"import {m}" for m in modules)
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    if proc.returncode == 0:
        return None
    return (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]


def cycle_findings(report):
    return findings(report, "circular-import") + findings(report, "order-dependent-import")


def rel(finding, root) -> str:
    return f"{finding.location.path[len(str(root)) + 1:]}:{finding.location.line}"


# -- failures ---------------------------------------------------------------------------------


def test_two_module_from_import_cycle_fails_in_every_order(make_project):
    root = make_project(
        {
            "app/__init__.py": "",
            "app/models.py": "from app.signals import on_save\n\n\nclass User:\n    pass\n",
            "app/signals.py": "from app.models import User\n\n\ndef on_save():\n    pass\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG401"
    assert rel(finding, root) == "app/signals.py:1"
    assert finding.module == "app.models" and finding.name == "User"
    assert "app.models:1 -> app.signals:1" in finding.message
    assert "binds 'User' only at line 4" in finding.message
    notes = {f"{r.location.path[len(str(root)) + 1:]}:{r.location.line}": r.message for r in finding.related}
    assert "the cycle starts here" in notes["app/models.py:1"]
    assert "when app.signals is imported first it fails here" in notes["app/models.py:1"]
    assert "too late" in notes["app/models.py:4"]
    assert finding.hint and "import app.models" in finding.hint and "above line 1" in finding.hint
    assert "cannot import name 'User' from partially initialized module 'app.models'" in import_error(root, "app.models")
    assert "cannot import name 'on_save' from partially initialized module 'app.signals'" in import_error(root, "app.signals")


def test_three_module_cycle(make_project):
    root = make_project(
        {
            "a.py": "import b\n\nA = 1\n",
            "b.py": "import c\n\nB = 2\n",
            "c.py": "from a import A\n\nC = 3\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "c.py:1"
    assert "a:1 -> b:1 -> c:1" in finding.message
    assert "cannot import name 'A' from partially initialized module 'a'" in import_error(root, "a")
    # b first: b -> c -> a -> b (running: `import b` is fine) -> a finishes -> c gets A: works
    assert import_error(root, "b") is None and import_error(root, "c") is None
    assert finding.rule.code == "IG402"
    assert "when a is imported first" in finding.message
    assert "no failure when importing b, c first" in finding.message


def test_order_dependent_cycle_q_fails_first_p_works(make_project):
    files = {
        "p.py": "def f():\n    return 1\n\n\nfrom q import g\n",
        "q.py": "from p import f\n\n\ndef g():\n    return f()\n",
    }
    root = make_project(files)
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG402" and finding.effective_severity.name == "WARNING"
    assert rel(finding, root) == "p.py:5"
    assert "when q is imported first: q:1 -> p:5" in finding.message
    assert "no failure when importing p first" in finding.message
    assert "cannot import name 'g' from partially initialized module 'q'" in import_error(root, "q")
    assert import_error(root, "p") is None
    assert import_error(root, "p", "q") is None

    # the start-up from the entries imports p first: it works, the warning stays a warning
    [entry_p] = cycle_findings(run_check(root, entries=("p",)))
    assert entry_p.rule.code == "IG402"
    # ... and an entry that imports q first fails: an error
    [entry_q] = cycle_findings(run_check(root, entries=("q:main",)))
    assert entry_q.rule.code == "IG401"
    assert "in the start-up from the entries (q)" in entry_q.message


def test_entries_run_in_order_in_one_interpreter(make_project):
    root = make_project(
        {
            "main.py": "import p\nimport q\n",
            "p.py": "def f():\n    return 1\n\n\nfrom q import g\n",
            "q.py": "from p import f\n\n\ndef g():\n    return f()\n",
            "worker.py": "import q\n",
        }
    )
    assert [f.rule.code for f in cycle_findings(run_check(root, entries=("main",)))] == ["IG402"]
    [failing] = cycle_findings(run_check(root, entries=("worker",)))
    assert failing.rule.code == "IG401" and "worker:1 -> q:1 -> p:5" in failing.message
    assert import_error(root, "main") is None
    assert "partially initialized module 'q'" in import_error(root, "worker")


def test_cycle_through_a_package_init(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from .client import Client\nfrom .errors import HTTPError\n",
            "pkg/client.py": "from pkg import HTTPError\n\n\nclass Client:\n    pass\n",
            "pkg/errors.py": "class HTTPError(Exception):\n    pass\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG401"
    assert rel(finding, root) == "pkg/client.py:1"
    assert "pkg:1 -> pkg.client:1" in finding.message
    assert "binds 'HTTPError' only at line 2" in finding.message
    # whichever module is imported first, the package's __init__ runs first
    for first in ("pkg", "pkg.client", "pkg.errors"):
        assert "cannot import name 'HTTPError' from partially initialized module 'pkg'" in import_error(root, first)


def test_package_importing_a_name_from_itself_too_early(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "from pkg import helper\n\n\ndef helper():\n    pass\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG401" and rel(finding, root) == "pkg/__init__.py:1"
    assert "partially initialized module 'pkg'" in import_error(root, "pkg")


def test_module_level_attribute_of_a_half_built_module(make_project):
    root = make_project(
        {
            "m1.py": "import m2\n\n\ndef f():\n    pass\n",
            "m2.py": "import m1\n\nhandler = m1.f\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "m2.py:3"
    assert "`m1.f` raises AttributeError" in finding.message
    assert finding.rule.code == "IG402"  # m2 first works: m1 is finished when m2 reads m1.f
    # 3.13 words it "module 'm1' has no attribute 'f' (consider renaming ...)" when the module lies in sys.path[0]
    assert "module 'm1' has no attribute 'f'" in import_error(root, "m1")
    assert import_error(root, "m2") is None


@pytest.mark.parametrize("read", ["y = pkg.x\n", "\n\nclass C:\n    z = pkg.x\n", "\n\n@pkg.x.register\ndef f():\n    pass\n"])
def test_reading_the_own_package_through_a_plain_import_of_it_while_it_runs(make_project, read):
    """`import pkg` in pkg.a only binds a name (pkg always runs before pkg.a), but reading
    `pkg.x` through it at import time reads the half-built package: that import is an edge of
    the graph (the trap beside the next test)."""
    root = make_project({"pkg/__init__.py": "from pkg import a\nx = 1\n", "pkg/a.py": "import pkg\n" + read})
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG401" and "partially initialized module 'pkg' has no attribute 'x'" in finding.message
    assert "partially initialized module 'pkg' has no attribute 'x'" in import_error(root, "pkg")
    assert "partially initialized module 'pkg' has no attribute 'x'" in import_error(root, "pkg.a")


def test_a_plain_import_of_the_own_package_read_by_nothing_at_import_is_no_edge(make_project):
    """pkg.a imports its own package and reads it only inside a function: the statement runs
    nothing whenever it runs (pkg is running or done), so pkg.a is on no import cycle and the
    graph has no edge for it; every order works. The same for `from pkg import a` (a submodule:
    it reads nothing pkg binds) and `from pkg.a import f` (another module), unlike a name read
    from the package (pkg.c), which may be read half-built."""
    root = make_project({
        "pkg/__init__.py": "from pkg import a\nx = 1\n",
        "pkg/a.py": "import pkg\nimport pkg as _p\n\n\ndef f():\n    return pkg.x\n",
        "pkg/b.py": "import pkg\nfrom pkg import a\nfrom pkg.a import f\n",
        "pkg/c.py": "from pkg import x\n",
    })
    report = run_check(root)
    assert cycle_findings(report) == []
    assert all(import_error(root, name) is None for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"))
    model = cycle_model(root)
    by_name = {model.name[path]: path for path in model.facts}
    assert model.successors[by_name["pkg.a"]] == set()  # no edge back to pkg: pkg.a is on no cycle
    assert model.successors[by_name["pkg.b"]] == {by_name["pkg.a"]}
    assert by_name["pkg"] in model.successors[by_name["pkg.c"]]  # `from pkg import x` reads pkg: an edge
    assert by_name["pkg.a"] not in model.cyclic_modules()


def test_attribute_chain_through_a_submodule_that_has_not_finished(make_project):
    root = make_project(
        {
            "pk/__init__.py": "from pk.x import X\nY = 1\n",
            "pk/x.py": "import pk.x\n\nX = 1\nname = pk.x.__name__\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "pk/x.py:4"
    assert "has no attribute 'x'" in import_error(root, "pk")


def test_star_import_of_a_half_built_module_then_a_name_it_binds_later(make_project):
    root = make_project(
        {
            "t1.py": "a = 1\nfrom t2 import *\n\n\nclass Base:\n    pass\n",
            "t2.py": "from t1 import *\n\nx = a\n\n\nclass C(Base):\n    pass\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "t2.py:6"
    assert "name 'Base' is not defined" in finding.message
    assert "NameError: name 'Base' is not defined" in import_error(root, "t1")
    assert import_error(root, "t2") is None


def test_star_import_whose_all_names_an_unbound_name(make_project):
    root = make_project(
        {
            "s1.py": '__all__ = ["a", "b"]\na = 1\nfrom s2 import *\nb = 2\n',
            "s2.py": "from s1 import *\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "s2.py:1"
    assert "__all__" in finding.message and "'b'" in finding.message
    # 3.13 words it "module 's1' has no attribute 'b' (consider renaming ...)" when the module lies in sys.path[0]
    assert "module 's1' has no attribute 'b'" in import_error(root, "s1")


def test_relative_imports(make_project):
    root = make_project(
        {
            "shop/__init__.py": "",
            "shop/cart.py": "from .pricing import price\n\n\nclass Cart:\n    pass\n",
            "shop/pricing.py": "from .cart import Cart\n\n\ndef price():\n    pass\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG401"
    assert "partially initialized module 'shop.cart'" in import_error(root, "shop.cart")
    assert "partially initialized module 'shop.pricing'" in import_error(root, "shop.pricing")


def test_one_finding_per_cycle_and_its_inline_suppression(make_project):
    files = {"a.py": "from b import B\n\nA = 1\n", "b.py": "from a import A\n\nB = 2\n"}
    root = make_project(files)
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "b.py:1"  # the failure when a (the first in name order) is imported first
    assert any(r.location.path.endswith("a.py") and "when b is imported first" in r.message for r in finding.related)
    files["b.py"] = "from a import A  # importgate: ignore[circular-import]\n\nB = 2\n"
    root = make_project(files, subdir="suppressed")
    assert cycle_findings(run_check(root)) == []


# -- cycles that work ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(  # import the module, use its attributes inside functions
            {
                "app/__init__.py": "",
                "app/models.py": "import app.signals\n\n\nclass User:\n    def save(self):\n        app.signals.on_save(self)\n",
                "app/signals.py": "import app.models\n\n\ndef on_save(user):\n    return isinstance(user, app.models.User)\n",
            },
            id="import-module-attributes-in-functions",
        ),
        pytest.param(  # the name is bound above the import that closes the cycle
            {
                "a.py": "class A:\n    pass\n\n\nfrom b import B\n",
                "b.py": "class B:\n    pass\n\n\nfrom a import A\n",
            },
            id="defined-above-the-cyclic-import",
        ),
        pytest.param(
            {
                "a.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from b import B\n\n\nclass A:\n    pass\n",
                "b.py": "from a import A\n\n\nclass B(A):\n    pass\n",
            },
            id="type-checking-only",
        ),
        pytest.param(
            {
                "a.py": "def make():\n    from b import B\n    return B()\n\n\nclass A:\n    pass\n",
                "b.py": "from a import A\n\n\nclass B(A):\n    pass\n",
            },
            id="import-inside-a-function",
        ),
        pytest.param(
            {
                "a.py": "try:\n    from b import B\nexcept ImportError:\n    B = None\n\n\nclass A:\n    pass\n",
                "b.py": "from a import A\n\n\nclass B(A):\n    pass\n",
            },
            id="caught-by-try-except-importerror",
        ),
        pytest.param(  # the submodule is imported, or found in sys.modules, not read as an attribute
            {
                "pkg/__init__.py": "from pkg import sub\n\nVALUE = sub.X\n",
                "pkg/sub.py": "from pkg import other\n\nX = 1\n",
                "pkg/other.py": "from pkg import sub\n\nY = 2\n",
            },
            id="from-package-import-submodule",
        ),
        pytest.param(
            {
                "a.py": "import b\n\n\ndef helper():\n    pass\n",
                "b.py": "import a\n\n\ndef use():\n    return a.helper()\n",
            },
            id="plain-import-cycle",
        ),
        pytest.param(  # PEP 562 __getattr__ bound before the cycle may serve the name
            {
                "a.py": "def __getattr__(name):\n    return 42\n\n\nimport b\nA = 1\n",
                "b.py": "from a import A\n",
            },
            id="module-getattr",
        ),
        pytest.param(  # the star import that ran before may bring the name
            {
                "base.py": "A = 1\n",
                "a.py": "from base import *\nimport b\nA = 2\n",
                "b.py": "from a import A\n",
            },
            id="star-import-before-the-cycle",
        ),
        pytest.param(  # star import of a half-built module, names used only in functions
            {
                "t1.py": "from t2 import *\n\n\nclass Base:\n    pass\n",
                "t2.py": "from t1 import *\n\n\ndef make():\n    return Base()\n",
            },
            id="star-import-names-used-in-functions",
        ),
        pytest.param(
            {
                "a.py": "import contextlib\n\nwith contextlib.suppress(ImportError):\n    from b import B\n\nA = 1\n",
                "b.py": "from a import A\n\nB = 2\n",
            },
            id="contextlib-suppress-importerror",
        ),
        pytest.param(  # the read is inside a with block: a context manager may swallow the error
            {
                "m1.py": "import m2\n\n\ndef f():\n    pass\n",
                "m2.py": "import contextlib\nimport m1\n\nwith contextlib.suppress(AttributeError):\n    handler = m1.f\n",
            },
            id="read-inside-with",
        ),
        pytest.param(  # the AttributeError raised inside b is caught around `import b`
            {
                "a.py": "try:\n    import b\nexcept AttributeError:\n    b = None\n\n\ndef f():\n    pass\n",
                "b.py": "import a\n\nhandler = a.f\n",
            },
            id="attribute-error-caught-around-the-import",
        ),
        pytest.param(  # only under `if __name__ == "__main__"`: never runs on import
            {
                "a.py": "A = 1\n\nif __name__ == '__main__':\n    import b\n",
                "b.py": "import a\n\nB = a.A\n",
            },
            id="main-guard",
        ),
        pytest.param(  # a conditional binding before the cycle may have bound the name
            {
                "a.py": "import os\nif os.environ.get('X', '1'):\n    A = 1\nimport b\nA = 2\n",
                "b.py": "from a import A\n",
            },
            id="conditional-binding-before",
        ),
    ],
)
def test_cycles_that_work_are_silent(make_project, files):
    root = make_project(files)
    assert cycle_findings(run_check(root)) == []
    for path in files:
        module = path[:-3].replace("/", ".").removesuffix(".__init__")
        assert import_error(root, module) is None, module


def test_conditional_import_makes_the_outcome_unknown(make_project):
    # whether b runs (and fails) depends on the environment: not certain, so silent
    root = make_project(
        {
            "a.py": "import os\n\nif os.environ.get('USE_B'):\n    import b\n\nA = 1\n",
            "b.py": "from a import A\n",
        }
    )
    assert cycle_findings(run_check(root)) == []
    assert import_error(root, "a") is None


def test_an_earlier_failure_is_not_blamed_on_the_cycle(make_project):
    # `import missing_dependency` raises first: the cycle never gets to fail
    root = make_project(
        {
            "a.py": "import b\nA = 1\n",
            "b.py": "import missing_dependency_xyz\nfrom a import A\n",
        }
    )
    assert cycle_findings(run_check(root)) == []
    assert "No module named 'missing_dependency_xyz'" in import_error(root, "a")


def test_an_attribute_another_module_sets_is_never_claimed_missing(make_project):
    # injector sets a.A on the half-built module before b reads it: a and b work. (Importing
    # injector first does fail, but which module runs first decides it: stay silent.)
    root = make_project(
        {
            "a.py": "import injector\nimport b\nA = 1\n",
            "injector.py": "import a\na.A = 0\n",
            "b.py": "from a import A\n",
        }
    )
    assert cycle_findings(run_check(root)) == []
    assert import_error(root, "a") is None and import_error(root, "b") is None


def test_submodule_read_as_an_attribute_before_it_finishes(make_project):
    root = make_project({"a/__init__.py": "", "a/b.py": "import a.c\nX = 1\n", "a/c.py": "import a.b\nY = a.b.X\n"})
    [finding] = cycle_findings(run_check(root))
    assert finding.rule.code == "IG402" and rel(finding, root) == "a/c.py:2"
    assert "cannot access submodule 'b' of module 'a'" in finding.message
    assert "when a.b is imported first: a.b:1 -> a.c:2" in finding.message
    error = import_error(root, "a.b")
    assert error.startswith("AttributeError") and "'b'" in error  # wording differs between Python versions
    assert import_error(root, "a.c") is None


def test_dunder_names_other_than_module_attributes_are_ordinary_names(make_project):
    root = make_project(
        {
            "pkg/__init__.py": 'from .core import run\n\n__version__ = "1.0"\n',
            "pkg/core.py": "from pkg import __version__\n\n\ndef run():\n    return __version__\n",
            "other/__init__.py": "from .core import run\n",
            "other/core.py": "from other import __name__ as package_name\n\n\ndef run():\n    return package_name\n",
        }
    )
    [finding] = cycle_findings(run_check(root))
    assert finding.name == "__version__" and rel(finding, root) == "pkg/core.py:1"
    assert "cannot import name '__version__' from partially initialized module 'pkg'" in import_error(root, "pkg")
    assert import_error(root, "other") is None


@pytest.mark.parametrize(
    "a_source",
    [
        pytest.param("class A:\n    from b import B\n", id="import-in-a-class-body"),
        pytest.param("try:\n    from b import B\nexcept ModuleNotFoundError:\n    B = None\n\n\nclass A:\n    pass\n", id="try-that-catches-a-missing-module-only"),
        pytest.param("try:\n    from b import B\nfinally:\n    pass\n\n\nclass A:\n    pass\n", id="try-without-a-handler"),
    ],
)
def test_imports_that_run_at_import_time_wherever_they_sit(make_project, a_source):
    root = make_project({"a.py": a_source, "b.py": "from a import A\n\n\nclass B:\n    pass\n"})
    [finding] = cycle_findings(run_check(root))
    assert rel(finding, root) == "b.py:1" and finding.module == "a" and finding.name == "A"
    assert finding.rule.code == "IG401"
    if "class A:\n    from b" in a_source:
        assert "binds 'A' only when its class statement ends" in finding.message
        assert "out of the body of class A" in finding.hint
    assert "cannot import name 'A' from partially initialized module 'a'" in import_error(root, "a")


@pytest.mark.parametrize(
    "a_source",
    [
        pytest.param(
            "try:\n    import not_installed_anywhere\n    from b import B\nexcept ModuleNotFoundError:\n    B = None\n\n\nclass A:\n    pass\n",
            id="after-an-optional-import-in-the-same-try",
        ),
        pytest.param(
            "try:\n    import c\n    from b import B\nexcept NameError:\n    B = None\n\n\nclass A:\n    pass\n",
            id="after-an-import-that-raises-what-the-handler-catches",
        ),
        pytest.param(
            "import contextlib\n\nwith contextlib.suppress(ValueError):\n    int('x')\n    from b import B\n\n\nclass A:\n    pass\n",
            id="after-a-statement-the-context-manager-swallows",
        ),
        pytest.param(
            "try:\n    if int('x'):\n        pass\n    from b import B\nexcept ValueError:\n    B = None\n\n\nclass A:\n    pass\n",
            id="after-a-header-that-raises",
        ),
        pytest.param(
            "try:\n    with open('no-such-file'):\n        from b import B\nexcept FileNotFoundError:\n    B = None\n\n\nclass A:\n    pass\n",
            id="after-a-with-item-that-raises",
        ),
        pytest.param(
            "try:\n    import not_installed_anywhere, b\nexcept ModuleNotFoundError:\n    b = None\n\n\nclass A:\n    pass\n",
            id="second-module-of-one-import-statement",
        ),
    ],
)
def test_a_failing_import_that_an_earlier_caught_error_skips_is_not_claimed(make_project, a_source):
    """Found by a stress run: an earlier statement of the same try (or with) body may raise what
    is caught there, and then the import that would fail never runs: nothing is certain."""
    root = make_project({"a.py": a_source, "b.py": "from a import A\n\n\nclass B:\n    pass\n", "c.py": "y = undefined_name\n"})
    assert cycle_findings(run_check(root)) == []
    assert import_error(root, "a") is None and import_error(root, "b") is None


@pytest.mark.parametrize(
    "a_source",
    [
        pytest.param("try:\n    from b import B\nexcept ValueError:\n    B = None\n\n\nclass A:\n    pass\n", id="try-that-catches-something-else"),
        pytest.param("import contextlib\n\nwith contextlib.suppress(ValueError):\n    from b import B\n\n\nclass A:\n    pass\n", id="with-a-context-manager"),
    ],
)
def test_no_claim_where_an_error_of_code_the_simulation_does_not_follow_may_be_swallowed(make_project, a_source):
    """Found by a stress run: the import that starts the cycle sits where an error may be caught
    or swallowed (a handler for something else than a missing module, any context manager), and
    the module it runs may raise such an error before the cycle fails (here: ``int('x')``, code
    the simulation does not follow): nothing is certain. Without that line the cycle would fail,
    but importgate cannot see which statements may raise."""
    root = make_project({"a.py": a_source, "b.py": "int('x')\nfrom a import A\n\n\nclass B:\n    pass\n"})
    assert cycle_findings(run_check(root)) == []
    assert import_error(root, "a") is None


def test_an_earlier_caught_error_in_the_importer_skips_the_failing_import_too(make_project):
    """The try is in the module imported first, around the import that starts the cycle: an
    error of the cycle that the simulation does not follow (an attribute read of a running
    submodule) is caught there, so importing it works, while importing two.t1 first fails."""
    root = make_project({
        "two/__init__.py": "",
        "two/t0.py": "import two\np = two.t0.n2\n",
        "two/t1.py": "import two.t0\nfrom two.t1 import n3\nn3 = 1\n",
        "a2.py": "try:\n    import two.t0\n    import two.t1\nexcept AttributeError:\n    pass\n",
    })
    messages = [f.message for f in cycle_findings(run_check(root))]
    assert not any("a2" in m for m in messages), messages
    assert import_error(root, "a2") is None


def test_many_simulations_spread_over_workers_give_the_same_findings(make_project, tmp_path, monkeypatch):
    """Over a hundred modules on one cycle and a hundred more that reach it: the simulations
    run in forked workers with --jobs 2 and in this process with --jobs 1; same findings, and
    the claimed failure is real. (The pool starts at fewer simulations here than by default,
    so that real Python can still import the chain.)"""
    from importgate import beside
    from importgate.rules import cycles

    monkeypatch.setattr(cycles, "_PARALLEL_MIN_STARTS", 96)
    monkeypatch.setattr(cycles, "_PARALLEL_MIN_OUTSIDE", 96)
    monkeypatch.setattr(beside, "BESIDE_MIN_FILES", 10_000)  # the family in this process, its pool in use
    size = 120
    files = {"big/__init__.py": ""}
    for i in range(size - 1):
        files[f"big/m{i}.py"] = f"import big.m{i + 1}\n\nVALUE = {i}\n"
    files[f"big/m{size - 1}.py"] = "from big.m0 import VALUE\n"
    for j in range(110):
        files[f"big/outside{j}.py"] = "import big.m0\n"
    root = make_project(files)
    serial = run_check(root, jobs=1, cache=False)
    parallel = run_check(root, jobs=2, cache_dir=str(tmp_path / "cache"))  # workers must not use its connection
    assert [(f.rule.name, f.location, f.message) for f in cycle_findings(serial)] == [
        (f.rule.name, f.location, f.message) for f in cycle_findings(parallel)
    ]
    failing = cycle_findings(parallel)
    assert failing and {rel(f, root) for f in failing} == {f"big/m{size - 1}.py:1"}
    assert "ImportError" in (import_error(root, "big.m0") or "")
    assert "ImportError" in (import_error(root, "big.outside7") or "")
    assert import_error(root, f"big.m{size - 1}") is None


MAYBE_THEN_SURELY = {
    "a.py": "from b import B\nA = 1\n",
    "b.py": "from a import A\nB = 2\n",
    "x.py": "import os\nif os.environ.get('Z'):\n    import util\nimport util\nimport a\n",
}


def test_a_module_that_may_have_run_and_reaches_no_cycle_is_done_once_surely_imported(make_project):
    """x may import util under an `if`, then surely does: util reaches no cycle, so it has run to
    the end or runs to the end now, and it cannot raise on a cycle: x's import of a that follows
    surely runs, and x fails too. Were util on a cycle (util2), its second import might raise on
    it after a partial first run, and nothing after it is certain."""
    from support import cycle_claims

    root = make_project({**MAYBE_THEN_SURELY, "util.py": "import json\n"})
    [finding] = cycle_findings(run_check(root))
    _, too, _ = cycle_claims(finding.message)
    assert "x" in too
    assert "partially initialized module 'a'" in import_error(root, "x")
    root = make_project({**MAYBE_THEN_SURELY, "util.py": "import util2\n", "util2.py": "import util\n"})
    [finding] = cycle_findings(run_check(root))
    _, too, _ = cycle_claims(finding.message)
    assert "x" not in too


def test_a_name_missing_from_a_module_that_reaches_no_cycle_fails_before_any_cycle(make_project):
    """`from helper import missing` raises ImportError whenever it runs: helper reaches no cycle,
    so it has finished by then, running or not before. Nothing a.py does after it runs, and the
    cycle with b.py never fails: importing either raises on the missing name (missing-name's
    finding), not on the cycle. With the name there, the cycle fails."""
    files = {"a.py": "from helper import missing\nfrom b import B\nA = 1\n", "b.py": "from a import A\nB = 2\n"}
    root = make_project({**files, "helper.py": "X = 1\n"})
    report = run_check(root)
    assert cycle_findings(report) == [] and findings(report, "missing-name")
    assert "cannot import name 'missing' from 'helper'" in import_error(root, "b")
    root = make_project({**files, "helper.py": "missing = 1\n"})
    assert len(cycle_findings(run_check(root))) == 1
    assert "partially initialized module 'b'" in import_error(root, "b")
