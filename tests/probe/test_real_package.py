"""A real package from the package registry, in a throwaway venv passed with --python:
every module is probed, and each verdict agrees with importing that module directly."""

from __future__ import annotations

import json
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

from probe_helpers import probe_cli

PACKAGES = ["requests==2.32.3", "urllib3==2.2.3"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("realpkg")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES],
        capture_output=True, text=True, timeout=600,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot install {PACKAGES} from the package registry: {proc.stderr[-500:]}")
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip())
    # the packages' own sources become the "project" (they shadow the installed copies)
    project = base / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "vendored"\nversion = "0"\n')
    for name in ("requests", "urllib3"):
        shutil.copytree(site / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    return python, project


def _direct_import_ok(python: Path, project: Path, module: str) -> bool:
    proc = subprocess.run(
        [str(python), "-c", f"import {module}"], cwd=project, capture_output=True, timeout=60,
    )
    return proc.returncode == 0


@pytest.mark.slow
def test_every_module_probed_and_agrees_with_direct_import(installed):
    python, project = installed
    proc = probe_cli(str(project), "--python", str(python), "--format", "json", "--jobs", "2", "--slowest", "0", cwd=project)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)["probe"]
    modules = {p.relative_to(project).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
               for p in project.rglob("*.py")}
    probed = set(data["passed"]) | set(data["failed"]) | {s["module"] for s in data["skipped"]}
    assert probed == modules  # every module, none twice
    assert len(modules) > 40
    disagreements = []
    for module in sorted(modules):
        direct = _direct_import_ok(python, project, module)
        if direct != (module in data["passed"]):
            disagreements.append((module, direct))
    assert disagreements == []
    assert data["failed"], "urllib3's optional integrations fail without their dependencies"
    assert "requests.sessions" in data["passed"]


@pytest.mark.slow
def test_fork_and_spawn_agree_on_the_real_package(installed):
    python, project = installed
    results = {}
    for isolation in ("fork", "spawn"):
        proc = probe_cli(str(project), "--python", str(python), "--format", "json", "--isolation", isolation, cwd=project)
        data = json.loads(proc.stdout)
        results[isolation] = (
            sorted(data["probe"]["passed"]),
            sorted(data["probe"]["failed"]),
            [(f["rule"], f["path"], f["line"], f["message"]) for f in data["findings"]],
        )
    assert results["fork"] == results["spawn"]
