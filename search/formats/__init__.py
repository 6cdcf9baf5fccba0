"""The format layer: the file formats Dari reads, each turned into the same blocks of text.

========  =====================  ================================================  ============
format    endings                what is extracted                                 library
========  =====================  ================================================  ============
text      .txt                   blocks between blank lines; title from the lines  (own)
Markdown  .md .markdown          headings, paragraphs, lists, tables, code         markdown-it-py
HTML      .html .htm             the main content; title, author, date             trafilatura
PDF       .pdf                   paragraphs rebuilt from lines, page numbers       pypdfium2
DOCX      .docx                  paragraphs, headings, tables; title, author, date python-docx
HWPX      .hwpx                  paragraphs, tables, notes; title, author, date    python-hwpx
HWP 5     .hwp                   paragraphs, tables, notes                         python-hwpx
========  =====================  ================================================  ============

:func:`read` picks the reader by the file's ending and checks that the bytes are
of that format (a ``.pdf`` that is a zip is refused with a message saying so).
Every reader raises :class:`search.errors.DocumentError` with the reason for a
file it cannot read; :mod:`search.documents` turns the blocks into a document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from search.errors import DocumentError
from search.formats.base import Block, Extracted
from search.messages import Message

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "Block",
    "Extracted",
    "Format",
    "format_of",
    "read",
]


@dataclass(frozen=True)
class Format:
    name: str  # as a person calls it: "PDF"
    suffixes: tuple[str, ...]
    #: what the bytes of such a file start with (any of these); empty: not checked
    magic: tuple[bytes, ...] = ()
    has_pages: bool = False

    def reader(self) -> Callable[[bytes], Extracted]:
        """The function that reads this format (imported when first needed)."""
        if self.name == "PDF":
            from search.formats.pdf import read_pdf

            return read_pdf
        if self.name == "DOCX":
            from search.formats.office import read_docx

            return read_docx
        if self.name == "HWPX":
            from search.formats.hangul import read_hwpx

            return read_hwpx
        if self.name == "HWP":
            from search.formats.hangul import read_hwp

            return read_hwp
        if self.name == "HTML":
            from search.formats.html import read_html

            return read_html
        if self.name == "Markdown":
            from search.formats.markdown import read_markdown

            return read_markdown
        # text files are read by search.documents
        raise DocumentError(Message("no reader for %(kind)s files", kind=self.name))


#: Every format Dari reads, in the order a document's file is chosen when several
#: files share a name (report.hwpx before report.pdf: the word processor's own
#: file has the paragraphs as written).
FORMATS = (
    Format("text", (".txt",)),
    Format("Markdown", (".md", ".markdown")),
    Format("HWPX", (".hwpx",), magic=(b"PK\x03\x04",)),
    Format("HWP", (".hwp",)),  # HWP 5 or HWP 3: told apart by its reader
    Format("DOCX", (".docx",), magic=(b"PK\x03\x04",)),
    Format("HTML", (".html", ".htm")),
    Format("PDF", (".pdf",), magic=(b"%PDF-",), has_pages=True),
)
#: Every file ending that names a document.
SUFFIXES = tuple(suffix for f in FORMATS for suffix in f.suffixes)
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}


def format_of(name: str) -> Format | None:
    """The format a file name's ending names (case aside), or None."""
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower()) if dot > 0 else None


def read(name: str, data: bytes) -> Extracted:
    """The blocks and metadata of a file named ``name`` (not a text file) with bytes ``data``."""
    fmt = format_of(name)
    if fmt is None:
        raise DocumentError(
            Message("not a format Dari reads (%(endings)s)", endings=", ".join(SUFFIXES))
        )
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if fmt.magic and not any(head.startswith(m) for m in fmt.magic):
        raise DocumentError(
            Message(
                "not a %(kind)s file (%(looks)s): wrong ending?",
                kind=fmt.name,
                looks=_looks_like(head),
            )
        )
    return fmt.reader()(data)


def _looks_like(head: bytes) -> Message:
    if head.startswith(b"%PDF-"):
        return Message("it is a PDF")
    if head.startswith(b"PK\x03\x04"):
        return Message("it is a zip archive")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Message("it is an OLE compound file, such as HWP 5 or an old .doc")
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return Message("it is an HTML page")
    return Message("its first bytes are of another kind")
