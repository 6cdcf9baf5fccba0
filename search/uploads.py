"""Adding and removing document files safely (for uploads from the web and API).

Every check happens before anything is written, and a file is written to a
hidden temporary name and renamed into place, so a rejected or interrupted
upload changes nothing.  Names are reduced to a plain file name inside the
docs folder: no separators, no ``..``, no hidden files, ``.txt`` only.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from search.documents import DOCUMENT_SUFFIX, DocumentError, decode_bytes, split_paragraphs
from search.errors import Conflict, NotFound, TooLarge, UserError

__all__ = [
    "MAX_UPLOAD_BYTES",
    "DocumentExists",
    "NoDocumentFile",
    "UploadRejected",
    "UploadTooLarge",
    "check_document_name",
    "delete_document_file",
    "save_document_file",
]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_NAME_CHARS = 120
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
        raise UploadRejected("The file needs a name.")
    if "/" in name or "\\" in name or "\x00" in name or name in (".", ".."):
        raise UploadRejected("The file name must not contain path separators.")
    if ".." in name:
        raise UploadRejected("The file name must not contain '..'.")
    if name.startswith("."):
        raise UploadRejected("Hidden files (names starting with '.') are not accepted.")
    if not name.lower().endswith(DOCUMENT_SUFFIX):
        raise UploadRejected("Only .txt files can be added.")
    if len(name) > MAX_NAME_CHARS:
        raise UploadRejected(f"The file name is longer than {MAX_NAME_CHARS} characters.")
    if not _NAME_RE.match(name):
        raise UploadRejected(
            "The file name may only use letters, digits, spaces and . _ - ( ) + , & '"
        )
    return name[: -len(DOCUMENT_SUFFIX)] + DOCUMENT_SUFFIX


def save_document_file(docs_dir: Path, filename: str, data: bytes, replace: bool = False) -> Path:
    """Write an uploaded document into ``docs_dir`` atomically and return its path.

    Refuses (:class:`UploadRejected`) oversized, binary or empty files, unsafe
    names, and an existing name unless ``replace``.
    """
    name = check_document_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    try:
        text, _ = decode_bytes(data)
    except DocumentError as exc:
        raise UploadRejected(f"The file is {exc}.") from None
    if not split_paragraphs(text):
        raise UploadRejected("The file is empty.")
    docs_dir = Path(docs_dir)
    target = docs_dir / name
    if target.resolve().parent != docs_dir.resolve():
        raise UploadRejected("The file name must not leave the documents folder.")
    if (target.exists() or target.is_symlink()) and not replace:
        raise DocumentExists(
            f"A document named {name} exists already; add replace=1 to replace it."
        )
    fd, tmp = tempfile.mkstemp(dir=docs_dir, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def delete_document_file(docs_dir: Path, doc_id: str) -> Path:
    """Remove the file of document ``doc_id`` from ``docs_dir``; :class:`NoDocumentFile` if absent."""
    name = check_document_name(f"{doc_id}{DOCUMENT_SUFFIX}")
    target = Path(docs_dir) / name
    if not target.is_file() and not target.is_symlink():
        raise NoDocumentFile(f"No document file named {name}.")
    target.unlink()
    return target
