"""Web pages (HTML): the main content, without navigation, menus, share buttons and footers.

Extraction is ``trafilatura``'s (Apache-2.0): it finds the article of a page
by its structure and text density and drops the page furniture, and it reads
the title (``<title>``, ``og:title``, ``<h1>``), author and date from the
page's metadata.  Its XML output keeps the structure, which becomes blocks: a
heading, a paragraph, a list (its items in one block, as a list typed into a
text file), a table row, a quotation, a code block.  A page where it finds no
article (a bare fragment) falls back to the text of its body.
"""

from __future__ import annotations

from typing import Any

from search.errors import DocumentError
from search.formats.base import Extracted, clean_text, iso_date, usable_title
from search.messages import Message

__all__ = ["MAX_HTML_BYTES", "read_html"]

#: Pages larger than this are refused (trafilatura's own limit).
MAX_HTML_BYTES = 20_000_000
_BLOCK_TAGS = {"head", "p", "quote", "code"}


def read_html(data: bytes) -> Extracted:
    """The main content of a web page as blocks, with its title, author and date."""
    if len(data) > MAX_HTML_BYTES:
        raise DocumentError(
            Message("HTML page larger than %(mb)s MB", mb=MAX_HTML_BYTES // 1_000_000)
        )
    import trafilatura
    from lxml import etree

    try:
        xml = trafilatura.extract(
            data,
            output_format="xml",
            include_tables=True,
            include_comments=False,
            include_formatting=False,
            with_metadata=True,
            deduplicate=False,
        )
    except Exception as exc:  # a page trafilatura cannot parse at all
        raise DocumentError(
            Message("not a readable HTML page (%(error)s)", error=str(exc)[:200])
        ) from None
    out = Extracted(blocks=[])
    if xml:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(xml.encode("utf-8"), parser)
        out.title = usable_title(root.get("title"))
        out.author = clean_text(root.get("author") or "")
        out.date = iso_date(root.get("date"))
        main = root.find("main")
        if main is not None:
            for element in main:
                _add(out, element)
    if not out.blocks:
        _fallback(out, data)
    if not out.blocks:
        raise DocumentError(Message("no text in the HTML page"))
    return out


def _add(out: Extracted, element: Any) -> None:
    tag = element.tag
    if tag in _BLOCK_TAGS:
        out.add(" ".join(element.itertext()))
    elif tag == "list":
        out.add(" ".join(" ".join(item.itertext()) for item in element.iter("item")))
    elif tag == "table":
        for row in element.iter("row"):
            out.add(" ".join(" ".join(cell.itertext()) for cell in row.iter("cell")))
    else:
        for child in element:
            _add(out, child)
        if element.text and element.text.strip():
            out.add(element.text)


#: Elements whose end ends a block of text, for the fallback.
_BLOCK_ELEMENTS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "tr",
        "blockquote",
        "pre",
        "section",
        "article",
        "br",
        "td",
        "th",
    ]
)
_FURNITURE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form")


def _fallback(out: Extracted, data: bytes) -> None:
    """The text of the page's body, a block per paragraph-like element, less scripts, styles,
    navigation, headers, footers, sidebars and forms: for a fragment trafilatura finds
    too short to call an article."""
    import lxml.html
    from lxml import etree

    from search.formats.text import decode_text

    try:
        root = lxml.html.document_fromstring(decode_text(data)[0])
    except (DocumentError, etree.ParserError, ValueError):
        return
    etree.strip_elements(root, *_FURNITURE, with_tail=False)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_ELEMENTS:
            element.tail = "\n" + (element.tail or "")
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    for line in text.split("\n"):
        out.add(line)
    if not out.title:
        title = root.findtext(".//title")
        out.title = usable_title(title)
