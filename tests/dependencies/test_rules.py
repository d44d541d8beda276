"""The dependency rules on tiny projects, checked against a venv of real distributions."""

from __future__ import annotations

import json
import re
import sys

import pytest

from importgate.model import Report, Severity

from support import cli, findings, run_check, write_project

DEP_RULES = {
    "undeclared-dependency", "unused-dependency", "transitive-dependency",
    "dev-dependency-in-production", "unguarded-optional-import", "invalid-requirement",
}


def dep_findings(report):
    return sorted(
        ((f.rule.name, f.name, f.location.path.rsplit("/", 1)[-1], f.location.line) for f in report.findings if f.rule.name in DEP_RULES),
    )


def pyproject(deps=(), extras=None, groups=None, extra_text=""):
    text = '[project]\nname = "demo"\nversion = "0"\ndependencies = [%s]\n' % ", ".join(json.dumps(d) for d in deps)
    if extras:
        text += "[project.optional-dependencies]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in extras.items())
    if groups:
        text += "[dependency-groups]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in groups.items())
    return text + extra_text


@pytest.fixture
def check(thirdparty_python, tmp_path):
    counter = iter(range(1000))

    def run(files, **options):
        root = write_project(tmp_path / f"proj{next(counter)}", files)
        options.setdefault("python", thirdparty_python)
        return run_check(root, **options)

    return run


# -- undeclared-dependency ------------------------------------------------------------


def test_done_when_yaml_without_pyyaml_fails_the_gate_naming_pyyaml(check):
    report = check({"pyproject.toml": pyproject(["requests"]), "app/__init__.py": "import requests\nimport yaml\n"})
    [f] = findings(report, "undeclared-dependency")
    assert f.effective_severity is Severity.ERROR
    assert "`yaml` is provided by `PyYAML`" in f.message and "not a declared dependency" in f.message
    assert f.location.line == 2
    assert "[project] dependencies" in f.hint


def test_declared_under_any_spelling_is_silent(check):
    for spelling in ("PyYAML>=6", "pyyaml", "PyYaml", "PYYAML ; python_version >= '3'"):
        report = check({"pyproject.toml": pyproject([spelling]), "app/__init__.py": "import yaml\nfrom yaml import safe_load\n"})
        assert dep_findings(report) == [], spelling


def test_not_installed_module_is_named_from_the_fallback_table(check):
    report = check({"pyproject.toml": pyproject([]), "app/__init__.py": "import bs4\n"}, select=["IG2"])
    [f] = findings(report, "undeclared-dependency")
    assert "usually provided by `beautifulsoup4` (not installed in the target)" in f.message


def test_not_installed_distribution_keeps_its_own_spelling(make_project, tmp_path):
    """`yaml` is provided by `PyYAML`, as the distribution spells itself, installed or not."""
    import venv

    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    root = make_project({"pyproject.toml": pyproject([]), "app/__init__.py": "import yaml\n"})
    [f] = findings(run_check(root, python=str(bare / "bin" / "python"), select=["IG2"]), "undeclared-dependency")
    assert "usually provided by `PyYAML` (not installed in the target)" in f.message
    assert "declare `PyYAML`" in f.hint


def test_unknown_module_stays_silent(check):
    # neither installed nor in the fallback table: no guess (resolution reports it as unresolved instead)
    report = check({"pyproject.toml": pyproject([]), "app/__init__.py": "import zzz_nowhere_pkg\n"})
    assert dep_findings(report) == []
    assert findings(report, "unresolved-module")


def test_one_distribution_with_several_top_level_modules(check):
    files = {"app/__init__.py": "import attr\nimport attrs\n"}
    assert dep_findings(check({"pyproject.toml": pyproject(["attrs"]), **files})) == []
    report = check({"pyproject.toml": pyproject([]), **files})
    # one fault (attrs is not declared), reported once with the other import as related
    [f] = findings(report, "undeclared-dependency")
    assert (f.name, f.location.line) == ("attrs", 1) and "`attr` is provided by `attrs`" in f.message
    assert [r.location.line for r in f.related] == [2]


def test_namespace_distributions_are_matched_per_distribution(check):
    code = "import google.protobuf.message\nfrom google.protobuf import json_format\n"
    # googleapis-common-protos shares the `google` namespace but provides neither import
    report = check({"pyproject.toml": pyproject(["protobuf", "googleapis-common-protos"]), "app/__init__.py": code})
    assert dep_findings(report) == [("unused-dependency", "googleapis-common-protos", "pyproject.toml", 4)]
    # `from google import protobuf` is decided by google.protobuf, not by the namespace
    report = check({"pyproject.toml": pyproject(["protobuf"]), "app/__init__.py": "from google import protobuf\n"})
    assert dep_findings(report) == []
    report = check({"pyproject.toml": pyproject(["protobuf"]), "app/__init__.py": "from google.rpc import status_pb2\n"})
    [f] = findings(report, "undeclared-dependency")
    assert "`googleapis-common-protos`" in f.message


def test_type_checking_and_guarded_imports_are_not_runtime_uses(check):
    code = """
        import sys
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import yaml
        try:
            import attr
        except ImportError:
            attr = None
        if sys.version_info < (3, 0):
            import dateutil
    """
    assert dep_findings(check({"pyproject.toml": pyproject([]), "app/__init__.py": code})) == []


def test_import_inside_a_function_is_still_undeclared(check):
    """As a warning: it fails only when the function runs and its caller does not handle
    ImportError (ckan's shell falls back from IPython). One at module level stays an error,
    reported apart."""
    report = check({"pyproject.toml": pyproject([]), "app/__init__.py": "def dump():\n    import yaml\n"})
    [f] = findings(report, "undeclared-dependency")
    assert "inside a function" in f.message and "unless its caller handles ImportError" in f.message
    assert f.effective_severity is Severity.WARNING
    both = check({"pyproject.toml": pyproject([]), "app/__init__.py": "def dump():\n    import yaml\n", "app/load.py": "import yaml\n"})
    severities = sorted((f.location.path.rsplit("/", 1)[-1], f.effective_severity.name) for f in findings(both, "undeclared-dependency"))
    assert severities == [("__init__.py", "WARNING"), ("load.py", "ERROR")]


def test_inline_suppression_and_allow_undeclared(check):
    report = check({"pyproject.toml": pyproject([]), "app/__init__.py": "import yaml  # importgate: ignore[undeclared-dependency]\n"})
    assert dep_findings(report) == []
    report = check({
        "pyproject.toml": pyproject([], extra_text='[tool.importgate.dependencies]\nallow-undeclared = ["yaml"]\n'),
        "app/__init__.py": "import yaml\n",
    })
    assert dep_findings(report) == []


def test_no_manifest_means_the_rules_stay_silent(check):
    report = check({"app/__init__.py": "import yaml\n"})
    assert dep_findings(report) == []


def test_first_party_names_are_never_dependencies(check):
    files = {
        "pyproject.toml": pyproject(["PyYAML"]),
        "src/demo/__init__.py": "import demo.core\nfrom demo import core\n",
        "src/demo/core.py": "import yaml\n",
        "tools/helper.py": "import demo\n",
    }
    assert dep_findings(check(files)) == []


def test_local_module_shadowing_a_distribution(check):
    files = {
        "pyproject.toml": pyproject(["PyYAML"]),
        "yaml.py": "def safe_load(text):\n    return text\n",
        "app.py": "import yaml\n",
    }
    report = check(files)
    [f] = findings(report, "unused-dependency")
    assert "shadows" in f.message and "yaml.py" in f.message
    assert not findings(report, "undeclared-dependency")


def test_marker_dependency_is_evaluated_for_the_target_python(check):
    # the target venv runs Python 3.11 or newer: tomli; python_version < "3.11" is not installed there
    decl = pyproject(['tomli; python_version < "3.11"'])
    unguarded = check({"pyproject.toml": decl, "app/__init__.py": "import tomli\n"})
    [f] = findings(unguarded, "undeclared-dependency")
    assert 'declared as `tomli; python_version < "3.11"`' in f.message
    assert re.search(r"does not hold for the target \(Python 3\.(1[1-9]|[2-9]\d) on ", f.message), f.message
    fallback = """
        import sys
        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib
        try:
            import tomllib as toml2
        except ImportError:
            import tomli as toml2
    """
    assert dep_findings(check({"pyproject.toml": decl, "app/__init__.py": fallback})) == []
    # an inactive requirement is never "unused"
    assert dep_findings(check({"pyproject.toml": decl, "app/__init__.py": "import json\n"})) == []
    # the same marker flipped holds on 3.11
    assert dep_findings(check({"pyproject.toml": pyproject(['tomli; python_version >= "3.11"']), "app/__init__.py": "import tomli\n"})) == []


# -- transitive-dependency --------------------------------------------------------------


def test_transitive_from_installed_metadata(check):
    report = check({"pyproject.toml": pyproject(["requests", "python-dateutil"]), "app/__init__.py": "import requests, urllib3\nimport dateutil, tzdata\n"})
    got = {(f.name, f.effective_severity) for f in findings(report, "transitive-dependency")}
    assert got == {("urllib3", Severity.WARNING), ("tzdata", Severity.WARNING)}
    urllib3 = next(f for f in report.findings if f.name == "urllib3")
    assert "which is not declared: the deployment has it only because `requests` requires it (requests -> urllib3, from installed metadata)" in urllib3.message
    assert not findings(report, "undeclared-dependency")


def test_transitive_under_a_guard_is_silent(check):
    """A transitive package imported with a fallback is not certain to be needed."""
    report = check({
        "pyproject.toml": pyproject(["requests"]),
        "app/__init__.py": "import requests\ntry:\n    import urllib3\nexcept ImportError:\n    urllib3 = None\n",
    })
    assert findings(report, "transitive-dependency") == []


UV_LOCK = """
version = 1
requires-python = ">=3.10"

[[package]]
name = "demo"
version = "0"
source = { editable = "." }
dependencies = [
    { name = "requests" },
]

[package.optional-dependencies]
speed = [{ name = "python-dateutil" }]

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://example.invalid/simple" }
dependencies = [
    { name = "certifi" },
    { name = "idna" },
    { name = "urllib3", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "python-dateutil"
version = "2.9.0"
source = { registry = "https://example.invalid/simple" }
dependencies = [{ name = "tzdata" }]

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "certifi"
version = "2024.1.1"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "tzdata"
version = "2026.6"
source = { registry = "https://example.invalid/simple" }

[[package]]
name = "urllib3"
version = "2.2.1"
source = { registry = "https://example.invalid/simple" }
"""


def test_lock_file_decides_the_transitive_closure_for_the_target(check):
    files = {
        "pyproject.toml": pyproject(["requests"], extras={"speed": ["python-dateutil"]}),
        "uv.lock": UV_LOCK,
        "app/__init__.py": "import requests\nimport idna\nimport urllib3\n",
    }
    report = check(files)
    # idna comes through requests in the lock: a warning
    [t] = findings(report, "transitive-dependency")
    assert t.name == "idna" and "from uv.lock" in t.message
    # urllib3 is installed here and required by requests' metadata, but the lock only pulls it in
    # on Windows: on this Linux target the production install will not have it
    [u] = findings(report, "undeclared-dependency")
    assert u.name == "urllib3" and "installed here" in u.message


def test_lock_file_closure_follows_the_selected_extras(check):
    files = {
        "pyproject.toml": pyproject(["requests"], extras={"speed": ["python-dateutil"]}),
        "uv.lock": UV_LOCK,
        "app/__init__.py": "import requests\nimport tzdata\n",
    }
    assert [f.name for f in findings(check(files), "undeclared-dependency")] == ["tzdata"]
    report = check(files, dep_extras=["speed"])
    [t] = findings(report, "transitive-dependency")
    assert t.name == "tzdata" and "python-dateutil -> tzdata" in t.message


def test_poetry_lock_and_pylock(check):
    poetry_lock = """
        [[package]]
        name = "requests"
        version = "2.32.3"
        optional = false
        [package.dependencies]
        idna = ">=2.5,<4"
        urllib3 = {version = ">=1.21.1,<3", markers = "sys_platform == 'win32'"}
        [[package]]
        name = "idna"
        version = "3.7"
        optional = false
        [[package]]
        name = "urllib3"
        version = "2.2.1"
        optional = false
    """
    poetry = '[tool.poetry]\nname = "demo"\n[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "^2"\n'
    code = "import requests, idna, urllib3\n"
    report = check({"pyproject.toml": poetry, "poetry.lock": poetry_lock, "app/__init__.py": code})
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [
        ("transitive-dependency", "idna"), ("undeclared-dependency", "urllib3")]
    pylock = """
        lock-version = "1.0"
        created-by = "test"
        [[packages]]
        name = "requests"
        version = "2.32.3"
        dependencies = [{name = "idna"}]
        [[packages]]
        name = "idna"
        version = "3.7"
        [[packages]]
        name = "urllib3"
        version = "2.2.1"
        marker = "sys_platform == 'win32'"
    """
    report = check({"pyproject.toml": pyproject(["requests"]), "pylock.toml": pylock, "app/__init__.py": code})
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [
        ("transitive-dependency", "idna"), ("undeclared-dependency", "urllib3")]


# -- unused-dependency ----------------------------------------------------------------------


def test_unused_dependency_points_at_the_declaration(check):
    report = check({"pyproject.toml": pyproject(["requests", "PyYAML"]), "app/__init__.py": "import requests\n"})
    [f] = findings(report, "unused-dependency")
    assert f.name == "pyyaml" and f.location.path.endswith("pyproject.toml") and f.location.line == 4
    assert f.effective_severity is Severity.WARNING
    assert "`PyYAML` is a declared runtime dependency but is never imported (it provides `yaml`" in f.message


def test_unused_allow_list_defaults_and_config(check):
    # certifi is on the built-in allow-list (declared to pin the CA bundle, never imported)
    assert dep_findings(check({"pyproject.toml": pyproject(["certifi"]), "app/__init__.py": ""})) == []
    extra = '[tool.importgate.dependencies]\nallow-unused = ["PyYAML"]\n'
    assert dep_findings(check({"pyproject.toml": pyproject(["pyyaml"], extra_text=extra), "app/__init__.py": ""})) == []


def test_unused_when_only_tests_or_type_checking_import_it(check):
    report = check({
        "pyproject.toml": pyproject(["PyYAML", "attrs"]),
        "app/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import attr\n",
        "tests/test_app.py": "import yaml\n",
    })
    got = {f.name: f.message for f in findings(report, "unused-dependency")}
    assert "only imported by test and development code" in got["pyyaml"]
    assert "only imported under `if TYPE_CHECKING:`" in got["attrs"]


def test_a_dependency_loaded_by_name_is_used(check):
    """A framework imports what settings name: Django's INSTALLED_APPS = ["yaml"] or a dotted
    path ("requests.adapters.HTTPAdapter", a Jinja extension "yaml.loader"). An import in a
    string that names another module, or a lower-case list, does not count."""
    settings = {
        "app/settings.py": 'INSTALLED_APPS = ["django.contrib.admin", "yaml"]\n',
        "app/adapters.py": 'ADAPTER = "requests.adapters.HTTPAdapter"\n',
    }
    assert dep_findings(check({"pyproject.toml": pyproject(["requests", "PyYAML"]), **settings})) == []
    # importlib.import_module("yaml"), and homeassistant's async_import_module(hass, "yaml")
    for call in ('importlib.import_module("yaml")', "async_import_module(hass, 'yaml')"):
        loader = {"app/load.py": f"import importlib\nhass = async_import_module = None\n\n\ndef load():\n    return {call}\n"}
        assert dep_findings(check({"pyproject.toml": pyproject(["PyYAML"]), **loader})) == []
    others = {
        "app/settings.py": 'apps = ["yaml"]\nNAME = "yaml"\n',
        "app/adapters.py": 'ADAPTER = "requestsx.adapters.HTTPAdapter"\n',
    }
    unused = findings(check({"pyproject.toml": pyproject(["requests", "PyYAML"]), **others}), "unused-dependency")
    assert sorted(f.name for f in unused) == ["pyyaml", "requests"]


def test_unknown_distribution_is_not_reported_unused(check):
    # not installed in the target, not in the fallback table: what it provides is unknown
    assert dep_findings(check({"pyproject.toml": pyproject(["some-internal-thing"]), "app/__init__.py": ""})) == []


def test_requirements_file_pins_of_transitive_packages_are_not_unused(check):
    report = check({"requirements.txt": "requests==2.32.3\nurllib3==2.2.1\nPyYAML\n", "app/__init__.py": "import requests\n"})
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [("unused-dependency", "pyyaml")]


# -- dev-dependency-in-production -----------------------------------------------------------


def test_dev_group_import_in_production_code(check):
    files = {
        "pyproject.toml": pyproject(["requests"], groups={"dev": ["PyYAML"]}),
        "app/__init__.py": "import requests\nimport yaml\n",
        "tests/test_app.py": "import yaml\n",
        "conftest.py": "import yaml\n",
    }
    report = check(files)
    [f] = findings(report, "dev-dependency-in-production")
    assert f.location.path.endswith("app/__init__.py") and f.effective_severity is Severity.ERROR
    assert "declared only in group `dev`" in f.message and "runtime dependencies" in f.message
    # a deploy that installs the group
    assert dep_findings(check(files, dep_groups=["dev"])) == []
    # a dev-named extra counts too
    report = check({"pyproject.toml": pyproject([], extras={"test": ["PyYAML"]}), "app/__init__.py": "import yaml\n"})
    assert [f.rule.name for f in report.findings] == ["dev-dependency-in-production"]


def test_dev_files_pattern_is_configurable(check):
    files = {
        "pyproject.toml": pyproject([], groups={"dev": ["PyYAML"]}, extra_text='[tool.importgate.dependencies]\ndev-files = ["scripts/"]\n'),
        "scripts/release.py": "import yaml\n",
        "tests/test_x.py": "import yaml\n",
    }
    report = check(files)
    assert [f.location.path.rsplit("/", 2)[-2:] for f in findings(report, "dev-dependency-in-production")] == [["tests", "test_x.py"]]


# -- unguarded-optional-import ----------------------------------------------------------------


OPTIONAL = pyproject(["requests"], extras={"yaml": ["PyYAML"], "dates": ["python-dateutil"]})


def test_extra_only_package_unguarded_in_base_code_is_flagged(check):
    report = check({"pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\nimport yaml\n"})
    [f] = findings(report, "unguarded-optional-import")
    assert f.effective_severity is Severity.WARNING and f.location.line == 2
    assert "only in the optional extra `yaml`" in f.message


def test_extra_only_package_in_its_own_module_or_guarded_is_silent(check):
    files = {
        "pyproject.toml": OPTIONAL,
        "app/__init__.py": "import requests\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
        "app/serializers/yaml.py": "import yaml\n",
        "app/yaml_support.py": "from yaml import safe_load\n",
        "app/dates/__init__.py": "import dateutil\n",
        "app/lazy.py": "def load():\n    import yaml\n    return yaml\n",
    }
    assert dep_findings(check(files)) == []


def test_an_import_whose_handler_raises_again_still_fails_and_is_not_told_to_guard(check):
    """``except ImportError: raise ImportError("pip install app[yaml]")`` guards nothing: without
    the extra the module still fails, on purpose. The finding stays, worded for what the author
    did (no "guard the import" advice). A handler that swallows the error stays silent, also
    inside a try whose own handler raises again."""
    reraise = "import requests\ntry:\n    import yaml\nexcept ImportError as exc:\n    raise ImportError('pip install app[yaml]') from exc\n"
    [f] = findings(check({"pyproject.toml": OPTIONAL, "app/__init__.py": reraise}), "unguarded-optional-import")
    assert f.location.line == 3 and f.effective_severity is Severity.WARNING
    assert f.message.endswith("importing app without that extra fails: its `except ImportError` raises again")
    assert f.hint == ("if app is meant to need the extra, import it only where the extra is installed and say so in "
                      "[tool.importgate.dependencies] extra-modules; otherwise declare it in [project] dependencies in pyproject.toml")
    said = OPTIONAL + '[tool.importgate.dependencies]\nextra-modules = { yaml = ["app"] }\n'
    assert dep_findings(check({"pyproject.toml": said, "app/__init__.py": reraise})) == []  # as its hint says
    bare = "import requests\ntry:\n    from yaml import safe_load\nexcept (ImportError, AttributeError):\n    raise\n"
    [f] = findings(check({"pyproject.toml": OPTIONAL, "app/__init__.py": bare}), "unguarded-optional-import")
    assert "raises again" in f.message
    plain = findings(check({"pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\nimport yaml\n"}), "unguarded-optional-import")
    assert [f.message.endswith("raises ModuleNotFoundError") and "guard the import" in f.hint for f in plain] == [True]
    swallowed = "import requests\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n"
    nested = ("import requests\ntry:\n    try:\n        import yaml\n    except ImportError:\n        yaml = None\n"
              "except ImportError:\n    raise\n")
    for text in (swallowed, nested):
        assert dep_findings(check({"pyproject.toml": OPTIONAL, "app/__init__.py": text})) == [], text


def test_selected_extra_makes_the_import_plain(check):
    files = {"pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\nimport yaml\n"}
    assert dep_findings(check(files, dep_extras=["yaml"])) == []
    assert dep_findings(check(files, dep_extras=["all"])) == []
    # --only-runtime wins over the profile written in the config
    config = OPTIONAL + '[tool.importgate.dependencies]\nextras = ["yaml"]\n'
    assert dep_findings(check({**files, "pyproject.toml": config})) == []
    assert [f.rule.name for f in check({**files, "pyproject.toml": config}, only_runtime=True).findings] == ["unguarded-optional-import"]


def test_an_extras_own_marker_on_its_requirement_holds_for_that_extra(check):
    """`cli = ["click; extra == 'cli'"]` (what a wheel's Requires-Dist says, copied into a
    pyproject): pip installs click with `[cli]`, so the declaration counts for that extra. A
    marker naming another extra still keeps it out."""
    marked = pyproject(["requests"], extras={"yaml": ["PyYAML; extra == 'yaml'"]})
    files = {"pyproject.toml": marked, "app/__init__.py": "import requests\n", "app/formats.py": "import yaml\n"}
    assert [f.rule.name for f in check(files).findings] == ["unguarded-optional-import"]  # not undeclared
    assert dep_findings(check(files, dep_extras=["yaml"])) == []
    other = pyproject(["requests"], extras={"yaml": ["PyYAML; extra == 'dates'"]})
    report = check({**files, "pyproject.toml": other}, dep_extras=["yaml"])
    assert [f.rule.name for f in report.findings] == ["undeclared-dependency"]


def test_a_distribution_an_extras_dependency_requires_is_as_optional_as_that_one(check):
    """black's blackd imports aiohttp (extra `d`), then multidict, which aiohttp requires: the
    line never runs without aiohttp, so without the extra it is the same warning as aiohttp's
    (IG205, naming the extra), not an undeclared-dependency error; with the extra it is a
    transitive dependency. One no extra brings, or one imported where nothing imports the
    extra's distribution, stays undeclared."""
    files = {"pyproject.toml": pyproject(["PyYAML"], extras={"http": ["requests"]}),
             "app/__init__.py": "import yaml\n", "app/core.py": "import requests\nimport urllib3\n"}
    report = check(files)
    assert [(f.rule.name, f.name) for f in report.findings] == [
        ("unguarded-optional-import", "requests"), ("unguarded-optional-import", "urllib3")]
    assert "gets only with the optional extra `http` (`requests` requires it)" in report.findings[1].message
    assert [f.rule.name for f in check(files, dep_extras=["http"]).findings] == ["transitive-dependency"]
    alone = {**files, "pyproject.toml": pyproject(["PyYAML"], extras={"dates": ["python-dateutil"]})}
    assert [f.rule.name for f in check(alone).findings] == ["undeclared-dependency", "undeclared-dependency"]
    apart = {**files, "app/core.py": "import urllib3\n"}
    assert [f.rule.name for f in check(apart).findings] == ["undeclared-dependency"]


def test_each_bad_requirement_is_reported_where_it_is_written(check):
    """The same bad string in two extras, and twice in one list: each finding on its own line."""
    bad = "tzdata ; (sys_platform == 'win32'"
    text = pyproject(["requests"]) + f'[project.optional-dependencies]\na = [\n  "{bad}",\n]\nb = [\n  "{bad}",\n  "{bad}",\n]\n'
    report = check({"pyproject.toml": text, "app/__init__.py": "import requests\n"})
    lines = text.splitlines()
    assert [f.rule.name for f in report.findings] == ["invalid-requirement"] * 3
    assert [f.location.line for f in report.findings] == [i + 1 for i, line in enumerate(lines) if bad in line]


def test_extra_modules_config(check):
    config = OPTIONAL + '[tool.importgate.dependencies]\nextra-modules = { yaml = ["app.formats"] }\n'
    files = {"pyproject.toml": config, "app/__init__.py": "import requests\n", "app/formats.py": "import yaml\n"}
    assert dep_findings(check(files)) == []


# -- manifests of other styles, end to end ------------------------------------------------------


def test_requirements_with_includes_end_to_end(check):
    files = {
        "requirements.txt": "-r requirements/base.txt\nrequests\n",
        "requirements/base.txt": "PyYAML\n",
        "requirements-dev.txt": "-r requirements.txt\nattrs\n",
        "app/__init__.py": "import requests\nimport yaml\nimport attr\n",
    }
    report = check(files)
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [("dev-dependency-in-production", "attrs")]


def test_poetry_and_setup_cfg_end_to_end(check):
    poetry = """
        [tool.poetry]
        name = "demo"
        [tool.poetry.dependencies]
        python = "^3.9"
        PyYAML = "^6"
        [tool.poetry.group.test.dependencies]
        attrs = "*"
    """
    report = check({"pyproject.toml": poetry, "app/__init__.py": "import yaml\nimport attr\nimport dateutil\n"})
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [
        ("dev-dependency-in-production", "attrs"), ("undeclared-dependency", "python-dateutil")]
    setup_cfg = "[metadata]\nname = demo\n[options]\ninstall_requires =\n    PyYAML\n"
    report = check({"setup.cfg": setup_cfg, "app/__init__.py": "import yaml\nimport attr\n"})
    assert [(f.rule.name, f.name) for f in report.findings if f.rule.name in DEP_RULES] == [("undeclared-dependency", "attrs")]


def test_invalid_requirement_is_reported_and_the_rest_still_checked(check):
    report = check({"pyproject.toml": pyproject(["PyYAML", "bad requirement!!"]), "app/__init__.py": "import yaml\nimport attr\n"})
    assert sorted(f.rule.name for f in report.findings) == ["invalid-requirement", "undeclared-dependency"]


# -- the CLI -------------------------------------------------------------------------------------


def test_cli_exit_codes_json_and_config_errors(thirdparty_python, tmp_path):
    root = write_project(tmp_path / "p", {"pyproject.toml": pyproject([]), "app/__init__.py": "import yaml\n"})
    proc = cli("check", str(root), "--python", thirdparty_python, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    [f] = [f for f in data["findings"] if f["rule"] == "undeclared-dependency"] if "rule" in data["findings"][0] else [
        f for f in data["findings"] if "undeclared-dependency" in json.dumps(f)]
    assert "PyYAML" in json.dumps(f)
    proc = cli("check", str(root), "--python", thirdparty_python, "--ignore", "undeclared-dependency")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = cli("check", str(root), "--python", thirdparty_python, "--extras", "nope")
    assert proc.returncode == 2 and "unknown extra nope" in proc.stderr
    bad = write_project(tmp_path / "q", {"pyproject.toml": pyproject([], extra_text="[tool.importgate.dependencies]\nallow_unused = []\n"), "a.py": ""})
    proc = cli("check", str(bad), "--python", thirdparty_python)
    assert proc.returncode == 2 and "unknown key 'allow_unused'" in proc.stderr


def test_module_imported_only_under_a_guard_belongs_to_the_extra(check):
    files = {
        "pyproject.toml": OPTIONAL,
        "app/__init__.py": "import requests\ntry:\n    from app.reloader import Reloader\nexcept ImportError:\n    Reloader = None\n",
        "app/reloader.py": "import yaml\nclass Reloader: ...\n",
    }
    assert dep_findings(check(files)) == []
    # the same module imported plainly somewhere else runs without the extra
    files["app/cli.py"] = "from app.reloader import Reloader\n"
    assert [f.rule.name for f in check(files).findings] == ["unguarded-optional-import"]


def test_same_name_distribution_not_installed_is_named(check):
    report = check({"pyproject.toml": pyproject([]), "app/__init__.py": "from gunicorn.arbiter import Arbiter\n"}, select=["IG2"])
    [f] = findings(report, "undeclared-dependency")
    assert "usually provided by `gunicorn`" in f.message


def test_a_missing_and_undeclared_module_is_one_finding_saying_both(check):
    """`import bs4` with beautifulsoup4 neither installed nor declared fails at import whatever
    the manifest says: one finding (unresolved-module) on the line, that carries the
    undeclared-dependency's word and advice. Either rule alone still reports it."""
    files = {"pyproject.toml": pyproject([]), "app/__init__.py": "import bs4\nfrom bs4.element import Tag\n", "app/deferred.py": "def f():\n    import bs4\n"}
    report = check(files)
    assert [(f.rule.name, f.location.line) for f in report.findings] == [("unresolved-module", 1), ("undeclared-dependency", 2)]
    [merged] = findings(report, "unresolved-module")
    assert "'beautifulsoup4'" in merged.message
    assert merged.hint == "install 'beautifulsoup4'; declare `beautifulsoup4` in [project] dependencies in pyproject.toml"
    notes = [(r.location.line, r.message) for r in merged.related]
    assert (1, "undeclared-dependency: `bs4` is usually provided by `beautifulsoup4` (not installed in the target), which is not a declared dependency") in notes
    assert any(line == 2 and "unresolved-module" in note for line, note in notes)
    # inside a function it is only a warning of its own, and no unresolved-module is reported there
    [deferred] = findings(report, "undeclared-dependency")
    assert deferred.location.path.endswith("deferred.py") and str(deferred.effective_severity) == "warning"
    assert [f.rule.name for f in check(files, select=["IG201"]).findings] == ["undeclared-dependency"] * 2
    assert [f.rule.name for f in check(files, ignore=["IG201"]).findings] == ["unresolved-module"]


def _pytest_plugin(tmp_path, extra: str, plugin: str, files: dict[str, str]) -> Report:
    """A project that ships a pytest plugin (entry point pytest11 -> ``plugin``), checked."""
    pyproject = (f'[project]\nname = "myplug"\nversion = "1"\ndependencies = []\n'
                 f'[project.optional-dependencies]\n{extra}\n[project.entry-points.pytest11]\nmyplug = "{plugin}"\n')
    root = write_project(tmp_path / "plug", {"pyproject.toml": pyproject, "myplug/__init__.py": "", **files})
    return run_check(root, python=sys.executable)


def test_plugin_module_may_import_its_host_but_nothing_else_dev_only(tmp_path):
    report = _pytest_plugin(tmp_path, 'test = ["pytest", "pyyaml"]', "myplug.plugin",
                            {"myplug/plugin.py": "import pytest\nimport yaml\n", "myplug/core.py": "import pytest\n"})
    hits = sorted((f.location.path.rsplit("/", 1)[-1], f.module) for f in findings(report, "dev-dependency-in-production"))
    assert ("plugin.py", "pytest") not in hits  # pytest loads the plugin: pytest is there
    assert ("core.py", "pytest") in hits  # ordinary code gets no such pass


def test_plugin_module_may_import_its_host_declared_in_an_optional_extra(tmp_path):
    """hypothesis ships its pytest plugin with pytest in its `pytest` extra: only pytest ever
    imports that module, so pytest is there; the same import elsewhere is a warning."""
    report = _pytest_plugin(tmp_path, 'pytest = ["pytest"]', "myplug_plugin",
                            {"myplug_plugin.py": "import pytest\n", "myplug/core.py": "import pytest\n"})
    assert [(f.rule.name, f.location.path.rsplit("/", 1)[-1]) for f in report.findings] == [("unguarded-optional-import", "core.py")]


def test_a_venv_inside_the_project_is_installed_code_not_first_party(thirdparty_python, tmp_path):
    """The usual layout: ./.venv in the project. Its site-packages is on the target's sys.path
    and inside the project root, yet what it holds is installed, not the project's own code."""
    import glob
    import os
    import shutil
    import venv

    root = write_project(
        tmp_path / "proj",
        {"pyproject.toml": "[project]\nname = 'svc'\nversion = '1'\ndependencies = ['attrs']\n",
         "svc/__init__.py": "import yaml\nimport attr\n"},
    )
    venv.EnvBuilder(with_pip=False).create(root / ".venv")
    source_site = glob.glob(os.path.join(os.path.dirname(os.path.dirname(thirdparty_python)), "lib", "python3*", "site-packages"))[0]
    (target_site,) = glob.glob(str(root / ".venv" / "lib" / "python3*" / "site-packages"))
    for entry in os.listdir(source_site):
        if entry.lower().startswith(("yaml", "pyyaml", "_yaml", "attr")):
            src = os.path.join(source_site, entry)
            (shutil.copytree if os.path.isdir(src) else shutil.copy2)(src, os.path.join(target_site, entry))
    explicit = cli("check", str(root), "--format", "json", "--python", str(root / ".venv"), cwd=root)
    default = cli("check", str(root), "--format", "json", cwd=root)  # ./.venv is the default target
    for proc in (explicit, default):
        found = [(f["rule"], f["name"]) for f in json.loads(proc.stdout)["findings"] if f["code"].startswith("IG2")]
        assert found == [("undeclared-dependency", "pyyaml")], proc.stdout
