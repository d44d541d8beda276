"""Benchmark: importgate's cycle rules (IG401/IG402) side by side with pylint's
cyclic-import (R0401), against the ground truth of importing every module.

Installs pinned real packages and pylint into a throwaway venv under bench/.work/,
copies each package into a project of its own, then, per package:

importgate   `importgate check --select IG4 --no-cache` (wall time, findings, and the
             modules it says cannot be imported first)
pylint       `pylint --disable=all --enable=cyclic-import` (wall time, cycles reported)
truth        `python -c "import M"` for every module of the package in a fresh
             interpreter (2 at a time); the ones that die of a circular import
             ("partially initialized module", "circular import")

and prints, per tool, how many reports there are and how many of the truly failing
modules they name. importgate's precision is checked too: every module it says
fails must fail.

    python bench/cycles_bench.py [--packages django==5.2.19 sqlalchemy==2.1.9 ...]

The truth step imports ~1,200 modules: minutes. The machine may be shared: run it once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
DEFAULT = ["django==5.2.19", "sqlalchemy==2.1.9", "pydantic==2.14.4", "oracledb==26.1.0", "pylint"]


def setup(requirements: list[str]) -> Path:
    env_dir = WORK / "venv-cycles"
    python = env_dir / "bin" / "python"
    stamp = env_dir / ".requirements"
    if not python.exists() or not stamp.exists() or stamp.read_text() != " ".join(requirements):
        print(f"creating {env_dir} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements], check=True)
        stamp.write_text(" ".join(requirements))
    return python


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def modules_of(root: Path, name: str) -> list[str]:
    out = []
    for directory, dirs, files in os.walk(root / name):
        dirs[:] = sorted(d for d in dirs if d.isidentifier())
        rel = os.path.relpath(directory, root).replace(os.sep, ".")
        for f in sorted(files):
            if f.endswith(".py"):
                out.append(rel if f == "__init__.py" else f"{rel}.{f[:-3]}")
    return out


def truth(python: Path, modules: list[str]) -> dict[str, str]:
    def run(module: str) -> tuple[str, str | None]:
        proc = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, text=True, timeout=300)
        if proc.returncode == 0:
            return module, None
        return module, (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]

    with ThreadPoolExecutor(2) as pool:
        return {m: e for m, e in pool.map(run, modules) if e is not None}


def circular(error: str) -> bool:
    return "partially initialized module" in error or "circular import" in error


def importgate_run(python: Path, root: Path, name: str) -> tuple[float, list[dict], set[str]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "importgate", "check", name, "--select", "IG4", "--no-cache", "--format", "json", "--python", str(python)],
        cwd=root, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    findings = json.loads(proc.stdout)["findings"]
    named: set[str] = set()
    for f in findings:
        message = f["message"]
        first = re.search(r"when (\S+) is imported first|importing (\S+) runs", message)
        if first:
            named.add(first.group(1) or first.group(2))
        too = re.search(r"importing ([\w., ]+?)(?: and \d+ more)? first fails too", message)
        if too:
            named.update(s.strip() for s in too.group(1).split(","))
    return seconds, findings, named


def pylint_run(python: Path, root: Path, name: str) -> tuple[float, int, set[str]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [str(python), "-m", "pylint", name, "--disable=all", "--enable=cyclic-import", "--score=n", "--jobs=1"],
        cwd=root, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    cycles = re.findall(r"Cyclic import \(([^)]*)\)", proc.stdout)
    named = {m.strip() for c in cycles for m in c.split("->")}
    return seconds, len(cycles), named


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", nargs="*", default=DEFAULT)
    args = parser.parse_args()
    python = setup(args.packages)
    names = [p.split("==")[0].lower() for p in args.packages if p.split("==")[0].lower() not in ("oracledb", "pylint")]
    print(f"{'package':<12}{'modules':>8}{'circular':>10} | {'importgate':>11}{'s':>7}{'named':>7}{'wrong':>7} | {'pylint':>8}{'s':>8}{'named':>7}")
    for name in names:
        root = WORK / "projects" / name
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(site_packages(python) / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        (root / "pyproject.toml").write_text(f"[project]\nname = '{name}-copy'\nversion = '0'\n")
        modules = modules_of(root, name)
        failing = truth(python, modules)
        really = {m for m, e in failing.items() if circular(e)}
        ig_seconds, findings, ig_named = importgate_run(python, root, name)
        wrong = {m for m in ig_named if m not in failing}
        pl_seconds, pl_cycles, pl_named = pylint_run(python, root, name)
        print(
            f"{name:<12}{len(modules):>8}{len(really):>10} | {len(findings):>11}{ig_seconds:>7.1f}"
            f"{len(ig_named & really):>7}{len(wrong):>7} | {pl_cycles:>8}{pl_seconds:>8.1f}{len(pl_named & really):>7}",
            flush=True,
        )
        for m in sorted(really - ig_named):
            print(f"    missed by importgate: {m}: {failing[m][:160]}")
        for m in sorted(wrong):
            print(f"    importgate says it fails, but it imports: {m}")


if __name__ == "__main__":
    main()
