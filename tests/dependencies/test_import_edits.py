"""Imports of distributions added after a warm run: answered from the last report only when the
dependency rules cannot tell (found by a differential stress run; each test failed before)."""

from __future__ import annotations

from support import run_check, write_project

from test_rules import pyproject


def edited(tmp_path, python, files, rel, line):
    """(findings before, findings after, the report after) of appending ``line`` to ``rel``,
    after checking that the cached answer is the one a run without cache gives."""
    root = write_project(tmp_path / "p", files)

    def run():
        cached = run_check(root, cache_dir=str(tmp_path / "c"), python=python)
        fresh = run_check(root, cache=False, python=python)
        seen = [(f.rule.name, f.name, f.location.path, f.location.line, f.message, [r.location.line for r in f.related])
                for f in cached.findings]
        assert seen == [(f.rule.name, f.name, f.location.path, f.location.line, f.message, [r.location.line for r in f.related])
                        for f in fresh.findings]
        return seen, cached

    first, _ = run()
    path = root / rel
    path.write_text(path.read_text() + line)
    second, report = run()
    return first, second, report


def test_another_import_of_a_declared_distribution_beside_its_twin_replays(tmp_path, thirdparty_python):
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["requests"]), "app/__init__.py": "", "app/a.py": "import requests\n",
    }, "app/a.py", "import requests as _again\n")
    assert report.replayed and second == first == []


def test_a_name_from_a_namespace_package_may_come_from_another_distribution(tmp_path, thirdparty_python):
    """``from google import api`` is googleapis-common-protos, ``from google import protobuf`` is
    protobuf: the same module text, not the same twin."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["protobuf"]), "app/__init__.py": "", "app/a.py": "from google import protobuf\n",
    }, "app/a.py", "from google import api\n")
    assert not report.replayed
    assert first == [] and [f[:2] for f in second] == [("undeclared-dependency", "googleapis-common-protos")]


def test_one_more_site_of_a_reported_distribution_is_listed(tmp_path, thirdparty_python):
    """The undeclared-dependency finding sits in a.py and lists b.py's import as a related
    place: one more import in b.py is one more place, though b.py holds no finding."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["requests"]), "app/__init__.py": "import requests\n",
        "app/a.py": "import yaml\n", "app/b.py": "import yaml\n",
    }, "app/b.py", "import yaml as _again\n")
    assert not report.replayed
    assert [f[:2] for f in first] == [("undeclared-dependency", "pyyaml")]
    assert len(second[0][5]) == len(first[0][5]) + 1


def test_a_twin_whose_finding_is_ignored_does_not_vouch_for_a_new_import(tmp_path, thirdparty_python):
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["requests"]), "app/__init__.py": "import requests\n",
        "app/b.py": "import yaml  # importgate: ignore\n",
    }, "app/b.py", "import yaml\n")
    assert not report.replayed
    assert first == [] and [f[:2] for f in second] == [("undeclared-dependency", "pyyaml")]


# -- deferred imports of first-party modules -------------------------------------------------

OPTIONAL = pyproject(["requests"], extras={"yaml": ["PyYAML"]})


def test_a_module_imported_only_lazily_belongs_to_an_extra(tmp_path, thirdparty_python):
    """app/reloader.py imports an extra-only distribution; the first import of it, inside a
    function, makes it the extra's own module (the finding goes): not answered by the last report."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n", "app/reloader.py": "import yaml\n",
        "app/cli.py": "def run():\n    return 1\n",
    }, "app/cli.py", "\n\ndef reload():\n    from app import reloader\n    return reloader\n")
    assert not report.replayed
    assert [f[0] for f in first] == ["unguarded-optional-import"] and second == []


def test_another_lazy_import_of_a_lazily_imported_module_replays(tmp_path, thirdparty_python):
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n", "app/reloader.py": "import yaml\n",
        "app/cli.py": "def run():\n    from app import reloader\n    return reloader\n",
    }, "app/cli.py", "\n\ndef again():\n    from app.reloader import yaml\n    return yaml\n")
    assert report.replayed and first == second == []


def test_removing_the_only_lazy_import_of_a_module_runs_the_rules(tmp_path, thirdparty_python):
    root = write_project(tmp_path / "p", {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n", "app/reloader.py": "import yaml\n",
        "app/cli.py": "def run():\n    from app import reloader\n    return reloader\n",
    })
    assert run_check(root, cache_dir=str(tmp_path / "c"), python=thirdparty_python).findings == ()
    (root / "app" / "cli.py").write_text("def run():\n    return 1\n")
    cached = run_check(root, cache_dir=str(tmp_path / "c"), python=thirdparty_python)
    assert not cached.replayed
    assert [f.rule.name for f in cached.findings] == ["unguarded-optional-import"]


def test_a_local_module_named_like_an_unused_dependency_shadows_it_once_imported(tmp_path, thirdparty_python):
    """yaml.py beside the code hides PyYAML's ``yaml``: the first import of it (here yaml.py's own,
    in a function) turns "never imported" into "shadowed by yaml.py"."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["PyYAML"]), "yaml.py": "def load():\n    return 1\n",
    }, "yaml.py", "\n\ndef again():\n    import yaml\n    return yaml\n")
    assert not report.replayed
    assert [f[0] for f in first] == [f[0] for f in second] == ["unused-dependency"]
    assert "shadows" not in first[0][4] and "shadows" in second[0][4]


def test_a_name_of_a_test_helper_reaches_a_distribution_from_production_code(tmp_path, thirdparty_python):
    """tests/yaml.py makes ``yaml`` a name that may reach first-party code, but from app/ it is
    PyYAML, undeclared: a third-party import after all."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": pyproject(["requests"]), "app/__init__.py": "import requests\n",
        "tests/yaml.py": "def load():\n    return 1\n", "tests/test_app.py": "import yaml\n",
        "app/cli.py": "def run():\n    return 1\n",
    }, "app/cli.py", "\n\ndef read():\n    import yaml\n    return yaml\n")
    assert not report.replayed
    assert first == [] and [(f[0], f[1]) for f in second] == [("undeclared-dependency", "pyyaml")]


# -- first-party imports at module level -----------------------------------------------------


def test_an_unconditional_import_of_a_module_imported_only_on_demand_runs_the_rules(tmp_path, thirdparty_python):
    """cli.py imports the reloader only when asked to (so it is the `yaml` extra's own module); an
    import of it beside that, at module level, runs the same modules (the import-order simulation
    is unchanged) but makes the reloader part of every start: its extra-only import is reported."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n", "app/reloader.py": "import yaml\n",
        "app/cli.py": "import os\n\nif os.environ.get('RELOAD'):\n    from app import reloader\n",
    }, "app/cli.py", "from app import reloader as _always\n")
    assert not report.replayed
    assert first == [] and [f[0] for f in second] == ["unguarded-optional-import"]


def test_another_module_level_import_of_a_module_imported_at_start_replays(tmp_path, thirdparty_python):
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n", "app/reloader.py": "import yaml\n",
        "app/cli.py": "from app import reloader\n",
    }, "app/cli.py", "import app.reloader as _again\n")
    assert report.replayed
    assert first == second and [f[0] for f in first] == ["unguarded-optional-import"]


def test_a_handler_that_starts_raising_again_is_seen_by_the_next_run(tmp_path, thirdparty_python):
    """``finally: pass`` becomes ``except ImportError: raise`` on the same lines: the guard, the
    try and every line stay as they were, only IG205's wording changes. The stored report must
    not be replayed with the old words."""
    root = write_project(tmp_path / "p", {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n",
        "app/core.py": "try:\n    import yaml\nfinally:\n    pass\n",
    })

    def run():
        cached = run_check(root, cache_dir=str(tmp_path / "c"), python=thirdparty_python)
        fresh = run_check(root, cache=False, python=thirdparty_python)
        assert [(f.message, f.hint) for f in cached.findings] == [(f.message, f.hint) for f in fresh.findings]
        return cached

    before = run()
    assert [f.message.endswith("raises ModuleNotFoundError") for f in before.findings] == [True]
    (root / "app" / "core.py").write_text("try:\n    import yaml\nexcept ImportError:\n    raise\n")
    after = run()
    assert [f.message.endswith("raises again") for f in after.findings] == [True]


def test_a_plain_import_beside_one_whose_handler_raises_again_is_no_twin(tmp_path, thirdparty_python):
    """Both fail without the extra, but the dependency rules word them apart: the plain one is
    judged afresh, not vouched for by the re-raised one."""
    first, second, report = edited(tmp_path, thirdparty_python, {
        "pyproject.toml": OPTIONAL, "app/__init__.py": "import requests\n",
        "app/core.py": "try:\n    import yaml\nexcept ImportError:\n    raise\n",
    }, "app/core.py", "import yaml as _again\n")
    assert not report.replayed
    assert [(f[0], f[3]) for f in first] == [("unguarded-optional-import", 2)]
    assert [(f[0], f[3], f[5]) for f in second] == [("unguarded-optional-import", 2, [5])]
