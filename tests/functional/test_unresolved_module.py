"""unresolved-module and relative-beyond-top-level, with the layouts projects really use."""

from __future__ import annotations

import subprocess
import sys

from support import findings, rules_of, run_check


def runs(root, module: str, cwd=None) -> bool:
    proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=cwd or root, capture_output=True, text=True)
    return proc.returncode == 0


def test_missing_first_party_module_with_did_you_mean(make_project):
    root = make_project(
        {
            "app/__init__.py": "",
            "app/services/__init__.py": "",
            "app/services/monitoring.py": "",
            "app/main.py": "import app.services.monitorin\nfrom app.services.monitorng import x\n",
        }
    )
    report = run_check(root)
    found = findings(report, "unresolved-module")
    assert [f.module for f in found] == ["app.services.monitorin", "app.services.monitorng"]
    assert all("did you mean 'app.services.monitoring'" in f.message for f in found)
    assert not runs(root, "app.main")


def test_missing_third_party_names_the_distribution(make_project):
    root = make_project({"svc.py": "import yaml_not_here_xyz\nimport yaml\n"})
    report = run_check(root, python=sys.executable)
    by_module = {f.module: f for f in findings(report, "unresolved-module")}
    if "yaml" in by_module:  # PyYAML is not installed in the test interpreter
        assert "PyYAML" in by_module["yaml"].message
    assert "yaml_not_here_xyz" in by_module
    assert "not installed in the target environment" in by_module["yaml_not_here_xyz"].message


def test_stdlib_module_of_another_python_version(make_project):
    root = make_project({"svc.py": "import distutils.core\n" if sys.version_info >= (3, 12) else "import tomllib\n"})
    report = run_check(root)
    if sys.version_info >= (3, 12):
        (f,) = findings(report, "unresolved-module")
        assert "removed from the standard library in Python 3.12" in f.message
    elif sys.version_info < (3, 11):
        (f,) = findings(report, "unresolved-module")
        assert "joined the standard library in Python 3.11" in f.message
    else:
        assert rules_of(report) == []


def test_submodule_of_a_plain_module(make_project):
    root = make_project({"util.py": "", "app.py": "import util.helpers\n"})
    (f,) = findings(run_check(root), "unresolved-module")
    assert "is a module" in f.message and "not a package" in f.message


def test_optional_third_party_inside_function_or_branch_is_silent(make_project):
    root = make_project(
        {
            "app.py": """
                import os
                def export():
                    import pandas_not_installed_xyz
                if os.environ.get("X"):
                    import other_optional_xyz
                """,
        }
    )
    assert rules_of(run_check(root)) == []


def test_missing_first_party_inside_function_is_reported(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/a.py": "def f():\n    from . import nothing_here\n    import pkg.gone\n"})
    names = sorted(f.module for f in findings(run_check(root), "unresolved-module"))
    assert names == ["pkg.gone"]
    # `from . import nothing_here` is a missing *name* of package pkg
    assert [f.name for f in findings(run_check(root), "missing-name")] == ["nothing_here"]


def test_guards_silence_unresolved(make_project):
    root = make_project(
        {
            "app.py": """
                import sys
                from typing import TYPE_CHECKING
                try:
                    import ujson_missing_xyz as json
                except ImportError:
                    import json
                try:
                    import optional_xyz
                except ModuleNotFoundError:
                    optional_xyz = None
                if TYPE_CHECKING:
                    import stubs_only_xyz
                if sys.platform == "win32":
                    import winreg_like_xyz
                if sys.version_info < (3, 8):
                    import importlib_metadata_xyz
                """,
        }
    )
    assert rules_of(run_check(root)) == []


def test_an_assert_or_raise_on_the_platform_guards_what_follows(make_project):
    """click/_winconsole.py: `assert sys.platform == "win32"` then `import msvcrt`. Off Windows the
    module stops at the assert (real Python says AssertionError, not ModuleNotFoundError), so the
    imports below such an assert, or below `if <platform or version test>: raise`, are guarded as
    if they were inside that `if`. Any other assert or raise guards nothing."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/win_assert.py": 'import sys\nassert sys.platform == "win32"\nimport msvcrt\nimport winreg_like_xyz\n',
            "app/win_raise.py": 'import sys\nif sys.platform != "win32":\n    raise ImportError("Windows only")\nimport msvcrt\n',
            "app/old_python.py": "import sys\nif sys.version_info >= (3, 8):\n    pass\nelse:\n    raise RuntimeError\nimport importlib_metadata_xyz\n",
            "app/plain.py": "DEBUG = 1\nassert DEBUG\nimport missing_after_assert_xyz\nif not DEBUG:\n    raise SystemExit(1)\nimport missing_after_raise_xyz\n",
            "app/windows_only_module.py": "import msvcrt\n",
        }
    )
    found = findings(run_check(root), "unresolved-module")
    assert [(f.location.path.rsplit("/", 1)[1], f.module) for f in found] == [
        ("plain.py", "missing_after_assert_xyz"), ("plain.py", "missing_after_raise_xyz"), ("windows_only_module.py", "msvcrt"),
    ]
    if sys.platform != "win32":
        proc = subprocess.run([sys.executable, "-c", "import app.win_assert"], cwd=root, capture_output=True, text=True)
        assert "AssertionError" in proc.stderr
        # a platform's own stdlib module is named as such, never "did you mean" itself
        assert "standard-library module" in found[-1].message and "did you mean" not in found[-1].message


def test_main_is_always_importable(make_project):
    """IPython's completer does `import __main__`: whatever started the interpreter, it is there."""
    root = make_project({"app/__init__.py": "", "app/shell.py": "import __main__\nfrom __main__ import __dict__ as _ns\n"})
    assert rules_of(run_check(root)) == []
    assert subprocess.run([sys.executable, "-c", "import app.shell"], cwd=root).returncode == 0


def test_sys_path_edit_silences_imports_after_it(make_project):
    root = make_project(
        {
            "tools/vendored/helper.py": "",
            "scripts/run.py": """
                import before_edit_missing_xyz
                import os, sys
                sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools", "vendored"))
                import helper
                """,
        }
    )
    report = run_check(root)
    assert [f.module for f in findings(report, "unresolved-module")] == ["before_edit_missing_xyz"]


def test_sys_path_edit_in_a_package_around_the_module(make_project):
    """superset's migrations/__init__.py appends its own directory, and its versions/ modules
    import a helper beside it by its bare name: the package's __init__ always runs first. A
    package whose __init__ edits sys.path only in a function leaves its modules' imports checked."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/migrations/__init__.py": "import os, sys\nsys.path.append(os.path.dirname(os.path.realpath(__file__)))\n",
            "app/migrations/migration_utils.py": "X = 1\n",
            "app/migrations/versions/__init__.py": "",
            "app/migrations/versions/r1.py": "import migration_utils\n",
            # alembic loads revision files by path: their names are no module names
            "app/migrations/versions/2024-01-17_13-09_96164e3017c6_tag.py": "import migration_utils\n",
            # an edit in a function runs only when called (dagster's alter_sys_path)
            "app/other/__init__.py": "import sys\n\n\ndef alter(path):\n    sys.path.insert(0, path)\n",
            "app/other/r2.py": "import migration_utils\n",
        }
    )
    assert runs(root, "app.migrations.versions.r1") and not runs(root, "app.other.r2")
    (f,) = findings(run_check(root), "unresolved-module")
    assert f.location.path.endswith("r2.py")


def test_script_directory_sibling_imports(make_project):
    """A directory that is not a package is on sys.path when its scripts or tests run."""
    root = make_project(
        {
            "scripts/deploy.py": "import common\nfrom common import setting\n",
            "scripts/common.py": "setting = 1\n",
            "tests/test_x.py": "import helpers\n",
            "tests/helpers.py": "",
        }
    )
    assert rules_of(run_check(root)) == []
    assert runs(root, "deploy", cwd=root / "scripts")


def test_django_project_directory_inside_a_package(make_project):
    """label-studio: label_studio/ is a package and holds manage.py, which runs with that
    directory first on sys.path, so the apps import each other as ``core.flags`` (also from a
    folder without __init__.py). Those imports are checked there, a missing name included;
    without manage.py nothing puts the directory on sys.path."""
    files = {
        "site_app/__init__.py": "",
        "site_app/manage.py": "import sys\n\nif __name__ == '__main__':\n    sys.exit(0)\n",
        "site_app/core/__init__.py": "",
        "site_app/core/flags.py": "enabled = True\n",
        "site_app/projects/__init__.py": "",
        "site_app/projects/views.py": "from core.flags import enabled\n",
        "site_app/projects/broken.py": "from core.flags import enabled, gone\n",
        "site_app/jwt_auth/views.py": "import core.flags\nfrom projects import views\n",
    }
    root = make_project(files)
    here = root / "site_app"
    assert runs(root, "projects.views", cwd=here) and runs(root, "jwt_auth.views", cwd=here)
    assert not runs(root, "projects.broken", cwd=here)
    assert [(f.rule.name, f.name) for f in run_check(root).findings] == [("missing-name", "gone")]
    (root / "site_app/manage.py").unlink()
    assert {f.module for f in findings(run_check(root), "unresolved-module")} == {"core.flags", "projects"}


def test_script_directory_module_beside_another_of_that_name(make_project):
    """mlflow's skills: tests/utils.py beside tests/infra.py, and a scripts/utils package that
    scripts/run.py imports. Each script runs with its own directory first on sys.path; a name
    is missing only if neither utils has it."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/skills/evalx/scripts/utils/__init__.py": "def validate():\n    pass\n",
            "app/skills/evalx/scripts/run.py": "from utils import validate\n",
            "app/skills/tests/utils.py": "def log_section():\n    pass\n",
            "app/skills/tests/infra.py": "from utils import log_section\n",
            "app/skills/tests/broken.py": "from utils import log_section, gone_from_both\n",
        }
    )
    assert runs(root, "infra", cwd=root / "app/skills/tests") and runs(root, "run", cwd=root / "app/skills/evalx/scripts")
    assert not runs(root, "broken", cwd=root / "app/skills/tests")
    assert [(f.location.path.endswith("broken.py"), f.name) for f in findings(run_check(root), "missing-name")] == [(True, "gone_from_both")]


def test_sibling_import_inside_a_package_is_reported(make_project):
    root = make_project({"app/__init__.py": "", "app/utils.py": "", "app/main.py": "import utils\n"})
    (f,) = findings(run_check(root), "unresolved-module")
    assert f.module == "utils"
    assert "app/utils.py exists beside app/main.py" in f.message and "app.utils" in f.message
    assert f.hint == "import it as `from . import utils` or `import app.utils`"
    assert not runs(root, "app.main")


def test_a_sibling_package_without_the_imported_path_is_no_explanation(make_project):
    """django-allauth keeps its own `oauthlib/` wrapper beside modules that import the real
    oauthlib's `oauthlib.oauth2.rfc6749.errors`: the wrapper has no such path, so the finding
    says the distribution is missing instead of blaming the sibling."""
    root = make_project({
        "app/__init__.py": "", "app/oauthlib/__init__.py": "",
        "app/views.py": "from oauthlib.oauth2.rfc6749.errors import OAuth2Error\n",
        "app/typo.py": "import colections\n",
    })
    by_module = {g.module.split(".")[0]: g for g in findings(run_check(root), "unresolved-module")}
    f, typo = by_module["oauthlib"], by_module["colections"]
    assert "exists" not in f.message and "not installed in the target environment" in f.message
    assert "did you mean" not in f.message and (f.hint or "").startswith("install")  # not 'pathlib'
    assert not runs(root, "app.views")
    assert "did you mean 'collections'" in typo.message  # one slip in a longer name still is


def test_src_layout(make_project):
    root = make_project(
        {
            "pyproject.toml": "[project]\nname = 'mypkg'\nversion = '1'\n",
            "src/mypkg/__init__.py": "from mypkg.core import run\n",
            "src/mypkg/core.py": "def run(): ...\n",
            "tests/test_core.py": "from mypkg import run\nfrom mypkg.core import nope\n",
        }
    )
    report = run_check(root)
    assert [(f.rule.name, f.name) for f in report.findings] == [("missing-name", "nope")]


def test_several_top_level_packages(make_project):
    root = make_project(
        {
            "alpha/__init__.py": "from beta import B\n",
            "beta/__init__.py": "B = 1\nfrom alpha import missing_a\n",
        }
    )
    assert rules_of(run_check(root)) == [("missing-name", "missing_a")]


def test_pep420_namespace_packages(make_project):
    root = make_project(
        {
            "src/company/product/__init__.py": "from company.product.core import thing\n",
            "src/company/product/core.py": "thing = 1\n",
            "src/company/other/mod.py": "from company.product import thing\nimport company.other.gone\n",
        }
    )
    report = run_check(root)
    assert [f.module for f in findings(report, "unresolved-module")] == ["company.other.gone"]
    assert findings(report, "missing-name") == []


def test_a_namespace_wholly_in_the_project_has_no_missing_child_elsewhere(make_project):
    """The trap beside a namespace shared with installed distributions (test_realworld_traps):
    when every portion of `company` is in the project, no other distribution can bring
    `company.extras`, so importing it even inside a function is a first-party miss."""
    root = make_project({
        "src/company/product/__init__.py": "def load():\n    from company.extras import plugin\n    return plugin\n",
    })
    assert [f.module for f in findings(run_check(root), "unresolved-module")] == ["company.extras"]


def test_monorepo_service_root_is_found(make_project):
    root = make_project(
        {
            "services/api/app/__init__.py": "",
            "services/api/app/main.py": "from app.routes import router\n",
            "services/api/app/routes.py": "router = object()\n",
            "services/worker/app/__init__.py": "",
            "services/worker/app/main.py": "from app.jobs import run\nfrom app.routes import router\n",
            "services/worker/app/jobs.py": "def run(): ...\n",
        }
    )
    report = run_check(root)
    # each service's `app` resolves inside its own root: worker has no app.routes
    (f,) = findings(report, "unresolved-module")
    assert f.location.path.endswith("services/worker/app/main.py") and f.module == "app.routes"


def test_configured_roots(make_project):
    root = make_project(
        {
            "pyproject.toml": "[tool.importgate]\nroots = ['backend']\n",
            "backend/server.py": "import settings\n",
            "backend/settings.py": "",
        }
    )
    assert rules_of(run_check(root)) == []


def test_excluded_directories_are_not_checked(make_project):
    root = make_project(
        {
            "pyproject.toml": "[tool.importgate]\nexclude = ['legacy', 'gen/*.py']\n",
            "legacy/old.py": "import gone_xyz\n",
            "gen/out.py": "import gone_xyz\n",
            "build/lib/x.py": "import gone_xyz\n",
            ".venv/lib/x.py": "import gone_xyz\n",
            "ok.py": "",
        }
    )
    assert rules_of(run_check(root)) == []


def test_relative_beyond_top_level(make_project):
    root = make_project(
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/m.py": "from ... import nothing\nfrom .. import fine\n",
            "pkg/fine.py": "",
            "script.py": "from . import sibling\n",
            "sibling.py": "",
        }
    )
    report = run_check(root)
    beyond = findings(report, "relative-beyond-top-level")
    assert sorted(f.location.path.rsplit("/", 1)[-1] for f in beyond) == ["m.py", "script.py"]
    assert any("no known parent package" in f.message for f in beyond)
    assert not runs(root, "pkg.sub.m")


def test_relative_import_inside_namespace_portion_is_not_beyond(make_project):
    root = make_project(
        {
            "src/company/product/__init__.py": "from ..shared import x\n",
            "src/company/shared.py": "x = 1\n",
            "src/company/use.py": "import company.product\n",
        }
    )
    assert findings(run_check(root), "relative-beyond-top-level") == []


def test_unresolved_relative_first_party(make_project):
    root = make_project({"pkg/__init__.py": "", "pkg/a.py": "from .missing_mod import x\nfrom . import b\n"})
    report = run_check(root)
    assert [f.module for f in findings(report, "unresolved-module")] == ["pkg.missing_mod"]
    assert [f.name for f in findings(report, "missing-name")] == ["b"]


def test_only_requested_paths_are_reported(make_project):
    root = make_project(
        {
            "pyproject.toml": "[project]\nname='x'\nversion='1'\n",
            "a/__init__.py": "import gone_a_xyz\n",
            "b/__init__.py": "import gone_b_xyz\n",
        }
    )
    report = run_check(root, "b")
    assert [f.module for f in report.findings] == ["gone_b_xyz"]


def test_pytest_basedirs_and_pythonpath_are_on_sys_path_for_tests(make_project):
    root = make_project(
        {
            "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['tools']\n",
            "tools/fixtures_lib.py": "",
            "tests/conftest.py": "",
            "tests/helpers.py": "",
            "tests/unit/test_a.py": "import conftest\nimport helpers\nimport fixtures_lib\n",
            "app/__init__.py": "",
            "app/main.py": "import helpers\n",  # production code does not get test paths
        }
    )
    report = run_check(root)
    unresolved = findings(report, "unresolved-module")
    assert [(f.location.path.rsplit("/", 1)[-1], f.module) for f in unresolved] == [("main.py", "helpers")]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root, capture_output=True, text=True)
    assert "error" not in proc.stdout.lower(), proc.stdout  # pytest really resolves them


def test_a_module_inside_a_package_is_no_candidate_for_a_top_level_name(make_project):
    root = make_project({"web/__init__.py": "", "web/backends/__init__.py": "", "web/backends/jinja2_xyz.py": "import jinja2_xyz\n"})
    (f,) = findings(run_check(root), "unresolved-module")
    assert "exists but is not importable" not in f.message and "not installed" in f.message


def test_every_import_of_one_missing_outside_module_is_one_finding(make_project):
    """An optional distribution left out (transformers without torch: 2,491 imports) fails every
    import of it for one reason: one finding, every other import a related place (all of them
    in JSON, the first 20 in text). A missing first-party module stays one finding per import:
    each is its own mistake."""
    import json

    from support import cli

    files = {f"app/m{i:02}.py": "import missing_dist_xyz\n" for i in range(30)}
    files["app/__init__.py"] = ""
    files["app/deep.py"] = "import missing_dist_xyz.sub\n"
    files["app/typo_a.py"] = "import app.nothere\n"
    files["app/typo_b.py"] = "from app import nowhere\nimport app.nothere\n"
    root = make_project(files)
    found = findings(run_check(root, python=sys.executable), "unresolved-module")
    grouped = [f for f in found if f.module.startswith("missing_dist_xyz")]
    assert len(grouped) == 1 and len(grouped[0].related) == 30
    assert "[30 more imports of it fail the same way]" in grouped[0].message
    assert sorted(f.location.path.rsplit("/", 1)[-1] for f in found if f.module == "app.nothere") == ["typo_a.py", "typo_b.py"]
    assert not runs(root, "app.m29") and not runs(root, "app.deep")
    text = cli("check", str(root), "--no-cache", "--python", sys.executable).stdout
    assert text.count("also imported here (unresolved-module)") == 20 and "and 10 more places" in text
    (grouped_json,) = [f for f in json.loads(cli("check", str(root), "--no-cache", "--format", "json").stdout)["findings"]
                       if f["module"].startswith("missing_dist_xyz")]
    assert len(grouped_json["related"]) == 30


def _bare_python(tmp_path) -> str:
    """A target environment with nothing installed (no pip either)."""
    import venv

    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    return str(bare / "bin" / "python")


def test_a_declared_dependency_the_target_lacks_says_so(make_project, tmp_path):
    """The code is right and the gate runs in the wrong environment (CI before `pip install`):
    the finding says where the distribution is declared and how to fix the environment."""
    python = _bare_python(tmp_path)
    root = make_project({
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['Requests>=2', 'PyYAML']\n"
                          "[project.optional-dependencies]\nsocks = ['PySocks']\n"
                          "[dependency-groups]\ndev = ['attrs']\n",
        "app/__init__.py": "import requests\nimport yaml\nimport socks\nimport attr\nimport reqests_typo_xyz\n",
    })
    report = run_check(root, python=python, select=["IG101"])
    by_module = {f.module: f for f in findings(report, "unresolved-module")}
    assert by_module["requests"].message.endswith(", though 'requests' is declared in [project] dependencies in pyproject.toml")
    assert "'PyYAML' (which provides it) is declared in [project] dependencies" in by_module["yaml"].message
    assert "'PySocks' (which provides it) is declared in the extra 'socks'" in by_module["socks"].message
    assert "'attrs' (which provides it) is declared in the dependency group 'dev'" in by_module["attr"].message
    assert by_module["requests"].hint == f"install the project's dependencies into {python}, or point --python at the environment it is deployed with"
    assert "is declared in" not in by_module["reqests_typo_xyz"].message  # nothing declares it: as before
    assert by_module["reqests_typo_xyz"].hint == "install the distribution that provides it, or check the spelling"


def test_an_undeclared_missing_module_is_not_called_declared(make_project, tmp_path):
    python = _bare_python(tmp_path)
    for manifest in ({}, {"pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['attrs']\n"}):
        root = make_project({**manifest, "app/__init__.py": "import yaml\n"})
        [f] = findings(run_check(root, python=python, select=["IG101"]), "unresolved-module")
        assert "is declared in" not in f.message and f.hint == "install 'PyYAML'"


def test_a_declaration_read_outside_the_project_is_an_input_of_the_stored_report(make_project, tmp_path):
    """The requirements file the explanation read is outside the replay keys: editing it must
    not replay the report that quoted it."""
    python = _bare_python(tmp_path)
    shared = tmp_path / "shared-requirements.txt"
    shared.write_text("attrs\n")
    root = make_project({
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n[tool.importgate.dependencies]\nrequirements = ['../shared-requirements.txt']\n",
        "app/__init__.py": "import attr\n",
    })
    cache = str(tmp_path / "cache")
    [f] = findings(run_check(root, python=python, select=["IG101"], cache_dir=cache), "unresolved-module")
    assert "'attrs' (which provides it) is declared in" in f.message
    shared.write_text("# nothing\n")
    report = run_check(root, python=python, select=["IG101"], cache_dir=cache)
    [f] = findings(report, "unresolved-module")
    assert not report.replayed and "is declared in" not in f.message
