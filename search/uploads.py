"""Adding and removing document files safely (for uploads from the web and API).

Every check happens before anything is written, and a file is written to a
hidden temporary name and then linked (a new name) or renamed (a replacement)
into place, so a rejected or interrupted upload changes nothing, and of several
uploads of one new name at once exactly one is added: the others find it there.
Names are reduced to a plain file name inside the docs folder: no separators, no
``..``, no hidden files, an ending of a format Dari reads, at most :data:`MAX_NAME_CHARS` characters
and :data:`MAX_NAME_BYTES` bytes.  Files are created with the permissions the
process's umask gives new files (as the documents copied in by hand have).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from search.documents import DocumentError, document_id, read_document
from search.errors import Conflict, NotFound, TooLarge, UserError
from search.formats import SUFFIXES, format_of
from search.messages import Message

__all__ = [
    "MAX_UPLOAD_BYTES",
    "DocumentExists",
    "NoDocumentFile",
    "RemovedFile",
    "SavedFile",
    "UploadRejected",
    "UploadTooLarge",
    "check_document_name",
    "delete_document_file",
    "remove_pending",
    "save_document_file",
]

#: The largest file accepted (a PDF of a few hundred pages; the docs folder itself takes
#: files up to :data:`search.documents.MAX_DOCUMENT_BYTES`).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: The ending of the hidden files of changes in progress (never a document's).
PENDING_SUFFIX = ".pending"
MAX_NAME_CHARS = 120
#: What file systems allow for one name (ext4, XFS, btrfs, tmpfs): a Hangul
#: syllable takes three bytes in UTF-8, so 84 of them and ``.hwpx`` are too many.
MAX_NAME_BYTES = 255
#: The process's umask when this module was imported (see :func:`file_mode`).
_UMASK_AT_IMPORT = os.umask(0)
os.umask(_UMASK_AT_IMPORT)


def file_mode() -> int:
    """The permissions ``open()`` would give a new file now (0o666 less the umask).

    Read from ``/proc/self/status`` where Linux has it, since setting the umask to
    read it is not safe while other threads create files.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o666 & ~_UMASK_AT_IMPORT


_NAME_RE = re.compile(r"^[\w][\w .()\-+,&'\u00b7]*$")


class UploadRejected(UserError):
    """An upload or deletion that was refused; the message says why."""


class DocumentExists(UploadRejected, Conflict):
    """A document of that name is there already (and replacing was not asked for)."""


class UploadTooLarge(UploadRejected, TooLarge):
    """The file is larger than :data:`MAX_UPLOAD_BYTES`."""


class NoDocumentFile(UploadRejected, NotFound):
    """There is no document file of that name to delete."""


def check_document_name(filename: str) -> str:
    """The document file name to use for ``filename``, or :class:`UploadRejected`."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise UploadRejected(Message("The file needs a name."))
    if "/" in name or "\\" in name or "\x00" in name or name in (".", ".."):
        raise UploadRejected(Message("The file name must not contain path separators."))
    if ".." in name:
        raise UploadRejected(Message("The file name must not contain '..'."))
    if name.startswith("."):
        raise UploadRejected(Message("Hidden files (names starting with '.') are not accepted."))
    fmt = format_of(name)
    if fmt is None:
        raise UploadRejected(
            Message(
                "Only these kinds of files can be added: %(endings)s.",
                endings=", ".join(SUFFIXES),
            )
        )
    if len(name) > MAX_NAME_CHARS:
        raise UploadRejected(
            Message("The file name is longer than %(limit)s characters.", limit=MAX_NAME_CHARS)
        )
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise UploadRejected(
            Message(
                "The file name is longer than %(limit)s bytes "
                "(a Korean letter takes three); shorten it.",
                limit=MAX_NAME_BYTES,
            )
        )
    if not _NAME_RE.match(name):
        raise UploadRejected(
            Message("The file name may only use letters, digits, spaces and . _ - ( ) + , & '")
        )
    stem = document_id(name)
    return stem + name[len(stem) :].lower()


@dataclass(frozen=True)
class SavedFile:
    """Where :func:`save_document_file` wrote, and how to take it back.

    The change stands once written; :meth:`undo` restores the folder as it was
    (the replaced version, or no file) when what should follow it (indexing)
    failed, :meth:`keep` drops what ``undo`` would need.
    """

    path: Path
    replaced: bool
    #: the replaced version, under a hidden name, while the change may be undone
    backup: Path | None = None
    #: the document's files in other formats (report.txt for report.pdf), moved aside
    others: RemovedFile | None = None

    def undo(self) -> None:
        if self.backup is not None:
            os.replace(self.backup, self.path)
        elif not self.replaced:
            self.path.unlink(missing_ok=True)
        if self.others is not None:
            self.others.undo()

    def keep(self) -> None:
        if self.backup is not None:
            self.backup.unlink(missing_ok=True)
        if self.others is not None:
            self.others.keep()


@dataclass(frozen=True)
class RemovedFile:
    """What :func:`delete_document_file` removed (a document's file, or its files in
    several formats): kept under hidden names until :meth:`keep`, put back by
    :meth:`undo` (unless a new file took a name)."""

    path: Path  # the file that was the document
    hidden: Path
    #: (file, hidden name) of the document's files in other formats, removed with it
    more: tuple[tuple[Path, Path], ...] = ()

    def undo(self) -> None:
        for path, hidden in ((self.path, self.hidden), *self.more):
            with contextlib.suppress(FileExistsError):  # a new file of that name came meanwhile
                os.link(hidden, path)
            hidden.unlink(missing_ok=True)

    def keep(self) -> None:
        for hidden in (self.hidden, *(h for _, h in self.more)):
            hidden.unlink(missing_ok=True)


def _hidden_name(docs_dir: Path, kind: str) -> Path:
    """A name in ``docs_dir`` that no reader lists as a document (hidden, no document ending)."""
    return docs_dir / f".{kind}-{uuid.uuid4().hex}{PENDING_SUFFIX}"


def remove_pending(docs_dir: Path) -> list[str]:
    """Remove what interrupted uploads and deletions left in ``docs_dir``; the names.

    A process killed between a change and its indexing leaves the change in place
    (the folder is the truth, and the next reindex indexes it) and maybe a hidden
    copy of what it replaced or removed, which nothing will read again.
    """
    removed = []
    for entry in os.scandir(docs_dir):
        if entry.name.startswith(".") and entry.name.endswith(PENDING_SUFFIX):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


def save_document_file(
    docs_dir: Path, filename: str, data: bytes, replace: bool = False
) -> SavedFile:
    """Write an uploaded document into ``docs_dir`` atomically; where, and whether it replaced one.

    Refuses (:class:`UploadRejected`) oversized files, files that cannot be read
    as their format (saying why: damaged, encrypted, a scan, empty), unsafe
    names, and a document that exists (in any format: ``report.pdf`` when
    ``report.txt`` is there) unless ``replace``; a replacement in another format
    moves the document's other files aside (and back, on :meth:`SavedFile.undo`).
    """
    name = check_document_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(
            Message("The file is larger than %(mb)s MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024))
        )
    try:
        read_document(document_id(name), name, data)
    except DocumentError as exc:
        raise UploadRejected(
            Message("The file cannot be read: %(reason)s.", reason=exc.message)
        ) from None
    docs_dir = Path(docs_dir)
    target = docs_dir / name
    if target.resolve().parent != docs_dir.resolve():
        raise UploadRejected(Message("The file name must not leave the documents folder."))
    others = [p for p in _files_of(docs_dir, document_id(name)) if p.name != name]
    held = ", ".join(p.name for p in others) or name
    exists = DocumentExists(
        Message(
            "A document named %(id)s exists already (%(files)s); add replace=1 to replace it.",
            id=document_id(name),
            files=held,
        )
    )
    if (target.exists() or target.is_symlink() or others) and not replace:
        raise exists
    mode = file_mode()
    fd, tmp = tempfile.mkstemp(dir=docs_dir, prefix=".upload-", suffix=PENDING_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        moved = _remove_files(docs_dir, others) if others else None
        try:
            _create(tmp, target, mode)  # atomic: of several at once, exactly one creates it
            return SavedFile(target, replaced=bool(others), others=moved)
        except FileExistsError:
            if not replace:
                if moved is not None:
                    moved.undo()
                raise exists from None
        hidden = _hidden_name(docs_dir, "replaced")
        backup: Path | None = hidden
        existed = True
        try:
            os.link(target, hidden)  # the old version, kept until the change stands
        except FileNotFoundError:  # removed meanwhile: this is a new file after all
            backup, existed = None, False
        except OSError:  # no hard links here: the replacement cannot be undone
            backup = None
        os.replace(tmp, target)
        return SavedFile(target, replaced=existed, backup=backup, others=moved)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _create(tmp: str, target: Path, mode: int) -> None:
    """Give the written file ``tmp`` the new name ``target``; FileExistsError if it is taken.

    A hard link is atomic: of several uploads of one name, exactly one gets it.  On a
    file system without hard links the name is claimed by an exclusive create first
    (an empty file for a moment), then the written file renamed over it.
    """
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
        os.replace(tmp, target)


def _files_of(docs_dir: Path, doc_id: str) -> list[Path]:
    """The files in ``docs_dir`` that are document ``doc_id`` (one per format, usually one)."""
    found = []
    for suffix in SUFFIXES:
        path = Path(docs_dir) / f"{doc_id}{suffix}"
        if path.is_file() or path.is_symlink():
            found.append(path)
    return found


def _remove_files(docs_dir: Path, paths: list[Path]) -> RemovedFile:
    """Move ``paths`` aside to hidden names (see :class:`RemovedFile`); NoDocumentFile if
    none was there any more."""
    moved: list[tuple[Path, Path]] = []
    for path in paths:
        hidden = _hidden_name(Path(docs_dir), "removed")
        try:
            os.rename(path, hidden)  # atomic: of several deletions at once, one removes it
        except FileNotFoundError:
            continue
        moved.append((path, hidden))
    if not moved:
        raise NoDocumentFile(Message("No document file named %(name)s.", name=paths[0].name))
    return RemovedFile(moved[0][0], moved[0][1], tuple(moved[1:]))


def delete_document_file(docs_dir: Path, doc_id: str) -> RemovedFile:
    """Remove the file(s) of document ``doc_id`` from ``docs_dir`` (kept hidden until
    :meth:`RemovedFile.keep`); :class:`NoDocumentFile` if there is none."""
    check_document_name(f"{doc_id}.txt")  # the same rules for the id as for a name
    files = _files_of(Path(docs_dir), doc_id)
    if not files:
        raise NoDocumentFile(Message("No document file for %(id)s.", id=doc_id))
    return _remove_files(Path(docs_dir), files)
