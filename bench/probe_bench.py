"""Benchmark: `importgate probe` with a fork server vs fresh interpreters, side by side
with the ad-hoc peer (`python -c "import M"` per module, run in parallel).

Installs a pinned real package (default SQLAlchemy 2.0.36, 255 modules) into a
throwaway venv under bench/.work/ and measures two projects:

service   a generated service of one first-party module per package module
          (``svc/m_017.py: import sqlalchemy.dialects.mysql.provision``): the
          package is a third-party dependency, the shared prefix the fork
          server preloads once. This is the case the fork server is for.
library   the package's own sources copied into a project (first-party, they
          shadow the installed copy): nothing heavy may be preloaded, so this
          is the fork server's worst case.

Every module is probed with --isolation=fork and --isolation=spawn, several
repetitions each; the script prints medians, ratios, and whether the verdicts
are identical across modes and agree with the naive direct imports. Sources
are compiled to .pyc first, as in a deployed service.

    python bench/probe_bench.py [--reps 3] [--jobs N] [--package sqlalchemy==2.0.36]

The machine may be shared: run it once, not in a loop.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"


def setup(package: str) -> tuple[Path, Path, Path, str]:
    name = package.split("==")[0].lower()
    tag = package.replace("==", "-")
    env_dir = WORK / f"venv-{tag}"
    python = env_dir / "bin" / "python"
    if not python.exists():
        print(f"creating {env_dir} and installing {package} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", package], check=True)
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip())
    top = name.replace("-", "_")
    library = WORK / f"library-{tag}"
    if not (library / top).exists():
        library.mkdir(parents=True, exist_ok=True)
        (library / "pyproject.toml").write_text('[project]\nname = "probe-bench-library"\nversion = "0"\n')
        shutil.copytree(site / top, library / top, ignore=shutil.ignore_patterns("__pycache__"))
    service = WORK / f"service-{tag}"
    if not (service / "svc").exists():
        (service / "svc").mkdir(parents=True, exist_ok=True)
        (service / "pyproject.toml").write_text('[project]\nname = "probe-bench-service"\nversion = "0"\n')
        (service / "svc" / "__init__.py").write_text("")
        for i, module in enumerate(modules_of(library, top)):
            (service / "svc" / f"m_{i:03d}.py").write_text(f"import {module}\n")
    for project in (library, service):  # what a deployed service has; PYTHONDONTWRITEBYTECODE may be set
        subprocess.run([str(python), "-m", "compileall", "-q", str(project)], check=False, capture_output=True)
    return python, library, service, top


def modules_of(project: Path, top: str) -> list[str]:
    out = []
    for path in sorted((project / top).rglob("*.py")):
        rel = path.relative_to(project).with_suffix("").as_posix().replace("/", ".")
        out.append(rel.removesuffix(".__init__"))
    return out


def probe(python: Path, project: Path, isolation: str, jobs: int) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "importgate", "probe", str(project), "--python", str(python),
         "--isolation", isolation, "--jobs", str(jobs), "--format", "json", "--timeout", "60"],
        capture_output=True, text=True, cwd=project,
    )
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"importgate probe failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds, json.loads(proc.stdout)


def verdicts(data: dict) -> tuple:
    probe = data["probe"]
    return (
        tuple(sorted(probe["passed"])),
        tuple(sorted(probe["failed"])),
        tuple(sorted((s["module"], s["reason"]) for s in probe["skipped"])),
        tuple(sorted((f["rule"], f["path"], f["line"], f["message"]) for f in data["findings"])),
    )


def naive(python: Path, project: Path, modules: list[str], jobs: int) -> tuple[float, set[str]]:
    """The ad-hoc peer: one `python -c "import M"` per module, `jobs` at a time."""

    def one(module: str) -> tuple[str, bool]:
        proc = subprocess.run([str(python), "-c", f"import {module}"], cwd=project, capture_output=True, timeout=60)
        return module, proc.returncode == 0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, modules))
    return time.perf_counter() - started, {m for m, ok in results if ok}


def scenario(label: str, python: Path, project: Path, modules: list[str], jobs: int, reps: int) -> bool:
    print(f"\n[{label}] {project.name}: {len(modules)} modules, {jobs} jobs, {reps} repetitions", flush=True)
    probe(python, project, "fork", jobs)  # warm-up, untimed (file system caches)
    times: dict[str, list[float]] = {"fork": [], "spawn": [], "naive": []}
    seen: dict[str, set] = {"fork": set(), "spawn": set()}
    passed_naive: set[str] = set()
    for rep in range(reps):
        for mode in ("fork", "spawn"):
            seconds, data = probe(python, project, mode, jobs)
            times[mode].append(seconds)
            seen[mode].add(verdicts(data))
            p = data["probe"]
            print(f"  rep {rep + 1}: {mode:<5} {seconds:7.2f}s  ({p['isolation']}; {len(p['passed'])} passed, "
                  f"{len(p['failed'])} failed, {len(p['skipped'])} skipped)", flush=True)
        seconds, passed_naive = naive(python, project, modules, jobs)
        times["naive"].append(seconds)
        print(f"  rep {rep + 1}: naive {seconds:7.2f}s  (python -c 'import M' per module; {len(passed_naive)} passed)", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    identical = len(seen["fork"]) == 1 and seen["fork"] == seen["spawn"]
    passed_probe = set(next(iter(seen["fork"]))[0])
    agrees = passed_probe == passed_naive
    for mode in ("fork", "spawn", "naive"):
        print(f"  median {mode:<5} {med[mode]:7.2f}s  ({len(modules) / med[mode]:6.1f} modules/s)")
    print(f"  ratio  spawn/fork = {med['spawn'] / med['fork']:.2f}x   naive/fork = {med['naive'] / med['fork']:.2f}x")
    print(f"  verdicts identical fork vs spawn (all repetitions): {identical}")
    print(f"  passed modules agree with direct imports: {agrees}")
    if not agrees:
        print("    only probe:", sorted(passed_probe - passed_naive)[:10], " only direct:", sorted(passed_naive - passed_probe)[:10])
    return identical and agrees


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="sqlalchemy==2.0.36")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scenario", choices=("service", "library", "both"), default="both")
    args = parser.parse_args()
    python, library, service, top = setup(args.package)
    print(f"{args.package}; CPUs: {os.cpu_count()}; python: {python}")
    ok = True
    if args.scenario in ("service", "both"):
        svc_modules = sorted(p.stem for p in (service / "svc").glob("m_*.py"))
        ok &= scenario("service", python, service, ["svc"] + [f"svc.{m}" for m in svc_modules], args.jobs, args.reps)
    if args.scenario in ("library", "both"):
        ok &= scenario("library", python, library, modules_of(library, top), args.jobs, args.reps)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
