"""Resolution against a real target environment (--python): installed distributions,
compiled extensions, stubs, editable installs, .pth files, namespace distributions."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from support import findings, rules_of, run_check, shared_venv, site_packages, write_project

REQUIREMENTS = ["markupsafe==3.0.2", "PyYAML==6.0.2", "lazy_loader==0.4", "types-toml==0.10.8.20240310", "six==1.16.0"]


@pytest.fixture(scope="module")
def venv():
    return shared_venv("env", REQUIREMENTS)


def runs(python, root, code: str) -> bool:
    return subprocess.run([str(python), "-c", code], cwd=root, capture_output=True).returncode == 0


def test_installed_packages_resolve_and_names_are_checked(make_project, venv):
    root = make_project({"app.py": "import yaml\nfrom markupsafe import Markup, escape\nfrom markupsafe import Markupp\n"})
    report = run_check(root, python=str(venv))
    (f,) = report.findings
    assert f.rule.name == "missing-name" and f.name == "Markupp" and "did you mean 'Markup'" in f.message
    assert not runs(venv, root, "import app")


def test_the_same_project_without_the_packages(make_project):
    root = make_project({"app.py": "import yaml\n"})
    bare = shared_venv("bare", [])
    (f,) = findings(run_check(root, python=str(bare)), "unresolved-module")
    assert "PyYAML" in f.message and str(bare) in f.message


def test_compiled_extension_names_are_never_missing(make_project, venv):
    # markupsafe._speedups is a compiled module with a .pyi stub beside it;
    # yaml._yaml is a compiled module without one.
    root = make_project(
        {
            "app.py": "from yaml._yaml import CParser, anything_at_all\n",
            "stubbed.py": "from markupsafe._speedups import _escape_inner\nfrom markupsafe._speedups import not_in_stub\n",
        }
    )
    report = run_check(root, python=str(venv))
    assert findings(report, "missing-name") == []
    (warning,) = findings(report, "stub-missing-name")
    assert warning.name == "not_in_stub" and str(warning.effective_severity) == "warning"
    assert "_speedups.pyi" in warning.message


def test_stub_only_distribution_is_not_the_runtime_package(make_project, venv):
    root = make_project({"app.py": "import toml\n"})
    (f,) = findings(run_check(root, python=str(venv)), "unresolved-module")
    assert "only type stubs" in f.message and "toml-stubs" in f.message
    assert not runs(venv, root, "import app")


def test_six_moves_is_served_by_a_meta_path_finder(make_project, venv):
    root = make_project({"app.py": "from six.moves import urllib\nimport six.moves.urllib.parse\nfrom six import moves\n"})
    assert rules_of(run_check(root, python=str(venv))) == []
    assert runs(venv, root, "import app")


def test_real_lazy_loader(make_project, venv):
    root = make_project(
        {
            "pkg/__init__.py": "import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach(__name__, submodules=['sub'], submod_attrs={'impl': ['work']})\n",
            "pkg/sub.py": "",
            "pkg/impl.py": "def work(): ...\n",
            "app.py": "from pkg import sub, work\nfrom pkg import nothing\n",
        }
    )
    report = run_check(root, python=str(venv))
    assert rules_of(report) == [("missing-name", "nothing")]
    assert runs(venv, root, "from pkg import sub, work")
    assert not runs(venv, root, "import app")


def test_pth_file_directory_is_importable(make_project, venv, tmp_path):
    extra = write_project(tmp_path / "extra", {"vendored_mod.py": "VALUE = 1\n"})
    pth = site_packages(venv) / "importgate_test_extra.pth"
    pth.write_text(str(extra) + "\n")
    try:
        root = make_project({"app.py": "from vendored_mod import VALUE\nfrom vendored_mod import OTHER\n"})
        assert rules_of(run_check(root, python=str(venv))) == [("missing-name", "OTHER")]
    finally:
        pth.unlink()


def test_editable_install_and_namespace_distributions(make_project, tmp_path):
    """Two distributions share the `acme` namespace; one is installed editable from a flat
    layout (setuptools then serves it through a meta path finder with a MAPPING, not a
    sys.path entry), the other normally."""
    one = write_project(
        tmp_path / "acme-one",
        {
            "pyproject.toml": textwrap.dedent(
                """
                [build-system]
                requires = ["setuptools>=64"]
                build-backend = "setuptools.build_meta"
                [project]
                name = "acme-one"
                version = "1.0"
                [tool.setuptools.packages.find]
                include = ["acme*"]
                """
            ),
            "acme/one/__init__.py": "ONE = 1\n",
            "setup_helpers.py": "",  # a flat layout: setuptools must not expose the whole root
        },
    )
    two = write_project(
        tmp_path / "acme-two",
        {
            "pyproject.toml": textwrap.dedent(
                """
                [build-system]
                requires = ["setuptools>=64"]
                build-backend = "setuptools.build_meta"
                [project]
                name = "acme-two"
                version = "1.0"
                [tool.setuptools.packages.find]
                where = ["src"]
                """
            ),
            "src/acme/two/__init__.py": "TWO = 2\n",
        },
    )
    venv = shared_venv("editable", ["setuptools>=70"])
    pip = [str(venv), "-m", "pip", "install", "--quiet", "--no-build-isolation", "--disable-pip-version-check"]
    subprocess.run(pip + ["-e", str(one)], check=True)
    finders = list(site_packages(venv).glob("__editable___acme_one*finder.py"))
    assert finders and "MAPPING" in finders[0].read_text()
    subprocess.run(pip + [str(two)], check=True)
    root = make_project(
        {"svc.py": "from acme.one import ONE\nfrom acme.two import TWO\nimport acme.three\nfrom acme.one import NOPE\n"}
    )
    report = run_check(root, python=str(venv))
    assert sorted(rules_of(report)) == [("missing-name", "NOPE"), ("unresolved-module", None)]
    assert findings(report, "unresolved-module")[0].module == "acme.three"
    assert runs(venv, root, "from acme.one import ONE; from acme.two import TWO")
    assert not runs(venv, root, "import setup_helpers")  # the finder exposes only the package


def test_relative_python_paths(make_project, venv, tmp_path, monkeypatch):
    """--python is relative to the current directory; `python` in pyproject.toml to the project."""
    import os

    root = make_project({"app.py": "import yaml\n"})
    local = root / "tools-venv"
    os.symlink(venv.parent.parent, local)
    monkeypatch.chdir(root)
    assert rules_of(run_check(root, python="tools-venv/bin/python")) == []
    (root / "pyproject.toml").write_text("[tool.importgate]\npython = 'tools-venv/bin/python'\n")
    monkeypatch.chdir(tmp_path)
    from support import cli

    proc = cli("check", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_target_is_asked_away_from_the_callers_directory(tmp_path, monkeypatch):
    """`python -c` puts the current directory on sys.path: metadata lying there (a stray
    `*.dist-info` in the project) is not something the deployed service has installed."""
    import sys

    from importgate.facts import distributions
    from importgate.facts.environment import query_environment

    stray = tmp_path / "strayed_dist-1.0.dist-info"
    stray.mkdir()
    (stray / "METADATA").write_text("Metadata-Version: 2.1\nName: strayed-dist\nVersion: 1.0\n")
    (stray / "top_level.txt").write_text("strayed_mod\n")
    monkeypatch.chdir(tmp_path)
    env = query_environment(sys.executable)
    assert tmp_path.as_posix() not in env.path and "" not in env.path
    distributions._CACHE.clear()
    index = distributions.query_distributions(env)
    assert "strayed-dist" not in index.dists
    assert "pytest" in index.dists  # the query itself works


def _compiled_copy(root, package: str, stub: str | None):
    """``package/_bisect<suffix>``: the standard library's compiled _bisect, renamed into a first-party
    package (a real extension module), with ``stub`` as its .pyi when given."""
    import _bisect
    import os
    import shutil

    target = root / package
    target.mkdir(parents=True, exist_ok=True)
    (target / "__init__.py").write_text("")
    shutil.copy(_bisect.__file__, target / os.path.basename(_bisect.__file__))
    if stub is not None:
        (target / "_bisect.pyi").write_text(stub)


def test_a_stub_declares_module_variables_with_annotations(make_project):
    """scipy.special._ufuncs.pyi, pandas' nattype.pyi: `name: T` is how a stub declares a
    variable of the compiled module; a name the stub does not mention is still a warning."""
    import sys

    root = make_project({"main.py": "from fastpkg._bisect import bisect_left, insort_right\nfrom fastpkg._bisect import not_there\n"})
    _compiled_copy(root, "fastpkg", "from typing import Callable\nbisect_left: Callable[..., int]\ninsort_right: Callable[..., None]\n")
    report = run_check(root)
    assert [(f.rule.name, f.name) for f in report.findings] == [("stub-missing-name", "not_there")]
    assert runs(sys.executable, root, "from fastpkg._bisect import bisect_left, insort_right")


def test_an_empty_stub_tells_no_names(make_project):
    """matplotlib ships backends/_backend_agg.pyi with no line in it: it says nothing about the
    compiled module, so nothing imported from it is doubted (and a wrapper that imports the
    compiled function to define its own of the same name is not told to import it from itself)."""
    import sys

    root = make_project({"fastpkg/wrapper.py": "from fastpkg._bisect import bisect_left as _impl\n\n\ndef bisect_left(seq, x):\n    return _impl(seq, x)\n"})
    _compiled_copy(root, "fastpkg", "")
    assert rules_of(run_check(root)) == []
    assert runs(sys.executable, root, "import fastpkg.wrapper")
    (root / "fastpkg" / "_bisect.pyi").write_text("def insort(a, x) -> None: ...\n")
    (f,) = run_check(root).findings
    assert f.rule.name == "stub-missing-name" and "fastpkg.wrapper" not in (f.hint or "")


def test_a_compiled_submodule_of_the_files_own_package_reads_nothing_from_it(make_project, venv):
    """pkg/_speedups is a compiled module (markupsafe's, copied in): `from pkg import _speedups`
    in pkg.a imports it, and reads nothing pkg binds, so pkg.a has no edge back to pkg and is on
    no cycle; `from pkg import X` (pkg.b) does read pkg."""
    import shutil

    from support import cycle_model

    root = make_project({"pkg/__init__.py": "from pkg import a\nX = 1\n", "pkg/a.py": "from pkg import _speedups\nY = 1\n",
                         "pkg/b.py": "from pkg import X\n"})
    [compiled] = (site_packages(venv) / "markupsafe").glob("_speedups.*.so")
    shutil.copy(compiled, root / "pkg" / compiled.name)
    assert findings(run_check(root, python=str(venv)), "circular-import") == []
    assert runs(venv, root, "import pkg.a") and runs(venv, root, "import pkg.b")
    model = cycle_model(root, venv)
    by_name = {model.name[path]: path for path in model.facts}
    assert model.successors[by_name["pkg.a"]] == set() and by_name["pkg.a"] not in model.cyclic_modules()
    assert model.successors[by_name["pkg.b"]] == {by_name["pkg"]}
