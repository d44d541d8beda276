"""`importgate exports`: the public API of first-party packages, as text and JSON."""

from __future__ import annotations

import json

from support import cli

PROJECT = {
    "pyproject.toml": "[project]\nname = 'demo'\nversion = '0'\n",
    "pkg/__init__.py": "from .api import Client, connect\nfrom .util import helper\n\n__all__ = ['Client', 'connect', 'ghost']\n",
    "pkg/api.py": "from ._impl import Client\n\ndef connect(): ...\n",
    "pkg/_impl.py": "class Client: ...\n",
    "pkg/util.py": "def helper(): ...\n",
    "plain/__init__.py": "import os\nfrom .parts import part\n\nVERSION = '1'\n_private = 2\n",
    "plain/parts.py": "def part(): ...\n",
    "app.py": "from pkg import Client, helper, missing\nfrom pkg import *\nfrom plain import part\n",
}


def test_json_follows_re_export_chains_and_lists_importers(make_project):
    root = make_project(PROJECT)
    proc = cli("exports", "--format", "json", "--project", str(root), cwd=root)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    packages = {p["package"]: p for p in data["packages"]}
    assert set(packages) == {"pkg", "plain"}
    pkg = packages["pkg"]
    assert pkg["declared_by"] == "__all__" and pkg["path"] == "pkg/__init__.py"
    exports = {e["name"]: e for e in pkg["exports"]}
    assert list(exports) == ["Client", "connect", "ghost"]
    client = exports["Client"]
    assert client["status"] == "ok"
    assert client["defined"] == {"module": "pkg._impl", "path": "pkg/_impl.py", "line": 1, "kind": "definition", "via": ["pkg", "pkg.api"]}
    assert client["imported_by"] == [{"module": "app", "path": "app.py", "line": 1}]
    assert exports["connect"]["defined"]["path"] == "pkg/api.py" and exports["connect"]["imported_by"] == []
    assert exports["ghost"]["status"] == "missing" and exports["ghost"]["defined"] is None
    undeclared = {e["name"]: e for e in pkg["undeclared"]}
    assert undeclared["helper"]["status"] == "implicit" and undeclared["helper"]["defined"]["path"] == "pkg/util.py"
    assert undeclared["missing"]["status"] == "missing"
    assert pkg["star_imported_by"] == [{"module": "app", "path": "app.py", "line": 2}]
    plain = packages["plain"]
    assert plain["declared_by"] == "public names"
    assert [e["name"] for e in plain["exports"]] == ["VERSION", "part"]  # not os, not _private


def test_text_output_and_package_selection(make_project):
    root = make_project(PROJECT)
    proc = cli("exports", "pkg", "--project", str(root), cwd=root)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0] == "pkg  pkg/__init__.py  (__all__: 3 names)"
    assert lines[1].split() == ["Client", "pkg/_impl.py:1", "<-", "app:1"]
    assert "NOT DEFINED" in lines[3] and lines[3].split()[0] == "ghost"
    assert "  imported from outside, but not declared:" in lines
    assert any(line.split()[:3] == ["helper", "pkg/util.py:1", "[implicit"] for line in lines)
    assert "plain" not in proc.stdout


def test_configured_packages_and_errors(make_project):
    root = make_project({**PROJECT, "pyproject.toml": PROJECT["pyproject.toml"] + "[tool.importgate.exports]\npackages = ['plain']\n"})
    proc = cli("exports", "--project", str(root), cwd=root)
    assert proc.returncode == 0 and proc.stdout.startswith("plain  plain/__init__.py") and "pkg/" not in proc.stdout
    bad = cli("exports", "nosuch", "--project", str(root))
    assert bad.returncode == 2 and "no first-party package or module named 'nosuch'" in bad.stderr
    typo = make_project({**PROJECT, "pyproject.toml": PROJECT["pyproject.toml"] + "[tool.importgate.exports]\npackage = ['plain']\n"}, "typo")
    proc = cli("exports", "--project", str(typo))
    assert proc.returncode == 2 and "unknown key 'package' in [tool.importgate.exports]" in proc.stderr
