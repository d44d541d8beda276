"""implicit-reexport (IG107): names imported from a package that only imports them incidentally."""

from __future__ import annotations

import pytest

from support import cli, findings, run_check
from fixhelp import fix, read

BASE = {
    "pkg/__init__.py": "from .core import Engine\nfrom .util import helper\n\n__all__ = ['Engine']\n",
    "pkg/core.py": "class Engine: ...\n",
    "pkg/util.py": "def helper(): ...\n",
}


def test_reported_at_the_binding_with_the_importers(make_project):
    root = make_project({**BASE, "app.py": "from pkg import Engine, helper\n", "tool.py": "from pkg import helper\n"})
    (finding,) = findings(run_check(root), "implicit-reexport")
    assert finding.rule.code == "IG107" and str(finding.effective_severity) == "warning"
    assert finding.location.path.endswith("pkg/__init__.py") and finding.location.line == 2
    assert finding.name == "helper" and "app.py:1" in finding.message and "tool.py:1" in finding.message
    assert {r.location.path.rsplit("/", 1)[-1] for r in finding.related} == {"app.py", "tool.py"}
    assert cli("check", str(root)).returncode == 0  # a warning: does not fail the gate by default


def test_fix_adds_the_name_to_all(make_project):
    root = make_project({**BASE, "app.py": "from pkg import helper\n"})
    outcome = fix(root)
    assert read(root, "pkg/__init__.py") == "from .core import Engine\nfrom .util import helper\n\n__all__ = ['Engine', 'helper']\n"
    assert outcome.report.findings == () and len(outcome.report.fixed) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper\n\n__all__ = ['Engine', 'helper']\n"},  # declared
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper as helper\n\n__all__ = ['Engine']\n"},  # PEP 484 explicit
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper\n"},  # no __all__: public by convention
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper\n__all__ = [n for n in dir()]\n"},  # computed
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper\n\n__all__ = ['Engine']\n\ndef helper(): ...\n"},  # defined there
        {"app.py": "from pkg import util\n"},  # a submodule, importable whatever __init__ says
        {"app.py": "from pkg.util import helper\n"},  # imported from where it lives
        {"app.py": "", "pkg/inner.py": "from pkg import helper\n"},  # inside the package: its own business
        {"pkg/__init__.py": "from .core import Engine\nfrom .util import helper as _helper\n\n__all__ = ['Engine']\n", "app.py": "from pkg import _helper\n"},
    ],
)
def test_not_reported(make_project, change):
    files = {**BASE, "app.py": "from pkg import helper\n", **change}
    assert findings(run_check(make_project(files)), "implicit-reexport") == []


def test_name_from_outside_the_package_is_reported_without_a_fix(make_project):
    root = make_project({
        "pkg/__init__.py": "from typing import Any\n\n__all__ = ['Engine']\n\nclass Engine: ...\n",
        "app.py": "from pkg import Any\n",
    })
    outcome = fix(root)
    (finding,) = findings(outcome.report, "implicit-reexport")
    assert "import it from 'typing'" in finding.hint and finding.fix is None
    assert read(root, "pkg/__init__.py").count("Any") == 1


def test_suppressed_at_the_binding(make_project):
    root = make_project({**BASE, "pkg/__init__.py": BASE["pkg/__init__.py"].replace(
        "import helper\n", "import helper  # importgate: ignore[implicit-reexport]\n"), "app.py": "from pkg import helper\n"})
    assert findings(run_check(root), "implicit-reexport") == []
