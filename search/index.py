"""The Whoosh index: schema, on-disk layout, building, opening and locking.

Layout of the index folder (``index/`` by default)::

    index/CURRENT          name of the live generation, replaced atomically
    index/gen-<stamp>/     a complete Whoosh index
    index/.lock            held (flock) by whoever writes

A full build writes a new generation beside the live one and then swaps
``CURRENT`` with ``os.replace``, so readers see either the old or the new index,
never a half-written one.  The index holds one entry per paragraph (``kind=p``)
plus one record per document (``kind=d``) whose stored ``meta`` keeps what the
document list and incremental reindexing need (file name, size, mtime, hash).
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import itertools
import json
import multiprocessing
import os
import queue
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import FileIndex

from search import documents
from search.alignment import counterparts, find_alignments
from search.analysis import bigram_analyzer, bilingual_analyzer, pair_analyzer
from search.documents import Document, DocumentError, Skipped, document_paths, load_folder

__all__ = [
    "BuildReport",
    "BuildWorkerError",
    "IndexBusy",
    "IndexMissing",
    "build_index",
    "build_locked",
    "build_procs",
    "current_generation",
    "document_fields",
    "index_lock",
    "index_writer",
    "make_schema",
    "open_generation",
    "open_index",
]

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
GENERATION_PREFIX = "gen-"
#: Index-time weight of title words; how much a title match counts is set at
#: search time instead (``search.scoring.FIELD_WEIGHTS``).
TITLE_BOOST = 1.0
WRITER_LIMIT_MB = 256
#: Folders smaller than this are indexed in one process (see :func:`build_procs`).
PARALLEL_MIN_BYTES = 256 * 1024


class IndexMissing(Exception):
    """There is no built index at the given place."""


class IndexBusy(Exception):
    """Another process is writing the index."""


def make_schema() -> fields.Schema:
    analyzer = bilingual_analyzer()
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID(stored=True),
        doc_id=fields.ID(stored=True, sortable=True),
        n=fields.NUMERIC(int, stored=True, sortable=True),
        lang=fields.ID(stored=True, sortable=True),
        title=fields.TEXT(analyzer=analyzer, stored=True, field_boost=TITLE_BOOST),
        text=fields.TEXT(analyzer=analyzer, stored=True),
        # Searched beside the morphemes under match=any: Hangul syllable pairs of
        # the text (recall) and pairs of neighbouring Korean morphemes (proximity)
        bigrams=fields.TEXT(analyzer=bigram_analyzer(), phrase=False),
        pairs=fields.TEXT(analyzer=pair_analyzer(), phrase=False),
        meta=fields.STORED(),
        # JSON {"paragraphs": [n, ...], "lang": "ko"|"en"}: the paragraph(s) of the
        # same document that translate this one (search.alignment); absent if none
        counterpart=fields.STORED(),
    )


def index_writer(ix: FileIndex, limitmb: int = WRITER_LIMIT_MB):
    """A writer for ``ix`` that knows every stored field of :func:`make_schema`.

    An index built before a stored field existed (``counterpart``) gets it
    added, so that a reindex can write the new entries; its older entries
    simply have no value for it.
    """
    writer = ix.writer(limitmb=limitmb)
    wanted = make_schema()
    for name in wanted.names():
        if name not in writer.schema and type(wanted[name]) is fields.STORED:
            writer.add_field(name, wanted[name])
    return writer


def document_fields(doc: Document) -> Iterator[dict]:
    """The index entries of one document: its record, then one per paragraph.

    A paragraph with a translation elsewhere in the document (an agreement
    published in both languages) stores it as ``counterpart``.
    """
    meta = {
        "file": doc.path.name,
        "title": doc.title,
        "size": doc.size,
        "mtime": doc.mtime,
        "sha256": doc.sha256,
        "paragraphs": len(doc.paragraphs),
        "languages": doc.languages,
    }
    yield {"key": doc.doc_id, "kind": "d", "doc_id": doc.doc_id, "meta": json.dumps(meta)}
    translations = counterparts(find_alignments(doc.paragraphs))
    for p in doc.paragraphs:
        entry = {
            "key": f"{doc.doc_id}#{p.n}",
            "kind": "p",
            "doc_id": doc.doc_id,
            "n": p.n,
            "lang": p.lang,
            "title": doc.title if _title_adds_to(doc, p) else "",
            "_stored_title": doc.title,  # shown with every result, searched where it adds
            "text": p.text,
            "bigrams": p.text,
            "pairs": p.text,
        }
        if p.n in translations:
            entry["counterpart"] = json.dumps(translations[p.n])
        yield entry


def _title_adds_to(doc: Document, p) -> bool:
    """Whether the paragraph's title field should hold the document's title.

    Not when the document has no heading line and the title was cut from this
    very paragraph: then the title is the paragraph's own first sentence and
    would count its words twice (and a one-paragraph file would rank by its
    first sentence).
    """
    stem = doc.title.removesuffix("…").rstrip()
    if not stem or not p.text.startswith(stem):
        return True
    return any(q.text == doc.title for q in doc.paragraphs)  # a heading: a real title


# --- layout ---------------------------------------------------------------------------


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when nothing has been built yet."""
    try:
        name = (Path(root) / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = Path(root) / name
    return gen if name.startswith(GENERATION_PREFIX) and gen.is_dir() else None


def open_index(root: Path) -> FileIndex:
    """Open the live index; raises :class:`IndexMissing` with advice when there is none."""
    return open_generation(root)[0]


def open_generation(root: Path) -> tuple[FileIndex, Path]:
    """The live index and the generation folder it was opened from."""
    gen = current_generation(root)
    if gen is None or not index.exists_in(str(gen)):
        raise IndexMissing(f"No index found in {root}. Build it first with: dari index")
    return SharedReadStorage(str(gen)).open_index(), gen


class SharedReadStorage(FileStorage):
    """A Whoosh file storage whose readers share one in-memory copy of each segment part.

    Whoosh's own storage maps a segment's compound file and gives every reader
    its own ``BytesIO`` *copy* of each part (postings, terms, stored fields), and
    the engine keeps one searcher per thread: a server with 8 threads held 8
    copies of the index (1.8 GB at 100k reviews).  Here each part is read once
    per process into a ``bytes`` object, which ``BytesIO`` shares without
    copying; readers still each have their own file position.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)  # compound files are cut with subset()

    def open_file(self, name, **kwargs):
        f = super().open_file(name, **kwargs)
        if name.endswith(".seg"):
            f.__class__ = _SharedPartsFile
        return f


class _SharedPartsFile(StructFile):
    """A compound segment file whose parts come from :func:`_segment_part`."""

    def subset(self, offset: int, length: int, name: str | None = None) -> StructFile:
        return BufferFile(_segment_part(self.file.name, offset, length), name=name or self._name)


_parts_lock = threading.Lock()
_parts: dict[tuple, bytes] = {}


def _segment_part(path: str, offset: int, length: int) -> bytes:
    """Bytes ``offset:offset+length`` of the file at ``path``, read once per process.

    Keyed by the file's identity too, so a replaced file is read again; parts of
    files that are gone (merged segments, old generations) are dropped here.
    """
    st = os.stat(path)
    key = (path, st.st_ino, st.st_mtime_ns, offset, length)
    with _parts_lock:
        data = _parts.get(key)
        if data is None:
            for old in [k for k in _parts if not _same_file(k)]:
                del _parts[old]
            with open(path, "rb") as fh:
                fh.seek(offset)
                data = _parts[key] = fh.read(length)
        return data


def _same_file(key: tuple) -> bool:
    try:
        st = os.stat(key[0])
    except OSError:
        return False
    return (st.st_ino, st.st_mtime_ns) == key[1:3]


def _publish(root: Path, gen: Path) -> None:
    """Make ``gen`` the live generation with one atomic rename, then tidy up."""
    tmp = root / f".{CURRENT_FILE}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    previous = current_generation(root)
    os.replace(tmp, root / CURRENT_FILE)
    _fsync_dir(root)
    for old in root.glob(GENERATION_PREFIX + "*"):
        # The generation just replaced stays until the next build: searches
        # running right now may still open its files.  Readers follow CURRENT.
        if old not in (gen, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_generation(root: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    gen = root / f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    gen.mkdir(parents=True)
    return gen


@contextmanager
def index_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the writer lock of ``root``; raise :class:`IndexBusy` if taken and not waiting.

    An flock dies with its process, so a killed writer never leaves a stale lock.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(
                f"Another indexing process is writing {root}; try again when it has finished."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- building ---------------------------------------------------------------------------


@dataclass
class BuildReport:
    documents: int = 0
    paragraphs: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "file: what was odd about it"
    seconds: float = 0.0
    generation: str = ""

    def summary(self) -> str:
        return (
            f"indexed {self.documents} documents, {self.paragraphs} paragraphs, "
            f"skipped {len(self.skipped)} files, {self.seconds:.1f} s"
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
    ``wait``) and :class:`DocumentError` if the docs folder does not exist.
    """
    root = Path(root)
    document_paths(Path(docs_dir))  # fail early with a clear message on a missing folder
    with index_lock(root, wait=wait):
        return build_locked(Path(docs_dir), root, on_document, procs=procs)


def build_procs(paths: list[Path], procs: int | None = None) -> int:
    """How many processes build an index of ``paths``.

    ``procs`` if given, else ``DARI_BUILD_PROCS`` if set, else one per usable
    core once the files add up to :data:`PARALLEL_MIN_BYTES` (a worker is a
    fresh interpreter that loads Kiwi's model: about 1.5 s that a small folder
    does not win back).  Never more than there are files.
    """
    if procs is None:
        env = os.environ.get("DARI_BUILD_PROCS", "").strip()
        if env.isdigit():
            procs = int(env)
        elif _total_bytes(paths) >= PARALLEL_MIN_BYTES:
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
    part as one Whoosh segment, the calling process does the last part, and one
    commit lists the segments in file order.  Document numbers, statistics and
    so every search result are the same as from one process.
    """
    started = time.perf_counter()
    docs_dir = Path(docs_dir)
    paths = document_paths(docs_dir)
    nprocs = build_procs(paths, procs)
    report = BuildReport()
    gen = _new_generation(root)
    try:
        ix = index.create_in(str(gen), make_schema())
        # The posting pool's memory is shared by the build's processes; the parent's
        # writer is made before any worker starts (see _build_part).
        writer = ix.writer(limitmb=_pool_mb(nprocs))
        try:
            if nprocs == 1:
                _add_documents(writer, load_folder(docs_dir), report, on_document)
                segments = []
            else:
                segments = _build_parallel(
                    writer, gen, docs_dir, paths, nprocs, report, on_document
                )
        except BaseException:
            writer.cancel()
            raise
        if segments:
            # What MpWriter(multisegment=True) does: the workers' segments, then ours.
            if writer._added:
                segments.append(writer._finalize_segment())
            else:
                writer._close_segment()
            writer._commit_toc(segments)
            writer._finish()
        else:
            writer.commit()
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _publish(root, gen)
    report.generation = gen.name
    report.seconds = time.perf_counter() - started
    return report


def _add_documents(
    writer,
    items: Iterable[Document | Skipped],
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> None:
    """Add loaded documents to ``writer``, counting them (and skipped files) in ``report``."""
    for item in items:
        if isinstance(item, Skipped):
            report.skipped.append(item)
            if on_document:
                on_document(item.name, f"skipped {item.name}: {item.reason}")
            continue
        for entry in document_fields(item):
            writer.add_document(**entry)
        report.documents += 1
        report.paragraphs += len(item.paragraphs)
        notes = [f"{item.path.name}: {w}" for w in item.warnings]
        report.warnings += notes
        if on_document:
            on_document(item.path.name, "; ".join(notes))


def _load_paths(paths: list[Path], docs_dir: Path) -> Iterator[Document | Skipped]:
    """:func:`search.documents.load_folder` over a given part of the folder's files."""
    for path in paths:
        if path.is_dir():
            continue  # a folder named like a document is not one (nor worth a message)
        try:
            yield documents.load_document(path, docs_dir)  # looked up here: tests patch it
        except DocumentError as exc:
            yield Skipped(path.name, str(exc))


def _pool_mb(procs: int) -> int:
    """Each writer's posting pool (MB) when ``procs`` processes build at once.

    Whoosh sorts postings in memory up to this size, then spills sorted runs to
    disk and merges them at the end; every process also holds Kiwi's model
    (about 550 MB), so the processes share one :data:`WRITER_LIMIT_MB`.
    """
    return max(32, WRITER_LIMIT_MB // max(1, procs))


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
    writer,
    gen: Path,
    docs_dir: Path,
    paths: list[Path],
    nprocs: int,
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> list:
    """Index ``paths`` with ``nprocs`` processes; returns the workers' segments in order.

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

        _add_documents(writer, _load_paths(parts[-1], docs_dir), own, on_own)
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
        segment, documents, paragraphs, skipped, warnings = results[i]
        if segment is not None:
            segments.append(segment)
        report.documents += documents
        report.paragraphs += paragraphs
        report.skipped += [Skipped(name, reason) for name, reason in skipped]
        report.warnings += warnings
    report.documents += own.documents
    report.paragraphs += own.paragraphs
    report.skipped += own.skipped
    report.warnings += own.warnings
    return segments


class BuildWorkerError(Exception):
    """A process of a parallel build failed; the message carries its traceback."""


def _build_part(
    worker: int, procs: int, gen: str, docs_dir: str, paths: list[str], messages
) -> None:
    """A worker process of a parallel build: one part of the files into one new segment.

    Whoosh's temporary folder is shared by every writer of an index; the
    parent's writer created it before this process started, and only the
    parent removes it.
    """
    try:
        from whoosh.writing import SegmentWriter

        ix = index.open_dir(gen)
        writer = SegmentWriter(ix, _lk=False, limitmb=_pool_mb(procs))
        report = BuildReport()
        try:
            _add_documents(
                writer,
                _load_paths([Path(p) for p in paths], Path(docs_dir)),
                report,
                lambda name, message: messages.put(("file", worker, name, message)),
            )
            if writer._added:
                segment = writer._finalize_segment()
            else:
                writer._close_segment()
                segment = None
        except BaseException:
            writer.pool.cleanup()
            raise
        skipped = [(s.name, s.reason) for s in report.skipped]
        messages.put(
            ("done", worker, segment, report.documents, report.paragraphs, skipped, report.warnings)
        )
    except BaseException:
        messages.put(("error", worker, traceback.format_exc()))
        raise
    finally:
        messages.close()
        messages.join_thread()  # everything put is delivered before the process ends
