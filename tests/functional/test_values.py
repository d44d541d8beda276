"""Facts and findings are values: made once, never changed. They are plain slotted dataclasses,
not ``frozen=True`` (see ``importgate.model``), so nothing stops a rule from assigning to one at
run time; these tests do, over whole checks: every rule family, the fix stage, every format."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import write_project

from importgate import api, engine
from importgate.facts.cache import dumps
from importgate.fix.stage import Fixer
from importgate.model import Report
from importgate.report import FORMATS, render

# one of each thing the rules look at: re-exports, a false __all__, a star import, a cycle that
# fails, guarded and TYPE_CHECKING imports, PEP 562, a misspelling, installed and missing modules
TRAPS = {
    "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['pytest']\n",
    "app/__init__.py": "from .core import run\n__all__ = ['run', 'ghost']\n",
    "app/core.py": "import json\nimport packaging\nimport pytest\nfrom collections import deque\nfrom pytest import no_such_name_xyz\nimport yaml_not_installed_xyz\n\ndef run():\n    return json\n\ndef helper():\n    pass\n",
    "app/api.py": "from app.core import helpr, run\nfrom app import ghost\nfrom .star import *\n",
    "app/star.py": "from app.core import *\n__all__ = ['run', 'nothing_here']\n",
    "app/lazy.py": "def __getattr__(name):\n    return name\n",
    "app/uses_lazy.py": "from app.lazy import anything\n",
    "app/guarded.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    "app/typed.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.nowhere import Thing\n",
    "app/a.py": "from app.b import B\nA = 1\n",
    "app/b.py": "from app.a import A\nB = 2\n",
    "main.py": "from app.a import A\nfrom app.monitoring import GCPErrorReporter\n",
}


def _record_loads(disk, seen: dict) -> None:
    """Note each module's facts, pickled, as the resolver first hands them out."""
    original = disk._facts

    def recording(path, name, is_package, is_stub):
        facts = original(path, name, is_package, is_stub)
        if facts is not None and path not in seen:
            seen[path] = dumps(facts)
        return facts

    disk._facts = recording


@pytest.mark.parametrize("tree", ["traps", "importgate's own source"])
def test_a_check_changes_no_fact_and_no_finding(tmp_path, tree):
    root = write_project(tmp_path / "p", TRAPS) if tree == "traps" else Path(__file__).parents[2] / "src"
    config = api.configs_for((str(root),), python=sys.executable, jobs=1, cache=False)[0]
    project, files = engine.build_project(config)
    made = {path: dumps(facts) for path, facts in project.facts.items()}
    _record_loads(project.resolver.source, made)

    findings = engine.run_families(project, engine.rule_families(), lambda *args: None)
    as_found = dumps(findings)
    fixed = Fixer()(engine.selected(findings, project, config), project)
    report = Report(findings=tuple(fixed), files=len(files.files), modules=len(project.facts), seconds=0.0)
    as_fixed = dumps(report)
    for fmt in FORMATS:
        render(report, fmt)

    assert dumps(findings) == as_found
    assert dumps(report) == as_fixed
    changed = [path for path, blob in made.items() if dumps(project.resolver.source.known[path]) != blob]
    assert changed == []
    if tree == "traps":  # the check did its work: findings of most families, fixes, installed facts
        rules = {f.rule.code[:4] for f in findings}
        assert {"IG10", "IG20", "IG40"} <= rules, rules
        assert any(f.fix is not None for f in fixed)
        assert any("site-packages" in path or "python3" in path for path in made if path not in project.facts)
