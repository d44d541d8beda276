"""Expected failures (optional dependencies, [tool.importgate.probe] expected), entries, config validation."""

from __future__ import annotations

from probe_helpers import by_rule, probe, probe_cli, probe_json


def test_missing_optional_dependency_guarded_elsewhere_is_skipped(make_project):
    root = make_project({
        "pkg/__init__.py": "",
        "pkg/config.py": """
            try:
                import yaml_lib_not_installed as yaml
            except ImportError:
                yaml = None
        """,
        "pkg/contrib/__init__.py": "",
        "pkg/contrib/yaml_support.py": "import yaml_lib_not_installed\n",
        "pkg/core.py": "import other_lib_not_installed\n",
    })
    run = probe(root)
    assert [s.module for s in run.verdicts.skipped] == ["pkg.contrib.yaml_support"]
    reason = run.verdicts.skipped[0].reason
    assert "optional dependency `yaml_lib_not_installed`" in reason
    assert "pkg/config.py:2" in reason
    # the same failure for a package nobody guards is an error
    [finding] = by_rule(run, "import-failed")
    assert finding.module == "pkg.core"
    assert run.report.count(3) == 1


def test_optional_extra_is_skipped_but_a_required_dependency_is_not(make_project):
    root = make_project({
        "pyproject.toml": """
            [project]
            name = "svc"
            version = "1"
            dependencies = ["required-thing-not-installed>=1"]

            [project.optional-dependencies]
            redis = ["redis-client-not-installed>=4"]
        """,
        "svc/__init__.py": "",
        "svc/cache.py": "import redis_client_not_installed\n",
        "svc/db.py": """
            try:
                import required_thing_not_installed
            except ImportError:
                pass
            import required_thing_not_installed
        """,
    })
    run = probe(root)
    assert [(s.module, "[redis]" in s.reason) for s in run.verdicts.skipped] == [("svc.cache", True)]
    [finding] = by_rule(run, "import-failed")
    assert finding.module == "svc.db" and finding.location.line == 5


def test_declared_expected_failures(make_project):
    root = make_project({
        "pyproject.toml": """
            [tool.importgate.probe]
            expected = [
                {module = "pkg.contrib.*", exception = "ImproperlyConfigured", reason = "needs settings"},
                {module = "pkg.legacy", exception = "ImportError"},
            ]
        """,
        "pkg/__init__.py": "class ImproperlyConfigured(Exception):\n    pass\n",
        "pkg/contrib/__init__.py": "",
        "pkg/contrib/admin.py": "from pkg import ImproperlyConfigured\nraise ImproperlyConfigured('no settings')\n",
        "pkg/contrib/other.py": "raise RuntimeError('not the expected type')\n",
        "pkg/legacy.py": "import module_gone_long_ago\n",  # ModuleNotFoundError is an ImportError
    })
    run = probe(root)
    skipped = {s.module: s.reason for s in run.verdicts.skipped}
    assert set(skipped) == {"pkg.contrib.admin", "pkg.legacy"}
    assert "needs settings" in skipped["pkg.contrib.admin"]
    [finding] = by_rule(run, "import-failed")
    assert finding.module == "pkg.contrib.other"


def test_config_settings_are_used_and_cli_wins(make_project):
    root = make_project({
        "pyproject.toml": """
            [tool.importgate.probe]
            timeout = 1
            max-import-seconds = 0.3
            env = {APP_MODE = "prod"}
            isolation = "spawn"
            skip = ["app.scripts.*"]
        """,
        "app/__init__.py": "import os\nassert os.environ['APP_MODE'] == 'prod'\n",
        "app/slow.py": "import time\ntime.sleep(0.6)\n",
        "app/scripts/__init__.py": "",
        "app/scripts/migrate.py": "raise SystemExit('run me, do not import me')\n",
    })
    run = probe(root, timeout=None)
    assert run.isolation == "spawn"
    assert by_rule(run, "slow-import")
    assert ("app.scripts.migrate", "app.scripts.*") in run.excluded
    assert "app" in run.verdicts.passed
    run = probe(root, timeout=None, max_import_seconds=5.0, isolation="fork")
    assert run.isolation == "fork" and not by_rule(run, "slow-import")


def test_unknown_probe_key_is_a_usage_error(make_project):
    root = make_project({"pyproject.toml": "[tool.importgate.probe]\ntimout = 5\n", "m.py": ""})
    proc = probe_cli(str(root))
    assert proc.returncode == 2
    assert "unknown key 'timout'" in proc.stderr and "[tool.importgate.probe]" in proc.stderr


def test_bad_expected_entry_is_a_usage_error(make_project):
    root = make_project({
        "pyproject.toml": "[tool.importgate.probe]\nexpected = [{modul = 'x'}]\n",
        "m.py": "",
    })
    proc = probe_cli(str(root))
    assert proc.returncode == 2
    assert "unknown key 'modul'" in proc.stderr


def test_bad_cli_values_are_usage_errors(make_project):
    root = make_project({"m.py": ""})
    assert probe_cli(str(root), "--timeout", "0").returncode == 2
    assert probe_cli(str(root), "--env", "NOEQUALS").returncode == 2
    assert probe_cli(str(root), "--env-file", str(root / "missing.env")).returncode == 2
    assert probe_cli(str(root / "nowhere")).returncode == 2


def test_entry_with_attribute(make_project):
    root = make_project({
        "web/__init__.py": "",
        "web/app.py": "def create():\n    return object()\n\napplication = create()\n",
        "web/broken.py": "raise RuntimeError('never imported: not an entry')\n",
    })
    code, data = probe_json(str(root), "--entry", "web.app:application")
    assert code == 0 and data["findings"] == []
    assert data["probe"]["passed"] == ["web.app:application"]
    code, data = probe_json(str(root), "--entry", "web.app:app")
    assert code == 1
    [finding] = data["findings"]
    assert finding["rule"] == "import-failed" and finding["name"] == "app"
    assert "AttributeError" in finding["message"] and "`web.app:app` fails" in finding["message"]


def test_entry_points_from_pyproject(make_project):
    root = make_project({
        "pyproject.toml": """
            [project]
            name = "tool"
            version = "1"

            [project.scripts]
            tool = "tool.cli:main"
            tool-admin = "tool.admin:run"

            [project.entry-points."tool.plugins"]
            extra = "tool.plugins:Plugin [fancy]"
        """,
        "tool/__init__.py": "",
        "tool/cli.py": "def main():\n    pass\n",
        "tool/admin.py": "def start():\n    pass\n",
        "tool/plugins.py": "class Plugin:\n    pass\n",
        "tool/unrelated.py": "raise RuntimeError('not an entry point')\n",
    })
    run = probe(root, entry_points=True)
    assert set(run.verdicts.passed) == {"tool.cli:main", "tool.plugins:Plugin"}
    [finding] = run.report.findings
    assert finding.name == "run"
    # located where pyproject.toml declares the broken entry point
    assert finding.location.path == str(root / "pyproject.toml")
    assert finding.location.line == 7
