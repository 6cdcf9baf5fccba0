"""Reading request parameters: the one place where query-string text becomes typed values.

Every problem is reported as :class:`search.query.QueryError`, whose message is
shown to the user (HTML) or returned as ``{"error": ...}`` (JSON) with status 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from search.engine import MAX_PER_PAGE
from search.query import LANGUAGES, MAX_QUERY_CHARS, QueryError

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PAGE",
    "MAX_URL_LENGTH",
    "MATCH_MODES",
    "SearchParams",
    "clean_text",
    "parse_search_params",
]

DEFAULT_PER_PAGE = 10
#: Bytes of path plus query string an address may have (414 above): a 1,000-character
#: Korean query is about 9 KB percent-encoded, 20,000 Latin letters 20 KB.
MAX_URL_LENGTH = 32 * 1024
#: Deeper pages are refused: nobody reads page 10,001 and it costs a full ranking.
MAX_PAGE = 10_000
MATCH_MODES = ("all", "any")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """``value`` safe to echo and encode: lone surrogates replaced, control characters dropped."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL_RE.sub("", value)


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    lang: str | None = None
    doc: str | None = None
    match: str = "all"
    #: also search the translations of the query's words (``xlang=0`` turns it off)
    xlang: bool = True

    def query_args(self, **changes: object) -> dict[str, object]:
        """The URL parameters that reproduce this search (defaults left out), with changes."""
        values: dict[str, object] = {
            "q": self.q,
            "lang": self.lang,
            "doc": self.doc,
            "match": self.match if self.match != "all" else None,
            "per_page": self.per_page if self.per_page != DEFAULT_PER_PAGE else None,
            "page": self.page if self.page != 1 else None,
            "xlang": None if self.xlang else 0,
        }
        values.update(changes)
        if values["page"] == 1:
            values["page"] = None
        return {k: v for k, v in values.items() if v is not None and v != ""}


def parse_search_params(args: Mapping[str, str], *, strict: bool) -> SearchParams:
    """Validate the search parameters of a request.

    ``strict`` (the JSON API) treats an empty ``lang``, ``doc``, ``match``,
    ``page`` or ``per_page`` as an error; the HTML pages read them as "not
    given", which is what an HTML form sends for an unset choice.
    """
    q = clean_text(args.get("q", ""))
    if not q.strip():
        raise QueryError("Type a word or a phrase to search for (parameter q).")
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is too long ({len(q):,} characters; the limit is {MAX_QUERY_CHARS:,})."
        )
    page = _whole_number(args, "page", 1, 1, MAX_PAGE, strict)
    per_page = _whole_number(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE, strict)
    lang = _choice(args, "lang", LANGUAGES, strict)
    match = _choice(args, "match", MATCH_MODES, strict) or "all"
    xlang = _flag(args, "xlang", True, strict)
    doc = args.get("doc")
    if doc is not None:
        doc = clean_text(doc).strip()
        if not doc:
            if strict:
                raise QueryError("doc must be a document id (see /api/docs).")
            doc = None
    return SearchParams(
        q=q, page=page, per_page=per_page, lang=lang, doc=doc, match=match, xlang=xlang
    )


_FLAG_VALUES = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


def _flag(args: Mapping[str, str], name: str, default: bool, strict: bool) -> bool:
    """A yes/no parameter: 1/0 (also true/false, on/off); empty means default unless strict."""
    raw = args.get(name)
    if raw is None or (not strict and not raw.strip()):
        return default
    value = _FLAG_VALUES.get(clean_text(raw).strip().lower())
    if value is None:
        shown = clean_text(raw)[:40]
        raise QueryError(f"{name} must be 1 (on) or 0 (off), not '{shown}'.")
    return value


def _whole_number(
    args: Mapping[str, str], name: str, default: int, low: int, high: int, strict: bool
) -> int:
    raw = args.get(name)
    if raw is None or (not strict and not raw.strip()):
        return default
    message = f"{name} must be a whole number from {low} to {high:,}."
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        # also refuses '+3', '1e3', '٣' and numbers with thousands of digits
        raise QueryError(message)
    value = int(text)
    if not low <= value <= high:
        raise QueryError(message)
    return value


def _choice(
    args: Mapping[str, str], name: str, allowed: tuple[str, ...], strict: bool
) -> str | None:
    raw = args.get(name)
    if raw is None or (not strict and not raw.strip()):
        return None
    value = clean_text(raw).strip().lower()
    if value not in allowed:
        shown = clean_text(raw)[:40]
        raise QueryError(f"Unknown {name} '{shown}': use one of {', '.join(allowed)}.")
    return value
