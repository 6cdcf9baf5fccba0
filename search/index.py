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

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import fields, index
from whoosh.index import FileIndex

from search.analysis import bilingual_analyzer
from search.documents import Document, Skipped, document_paths, load_folder

__all__ = [
    "BuildReport",
    "IndexBusy",
    "IndexMissing",
    "build_index",
    "build_locked",
    "current_generation",
    "document_fields",
    "index_lock",
    "make_schema",
    "open_generation",
    "open_index",
]

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
GENERATION_PREFIX = "gen-"
TITLE_BOOST = 2.0
WRITER_LIMIT_MB = 256


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
        meta=fields.STORED(),
    )


def document_fields(doc: Document) -> Iterator[dict]:
    """The index entries of one document: its record, then one per paragraph."""
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
    for p in doc.paragraphs:
        yield {
            "key": f"{doc.doc_id}#{p.n}",
            "kind": "p",
            "doc_id": doc.doc_id,
            "n": p.n,
            "lang": p.lang,
            "title": doc.title,
            "text": p.text,
        }


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
    return index.open_dir(str(gen)), gen


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
) -> BuildReport:
    """Index every document of ``docs_dir`` into a new generation and make it live.

    ``on_document(file_name, message)`` is called after each file; ``message``
    is empty unless the file was skipped or had something odd about it.

    Raises :class:`IndexBusy` if another writer holds the lock (unless
    ``wait``) and :class:`DocumentError` if the docs folder does not exist.
    """
    root = Path(root)
    document_paths(Path(docs_dir))  # fail early with a clear message on a missing folder
    with index_lock(root, wait=wait):
        return build_locked(Path(docs_dir), root, on_document)


def build_locked(
    docs_dir: Path, root: Path, on_document: Callable[[str, str], None] | None = None
) -> BuildReport:
    """:func:`build_index` for a caller that already holds :func:`index_lock`."""
    started = time.perf_counter()
    report = BuildReport()
    gen = _new_generation(root)
    try:
        ix = index.create_in(str(gen), make_schema())
        writer = ix.writer(limitmb=WRITER_LIMIT_MB)
        try:
            for item in load_folder(docs_dir):
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
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    except BaseException:
        shutil.rmtree(gen, ignore_errors=True)
        raise
    _publish(root, gen)
    report.generation = gen.name
    report.seconds = time.perf_counter() - started
    return report
