"""Random small projects full of import cycles (seeded, so failures reproduce): every module
the cycle rules say cannot be imported first must really fail to import, in a fresh
interpreter. This is where the simulation meets CPython on code nobody wrote by hand."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from support import cycle_claims, import_fails, run_check, write_project


def random_project(rng: random.Random, leaves: bool = False) -> dict[str, str]:
    """``leaves``: two modules off every cycle as well (u1 imports u0), which the others import
    plainly, under an `if` or a `try`, or names from (one name is missing): a module that may
    have run and reaches no cycle, and a name missing from one, are not a cycle's doing."""
    package = rng.random() < 0.4
    count = rng.randint(2, 4)
    modules = ["pkg"] + [f"pkg.m{i}" for i in range(1, count)] if package else [f"m{i}" for i in range(count)]
    names = ["n0", "n1", "n2"]
    files = {}
    for module in modules:
        lines = []
        for _ in range(rng.randint(2, 7)):
            other, name, own, tag = rng.choice(modules), rng.choice(names), rng.choice(names), rng.randint(0, 99)
            lines.append(rng.choice([
                f"from {other} import {name}",
                f"from {other} import {name}",
                f"import {other}",
                f"import {other}\nx_{tag} = {other}.{name}",
                f"{own} = 1",
                f"def {own}():\n    pass",
                f"class {own}:\n    pass",
                f"import os\nif os.environ.get('Z'):\n    from {other} import {name}",
                f"try:\n    from {other} import {name}\nexcept ImportError:\n    pass",
                f"def f_{tag}():\n    from {other} import {name}",
                f"from {other} import *",
                f"class C{tag}:\n    from {other} import {name}",
                f"__all__ = {names[:2]!r}",
                f"y_{tag} = {name}",
            ] + ([f"from pkg import {other.rsplit('.', 1)[-1]}"] if package and other != "pkg" else [])
              + (_leaf_lines(rng, name) if leaves else [])))
        path = module.replace(".", "/") + ("/__init__.py" if module == "pkg" else ".py")
        files[path] = "\n".join(lines) + "\n"
    if leaves:
        files["u0.py"] = "import json\nn0 = 1\nn1 = 2\n"
        files["u1.py"] = "import u0\nfrom u0 import n1\nn0 = u0.n0\nn1 = 3\n"
    return files


def _leaf_lines(rng: random.Random, name: str) -> list[str]:
    leaf = rng.choice(["u0", "u1"])
    return [
        f"import {leaf}",
        f"import os\nif os.environ.get('Z'):\n    import {leaf}",
        f"try:\n    import {leaf}\nexcept ImportError:\n    pass",
        f"from {leaf} import {name}",
        f"from {leaf} import {name} as {name}_{leaf}",
    ]


@pytest.mark.parametrize("leaves", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_every_module_said_to_fail_really_fails(tmp_path, seed, leaves):
    files = random_project(random.Random(seed), leaves)
    root = write_project(tmp_path / "p", files)
    report = run_check(root, select=frozenset({"IG4"}), cache=False)
    for finding in report.findings:
        first, too, _ = cycle_claims(finding.message)
        for module in [first, *too]:
            assert import_fails(root, module), (module, finding.message, files)


def test_the_random_projects_do_exercise_the_rules(tmp_path):
    """Not vacuous: a fair share of the seeds above has findings to check."""
    for leaves in (False, True):
        with_findings = 0
        for seed in range(40):
            root = write_project(tmp_path / f"p{seed}{leaves}", random_project(random.Random(seed), leaves))
            with_findings += bool(run_check(root, select=frozenset({"IG4"}), cache=False).findings)
        assert with_findings >= 10


if __name__ == "__main__":  # PYTHONPATH=tests python tests/cycles/test_random_cycles.py 600 [--leaves]: the long run
    import tempfile
    from pathlib import Path

    findings = other_error = wrong = 0
    for seed in range(int(sys.argv[1]) if len(sys.argv) > 1 else 100):
        files = random_project(random.Random(seed), leaves="--leaves" in sys.argv)
        root = write_project(Path(tempfile.mkdtemp()) / "p", files)
        for finding in run_check(root, select=frozenset({"IG4"}), cache=False).findings:
            findings += 1
            module = cycle_claims(finding.message)[0]
            proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=root, capture_output=True, text=True)
            if proc.returncode == 0:
                wrong += 1
                print(f"seed {seed}: {module} imports fine: {finding.message}")
            elif f"'{finding.name}'" not in proc.stderr.strip().splitlines()[-1]:
                other_error += 1
    print(f"{findings} findings, {wrong} modules claimed to fail that import, {other_error} fail first with another error")
