"""Reading declarations: every manifest style, written into tmp_path, read for a 3.11 Linux target."""

from __future__ import annotations

import pytest

from importgate.config import read_pyproject
from importgate.facts.manifest import read_declared
from support import write_project

ENV_311 = {
    "implementation_name": "cpython", "implementation_version": "3.11.4", "os_name": "posix",
    "platform_machine": "x86_64", "platform_release": "", "platform_system": "Linux", "platform_version": "",
    "python_full_version": "3.11.4", "platform_python_implementation": "CPython", "python_version": "3.11",
    "sys_platform": "linux",
}
ENV_310 = {**ENV_311, "python_full_version": "3.10.12", "python_version": "3.10", "implementation_version": "3.10.12"}


def declared(root, env=ENV_311, **kw):
    pyproject, problem = read_pyproject(str(root))
    assert problem is None
    return read_declared(str(root), pyproject, env, **kw)


def names(reqs, active_only=True):
    return sorted(r.name for r in reqs if r.active or not active_only)


def test_pep621_names_are_normalised_and_markers_evaluated_for_the_target(tmp_path):
    root = write_project(tmp_path, {"pyproject.toml": """
        [project]
        name = "My_Service"
        dependencies = [
            "PyYAML>=6",
            "Requests[socks] ; python_version >= '3.8'",
            "tomli; python_version < \\"3.11\\"",
            "pywin32; sys_platform == 'win32'",
        ]
        [project.optional-dependencies]
        Server = ["Gunicorn"]
        all = ["my-service[server]"]
    """})
    d = declared(root)
    assert d.project_name == "my-service"
    assert names(d.runtime) == ["pyyaml", "requests"]
    assert names(d.runtime, active_only=False) == ["pywin32", "pyyaml", "requests", "tomli"]
    requests = next(r for r in d.runtime if r.name == "requests")
    assert requests.extras == frozenset({"socks"})
    # the location points at the line that declares it
    tomli = next(r for r in d.runtime if r.name == "tomli")
    assert not tomli.active and tomli.location.line == 6
    # self-reference expands to the referenced extra
    assert names(d.extras["all"]) == ["gunicorn"]
    assert names(d.extras["server"]) == ["gunicorn"]
    # the same declaration for a 3.10 target
    assert names(declared(root, ENV_310).runtime) == ["pyyaml", "requests", "tomli"]


def test_pep735_groups_with_include_group_and_a_cycle_reported(tmp_path):
    root = write_project(tmp_path, {"pyproject.toml": """
        [project]
        name = "x"
        dependencies = []
        [dependency-groups]
        test = ["pytest", {include-group = "typing"}]
        typing = ["mypy"]
        Dev = [{include-group = "test"}, "ruff"]
        loop-a = [{include-group = "loop-b"}]
        loop-b = [{include-group = "loop-a"}]
        broken = ["not a requirement!!"]
    """})
    d = declared(root)
    assert d.runtime_declared and d.runtime == ()
    assert names(d.groups["test"]) == ["mypy", "pytest"]
    assert names(d.groups["dev"]) == ["mypy", "pytest", "ruff"]
    messages = [p.message for p in d.problems]
    assert any("includes itself" in m for m in messages)
    assert any("invalid requirement 'not a requirement!!'" in m for m in messages)
    bad = next(p for p in d.problems if "not a requirement" in p.message)
    assert bad.location.line == 10


def test_poetry_dependencies_groups_extras_and_python_constraints(tmp_path):
    root = write_project(tmp_path, {"pyproject.toml": """
        [tool.poetry]
        name = "poetry-app"

        [tool.poetry.dependencies]
        python = "^3.9"
        PyYAML = "^6.0"
        requests = { version = "^2.31", extras = ["socks"] }
        tomli = { version = "^2", python = "<3.11" }
        pywin32 = { version = "*", markers = "sys_platform == 'win32'" }
        redis = { version = "^5", optional = true }

        [tool.poetry.extras]
        cache = ["redis"]

        [tool.poetry.group.test.dependencies]
        pytest = "^8"

        [tool.poetry.dev-dependencies]
        black = "*"
    """})
    d = declared(root)
    assert d.project_name == "poetry-app"
    assert names(d.runtime) == ["pyyaml", "requests"]
    assert names(d.runtime, active_only=False) == ["pywin32", "pyyaml", "requests", "tomli"]
    assert names(d.extras["cache"]) == ["redis"]
    assert names(d.groups["test"]) == ["pytest"]
    assert names(d.groups["dev"]) == ["black"]
    assert next(r for r in d.runtime if r.name == "pyyaml").location.line == 6
    assert names(declared(root, ENV_310).runtime) == ["pyyaml", "requests", "tomli"]


def test_requirements_files_with_includes_constraints_editables_options_and_hashes(tmp_path):
    root = write_project(tmp_path, {
        "requirements.txt": """
            # production
            -r requirements/base.txt
            -c constraints.txt
            --index-url https://example.invalid/simple
            requests==2.31.0 \\
                --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000
            -e git+https://example.invalid/repo.git#egg=internal-lib
            ./vendor/local.whl
            attrs  # inline comment
        """,
        "requirements/base.txt": "PyYAML>=6\n-r ../requirements.txt\n",
        "constraints.txt": "urllib3<2\n",
        "requirements-dev.txt": "-r requirements.txt\npytest\n",
        "requirements-docs.in": "sphinx\n",
        "requirements-docs.txt": "sphinx==7.0\nalabaster==0.7\n",
    })
    d = declared(root)
    assert d.runtime_where == "requirements.txt"
    assert names(d.runtime) == ["attrs", "internal-lib", "pyyaml", "requests"]
    assert all(r.from_requirements_file for r in d.runtime)
    assert d.constraints == frozenset({"urllib3"})
    assert "urllib3" not in names(d.runtime)
    # dev file includes the runtime file; the .in wins over its compiled .txt
    assert names(d.groups["dev"]) == ["attrs", "internal-lib", "pytest", "pyyaml", "requests"]
    assert names(d.groups["docs"]) == ["sphinx"]
    yaml = next(r for r in d.runtime if r.name == "pyyaml")
    assert yaml.location.path.endswith("base.txt") and yaml.location.line == 1
    requests = next(r for r in d.runtime if r.name == "requests")
    assert requests.location.line == 5


def test_missing_include_is_a_problem_and_the_rest_is_still_read(tmp_path):
    root = write_project(tmp_path, {"requirements.txt": "-r missing.txt\nPyYAML\n"})
    d = declared(root)
    assert names(d.runtime) == ["pyyaml"]
    assert len(d.problems) == 1 and "missing.txt" in d.problems[0].message
    assert d.problems[0].location.line == 1


def test_pyproject_runtime_wins_over_requirements_txt_but_dev_files_still_count(tmp_path):
    root = write_project(tmp_path, {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["attrs"]\n',
        "requirements.txt": "attrs==23.1\nsix==1.16\n",
        "requirements-test.txt": "pytest\n",
    })
    d = declared(root)
    assert names(d.runtime) == ["attrs"]
    assert names(d.groups["test"]) == ["pytest"]


def test_setuptools_dynamic_dependencies_from_a_file(tmp_path):
    root = write_project(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "x"
            dynamic = ["dependencies", "optional-dependencies"]
            [tool.setuptools.dynamic]
            dependencies = { file = ["deps/runtime.txt"] }
            optional-dependencies.cli = { file = ["deps/cli.txt"] }
        """,
        "deps/runtime.txt": "PyYAML\n",
        "deps/cli.txt": "click\n",
    })
    d = declared(root)
    assert names(d.runtime) == ["pyyaml"]
    assert names(d.extras["cli"]) == ["click"]


def test_setup_cfg_install_requires_and_extras(tmp_path):
    root = write_project(tmp_path, {"setup.cfg": """
        [metadata]
        name = legacy_app

        [options]
        install_requires =
            PyYAML>=5
            tomli; python_version<"3.11"
        [options.extras_require]
        test =
            pytest
    """})
    d = declared(root)
    assert d.project_name == "legacy-app"
    assert names(d.runtime) == ["pyyaml"]
    assert names(d.runtime, active_only=False) == ["pyyaml", "tomli"]
    assert names(d.extras["test"]) == ["pytest"]
    assert d.runtime[0].location.line == 6


def test_no_manifest_means_nothing_declared(tmp_path):
    root = write_project(tmp_path, {"app.py": "import yaml\n"})
    d = declared(root)
    assert not d.found


def test_malformed_manifests_never_crash(tmp_path):
    odd = [
        '[project]\nname = "x"\ndependencies = "PyYAML"\n',
        '[project]\nname = "x"\ndependencies = [1, "attrs"]\noptional-dependencies = "nope"\n',
        '[project]\nname = "x"\ndynamic = ["dependencies"]\n[tool]\nsetuptools = 3\n',
        '[dependency-groups]\ndev = "pytest"\ntest = [{include-group = 3}]\n',
        '[tool.poetry]\nname = 5\n[tool.poetry.dependencies]\npython = "^3.9"\nfoo = 3\n"bad name!" = "*"\nbar = [{version = "1", python = "nonsense"}]\n',
        '[tool.poetry]\ngroup = "x"\nextras = {a = "b"}\ndependencies = {}\n',
        '[tool]\nuv = 1\npdm = {dev-dependencies = {a = 3}}\n',
    ]
    for i, text in enumerate(odd):
        root = write_project(tmp_path / str(i), {"pyproject.toml": text, "setup.cfg": "[options\nbroken", "requirements.txt": "-r\n--hash\n-e\n"})
        d = declared(root)
        assert d is not None
    d = declared(write_project(tmp_path / "a", {"pyproject.toml": odd[1]}))
    assert [r.name for r in d.runtime] == ["attrs"]
    d = declared(write_project(tmp_path / "b", {"pyproject.toml": odd[0]}))
    assert any("must be a list" in p.message for p in d.problems)


@pytest.mark.parametrize(
    "name",
    ["PyYAML", "typing_extensions", "zope.interface", "Flask-SQLAlchemy", "a__b..c--d", "ruamel.yaml.clib", "A", "pkg_-_.name"],
)
def test_names_are_normalised_exactly_as_packaging_does(name):
    from packaging.utils import canonicalize_name

    from importgate.facts.manifest import canonical

    assert canonical(name) == str(canonicalize_name(name))
