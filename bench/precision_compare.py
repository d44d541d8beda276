"""Precision and recall of importgate and its peers on the broken real packages of
tests/realworld/corpus.py (VARIANTS), side by side.

For each variant, every tool looks at the same files (the consumer app.py, or the file that
was broken) twice: in the clean copy of the package and in the broken one. An import
diagnostic on the broken copy that points at the break, and that the clean copy does not
get, is a hit (recall); any import
diagnostic on the clean copy is a false alarm, because the clean code imports fine at run
time (precision). Rules counted:
  importgate  missing-name, undefined-export, relative-beyond-top-level, unresolved-module
  pylint      E0401 import-error, E0611 no-name-in-module, E0603 undefined-all-variable,
              E0402 relative-beyond-top-level
  mypy        import-not-found, attr-defined ("Module ... has no attribute"), name-defined in __all__
  pyright     reportAttributeAccessIssue ("unknown import symbol"), reportMissingImports,
              reportUnsupportedDunderAll

    python bench/precision_compare.py --python CORPUS_VENV_PYTHON --tools-python TOOLS_VENV_PYTHON \
        [--pyright PATH_TO_PYRIGHT]

TOOLS_VENV_PYTHON has pylint and mypy installed; pyright comes from the npm registry
(`npm install pyright`). The corpus venv is the one tests/realworld builds (.test-venvs/realworld-*).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "realworld"))

from corpus import RULES, VARIANTS  # noqa: E402

from importgate import api  # noqa: E402


def site_packages(python: str) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip())


def make_copy(base: Path, site: Path, package: str, edits, app: str | None, broken: bool) -> Path:
    root = base / ("broken" if broken else "clean")
    shutil.copytree(site / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text("[project]\nname = 'variant'\nversion = '0'\n")
    if broken:
        for path, old, new in edits:
            target = root / path
            if old is None:
                target.rename(root / new)
            else:
                target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    if app is not None:
        (root / "app.py").write_text(app)
    return root


def targets(vid: str, package: str, edits, app: str | None) -> list[str]:
    """The files every tool is asked about: the consumer, or the broken file, or (for a renamed
    module) a module that imports it."""
    if vid == "rich-renamed-module":
        return ["rich/console.py"]  # app.py only imports rich.console, which breaks
    if app is not None:
        return ["app.py"]
    return [edits[0][0]]


# -- runners: each returns [(relative path, line, message)] of import diagnostics -----------------


def run_importgate(root: Path, python: str, files: list[str]) -> list[tuple[str, int, str]]:
    report = api.check_paths((str(root),), python=python, select=RULES, cache=False)
    out = []
    for f in report.findings:
        rel = os.path.relpath(f.location.path, root)
        out.append((rel, f.location.line, f"{f.rule.name}: {f.message[:120]}"))
    return [d for d in out if d[0] in files]


def run_pylint(root: Path, tools: str, site: Path, files: list[str]) -> list[tuple[str, int, str]]:
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{site}"}
    cmd = [tools, "-m", "pylint", "--disable=all", "--enable=E0401,E0611,E0603,E0402",
           "--output-format=json", "--persistent=n", *files]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return [("?", 0, "pylint crashed: " + proc.stderr[-200:])]
    return [(i["path"], i["line"], f"{i['symbol']}: {i['message']}") for i in items]


_MYPY_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<msg>.*?)(?:\s+\[(?P<code>[a-z-]+)\])?$")


def run_mypy(root: Path, tools: str, python: str, files: list[str]) -> list[tuple[str, int, str]]:
    cmd = [tools, "-m", "mypy", "--python-executable", python, "--follow-imports=silent", "--no-incremental",
           "--show-error-codes", "--no-error-summary", "--no-pretty", *files]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=1800)
    out = []
    for line in proc.stdout.splitlines():
        m = _MYPY_LINE.match(line)
        if not m:
            continue
        code, msg = m["code"], m["msg"]
        if code == "import-not-found" or (code == "attr-defined" and msg.startswith("Module ")) or (
            code == "name-defined" and "__all__" in msg
        ) or (code in ("misc", None) and "relative import" in msg):
            out.append((m["path"], int(m["line"]), f"{code}: {msg}"))
    return out


def run_pyright(root: Path, pyright: str, python: str, files: list[str]) -> list[tuple[str, int, str]]:
    cmd = [pyright, "--outputjson", "--pythonpath", python, *files]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=1800)
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return [("?", 0, "pyright crashed: " + proc.stderr[-200:])]
    out = []
    for d in data.get("generalDiagnostics", []):
        rule, msg = d.get("rule", ""), d.get("message", "")
        if rule in ("reportMissingImports", "reportUnsupportedDunderAll") or (
            rule == "reportAttributeAccessIssue" and "import symbol" in msg
        ) or (not rule and "relative import" in msg.lower()):
            out.append((os.path.relpath(d["file"], root), d["range"]["start"]["line"] + 1, f"{rule}: {msg}"))
    return out


def hits_break(diagnostics, vid: str, expected) -> bool:
    """Does some diagnostic name what was broken?"""
    words = {name for _, name in expected if name} | {"frozen_dataclass", "reverse_lazyy", "Flsk", "color", "get",
                                                      "Flask", "Command", "select", "gaussian", "BaseModel", "..."}
    if vid == "jinja2-relative-beyond":
        return any("relative" in m.lower() or "beyond" in m.lower() or "markupsafe" in m or "..." in m for _, _, m in diagnostics)
    wanted = {name.split(".")[-1] for _, name in expected if name} or words
    return any(any(w in m for w in wanted) for _, _, m in diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True, help="the corpus venv's python")
    parser.add_argument("--tools-python", required=True, help="a python with pylint and mypy")
    parser.add_argument("--pyright", default=shutil.which("pyright"))
    parser.add_argument("--only", nargs="*", help="variant ids")
    args = parser.parse_args()
    site = site_packages(args.python)
    tools = {
        "importgate": lambda root, files: run_importgate(root, args.python, files),
        "pylint": lambda root, files: run_pylint(root, args.tools_python, site, files),
        "mypy": lambda root, files: run_mypy(root, args.tools_python, args.python, files),
    }
    if args.pyright:
        tools["pyright"] = lambda root, files: run_pyright(root, args.pyright, args.python, files)
    totals = {name: {"hit": 0, "miss": 0, "false": 0, "seconds": 0.0} for name in tools}
    rows = []
    for vid, package, edits, app, expected, _failing in VARIANTS:
        if args.only and vid not in args.only:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            clean = make_copy(base, site, package, edits, app, broken=False)
            broken = make_copy(base, site, package, edits, app, broken=True)
            files = targets(vid, package, edits, app)
            row = [vid]
            for name, run in tools.items():
                started = time.perf_counter()
                on_clean = run(clean, files)
                on_broken = run(broken, files)
                totals[name]["seconds"] += time.perf_counter() - started
                new = [d for d in on_broken if d not in on_clean]  # what the break changed
                hit = bool(new) and hits_break(new, vid, expected)
                if not expected:  # a break no tool can see: a hit only if something new is said
                    hit = bool(new)
                totals[name]["hit" if hit else "miss"] += 1
                totals[name]["false"] += len(on_clean)
                row.append(("hit" if hit else "miss") + (f" +{len(on_clean)}fp" if on_clean else ""))
                for diag in on_clean:
                    print(f"  [{name}] false alarm on clean {vid}: {diag}", file=sys.stderr)
            rows.append(row)
            print(" | ".join(row), flush=True)
    print()
    print("| tool | breaks found | missed | false alarms on clean copies | precision | recall | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name, t in totals.items():
        found = t["hit"]
        precision = found / (found + t["false"]) if found + t["false"] else 1.0
        recall = found / (found + t["miss"]) if found + t["miss"] else 0.0
        print(f"| {name} | {found} | {t['miss']} | {t['false']} | {precision:.2f} | {recall:.2f} | {t['seconds']:.0f} |")


if __name__ == "__main__":
    main()
