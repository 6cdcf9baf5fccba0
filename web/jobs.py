"""Changes of the collection that outlast a request's time limit.

An upload, a deletion or a reindex runs in a thread of its own; the request waits
for it up to the time limit (``SEARCH_TIME_LIMIT``).  Done by then, the answer is
the change itself, as always.  Not done, the answer is ``202 Accepted`` with a job:
its outcome is written to a file in the index folder (:data:`JOBS_FOLDER`), which
every worker of ``dari serve`` reads, so ``GET /api/jobs/<id>`` answers from any of
them.  A job whose process died before it finished (the server was killed) reads
``interrupted``; the restarted server indexes what it left (it catches up on start).

A job that cannot be written down (a full or read-only disk) is not handed over:
the request then waits for the change, as it did before jobs existed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

from web.errors import english, kind_of, message_of, status_of

__all__ = ["JOBS_FOLDER", "KEEP_SECONDS", "Handed", "job_state", "run_within"]

log = logging.getLogger(__name__)

#: Where jobs are written down, inside the index folder (shared by every worker).
JOBS_FOLDER = ".jobs"
#: How long a finished job's outcome stays readable (s).
KEEP_SECONDS = 24 * 3600

_JOB_ID = re.compile(r"[A-Za-z0-9_-]{16}")

T = TypeVar("T")


@dataclass
class Handed(Generic[T]):
    """A change still running when the time limit came: answered with ``202`` and its job."""

    job_id: str
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary,
            "job": {"id": self.job_id, "state": "running", "url": job_url(self.job_id)},
        }


def job_url(job_id: str) -> str:
    return f"/api/jobs/{job_id}"


def run_within(
    work: Callable[[], T],
    summary: dict[str, Any],
    describe: Callable[[T], dict[str, Any]],
) -> T | Handed[T]:
    """``work()`` in a thread; its result if done within the app's time limit
    (``SEARCH_TIME_LIMIT``), else a :class:`Handed`.

    An error raised within the limit is raised here, as if ``work`` had run in
    the caller; one raised later is written down as the job's outcome (with the
    status and message it would have been answered with).  ``summary`` describes
    the change for the job's readers; ``describe(result)`` is what a finished job
    shows.  Called in a request (the thread gets the app's context).
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    folder = Path(app.config["DARI_INDEX"]) / JOBS_FOLDER
    seconds = float(app.config["SEARCH_TIME_LIMIT"])
    lock = threading.Lock()
    done = threading.Event()
    outcome: dict[str, Any] = {}
    handed: list[str] = []  # the job's id, once handed over

    def run() -> None:
        try:
            with app.app_context():
                outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc
        with lock:
            done.set()
            if not handed:
                return  # the request answers
        _finish(folder, handed[0], summary, outcome, describe)

    thread = threading.Thread(target=run, name="dari-change", daemon=True)
    thread.start()
    if not done.wait(seconds):
        job_id = secrets.token_urlsafe(12)
        with lock:
            if not done.is_set() and _write(
                folder, job_id, {**summary, "state": "running", "pid": os.getpid()}
            ):
                handed.append(job_id)
                _forget_old(folder)
                return Handed(job_id, summary)
        done.wait()  # finished meanwhile, or the job could not be written down: wait
    if "error" in outcome:
        raise outcome["error"]
    result: T = outcome["value"]
    return result


def _finish(
    folder: Path,
    job_id: str,
    summary: dict[str, Any],
    outcome: dict[str, Any],
    describe: Callable[[Any], dict[str, Any]],
) -> None:
    error = outcome.get("error")
    if error is None:
        state: dict[str, Any] = {**summary, "state": "done", **describe(outcome["value"])}
    else:
        if kind_of(error) is None:
            log.error("job %s failed", job_id, exc_info=error)
        state = {
            **summary,
            "state": "failed",
            # in English, as the API answers (a fixed message is a lazy string: not JSON)
            "error": {"status": status_of(error), "message": english(message_of(error))},
        }
    if not _write(folder, job_id, state):
        log.error("job %s: its outcome (%s) could not be written down", job_id, state["state"])


def _write(folder: Path, job_id: str, state: dict[str, Any]) -> bool:
    """Write job ``job_id``'s ``state`` atomically; False if the disk refused."""
    state = {**state, "id": job_id, "updated": time.time()}
    tmp = folder / f".{job_id}.{os.getpid()}.tmp"
    try:
        folder.mkdir(exist_ok=True)
        tmp.write_text(json.dumps(state, ensure_ascii=False), "utf-8")
        os.replace(tmp, folder / f"{job_id}.json")
        return True
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False


def _forget_old(folder: Path) -> None:
    """Remove jobs older than :data:`KEEP_SECONDS` (best effort)."""
    cutoff = time.time() - KEEP_SECONDS
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


def job_state(index_dir: Path, job_id: str) -> dict[str, Any] | None:
    """What job ``job_id`` did, as written down; None if there is no such job.

    A running job whose process is gone reads ``interrupted``.
    """
    if not _JOB_ID.fullmatch(job_id):
        return None
    try:
        state = json.loads((Path(index_dir) / JOBS_FOLDER / f"{job_id}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    pid = state.pop("pid", None)
    if state.get("state") == "running" and isinstance(pid, int) and not _alive(pid):
        state["state"] = "interrupted"
        state["error"] = {
            "status": 503,
            "message": "The server stopped before this change was indexed; "
            "it indexes it when it starts again.",
        }
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
