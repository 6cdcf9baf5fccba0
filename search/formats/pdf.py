"""PDF: text in reading order, paragraphs rebuilt from lines, the page of each kept.

Text and the position of every line come from PDFium (``pypdfium2``), in the
order of the page's content, which is the reading order of the single-column
documents (press releases, statements, agreements) Dari is for.  Paragraphs are
rebuilt from the lines:

* running headers and footers (a line near the top or bottom edge that repeats,
  digits aside, on at least half of the pages) and page numbers ("3", "- 3 -",
  "3 / 10", "Page 3") are dropped;
* a new paragraph starts after a vertical gap wider than the usual line pitch,
  after a line that stops short of the text's right edge by more than the next
  line's first word would have taken (so it did not wrap there), where the font
  size changes (a heading), before a bullet or numbered item (□ ○ - 1. ①),
  and on a new page when the last page ended a sentence;
* a word hyphenated at a line end is joined ("coop-" + "eration"); otherwise
  lines are joined with a space (Korean wraps between words).

A paragraph keeps the page its first line is on.  A PDF whose pages hold no text
(a scan) is refused as "no text layer (scanned?)", one that needs a password as
encrypted.
"""

from __future__ import annotations

import re
import statistics
import threading
from dataclasses import dataclass
from typing import Any

from search.errors import DocumentError
from search.formats.base import Extracted, clean_text, iso_date, usable_title
from search.messages import Message

__all__ = ["read_pdf"]

#: PDFium is not thread-safe: one document is read at a time in a process.
_PDFIUM_LOCK = threading.Lock()
#: Share of the page height at the top and the bottom where headers and footers are looked for.
_EDGE = 0.1
_PAGE_NUMBER_RE = re.compile(
    r"^[-–—\s(]*(?:page|p\.|페이지)?\s*\d{1,4}\s*(?:(?:/|of|쪽)\s*\d{0,4})?\s*(?:쪽|페이지)?[-–—\s)]*$",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(
    r"^(?:[□■○●◦•◆◇▶▷▪※➢✓ㅇ◎]|[-–·*]\s|\d{1,2}[.)]\s|[①-⑳]|\(\d{1,2}\)|[가-하][.)]\s|[IVX]{1,4}\.\s)"
)
_HYPHENATED_RE = re.compile(r"[A-Za-z]-$")
#: How a line that ends a sentence ends (a page that ends so ends its paragraph too).
_SENTENCE_END_RE = re.compile(r"[.!?。:;)\]」』”\"']$")


@dataclass
class _Line:
    text: str
    page: int
    left: float
    bottom: float
    right: float
    top: float
    size: float  # font size of its first character (0 when unknown)
    height: float  # the page's height


def read_pdf(data: bytes) -> Extracted:
    """The text of a PDF as paragraphs with their pages (see the module's description)."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise DocumentError(
                    Message("encrypted PDF (it needs a password to open)")
                ) from None
            raise DocumentError(Message("not a readable PDF (damaged, or not a PDF)")) from None
        try:
            meta = pdf.get_metadata_dict(skip_empty=True)
            pages = [_page_lines(pdf, i) for i in range(len(pdf))]
        except pdfium.PdfiumError as exc:
            raise DocumentError(Message("damaged PDF (%(error)s)", error=str(exc))) from None
        finally:
            pdf.close()
    out = Extracted(
        blocks=[],
        title=usable_title(meta.get("Title")),
        author=clean_text(meta.get("Author", "")),
        date=iso_date(meta.get("CreationDate") or meta.get("ModDate")),
    )
    empty = sum(1 for lines in pages if not lines)
    if pages and empty == len(pages):
        raise DocumentError(
            Message(
                "no text layer (scanned?): none of its %(pages)s page(s) has text",
                pages=len(pages),
            )
        )
    if empty:
        out.warnings.append(f"{empty} of {len(pages)} pages have no text layer (scanned?)")
    lines = _drop_furniture(pages)
    for text, page in _paragraphs(lines):
        out.add(text, page)
    if not out.blocks:
        raise DocumentError(Message("no text (only page numbers, headers or footers)"))
    return out


def _page_lines(pdf: Any, index: int) -> list[_Line]:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        height = page.get_height()
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            count = textpage.count_chars()
            positioned = count == len(text)  # else (characters outside the BMP) no positions
            lines: list[_Line] = []
            start = 0
            for raw_line in re.split(r"\r\n|\n|\r", text):
                # PDFium joins a word hyphenated at a line end itself, marking the
                # joint with U+FFFE (or U+0002): the word is whole again
                stripped = re.sub("[\ufffe\x02]", "", raw_line.strip())
                if stripped and any(c.isalnum() for c in stripped):
                    first = start + (len(raw_line) - len(raw_line.lstrip()))
                    last = start + len(raw_line.rstrip()) - 1
                    if positioned:
                        # loose: the font's full height, not the glyph's (a quote mark
                        # or a comma would put the line higher or lower than it is)
                        left, bottom, _, top = textpage.get_charbox(first, loose=True)
                        right = textpage.get_charbox(last, loose=True)[2]
                        size = float(raw.FPDFText_GetFontSize(textpage.raw, first))
                    else:
                        left = bottom = right = top = size = 0.0
                    lines.append(_Line(stripped, index + 1, left, bottom, right, top, size, height))
                start += len(raw_line) + _line_break_length(text, start + len(raw_line))
            return lines
        finally:
            textpage.close()
    finally:
        page.close()


def _line_break_length(text: str, at: int) -> int:
    if text.startswith("\r\n", at):
        return 2
    return 1 if at < len(text) else 0


def _furniture_key(line: _Line) -> str | None:
    """What a header or footer line looks like on every page (digits aside); None if the
    line is not near the top or bottom edge."""
    if line.height <= 0:
        return None
    if line.bottom > (1 - _EDGE) * line.height or line.top < _EDGE * line.height:
        return re.sub(r"\d+", "#", "".join(line.text.split()))
    return None


def _drop_furniture(pages: list[list[_Line]]) -> list[_Line]:
    """Every line of every page but running headers, footers and page numbers."""
    keyed = [[(line, _furniture_key(line)) for line in lines] for lines in pages]
    seen: dict[str, int] = {}
    for lines in keyed:
        for key in {k for _, k in lines if k is not None}:
            seen[key] = seen.get(key, 0) + 1
    with_text = sum(1 for lines in pages if lines)
    repeated = {key for key, n in seen.items() if n >= 2 and n * 2 >= with_text}
    return [
        line
        for lines in keyed
        for line, key in lines
        if key is None or (key not in repeated and not _PAGE_NUMBER_RE.match(line.text))
    ]


def _paragraphs(lines: list[_Line]) -> list[tuple[str, int]]:
    """Paragraphs (text, page of their first line) rebuilt from lines in reading order."""
    if not lines:
        return []
    gaps = [
        a.bottom - b.bottom
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and 0 < a.bottom - b.bottom < 4 * max(a.top - a.bottom, 1.0)
    ]
    pitch = statistics.median(gaps) if gaps else 0.0
    rights = sorted(line.right for line in lines)
    right_edge = rights[int(0.9 * (len(rights) - 1))]
    lefts = sorted(line.left for line in lines)
    width = max(right_edge - lefts[len(lefts) // 10], 1.0)
    out: list[tuple[str, int]] = []
    text, page = "", lines[0].page
    previous: _Line | None = None
    for line in lines:
        if previous is not None and _starts_paragraph(line, previous, pitch, right_edge, width):
            out.append((text, page))
            text, page = "", line.page
        if not text:
            text, page = line.text, line.page
        elif _HYPHENATED_RE.search(text) and line.text[:1].islower():
            text = text[:-1] + line.text
        else:
            text = f"{text} {line.text}"
        previous = line
    if text:
        out.append((text, page))
    return out


def _first_word_width(line: _Line) -> float:
    """About how wide the line's first word (and a space) is, from its average character."""
    if line.right <= line.left or not line.text:
        return 0.0
    first = line.text.split(maxsplit=1)[0]
    return (line.right - line.left) / len(line.text) * (len(first) + 1)


def _starts_paragraph(
    line: _Line, previous: _Line, pitch: float, right_edge: float, width: float
) -> bool:
    if _BULLET_RE.match(line.text):
        return True
    if previous.size and line.size and abs(line.size - previous.size) > 0.15 * previous.size:
        return True  # a heading, or back from one
    if previous.right and previous.right + _first_word_width(line) < right_edge - 0.02 * width:
        return True  # the previous line stops short though the next word would fit: its end
    if line.page != previous.page:
        return bool(_SENTENCE_END_RE.search(previous.text))
    if pitch:
        gap = previous.bottom - line.bottom
        if gap < 0 or gap > 1.4 * pitch:
            return True  # a blank line's worth, or a jump (a new column, a box)
    return False
