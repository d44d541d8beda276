#!/usr/bin/env python3
"""Side-by-side benchmark: importgate and its peers on the same pinned real code, in one run.

    python bench/run.py [--corpus NAME ...] [--repeat N] [--tools NAME ...] [--quick]

Everything it installs goes into throwaway venvs under bench/.work/ (gitignored): one for the
peers, one per corpus holding only the corpus's dependencies (so every tool resolves imports
in the same environment), and pyright from the npm registry. Plain stdlib on purpose: the
harness must not share code paths with the thing it measures. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent

# -- what is measured -----------------------------------------------------------------------

PEER_PINS = {"ty": "0.0.108", "pyrefly": "1.5.0", "mypy": "2.4.1", "ruff": "0.17.6"}
PYLINT_PIN = "4.1.4"  # runs from a venv per corpus (it resolves imports with its own interpreter)
PYRIGHT_PIN = "1.1.414"  # straight from the npm registry: the PyPI wrapper downloads at run time
TOOLS = ("importgate", "ty", "pyrefly", "mypy", "pyright", "pylint", "ruff")

# pylint's import messages, and nothing else
PYLINT_IMPORT_MESSAGES = (
    "import-error",  # E0401
    "no-name-in-module",  # E0611
    "relative-beyond-top-level",  # E0402
    "undefined-all-variable",  # E0603
    "invalid-all-object",  # E0604
    "import-self",  # W0406
)


@dataclass(frozen=True)
class Corpus:
    name: str
    requirement: str | None  # a pinned distribution from the package registry; None = synthetic
    touch: str  # the module that "one file changed" appends a comment to
    copies: int = 1  # >1: replicated under renamed top-level packages (scaling)
    note: str = ""


CORPORA = {
    "pylint": Corpus("pylint", f"pylint=={PYLINT_PIN}", "pylint/utils/utils.py", note="the issue's reference tree"),
    "django": Corpus("django", "Django==5.2.19", "django/utils/functional.py"),
    "sqlalchemy": Corpus("sqlalchemy", "SQLAlchemy==2.1.9", "sqlalchemy/util/langhelpers.py"),
    "large": Corpus("large", "Django==5.2.19", "django0/utils/functional.py", copies=3,
                    note="django x3 under renamed packages (django0, django1, django2)"),
    "tiny": Corpus("tiny", None, "app/util.py", note="synthetic, 12 files, no dependencies (smoke test)"),
}
DEFAULT_CORPORA = ("pylint", "django", "sqlalchemy")

# -- small helpers --------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    """Run a setup command; fail loudly with its output."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise SystemExit(f"bench: command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


def ready(path: Path, key: object) -> bool:
    marker = path / ".bench-ready"
    return marker.exists() and marker.read_text() == json.dumps(key)


def mark_ready(path: Path, key: object) -> None:
    (path / ".bench-ready").write_text(json.dumps(key))


def make_venv(path: Path, python: str, requirements: list[str], with_pip: bool = True) -> Path:
    key = {"python": python, "requirements": requirements}
    if not ready(path, key):
        log(f"creating venv {path.name}: {' '.join(requirements) or '(empty)'}")
        shutil.rmtree(path, ignore_errors=True)
        sh([python, "-m", "venv", *([] if with_pip else ["--without-pip"]), path])
        if requirements:
            sh([path / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements])
        mark_ready(path, key)
    return path / "bin" / "python"


def dist_name(requirement: str) -> str:
    return re.split(r"[=<>!~\[; ]", requirement, maxsplit=1)[0]


# -- setting up peers and corpora -----------------------------------------------------------


@dataclass
class Setup:
    work: Path
    python: str  # the interpreter every venv is made from
    peers: Path | None = None  # peers venv bin/
    pyright: Path | None = None  # pyright's JS entry point


def setup_peers(s: Setup, tools: set[str]) -> None:
    if tools & {"ty", "pyrefly", "mypy", "ruff"}:
        reqs = [f"{name}=={pin}" for name, pin in PEER_PINS.items()]
        s.peers = make_venv(s.work / "venvs" / "peers", s.python, reqs).parent
    if "pyright" in tools:
        prefix = s.work / "npm"
        key = {"pyright": PYRIGHT_PIN}
        if not ready(prefix, key):
            log(f"installing pyright {PYRIGHT_PIN} from the npm registry")
            shutil.rmtree(prefix, ignore_errors=True)
            prefix.mkdir(parents=True)
            sh(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--silent", f"pyright@{PYRIGHT_PIN}"])
            mark_ready(prefix, key)
        s.pyright = prefix / "node_modules" / "pyright" / "index.js"


@dataclass
class CorpusTree:
    corpus: Corpus
    root: Path  # the project tree (cwd of every tool)
    packages: list[str]  # top-level packages in it
    python: Path  # corpus venv interpreter: dependencies only, never the corpus itself
    pylint_python: Path | None  # the same dependencies plus pylint
    files: int = 0
    lines: int = 0
    version: str = ""  # the corpus venv's Python, X.Y: given to every tool that would guess it



def _wheel(s: Setup, requirement: str, python: Path) -> Path:
    dest = s.work / "downloads"
    dest.mkdir(parents=True, exist_ok=True)
    name = dist_name(requirement).lower().replace("-", "_")
    version = requirement.split("==", 1)[1]
    for wheel in dest.glob("*.whl"):
        if wheel.name.lower().startswith(f"{name}-{version}-"):
            return wheel
    sh([python, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "-d", dest, requirement])
    for wheel in dest.glob("*.whl"):
        if wheel.name.lower().startswith(f"{name}-{version}-"):
            return wheel
    raise SystemExit(f"bench: no wheel for {requirement}")


def _manifest(metadata: str, name: str) -> str:
    """A pyproject.toml from the wheel's METADATA, so the tree is a project with its real
    dependency declarations (importgate's dependency rules and ty read it)."""
    deps: list[str] = []
    extras: dict[str, list[str]] = {}
    requires_python = None
    version = "0"
    for line in metadata.splitlines():
        if not line.strip():
            break  # end of headers
        key, _, value = line.partition(": ")
        if key == "Requires-Dist":
            m = re.search(r'\s*(?:and\s+)?extra\s*==\s*["\']([^"\']+)["\']', value)
            if m:
                rest = (value[: m.start()] + value[m.end():]).strip().rstrip(";").strip()
                rest = re.sub(r";\s*$", "", rest)
                extras.setdefault(m.group(1), []).append(rest)
            else:
                deps.append(value.strip())
        elif key == "Requires-Python":
            requires_python = value.strip()
        elif key == "Version":
            version = value.strip()
    out = ["[project]", f'name = "{name}"', f'version = "{version}"']
    if requires_python:
        out.append(f'requires-python = "{requires_python}"')
    out.append("dependencies = [" + ", ".join(json.dumps(d) for d in deps) + "]")
    if extras:
        out.append("\n[project.optional-dependencies]")
        out += [f"{json.dumps(k)} = [" + ", ".join(json.dumps(d) for d in v) + "]" for k, v in extras.items()]
    return "\n".join(out) + "\n"


TINY = {
    "pyproject.toml": '[project]\nname = "tiny"\nversion = "0"\ndependencies = []\n',
    "app/__init__.py": "from app.core import run\n\n__all__ = ['run', 'VERSION']\nVERSION = '1'\n",
    "app/core.py": "import json\nimport os\n\nfrom app import util\nfrom app.models import User, Group\n\n\ndef run():\n    return util.helper(json.dumps({'u': User, 'g': Group, 'p': os.sep}))\n",
    "app/util.py": "import functools\n\n\n@functools.lru_cache\ndef helper(x):\n    return x\n",
    "app/models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass User:\n    name: str\n\n\nclass Group:\n    pass\n",
    "app/broken.py": "from app.models import Account  # missing name\nimport not_installed_anywhere  # unresolved module\n",
    "app/guarded.py": "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    "app/api/__init__.py": "from .views import index\n",
    "app/api/views.py": "from ..core import run\nfrom ..util import helper\n\n\ndef index():\n    return helper(run())\n",
    "app/api/urls.py": "from app.api.views import index, detail  # missing name\n",
    "app/cli.py": "import argparse\n\nfrom app import run\n\n\ndef main():\n    argparse.ArgumentParser().parse_args()\n    run()\n",
    "app/settings.py": "DEBUG = False\nNAME = 'tiny'\n",
}


def setup_corpus(s: Setup, corpus: Corpus, tools: set[str]) -> CorpusTree:
    root = s.work / "corpora" / corpus.name
    venvs = s.work / "venvs"
    if corpus.requirement is None:  # synthetic, no network
        python = make_venv(venvs / corpus.name, s.python, [], with_pip=False)
        if not ready(root, TINY):
            shutil.rmtree(root, ignore_errors=True)
            for rel, text in TINY.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text)
            _git_init(root)
            mark_ready(root, TINY)
        tree = CorpusTree(corpus, root, ["app"], python, None)
    else:
        dist = dist_name(corpus.requirement)
        python = make_venv(venvs / corpus.name, s.python, [corpus.requirement])
        _uninstall_self(python, dist)
        pylint_python = None
        if "pylint" in tools:
            pylint_python = make_venv(venvs / f"{corpus.name}-pylint", s.python, [corpus.requirement, f"pylint=={PYLINT_PIN}"])
            if dist.lower() != "pylint":
                _uninstall_self(pylint_python, dist)
        key = {"requirement": corpus.requirement, "copies": corpus.copies, "layout": 2}
        if not ready(root, key):
            log(f"unpacking {corpus.requirement} into {root}")
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            wheel = _wheel(s, corpus.requirement, python)
            with zipfile.ZipFile(wheel) as zf:
                members = [m for m in zf.namelist() if not m.split("/", 1)[0].endswith((".dist-info", ".data"))]
                meta = next(m for m in zf.namelist() if m.endswith(".dist-info/METADATA"))
                metadata = zf.read(meta).decode()
                if corpus.copies == 1:
                    zf.extractall(root, members)
                else:
                    _replicate(zf, members, root, corpus.copies)
            (root / "pyproject.toml").write_text(_manifest(metadata, corpus.name))
            _git_init(root)
            mark_ready(root, key)
        packages = sorted(p.name for p in root.iterdir() if (p / "__init__.py").exists())
        tree = CorpusTree(corpus, root, packages, python, pylint_python)
    tree.files, tree.lines = count_source(root)
    tree.version = sh([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip()
    return tree


def _uninstall_self(python: Path, dist: str) -> None:
    """The corpus venv holds the corpus's dependencies, not the corpus: imports of it must
    resolve to the tree under test."""
    probe = subprocess.run([python, "-m", "pip", "show", "--quiet", dist], capture_output=True)
    if probe.returncode == 0:
        sh([python, "-m", "pip", "uninstall", "--quiet", "--yes", dist])


def _replicate(zf: zipfile.ZipFile, members: list[str], root: Path, copies: int) -> None:
    """Copies of a package's source under renamed top-level packages, imports rewritten, so the
    tree scales up with the same shape (data files are left out: they only cost disk)."""
    tops = {m.split("/", 1)[0] for m in members if "/" in m}
    # only a leading name is the package: `django.template.backends.django` keeps its last part
    pattern = re.compile(r"(?<![.\w])(" + "|".join(map(re.escape, sorted(tops))) + r")\b")
    for i in range(copies):
        for m in members:
            if m.endswith("/") or not m.endswith((".py", ".pyi")):
                continue
            top, _, rest = m.partition("/")
            if top not in tops:
                continue
            text = zf.read(m).decode("utf-8", "surrogateescape")
            dest = root / f"{top}{i}" / rest
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(pattern.sub(lambda mm, i=i: f"{mm.group(1)}{i}", text), "utf-8", "surrogateescape")


def _git_init(root: Path) -> None:
    """A repository root of its own, so that the .gitignore of whatever holds the work folder
    (ours ignores bench/.work/) cannot hide the tree from tools that honour ignore files."""
    if shutil.which("git"):
        subprocess.run(["git", "init", "--quiet", str(root)], capture_output=True)
    (root / ".gitignore").write_text(".importgate_cache/\n.mypy_cache/\n.ruff_cache/\n__pycache__/\n")


def count_source(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*"):
        if path.suffix in (".py", ".pyi") and ".git" not in path.parts and path.is_file():
            files += 1
            with open(path, "rb") as fh:
                lines += sum(1 for _ in fh)
    return files, lines


# -- measuring one run ------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    cpu: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


def _tree_rss(root_pid: int) -> int:
    """Resident bytes of a process and all its descendants (multi-process tools are summed;
    ru_maxrss alone only sees the largest single process)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21])
    members, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in members:
                members.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in members) * os.sysconf("SC_PAGE_SIZE")


def _gnu_time() -> str | None:
    """GNU time, if present: it forks the tool from a process of ~2 MiB, so the tool's
    ru_maxrss is its own. Ours is not: Linux carries the pre-exec high-water mark across
    exec, so a child forked from this harness would report at least the harness's RSS."""
    exe = "/usr/bin/time"
    if os.path.exists(exe):
        probe = subprocess.run([exe, "-f", "%M", "-o", os.devnull, "true"], capture_output=True)
        if probe.returncode == 0:
            return exe
    return None


GNU_TIME = _gnu_time()


def measure(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Measured:
    out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
    mem_path = cwd / ".bench-maxrss"
    argv = [str(c) for c in cmd]
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", str(mem_path), *argv]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                try:
                    peak[0] = max(peak[0], _tree_rss(proc.pid))
                except Exception:  # noqa: BLE001 - sampling is best effort
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        killer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        killer.cancel()
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    out_path.unlink()
    err_path.unlink()
    peak_mib = peak[0] / 2**20  # sampled: the whole process tree, summed
    if GNU_TIME and mem_path.exists():
        lines = mem_path.read_text().split()
        if lines and lines[-1].isdigit():
            peak_mib = max(peak_mib, int(lines[-1]) / 1024)
        mem_path.unlink()
    return Measured(elapsed, usage.ru_utime + usage.ru_stime, peak_mib, proc.returncode, stdout, stderr)


# -- what each tool reports on the import rules ---------------------------------------------
# kind: "unresolved" (module not found), "missing" (name not in module), "other" (another
# import rule), None (not about imports: counted only in the total).


@dataclass(frozen=True)
class Diag:
    path: str
    line: int
    kind: str | None
    code: str
    message: str


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(root)
        except ValueError:
            pass
    return p.as_posix().removeprefix("./")


def parse_importgate(stdout: str, root: Path) -> list[Diag]:
    """One diagnostic per failing import, as the peers count them: a finding that stands for
    every import of one missing module or name lists the others as related places."""
    kinds = {"IG101": "unresolved", "IG104": "unresolved", "IG102": "missing", "IG105": "missing"}
    data = json.loads(stdout)
    out = []
    for f in data["findings"]:
        kind = kinds.get(f["code"], "other" if f["code"].startswith("IG1") else None)
        out.append(Diag(_rel(f["path"], root), f["line"], kind, f["code"], f["message"]))
        out.extend(Diag(_rel(r["path"], root), r["line"], kind, f["code"], f["message"])
                   for r in f.get("related", ()) if r["message"].startswith("also imported here ("))
    return out


_CONCISE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>\w+)\[(?P<code>[\w-]+)\] (?P<msg>.*)$")


def parse_ty(stdout: str, root: Path) -> list[Diag]:
    out = []
    for line in stdout.splitlines():
        m = _CONCISE.match(line)
        if not m:
            continue
        code, msg = m["code"], m["msg"]
        if code in ("import-not-found", "unresolved-import"):  # the latter: its name before 0.0.10x
            kind = "missing" if re.search(r"has no member", msg) else "unresolved"
        elif code == "missing-module-member":
            kind = "missing"
        elif code in ("possibly-unbound-import", "possibly-missing-import"):
            kind = "other"
        else:
            kind = None
        out.append(Diag(_rel(m["path"], root), int(m["line"]), kind, code, msg))
    return out


def parse_pyrefly(stdout: str, root: Path) -> list[Diag]:
    data = json.loads(stdout[stdout.index("{"):]) if "{" in stdout else {"errors": []}
    kinds = {"missing-import": "unresolved", "missing-module-attribute": "missing", "missing-source": "unresolved",
             "import-error": "unresolved"}
    return [
        Diag(_rel(e["path"], root), e["line"], kinds.get(e["name"]), e["name"], e.get("concise_description") or e["description"])
        for e in data.get("errors", [])
    ]


_MYPY = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?:\d+:)? (?P<sev>error|warning): (?P<msg>.*?)(?:  \[(?P<code>[\w-]+)\])?$")


def parse_mypy(stdout: str, root: Path) -> list[Diag]:
    out = []
    for line in stdout.splitlines():
        m = _MYPY.match(line)
        if not m:
            continue
        code, msg = m["code"] or "", m["msg"]
        if code in ("import-not-found", "import"):
            kind = "unresolved"
        elif code == "attr-defined" and re.match(r'Module "[^"]+" has no attribute', msg):
            kind = "missing"
        elif code == "attr-defined" and "does not explicitly export" in msg:
            kind = "other"
        else:
            kind = None
        out.append(Diag(_rel(m["path"], root), int(m["line"]), kind, code, msg))
    return out


def parse_pyright(stdout: str, root: Path) -> list[Diag]:
    data = json.loads(stdout)
    out = []
    for d in data.get("generalDiagnostics", []):
        rule, msg = d.get("rule", ""), d["message"]
        if d.get("severity") not in ("error", "warning"):
            continue
        if rule in ("reportMissingImports", "reportMissingModuleSource"):
            kind = "unresolved"
        elif "is unknown import symbol" in msg:
            kind = "missing"
        else:
            kind = None
        out.append(Diag(_rel(d["file"], root), d["range"]["start"]["line"] + 1, kind, rule or d["severity"], msg))
    return out


def parse_pylint(stdout: str, root: Path) -> list[Diag]:
    data = json.loads(stdout)
    kinds = {"import-error": "unresolved", "relative-beyond-top-level": "unresolved", "no-name-in-module": "missing"}
    return [  # pylint adds a few messages that --disable=all does not silence (unknown-option-value ...)
        Diag(_rel(m["path"], root), m["line"], kinds.get(m["symbol"], "other" if m["symbol"] in PYLINT_IMPORT_MESSAGES else None),
             m["symbol"], m["message"])
        for m in data.get("messages", [])
    ]


def parse_ruff(stdout: str, root: Path) -> list[Diag]:
    return [Diag(_rel(d["filename"], root), d["location"]["row"], None, d.get("code") or "", d["message"]) for d in json.loads(stdout)]


# -- the plan: which commands, in which modes -------------------------------------------------


@dataclass
class Plan:
    tool: str
    mode: str
    command: Callable[[], list]  # called before each repetition (fresh dirs are made there)
    parse: Callable[[str, Path], list[Diag]]
    before: Callable[[int], None] | None = None
    prime: bool = False  # one untimed run right before each timed run (warm modes)
    ok_codes: tuple[int, ...] = (0, 1)


@dataclass
class Result:
    tool: str
    mode: str
    runs: list[Measured] = field(default_factory=list)
    diags: list[Diag] | None = None
    error: str | None = None
    findings_per_run: list[str] = field(default_factory=list)  # importgate: canonical findings


class Toucher:
    """Appends a comment to one module (a real edit: content, size and mtime change) and puts
    the original back afterwards, even after a crash (the original is kept beside the work)."""

    def __init__(self, tree: CorpusTree, state: Path):
        self.root = tree.root
        self.path = tree.root / tree.corpus.touch
        self.backup = state / f"{tree.corpus.name}.touch.orig"
        self.restore()

    def touch(self, rep: int) -> None:
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"# importgate bench: edit {rep} at {time.time_ns()}\n")

    def add_definition(self, rep: int) -> None:
        """An edit that changes what the module defines (so its facts): a comment does not."""
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"\n\ndef _importgate_bench_edit_{rep}_{time.time_ns()}():\n    return {rep}\n")

    def grow_body(self, rep: int) -> None:
        """The commonest edit: a line added inside a function, moving every line below it."""
        self._insert_in_first_body(f"    _importgate_bench_{rep} = {time.time_ns()}\n")

    def add_import(self, rep: int) -> None:
        """An import of the standard library added: answered without the rules once the import
        is seen to resolve cleanly and to bind a name nothing else looks up."""
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"\nimport json as _importgate_bench_{rep}_{time.time_ns()}\n")

    def add_first_party_import(self, rep: int) -> None:
        """An edit to what the module imports from its own project: `import <its top-level
        package> as ...` appended. The package always runs before the module, so the statement
        only binds a name: no edge of the import graph, answered from the last report once the
        import is seen to resolve (Django's django/utils/functional.py imported nothing of
        Django before: until this was known, the whole import-order simulation ran again)."""
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        package = Path(self.path).relative_to(self.root).parts[0]
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"\nimport {package} as _importgate_bench_{rep}_{time.time_ns()}\n")

    def add_new_first_party_import(self, rep: int) -> None:
        """A module-level import of a module of its own package that the file does not mention
        (``from <package> import <sibling> as ...`` appended): the import graph changes, so
        the import-order simulation runs again over the whole project, beside the other rules'
        kept findings. The costliest import edit still answered without every rule."""
        relative = Path(self.path).relative_to(self.root)
        text = self.path.read_text(encoding="utf-8")
        siblings = sorted(p.stem for p in Path(self.path).parent.glob("*.py") if p.stem not in ("__init__", Path(self.path).stem))
        unmentioned = [stem for stem in siblings if not re.search(rf"\b{re.escape(stem)}\b", text)]
        if not unmentioned:
            raise SystemExit(f"bench: every sibling module of {self.path} is mentioned there already")
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        package = ".".join(relative.parts[:-1])
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(f"\nfrom {package} import {unmentioned[0]} as _importgate_bench_{rep}_{time.time_ns()}\n")

    def rewrite_imported_definition(self, rep: int) -> None:
        """A refactoring that keeps the module's API: a top-level function that other modules
        import is renamed, and its old name bound to it at the end of the file
        (``def _name_...(...)`` and ``name = _name_...``). What other modules see changed (where
        and how the name is bound): the last report stands when no rule can tell, which for a
        module on an import cycle means that no import of it comes between the two places
        (``facts.interface.binding_order``)."""
        text = self.path.read_text(encoding="utf-8")
        name = self._imported_function(text)
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        new = f"_{name}_importgate_bench_{rep}_{time.time_ns()}"
        text = re.sub(rf"^def {name}\(", f"def {new}(", text, count=1, flags=re.M)
        self.path.write_text(text + f"\n{name} = {new}\n", encoding="utf-8")

    def _imported_function(self, text: str) -> str:
        """The first top-level function of the file that another module imports by name and that
        the file itself does not use at module level (the new binding comes last)."""
        module = ".".join(Path(self.path).relative_to(self.root).with_suffix("").parts)
        others = [p.read_text(encoding="utf-8", errors="replace") for p in Path(self.root).rglob("*.py") if p != self.path]
        for name in re.findall(r"^def (\w+)\(", text, flags=re.M):
            if name.startswith("_") or re.search(rf"^(?!def {name}\()\S.*\b{name}\b", text, flags=re.M):
                continue  # private, or named on a line at module level
            last = re.escape(module.rpartition(".")[2])
            imported = re.compile(rf"from (?:{re.escape(module)}|\.+(?:[\w.]*\.)?{last}) import [^\n]*\b{name}\b")
            if any(imported.search(other) for other in others):
                return name
        raise SystemExit(f"bench: no top-level function of {self.path} is imported by name elsewhere")

    def add_deferred_first_party_import(self, rep: int) -> None:
        """A first-party import added inside a function (``from <package> import <sibling module>``
        before the line the body edit grows): it does not run at import time, so it is answered
        once the import is seen to resolve cleanly, like a standard-library one."""
        relative = Path(self.path).relative_to(self.root)
        siblings = sorted(p.stem for p in Path(self.path).parent.glob("*.py") if p.stem not in ("__init__", Path(self.path).stem))
        if not siblings:
            raise SystemExit(f"bench: no sibling module of {self.path} to import")
        package = ".".join(relative.parts[:-1])
        self._insert_in_first_body(f"    from {package} import {siblings[0]} as _importgate_bench_{rep}_{time.time_ns()}\n")

    def _insert_in_first_body(self, line: str) -> None:
        """``line`` before the first ``return`` of a top-level function (every line below moves)."""
        if not self.backup.exists():
            shutil.copy2(self.path, self.backup)
        lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next((i for i, old in enumerate(lines) if old.startswith("    return ")), None)
        if at is None:
            raise SystemExit(f"bench: no top-level function body to edit in {self.path}")
        lines.insert(at, line)
        self.path.write_text("".join(lines), encoding="utf-8")

    def restore(self) -> None:
        if self.backup.exists():
            shutil.copy2(self.backup, self.path)
            self.backup.unlink()


def importgate_command() -> list[str]:
    try:
        import importgate  # noqa: F401
    except ImportError:
        exe = shutil.which("importgate")
        if not exe:
            raise SystemExit("bench: importgate is not importable here and not on PATH") from None
        return [exe]
    return [sys.executable, "-m", "importgate"]


def importgate_flags(ig: list[str]) -> set[str]:
    """Options of `importgate check` that this build has (the cache and --jobs may not exist yet)."""
    text = subprocess.run([*ig, "check", "--help"], capture_output=True, text=True).stdout
    return {flag for flag in ("--cache-dir", "--no-cache", "--jobs") if re.search(rf"(?<![\w-]){flag}\b", text)}


def plans_for(tree: CorpusTree, s: Setup, tools: set[str], ig: list[str], flags: set[str], state: Path, toucher: Toucher) -> list[Plan]:
    root, py = tree.root, tree.python
    plans: list[Plan] = []

    def fresh(name: str) -> Path:
        d = state / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        return d

    if "importgate" in tools:
        base = [*ig, "check", ".", "--format", "json", "--color", "never", "--python", py]

        def ig_cmd(extra: list, cache: str | None) -> Callable[[], list]:
            def build() -> list:
                shutil.rmtree(root / ".importgate_cache", ignore_errors=True) if cache is None else None
                if cache is None and "--cache-dir" in flags:
                    return [*base, "--cache-dir", fresh("ig-cold"), *extra]
                if cache is not None and "--cache-dir" in flags:
                    return [*base, "--cache-dir", state / cache, *extra]
                return [*base, *extra]
            return build

        plans.append(Plan("importgate", "cold", ig_cmd([], None), parse_importgate))
        if "--no-cache" in flags:
            plans.append(Plan("importgate", "no-cache", lambda: [*base, "--no-cache"], parse_importgate))
        if "--jobs" in flags:
            plans.append(Plan("importgate", "cold --jobs 1", ig_cmd(["--jobs", "1"], None), parse_importgate))
            plans.append(Plan("importgate", "cold --jobs 2", ig_cmd(["--jobs", "2"], None), parse_importgate))
        fresh("ig-warm")
        plans.append(Plan("importgate", "warm", ig_cmd([], "ig-warm"), parse_importgate, prime=True))
        plans.append(Plan("importgate", "one file changed", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.touch, prime=True))
        plans.append(Plan("importgate", "one definition added", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.add_definition, prime=True))
        plans.append(Plan("importgate", "one body grown", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.grow_body, prime=True))
        plans.append(Plan("importgate", "one import added", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.add_import, prime=True))
        plans.append(Plan("importgate", "one first-party import added", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.add_first_party_import, prime=True))
        plans.append(Plan("importgate", "one new first-party module imported", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.add_new_first_party_import, prime=True))
        plans.append(Plan("importgate", "one deferred first-party import added", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.add_deferred_first_party_import, prime=True))
        plans.append(Plan("importgate", "one imported definition rewritten", ig_cmd([], "ig-warm"), parse_importgate,
                          before=toucher.rewrite_imported_definition, prime=True))
    peers = s.peers
    if "ty" in tools:
        plans.append(Plan("ty", "cold", lambda: [peers / "ty", "check", "--python", py, "--python-version", tree.version, "--output-format", "concise",
                                                 "--no-progress", "--color", "never", "."], parse_ty))
    if "pyrefly" in tools:
        plans.append(Plan("pyrefly", "cold", lambda: [peers / "pyrefly", "check", "--python-interpreter-path", py, "--python-version", tree.version,
                                                      "--preset", "default", "--output-format", "json", "--color", "never", "."], parse_pyrefly))
    if "mypy" in tools:
        mypy = [peers / "mypy", "--python-executable", py, "--show-column-numbers", "--show-error-codes", "--no-pretty",
                "--no-error-summary", "--hide-error-context", "--no-color-output", "--explicit-package-bases"]
        plans.append(Plan("mypy", "cold", lambda: [*mypy, "--cache-dir", fresh("mypy-cold"), *tree.packages], parse_mypy))
        fresh("mypy-warm")
        plans.append(Plan("mypy", "warm", lambda: [*mypy, "--cache-dir", state / "mypy-warm", *tree.packages], parse_mypy, prime=True))
        plans.append(Plan("mypy", "one file changed", lambda: [*mypy, "--cache-dir", state / "mypy-warm", *tree.packages],
                          parse_mypy, before=toucher.touch, prime=True))
        plans.append(Plan("mypy", "one definition added", lambda: [*mypy, "--cache-dir", state / "mypy-warm", *tree.packages],
                          parse_mypy, before=toucher.add_definition, prime=True))
    if "pyright" in tools:
        plans.append(Plan("pyright", "cold", lambda: ["node", s.pyright, "--outputjson", "--pythonpath", py, "--pythonversion", tree.version, "."], parse_pyright))
    if "pylint" in tools and tree.pylint_python is not None:
        plans.append(Plan("pylint", "import messages", lambda: [
            tree.pylint_python.parent / "pylint", "--disable=all", "--enable=" + ",".join(PYLINT_IMPORT_MESSAGES),
            "--output-format=json2", "--score=n", "--persistent=n", *tree.packages], parse_pylint,
            ok_codes=tuple(range(0, 32))))  # pylint's exit status is a bit mask of message kinds
    if "ruff" in tools:
        plans.append(Plan("ruff", "cold (no cache)", lambda: [peers / "ruff", "check", "--no-cache", "--output-format", "json",
                                                               "--exit-zero", "."], parse_ruff))
    return plans


def run_env(xdg: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX", "IMPORTGATE_CACHE_HOME", "PYTHONDONTWRITEBYTECODE")}
    env.update(NO_COLOR="1", XDG_CACHE_HOME=str(xdg), PYLINTHOME=str(xdg / "pylint"))
    return env


def canonical_findings(stdout: str) -> str:
    data = json.loads(stdout)
    return json.dumps(sorted(json.dumps(f, sort_keys=True) for f in data["findings"]), indent=0)


def execute(plans: list[Plan], tree: CorpusTree, repeat: int, budget: float, timeout: float, state: Path,
            toucher: Toucher) -> list[Result]:
    """Every plan once per round, round after round: a change in machine load (the machine may
    be shared) then hits every tool alike instead of whichever ran during it. A warm plan is
    primed by one untimed run right before each timed one, since the rounds in between (and
    the restored edit) may have moved its cache; after each run the touched file is restored."""
    results = [Result(p.tool, p.mode) for p in plans]
    xdgs = []
    for i in range(len(plans)):
        xdgs.append(state / f"xdg-{i}")
        shutil.rmtree(xdgs[-1], ignore_errors=True)
        xdgs[-1].mkdir(parents=True)
    for rep in range(repeat):
        if repeat > 1:
            log(f"  round {rep + 1}/{repeat}")
        for plan, result, xdg in zip(plans, results, xdgs, strict=True):
            if result.error or (result.runs and result.runs[0].seconds > budget):
                continue  # failed, or too slow to repeat
            try:
                _one_run(plan, result, rep, tree, timeout, xdg)
            except Exception as exc:  # noqa: BLE001 - one broken tool must not lose the others' numbers
                result.error = repr(exc)
                log(f"  {plan.tool} {plan.mode}: FAILED {exc!r}")
            finally:
                toucher.restore()
            if rep == 0 and result.runs and result.runs[0].seconds > budget and repeat > 1:
                log(f"  {plan.tool} {plan.mode}: over the {budget:.0f} s budget, not repeated")
    return results


def _one_run(plan: Plan, result: Result, rep: int, tree: CorpusTree, timeout: float, xdg: Path) -> None:
    if plan.prime:
        measure(plan.command(), tree.root, run_env(xdg), timeout)
    else:  # a cold run also gets a cold user cache
        shutil.rmtree(xdg, ignore_errors=True)
        xdg.mkdir(parents=True)
    if plan.before:
        plan.before(rep)
    m = measure(plan.command(), tree.root, run_env(xdg), timeout)
    if m.returncode not in plan.ok_codes:
        result.error = f"exit {m.returncode}: {(m.stderr or m.stdout).strip()[-600:]}"
        log(f"  {plan.tool} {plan.mode}: FAILED {result.error}")
        return
    try:
        diags = plan.parse(m.stdout, tree.root)
    except (ValueError, KeyError) as exc:
        result.error = f"could not read its output ({exc!r}): {m.stdout[:300]!r} {m.stderr[-300:]!r}"
        log(f"  {plan.tool} {plan.mode}: {result.error}")
        return
    result.runs.append(m)
    if result.diags is None:
        result.diags = diags
    if plan.tool == "importgate":
        result.findings_per_run.append(canonical_findings(m.stdout))
    log(f"  {plan.tool:<10} {plan.mode:<18} run {rep + 1}: {m.seconds:7.2f} s  {m.cpu:7.2f} CPU s  {m.peak_mib:7.1f} MiB")


# -- reporting --------------------------------------------------------------------------------


def median(result: Result, attr: str) -> float | None:
    values = [getattr(r, attr) for r in result.runs]
    return statistics.median(values) if values else None


def counts(diags: list[Diag] | None) -> dict[str, int]:
    diags = diags or []
    return {
        "unresolved": sum(d.kind == "unresolved" for d in diags),
        "missing": sum(d.kind == "missing" for d in diags),
        "other": sum(d.kind == "other" for d in diags),
        "all": len(diags),
    }


def shared(diags: list[Diag] | None, reference: list[Diag] | None) -> int | None:
    """Import findings of a tool at a file:line where importgate also reports one."""
    if diags is None or reference is None:
        return None
    ours = {(d.path, d.line) for d in reference if d.kind in ("unresolved", "missing")}
    return sum(1 for d in diags if d.kind in ("unresolved", "missing") and (d.path, d.line) in ours)


def identical(results: list[Result]) -> tuple[str, list[str]]:
    ours = [r for r in results if r.tool == "importgate" and r.findings_per_run]
    if not ours:
        return "n/a", []
    reference = ours[0].findings_per_run[0]
    notes = []
    for r in ours:
        for i, f in enumerate(r.findings_per_run):
            if f != reference:
                a, b = set(json.loads(reference)), set(json.loads(f))
                notes.append(f"{r.mode} run {i + 1}: {len(b - a)} extra, {len(a - b)} lost vs cold run 1")
    for r in results:
        if r.tool == "importgate" and r.error:
            notes.append(f"{r.mode}: {r.error}")
    modes = ", ".join(r.mode for r in ours)
    return ("PASS" if not notes else "FAIL") + f" ({modes})", notes


def fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(tree: CorpusTree, results: list[Result]) -> list[str]:
    ref = next((r for r in results if r.tool == "importgate" and r.mode == "cold"), None)
    ref_s = median(ref, "seconds") if ref else None
    ref_diags = ref.diags if ref else None
    ref_cpu = median(ref, "cpu") if ref else None
    head = ("| tool | mode | runs | median s | ratio (tool / importgate cold) | CPU s | CPU ratio | peak MiB "
            "| unresolved module | missing name | other import | all diagnostics | at an importgate import finding |")
    lines = [head, "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"]
    for r in results:
        s = median(r, "seconds")
        c = counts(r.diags)
        import_related = r.tool != "ruff"
        row = [
            r.tool, r.mode, str(len(r.runs)) if not r.error else "error",
            fmt(s, ".2f"),
            fmt(s / ref_s if s is not None and ref_s else None, ".2f"),
            fmt(median(r, "cpu"), ".2f"),
            fmt(median(r, "cpu") / ref_cpu if r.runs and ref_cpu else None, ".2f"),
            fmt(max((m.peak_mib for m in r.runs), default=None), ".0f"),
            str(c["unresolved"]) if import_related and r.diags is not None else "—",
            str(c["missing"]) if import_related and r.diags is not None else "—",
            str(c["other"]) if import_related and r.diags is not None else "—",
            str(c["all"]) if r.diags is not None else "—",
            fmt(shared(r.diags, ref_diags), "d") if import_related and r.tool != "importgate" else "—",
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def targets(results: list[Result], verdict: str) -> list[str]:
    """The issue's targets, each with the measured value (medians, wall clock)."""
    def med(tool: str, mode: str) -> float | None:
        r = next((r for r in results if r.tool == tool and r.mode == mode and not r.error), None)
        return median(r, "seconds") if r else None

    cold = med("importgate", "cold")
    if cold is None:
        return []
    lines = []

    def check(label: str, value: float | None, ok: Callable[[float], bool], shown: str) -> None:
        if value is not None:
            lines.append(f"- {label}: {shown.format(value)} — {'met' if ok(value) else 'MISSED'}")

    for peer in ("ty", "pyrefly"):
        other = med(peer, "cold")
        check(f"cold no slower than {peer}", other / cold if other else None, lambda v: v >= 1.0, f"{peer} / importgate = {{:.2f}}")
    pylint = med("pylint", "import messages")
    check("cold at least 10x faster than pylint", pylint / cold if pylint else None, lambda v: v >= 10, "pylint / importgate = {:.1f}")
    warm, touched = med("importgate", "warm"), med("importgate", "one file changed")
    check("warm <= 10% of cold", warm / cold if warm is not None else None, lambda v: v <= 0.10, "{:.0%}")
    check("one file changed (a comment appended) <= 20% of cold", touched / cold if touched is not None else None, lambda v: v <= 0.20, "{:.0%}")
    defined = med("importgate", "one definition added")
    check("one file changed (a function appended) <= 20% of cold", defined / cold if defined is not None else None, lambda v: v <= 0.20, "{:.0%}")
    grown = med("importgate", "one body grown")
    check("one file changed (a line added inside a function) <= 20% of cold", grown / cold if grown is not None else None, lambda v: v <= 0.20, "{:.0%}")
    imported = med("importgate", "one import added")
    check("one file changed (a standard-library import added) <= 20% of cold", imported / cold if imported is not None else None, lambda v: v <= 0.20, "{:.0%}")
    deferred = med("importgate", "one deferred first-party import added")
    check("one file changed (a first-party import added inside a function) <= 20% of cold", deferred / cold if deferred is not None else None, lambda v: v <= 0.20, "{:.0%}")
    ours = med("importgate", "one first-party import added")
    check("one file changed (an import of its own top-level package added at module level) <= 20% of cold", ours / cold if ours is not None else None, lambda v: v <= 0.20, "{:.0%}")
    new = med("importgate", "one new first-party module imported")
    check("one file changed (a module-level import of a module it did not import) <= 20% of cold", new / cold if new is not None else None, lambda v: v <= 0.20, "{:.0%}")
    rewritten = med("importgate", "one imported definition rewritten")
    check("one file changed (a function other modules import renamed, its old name kept as an alias) <= 20% of cold",
          rewritten / cold if rewritten is not None else None, lambda v: v <= 0.20, "{:.0%}")
    peak = max((m.peak_mib for r in results if r.tool == "importgate" for m in r.runs), default=None)
    check("peak memory under 1 GiB", peak, lambda v: v < 1024, "{:.0f} MiB")
    lines.append(f"- identical findings across modes: {verdict.split(' ')[0]}")
    return lines


def machine_info(s: Setup) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    target = subprocess.run([s.python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)), "cpu": cpu, "memory": mem,
            "python": target, "platform": platform.platform(), "loadavg_start": os.getloadavg()}


def versions(s: Setup, tools: set[str], ig: list[str], trees: list[CorpusTree]) -> dict[str, str]:
    def v(cmd: list) -> str:
        try:
            p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
            return (p.stdout or p.stderr).strip().splitlines()[0]
        except Exception as exc:  # noqa: BLE001
            return f"unknown ({exc!r})"

    out = {}
    if "importgate" in tools:
        out["importgate"] = v([*ig, "--version"])
    for name in ("ty", "pyrefly", "mypy", "ruff"):
        if name in tools and s.peers:
            out[name] = v([s.peers / name, "--version"])
    if "pyright" in tools and s.pyright:
        out["pyright"] = v(["node", s.pyright, "--version"]) + f" (node {v(['node', '--version'])})"
    pylint_py = next((t.pylint_python for t in trees if t.pylint_python), None)
    if "pylint" in tools and pylint_py:
        out["pylint"] = " ".join(v([pylint_py.parent / "pylint", "--version"]).split()[:2])
    return out


def markdown(info: dict, vers: dict, report: list[dict], args) -> str:
    out = ["# importgate benchmark results", ""]
    out.append(f"Generated by `python bench/run.py {' '.join(args.argv)}` on {time.strftime('%Y-%m-%d %H:%M %Z')}.")
    out.append("")
    out.append(f"- machine: {info['nproc']} CPUs ({info['usable_cpus']} usable), {info['cpu']}, {info['memory']} RAM, {info['platform']}")
    out.append(f"- load average at start {tuple(round(x, 2) for x in info['loadavg_start'])}, at end {tuple(round(x, 2) for x in info['loadavg_end'])}"
               " (a busy machine inflates wall times; CPU s is less sensitive)")
    out.append(f"- target Python (every corpus venv): {info['python']}")
    out.append("- tools: " + ", ".join(f"{k} `{v}`" for k, v in vers.items()))
    out.append(f"- repetitions: {args.repeat} per tool and mode (median shown; a tool over the {args.budget:.0f} s budget runs once)")
    out.append("")
    for c in report:
        out.append(f"## {c['corpus']}: {c['files']} files, {c['lines']:,} lines")
        out.append("")
        out.append(f"{c['source']}; touched file: `{c['touch']}`.")
        out.append("")
        out += c["table"]
        out.append("")
        out.append(f"importgate findings identical across modes and runs: **{c['identical']}**")
        for note in c["identical_notes"]:
            out.append(f"- {note}")
        out.append("")
        if c["targets"]:
            out.append("Targets of issue 3 on this corpus:")
            out.append("")
            out += c["targets"]
            out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help=f"repeatable (default: {' '.join(DEFAULT_CORPORA)})")
    parser.add_argument("--tools", nargs="+", action="extend", choices=TOOLS, help="default: all")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per tool and mode (default 5; median reported)")
    parser.add_argument("--quick", action="store_true", help="one repetition (checks the harness, measures little)")
    parser.add_argument("--budget", type=float, default=60.0, help="a tool+mode whose first run takes longer runs only once (default 60 s)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="kill a single run after this many seconds")
    parser.add_argument("--work", type=Path, default=BENCH / ".work", help="where venvs, corpora and caches live (default bench/.work)")
    parser.add_argument("--results", type=Path, help="Markdown table (default bench/results.md; with --quick, WORK/results.md)")
    parser.add_argument("--python", default=sys.executable, help="interpreter the venvs are made from (default: this one)")
    args = parser.parse_args(argv)
    args.argv = argv
    if args.quick:
        args.repeat = 1
    tools = set(args.tools or TOOLS)
    corpora = [CORPORA[n] for n in (args.corpus or DEFAULT_CORPORA)]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    results_md = args.results or (work / "results.md" if args.quick else BENCH / "results.md")

    s = Setup(work, args.python)
    setup_peers(s, tools)
    ig = importgate_command() if "importgate" in tools else []
    flags = importgate_flags(ig) if ig else set()
    if ig:
        log(f"importgate: {' '.join(ig)}; check options present: {', '.join(sorted(flags)) or 'none of --cache-dir/--no-cache/--jobs'}")
    trees = [setup_corpus(s, c, tools) for c in corpora]
    info = machine_info(s)
    vers = versions(s, tools, ig, trees)

    report = []
    for tree in trees:
        log(f"corpus {tree.corpus.name}: {tree.files} files, {tree.lines:,} lines, packages {', '.join(tree.packages)}")
        state = work / "state" / tree.corpus.name
        state.mkdir(parents=True, exist_ok=True)
        toucher = Toucher(tree, state)
        try:
            plans = plans_for(tree, s, tools, ig, flags, state, toucher)
            results = execute(plans, tree, args.repeat, args.budget, args.timeout, state, toucher)
        finally:
            toucher.restore()
        verdict, notes = identical(results)
        source = f"`{tree.corpus.requirement}` from the package registry" if tree.corpus.requirement else "synthetic"
        if tree.corpus.note:
            source += f" ({tree.corpus.note})"
        rows = table(tree, results)
        goals = targets(results, verdict)
        report.append({
            "corpus": tree.corpus.name, "files": tree.files, "lines": tree.lines, "source": source,
            "touch": tree.corpus.touch, "table": rows, "identical": verdict, "identical_notes": notes, "targets": goals,
            "results": [
                {"tool": r.tool, "mode": r.mode, "error": r.error,
                 "median_seconds": median(r, "seconds"), "median_cpu": median(r, "cpu"),
                 "runs": [{"seconds": m.seconds, "cpu": m.cpu, "peak_mib": m.peak_mib, "returncode": m.returncode} for m in r.runs],
                 "counts": counts(r.diags) if r.diags is not None else None,
                 "import_findings": [vars(d) for d in (r.diags or []) if d.kind]}
                for r in results
            ],
        })
        print(f"\n## {tree.corpus.name}: {tree.files} files, {tree.lines:,} lines\n")
        print("\n".join(rows))
        print(f"\nimportgate findings identical across modes and runs: {verdict}")
        for note in notes:
            print(f"  - {note}")
        if goals:
            print("targets:\n" + "\n".join(goals))
        sys.stdout.flush()

    info["loadavg_end"] = os.getloadavg()
    results_md.parent.mkdir(parents=True, exist_ok=True)
    results_md.write_text(markdown(info, vers, report, args))
    (work / "results.json").write_text(json.dumps({"machine": info, "versions": vers, "corpora": report}, indent=2))
    log(f"wrote {results_md} and {work / 'results.json'}")
    failed = any(c["identical"].startswith("FAIL") for c in report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
