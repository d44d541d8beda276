"""The probe's child: runs inside the TARGET interpreter and imports one module.

Executed by file path (never imported as ``importgate.probe.child``), so it
uses the standard library only, imports nothing of importgate, and keeps to
Python 3.8 syntax: the target environment may be older than importgate's own.

Two modes, one behaviour per module:

``spawn SESSION REQUEST RESULT_FD``
    a fresh interpreter imports one module and exits.
``server SESSION REQUEST_FD RESULT_FD``
    a warm fork server: preloads the standard library and the third-party
    modules the project imports (first-party imports are refused while it
    does), then forks one child per request. The child is the same code path
    as ``spawn``, so verdicts do not depend on the mode.

Everything goes out as JSON lines on RESULT_FD; the module's own stdout and
stderr go to a per-module log file (which also receives ``-X importtime``
lines and faulthandler dumps, parsed by the runner).
"""

import errno
import faulthandler
import gc
import importlib
import json
import os
import select
import signal
import sys
import threading
import time
import traceback

BEGIN_MARK = "@@importgate-probe-begin@@"
RESULT_LOST = 75  # exit status: the verdict could not be sent (not a verdict about the module)
MAX_FRAMES = 120
MAX_EVENTS = 40
_IMPORT_FRAME_PREFIXES = ("<frozen importlib", "<frozen zipimport")

# audit event -> kind of side effect
_NETWORK = frozenset({
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
    "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg",
})
_SUBPROCESS = frozenset({
    "subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.startfile",
})
_FILE = frozenset({"open", "os.mkdir", "os.remove", "os.rename", "os.rmdir", "os.truncate", "shutil.rmtree"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _send(fd, data):
    payload = (json.dumps(data) + "\n").encode("utf-8")
    view = memoryview(payload)
    while view:
        try:
            written = os.write(fd, view)
        except InterruptedError:  # pragma: no cover - PEP 475 retries, belt and braces
            continue
        view = view[written:]


# -- the session: where first-party code lives ---------------------------------


class Session(object):
    def __init__(self, data):
        self.roots = list(data["roots"])
        self.project_root = data["project_root"]
        own = {os.path.abspath(__file__), os.path.realpath(__file__)}
        self.first_party_files = frozenset(data["first_party_files"]) - own
        self.first_party_tops = frozenset(data["first_party_tops"])
        self.preload = list(data.get("preload", ()))
        self.temp_dirs = tuple(d.rstrip(os.sep) + os.sep for d in data.get("temp_dirs", ()))
        self.project_prefixes = tuple(r.rstrip(os.sep) + os.sep for r in data.get("project_dirs", (self.project_root,)))
        self.preload_timeout = float(data.get("preload_timeout", 30.0))

    def setup_path(self):
        """sys.path as a service started from the project root sees it: first-party roots first."""
        script_dir = os.path.dirname(os.path.abspath(__file__))
        sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != script_dir]
        for root in reversed(self.roots):
            if root in sys.path:
                sys.path.remove(root)
            sys.path.insert(0, root)
        try:
            os.chdir(self.project_root)
        except OSError:
            pass

    def is_first_party(self, filename):
        return filename in self.first_party_files


# -- side effects seen through audit hooks -------------------------------------


class Recorder(object):
    """Audit hook that records side effects caused directly by first-party code.

    An event counts only when the innermost first-party frame reaches it
    without crossing the import machinery: a third-party package's own
    import-time side effects are not the project's, and they would otherwise
    differ between a preloaded fork server and a fresh interpreter.
    """

    def __init__(self, session, ignore_paths):
        self.session = session
        self.ignore_paths = frozenset(ignore_paths)
        self.active = False
        self.busy = False
        self.events = []
        self.seen = set()

    def hook(self, event, args):
        if not self.active or self.busy:
            return
        if event in _NETWORK:
            kind = "network"
        elif event in _SUBPROCESS:
            kind = "subprocess"
        elif event in _FILE:
            kind = "file-write"
        else:
            return
        self.busy = True
        try:
            self._record(kind, event, args)
        except Exception:  # an audit hook must never break the import it watches
            pass
        finally:
            self.busy = False

    def _record(self, kind, event, args):
        detail = None
        if kind == "file-write":
            detail = self._written_path(event, args)
            if detail is None:
                return
        where = self._first_party_frame()
        if where is None:
            return
        key = (kind, where[0], where[1])
        if key in self.seen:
            if event == "socket.connect":  # a connection says more than the name lookup before it
                for item in self.events:
                    if (item["kind"], item["path"], item["line"]) == key and item["event"] != event:
                        item["event"], item["detail"] = event, self._describe(event, args)
            return
        if len(self.events) >= MAX_EVENTS:
            return
        self.seen.add(key)
        if detail is None:
            detail = self._describe(event, args)
        self.events.append({"kind": kind, "event": event, "detail": detail, "path": where[0], "line": where[1]})

    def _first_party_frame(self):
        frame = sys._getframe(3)
        crossed_import = False
        while frame is not None:
            filename = frame.f_code.co_filename
            if self.session.is_first_party(filename):
                return None if crossed_import else (filename, frame.f_lineno)
            if filename.startswith(_IMPORT_FRAME_PREFIXES):
                crossed_import = True
            frame = frame.f_back
        return None

    def _written_path(self, event, args):
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writes = False
            if isinstance(mode, str):
                writes = any(c in mode for c in "wax+")
            elif isinstance(flags, int):
                writes = bool(flags & _WRITE_FLAGS)
            if not writes:
                return None
        else:
            path = args[0] if args else None
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return None  # a file descriptor or a path-like we cannot see into
        full = os.path.abspath(path)
        if full in self.ignore_paths or full.endswith((".pyc", ".pyo")) or "__pycache__" in full:
            return None
        if full.startswith(("/dev/", "/proc/")):
            return None
        in_project = full.startswith(self.session.project_prefixes)
        if not in_project and (full + os.sep).startswith(self.session.temp_dirs):
            return None
        return full

    @staticmethod
    def _describe(event, args):
        try:
            if event == "socket.connect" and len(args) >= 2:
                address = args[1]
                if isinstance(address, tuple) and len(address) >= 2:
                    return "%s:%s" % (address[0], address[1])
                return str(address)
            if event.startswith("socket.get") and args:
                return str(args[0])
            if event == "subprocess.Popen" and len(args) >= 2:
                argv = args[1]
                if isinstance(argv, (list, tuple)):
                    return " ".join(os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in argv)[:200]
                return str(argv)[:200]
            if args:
                first = args[0]
                if isinstance(first, bytes):
                    first = os.fsdecode(first)
                return str(first)[:200]
        except Exception:
            pass
        return event


# -- one module ------------------------------------------------------------------


def _frames(tb):
    out = []
    for fs in traceback.extract_tb(tb):
        out.append([fs.filename, fs.lineno or 0, fs.name, (fs.line or "").strip()[:200]])
    if len(out) > MAX_FRAMES:
        out = out[:20] + out[-(MAX_FRAMES - 20):]
    return out


def _safe_str(exc):
    try:
        return str(exc)
    except Exception:
        try:
            return repr(exc)
        except Exception:
            return "<unprintable %s>" % type(exc).__name__


def describe_exception(exc):
    cls = type(exc)
    info = {
        "type": cls.__name__,
        "qualname": "%s.%s" % (cls.__module__, cls.__qualname__),
        "mro": [c.__name__ for c in cls.__mro__] + ["%s.%s" % (c.__module__, c.__qualname__) for c in cls.__mro__],
        "message": _safe_str(exc)[:2000],
        "frames": _frames(exc.__traceback__),
        "name": None,
        "path": None,
        "syntax": None,
    }
    if isinstance(exc, ImportError):
        info["name"] = exc.name if isinstance(exc.name, str) else None
        info["path"] = exc.path if isinstance(exc.path, str) else None
    if isinstance(exc, SyntaxError) and isinstance(exc.filename, str):
        info["syntax"] = [exc.filename, exc.lineno or 1, exc.offset or 1]
    if isinstance(exc, SystemExit):
        code = exc.code
        info["exit_code"] = code if isinstance(code, int) or code is None else _safe_str(code)[:200]
    return info


def probe(session, request, result_fd):
    """Import request["module"] (and check request["attr"]); report on result_fd; never return."""
    status = "ok"
    exception = None
    attr_missing = False
    recorder = Recorder(session, [request.get("log") or ""])
    if hasattr(sys, "addaudithook"):
        sys.addaudithook(recorder.hook)
    timeout = float(request.get("timeout") or 0)
    try:
        faulthandler.enable(all_threads=True)
        if timeout > 0:
            # the child's own clock decides a timeout (from the start of the
            # import, whatever the mode); the runner's kill is only a backstop
            faulthandler.dump_traceback_later(timeout, exit=True)
    except Exception:
        pass
    try:
        sys.stderr.write("\n" + BEGIN_MARK + "\n")
        sys.stderr.flush()
    except Exception:
        pass
    module_name = request["module"]
    # the same argv whatever the mode: the child's own arguments are not the service's
    sys.argv[:] = [module_name]
    started = time.perf_counter()
    recorder.active = True
    try:
        # __import__ per dotted prefix (not importlib.import_module) so that
        # -X importtime prints one line per module, parents included
        parts = module_name.split(".")
        for i in range(1, len(parts) + 1):
            __import__(".".join(parts[:i]))
        module = sys.modules[module_name]
        attr = request.get("attr")
        if attr:
            obj = module
            for part in attr.split("."):
                try:
                    obj = getattr(obj, part)
                except AttributeError:
                    attr_missing = True
                    raise
    except SystemExit as exc:
        status = "exit"
        exception = describe_exception(exc)
    except BaseException as exc:  # KeyboardInterrupt at import is a failure like any other
        status = "error"
        exception = describe_exception(exc)
    finally:
        recorder.active = False
    seconds = time.perf_counter() - started
    try:
        faulthandler.cancel_dump_traceback_later()
    except Exception:
        pass
    result = {
        "event": "result",
        "id": request["id"],
        "status": status,
        "seconds": seconds,
        "exception": exception,
        "attr_missing": attr_missing,
        "events": recorder.events,
    }
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    try:
        _send(result_fd, result)
    except OSError:
        os._exit(RESULT_LOST)  # the module closed or replaced our result channel
    # never run the module's atexit handlers or wait for its threads
    os._exit(0)


def _redirect(log_path):
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if log_path:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)


# -- the fork server ---------------------------------------------------------------


class _FirstPartyRefused(BaseException):
    """Not an ImportError: a `try: import x except ImportError` in a third-party
    module must not quietly take another branch than it would in the child."""


class _RefuseFirstParty(object):
    """Meta path finder active while preloading: first-party code must never run in the server."""

    def __init__(self, tops):
        self.tops = tops

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.tops:
            raise _FirstPartyRefused(name)
        return None


class _PreloadTimeout(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _PreloadTimeout()


def preload(session, result_fd):
    """Import the shared prefix; undo failed attempts; report what is unsafe to keep."""
    guard = _RefuseFirstParty(session.first_party_tops)
    sys.meta_path.insert(0, guard)
    loaded, failed, unsafe = [], [], []
    use_alarm = hasattr(signal, "setitimer")
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.perf_counter()
    try:
        for name in session.preload:
            if name in sys.modules:
                continue
            _send(result_fd, {"event": "preloading", "module": name})
            before = set(sys.modules)
            threads = threading.active_count()
            try:
                if use_alarm:
                    signal.setitimer(signal.ITIMER_REAL, session.preload_timeout)
                try:
                    importlib.import_module(name)
                finally:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
            except BaseException as exc:  # noqa - anything a third-party import does
                for added in set(sys.modules) - before:
                    sys.modules.pop(added, None)
                failed.append([name, type(exc).__name__])
                continue
            if threading.active_count() != threads:
                unsafe.append(name)  # forking a process with extra threads can deadlock the child
            loaded.append(name)
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, previous)
        sys.meta_path.remove(guard)
    leaked = sorted(
        name for name, mod in list(sys.modules.items())
        if name != "__main__" and session.is_first_party(getattr(mod, "__file__", None) or "")
    )
    return {
        "event": "ready",
        "loaded": loaded,
        "failed": failed,
        "unsafe": unsafe,
        "leaked": leaked,
        "seconds": time.perf_counter() - started,
        "pid": os.getpid(),
    }


def serve(session, request_fd, result_fd):
    ready = preload(session, result_fd)
    _send(result_fd, ready)
    if ready["unsafe"] or ready["leaked"]:
        return  # the runner restarts us without those modules
    gc.collect()
    if hasattr(gc, "freeze"):
        gc.freeze()  # keeps the shared prefix's pages shared after fork
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    children = {}  # pid -> [id, read fd, chunks]
    by_fd = {}
    pending = b""
    open_requests = True
    while open_requests or children:
        watch = [wake_r] + list(by_fd)
        if open_requests:
            watch.append(request_fd)
        try:
            ready_fds, _, _ = select.select(watch, [], [], 1.0)
        except InterruptedError:  # pragma: no cover
            ready_fds = []
        for fd in ready_fds:
            if fd == wake_r:
                try:
                    while os.read(wake_r, 512):
                        pass
                except (BlockingIOError, OSError):
                    pass
            elif fd == request_fd:
                data = os.read(request_fd, 65536)
                if not data:
                    open_requests = False
                    for pid in list(children):
                        _kill_group(pid)
                    continue
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        _fork_one(session, json.loads(line.decode("utf-8")), children, by_fd, result_fd,
                                  (request_fd, wake_r, wake_w))
            else:
                pid = by_fd[fd]
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    children[pid][2].append(chunk)
                else:
                    os.close(fd)
                    del by_fd[fd]
                    children[pid][1] = None
        _reap(children, by_fd, result_fd)
    signal.set_wakeup_fd(-1)


def _kill_group(pid):
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
            return
        except OSError:
            continue


def _fork_one(session, request, children, by_fd, result_fd, server_fds):
    read_fd, write_fd = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.setsid()
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in list(server_fds) + [read_fd, result_fd] + list(by_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            _redirect(request.get("log"))
            probe(session, request, write_fd)
        finally:
            os._exit(70)
    os.close(write_fd)
    os.set_blocking(read_fd, False)
    children[pid] = [request["id"], read_fd, []]
    by_fd[read_fd] = pid
    _send(result_fd, {"event": "started", "id": request["id"], "pid": pid})


def _reap(children, by_fd, result_fd):
    while children:
        # find an exited child without reaping it: its process group id stays
        # reserved until the stragglers it left behind are killed
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if info is None or info.si_pid == 0:
            return
        pid = info.si_pid
        _kill_group(pid)
        _, status = os.waitpid(pid, 0)
        entry = children.pop(pid, None)
        if entry is None:
            continue
        request_id, read_fd, chunks = entry
        if read_fd is not None:
            try:
                while True:  # the child has exited: what it wrote is in the pipe
                    chunk = os.read(read_fd, 65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except (BlockingIOError, OSError):
                pass
            os.close(read_fd)
            by_fd.pop(read_fd, None)
        message = {"event": "exit", "id": request_id, "pid": pid}
        message.update(_status(status))
        message["output"] = b"".join(chunks).decode("utf-8", "replace")
        _send(result_fd, message)


def _status(status):
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status), "returncode": None}
    if os.WIFEXITED(status):
        return {"signal": None, "returncode": os.WEXITSTATUS(status)}
    return {"signal": None, "returncode": None}


def main(argv):
    mode = argv[1]
    with open(argv[2], encoding="utf-8") as fh:
        session = Session(json.load(fh))
    session.setup_path()
    if mode == "spawn":
        request = json.loads(argv[3])
        result_fd = int(argv[4])
        _redirect(None)
        probe(session, request, result_fd)
    elif mode == "server":
        request_fd, result_fd = int(argv[3]), int(argv[4])
        try:
            serve(session, request_fd, result_fd)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise
    else:
        sys.stderr.write("importgate probe child: unknown mode %r\n" % mode)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
