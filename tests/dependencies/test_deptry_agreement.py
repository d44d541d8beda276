"""Agreement with deptry on real projects from the package registry (slow: downloads and venvs).

Each project's sdist is unpacked, its dependencies (with the extras listed) and deptry are
installed into a throwaway venv, and both tools read that same environment. deptry's
DEP001/DEP002/DEP003/DEP004 are compared with undeclared-dependency/unused-dependency/
transitive-dependency/dev-dependency-in-production. Every disagreement must be listed in
EXPLAINED with the reason; an unexplained one (either way) fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from importgate import api

DEPTRY = "deptry==0.25.1"
# (sdist, extras installed into the venv)
PROJECTS = {
    "flask==3.0.3": "async,dotenv",
    "httpx==0.27.0": "brotli,cli,http2,socks",
    "rich==13.7.1": "",
    "black==24.4.2": "colorama,uvloop",
    "uvicorn==0.30.1": "standard",
}
CODE_FOR_RULE = {
    "undeclared-dependency": "DEP001",
    "unused-dependency": "DEP002",
    "transitive-dependency": "DEP003",
    "dev-dependency-in-production": "DEP004",
}

# (project, code, name) -> (which tool reports it, why the other one does not)
EXPLAINED: dict[tuple[str, str, str], tuple[str, str]] = {
    ("flask", "DEP001", "flask"): (
        "deptry",
        "examples/ import the project's own package; it lives in src/flask (src layout) and the project is named "
        "Flask, so importgate knows it is first-party. deptry only treats the root's top-level directories as local.",
    ),
    ("flask", "DEP001", "js_example"): (
        "deptry",
        "examples/javascript/js_example is a local package (its parent is an import root); importgate's layout "
        "detection makes it first-party.",
    ),
    ("flask", "DEP001", "task_app"): (
        "deptry",
        "examples/celery/src/task_app is a local package (a nested src layout), first-party for importgate.",
    ),
    ("flask", "DEP001", "cryptography"): (
        "deptry",
        "imported inside `try: ... except ImportError:` in a function of flask/cli.py (only for --cert adhoc): "
        "a guarded import is not certain to fail, so importgate stays silent.",
    ),
    ("httpx", "DEP001", "trio"): (
        "deptry",
        "imported under `if TYPE_CHECKING:` and inside `if sniffio.current_async_library() == 'trio':` in "
        "functions: it runs only when trio is already running, so importgate stays silent.",
    ),
    ("rich", "DEP001", "attr"): (
        "deptry",
        "rich/pretty.py: `try: import attr as _attr_module except ImportError:` at module level: guarded, silent.",
    ),
    ("black", "DEP001", "black"): ("deptry", "src/black is the project's own package (src layout): first-party."),
    ("black", "DEP001", "blackd"): ("deptry", "src/blackd: first-party (src layout)."),
    ("black", "DEP001", "blib2to3"): ("deptry", "src/blib2to3: first-party (src layout)."),
    ("black", "DEP001", "_black_version"): ("deptry", "src/_black_version.py: a first-party module (src layout)."),
    ("black", "DEP001", "release"): (
        "deptry",
        "scripts/release_tests.py imports scripts/release.py, its sibling: Python puts the script's directory "
        "on sys.path, so importgate resolves it as first-party.",
    ),
    ("black", "DEP001", "IPython"): (
        "deptry",
        "black declares `ipython` in its `jupyter` extra and imports IPython inside functions. ipython is not "
        "installed in the venv, and deptry then guesses the module name `ipython`, which does not match `IPython` "
        "(hence also its DEP002 for ipython). importgate's fallback table maps IPython to ipython: declared in an "
        "extra, imported lazily, so silent.",
    ),
    ("black", "DEP002", "ipython"): ("deptry", "the other half of the IPython mapping miss above; importgate also "
                                     "never reports extras as unused (only runtime dependencies)."),
    ("black", "DEP001", "atheris"): (
        "deptry",
        "scripts/fuzz.py imports atheris under `if __name__ == '__main__': try: ... except ImportError:`: guarded.",
    ),
    ("black", "DEP001", "diff_shades"): (
        "deptry",
        "imported inside a function of scripts/diff_shades_gha_helper.py; diff_shades is neither installed nor in "
        "importgate's fallback table, so importgate does not guess a distribution (unresolved-module reports it).",
    ),
    ("black", "DEP001", "pgen2"): (
        "deptry",
        "src/blib2to3/pgen2/conv.py does `from pgen2 import grammar`, a stale absolute import of the project's own "
        "subpackage. No distribution provides `pgen2`: importgate does not guess one (unresolved-module reports "
        "the broken import instead).",
    ),
    ("uvicorn", "DEP001", "a2wsgi"): (
        "deptry",
        "uvicorn/middleware/wsgi.py: `try: from a2wsgi import ... except ModuleNotFoundError:` with a fallback: guarded.",
    ),
    ("uvicorn", "DEP002", "colorama"): (
        "deptry",
        "declared as `colorama>=0.4; sys_platform == 'win32'`: importgate evaluates the marker for the target "
        "(Linux), where colorama is not a dependency at all, so it cannot be unused. deptry ignores markers.",
    ),
}
if sys.version_info < (3, 11):  # the corpora's venvs are made with the Python running the tests
    EXPLAINED[("black", "DEP001", "tomllib")] = (
        "deptry",
        "black imports tomllib under `if sys.version_info >= (3, 11):` (else tomli): on a 3.10 target that "
        "import never runs. deptry does not read the version test.",
    )


def _top(module: str) -> str:
    return module.split(".")[0]


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def run_deptry(root: Path, python: str) -> set[tuple[str, str]]:
    out = root.parent / f"{root.name}-deptry.json"
    # deptry scans the files importgate treats as production code (our dev-files defaults excluded)
    excludes = [r"(.*/)?tests?/", r"(.*/)?docs/", r"(.*/)?conftest\.py$", r"(.*/)?test_[^/]*\.py$",
                r"(.*/)?[^/]*_test\.py$", r"(.*/)?setup\.py$", r"(.*/)?noxfile\.py$"]
    args = [a for e in excludes for a in ("--extend-exclude", e)]
    subprocess.run([os.path.join(os.path.dirname(python), "deptry"), ".", "-o", str(out), "--no-ansi", *args],
                   cwd=root, capture_output=True, text=True, timeout=600)
    issues = json.loads(out.read_text())
    got = set()
    for issue in issues:
        code = issue["error"]["code"]
        if code not in CODE_FOR_RULE.values():
            continue
        name = _canonical(issue["module"]) if code == "DEP002" else _top(issue["module"])
        got.add((code, name))
    return got


def run_importgate(root: Path, python: str) -> set[tuple[str, str]]:
    # the dependency rules alone: with every rule, a missing module's undeclared-dependency
    # joins its unresolved-module finding
    report = api.check_paths((str(root),), python=python, select=["IG2"])
    got = set()
    for f in report.findings:
        code = CODE_FOR_RULE.get(f.rule.name)
        if code is None:
            continue
        name = f.name if code == "DEP002" else _top(f.module or "")
        got.add((code, name))
    return got


def prepare(project: str, extras: str, base: Path) -> tuple[Path, str]:
    """Unpacked sdist and a venv python holding its dependencies and deptry (cached across runs)."""
    name = project.replace("==", "-")
    work = base / "importgate-deptry-corpus"
    work.mkdir(exist_ok=True)
    venv = work / f"venv-{name}"
    ready = venv / ".ready"
    src = work / "src"
    lock = work / f"{name}.lock"
    while not ready.exists():
        try:
            os.mkdir(lock)
        except FileExistsError:
            time.sleep(1)
            continue
        try:
            dl = work / "dl"
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
                            "-d", str(dl), project], check=True, capture_output=True, timeout=600)
            archive = next(p for p in dl.iterdir() if p.name.lower().startswith(name.lower()) and p.name.endswith(".tar.gz"))
            with tarfile.open(archive) as tar:
                tar.extractall(src, filter="data")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            spec = f"{project.split('==')[0]}[{extras}]=={project.split('==')[1]}" if extras else project
            proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", spec, DEPTRY],
                                  capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-2000:])
            # the project itself must not shadow its own source in the comparison
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "uninstall", "--quiet", "-y", project.split("==")[0]],
                           check=True, capture_output=True)
            ready.write_text("ok")
        finally:
            os.rmdir(lock)
    root = next(p for p in src.iterdir() if p.name.lower() == name.lower())
    return root, str(venv / "bin" / "python")


@pytest.mark.slow
@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_agreement_with_deptry(project, tmp_path_factory):
    root, python = prepare(project, PROJECTS[project], tmp_path_factory.getbasetemp().parent)
    ours = run_importgate(root, python)
    theirs = run_deptry(root, python)
    label = project.split("==")[0]
    disagreements = {(label, code, name): "importgate" for code, name in ours - theirs}
    disagreements |= {(label, code, name): "deptry" for code, name in theirs - ours}
    expected = {k: v[0] for k, v in EXPLAINED.items() if k[0] == label}
    print(f"{label}: agree on {sorted(ours & theirs)}; disagreements {sorted(disagreements.items())}")
    assert disagreements == expected


if __name__ == "__main__":  # python -m tests.dependencies.test_deptry_agreement: print the comparison
    base = Path(os.environ.get("CORPUS_BASE", "/tmp"))
    for project, extras in sorted(PROJECTS.items()):
        root, python = prepare(project, extras, base)
        ours, theirs = run_importgate(root, python), run_deptry(root, python)
        print(f"== {project}\n  both:       {sorted(ours & theirs)}\n  importgate: {sorted(ours - theirs)}\n  deptry:     {sorted(theirs - ours)}")
