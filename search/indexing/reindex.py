"""Incremental reindexing: apply only what changed in the docs folder.

The index's document records are the manifest (file name, size, mtime,
SHA-256).  A file whose name, size and mtime match is not even read; one whose
bytes hash the same is not re-analysed.  All changes go into one Whoosh commit,
which is atomic (new segments, then a TOC file renamed into place), so a
reindex killed at any moment leaves the old state, and the next run finishes
the job (and removes what a killed build left).  A reindex that fails (a full
disk) removes the files its writer had written, so that the space is free
again, and raises :class:`search.errors.NoSpace` or :class:`~search.errors.ReadOnly`.
A file that cannot be read any more keeps its last indexed version.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.columnar import store as columnar
from search.documents import (
    Document,
    DocumentError,
    Skipped,
    document_entries,
    document_id,
    load_document,
)
from search.errors import storage_errors
from search.indexing.build import build_locked, counted
from search.indexing.generations import (
    current_generation,
    index_lock,
    open_generation,
    open_index,
    remove_abandoned,
)
from search.indexing.history import record_run, run_record
from search.messages import Message
from search.records import (
    DOC_ID_FIELD,
    DOCUMENT_KIND,
    KIND_FIELD,
    DocumentMeta,
    document_fields,
    document_record,
    index_writer,
    stored_meta,
)

__all__ = ["Change", "FolderChanges", "ReindexReport", "out_of_date", "reindex"]


@dataclass
class ReindexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    full_build: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        text = (
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {self.unchanged}, {self.seconds:.1f} s"
        )
        if self.skipped:
            text += f" (skipped {counted(len(self.skipped), 'file')})"
        if self.full_build:
            text += " (no index yet: full build)"
        return text

    def record(self) -> dict[str, Any]:
        """What :mod:`search.indexing.history` keeps of this run."""
        return run_record(
            "build" if self.full_build else "reindex",
            self.seconds,
            self.added,
            self.updated,
            self.removed,
            self.unchanged,
            [(s.name, s.reason) for s in self.skipped],
        )

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "skipped": [{"file": s.name, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "full_build": self.full_build,
        }


def reindex(
    docs_dir: Path,
    root: Path,
    wait: bool = False,
    on_change: Callable[[str], None] | None = None,
) -> ReindexReport:
    """Bring the index at ``root`` up to date with ``docs_dir``; a full build if none exists.

    ``on_change(message)`` hears about each added, updated, removed or skipped
    file.  Raises :class:`search.indexing.IndexBusy` when another writer is busy
    and ``wait`` is false, :class:`search.errors.StorageError` when the index's
    disk is full or read-only (the index is then as it was).
    """
    with storage_errors(f"the index folder {root}"):
        report = _reindex(docs_dir, root, wait, on_change)
    if not report.full_build:  # a full build has recorded its own run
        record_run(Path(root), report.record())
    return report


def _reindex(
    docs_dir: Path,
    root: Path,
    wait: bool,
    on_change: Callable[[str], None] | None,
) -> ReindexReport:
    started = time.perf_counter()
    docs_dir, root = Path(docs_dir), Path(root)
    shadowed: list[Skipped] = []  # files sharing a name with the document's file
    entries = document_entries(docs_dir, shadowed)  # a Path is made only for a file to read
    report = ReindexReport()
    say = on_change or (lambda _msg: None)
    with index_lock(root, wait=wait):
        if current_generation(root) is None:
            built = build_locked(docs_dir, root)
            report.full_build = True
            skipped = {s.name for s in built.skipped}
            report.added = [document_id(e.name) for e in entries if e.name not in skipped]
            report.skipped, report.warnings = built.skipped, built.warnings
            report.seconds = time.perf_counter() - started
            return report
        remove_abandoned(root)
        for item in shadowed:
            report.skipped.append(item)
            say(f"skipped {item.name}: {item.reason}")
        ix = open_index(root)
        generation = current_generation(root)
        assert generation is not None  # checked above, and we hold the lock
        before = set(os.listdir(generation))
        manifest = _manifest(ix, generation)
        changed: dict[str, DocumentMeta | None] = {}  # what this run writes: for the next one
        writer = None
        remembered = None
        try:
            scan = FolderChanges(docs_dir, entries, manifest, report, say)
            for change in scan:
                writer = writer or index_writer(ix)
                record = document_record(change.doc)
                changed[change.doc_id] = stored_meta(record)
                if change.touched:  # the same contents: refresh the manifest record only
                    writer.update_document(**record)
                    continue
                if change.known:
                    writer.delete_by_term(DOC_ID_FIELD, change.doc_id)
                for fields in document_fields(change.doc):
                    writer.add_document(**fields)
            for doc_id in scan.removed():
                writer = writer or index_writer(ix)
                writer.delete_by_term(DOC_ID_FIELD, doc_id)
                changed[doc_id] = None
            if writer is not None:
                writer.commit(mergetype=merge_small_segments)
                remembered = _remember_manifest(root, generation, manifest, changed)
        except BaseException:
            if writer is not None:
                _abandon(writer, generation, before)
            raise
        if writer is not None:
            columnar.prepare(current_generation(root) or root)  # the new segment's arrays
            if remembered is not None:
                # before the lock is released, so that the next reindex in any process
                # (another worker of the server) finds it
                _write_manifest_file(*remembered)
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class Change:
    """A file of the folder whose document is to be written again."""

    doc_id: str
    doc: Document
    #: the index holds a version of it
    known: bool
    #: the same contents under a new modification time: only its record changes
    touched: bool


class FolderChanges:
    """What differs between a documents folder and an index's manifest (the change
    detection of :func:`reindex`, shared by the cluster's reindex).

    Iterating yields a :class:`Change` for each file to write again, its
    document loaded, and counts the rest in ``report`` (unchanged; skipped, with
    ``say(message)``); :meth:`removed` then gives the documents whose files are gone.
    A file that cannot be read keeps its last indexed version.
    """

    def __init__(
        self,
        docs_dir: Path,
        entries: list[Any],
        manifest: dict[str, DocumentMeta],
        report: ReindexReport,
        say: Callable[[str], None],
    ) -> None:
        self.docs_dir, self.entries, self.manifest = docs_dir, entries, manifest
        self.report, self.say = report, say
        self._present: set[str] = set()  # the folder's documents, less those that vanished

    def __iter__(self) -> Iterator[Change]:
        report, say = self.report, self.say
        vanished: set[str] = set()
        for entry in self.entries:
            name, doc_id = entry.name, document_id(entry.name)
            self._present.add(doc_id)
            known = self.manifest.get(doc_id)
            try:
                stat = entry.stat()
            except OSError as exc:
                # vanished (or unreadable) since the listing: say so; if it is
                # gone for good it is removed from the index (removed())
                reason = (
                    Message("file disappeared") if isinstance(exc, FileNotFoundError) else str(exc)
                )
                report.skipped.append(Skipped(name, reason))
                say(f"skipped {name}: {reason}")
                if isinstance(exc, FileNotFoundError):
                    vanished.add(doc_id)
                continue
            if known and _same_stat(known, name, stat):
                report.unchanged += 1
                continue
            path = self.docs_dir / name
            try:
                doc = load_document(path, self.docs_dir)
            except DocumentError as exc:
                report.skipped.append(Skipped(path.name, exc.message))
                say(f"skipped {path.name}: {exc}")
                if known:
                    report.unchanged += 1  # keep the last good version searchable
                continue
            report.warnings += [f"{path.name}: {w}" for w in doc.warnings]
            if known and known.sha256 == doc.sha256 and known.file == path.name:
                report.unchanged += 1
                yield Change(doc_id, doc, known=True, touched=True)
                continue
            if known:
                report.updated.append(doc_id)
                say(f"updated {path.name}")
            else:
                report.added.append(doc_id)
                say(f"added {path.name}")
            yield Change(doc_id, doc, known=known is not None, touched=False)
        self._present -= vanished

    def removed(self) -> list[str]:
        """The indexed documents whose files are gone (after iterating), counted and said."""
        gone = sorted(set(self.manifest) - self._present)
        for doc_id in gone:
            self.report.removed.append(doc_id)
            self.say(f"removed {self.manifest[doc_id].file or doc_id}")
        return gone


#: Segments with fewer entries than this are "small": every reindex adds one (an upload,
#: a watched change), and each costs a search about as much as a large one.
SMALL_SEGMENT_ENTRIES = 2_000
#: When a commit finds this many small segments, it merges them into its new one.
MAX_SMALL_SEGMENTS = 3


def merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's merge policy for a reindex's commit: the segments to keep as they are.

    Every reindex writes a segment, and a search's cost grows with their number
    (measured: six segments of 50 reviews beside two of 50,000 made never-repeating
    questions 2.2 times slower). Whoosh's own policy (``MERGE_SMALL``) merges only
    segments of a few entries. Here, once :data:`MAX_SMALL_SEGMENTS` segments under
    :data:`SMALL_SEGMENT_ENTRIES` entries have gathered, they are merged into the
    commit's new segment, so that a search sees the large segments and at most
    that many small ones; a merge rewrites at most ``MAX_SMALL_SEGMENTS ×
    SMALL_SEGMENT_ENTRIES`` entries (about 0.3 ms each), and the merged segment
    leaves the small ones once it has grown past the limit.
    """
    from whoosh.reading import SegmentReader

    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT_ENTRIES]
    if len(small) < MAX_SMALL_SEGMENTS:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


#: The manifest of the index as this process last left it: (generation folder, TOC
#: generation) → records.  A reindex reads every document record (0.45 s for 14,700
#: documents); after its own commit a process knows the new manifest without reading.
_last_manifest: tuple[tuple[str, int], dict[str, DocumentMeta]] | None = None
_manifest_lock = threading.Lock()


#: Beside the segments: the manifest as of one commit (its TOC generation inside), so
#: that a new process (a server starting, ``dari reindex``) need not read every record.
MANIFEST_FILE = "manifest.json"


def _manifest(ix: Any, generation: Path | None = None) -> dict[str, DocumentMeta]:
    """Each indexed document's record (file name, size, mtime, SHA-256) by its ID (a copy:
    the caller may change it).  Remembered for the next call on the same commit, and
    read from :data:`MANIFEST_FILE` when that file is of the commit the index is at."""
    global _last_manifest
    key = (str(generation), ix.latest_generation()) if generation is not None else None
    with _manifest_lock:
        if key is not None and _last_manifest is not None and _last_manifest[0] == key:
            return dict(_last_manifest[1])
    manifest = _read_manifest_file(generation, key[1]) if generation and key else None
    if manifest is None:
        with ix.searcher() as searcher:
            manifest = {
                f[DOC_ID_FIELD]: stored_meta(f)
                for f in searcher.documents(**{KIND_FIELD: DOCUMENT_KIND})
            }
        if generation is not None and key is not None:
            _write_manifest_file(generation, key[1], manifest)
    if key is not None:
        with _manifest_lock:
            _last_manifest = (key, manifest)
    return dict(manifest)


def _read_manifest_file(generation: Path, toc: int) -> dict[str, DocumentMeta] | None:
    """The manifest kept beside the segments, if it is of commit ``toc`` (else None)."""
    try:
        with open(generation / MANIFEST_FILE, encoding="utf-8") as fh:
            kept = json.load(fh)
        if kept.get("toc") != toc:
            return None
        return {doc_id: DocumentMeta(**meta) for doc_id, meta in kept["documents"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing, half-written or of another version: read the records


def _write_manifest_file(generation: Path, toc: int, manifest: dict[str, DocumentMeta]) -> None:
    """Keep ``manifest`` (of commit ``toc``) beside the segments; atomically, best effort."""
    tmp = generation / f".{MANIFEST_FILE}.{os.getpid()}.{threading.get_ident()}"
    try:
        # vars(), not asdict(): the records hold no nested dataclasses, and asdict's deep
        # copies were half of the time; dumps(), not dump(): dump() streams through
        # json's pure-Python encoder, about three times slower
        text = json.dumps(
            {"toc": toc, "documents": {k: vars(v) for k, v in manifest.items()}},
            ensure_ascii=False,
        )
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, generation / MANIFEST_FILE)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _remember_manifest(
    root: Path,
    generation: Path,
    manifest: dict[str, DocumentMeta],
    changed: dict[str, DocumentMeta | None],
) -> tuple[Path, int, dict[str, DocumentMeta]] | None:
    """After a commit (the index lock still held): the manifest it made, kept for the
    next run in this process; what :func:`_write_manifest_file` is to write."""
    global _last_manifest
    new = dict(manifest)
    for doc_id, meta in changed.items():
        if meta is None:
            new.pop(doc_id, None)
        else:
            new[doc_id] = meta
    try:
        toc = open_index(root).latest_generation()
    except Exception:
        return None  # cannot tell which commit this is: read the records next time
    with _manifest_lock:
        _last_manifest = ((str(generation), toc), new)
    return generation, toc, new


def out_of_date(docs_dir: Path, root: Path) -> bool:
    """Whether :func:`reindex` would change anything (a quick look without the lock:
    file names, sizes and modification times against the index's records)."""
    entries = {document_id(e.name): e for e in document_entries(Path(docs_dir))}
    ix, generation = open_generation(Path(root))
    manifest = _manifest(ix, generation)  # remembered: a server forks its workers after this
    if set(manifest) != set(entries):
        return True
    for doc_id, entry in entries.items():
        try:
            if not _same_stat(manifest[doc_id], entry.name, entry.stat()):
                return True
        except OSError:
            return True
    return False


def _abandon(writer: Any, generation: Path, before: set[str]) -> None:
    """Give up a writer that failed (maybe half-way through its commit): release its
    lock and temporary files, and remove the files it added to ``generation`` that
    the committed index does not use (its table of contents is renamed into place
    last, so a commit that failed before that uses none of them)."""
    from whoosh import index

    with contextlib.suppress(Exception):
        writer.cancel()
    with contextlib.suppress(Exception):
        writer._tempstorage.destroy()
    with contextlib.suppress(Exception):
        if writer.writelock:
            writer.writelock.release()
    try:
        committed = index.open_dir(str(generation))
        live = {segment.segment_id() for segment in committed._segments()}
        toc = f"_{committed.indexname}_{committed.latest_generation()}.toc"
    except Exception:
        return  # what is live cannot be told: leave every file
    for name in set(os.listdir(generation)) - before:
        if name == toc or any(segment in name for segment in live):
            continue
        path = generation / name
        with contextlib.suppress(OSError):
            if path.is_file():
                path.unlink()


def _same_stat(known: DocumentMeta, name: str, stat: os.stat_result) -> bool:
    return known.file == name and known.size == stat.st_size and known.mtime == stat.st_mtime
