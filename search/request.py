"""One validated search request, shared by the CLI, the JSON API and the pages.

A :class:`SearchRequest` can only exist with usable values: its constructor
checks every field and raises :class:`~search.errors.QueryError` with a
message for the user.  :meth:`SearchRequest.from_params` reads one from
text parameters (a query string, a form) — the only place where request text
becomes typed values.  Adding a search parameter means adding a field here
(and to ``from_params``/``to_params``), then to the CLI's options and the
OpenAPI description; the engine takes the request as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from search.errors import QueryError
from search.messages import Message

__all__ = [
    "DEFAULT_PER_PAGE",
    "LANGUAGES",
    "MATCH_MODES",
    "SORTS",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_QUERY_CHARS",
    "NOTHING_TYPED",
    "NOT_TEXT",
    "SearchRequest",
    "clean_text",
    "parse_flag",
    "too_long",
    "unknown_language",
    "whole_number",
]

#: The paragraph languages a search can be limited to (``lang:`` and ``lang=``).
LANGUAGES = ("ko", "en", "mixed")
#: ``all``: every word must match (with an any-word fallback); ``any``: any word may.
MATCH_MODES = ("all", "any")
#: How results may be ordered: best first, or in the order of the documents.
SORTS = ("relevance", "document", "date")
#: Characters a query may have.
MAX_QUERY_CHARS = 1000
#: What is said of a query that is not text, and of one with nothing in it.
NOT_TEXT = Message("The query must be text.")
NOTHING_TYPED = Message("Type a word or a phrase to search for.")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
#: Deeper pages are refused: nobody reads page 10,001 and it costs a full ranking.
MAX_PAGE = 10_000

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FLAG_VALUES = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def clean_text(value: str) -> str:
    """``value`` safe to echo and encode: lone surrogates replaced, control characters dropped."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL_RE.sub("", value)


def parse_flag(raw: str | None, name: str, default: bool, *, strict: bool = True) -> bool:
    """A yes/no parameter: 1/0 (also true/false, yes/no, on/off).

    Absent means ``default``; empty means ``default`` too unless ``strict``
    (an HTML form sends an unset choice as empty).
    """
    if raw is None or (not strict and not raw.strip()):
        return default
    value = _FLAG_VALUES.get(clean_text(raw).strip().lower())
    if value is None:
        shown = clean_text(raw)[:40]
        raise QueryError(
            Message("%(name)s must be 1 (on) or 0 (off), not '%(value)s'.", name=name, value=shown)
        )
    return value


@dataclass(frozen=True)
class SearchRequest:
    """What to search for and which page of it to show; valid by construction."""

    q: str
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    lang: str | None = None
    doc: str | None = None
    match: str = "all"
    #: also search the translations of the query's words (``xlang=0`` turns it off)
    xlang: bool = True
    #: a word the index does not hold also searches its corrections: typos, keyboard-layout
    #: slips, initial consonants (``typo=0`` turns it off; see search.typos)
    typo: bool = True
    #: "relevance" (best first), "document" (by document id, then paragraph number) or
    #: "date" (newest document first, by the date its file states; undated ones last)
    sort: str = "relevance"

    def __post_init__(self) -> None:
        if not isinstance(self.q, str):
            raise QueryError(NOT_TEXT)
        if not self.q.strip():
            raise QueryError(NOTHING_TYPED)
        if len(self.q) > MAX_QUERY_CHARS:
            raise QueryError(too_long(len(self.q)))
        if not _whole(self.page) or not 1 <= self.page <= MAX_PAGE:
            raise QueryError(_range_message("page", 1, MAX_PAGE), param="page")
        if not _whole(self.per_page) or not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(_range_message("per_page", 1, MAX_PER_PAGE), param="per_page")
        if self.lang is not None and self.lang not in LANGUAGES:
            raise QueryError(unknown_language(self.lang), param="lang")
        if self.sort not in SORTS:
            raise QueryError(
                Message("sort must be one of %(values)s.", values=", ".join(SORTS)), param="sort"
            )
        if self.match not in MATCH_MODES:
            raise QueryError(Message("match must be 'all' or 'any'."), param="match")
        if self.doc is not None and not self.doc.strip():
            raise QueryError(Message("doc must be a document id (see /api/docs)."), param="doc")

    def replace(self, **changes: Any) -> SearchRequest:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, strict: bool) -> SearchRequest:
        """Read and validate the search parameters of a request.

        ``strict`` (the JSON API) treats an empty ``lang``, ``doc``, ``match``,
        ``page``, ``per_page``, ``xlang`` or ``typo`` as an error; the HTML pages read them
        as "not given", which is what an HTML form sends for an unset choice.
        """
        q = clean_text(params.get("q", ""))
        if not q.strip():
            raise QueryError(Message("Type a word or a phrase to search for (parameter q)."))
        if len(q) > MAX_QUERY_CHARS:
            raise QueryError(too_long(len(q)))
        page = whole_number(params, "page", 1, 1, MAX_PAGE, strict)
        per_page = whole_number(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, strict)
        lang = _choice(params, "lang", LANGUAGES, strict)
        match = _choice(params, "match", MATCH_MODES, strict) or "all"
        sort = _choice(params, "sort", SORTS, strict) or "relevance"
        xlang = parse_flag(params.get("xlang"), "xlang", True, strict=strict)
        typo = parse_flag(params.get("typo"), "typo", True, strict=strict)
        doc = params.get("doc")
        if doc is not None:
            doc = clean_text(doc).strip()
            if not doc:
                if strict:
                    raise QueryError(Message("doc must be a document id (see /api/docs)."))
                doc = None
        return cls(
            q=q,
            page=page,
            per_page=per_page,
            lang=lang,
            doc=doc,
            match=match,
            xlang=xlang,
            typo=typo,
            sort=sort,
        )

    def to_params(self, **changes: object) -> dict[str, object]:
        """The parameters that reproduce this search (defaults left out), with ``changes``."""
        values: dict[str, object] = {
            "q": self.q,
            "lang": self.lang,
            "doc": self.doc,
            "match": self.match if self.match != "all" else None,
            "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None,
            "page": self.page if self.page != 1 else None,
            "xlang": None if self.xlang else 0,
            "typo": None if self.typo else 0,
            "sort": self.sort if self.sort != "relevance" else None,
        }
        values.update(changes)
        if values["page"] == 1:
            values["page"] = None
        return {k: v for k, v in values.items() if v is not None and v != ""}


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_message(name: str, low: int, high: int) -> Message:
    """What is said of a whole-number parameter ``name`` out of its range (or not a number)."""
    return Message(
        "%(name)s must be a whole number from %(low)s to %(high)s.",
        name=name,
        low=low,
        high=f"{high:,}",
    )


def too_long(length: int) -> Message:
    """What is said of a query of ``length`` characters, over :data:`MAX_QUERY_CHARS`."""
    return Message(
        "The query is too long (%(length)s characters; the limit is %(limit)s).",
        length=f"{length:,}",
        limit=f"{MAX_QUERY_CHARS:,}",
    )


def unknown_language(value: str) -> Message:
    """What is said of a language (``lang=``, ``lang:``) that is none of :data:`LANGUAGES`."""
    return Message(
        "Unknown language '%(value)s': use one of %(values)s.",
        value=value,
        values=", ".join(LANGUAGES),
    )


def whole_number(
    params: Mapping[str, str], name: str, default: int, low: int, high: int, strict: bool
) -> int:
    """The whole-number parameter ``name`` from ``low`` to ``high`` (``default`` if absent;
    if empty too, unless ``strict``); raises :class:`QueryError` with a message."""
    raw = params.get(name)
    if raw is None or (not strict and not raw.strip()):
        return default
    message = _range_message(name, low, high)
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        # also refuses '+3', '1e3', '٣' and numbers with thousands of digits
        raise QueryError(message, param=name)
    value = int(text)
    if not low <= value <= high:
        raise QueryError(message, param=name)
    return value


def _choice(
    params: Mapping[str, str], name: str, allowed: tuple[str, ...], strict: bool
) -> str | None:
    raw = params.get(name)
    if raw is None or (not strict and not raw.strip()):
        return None
    value = clean_text(raw).strip().lower()
    if value not in allowed:
        shown = clean_text(raw)[:40]
        raise QueryError(
            Message(
                "Unknown %(name)s '%(value)s': use one of %(values)s.",
                name=name,
                value=shown,
                values=", ".join(allowed),
            ),
            param=name,
        )
    return value
