"""Watching the docs folder and reindexing once changes settle (watchdog).

Editors and copies touch a file several times; the watcher waits until no
event has come for ``settle`` seconds, then runs one incremental reindex.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from search.documents import is_document_name
from search.indexing import IndexBusy
from search.indexing.reindex import ReindexReport, reindex

if TYPE_CHECKING:
    from search.backend import Backend

__all__ = ["FolderWatcher"]

log = logging.getLogger(__name__)


class _Changes(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and is_document_name(os.path.basename(str(p))) for p in paths):
            self.watcher.poke()


class FolderWatcher:
    """Runs :func:`search.indexing.reindex.reindex` after changes to ``docs_dir`` settle.

    ``start()`` reindexes once (to catch up with changes made while nobody was
    watching) and then watches in background threads until ``stop()``.
    ``backend``, when given, is reindexed instead of the local index in
    ``index_dir`` (the cluster's: :meth:`search.backend.Backend.reindex`).
    """

    def __init__(
        self,
        docs_dir: Path,
        index_dir: Path,
        settle: float = 1.0,
        on_report: Callable[[ReindexReport], None] | None = None,
        backend: Backend | None = None,
    ) -> None:
        self.docs_dir = Path(docs_dir)
        self.backend = backend
        self.index_dir = Path(index_dir)
        self.settle = settle
        self.on_report = on_report or _log_report
        self._last_event = 0.0
        self._pending = threading.Event()
        self._stopping = threading.Event()
        self._observer = Observer()
        self._worker = threading.Thread(target=self._run, name="dari-reindex", daemon=True)

    def poke(self) -> None:
        self._last_event = time.monotonic()
        self._pending.set()

    def start(self) -> FolderWatcher:
        self._observer.schedule(_Changes(self), str(self.docs_dir), recursive=False)
        self._observer.start()
        self.poke()
        self._last_event = 0.0  # the catch-up run need not wait
        self._worker.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._pending.set()
        self._observer.stop()
        self._observer.join(timeout=5)
        self._worker.join(timeout=30)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._pending.wait()
            if self._stopping.is_set():
                return
            quiet = time.monotonic() - self._last_event
            if quiet < self.settle:
                self._stopping.wait(self.settle - quiet)
                continue
            self._pending.clear()
            try:
                if self.backend is not None:
                    report = self.backend.reindex(self.docs_dir, wait=True)
                else:
                    report = reindex(self.docs_dir, self.index_dir, wait=True)
            except IndexBusy:
                self._pending.set()
                continue
            except Exception:  # keep watching whatever one run hit
                log.exception("reindex failed; will retry on the next change")
                continue
            self.on_report(report)


def _log_report(report: ReindexReport) -> None:
    if report.changed or report.skipped:
        log.info("reindexed: %s", report.summary())
