"""Word documents (DOCX): paragraphs, headings and tables in document order.

Read with ``python-docx`` (MIT) once :func:`search.formats.archives.open_zip` has
checked what the file unpacks to.  A heading is a block of its own (so it starts a
paragraph); a table is one block per row, its cells' text joined.  The title is
the file's stated title, else the first paragraph in the Title style; author and
date come from its core properties.
"""

from __future__ import annotations

from typing import Any

from search.errors import DocumentError
from search.formats.archives import open_zip
from search.formats.base import Extracted, clean_text, iso_date, usable_title
from search.messages import Message

__all__ = ["read_docx"]


def read_docx(data: bytes) -> Extracted:
    """The paragraphs, headings and table rows of a DOCX file."""
    import io

    import docx
    from docx.table import Table

    archive = open_zip(data, "DOCX")
    names = set(archive.namelist())
    archive.close()
    if "word/document.xml" not in names:
        raise DocumentError(Message("not a DOCX file (no word/document.xml inside)"))
    try:
        document: Any = docx.Document(io.BytesIO(data))
        props = document.core_properties
        out = Extracted(
            blocks=[],
            title=usable_title(props.title),
            author=clean_text(props.author or ""),
            date=iso_date(props.created or props.modified),
        )
        styled_title = ""
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row in _rows(item):
                    out.add(row)
                continue
            text = item.text
            style = (item.style.name if item.style is not None else "") or ""
            if style == "Title" and not styled_title:
                styled_title = clean_text(text)
            out.add(text)
    except DocumentError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds for damaged files
        raise DocumentError(
            Message(
                "not a readable DOCX file (%(error)s)",
                error=str(exc)[:200] or type(exc).__name__,
            )
        ) from None
    if not out.blocks:
        raise DocumentError(Message("empty DOCX file (no text)"))
    out.title = out.title or usable_title(styled_title)
    return out


def _rows(table: Any) -> list[str]:
    """Each row's distinct cells' text (a merged cell is listed once per row by python-docx)."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean_text(cell.text)
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        rows.append(" ".join(cells))
    return rows
