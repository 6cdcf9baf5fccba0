"""What every reader of a file format gives: blocks of text in reading order, plus metadata.

A reader turns a file's bytes into :class:`Extracted`: its blocks (a paragraph, a
heading, a table row, a list) in reading order, each with the page it is on where
the format has pages, and the title, author and date that the file itself states.
:mod:`search.documents` makes paragraphs of the blocks (languages, over-long ones
cut) exactly as it does for text files, so everything after loading is the same
for every format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.errors import DocumentError
from search.messages import Message

__all__ = [
    "MAX_EXTRACTED_CHARS",
    "Block",
    "Extracted",
    "clean_text",
    "iso_date",
    "usable_title",
]

#: Text extracted from one file at most (characters): a small file that unpacks
#: or renders into more is refused, as a bomb, not indexed.
MAX_EXTRACTED_CHARS = 50_000_000


@dataclass(frozen=True)
class Block:
    """A unit of text in reading order: a paragraph, a heading, a list, a table row."""

    text: str
    page: int | None = None  # from 1, for formats with pages (PDF); None otherwise


@dataclass
class Extracted:
    """What a reader found in one file."""

    blocks: list[Block]
    title: str = ""  # as the file states it (metadata, <title>, a Title style), or ""
    author: str = ""
    date: str = ""  # ISO 8601 (YYYY-MM-DD) when the file states one
    warnings: list[str] = field(default_factory=list)

    def add(self, text: str, page: int | None = None) -> None:
        """Append a block (whitespace collapsed; nothing if it holds no text)."""
        text = clean_text(text)
        if text:
            self.blocks.append(Block(text, page))
            self._extracted = getattr(self, "_extracted", 0) + len(text)
            if self._extracted > MAX_EXTRACTED_CHARS:
                raise DocumentError(
                    Message(
                        "more than %(limit)s characters of text: refused "
                        "(a compressed file that unpacks into far more than its size?)",
                        limit=f"{MAX_EXTRACTED_CHARS:,}",
                    )
                )


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """NFC text on one line: control characters dropped, whitespace collapsed."""
    text = _CONTROL_RE.sub(" ", text)
    return unicodedata.normalize("NFC", " ".join(text.split()))


#: Titles that tools write when the author gave none.
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "untitled document", "제목 없음", "제목없음", "문서", "document", "title"}
)
_FILE_NAME_RE = re.compile(r"\.(docx?|hwpx?|pdf|txt|html?|md|pptx?|xlsx?)$", re.IGNORECASE)


def usable_title(title: str | None) -> str:
    """A title from a file's metadata, or "" when it is one no person wrote.

    Word processors store placeholders ("Untitled", "제목 없음") and PDF printers
    the source's file name ("Microsoft Word - 보도자료.docx"); those are not titles.
    """
    title = clean_text(title or "")
    if not title or len(title) > 300 or title.lower() in _PLACEHOLDER_TITLES:
        return ""
    if _FILE_NAME_RE.search(title) or title.lower().startswith("microsoft word - "):
        return ""
    if not any(c.isalpha() for c in title):
        return ""
    return title


_DATE_RE = re.compile(r"(?:D:)?(\d{4})-?(\d{2})-?(\d{2})")


def iso_date(value: object) -> str:
    """``YYYY-MM-DD`` from a date, a datetime, ISO text or a PDF date (``D:20240131...``)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    match = _DATE_RE.match(str(value).strip())
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    if not (1900 <= year <= 2999 and 1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}"
