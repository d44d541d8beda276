"""One rule family in a forked child while this process runs the others.

On a big code base the cycle simulation is the costliest family (0.25-0.35 s of Django's
1.8 s cold run) and shares nothing with the other families but the assembled project. A child
forked after assembly gets a copy of it for free (copy-on-write), so on two cores the
simulation runs while this process checks resolution, exports and dependencies and loads
the fix renderer. What the child learned that later stages read comes back with its
findings: the files its answers read (a replayed report re-checks them) and the installed
modules it parsed (cached for the next run, and read by the replay's plugin test).

Measured (A/B on this 2-core machine): Django cold 1.8 -> 1.55 s, SQLAlchemy cold and its
first-party import edit ~0.1 s faster. The child simulates serially; where this process would
have spread the simulations over its own pool and has no fix renderer to load (an edit on a
big project), it stays here (``worth_forking``).

Anything unusual (no fork on this platform, other threads alive, a daemonic caller, the child
dying or raising) runs the family here instead, so the findings are the same either way."""

from __future__ import annotations

import pickle
import sys
from typing import Callable, Iterable

from importgate.model import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from importgate.project import Project

# below this many first-party files the family costs less than starting a child (~10 ms);
# pylint's 189 files simulate in 0.016 s, SQLAlchemy's 258 in 0.1 s
BESIDE_MIN_FILES = 220

# from this many files on, the cycle family may spread its simulations over a pool of its own
# (rules.cycles starts one at 300 simulations): forking it beside then costs that pool, and pays
# only when this process has the fix renderer to load as well, after a run that parsed most
# files. Measured on Django's 885 files: cold 1.8 -> 1.6 s forked; an edit of one file's
# first-party imports (fixes reused from the cache) 0.69 s in this process, 0.79 s forked.
OWN_POOL_FILES = 300


_FORKED: "tuple[Project, Callable[[Project], Iterable[Finding]]] | None" = None  # what the child runs


def worth_forking(project: "Project", parsed_most: bool = True) -> bool:
    if project.workers() <= 1 or len(project.facts) < BESIDE_MIN_FILES:
        return False
    return parsed_most or len(project.facts) < OWN_POOL_FILES


class Beside:
    """``family(project)`` in a child started now; ``findings()`` waits for them."""

    def __init__(self, project: "Project", family: Callable[["Project"], Iterable[Finding]]) -> None:
        self.project = project
        self.family = family
        self.process = None
        self.receive = None
        self._start()

    def _start(self) -> None:
        import threading

        if threading.active_count() > 1:
            return  # fork copies one thread only: a lock another thread holds would stay held
        try:
            import multiprocessing

            if "fork" not in multiprocessing.get_all_start_methods():
                return
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
        except (ImportError, OSError):
            return
        for stream in (sys.stdout, sys.stderr):  # the child flushes its copies of their buffers
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        global _FORKED
        _FORKED = (self.project, self.family)
        try:
            process = context.Process(target=_child, args=(send,), daemon=True)
            process.start()
        except (OSError, RuntimeError, AssertionError):  # no processes here (a daemonic one may have none)
            receive.close()
            return
        finally:
            _FORKED = None
            send.close()
        self.process, self.receive = process, receive

    def running(self) -> bool:
        """Still working (so this process has time to spare)?"""
        return self.receive is not None and not self.receive.poll()

    def findings(self) -> list[Finding]:
        payload = None
        if self.receive is not None:
            try:
                payload = pickle.loads(self.receive.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError):
                payload = None  # the child died: run the family here
            finally:
                self.close(answered=True)
        if not (isinstance(payload, tuple) and payload[0] == "ok"):
            return list(self.family(self.project))  # here, as if never forked (an error recurs)
        _, findings, learned = payload
        self.project.absorb(learned)
        return findings

    def close(self, answered: bool = False) -> None:
        """Wait for the child; stop it first if nobody will read its answer (this process failed
        meanwhile)."""
        if self.process is None:
            return
        if not answered:
            self.process.terminate()
        self.receive.close()
        self.process.join()
        self.process = self.receive = None


def _child(send) -> None:
    import gc

    gc.disable()  # a short life: the collector would only copy the parent's pages it touches
    assert _FORKED is not None
    project, family = _FORKED
    try:
        project.enter_forked_child(jobs=1)  # the parent uses the other core
        checkpoint = project.checkpoint()
        findings = list(family(project))
        payload = ("ok", findings, project.learned_since(checkpoint))
    except BaseException as exc:  # noqa: BLE001 - reported by running the family in the parent
        payload = ("error", repr(exc))
    send.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()
