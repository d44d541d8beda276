#!/usr/bin/env python3
"""Start-up cost of importgate: `importgate check` on a 10-file project (cold and warm), and
what `python -X importtime` says importgate imports before it does any work.

    python bench/startup.py [--repeat N] [--python TARGET]

The issue's target: a 10-file project checks in well under half a second; heavy libraries
are imported only when a feature needs them. Stdlib only; see bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

PROJECT = {
    "pyproject.toml": '[project]\nname = "small"\nversion = "0"\ndependencies = []\n',
    "small/__init__.py": "from small.core import main\n\n__all__ = ['main']\n",
    "small/core.py": "import json\nimport os\n\nfrom small import util\nfrom small.models import Item\n\n\ndef main():\n    return util.dump(json.dumps([Item('a'), os.sep], default=str))\n",
    "small/util.py": "import functools\n\n\n@functools.lru_cache\ndef dump(x):\n    return x\n",
    "small/models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Item:\n    name: str\n",
    "small/config.py": "import pathlib\n\nHOME = pathlib.Path.home()\n",
    "small/cli.py": "import argparse\n\nfrom small import main\n\n\ndef run():\n    argparse.ArgumentParser().parse_args()\n    main()\n",
    "small/errors.py": "class SmallError(Exception):\n    pass\n",
    "small/api/__init__.py": "from .views import index\n",
    "small/api/views.py": "from ..core import main\nfrom ..errors import SmallError\n\n\ndef index():\n    try:\n        return main()\n    except SmallError:\n        return None\n",
    "small/api/urls.py": "from small.api.views import index\n\nROUTES = {'/': index}\n",
}

# imported at start-up, these cost milliseconds and are rarely needed by every run
KNOWN_HEAVY = {
    "packaging", "libcst", "tomllib", "tomli", "email", "http", "urllib", "asyncio", "concurrent", "multiprocessing",
    "json", "dataclasses", "inspect", "ast", "argparse", "sqlite3", "pickle", "zipfile", "importlib.metadata",
    "logging", "tempfile", "shutil", "subprocess", "typing", "textwrap", "hashlib", "ssl", "socket", "threading",
    "xml", "csv", "decimal", "uuid", "platform", "sysconfig", "pathlib", "fnmatch", "glob", "difflib", "unittest",
}


def importgate_command() -> list[str]:
    try:
        import importgate  # noqa: F401
    except ImportError:
        exe = shutil.which("importgate")
        if not exe:
            raise SystemExit("startup: importgate is not importable here and not on PATH") from None
        return [exe]
    return [sys.executable, "-m", "importgate"]


def clean_env(xdg: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")}
    env.update(NO_COLOR="1", XDG_CACHE_HOME=str(xdg))
    return env


def timed(cmd: list, cwd: Path, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def importtime(cmd: list, cwd: Path, env: dict) -> dict[str, tuple[int, int, int]]:
    """{module: (self us, cumulative us, nesting depth)} from -X importtime."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    out = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            out[m[4]] = (int(m[1]), int(m[2]), len(m[3]) // 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per mode (default 10; median reported)")
    parser.add_argument("--python", default=sys.executable, help="target interpreter for `check --python` (default: this one)")
    parser.add_argument("--work", type=Path, default=BENCH / ".work", help="scratch folder (default bench/.work)")
    args = parser.parse_args(argv)

    ig = importgate_command()
    work = args.work.resolve() / "startup"
    root = work / "small"
    shutil.rmtree(work, ignore_errors=True)
    for rel, text in PROJECT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    help_text = subprocess.run([*ig, "check", "--help"], capture_output=True, text=True).stdout
    has_cache_dir = "--cache-dir" in help_text
    py = sys.executable
    check = [*ig, "check", ".", "--python", args.python]
    rows: list[tuple[str, float, float]] = []

    def series(name: str, cmd: list, fresh: bool) -> list[float]:
        times = []
        cache = work / "cache"
        if not fresh:  # prime
            timed(cmd + (["--cache-dir", cache] if has_cache_dir and cmd is check else []), root, clean_env(work / "xdg"))
        for _ in range(args.repeat):
            extra: list = []
            if fresh:
                shutil.rmtree(root / ".importgate_cache", ignore_errors=True)
                shutil.rmtree(work / "xdg", ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
            if has_cache_dir and cmd is check:
                extra = ["--cache-dir", cache]
            seconds, proc = timed(cmd + extra, root, clean_env(work / "xdg"))
            if proc.returncode not in (0, 1):
                raise SystemExit(f"startup: {' '.join(map(str, cmd))} failed:\n{proc.stderr[-2000:]}")
            times.append(seconds)
        rows.append((name, statistics.median(times), min(times)))
        return times

    series("python -c pass (interpreter floor)", [py, "-c", "pass"], fresh=True)
    series("importgate --version", [*ig, "--version"], fresh=True)
    series("importgate check, 10 files, cold", check, fresh=True)
    series("importgate check, 10 files, warm", check, fresh=False)

    env = clean_env(work / "xdg")
    base = importtime([py, "-X", "importtime", "-c", "pass"], root, env)
    report = {}
    for label, cmd in (("importgate --version", [py, "-X", "importtime", *ig[1:], "--version"] if ig[0] == py else None),
                       ("importgate check", [py, "-X", "importtime", *ig[1:], "check", ".", "--python", args.python] if ig[0] == py else None)):
        if cmd is None:
            continue
        report[label] = {m: v for m, v in importtime(cmd, root, env).items() if m not in base}

    print(f"# importgate start-up ({os.cpu_count()} CPUs, load {tuple(round(x, 2) for x in os.getloadavg())}, Python {sys.version.split()[0]})\n")
    print(f"{args.repeat} runs each, median and best, wall seconds:\n")
    print("| command | median s | best s |\n|---|---|---|")
    for name, med, best in rows:
        print(f"| {name} | {med:.3f} | {best:.3f} |")
    stdlib = set(sys.stdlib_module_names)
    for label, mods in report.items():
        total = sum(v[0] for v in mods.values()) / 1000
        ours = sorted(m for m in mods if m.split(".")[0] == "importgate")
        print(f"\n## `{label}`: {len(mods)} modules beyond the interpreter's own, {total:.1f} ms of import time\n")
        print("importgate modules: " + (", ".join(ours) or "none"))
        tops = [(m, v) for m, v in mods.items() if m.split(".")[0] != "importgate"]
        heavy = sorted(
            ((m, v) for m, v in tops
             if m.split(".")[0] not in stdlib or m in KNOWN_HEAVY or m.split(".")[0] in KNOWN_HEAVY or v[1] >= 2000),
            key=lambda mv: -mv[1][1],
        )
        # report each heavy package once, at its outermost import
        seen: set[str] = set()
        print("\nheavier modules imported (cumulative ms, self ms; third-party marked *):\n")
        for m, (self_us, cum_us, _depth) in heavy:
            top = m.split(".")[0]
            if (top in seen and cum_us < 2000) or cum_us < 200:  # nested repeats; failed probes (org.python.core)
                continue
            seen.add(top)
            mark = "*" if top not in stdlib else " "
            print(f"  {mark} {m:<32} {cum_us / 1000:7.2f} {self_us / 1000:7.2f}")
    (work / "startup.json").write_text(json.dumps({"rows": rows, "imports": report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
