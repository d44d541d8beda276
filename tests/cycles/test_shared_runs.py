"""Modules on no cycle share the simulation of what their imports run (cycles._Simulation.run_alone):
seeded random projects with a cyclic core and many modules importing into it give exactly the
same outcome, module by module, with that sharing as with every simulation run on its own, and
what they claim fails really fails in a fresh interpreter."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from importgate.rules import cycles
from support import cycle_claims, cycle_model, import_fails, run_check, write_project

NAMES = ["n0", "n1", "n2"]


def random_project(rng: random.Random) -> dict[str, str]:
    """A package ``core`` whose modules import each other (the cycle), plain helpers in
    ``util``, and modules in ``app`` that import both in random orders, some of them read
    back by the core as attributes of ``app`` while they are still running."""
    core = ["core"] + [f"core.c{i}" for i in range(rng.randint(3, 8))]
    util = [f"util.u{i}" for i in range(rng.randint(1, 4))]
    app = [f"app.a{i}" for i in range(rng.randint(8, 20))]
    files = {"util/__init__.py": "", "app/__init__.py": ""}

    def core_line() -> str:  # repeated choices are the likelier ones
        other, name, tag = rng.choice(core), rng.choice(NAMES), rng.randint(0, 999)
        return rng.choice([
            f"from {other} import {name}",
            f"from {other} import {name}",
            f"from {other} import {name}",
            f"import {other}",
            f"import {other}\nx_{tag} = {other}.{name}",
            f"{name} = 1",
            f"{name} = 1",
            f"def {name}():\n    pass",
            f"from {rng.choice(util)} import {name}",
            f"try:\n    from {other} import {name}\nexcept ImportError:\n    pass",
            f"import os\nif os.environ.get('Z'):\n    import {rng.choice(app)}",
            f"import app\ny_{tag} = app.{rng.choice(app).split('.')[1]}.{name}",
            f"import app\ny_{tag} = app.{rng.choice(app).split('.')[1]}.{name}",
            f"from {other} import *",
            f"__all__ = {NAMES[:2]!r}",
        ])

    for module in core:
        lines = [core_line() for _ in range(rng.randint(2, 6))]
        files[module.replace(".", "/") + ("/__init__.py" if module == "core" else ".py")] = "\n".join(lines) + "\n"
    for module in util:
        files[module.replace(".", "/") + ".py"] = "".join(f"{name} = {i}\n" for i, name in enumerate(NAMES))
    for module in app:
        lines = []
        for _ in range(rng.randint(1, 5)):
            pool = core if rng.random() < 0.6 else util + app[: app.index(module)] or core
            target, name = rng.choice(pool), rng.choice(NAMES)
            lines.append(rng.choice([
                f"import {target}",
                f"from {target} import {name}" if target in util else f"import {target}",
                f"try:\n    import {target}\nexcept ImportError:\n    pass",
                f"import os\nif os.environ.get('Z'):\n    import {target}",
                f"import os\nif os.environ.get('Z'):\n    import {target}\nimport {rng.choice(pool)}",
            ]))
        lines.append("".join(f"{name} = 0\n" for name in NAMES))
        files[module.replace(".", "/") + ".py"] = "\n".join(lines)
    return files


def _model(root):
    return cycle_model(root)


class _Counting(dict):
    """The remembered runs, counting how often one is reused."""

    hits = 0

    def get(self, key, default=None):
        found = super().get(key, default)
        if found is not None:
            _Counting.hits += 1
        return found


def _outcomes(model, shared: bool, monkeypatch) -> dict:
    monkeypatch.setattr(cycles, "_WORTH_REMEMBERING", 1 if shared else 10**9)
    prefixes: dict = {}
    runs = _Counting()
    return {path: cycles._import_first(model, path, prefixes, runs) for path in sorted(model.facts)}


@pytest.mark.parametrize("seed", range(30))
def test_sharing_runs_changes_no_outcome(tmp_path, seed, monkeypatch):
    model = _model(write_project(tmp_path / "p", random_project(random.Random(seed))))
    model.cyclic_modules()
    alone = _outcomes(model, shared=False, monkeypatch=monkeypatch)
    shared = _outcomes(model, shared=True, monkeypatch=monkeypatch)
    assert shared == alone  # every failure: its kind, frames, module, name and location


def test_the_random_projects_do_share_runs_and_fail(tmp_path, monkeypatch):
    """Not vacuous: runs are reused, and some modules on no cycle fail (also through a
    module of the core reading one of them, still running, as an attribute of its package)."""
    _Counting.hits = 0
    failing_alone = attribute_reads = 0
    for seed in range(30):
        model = _model(write_project(tmp_path / f"p{seed}", random_project(random.Random(seed))))
        cyclic = model.cyclic_modules()
        outcomes = _outcomes(model, shared=True, monkeypatch=monkeypatch)
        for path, failure in outcomes.items():
            if failure is not None and path not in cyclic:
                failing_alone += 1
                attribute_reads += failure.kind == "attribute" and model.name[failure.partial].startswith("app.")
    assert _Counting.hits >= 30
    assert failing_alone >= 30
    assert attribute_reads >= 3


@pytest.mark.parametrize("seed", range(8))
def test_what_the_shared_runs_claim_really_fails(tmp_path, seed):
    root = write_project(tmp_path / "p", random_project(random.Random(seed)))
    report = run_check(root, select=frozenset({"IG4"}), cache=False)
    for finding in report.findings:
        first, too, _ = cycle_claims(finding.message)
        for module in [first, *too]:
            assert import_fails(root, module), (module, finding.message)


def test_what_decides_a_run_is_part_of_what_is_shared(tmp_path, monkeypatch):
    """The same import from the same state is not the same run when an earlier import may have
    raised (x and y, unlike x2), or when it sits in a `try` (z and w: an AttributeError may be caught; k1
    and k2: an earlier statement of the try may raise what it catches) or a `with` (q and y);
    and a reused run must leave what it left the first time: a clouded state (u and v) and the
    modules it may have started (r and s)."""
    root = write_project(tmp_path / "p", {
        "core/__init__.py": "",
        "core/a.py": "from core.b import B\nA = 1\n",
        "core/b.py": "from core.a import A\nB = 2\n",
        "core/c.py": "import core.d\nC = 1\n",
        "core/d.py": "import core.c\nx = core.c.C\n",
        "core/e.py": "import os\nif os.environ.get('Z'):\n    import core.f\nimport core.f\n",
        "core/f.py": "import core.g\n",
        "core/g.py": "import core.f\n",
        "core/h.py": "import core.i\nimport os\nif os.environ.get('Z'):\n    import core.a\n",
        "core/i.py": "import core.h\n",
        "util/__init__.py": "",
        "util/u.py": "",
        "app/__init__.py": "",
        "app/x.py": "import os\nif os.environ.get('Z'):\n    import core.f\nimport core.f\nimport core.a\n",
        "app/x2.py": "import os\nif os.environ.get('Z'):\n    import util.u\nimport util.u\nimport core.a\n",
        "app/y.py": "import core.a\n",
        "app/w.py": "import core.c\n",
        "app/z.py": "try:\n    import core.c\nexcept ModuleNotFoundError:\n    pass\n",
        "app/u.py": "import core.e\nimport core.a\n",
        "app/v.py": "import core.e\nimport core.a\n",
        "app/r.py": "import core.h\nimport core.a\n",
        "app/s.py": "import core.h\nimport core.a\n",
        "app/k1.py": "try:\n    import core.a\nexcept ModuleNotFoundError:\n    pass\n",
        "app/k2.py": "try:\n    import os\n    import core.a\nexcept ModuleNotFoundError:\n    pass\n",
        "app/q.py": "import contextlib\n\nwith contextlib.suppress(ValueError):\n    import core.a\n",
    })
    model = _model(root)
    model.cyclic_modules()
    alone = _outcomes(model, shared=False, monkeypatch=monkeypatch)
    shared = _outcomes(model, shared=True, monkeypatch=monkeypatch)
    assert shared == alone
    fails = {model.name[p] for p, failure in shared.items() if failure is not None and model.name[p].startswith("app.")}
    # x, u, v: an earlier import may have raised (x2: not util.u, which reaches no cycle: it is
    # done, or runs to the end now); z: its handler may catch the AttributeError;
    # r, s: core.a may have started when core.h ran; k2: `import os` might raise before core.a;
    # q: the context manager may swallow an error core.a's run raises first (y: the same import)
    assert fails == {"app.y", "app.w", "app.k1", "app.x2"}


def test_only_modules_that_can_run_a_failing_cycle_are_imported_first_too(tmp_path, monkeypatch):
    """"fails too" needs a simulation of every module off the cycles that can reach a failing one;
    a module that reaches only a cycle that works (or nothing) is not simulated at all."""
    simulated = []
    real = cycles._import_first

    def spy(model, path, prefixes, runs):
        simulated.append(model.name[path])
        return real(model, path, prefixes, runs)

    monkeypatch.setattr(cycles, "_import_first", spy)
    root = write_project(tmp_path / "p", {
        "bad_a.py": "from bad_b import B\nA = 1\n",
        "bad_b.py": "from bad_a import A\nB = 2\n",
        "good_a.py": "import good_b\nA = 1\n",
        "good_b.py": "import good_a\nB = 2\n",
        "uses_bad.py": "import bad_a\n",
        "uses_good.py": "import good_a\n",
        "uses_both.py": "import good_a\nimport bad_b\n",
    })
    report = run_check(root, select=frozenset({"IG4"}), cache=False, jobs=1)
    assert len(report.findings) == 1
    assert "importing uses_bad, uses_both first fails too" in report.findings[0].message
    assert sorted(simulated) == ["bad_a", "bad_b", "good_a", "good_b", "uses_bad", "uses_both"]


def test_a_reused_run_finishes_what_may_have_run_before(tmp_path, monkeypatch):
    """Found by a stress run: ``r`` may have run (the guarded import) when ``c1`` is imported,
    and ``c1``'s run finishes it (through ``q``); a2 reusing a1's run of ``c1`` must see ``r``
    finished too, or it thinks the later `import r` may fail and loses the failure of `import x`.
    Both really fail to import."""
    app = "import os\nif os.environ.get('Z'):\n    import r\nimport c1\nimport r\nimport x\n"
    files = {
        "r.py": "", "q.py": "import r\n", "c1.py": "import c2\nimport q\n", "c2.py": "import c1\n",
        "x.py": "from y import Y\nX = 1\n", "y.py": "from x import X\nY = 1\n", "a1.py": app, "a2.py": app,
    }
    model = _model(write_project(tmp_path / "p", files))
    model.cyclic_modules()
    alone = _outcomes(model, shared=False, monkeypatch=monkeypatch)
    shared = _outcomes(model, shared=True, monkeypatch=monkeypatch)
    assert shared == alone
    assert {model.name[p] for p, failure in shared.items() if failure is not None} >= {"a1", "a2"}
    # at the default threshold (a cycle long enough to be remembered), through the CLI's message
    for i in range(2, 17):
        files[f"c{i}.py"] = f"import c{i + 1 if i < 16 else 1}\n"
    root = write_project(tmp_path / "long", files)
    monkeypatch.undo()
    (finding,) = run_check(root, select=frozenset({"IG4"}), cache=False, jobs=1).findings
    assert "importing a1, a2 first fails too" in finding.message
    for module in ("a1", "a2"):
        proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=root, capture_output=True, timeout=60)
        assert proc.returncode != 0
