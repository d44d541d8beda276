"""The worker pool: one isolated process per imported module, in parallel.

``fork``  a warm server process of the target interpreter preloads the shared
          prefix (stdlib and third-party modules the project imports; never
          first-party code) and forks one child per module.
``spawn`` a fresh interpreter per module (the reference behaviour, and the
          fallback where ``os.fork`` does not exist).

Either way the child runs the same ``probe()`` in child.py, decides timeouts
on its own clock from the start of the import, and the runner kills the
child's whole process group when it is done or overdue, so hung imports and
the processes they started never outlive the run.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from importgate.probe.results import (
    CRASH, ERROR, EXIT, INTERNAL, OK, TIMEOUT, Outcome, Task, effects_from, parse_log, raised_from,
)

CHILD_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
RESULT_LOST = 75  # the child's exit status when it could not send its result (see child.py)
GRACE = 2.0  # seconds past the child's own timeout before the runner kills it
MAX_SERVER_STARTS = 4


class ProbeError(Exception):
    """The pool itself could not run (not a verdict about the analysed code)."""


@dataclass(slots=True, unsafe_hash=True)
class SessionSpec:
    """What every child needs to know about the project (written once to a JSON file)."""

    roots: tuple[str, ...]
    project_root: str
    first_party_files: frozenset[str]
    first_party_tops: frozenset[str]
    preload: tuple[str, ...] = ()
    temp_dirs: tuple[str, ...] = ()
    project_dirs: tuple[str, ...] = ()
    preload_timeout: float = 30.0

    def to_json(self, preload: tuple[str, ...] | None = None) -> str:
        return json.dumps(
            {
                "roots": list(self.roots),
                "project_root": self.project_root,
                "first_party_files": sorted(self.first_party_files),
                "first_party_tops": sorted(self.first_party_tops),
                "preload": list(self.preload if preload is None else preload),
                "temp_dirs": list(self.temp_dirs),
                "project_dirs": list(self.project_dirs or (self.project_root,)),
                "preload_timeout": self.preload_timeout,
            }
        )


def default_temp_dirs() -> tuple[str, ...]:
    dirs = {tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"}
    out = set()
    for d in dirs:
        out.add(os.path.abspath(d))
        out.add(os.path.realpath(d))
    return tuple(sorted(out))


def fork_available() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


@dataclass
class _Running:
    """A task in flight: its process or fork, its log and its deadline."""

    task: Task
    log: str
    started: float
    deadline: float
    proc: subprocess.Popen | None = None  # spawn mode
    fd: int | None = None  # spawn mode: our end of the result pipe
    chunks: list[bytes] = field(default_factory=list)
    pid: int | None = None  # fork mode: the forked child
    killed: bool = False


@dataclass(slots=True, unsafe_hash=True)
class ServerInfo:
    """What the fork server preloaded before forking the children."""

    loaded: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    dropped: tuple[str, ...]  # preload modules left out (crashed, hung, started threads)
    seconds: float
    log: str


class Pool:
    """Run tasks over ``jobs`` isolated processes of ``python``; yields Outcomes as they finish."""

    def __init__(
        self,
        python: str,
        session: SessionSpec,
        *,
        isolation: str = "auto",
        jobs: int | None = None,
        timeout: float = 30.0,
        env: dict[str, str] | None = None,
        notes: Callable[[str], None] | None = None,
    ) -> None:
        if isolation == "auto":
            isolation = "fork" if fork_available() else "spawn"
        if isolation == "fork" and not fork_available():
            raise ProbeError("--isolation=fork needs os.fork, which this platform does not have; use --isolation=spawn")
        self.python = python
        self.session = session
        self.isolation = isolation
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout = timeout
        self.env = dict(os.environ if env is None else env)
        self.env.pop("PYTHONSTARTUP", None)
        self.notes = notes or (lambda message: None)
        self.workdir = tempfile.mkdtemp(prefix="importgate-probe-")
        self.session_file = os.path.join(self.workdir, "session.json")
        with open(self.session_file, "w", encoding="utf-8") as fh:
            fh.write(session.to_json())
        self.server: subprocess.Popen | None = None
        self.server_info: ServerInfo | None = None
        self._req_w: int | None = None
        self._res_r: int | None = None
        self._buffer = b""
        self._next_id = 0

    # -- lifecycle --------------------------------------------------------------
    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop_server()
        import shutil

        shutil.rmtree(self.workdir, ignore_errors=True)

    def _argv(self, *rest: str) -> list[str]:
        return [self.python, "-X", "importtime", "-X", "faulthandler", CHILD_FILE, *rest]

    # -- public ---------------------------------------------------------------------
    def run(self, tasks: Iterable[Task]) -> Iterator[Outcome]:
        queue = deque(tasks)
        if self.isolation == "fork":
            try:
                yield from self._run_fork(queue)
                return
            except ProbeError as exc:
                self.notes(f"the fork server failed ({exc}); probing the remaining modules in fresh interpreters")
                self.isolation = "spawn"
        yield from self._run_spawn(queue)

    # -- spawn --------------------------------------------------------------------------
    def _run_spawn(self, queue: deque[Task]) -> Iterator[Outcome]:
        selector = selectors.DefaultSelector()
        running: dict[int, _Running] = {}  # task id -> process
        try:
            while queue or running:
                while queue and len(running) < self.jobs:
                    item = self._spawn(queue.popleft())
                    running[item.task.id] = item
                    selector.register(item.fd, selectors.EVENT_READ, item)
                now = time.monotonic()
                wait = max(0.0, min(min(r.deadline for r in running.values()) - now, 0.2))
                for key, _ in selector.select(wait):
                    item = key.data
                    try:
                        chunk = os.read(item.fd, 65536)
                    except OSError:
                        chunk = b""
                    if chunk:
                        item.chunks.append(chunk)
                    else:  # EOF; the process may still be running (a grandchild can hold the pipe)
                        selector.unregister(item.fd)
                        os.close(item.fd)
                        item.fd = None
                now = time.monotonic()
                for task_id, item in list(running.items()):
                    assert item.proc is not None
                    if not _exited(item.proc.pid):
                        if now <= item.deadline:
                            continue
                        item.killed = True
                    _kill_group(item.proc.pid)  # the child if overdue, else what it left behind
                    item.proc.wait()
                    if item.fd is not None:
                        self._drain(item.fd, item)
                        selector.unregister(item.fd)
                        os.close(item.fd)
                        item.fd = None
                    del running[task_id]
                    code = item.proc.returncode
                    sig = -code if code is not None and code < 0 else None
                    yield self._outcome(item, sig, None if sig else code)
        finally:
            for item in running.values():
                if item.proc is not None:
                    _kill_group(item.proc.pid)
                    item.proc.wait()
                if item.fd is not None:
                    try:
                        os.close(item.fd)
                    except OSError:
                        pass
            selector.close()

    def _spawn(self, task: Task) -> _Running:
        read_fd, write_fd = os.pipe()
        log = os.path.join(self.workdir, f"{task.id}.log")
        request = json.dumps({"id": task.id, "module": task.module, "attr": task.attr, "timeout": self.timeout, "log": log})
        with open(log, "wb") as log_fh:
            try:
                proc = subprocess.Popen(
                    self._argv("spawn", self.session_file, request, str(write_fd)),
                    stdin=subprocess.DEVNULL,
                    stdout=log_fh,
                    stderr=log_fh,
                    pass_fds=(write_fd,),
                    env=self.env,
                    cwd=self.session.project_root,
                    start_new_session=True,
                )
            except OSError as exc:
                os.close(read_fd)
                os.close(write_fd)
                raise ProbeError(f"cannot run {self.python}: {exc}") from None
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        now = time.monotonic()
        return _Running(task=task, log=log, started=now, deadline=now + self.timeout + GRACE + 3.0, proc=proc, fd=read_fd)

    @staticmethod
    def _drain(fd: int, item: _Running) -> None:
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                item.chunks.append(chunk)
        except (BlockingIOError, OSError):
            return

    # -- fork -------------------------------------------------------------------------------
    def _start_server(self) -> None:
        """Start the fork server; restart without preload modules that crash, hang or start threads."""
        preload = list(self.session.preload)
        dropped: list[str] = []
        for _attempt in range(MAX_SERVER_STARTS):
            info = self._try_server(tuple(preload))
            if isinstance(info, ServerInfo):
                self.server_info = ServerInfo(info.loaded, info.failed, tuple(dropped), info.seconds, info.log)
                return
            culprits, reason = info
            if not culprits:
                raise ProbeError(reason)
            for name in culprits:
                self.notes(f"not preloading {name} in the fork server: {reason}")
                dropped.append(name)
                preload = [p for p in preload if p != name and not p.startswith(name + ".")]
        raise ProbeError("the fork server could not be started")

    def _try_server(self, preload: tuple[str, ...]) -> ServerInfo | tuple[list[str], str]:
        session_file = os.path.join(self.workdir, "server-session.json")
        with open(session_file, "w", encoding="utf-8") as fh:
            fh.write(self.session.to_json(preload))
        req_r, req_w = os.pipe()
        res_r, res_w = os.pipe()
        log = os.path.join(self.workdir, "server.log")
        with open(log, "wb") as log_fh:
            try:
                proc = subprocess.Popen(
                    self._argv("server", session_file, str(req_r), str(res_w)),
                    stdin=subprocess.DEVNULL,
                    stdout=log_fh,
                    stderr=log_fh,
                    pass_fds=(req_r, res_w),
                    env=self.env,
                    cwd=self.session.project_root,
                )
            except OSError as exc:
                for fd in (req_r, req_w, res_r, res_w):
                    os.close(fd)
                raise ProbeError(f"cannot run {self.python}: {exc}") from None
        os.close(req_r)
        os.close(res_w)
        self.server, self._req_w, self._res_r, self._buffer = proc, req_w, res_r, b""
        current: str | None = None
        step_deadline = time.monotonic() + self.session.preload_timeout + 10
        while True:
            message = self._read_server(timeout=max(0.0, step_deadline - time.monotonic()))
            if message is None:  # the server died or stalled
                alive = proc.poll() is None
                self._stop_server()
                why = "its import stalled the server" if alive else "its import killed the server"
                if current is None:
                    return [], f"the server exited before preloading: {_tail(log)}"
                return [current], why
            event = message.get("event")
            if event == "preloading":
                current = message.get("module")
                step_deadline = time.monotonic() + self.session.preload_timeout + 10
            elif event == "ready":
                unsafe = list(message.get("unsafe") or ())
                if unsafe:
                    self._stop_server()
                    return unsafe, "its import starts threads, and forking a process with threads is unsafe"
                if message.get("leaked"):
                    self._stop_server()
                    return [], "first-party modules were imported while preloading: " + ", ".join(message["leaked"][:5])
                return ServerInfo(
                    loaded=tuple(message.get("loaded") or ()),
                    failed=tuple(tuple(x) for x in message.get("failed") or ()),
                    dropped=(),
                    seconds=float(message.get("seconds") or 0.0),
                    log=log,
                )

    def _read_server(self, timeout: float) -> dict | None:
        """The next JSON line from the server; None on EOF or timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            sel = selectors.DefaultSelector()
            sel.register(self._res_r, selectors.EVENT_READ)
            ready = sel.select(min(remaining, 0.5))
            sel.close()
            if not ready:
                if self.server is not None and self.server.poll() is not None and not self._buffer:
                    return None
                continue
            chunk = os.read(self._res_r, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def _stop_server(self) -> None:
        if self.server is None:
            return
        for fd in (self._req_w, self._res_r):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._req_w = self._res_r = None
        try:
            self.server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None

    def _run_fork(self, queue: deque[Task]) -> Iterator[Outcome]:
        if self.server is None:
            self._start_server()
        in_flight: dict[int, _Running] = {}
        try:
            while queue or in_flight:
                while queue and len(in_flight) < self.jobs:
                    task = queue.popleft()
                    log = os.path.join(self.workdir, f"{task.id}.log")
                    request = {"id": task.id, "module": task.module, "attr": task.attr, "timeout": self.timeout, "log": log}
                    now = time.monotonic()
                    in_flight[task.id] = _Running(task=task, log=log, started=now, deadline=now + self.timeout + GRACE + 3.0)
                    try:
                        os.write(self._req_w, (json.dumps(request) + "\n").encode("utf-8"))
                    except OSError as exc:
                        raise ProbeError(f"the fork server stopped: {exc}") from None
                now = time.monotonic()
                wait = max(0.0, min(min(r.deadline for r in in_flight.values()) - now, 0.5))
                message = self._read_server(timeout=wait) if wait > 0 or b"\n" in self._buffer else None
                if message is None and self.server is not None and self.server.poll() is not None:
                    raise ProbeError(f"the fork server exited: {_tail(self.server_info.log if self.server_info else '')}")
                if message is not None:
                    item = in_flight.get(message.get("id"))
                    if item is not None:
                        if message["event"] == "started":
                            item.pid = message["pid"]
                            item.started = time.monotonic()
                            item.deadline = item.started + self.timeout + GRACE
                        elif message["event"] == "exit":
                            del in_flight[item.task.id]
                            item.chunks.append(message.get("output", "").encode("utf-8"))
                            yield self._outcome(item, message.get("signal"), message.get("returncode"))
                now = time.monotonic()
                for item in in_flight.values():
                    if now <= item.deadline:
                        continue
                    if item.pid is None or item.killed:
                        raise ProbeError("the fork server stopped answering")
                    item.killed = True
                    _kill_group(item.pid)
                    item.deadline = now + 10.0
        except BaseException:
            for item in in_flight.values():
                if item.pid is not None:
                    _kill_group(item.pid)
            # requeue what did not finish, for the spawn fallback
            queue.extendleft(reversed([item.task for item in in_flight.values()]))
            self._stop_server()
            raise

    # -- verdicts ------------------------------------------------------------------------------
    def _outcome(self, item: _Running, sig: int | None, returncode: int | None) -> Outcome:
        try:
            with open(item.log, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
            os.unlink(item.log)
        except OSError:
            text = ""
        log = parse_log(text, CHILD_FILE)
        elapsed = time.monotonic() - item.started
        result = _last_json(b"".join(item.chunks))
        base = dict(task=item.task, timings=log.timings, log_tail=log.tail, signal=sig, returncode=returncode)
        if result is not None:
            status = result.get("status", ERROR)
            return Outcome(
                status=status if status in (OK, ERROR, EXIT) else ERROR,
                seconds=float(result.get("seconds", elapsed)),
                exception=raised_from(result.get("exception")),
                attr_missing=bool(result.get("attr_missing")),
                effects=effects_from(result.get("events")),
                **base,
            )
        if item.killed or log.timed_out:
            return Outcome(status=TIMEOUT, seconds=self.timeout, dump=log.dump, **base)
        if not log.began or returncode == RESULT_LOST:
            return Outcome(status=INTERNAL, seconds=elapsed, **base)
        if sig is not None:
            return Outcome(status=CRASH, seconds=elapsed, dump=log.dump, **base)
        # the import ended the process without an exception (os._exit, or a C-level exit)
        return Outcome(status=EXIT, seconds=elapsed, dump=log.dump, **base)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id


def _last_json(data: bytes) -> dict | None:
    for line in reversed(data.decode("utf-8", "replace").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                parsed = json.loads(line)
            except ValueError:
                continue
            if parsed.get("event") == "result":
                return parsed
    return None


def _exited(pid: int) -> bool:
    """Has the child exited? Without reaping it, so that its process group id stays reserved."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True
    except (AttributeError, OSError):  # pragma: no cover - no waitid
        return False


def _kill_group(pid: int) -> None:
    """SIGKILL the child's process group (it is a session leader), or the child alone."""
    if os.name == "nt":  # pragma: no cover
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("import time:")]
    return " | ".join(lines[-5:])[-600:]
