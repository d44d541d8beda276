"""Precision on real code: `importgate check` on every top-level package of a venv with ~140
pinned distributions from the package registry must report exactly the TRUE findings listed in
corpus.py (each proven in the venv here), and real packages broken the way code really breaks
must be reported (recall). Slow: builds the venv once (shared by xdist workers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import PINS, REACH, RULES, TOP_LEVEL, TRUE_FINDINGS, VARIANTS
from support import find_python, run_check, shared_venv, site_packages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def corpus_python() -> Path:
    # the true findings were proven in a Python 3.11 venv: other Pythons get other wheels
    # (numpy drops numpy.distutils from 3.12 on), so the corpus venv is 3.11 whatever runs us
    python = sys.executable if sys.version_info[:2] == (3, 11) else find_python(11)
    if python is None:
        pytest.skip("the precision corpus needs a Python 3.11 interpreter")
    return shared_venv("realworld", PINS, python=python)


@pytest.fixture(scope="session")
def site(corpus_python) -> Path:
    return site_packages(corpus_python)


def keyed(finding, site: Path) -> tuple[str, str, str | None]:
    name = finding.module if finding.rule.name == "unresolved-module" else finding.name
    return os.path.relpath(finding.location.path, site).replace(os.sep, "/"), finding.rule.name, name


def in_scope(finding, top: str) -> bool:
    """unresolved-module counts for the package's own modules and relative imports: a missing
    third-party module is an optional dependency that this venv does not install."""
    if finding.rule.name != "unresolved-module":
        return True
    return finding.module.split(".")[0] == top or "(from `." in finding.message


def run(python: Path, code: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-W", "ignore", "-c", code],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=300,
    )


# -- precision ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", TOP_LEVEL)
def test_clean_package_reports_only_true_findings(entry, corpus_python, site):
    top = entry.removesuffix(".py")
    path = site / entry
    assert path.exists(), f"{entry} is not in the corpus venv any more: update corpus.TOP_LEVEL"
    report = run_check(site, entry, python=str(corpus_python), select=RULES, cache=False)
    assert report.files >= 1 and not report.problems
    found = {keyed(f, site) for f in report.findings if in_scope(f, top)}
    assert found == TRUE_FINDINGS.get(top, set())


def test_every_true_finding_belongs_to_a_checked_entry():
    assert set(TRUE_FINDINGS) <= {e.removesuffix(".py") for e in TOP_LEVEL}


TRUE = sorted((top, *key) for top, keys in TRUE_FINDINGS.items() for key in keys)


@pytest.mark.parametrize("top, path, rule, name", [t for t in TRUE if t[2] != "undefined-export"])
def test_true_finding_fails_at_run_time(top, path, rule, name, corpus_python, site):
    """The statement the finding points at raises in the venv."""
    report = run_check(site, path, python=str(corpus_python), select=[rule], cache=False)
    (finding,) = [f for f in report.findings if keyed(f, site) == (path, rule, name)]
    if rule == "missing-name":
        proc = run(corpus_python, f"from {finding.module} import {name}")
        assert proc.returncode != 0 and f"cannot import name '{name}'" in proc.stderr, proc.stderr
    else:
        proc = run(corpus_python, f"import {name}")
        assert proc.returncode != 0 and f"No module named '{name}'" in proc.stderr, proc.stderr


def _exports_by_module() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for _, path, rule, name in TRUE:
        if rule == "undefined-export":
            module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            out.setdefault(module, set()).add(name)
    return out


@pytest.mark.parametrize("module, names", sorted(_exports_by_module().items()))
def test_undefined_exports_are_exactly_what_the_runtime_lacks(module, names, corpus_python):
    """The names __all__ lists and the imported module lacks (so `from m import *` raises) are
    exactly the reported ones: nothing missed, nothing extra."""
    audit = f"import {module} as m; print(sorted({{n for n in m.__all__ if not hasattr(m, n)}}))"
    proc = run(corpus_python, audit)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == repr(sorted(names))
    star = run(corpus_python, f"from {module} import *")
    assert star.returncode != 0 and "AttributeError" in star.stderr


@pytest.mark.parametrize("code, env, error", REACH, ids=[r[0][:40] for r in REACH])
def test_conditional_true_findings_are_reached(code, env, error, corpus_python):
    """Findings inside functions or behind configuration: the failing line really runs."""
    proc = run(corpus_python, code, env)
    assert proc.returncode != 0 and error in proc.stderr, proc.stderr


# -- recall -------------------------------------------------------------------------------------


def make_variant(tmp_path: Path, site: Path, package: str, edits, app: str | None) -> Path:
    """A project holding a copy of an installed package, broken by ``edits``, plus app.py."""
    root = tmp_path / "proj"
    shutil.copytree(site / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text("[project]\nname = 'variant'\nversion = '0'\n")
    for path, old, new in edits:
        target = root / path
        if old is None:
            target.rename(root / new)
            continue
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{path} changed upstream: {old!r} not found"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    if app is not None:
        (root / "app.py").write_text(app)
    return root


@pytest.mark.parametrize("vid, package, edits, app, expected, failing", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_broken_real_package_is_reported(vid, package, edits, app, expected, failing, tmp_path, corpus_python, site):
    root = make_variant(tmp_path, site, package, edits, app)
    report = run_check(root, python=str(corpus_python), select=RULES, cache=False)
    top = package
    clean = {(p.removeprefix(f"{top}/"), r, n) for p, r, n in TRUE_FINDINGS.get(top, set())}
    found = set()
    for f in report.findings:
        if not in_scope(f, top) and not f.module.startswith(top):
            continue
        rel = os.path.relpath(f.location.path, root).replace(os.sep, "/")
        name = f.module if f.rule.name == "unresolved-module" else f.name
        if (rel.removeprefix(f"{top}/"), f.rule.name, name) in clean:
            continue  # the clean package's own true findings
        found.add((f.rule.name, name))
    assert found == set(expected)
    # and the break is real: the same code fails in the venv, with the copy first on sys.path
    proc = run(corpus_python, failing, cwd=root)
    assert proc.returncode != 0, f"{vid}: {failing!r} ran fine"
    assert run(corpus_python, f"import {package}").returncode == 0  # the installed original works
