"""Markdown: headings, paragraphs, lists, quotations and tables; code blocks as text.

Parsed with ``markdown-it-py`` (MIT, CommonMark plus tables).  A heading is a
block of its own, a list one block (as a list typed into a text file), a table
one block per row; inline markup is dropped and links keep their text.  The
title is the first level-1 heading, or the ``title:`` of a YAML front matter.
"""

from __future__ import annotations

import re
from typing import Any

from search.errors import DocumentError
from search.formats.base import Extracted, clean_text, usable_title
from search.formats.text import decode_text
from search.messages import Message

__all__ = ["read_markdown"]

_FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_TITLE_LINE_RE = re.compile(r"^title:\s*['\"]?(.*?)['\"]?\s*$", re.MULTILINE)


def read_markdown(data: bytes) -> Extracted:
    """The blocks of a Markdown file, its first ``#`` heading as title."""
    from markdown_it import MarkdownIt

    text, warnings = decode_text(data)
    out = Extracted(blocks=[], warnings=warnings)
    front = _FRONT_MATTER_RE.match(text)
    if front:
        title = _TITLE_LINE_RE.search(front.group(1))
        out.title = usable_title(title.group(1)) if title else ""
        text = text[front.end() :]
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    depth = 0  # inside a list or quotation: its text is one block
    in_table = False  # inside a table: a row is one block
    pending: list[str] = []
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("table_open", "table_close"):
            in_table = kind == "table_open"
        elif kind in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            depth -= 1
            if depth == 0:
                out.add(" ".join(pending))
                pending = []
        elif kind == "tr_close":
            out.add(" ".join(pending))
            pending = []
        elif kind == "inline":
            words = _inline_text(token)
            if depth or in_table:
                pending.append(words)
            else:
                out.add(words)
                opened = tokens[i - 1] if i else None
                if not out.title and opened is not None and opened.tag == "h1":
                    out.title = usable_title(words)
        elif kind in ("fence", "code_block"):
            if depth:
                pending.append(token.content)
            else:
                for chunk in re.split(r"\n\s*\n", token.content):
                    out.add(chunk)
        elif kind == "html_block":
            out.add(re.sub(r"<[^>]+>", " ", token.content))
    if pending:
        out.add(" ".join(pending))
    if not out.blocks:
        raise DocumentError(Message("empty Markdown file (no text)"))
    return out


def _inline_text(token: Any) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # its alt text
        elif child.type == "html_inline":
            continue
    return clean_text("".join(parts))
