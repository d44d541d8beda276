"""How long `importgate check` takes on big installed packages, next to the floor: CPython's
own ast.parse of the same files on one core (importgate cannot be faster than parsing them).

    python bench/realworld_speed.py --python /path/to/venv/bin/python [django sqlalchemy pandas ...]

Cold runs (no cache), the precision rules of tests/realworld, jobs=1 and jobs=2."""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import time

from importgate import api

RULES = ["missing-name", "undefined-export", "relative-beyond-top-level", "unresolved-module", "syntax-error"]


def site_packages(python: str) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def parse_floor(directory: str) -> tuple[int, int, float]:
    files = [os.path.join(d, f) for d, _, fs in os.walk(directory) for f in fs if f.endswith((".py", ".pyi"))]
    started, lines = time.perf_counter(), 0
    for path in files:
        with open(path, "rb") as fh:
            source = fh.read()
        lines += source.count(b"\n")
        try:
            ast.parse(source)
        except SyntaxError:
            pass
    return len(files), lines, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("packages", nargs="*", default=["django", "sqlalchemy", "pandas"])
    args = parser.parse_args()
    site = site_packages(args.python)
    print(f"{'package':<12} {'files':>6} {'lines':>8} {'ast.parse':>10} {'jobs=1':>8} {'jobs=2':>8} {'ratio(1)':>9}")
    for name in args.packages:
        directory = os.path.join(site, name)
        files, lines, floor = parse_floor(directory)
        times = []
        for jobs in (1, 2):
            started = time.perf_counter()
            api.check_paths((directory,), python=args.python, select=RULES, cache=False, jobs=jobs)
            times.append(time.perf_counter() - started)
        print(f"{name:<12} {files:>6} {lines:>8} {floor:>9.1f}s {times[0]:>7.1f}s {times[1]:>7.1f}s {times[0] / floor:>8.2f}x")


if __name__ == "__main__":
    main()
