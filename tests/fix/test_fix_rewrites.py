"""What --fix writes: merges into existing imports, __all__ in every literal shape, removals.

Each test writes a tiny project, fixes it in-process, and compares whole files: the
point is that everything the fix does not need to touch survives byte for byte.
"""

from __future__ import annotations

import pytest

from fixhelp import fix, read

SUB = "def alpha(): ...\ndef beta(): ...\ndef gamma(): ...\nclass Zeta: ...\n"


def fixed(make_project, files: dict[str, str], rel: str = "pkg/__init__.py", **kw) -> str:
    root = make_project(files)
    outcome = fix(root, **kw)
    assert not outcome.report.problems, outcome.report.problems
    return read(root, rel)


# -- re-exports: merging into existing imports ------------------------------------------


def test_merge_into_single_line_import(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .sub import alpha\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import alpha, gamma\n",
    })
    assert text == "from .sub import alpha, gamma\n"


def test_merge_into_parenthesised_multiline_import_keeps_comments_and_order(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": '"""Doc."""\n\nfrom .sub import (\n    alpha,  # the first\n    gamma,\n)\n\nX = 1\n',
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    assert text == '"""Doc."""\n\nfrom .sub import (\n    alpha,  # the first\n    beta,\n    gamma,\n)\n\nX = 1\n'


def test_merge_into_multiline_import_without_trailing_comma(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .sub import (\n    gamma,\n    alpha  # unsorted on purpose\n)\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    assert text == "from .sub import (\n    gamma,\n    alpha,  # unsorted on purpose\n    beta\n)\n"


def test_merge_into_single_line_parenthesised_import(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .sub import (alpha, gamma)\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import Zeta\n",
    })
    assert text == "from .sub import (Zeta, alpha, gamma)\n"  # isort order: classes before functions


def test_one_name_per_statement_style_is_kept(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .code import Code\nfrom .code import filter_tb\nfrom .source import Source\n",
        "pkg/code.py": "class Code: ...\nclass ExceptionInfo: ...\ndef filter_tb(): ...\n",
        "pkg/source.py": "class Source: ...\n",
        "app.py": "from pkg import ExceptionInfo\n",
    })
    assert text == "from .code import Code\nfrom .code import ExceptionInfo\nfrom .code import filter_tb\nfrom .source import Source\n"


def test_force_single_line_from_the_projects_isort_settings(make_project):
    text = fixed(make_project, {
        "pyproject.toml": "[tool.ruff.lint.isort]\nforce-single-line = true\n",
        "pkg/__init__.py": "from .sub import gamma\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import alpha\n",
    })
    assert text == "from .sub import alpha\nfrom .sub import gamma\n"


def test_case_insensitive_order_is_followed(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .sub import (\n    alpha,\n    gamma,\n    Zeta,\n)\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    assert text == "from .sub import (\n    alpha,\n    beta,\n    gamma,\n    Zeta,\n)\n"


def test_merge_into_absolute_import_of_the_same_module(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "import os\n\nfrom pkg.sub import alpha as first\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    assert text == "import os\n\nfrom pkg.sub import alpha as first, beta\n"


def test_new_import_follows_the_files_absolute_style_and_sorted_run(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "from pkg.a import A\nfrom pkg.c import C\n\n__all__ = ['A', 'C']\n",
        "pkg/a.py": "A = 1\n",
        "pkg/b.py": "B = 2\n",
        "pkg/c.py": "C = 3\n",
        "app.py": "from pkg import B\n",
    })
    assert text == "from pkg.a import A\nfrom pkg.b import B\nfrom pkg.c import C\n\n__all__ = ['A', 'B', 'C']\n"


def test_new_import_after_third_party_imports_gets_its_own_section(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "# licence header\nimport os\nimport sys\nVERSION = '1'\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import alpha\n",
    })
    assert text == "# licence header\nimport os\nimport sys\n\nfrom .sub import alpha\n\nVERSION = '1'\n"


def test_new_import_into_an_empty_init(make_project):
    text = fixed(make_project, {"pkg/__init__.py": "", "pkg/sub.py": SUB, "app.py": "from pkg import alpha\n"})
    assert text == "from .sub import alpha\n"


def test_long_import_is_wrapped_black_style(make_project):
    names = ["a_rather_long_function_name_one", "a_rather_long_function_name_two", "a_rather_long_function_name_three"]
    text = fixed(make_project, {
        "pkg/__init__.py": "",
        "pkg/sub.py": "".join(f"def {n}(): ...\n" for n in names),
        "app.py": f"from pkg import {', '.join(names)}\n",
    })
    assert text == (
        "from .sub import (\n"
        "    a_rather_long_function_name_one,\n"
        "    a_rather_long_function_name_three,\n"
        "    a_rather_long_function_name_two,\n"
        ")\n"
    )


def test_prefers_the_subpackage_that_already_exports_the_name(make_project):
    text = fixed(make_project, {
        "pkg/__init__.py": "",
        "pkg/sub/__init__.py": "from ._impl import Engine\n\n__all__ = ['Engine']\n",
        "pkg/sub/_impl.py": "class Engine: ...\n",
        "app.py": "from pkg import Engine\n",
    })
    assert text == "from .sub import Engine\n"


def test_crlf_and_tabs_survive(make_project):
    root = make_project({
        "pkg/__init__.py": b"from .sub import alpha\r\n\r\n__all__ = [\r\n\t'alpha',\r\n]\r\n",
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    fix(root)
    assert (root / "pkg/__init__.py").read_bytes() == b"from .sub import alpha, beta\r\n\r\n__all__ = [\r\n\t'alpha',\r\n\t'beta',\r\n]\r\n"


# -- __all__ shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after",
    [
        ('__all__ = ["alpha"]\n', '__all__ = ["alpha", "beta"]\n'),
        ("__all__ = ['alpha']\n", "__all__ = ['alpha', 'beta']\n"),
        ('__all__ = ("alpha",)\n', '__all__ = ("alpha", "beta")\n'),
        ('__all__ = ("alpha", )\n', '__all__ = ("alpha", "beta" )\n'),  # odd spacing is kept, not reformatted
        ('__all__ = "alpha", "gamma"\n', '__all__ = "alpha", "beta", "gamma"\n'),  # sorted: keeps it sorted
        ('__all__ = ["gamma", "alpha",]\n', '__all__ = ["gamma", "alpha", "beta",]\n'),
        ('__all__: list[str] = []\n', '__all__: list[str] = ["beta"]\n'),
        (
            '__all__ = [\n    # the core\n    "gamma",  # first\n    "alpha",  # second\n]\n',
            '__all__ = [\n    # the core\n    "gamma",  # first\n    "alpha",  # second\n    "beta",\n]\n',
        ),
        (
            '__all__ = [\n    "gamma",\n    "alpha"  # no trailing comma\n]\n',
            '__all__ = [\n    "gamma",\n    "alpha",  # no trailing comma\n    "beta"\n]\n',
        ),
        (
            '__all__ = (\n    "alpha",\n    "gamma",\n    # more to come\n)\n',
            '__all__ = (\n    "alpha",\n    "beta",\n    "gamma",\n    # more to come\n)\n',
        ),
        ('__all__ = ["gamma"] + ["alpha"]\n', '__all__ = ["gamma"] + ["alpha", "beta"]\n'),
    ],
)
def test_name_added_to_literal_all(make_project, before, after):
    text = fixed(make_project, {
        "pkg/__init__.py": "from .sub import alpha, gamma\n\n" + before,
        "pkg/sub.py": SUB,
        "app.py": "from pkg import beta\n",
    })
    assert text == "from .sub import alpha, beta, gamma\n\n" + after


def test_all_and_import_wrapped_when_too_long(make_project):
    names = [f"name_number_{i}" for i in range(6)]
    text = fixed(make_project, {
        "pkg/__init__.py": f"from .sub import {', '.join(names[:5])}\n\n__all__ = [" + ", ".join(f'"{n}"' for n in names[:5]) + "]\n",
        "pkg/sub.py": "".join(f"{n} = {i}\n" for i, n in enumerate(names)),
        "app.py": f"from pkg import {names[5]}\n",
    })
    one_per_line = "".join(f"    {n},\n" for n in names)
    quoted = "".join(f'    "{n}",\n' for n in names)
    assert text == f"from .sub import (\n{one_per_line})\n\n__all__ = [\n{quoted}]\n"


def test_star_import_already_provides_it(make_project):
    root = make_project({"pkg/__init__.py": "from .sub import *\n", "pkg/sub.py": SUB, "app.py": "from pkg import alpha\n"})
    assert fix(root).report.fixed == () and read(root, "pkg/__init__.py") == "from .sub import *\n"


# -- undefined-export: removals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "before, after",
    [
        ('__all__ = ["alpha", "ghost", "gamma"]\n', '__all__ = ["alpha", "gamma"]\n'),
        ('__all__ = ["alpha", "ghost"]\n', '__all__ = ["alpha"]\n'),
        ('__all__ = ["ghost", "alpha"]\n', '__all__ = ["alpha"]\n'),
        ('__all__ = ["ghost"]\n', "__all__ = []\n"),
        ('__all__ = ("alpha", "ghost")\n', '__all__ = ("alpha",)\n'),
        ('__all__ = ["alpha", "ghost",]\n', '__all__ = ["alpha",]\n'),
        (
            '__all__ = [\n    "alpha",  # kept\n    "ghost",  # goes with it\n    # a comment line stays\n    "gamma",\n]\n',
            '__all__ = [\n    "alpha",  # kept\n    # a comment line stays\n    "gamma",\n]\n',
        ),
        (
            '__all__ = [\n    "alpha",  # kept\n    "ghost",  # goes with it\n]\n',
            '__all__ = [\n    "alpha",  # kept\n]\n',
        ),
        (
            '__all__ = [\n    "alpha",  # kept\n    "ghost"  # goes with it\n]\n',
            '__all__ = [\n    "alpha"  # kept\n]\n',
        ),
        ('__all__ = ["alpha"]\n__all__ += ["ghost", "gamma"]\n', '__all__ = ["alpha"]\n__all__ += ["gamma"]\n'),
        ('__all__ = ["alpha"]\n__all__.append("ghost")\n', '__all__ = ["alpha"]\n'),
        ('__all__ = ["alpha", "ghost", "gamma", "ghost"]\n', '__all__ = ["alpha", "gamma"]\n'),
    ],
)
def test_undefined_export_removed(make_project, before, after):
    root = make_project({"pkg/__init__.py": "from .sub import alpha, gamma\n\n" + before, "pkg/sub.py": SUB})
    outcome = fix(root)
    assert read(root, "pkg/__init__.py") == "from .sub import alpha, gamma\n\n" + after
    assert outcome.report.findings == ()
    assert any("removed 'ghost' from __all__" in line for line in outcome.report.fixed)


def test_undefined_export_in_a_plain_module(make_project):
    root = make_project({"mod.py": "def real(): ...\n\n__all__ = ['real', 'unreal']\n"})
    fix(root)
    assert read(root, "mod.py") == "def real(): ...\n\n__all__ = ['real']\n"


def test_undefined_export_defined_in_one_submodule_is_imported(make_project):
    text = fixed(make_project, {"pkg/__init__.py": '__all__ = ["Zeta"]\n', "pkg/sub.py": SUB})
    assert text == 'from .sub import Zeta\n\n__all__ = ["Zeta"]\n'


def test_missing_name_also_listed_in_all_is_fixed_once(make_project):
    root = make_project({
        "pkg/__init__.py": '__all__ = ["alpha"]\n',
        "pkg/sub.py": SUB,
        "app.py": "from pkg import alpha\n",
    })
    outcome = fix(root)
    assert read(root, "pkg/__init__.py") == 'from .sub import alpha\n\n__all__ = ["alpha"]\n'
    assert len(outcome.report.fixed) == 1 and outcome.report.findings == ()


# -- the JSON contract ------------------------------------------------------------------------


def test_json_edits_of_every_kind_reproduce_fix(make_project, tmp_path):
    """Merges, new statements, removals and __all__ additions in several files, with CRLF
    and non-ASCII text before the edit points: an independent applier of the JSON edits
    must produce exactly the bytes --fix writes."""
    import json
    import shutil

    from support import cli
    from fixhelp import apply_json_edits, snapshot

    files = {
        "pkg/__init__.py": b"# caf\xc3\xa9\r\nfrom .sub import \xc3\xb1ame, alpha\r\n\r\n__all__ = ['\xc3\xb1ame', 'alpha', 'ghost']\r\n",
        "pkg/sub.py": "def ñame(): ...\ndef alpha(): ...\ndef beta(): ...\n",
        "pkg/other.py": "class Other: ...\n",
        "lib/__init__.py": '"""Läuft."""\nfrom .impl import run, helper\n\n__all__ = (\n    "run",  # ünïcode\n    "phantom",\n)\n',
        "lib/impl.py": "def run(): ...\ndef helper(): ...\n",
        "app.py": "from pkg import beta, Other\nfrom lib import helper\n",
    }
    root = make_project(files, "by-json")
    data = json.loads(cli("check", "--format", "json", str(root), cwd=root).stdout)
    assert {f["rule"] for f in data["findings"]} == {"missing-name", "undefined-export", "implicit-reexport"}
    assert all(f.get("fix") for f in data["findings"])
    apply_json_edits(root, data["findings"])

    reference = make_project(files, "by-fix")
    outcome = fix(reference)
    assert outcome.report.findings == ()
    assert snapshot(root) == snapshot(reference)
    assert (reference / "pkg/__init__.py").read_bytes() == (
        b"# caf\xc3\xa9\r\nfrom .other import Other\r\nfrom .sub import \xc3\xb1ame, alpha, beta\r\n\r\n"
        b"__all__ = ['\xc3\xb1ame', 'alpha', 'beta', 'Other']\r\n"
    )
    assert read(reference, "lib/__init__.py") == '"""Läuft."""\nfrom .impl import run, helper\n\n__all__ = (\n    "run",  # ünïcode\n    "helper",\n)\n'
    shutil.rmtree(tmp_path / "by-fix")
