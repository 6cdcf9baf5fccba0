"""Several processes answering on one listening socket: ``dari serve --workers N``.

Python runs one thread's Python code at a time (the GIL), and most of a request
is Python (the app, the query parser, the results), so threads alone keep one
core busy.  The server's process loads everything once — Kiwi's model, the
app, the index's columns — and then forks: the workers share what it loaded
(copy-on-write: Kiwi's model is never written after it is built, the columnar
caches are memory-mapped files, and :func:`gc.freeze` keeps the collector from
touching the rest), and each accepts connections on the same socket with its
own threads.  docs/performance.md has the measurements behind the choice.

Workers share one socket, and a client keeps its connection (keep-alive), so the
kernel's choice of who accepts would fix the load for good: four clients could
all land on one worker while another idles.  Each worker therefore publishes
how many clients it serves (connections answered in the last two seconds) in
memory all workers share (:class:`WorkerLoads`); one serving two or more more
than the least loaded ends the connections it answers (``Connection: close``),
so that their clients reconnect, until the workers serve alike
(:mod:`web.serving`).  Clients, not requests in progress: their count does not
flicker with every request, so connections are not closed back and forth.

The parent only supervises: a worker that dies is replaced (workers that keep
dying as they start stop the server instead: a restart will not mend that),
Ctrl+C or SIGTERM stops them all, and a worker whose parent is gone stops
itself.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

__all__ = [
    "WorkerLoad",
    "WorkerLoads",
    "can_fork",
    "default_workers",
    "run_workers",
    "sigterm_as_interrupt",
]

#: At most this many workers by default: past it, memory grows and the cores are busy.
MAX_DEFAULT_WORKERS = 4
#: A worker that dies within this many seconds of its start died "at start".
QUICK_DEATH = 5.0
#: This many deaths at start in a row stop the server.
MAX_QUICK_DEATHS = 5
#: How often the parent looks for workers that ended, and workers for their parent.
POLL = 0.25
#: How long the parent waits for its workers to stop before it kills them.
STOP_TIMEOUT = 10.0


def can_fork() -> bool:
    """True where workers can be forked (not on Windows)."""
    return hasattr(os, "fork")


def default_workers() -> int:
    """One worker per core, at most :data:`MAX_DEFAULT_WORKERS`; one where there is no fork."""
    if not can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, MAX_DEFAULT_WORKERS))


class WorkerLoads:
    """How many clients each worker serves, in memory shared across ``fork``.

    Made by the parent before it forks; each worker takes its :meth:`slot`.
    """

    def __init__(self, count: int) -> None:
        self._counts = multiprocessing.RawArray("i", count)

    def slot(self, index: int) -> WorkerLoad:
        """Worker ``index``'s load (starting from 0: a replaced worker's clients are gone)."""
        return WorkerLoad(self._counts, index)


class WorkerLoad:
    """How many clients one worker serves, beside its siblings' (see
    :class:`WorkerLoads`); written by this worker only."""

    def __init__(self, counts: Any, index: int) -> None:
        self._counts = counts
        self._index = index
        counts[index] = 0

    def publish(self, clients: int) -> None:
        self._counts[self._index] = clients

    def lead(self) -> int:
        """How many more clients this worker serves than the least loaded one."""
        counts = self._counts[:]
        return int(counts[self._index] - min(counts))


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM stop the process like Ctrl+C (KeyboardInterrupt in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_workers(
    count: int,
    run_one: Callable[[WorkerLoad], None],
    say: Callable[[str], None],
    started: Callable[[], None] | None = None,
) -> int:
    """Fork ``count`` workers that each call ``run_one(load)`` (serve until interrupted,
    publishing its connections in ``load``: see :class:`WorkerLoads`), call
    ``started`` (in this process, once they are forked), and supervise them until
    Ctrl+C or SIGTERM; returns the exit code (0, or 1 when the workers kept dying at
    start).

    Call it from the main thread once everything the workers share is loaded, and
    with no open file the workers must not share (see :meth:`search.Engine.close`).
    """
    parent = os.getpid()
    gc.collect()
    gc.freeze()  # what is loaded now stays in pages the workers share
    children: dict[int, tuple[float, int]] = {}  # pid → (started, slot)
    loads = WorkerLoads(count)

    def spawn(slot: int) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        # Ctrl+C or SIGTERM held back across the fork: a worker hears it only once its
        # own handlers are in place (else it raised inside Python's fork bookkeeping)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            pid = os.fork()
            if pid == 0:
                _worker(lambda: run_one(loads.slot(slot)), parent, mask)  # never returns
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        children[pid] = (time.monotonic(), slot)

    quick_deaths = 0
    code = 0
    try:
        with sigterm_as_interrupt():
            for slot in range(count):
                spawn(slot)
            if started is not None:
                started()
            while children:
                time.sleep(POLL)
                for pid, (born, slot) in list(children.items()):
                    done, status = os.waitpid(pid, os.WNOHANG)
                    if done == 0:
                        continue
                    del children[pid]
                    say(f"worker {pid} stopped ({_describe(status)}); starting another")
                    quick_deaths = quick_deaths + 1 if time.monotonic() - born < QUICK_DEATH else 0
                    if quick_deaths >= MAX_QUICK_DEATHS:
                        say(f"workers died {quick_deaths} times as they started; stopping")
                        code = 1
                        return code
                    spawn(slot)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(children)
    return code


def _worker(run_one: Callable[[], None], parent: int, mask: set[int | signal.Signals]) -> None:
    """A forked worker's life: serve until told to stop, then leave without cleaning up
    what belongs to the parent.  It starts with the stop signals blocked (``mask`` is
    the signal mask to restore once its handlers are in place)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with sigterm_as_interrupt():
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a stop held back arrives now
            _follow_parent(parent)
            run_one()
        code = 0
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


#: The signals that stop the server and its workers.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _follow_parent(parent: int) -> None:
    """Stop this worker (as SIGTERM would) if its parent goes away, even by SIGKILL."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="dari-parent-watch", daemon=True).start()


def _stop(children: dict[int, tuple[float, int]]) -> None:
    """SIGTERM every worker, wait for them, kill those that outstay :data:`STOP_TIMEOUT`."""
    for pid in children:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while children:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                del children[pid]
        if not children:
            break
        if time.monotonic() > deadline:
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            break
        time.sleep(0.05)


def _describe(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
