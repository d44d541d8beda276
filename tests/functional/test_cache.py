"""The persistent cache: correct first (never stale, self-healing, safe when shared), fast second.
Speed itself is measured in bench/, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from support import cli, write_project

PROJECT = {
    "pkg/__init__.py": "from .core import run\n__all__ = ['run', 'ghost']\n",
    "pkg/core.py": "def run(): ...\n",
    "app.py": "from pkg import run\nfrom pkg.core import missing\n",
}


def check_json(root, *args) -> dict:
    proc = cli("check", str(root), "--format", "json", *args)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    data["stderr"] = proc.stderr
    return data


def essence(data: dict) -> list:
    return [(f["path"], f["line"], f["column"], f["rule"], f["name"], f["message"]) for f in data["findings"]]


def age(path, seconds: float = 10) -> None:
    """Make a file look older than the racy window, as files in a real checkout are."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_second_run_reads_nothing_and_replays(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    for f in root.rglob("*.py"):
        age(f)
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache))
    second = check_json(root, "--cache-dir", str(cache))
    assert first["summary"]["parsed"] == 3 and not first["summary"]["replayed"]
    assert second["summary"]["replayed"] and second["summary"]["parsed"] == 0
    assert essence(first) == essence(second)


def test_edited_file_is_reread_and_restored_content_reuses_its_entry(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"
    core = root / "pkg" / "core.py"
    original = core.read_text()
    check_json(root, "--cache-dir", str(cache))

    core.write_text(original + "def missing(): ...\n")
    edited = check_json(root, "--cache-dir", str(cache))
    assert edited["summary"]["parsed"] == 1  # only the edited file
    assert "missing" not in [f["name"] for f in edited["findings"]]

    core.write_text(original)  # back to the old content, with a new mtime
    restored = check_json(root, "--cache-dir", str(cache))
    assert restored["summary"]["parsed"] == 0  # its old entry is reused
    assert "missing" in [f["name"] for f in restored["findings"]]


def test_same_size_same_second_edit_is_not_missed(tmp_path):
    """An edit that keeps the size and lands within the mtime tick must still be seen."""
    root = write_project(tmp_path / "p", {"m.py": "a = 1\n", "app.py": "from m import a\n"})
    cache = tmp_path / "cache"
    assert check_json(root, "--cache-dir", str(cache))["findings"] == []
    st = os.stat(root / "m.py")
    (root / "m.py").write_text("b = 1\n")  # same size
    os.utime(root / "m.py", ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    data = check_json(root, "--cache-dir", str(cache))
    assert [f["name"] for f in data["findings"]] == ["a"]


def test_garbage_and_truncated_cache_files_are_rebuilt(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"
    clean = check_json(root, "--cache-dir", str(cache))
    store = cache / "facts.sqlite3"
    assert store.exists()

    store.write_bytes(b"this is not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (cache / f"facts.sqlite3{suffix}").unlink(missing_ok=True)
    garbage = check_json(root, "--cache-dir", str(cache))
    assert "rebuilt" in garbage["stderr"]
    assert essence(garbage) == essence(clean)

    check_json(root, "--cache-dir", str(cache))
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3])  # truncated mid-page
    for suffix in ("-wal", "-shm"):
        (cache / f"facts.sqlite3{suffix}").unlink(missing_ok=True)
    (root / "pkg" / "core.py").write_text("def run(): ...\n# edited\n")
    truncated = check_json(root, "--cache-dir", str(cache))
    assert essence(truncated) == essence(clean)


def test_cache_rows_from_another_file_are_never_served(tmp_path):
    """Two files with identical content keep separate entries (locations carry their path)."""
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/a.py": "from .gone_module_xyz import x\n",
                                          "pkg/b.py": "from .gone_module_xyz import x\n"})
    data = check_json(root, "--cache-dir", str(tmp_path / "c"))
    assert sorted(f["path"].rsplit("/", 1)[-1] for f in data["findings"]) == ["a.py", "b.py"]
    again = check_json(root, "--cache-dir", str(tmp_path / "c"))
    assert essence(again) == essence(data)


def test_concurrent_runs_share_one_cache(tmp_path):
    files = {f"pkg/m{i}.py": f"from pkg.m{(i + 1) % 60} import f{(i + 1) % 60}\ndef f{i}(): ...\nfrom json import nope{i}\n" for i in range(60)}
    files["pkg/__init__.py"] = ""
    root = write_project(tmp_path / "p", files)
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "importgate", "check", str(root), "--format", "json", "--cache-dir", str(cache)]
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(4)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 1 for p in procs), [o[1] for o in outputs]
    results = [essence(json.loads(out)) for out, _ in outputs]
    # 60 missing names, plus the ring itself: a circular import that fails (IG401)
    assert all(r == results[0] for r in results) and len(results[0]) == 61
    assert essence(check_json(root, "--cache-dir", str(cache))) == results[0]


def test_same_findings_with_and_without_cache_serial_and_parallel(tmp_path):
    # big enough to cross the parallel-parsing threshold
    files = {"pkg/__init__.py": "from .m0 import *\n"}
    for i in range(80):
        body = "\n".join(f"def f{i}_{k}(x):\n    return x + {k}\n" for k in range(120))
        files[f"pkg/m{i}.py"] = f"__all__ = ['f{i}_0', 'ghost{i}']\nfrom pkg.m{(i + 1) % 80} import f{(i + 1) % 80}_0, nope{i}\n{body}\n"
    root = write_project(tmp_path / "p", files)
    runs = [
        check_json(root, "--no-cache", "--jobs", "1"),
        check_json(root, "--no-cache", "--jobs", "2"),
        check_json(root, "--cache-dir", str(tmp_path / "c"), "--jobs", "2"),
        check_json(root, "--cache-dir", str(tmp_path / "c"), "--jobs", "1"),
    ]
    assert runs[0]["summary"]["findings"] == 161  # 160, plus the ring's circular import (IG401)
    assert all(essence(r) == essence(runs[0]) for r in runs[1:])


def test_no_cache_writes_nothing(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    check_json(root, "--no-cache")
    assert not (root / ".importgate_cache").exists()


def test_default_cache_dir_is_ignored_by_git(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    env_home = tmp_path / "home-cache"
    proc = cli("check", str(root), env={"IMPORTGATE_CACHE_HOME": str(env_home)})
    assert proc.returncode == 1
    assert (root / ".importgate_cache" / ".gitignore").read_text().strip().endswith("*")
    assert (env_home / "site.sqlite3").exists()  # installed packages' facts are shared across projects


def test_environment_change_is_noticed(tmp_path):
    """Installing a package into the target changes the answer; the cache must not hide that."""
    root = write_project(tmp_path / "p", {"app.py": "import freshly_installed_xyz\n"})
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    cache = str(tmp_path / "c")
    before = check_json(root, "--python", python, "--cache-dir", cache)
    assert [f["rule"] for f in before["findings"]] == ["unresolved-module"]
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(site, "freshly_installed_xyz.py"), "w") as fh:
        fh.write("")
    after = check_json(root, "--python", python, "--cache-dir", cache)
    assert after["findings"] == []


def test_an_environment_stored_by_another_build_is_never_loaded(tmp_path):
    """The cache of installed packages is shared by every build of importgate. An environment
    one build stored, whose class had fewer fields, once loaded without its ``path`` in the
    next and every run stopped with an internal error."""
    import copyreg
    import pickle
    import sqlite3

    from importgate.facts.environment import Environment, _env_key

    class FewerFields:  # pickles as an Environment with only its first two fields
        __class__ = property(lambda self: Environment)

        def __reduce_ex__(self, protocol):
            return copyreg.__newobj__, (Environment,), (sys.executable, tuple(sys.version_info[:3]))

    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache), "--python", sys.executable)
    db = sqlite3.connect(cache / "facts.sqlite3")
    with db:
        db.execute("DELETE FROM reports")
        db.execute("DELETE FROM env")  # stored by this build: gone, so that this run stores it again
        for key in (_env_key(sys.executable), f"another build|{_env_key(sys.executable)}"):  # before keys named the build; another
            db.execute("INSERT OR REPLACE INTO env VALUES (?, ?, ?)", (key, b"", pickle.dumps(FewerFields())))
    db.close()
    again = cli("check", str(root), "--format", "json", "--cache-dir", str(cache), "--python", sys.executable)
    assert again.returncode == 1, again.stderr
    assert essence(json.loads(again.stdout)) == essence(first)
    db = sqlite3.connect(cache / "facts.sqlite3")
    try:
        kept = [key for (key,) in db.execute("SELECT key FROM env") if key.endswith(_env_key(sys.executable))]
    finally:
        db.close()
    assert len(kept) == 1 and kept[0] != _env_key(sys.executable)  # the other builds' rows gave way to this one's


def test_unrelated_files_do_not_defeat_replay_but_manifests_do(tmp_path):
    root = write_project(tmp_path / "p", {**PROJECT, "pyproject.toml": "[project]\nname = 'p'\nversion = '1'\n"})
    cache = tmp_path / "cache"
    check_json(root, "--cache-dir", str(cache))
    (root / "run.log").write_text("anything")
    (root / ".coverage").write_text("data")
    assert check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\nversion = '1'\ndependencies = []\n")
    assert not check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]
    (root / "requirements-dev.txt").write_text("pytest\n")
    assert not check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]
    (root / "Requirements.txt").write_text("pluggy\n")  # the manifest reader matches any case
    assert not check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]


def _small_stdlib_modules(count: int) -> list[tuple[str, str]]:
    """(module, a top-level function it defines) for small pure-Python stdlib modules."""
    import ast
    import sysconfig

    stdlib = sysconfig.get_paths()["stdlib"]
    out = []
    for directory, subdirs, files in os.walk(stdlib):
        subdirs[:] = sorted(d for d in subdirs if d not in ("test", "tests", "idlelib", "site-packages", "lib2to3", "__pycache__"))
        package = os.path.relpath(directory, stdlib).replace(os.sep, ".")
        if package != "." and "__init__.py" not in files:
            subdirs[:] = []
            continue
        for entry in sorted(files):
            path = os.path.join(directory, entry)
            if not entry.endswith(".py") or entry.startswith(("_", "this", "antigravity")) or os.path.getsize(path) > 7000:
                continue
            tree = ast.parse(open(path, "rb").read())
            deleted = {t.id for node in tree.body if isinstance(node, ast.Delete) for t in node.targets if isinstance(t, ast.Name)}
            names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name not in deleted]
            if names:
                module = entry[:-3] if package == "." else f"{package}.{entry[:-3]}"
                out.append((module, names[0]))
            if len(out) == count:
                return out
    return out


def test_many_small_installed_modules_parsed_on_a_cold_run(tmp_path):
    """Enough installed modules to prefetch, too few bytes to fork for: parsed serially, cached,
    and the findings are the same on the warm run (a regression: this path once crashed)."""
    modules = _small_stdlib_modules(55)
    assert len(modules) == 55
    lines = [f"from {module} import {name}\n" for module, name in modules]
    lines.append(f"from {modules[0][0]} import no_such_name_here\n")
    root = write_project(tmp_path / "p", {"app.py": "".join(lines)})
    cache = tmp_path / "cache"
    cold = check_json(root, "--cache-dir", str(cache), "--jobs", "2")
    warm = check_json(root, "--cache-dir", str(cache), "--jobs", "2")
    assert [(f["rule"], f["name"]) for f in cold["findings"]] == [("missing-name", "no_such_name_here")], cold["stderr"]
    assert essence(cold) == essence(warm)


def test_an_edit_that_changes_no_fact_replays_the_report(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    for f in root.rglob("*.py"):
        age(f)
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache))
    core = root / "pkg" / "core.py"
    core.write_text(core.read_text() + "# a comment, and nothing else\n")
    commented = check_json(root, "--cache-dir", str(cache))
    assert commented["summary"]["parsed"] == 1 and commented["summary"]["replayed"]
    assert essence(commented) == essence(first) == essence(check_json(root, "--no-cache"))


def test_an_edit_that_changes_a_fact_is_checked_again(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"
    check_json(root, "--cache-dir", str(cache))
    app = root / "app.py"
    app.write_text(app.read_text().replace("import run\n", "import runn\n"))  # same line count
    edited = check_json(root, "--cache-dir", str(cache))
    assert not edited["summary"]["replayed"]
    assert "runn" in [f["name"] for f in edited["findings"]]
    assert essence(edited) == essence(check_json(root, "--no-cache"))


def test_fixes_are_rendered_again_when_the_file_they_edit_changes_bytes_but_not_facts(tmp_path):
    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"
    check_json(root, "--cache-dir", str(cache))
    init = root / "pkg" / "__init__.py"
    init.write_text(init.read_text().replace("'ghost']\n", "'ghost']  # the public names\n"))
    again = check_json(root, "--cache-dir", str(cache))
    fresh = check_json(root, "--no-cache")
    fixes = [f.get("fix") for f in again["findings"]]
    assert any(fixes) and fixes == [f.get("fix") for f in fresh["findings"]]
    assert not again["summary"]["replayed"]


def test_facts_pickle_to_the_same_bytes_in_every_process(tmp_path):
    """String hashing differs between processes; the stored facts (and so the digests that
    decide a replay) must not."""
    source = tmp_path / "m.py"
    source.write_text(
        "# importgate: ignore[missing-name, unresolved-module, undefined-export]\n"
        "import sys\nfrom os import path, sep, getcwd\n"
        + "".join(f"def f{i}(): ...\nclass C{i}: ...\n" for i in range(40))
        + "def __getattr__(name):\n    if name in ('a', 'b', 'c', 'd'):\n        return 1\n    raise AttributeError(name)\n"
    )
    code = (
        "import sys; from importgate.facts.parse import parse_module; from importgate.facts.cache import dumps, digest;"
        "p = sys.argv[1]; print(digest(dumps(parse_module(open(p, 'rb').read(), p, '', target_version=(3, 11)))).hex())"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code, str(source)], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, check=True
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outs) == 1


def test_a_requirements_include_outside_the_project_is_rechecked_when_it_changes(tmp_path):
    """`-r ../shared/base.txt` is read by the dependency rules but lies outside what the replay
    keys cover: a stored report holds only while that file is as it was."""
    shared = tmp_path / "shared" / "base.txt"
    shared.parent.mkdir()
    shared.write_text("")
    root = write_project(
        tmp_path / "p",
        {"requirements.txt": "-r ../shared/base.txt\n", "app/__init__.py": "import packaging\n"},
    )
    cache = tmp_path / "cache"
    undeclared = [f["name"] for f in check_json(root, "--cache-dir", str(cache))["findings"] if f["rule"] == "undeclared-dependency"]
    assert undeclared == ["packaging"]
    shared.write_text("packaging\n")
    after = check_json(root, "--cache-dir", str(cache))
    assert not after["summary"]["replayed"]
    assert [f for f in after["findings"] if f["rule"] == "undeclared-dependency"] == []
    assert check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]  # unchanged again: replayed


def test_an_installed_module_edited_in_place_is_rechecked(tmp_path):
    """An editable install of a sibling project: editing its module in place changes no sys.path
    directory, yet the report depends on it."""
    import venv

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    lib = tmp_path / "common_src"
    (lib / "common").mkdir(parents=True)
    module = lib / "common" / "__init__.py"
    module.write_text("def other(): ...\n")
    with open(os.path.join(site, "common.pth"), "w") as fh:
        fh.write(str(lib) + "\n")
    root = write_project(tmp_path / "p", {"app.py": "from common import helper\n"})
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache), "--python", str(python))
    assert [(f["rule"], f["name"]) for f in first["findings"]] == [("missing-name", "helper")]
    stamp = os.stat(lib / "common")
    with open(module, "w") as fh:  # in place: no directory changes
        fh.write("def other(): ...\ndef helper(): ...\n")
    os.utime(lib / "common", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    second = check_json(root, "--cache-dir", str(cache), "--python", str(python))
    assert second["findings"] == [] and not second["summary"]["replayed"]


def test_a_damaged_facts_row_is_parsed_again_and_replaced(tmp_path):
    import sqlite3

    root = write_project(tmp_path / "p", PROJECT)
    for f in root.rglob("*.py"):
        age(f)
    cache = tmp_path / "cache"
    clean = check_json(root, "--cache-dir", str(cache))
    db = sqlite3.connect(cache / "facts.sqlite3")
    db.execute("UPDATE facts SET data = ? WHERE path LIKE ?", (b"\x80\x05not a pickle", "%core.py"))
    db.execute("DELETE FROM reports")
    db.commit()
    db.close()
    damaged = check_json(root, "--cache-dir", str(cache))
    assert essence(damaged) == essence(clean)
    db = sqlite3.connect(cache / "facts.sqlite3")
    (data,) = db.execute("SELECT data FROM facts WHERE path LIKE ?", ("%core.py",)).fetchone()
    db.close()
    assert data != b"\x80\x05not a pickle"  # replaced by the new parse


def test_a_report_is_not_replayed_into_another_working_directory(tmp_path):
    """Messages name other files relative to the current directory: the same project checked
    from elsewhere must say it from there."""
    root = write_project(tmp_path / "p", PROJECT)
    cache = tmp_path / "cache"

    def messages(cwd):
        proc = cli("check", str(root), "--format", "json", "--cache-dir", str(cache), cwd=cwd)
        return [f["message"] for f in json.loads(proc.stdout)["findings"]]

    def fresh(cwd):
        proc = cli("check", str(root), "--format", "json", "--no-cache", cwd=cwd)
        return [f["message"] for f in json.loads(proc.stdout)["findings"]]

    assert messages(root) == fresh(root)
    assert messages(tmp_path) == fresh(tmp_path)
    assert messages(tmp_path) != messages(root)  # the paths really differ


def test_a_requirements_include_inside_the_project_is_rechecked_when_it_changes(tmp_path):
    """`-r deps/base.txt`: inside the project, but neither a source nor a root manifest."""
    root = write_project(
        tmp_path / "p",
        {"requirements.txt": "-r deps/base.txt\n", "deps/base.txt": "", "app/__init__.py": "import packaging\n"},
    )
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache))
    assert [f["name"] for f in first["findings"] if f["rule"] == "undeclared-dependency"] == ["packaging"]
    (root / "deps" / "base.txt").write_text("packaging\n")
    after = check_json(root, "--cache-dir", str(cache))
    assert not after["summary"]["replayed"]
    assert essence(after) == essence(check_json(root, "--no-cache"))
    assert check_json(root, "--cache-dir", str(cache))["summary"]["replayed"]  # unchanged again: replayed


def _site_paths(cache) -> list[str]:
    import sqlite3

    db = sqlite3.connect(cache / "facts.sqlite3")
    paths = [row[0] for row in db.execute("SELECT path FROM site")]
    db.close()
    return paths


def test_installed_modules_named_in_from_imports_are_parsed_with_the_project(tmp_path):
    """A cold run that parses in a pool guesses the installed modules from the sources' `from X
    import` text (before anything is parsed) and parses them in the same pool; a guess that no
    rule needs (here, a mention in a docstring) costs a parse and changes no finding. (One that
    imports `*`: its names cannot be checked in the module's text instead.)"""
    body = "".join(f"def function_{i}(argument):\n    return argument + {i}\n\n\n" for i in range(200))
    files = {f"pkg/m{i}.py": body for i in range(60)}  # enough to parse in a pool
    files["pkg/__init__.py"] = ""
    files["app.py"] = '"""Example: from json.decoder import *"""\nimport os\n'
    root = write_project(tmp_path / "p", files)
    cache = tmp_path / "cache"
    data = check_json(root, "--cache-dir", str(cache), "--jobs", "2")
    assert data["findings"] == [] and data["summary"]["parsed"] == 62
    assert any(p.endswith(os.path.join("json", "decoder.py")) for p in _site_paths(cache))


def test_a_serial_parse_guesses_no_installed_module(tmp_path):
    """Parsing in this process, guessing gains nothing: the rules parse on demand only what
    they ask about, and the module a docstring mentions is never parsed."""
    root = write_project(tmp_path / "p", {"app.py": '"""Example: from json.decoder import *"""\nimport os\n'})
    cache = tmp_path / "cache"
    data = check_json(root, "--cache-dir", str(cache))
    assert data["findings"] == [] and data["summary"]["parsed"] == 1
    assert not any(p.endswith(os.path.join("json", "decoder.py")) for p in _site_paths(cache))


def test_places_are_listed_in_the_same_order_whichever_files_came_from_the_cache(tmp_path):
    """A re-parsed file used to join the facts after the cached ones, so "defined in 2 places
    (a, b)" became "(b, a)" on the next run: same findings, different bytes."""
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "",
        "pkg/a.py": "def tool():\n    return 1\n",
        "pkg/b.py": "def tool():\n    return 2\n",
        "app.py": "from pkg import tool\n",
    })
    cache = tmp_path / "cache"
    first = check_json(root, "--cache-dir", str(cache))
    assert "(pkg/a.py:1, pkg/b.py:1)" in first["findings"][0]["message"]
    (root / "pkg" / "a.py").write_text("def tool():\n    return 1\n\n\nfrom . import b\n")  # re-parsed, the rules run
    edited = check_json(root, "--cache-dir", str(cache))
    assert not edited["summary"]["replayed"]
    assert essence(edited) == essence(first) == essence(check_json(root, "--no-cache"))


def test_reused_fixes_never_bring_back_an_old_hint(tmp_path):
    """Rendered fixes are reused by a key over the plans; the hints of the findings that have no
    plan were restored with them, though they had changed (found by review)."""
    root = write_project(tmp_path / "p", {
        "pkg/__init__.py": "__all__ = ['ghost']\n",
        "pkg/sub/__init__.py": "__all__ = ['helper']\n",
        "pkg/b.py": "def helper():\n    pass\n",
        "pkg/a.py": "x = 1\n",
    })
    cache = tmp_path / "cache"
    check_json(root, "--cache-dir", str(cache))
    (root / "pkg" / "a.py").write_text("x = 1\n\n\ndef helper():\n    pass\n")

    def hints(data: dict) -> list:
        return [(f["path"], f["line"], f["code"], f["message"], f["hint"]) for f in data["findings"]]

    edited = check_json(root, "--cache-dir", str(cache))
    assert hints(edited) == hints(check_json(root, "--no-cache"))
    assert any("pkg/a.py" in (f["hint"] or "") + f["message"] for f in edited["findings"])


def test_a_report_checked_with_several_selected_rules_replays_in_another_process(tmp_path):
    """The settings are part of the key; ``--select`` is a set, printed in the order of string
    hashing, which differs between processes: the key must not (found by review)."""
    root = write_project(tmp_path / "p", PROJECT)
    for f in root.rglob("*.py"):
        age(f)
    args = ("check", str(root), "--format", "json", "--cache-dir", str(tmp_path / "cache"), "--select", "IG102,IG101,IG103,IG401")
    runs = [json.loads(cli(*args, env={"PYTHONHASHSEED": str(seed)}).stdout) for seed in (1, 2, 3, 4)]
    assert not runs[0]["summary"]["replayed"]
    assert all(run["summary"]["replayed"] for run in runs[1:])
    assert len({json.dumps(run["findings"]) for run in runs}) == 1


def test_a_run_leaves_the_cyclic_garbage_collector_as_it_found_it(tmp_path):
    """The engine pauses the collector for a run (a long-lived caller, like the pytest plugin or
    an editor, must get it back), whichever way the run ends."""
    import gc
    import sys

    from importgate import api

    root = write_project(tmp_path / "p", {"lib.py": "x = 1\n", "app.py": "import json\nfrom lib import nothere\n"})
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            report = api.check_paths((str(root),), cache_dir=str(tmp_path / "c"), python=sys.executable)
            assert [f.rule.code for f in report.findings] == ["IG102"]
            assert gc.isenabled() is enabled
        finally:
            gc.enable()


def test_a_tree_checked_out_just_before_a_run_is_not_read_again_once_it_settles(tmp_path, monkeypatch):
    """Files changed within the racy window are hashed but their stat is not trusted yet. A later
    run that replays the report (nothing changed) hashes them again and now remembers their
    stat, so the run after that reads no file at all."""
    import time

    from importgate import api, engine

    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/a.py": "from pkg import b\n", "pkg/b.py": "X = 1\n"})
    reads = []
    real = engine.read_source
    monkeypatch.setattr(engine, "read_source", lambda path: reads.append(path) or real(path))

    def run() -> int:
        reads.clear()
        report = api.check_paths((str(root),), cache_dir=str(tmp_path / "c"), python=sys.executable)
        assert report.findings == ()
        return len(reads)

    assert run() == 3  # just written: read, and not trusted by stat
    time.sleep(2.2)  # past the racy window
    assert run() == 3  # replayed, read once more to be sure: now remembered
    assert run() == 0


def test_a_stored_report_is_not_replayed_once_importgates_own_code_changed(tmp_path):
    """A development tree, or an install from a branch, changes the rules without a new version
    number: a report stored by the old code must not answer for the new one."""
    import shutil

    import importgate

    copy = tmp_path / "lib" / "importgate"
    shutil.copytree(os.path.dirname(importgate.__file__), copy, ignore=shutil.ignore_patterns("__pycache__"))
    root = write_project(tmp_path / "p", {"pkg/__init__.py": "", "pkg/a.py": "from pkg import nothere\n"})
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "lib")}

    def run() -> tuple[bool, list[str]]:
        proc = subprocess.run([sys.executable, "-m", "importgate", "check", str(root), "--format", "json",
                               "--cache-dir", str(tmp_path / "c")], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 1, proc.stderr
        data = json.loads(proc.stdout)
        return data["summary"]["replayed"], [f["rule"] for f in data["findings"]]

    assert run() == (False, ["missing-name"])
    assert run() == (True, ["missing-name"])
    rules = copy / "rules" / "resolution.py"
    rules.write_text(rules.read_text() + "\n# edited\n")
    assert run() == (False, ["missing-name"])
    assert run() == (True, ["missing-name"])


@pytest.mark.parametrize("configured", [False, True])
def test_a_replayed_run_loads_neither_the_parser_nor_the_facts_classes_nor_toml_unless_configured(tmp_path, configured):
    """What a run that replays its last report imports is most of its time (~60 ms on pylint's
    tree): the facts' classes, the parser and the TOML parser stay out of it, the last unless
    pyproject.toml names importgate (its settings change the report)."""
    pyproject = "[project]\nname = 'app'\nversion = '1'\ndependencies = []\n"
    if configured:
        pyproject += "\n[tool.importgate]\nselect = ['IG1']\n"
    root = write_project(tmp_path / "p", {"pyproject.toml": pyproject, "app.py": "import os\nfrom lib import nothere\n", "lib.py": "x = 1\n"})
    for f in root.rglob("*"):
        age(f)
    args = ["check", str(root), "--format", "json", "--cache-dir", str(tmp_path / "cache"), "--python", sys.executable]
    first = cli(*args)
    assert first.returncode == 1, first.stderr
    toml = "tomllib" if sys.version_info >= (3, 11) else "tomli"  # the TOML parser config.py uses here
    out, code, loaded = _run_in_a_fresh_interpreter(args, (toml, "importgate.facts.model", "importgate.facts.parse"))
    assert out["summary"]["replayed"] is True
    assert out["findings"] == json.loads(first.stdout)["findings"]
    assert code == 1 and loaded["importgate.facts.model"] is loaded["importgate.facts.parse"] is False
    assert loaded[toml] is configured


def test_a_report_in_use_is_not_evicted_by_many_quick_edits(tmp_path):
    """Reports are kept least-recently-used first, and a report's use is written down at most
    every half minute. Quick edits (a save every few seconds, the benchmark's edits) store many
    answers meanwhile; the state they are compared with must survive them all (found when the
    benchmark's later edits fell back to full runs)."""
    from importgate.facts.cache import FactsCache

    base = b"the state before the edits"
    cache = FactsCache(str(tmp_path / "c"), str(tmp_path / "c"))
    cache.remember_report(base, ("report", 0))
    cache.close()
    for i in range(120):
        cache = FactsCache(str(tmp_path / "c"), str(tmp_path / "c"))
        assert cache.lookup_report(base) == ("report", 0), i
        cache.remember_report(f"edit {i}".encode(), ("report", i))
        cache.close()
    cache = FactsCache(str(tmp_path / "c"), str(tmp_path / "c"))
    try:
        assert cache.lookup_report(b"edit 119") == ("report", 119)
    finally:
        cache.close()


def test_a_file_edited_many_times_keeps_its_recent_versions_and_the_one_on_disk(tmp_path):
    """Each version of a file's facts is kept for an edit to be compared with, but only the few
    most recently used ones (and always the one the stat table names)."""
    import sqlite3

    from importgate.facts.cache import FactsCache

    path = str(tmp_path / "app.py")
    old = time.time() - 60
    for version in range(12):
        cache = FactsCache(str(tmp_path / "c"), str(tmp_path / "c"))
        if version == 0:
            cache.remember_stat(path, 10, int(old * 1e9), b"v0")  # the content on disk, never edited after
        cache.remember(path, 10, int(old * 1e9), f"v{version}".encode(), "p", f"facts {version}".encode())
        cache.close()
        time.sleep(0.002)  # each version used later than the one before
    db = sqlite3.connect(tmp_path / "c" / "facts.sqlite3")
    try:
        kept = {row[0] for row in db.execute("SELECT digest FROM facts WHERE path = ?", (path,))}
    finally:
        db.close()
    assert kept == {b"v0"} | {f"v{v}".encode() for v in range(4, 12)}


def test_an_edit_answered_without_the_rules_imports_neither_toml_nor_typing(tmp_path):
    """An import of the standard library added: answered over the assembled project. Reading
    pytest's ``pythonpath`` parses pyproject.toml only if it names the key, and the replay's
    and the resolver's modules do without typing (together ~7 ms of a ~0.12 s answer)."""
    root = write_project(tmp_path / "p", {
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = []\n",
        "app.py": "import os\nfrom lib import nothere\n", "lib.py": "x = 1\n",
    })
    for f in root.rglob("*"):
        age(f)
    args = ["check", str(root), "--format", "json", "--cache-dir", str(tmp_path / "cache"), "--python", sys.executable]
    first = cli(*args)
    assert first.returncode == 1, first.stderr
    (root / "app.py").write_text("import os\nfrom lib import nothere\nimport json\n")
    out, code, loaded = _run_in_a_fresh_interpreter(args, ("tomllib", "typing"))
    assert out["summary"]["replayed"] is True and out["summary"]["parsed"] == 1
    assert out["findings"] == json.loads(first.stdout)["findings"]
    assert code == 1 and loaded == {"tomllib": False, "typing": False}


def _run_in_a_fresh_interpreter(args: list[str], modules: tuple[str, ...]) -> tuple[dict, int, dict[str, bool]]:
    """``importgate <args>`` in a new interpreter: (its JSON report, its exit code, which of
    ``modules`` it imported). What a short run imports is most of its time."""
    script = (
        "import json, sys\n"
        "from importgate.cli import main\n"
        f"code = main({args!r})\n"
        f"print(json.dumps([code, {{name: name in sys.modules for name in {modules!r}}}]), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    code, loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    return json.loads(proc.stdout), code, loaded
