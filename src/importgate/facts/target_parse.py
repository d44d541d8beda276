"""Files this interpreter is too old to parse, parsed by the target interpreter.

importgate often runs on an older Python than the project it checks (installed with pipx on
the system's 3.11, checking a 3.12 service). ``f"{row["id"]}"`` (PEP 701) or ``type X = ...``
(PEP 695) are then syntax errors to ``ast.parse`` here and run fine there: reporting them
would be a false positive, and leaving them unknown would hide every name they define. So the
target interpreter runs importgate's own parser (standard library only: no code of the project
runs, its site-packages are not even on the path) over just those files and sends the facts
back pickled. What it cannot parse either is a real syntax error, told in its words."""

from __future__ import annotations

import os
import sys

from importgate.facts.cache import loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importgate.facts.model import ModuleFacts

# stdin: a pickled list of (path, source, is_package, is_stub, target); stdout: (path, pickled facts)
_SCRIPT = """
import pickle, sys
sys.path.insert(0, sys.argv[1])
from importgate.facts.parse import parse_module
out = []
for path, source, is_package, is_stub, target in pickle.load(sys.stdin.buffer):
    facts = parse_module(source, path, "", is_package=is_package, is_stub=is_stub,
                         target_version=target, runtime_loads=target is not None)
    out.append((path, pickle.dumps(facts, protocol=4)))
pickle.dump(out, sys.stdout.buffer, protocol=4)
"""

Job = tuple[str, bytes, bool, bool, "tuple[int, int] | None"]


def newer_than_here(version: tuple[int, int] | None) -> bool:
    """Can the target (of this version) parse what this interpreter cannot?"""
    return version is not None and version > sys.version_info[:2]


def too_new_here(facts: ModuleFacts, version: tuple[int, int] | None) -> bool:
    """Did this interpreter fail on a file that a target of this (newer) version may parse?"""
    return newer_than_here(version) and facts.syntax_error is not None and not facts.syntax_error.unreadable


def reparse(
    jobs: list[Job], results: dict[str, bytes | ModuleFacts], interpreter: str, version: tuple[int, int] | None
) -> dict[str, bytes | ModuleFacts]:
    """``results`` (path -> facts or their pickle) with the files that failed here only because
    this interpreter is older than the target (of ``version``) parsed again by the target:
    first-party files and installed modules alike. On any trouble running it, the results stay
    as they were (a first-party file's syntax error then names both versions)."""
    if not newer_than_here(version):
        return results
    again = []
    for job in jobs:
        result = results.get(job[0])
        if result is not None:
            facts = loads(result) if isinstance(result, bytes) else result
            if too_new_here(facts, version):
                again.append(job)
    if not again:
        return results
    parsed = _in_target(again, interpreter)
    return {**results, **parsed} if parsed else results


def reparse_one(job: Job, facts: ModuleFacts, interpreter: str, version: tuple[int, int] | None) -> ModuleFacts:
    """``reparse`` of one file whose facts were just made here."""
    again = reparse([job], {job[0]: facts}, interpreter, version)[job[0]]
    return loads(again) if isinstance(again, bytes) else again


def _in_target(jobs: list[Job], interpreter: str) -> dict[str, bytes]:
    import pickle
    import subprocess

    from importgate.facts.environment import target_process

    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = target_process(interpreter)
    try:
        done = subprocess.run(
            [interpreter, "-I", "-S", "-c", _SCRIPT, here], input=pickle.dumps(jobs, protocol=4),
            capture_output=True, timeout=120, check=False, cwd=process["cwd"],
        )
        if done.returncode != 0:
            return {}
        out = dict(loads(done.stdout))
        for blob in out.values():
            loads(blob)  # only importgate's data classes and builtins: anything else is refused whole
        return out
    except Exception:  # noqa: BLE001 - a target that cannot help leaves the answer as it was
        return {}


_COMPILES = """
import ast, sys
try:
    compile(sys.stdin.buffer.read(), sys.argv[1], "exec", ast.PyCF_ONLY_AST)
except SyntaxError as exc:
    print(f"line {exc.lineno}: {exc.msg}")
except ValueError as exc:
    print(exc)
"""


def syntax_error_there(data: bytes, path: str, interpreter: str) -> str | None:
    """The target's verdict on source this interpreter cannot parse (a file ``--fix`` rewrote):
    None when it parses there, else why not (also when the target cannot be asked)."""
    import subprocess

    from importgate.facts.environment import target_process

    try:
        done = subprocess.run([interpreter, "-I", "-S", "-c", _COMPILES, path], input=data, capture_output=True,
                              timeout=60, check=False, cwd=target_process(interpreter)["cwd"])
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the target interpreter could not check it: {exc}"
    if done.returncode != 0:
        return "the target interpreter could not check it"
    return done.stdout.decode("utf-8", "replace").strip() or None

