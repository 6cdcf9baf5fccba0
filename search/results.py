"""Results: highlighting with exact character offsets, snippets, and the JSON shape.

Highlighting re-analyses a paragraph with the index analyzer, so a match is
marked exactly where the analyzer found the term (협력을 → ``<mark>협력</mark>을``,
``cooperating`` for the query ``cooperation``).  Phrases are marked as one span
from their first to their last word, stop words in between included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from html import escape
from typing import NotRequired, TypedDict

from search.analysis import analyze
from search.messages import Message

__all__ = [
    "CORRECTION_KINDS",
    "EXPANSION_LABELS",
    "Expansion",
    "Result",
    "ResultCounterpart",
    "SearchResults",
    "highlight_spans",
    "merge_spans",
    "mark_html",
    "snippet_html",
    "spans_of_words",
]

SNIPPET_CHARS = 280


def highlight_spans(
    text: str, terms: Iterable[str], phrases: Iterable[list[str]] = ()
) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) character spans of ``text`` that match the query."""
    terms = set(terms)
    phrases = [p for p in phrases if p]
    if not terms and not phrases:
        return []
    return spans_of_words(analyze(text), terms, phrases)


def spans_of_words(
    tokens: Iterable[tuple[str, int, int, int]],
    terms: Iterable[str],
    phrases: Iterable[list[str]] = (),
) -> list[tuple[int, int]]:
    """:func:`highlight_spans` of a text already analysed into ``(term, position, start,
    end)`` tokens (kept at index time, as on the cluster: :mod:`search.opensearch.documents`)."""
    terms = set(terms)
    phrases = [p for p in phrases if p]
    spans: list[tuple[int, int]] = []
    by_pos: dict[int, tuple[set[str], int, int]] = {}
    for term, pos, start, end in tokens:
        if term in terms:
            spans.append((start, end))
        if phrases:
            seen, s0, e0 = by_pos.get(pos, (set(), start, end))
            seen.add(term)
            by_pos[pos] = (seen, min(s0, start), max(e0, end))
    for phrase in phrases:
        for pos, (seen, start, _) in by_pos.items():
            if phrase[0] not in seen:
                continue
            last = pos + len(phrase) - 1
            if all(phrase[k] in by_pos.get(pos + k, ((),))[0] for k in range(1, len(phrase))):
                spans.append((start, by_pos[last][2]))
    return merge_spans(spans)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted, overlapping and touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


#: The class of a ``<mark>`` around what only a translation of the query matched (the
#: words typed are plain ``<mark>``s).
TRANSLATION_MARK = "translation"


def translation_spans(
    spans: list[tuple[int, int]], typed: list[tuple[int, int]]
) -> frozenset[tuple[int, int]]:
    """Of ``spans`` (all that the query matched), those that overlap nothing in ``typed``
    (what the words typed matched): what only a translation matched."""
    return frozenset((s, e) for s, e in spans if not any(a < e and s < b for a, b in typed))


def mark_html(
    text: str,
    spans: list[tuple[int, int]],
    start: int = 0,
    end: int | None = None,
    translated: frozenset[tuple[int, int]] = frozenset(),
) -> str:
    """``text[start:end]`` HTML-escaped, with ``<mark>`` around the spans inside it
    (``<mark class="translation">`` around those in ``translated``)."""
    end = len(text) if end is None else end
    out = []
    cursor = start
    for s, e in spans:
        tag = f'<mark class="{TRANSLATION_MARK}">' if (s, e) in translated else "<mark>"
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(escape(text[cursor:s], quote=False))
        out.append(f"{tag}{escape(text[s:e], quote=False)}</mark>")
        cursor = e
    out.append(escape(text[cursor:end], quote=False))
    return "".join(out)


def snippet_html(
    text: str,
    spans: list[tuple[int, int]],
    width: int = SNIPPET_CHARS,
    translated: frozenset[tuple[int, int]] = frozenset(),
) -> str:
    """The part of ``text`` (about ``width`` characters) with the most matches, marked
    (``translated``: see :func:`mark_html`)."""
    if len(text) <= width:
        return mark_html(text, spans, translated=translated)
    best_start, best_count = 0, -1
    for s, _ in spans or [(0, 0)]:
        # start a little before a match so that it reads in context
        start = max(0, min(s - width // 5, len(text) - width))
        count = sum(1 for a, b in spans if a >= start and b <= start + width)
        if count > best_count:
            best_start, best_count = start, count
    start = _word_boundary(text, best_start, forward=True) if best_start else 0
    end = min(len(text), start + width)
    if end < len(text):
        end = _word_boundary(text, end, forward=False)
    body = mark_html(text, spans, start, end, translated)
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")


def _word_boundary(text: str, i: int, forward: bool) -> int:
    """Nearest whitespace to ``i`` (within 30 characters), so words are not cut."""
    limit = 30
    rng = range(i, min(len(text), i + limit)) if forward else range(i, max(0, i - limit), -1)
    for j in rng:
        if text[j - 1 : j].isspace():
            return j
    return i


class ResultCounterpart(TypedDict):
    """A result's translation in its document, as the JSON shows it."""

    paragraph: int  # the first of ``paragraphs``
    paragraphs: list[int]  # two for a 1–2 link
    lang: str
    text: str  # their texts joined by a blank line
    url: str


#: A query word's translations also searched: ``{"from": "대전", "to": ["Daejeon"]}``,
#: plus ``"kind": "romanization"`` for a romanized name.  (The functional form of
#: TypedDict, because "from" is a keyword.)
#: How an expansion of each kind is labelled where it is shown (a glossary translation is not).
EXPANSION_LABELS = {
    "romanization": "romanized",
    "typo": "typo",
    "layout": "keyboard layout",
    "initials": "initials",
}
#: The kinds that are corrections of a word the index does not hold (search.typos).
CORRECTION_KINDS = frozenset({"typo", "layout", "initials"})

Expansion = TypedDict(
    "Expansion",
    {"from": str, "to": list[str], "kind": NotRequired[str]},
)


@dataclass
class Result:
    doc_id: str
    title: str
    paragraph: int
    lang: str
    score: float
    text: str
    snippet: str
    url: str
    #: The paragraph(s) of the same document that translate this one (an
    #: agreement in both languages); None when there are none.
    counterpart: ResultCounterpart | None = None
    #: The page the paragraph starts on (PDF); None for formats without pages.
    page: int | None = None


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    fallback: bool
    results: list[Result]
    notes: list[str] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    #: translations also searched: [{"from": "대전", "to": ["Daejeon"]}, …]
    expansions: list[Expansion] = field(default_factory=list)
    #: whether the time limit cut the search short (the notes say so too)
    partial: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def past_last_page(self) -> str | None:
        """What to say when the page asked for is past the last page of results (it is
        then empty); None when it is not (or nothing was found: that says itself)."""
        if self.total and self.page > self.pages:
            return Message(
                "Page %(page)s is past the last page of results (%(last)s).",
                page=self.page,
                last=self.pages,
            )
        return None

    def to_dict(self) -> dict:
        """The JSON shape shared by ``dari search --json`` and ``/api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": round(self.took_ms, 2),
            "fallback": self.fallback,
            "expansions": [dict(e) for e in self.expansions],
            "results": [asdict(r) for r in self.results],
        }

    def expansions_text(self) -> str:
        """``대전 → Daejeon, 부산 → busan (romanized), quantom → quantum (typo)``: the
        "also searched" line."""
        return ", ".join(
            f"{e['from']} → {' / '.join(e['to'])}"
            + (f" ({EXPANSION_LABELS[e['kind']]})" if e.get("kind") in EXPANSION_LABELS else "")
            for e in self.expansions
        )

    @property
    def corrected(self) -> bool:
        """Whether some query word also searched its corrections (search.typos)."""
        return any(e.get("kind") in CORRECTION_KINDS for e in self.expansions)

    @property
    def translated(self) -> bool:
        """Whether some query word also searched its translations."""
        return any(e.get("kind") not in CORRECTION_KINDS for e in self.expansions)
