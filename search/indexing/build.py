"""Building an index from a folder of documents: one process, or several sharing the files."""

from __future__ import annotations

import bisect
import contextlib
import itertools
import multiprocessing
import os
import queue
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index

from search import documents
from search.columnar import store as columnar
from search.documents import Document, DocumentError, Skipped, document_paths
from search.errors import DariError, storage_errors
from search.indexing.generations import (
    IndexMissing,
    index_lock,
    new_generation,
    open_index,
    publish,
)
from search.indexing.history import record_run, run_record
from search.indexing.segments import BuildWriter
from search.records import document_fields, make_schema
from search.settings import from_env

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

__all__ = [
    "BuildReport",
    "BuildWorkerError",
    "build_index",
    "build_locked",
    "build_procs",
    "counted",
    "ensure_index",
    "load_paths",
    "split_evenly",
]

#: Folders smaller than this are indexed in one process (see :func:`build_procs`).
PARALLEL_MIN_BYTES = 256 * 1024


def counted(number: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``0 files``: ``number`` and ``noun``, plural unless one."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@dataclass
class BuildReport:
    documents: int = 0
    paragraphs: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "file: what was odd about it"
    seconds: float = 0.0
    generation: str = ""

    def count(
        self, item: Document | Skipped, on_document: Callable[[str, str], None] | None
    ) -> None:
        """Count a document that was indexed, or a file that was skipped, and tell
        ``on_document(file_name, message)`` (the message empty unless something was odd)."""
        if isinstance(item, Skipped):
            self.skipped.append(item)
            if on_document:
                on_document(item.name, f"skipped {item.name}: {item.reason}")
            return
        self.documents += 1
        self.paragraphs += len(item.paragraphs)
        notes = [f"{item.path.name}: {w}" for w in item.warnings]
        self.warnings += notes
        if on_document:
            on_document(item.path.name, "; ".join(notes))

    def summary(self) -> str:
        return (
            f"indexed {counted(self.documents, 'document')}, "
            f"{counted(self.paragraphs, 'paragraph')}, "
            f"skipped {counted(len(self.skipped), 'file')}, {self.seconds:.1f} s"
        )


def build_index(
    docs_dir: Path,
    root: Path,
    on_document: Callable[[str, str], None] | None = None,
    wait: bool = False,
    procs: int | None = None,
) -> BuildReport:
    """Index every document of ``docs_dir`` into a new generation and make it live.

    ``on_document(file_name, message)`` is called after each file; ``message``
    is empty unless the file was skipped or had something odd about it.
    ``procs`` processes share the work (see :func:`build_procs`; by default one
    per core for a folder worth it).

    Raises :class:`IndexBusy` if another writer holds the lock (unless
    ``wait``), :class:`DocumentError` if the docs folder does not exist and
    :class:`search.errors.StorageError` if the index's disk is full or read-only
    (the live index is then as it was, and the new generation is removed).
    """
    root = Path(root)
    document_paths(Path(docs_dir))  # fail early with a clear message on a missing folder
    with storage_errors(f"the index folder {root}"), index_lock(root, wait=wait):
        return build_locked(Path(docs_dir), root, on_document, procs=procs)


def ensure_index(
    docs_dir: Path | None,
    root: Path,
    on_document: Callable[[str, str], None] | None = None,
) -> BuildReport | None:
    """Build the index of ``docs_dir`` at ``root`` unless there is one; the report if it built.

    Without ``docs_dir`` a missing index raises :class:`IndexMissing`.  Two
    callers at once build once: the second waits for the lock and then finds
    the index there.
    """
    root = Path(root)
    if _has_index(root):
        return None
    if docs_dir is None:
        raise IndexMissing.at(root)
    document_paths(Path(docs_dir))  # fail early with a clear message on a missing folder
    with storage_errors(f"the index folder {root}"), index_lock(root, wait=True):
        if _has_index(root):
            return None  # built by someone else meanwhile
        return build_locked(Path(docs_dir), root, on_document)


def _has_index(root: Path) -> bool:
    try:
        open_index(root).close()
    except IndexMissing:
        return False
    return True


def build_procs(paths: list[Path], procs: int | None = None) -> int:
    """How many processes build an index of ``paths``.

    ``procs`` if given, else ``DARI_BUILD_PROCS`` if set (:mod:`search.settings`), else one per usable
    core once the files add up to :data:`PARALLEL_MIN_BYTES` (a worker is a
    fresh interpreter that loads Kiwi's model: about 1.5 s that a small folder
    does not win back).  Never more than there are files.
    """
    if procs is None:
        procs = from_env().build_procs
    if procs is None:
        if _total_bytes(paths) >= PARALLEL_MIN_BYTES:
            procs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        else:
            procs = 1
    return max(1, min(procs, len(paths)))


def build_locked(
    docs_dir: Path,
    root: Path,
    on_document: Callable[[str, str], None] | None = None,
    procs: int | None = None,
) -> BuildReport:
    """:func:`build_index` for a caller that already holds :func:`index_lock`.

    With several processes the sorted file list is cut into contiguous parts
    of about equal size; each worker process reads, analyses and writes its
    part as Whoosh segments (one, or more for a large part: see
    :data:`~search.indexing.segments.SEGMENT_POSTINGS`) with a
    :class:`~search.indexing.segments.BuildWriter`, the calling process does the
    last part, and one commit lists the segments in file order.  Document
    numbers, statistics and so every search result are the same as from one
    process.
    """
    started = time.perf_counter()
    docs_dir = Path(docs_dir)
    shadowed: list[Skipped] = []  # files sharing a name with the document's file
    paths = document_paths(docs_dir, shadowed)
    nprocs = build_procs(paths, procs)
    report = BuildReport()
    for item in shadowed:
        report.count(item, on_document)
    gen = new_generation(root)
    try:
        ix = index.create_in(str(gen), make_schema())
        # Made before any worker starts (see _build_part); its private methods used
        # below are the ones MpWriter uses.
        writer = BuildWriter(ix)
        try:
            if nprocs == 1:
                _add_documents(writer, load_paths(paths, docs_dir), report, on_document)
                segments = writer.all_segments()
            else:
                segments = _build_parallel(
                    writer, gen, docs_dir, paths, nprocs, report, on_document
                )
            # What MpWriter(multisegment=True) does: one table of the segments
            writer._commit_toc(segments)
            writer._finish()
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        columnar.prepare(gen)  # checks every segment has its columnar form (the writers made it)
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    publish(root, gen)
    report.generation = gen.name
    report.seconds = time.perf_counter() - started
    skipped = [(s.name, s.reason) for s in report.skipped]
    record_run(
        root, run_record("build", report.seconds, skipped=skipped, documents=report.documents)
    )
    return report


def _add_documents(
    writer: BuildWriter,
    items: Iterable[Document | Skipped],
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> None:
    """Add loaded documents to ``writer``, counting them (and skipped files) in ``report``."""
    for item in items:
        if isinstance(item, Document):
            for entry in document_fields(item):
                writer.add_document(**entry)
            if writer.segment_full():
                writer.next_segment()
        report.count(item, on_document)


def load_paths(paths: list[Path], docs_dir: Path) -> Iterator[Document | Skipped]:
    """:func:`search.documents.load_folder` over a given part of the folder's files."""
    for path in paths:
        if path.is_dir():
            continue  # a folder named like a document is not one (nor worth a message)
        try:
            yield documents.load_document(path, docs_dir)  # looked up here: tests patch it
        except DocumentError as exc:
            yield Skipped(path.name, exc.message)


def _total_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total


def split_evenly(paths: list[Path], parts: int) -> list[list[Path]]:
    """``paths`` cut into ``parts`` contiguous, non-empty runs of about equal total size."""
    sizes = []
    for path in paths:
        try:
            sizes.append(max(path.stat().st_size, 1))
        except OSError:
            sizes.append(1)
    parts = max(1, min(parts, len(paths)))
    cumulative = list(itertools.accumulate(sizes))
    cuts = [0]
    for k in range(1, parts):
        target = cumulative[-1] * k / parts
        end = bisect.bisect_left(cumulative, target) + 1  # the first end reaching the target
        if end > 1 and target - cumulative[end - 2] < cumulative[end - 1] - target:
            end -= 1  # stopping one file earlier comes closer
        # every part gets at least one file, and enough are left for the parts after it
        cuts.append(max(cuts[-1] + 1, min(end, len(paths) - (parts - k))))
    cuts.append(len(paths))
    return [paths[a:b] for a, b in itertools.pairwise(cuts)]


def _build_parallel(
    writer: BuildWriter,
    gen: Path,
    docs_dir: Path,
    paths: list[Path],
    nprocs: int,
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> list:
    """Index ``paths`` with ``nprocs`` processes; returns the segments in order (the
    workers', then the last part's, which this process writes with ``writer``).

    The workers are started with ``spawn`` (a server may build from a thread;
    forking a threaded process can deadlock) and report each file on a queue,
    which the calling process reads between its own documents.
    """
    parts = split_evenly(paths, nprocs)
    ctx = multiprocessing.get_context("spawn")
    messages = ctx.Queue()
    workers = [
        ctx.Process(
            target=_build_part,
            args=(i, nprocs, str(gen), str(docs_dir), [str(p) for p in part], messages),
            name=f"dari-build-{i}",
            daemon=True,
        )
        for i, part in enumerate(parts[:-1])
    ]
    results: dict[int, tuple] = {}

    def handle(message: tuple) -> None:
        kind, worker = message[0], message[1]
        if kind == "file":
            if on_document:
                on_document(message[2], message[3])
        elif kind == "done":
            results[worker] = message[2:]
        else:  # "error"
            raise BuildWorkerError(f"build worker {worker} failed:\n{message[2]}")

    def drain() -> None:
        while True:
            try:
                message = messages.get_nowait()
            except queue.Empty:
                return
            handle(message)

    try:
        for worker in workers:
            worker.start()
        own = BuildReport()

        def on_own(name: str, message: str) -> None:
            if on_document:
                on_document(name, message)
            drain()

        _add_documents(writer, load_paths(parts[-1], docs_dir), own, on_own)
        # this part's segments are written while the workers may still be writing theirs
        own_segments = writer.all_segments()
        while len(results) < len(workers):
            try:
                handle(messages.get(timeout=0.5))
            except queue.Empty:
                for i, worker in enumerate(workers):
                    if i not in results and not worker.is_alive():
                        drain()  # its last words may have arrived just now
                        if i not in results:
                            raise BuildWorkerError(
                                f"build worker {i} exited ({worker.exitcode}) without a result"
                            ) from None
        for worker in workers:
            worker.join()
    except BaseException:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join(timeout=5)
        raise
    finally:
        messages.close()
    segments = []
    for i in range(len(workers)):
        written, documents, paragraphs, skipped, warnings = results[i]
        segments += written
        report.documents += documents
        report.paragraphs += paragraphs
        report.skipped += [Skipped(name, reason) for name, reason in skipped]
        report.warnings += warnings
    report.documents += own.documents
    report.paragraphs += own.paragraphs
    report.skipped += own.skipped
    report.warnings += own.warnings
    return segments + own_segments


class BuildWorkerError(DariError):
    """A process of a parallel build failed; the message carries its traceback."""


def _build_part(
    worker: int,
    procs: int,
    gen: str,
    docs_dir: str,
    paths: list[str],
    messages: Queue[tuple[Any, ...]],
) -> None:
    """A worker process of a parallel build: one part of the files into new segments.

    Whoosh's temporary folder is shared by every writer of an index; the
    parent's writer created it before this process started, and only the
    parent removes it.
    """
    try:
        ix = index.open_dir(gen)
        writer = BuildWriter(ix, _lk=False)
        report = BuildReport()
        try:
            _add_documents(
                writer,
                load_paths([Path(p) for p in paths], Path(docs_dir)),
                report,
                lambda name, message: messages.put(("file", worker, name, message)),
            )
            segments = writer.all_segments()
        except BaseException:
            writer.pool.cleanup()
            raise
        skipped = [(s.name, s.reason) for s in report.skipped]
        messages.put(
            (
                "done",
                worker,
                segments,
                report.documents,
                report.paragraphs,
                skipped,
                report.warnings,
            )
        )
    except BaseException:
        messages.put(("error", worker, traceback.format_exc()))
        raise
    finally:
        messages.close()
        messages.join_thread()  # everything put is delivered before the process ends
