"""Test helpers: tiny projects written into tmp_path, in-process checks, runs of the real CLI,
and shared virtual environments with real packages. Imported as `support` (pytest puts
tests/ on sys.path); fixtures live in conftest.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from importgate import api
from importgate.model import Report


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def run_check(root: Path | str, *paths: str, **options) -> Report:
    """importgate.check in-process on a project (paths relative to root)."""
    targets = tuple(str(Path(root) / p) for p in paths) or (str(root),)
    options.setdefault("python", sys.executable)
    return api.check_paths(targets, **options)


def cycle_model(root: Path | str, python: str = sys.executable):
    """The import-order simulation's model of a project (its graph, what it runs and reads)."""
    from importgate import engine
    from importgate.rules import cycles

    config = api.configs_for((str(root),), python=str(python), jobs=1, cache=False)[0]
    project, _ = engine.build_project(config)
    return cycles._Model(project)


def cycle_claims(message: str) -> tuple[str, list[str], list[str]]:
    """What a circular-import finding says: (the module imported first, the other modules said
    to fail too, the modules said to work)."""
    import re

    first = re.search(r"when (\S+) is imported first|importing (\S+) runs", message)
    assert first, message
    too = re.search(r"importing ([\w., ]+?)(?: and \d+ more)? first fails too", message)
    works = re.search(r"no failure when importing ([\w., ]+?) first", message)
    split = lambda m: [s.strip() for s in m.group(1).split(",")] if m else []  # noqa: E731
    return first.group(1) or first.group(2), split(too), split(works)


def import_fails(root: Path | str, module: str, python: str = sys.executable) -> bool:
    """Ground truth: does `python -c "import <module>"` fail in a fresh interpreter?"""
    proc = subprocess.run([python, "-c", f"import {module}"], cwd=root, capture_output=True, timeout=120)
    return proc.returncode != 0


def rules_of(report: Report) -> list[tuple[str, str | None]]:
    return [(f.rule.name, f.name) for f in report.findings]


def findings(report: Report, rule: str):
    return [f for f in report.findings if f.rule.name == rule]


def cli(*args: str, cwd: Path | str | None = None, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real console entry point in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "importgate", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli_json(*args: str, cwd=None) -> tuple[int, dict]:
    proc = cli(*args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def find_python(minor: int) -> str | None:
    """An interpreter for Python 3.<minor> on this machine that actually runs, or None."""
    import glob
    import shutil

    candidates = [shutil.which(f"python3.{minor}")]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/3.{minor}.*/bin/python3")))
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "-c", "pass"], capture_output=True).returncode == 0:
            return candidate
    return None


VENV_HOME = Path(os.environ.get("IMPORTGATE_TEST_VENVS", Path(__file__).resolve().parents[1] / ".test-venvs"))


def shared_venv(name: str, requirements: list[str], python: str | None = None) -> Path:
    """A virtual environment with real packages from the package registry, built once and
    shared by every test (and xdist worker) through a file lock. Returns its python."""
    import fcntl
    import hashlib

    key = hashlib.sha256(json.dumps([requirements, python or sys.executable]).encode()).hexdigest()[:10]
    home = VENV_HOME / f"{name}-{key}"
    exe = home / "bin" / "python"
    VENV_HOME.mkdir(parents=True, exist_ok=True)
    with open(VENV_HOME / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / ".ready").exists():
            if home.exists():
                import shutil

                shutil.rmtree(home)
            subprocess.run([python or sys.executable, "-m", "venv", str(home)], check=True)
            if requirements:
                subprocess.run(
                    [str(exe), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
                    check=True,
                )
            (home / ".ready").write_text("ok")
    return exe


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def venv_with_paths(tmp_path: Path, *directories) -> str:
    """A fresh venv (no pip) whose site-packages puts ``directories`` on sys.path with a .pth
    file: what is there counts as installed. Returns its python."""
    import venv

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    with open(site_packages(python) / "extra.pth", "w") as fh:
        fh.write("".join(f"{d}\n" for d in directories))
    return str(python)
