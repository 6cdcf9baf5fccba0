"""Hangul word-processor files: HWPX (OWPML, a zip of XML) and HWP 5 (a binary compound file).

Both are read with ``python-hwpx`` (Apache-2.0), which opens HWP 5 through the
same document model as HWPX, with its own bounds on what a file may unpack to.
Every paragraph of the body is a block, in order, with the labels Hancom draws
for numbered and bulleted paragraphs (1., 가., ●) and footnotes where they sit;
a table comes where it sits, one block per row with its cells' text.  The title,
author and date are those of the file's metadata (HWPX) where it states them.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from search.errors import DocumentError
from search.formats.archives import open_zip
from search.formats.base import Extracted, clean_text, iso_date, usable_title
from search.messages import Message

__all__ = ["read_hwp", "read_hwpx"]

#: The first bytes of an OLE2 compound file (HWP 5, and old Word and Excel files).
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_hwpx(data: bytes) -> Extracted:
    """The paragraphs and table rows of an HWPX file."""
    open_zip(data, "HWPX").close()  # sizes checked before the library unpacks anything
    return _read(data, "HWPX")


def read_hwp(data: bytes) -> Extracted:
    """The paragraphs and table rows of an HWP 5 file."""
    if not data.startswith(OLE2_MAGIC):
        if data.startswith(b"PK"):
            raise DocumentError(Message("an HWPX file named .hwp: rename it to .hwpx"))
        if data.lstrip()[:17].startswith(b"HWP Document File"):
            raise DocumentError(
                Message("HWP 3 file (before 2002): save it as HWPX or HWP 5 in Hancom")
            )
        raise DocumentError(Message("not an HWP file (no HWP 5 compound file header)"))
    return _read(data, "HWP")


def _read(data: bytes, kind: str) -> Extracted:
    from hwpx import HwpxDocument

    logging.getLogger("hwpx").setLevel(logging.ERROR)  # its conversion notes are not ours
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc: Any = HwpxDocument.open(data)
            text: str = doc.text.plain(list_labels=True, notes=True)
            meta = _metadata(doc)
    except DocumentError:
        raise
    except Exception as exc:  # the library raises many kinds for damaged files
        raise DocumentError(_why(exc, kind)) from None
    out = Extracted(
        blocks=[],
        title=meta.get("title", ""),
        author=meta.get("author", ""),
        date=meta.get("date", ""),
    )
    for line in text.split("\n"):
        out.add(line.replace("\t", " "))
    if not out.blocks:
        raise DocumentError(Message("empty %(kind)s file (no text)", kind=kind))
    return out


def _metadata(doc: Any) -> dict[str, str]:
    try:
        meta = doc.package.document_metadata()
    except Exception:  # metadata is a bonus: a file without it still reads
        meta = None
    if meta is None:
        return {}
    return {
        "title": usable_title(meta.title),
        "author": clean_text(meta.creator or ""),
        "date": iso_date(meta.created_date or meta.modified_date),
    }


def _why(exc: Exception, kind: str) -> Message:
    message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    lowered = message.lower()
    if "password" in lowered or "encrypt" in lowered or "암호" in message:
        return Message("encrypted %(kind)s file (protected with a password)", kind=kind)
    if "distribution" in lowered or "배포용" in message:
        return Message(
            "%(kind)s distribution document (배포용 문서): its text is locked", kind=kind
        )
    return Message("not a readable %(kind)s file (%(error)s)", kind=kind, error=message)
