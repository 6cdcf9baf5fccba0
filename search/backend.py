"""The boundary between the engine and where the index lives.

:class:`search.engine.Engine` parses a query, shapes it (filters, the any-word
fallback, notes) and turns hits into results; a backend finds the hits.  Each
search asks its backend for a :class:`View`: one consistent look at the index
(one generation of the local index, one index behind the cluster's alias), so
that the page's hit numbers, stored entries and highlights all come from the same
index even while a reindex publishes a new one.  The local index
(:mod:`search.local`) is the default; an OpenSearch cluster
(:mod:`search.opensearch`) is the other.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from whoosh import query as wq

from search.query import ParsedQuery
from search.records import TEXT_FIELD, TITLE_FIELD

if TYPE_CHECKING:
    from search.indexing.reindex import ReindexReport
    from search.spelling import Lexicon

__all__ = ["Backend", "IndexInfo", "Page", "PageRequest", "View", "mention_clauses"]


@dataclass(frozen=True)
class IndexInfo:
    """Where an index is and what made it, for the status page."""

    backend: str  # "local" or "opensearch"
    location: str  # the index folder's name, or the alias on the cluster (never a path or address)
    generation: str  # the generation folder, or the index behind the alias
    size_bytes: int | None  # on disk (a cluster: its primaries' store)
    #: the record of the last build or reindex (:func:`search.indexing.history.run_record`)
    last_run: dict[str, Any] | None


@dataclass
class Page:
    """One page of a search: the total, the page's (hit, score), the facets.

    A hit is whatever the backend names an entry by (a document number locally).
    """

    total: int
    page: list[tuple[Any, float]]
    facets: dict[str, dict[str, int]] | None
    #: whether the search was cut short (the time limit; on a cluster, shards that failed)
    partial: bool
    #: the paragraphs that mention the query (Whoosh path: a set; columnar: an array)
    mentions: set[int] | None = None
    allow: np.ndarray | None = None
    #: why it is partial, for people, when not the time limit
    partial_note: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """What one page of a search asks its backend for."""

    parsed: ParsedQuery
    #: the query to run, filters included
    query: wq.Query
    page: int
    per_page: int
    #: when the search must answer with what it has (``time.perf_counter()`` seconds)
    deadline: float
    facets: bool
    #: the page of the same search before its any-word fallback (what it found is reused)
    before: Page | None = None
    #: "relevance" (best first), "document" (by document id, then paragraph number) or
    #: "date" (newest document first, then as "document")
    sort: str = "relevance"
    #: for ``sort="date"``: each dated document's date as a number (20240131), by id
    dates: Mapping[str, int] | None = None


class View(Protocol):
    """One search's look at the index (see the module's description)."""

    def has_document(self, doc_id: str) -> bool: ...

    def page(self, request: PageRequest) -> Page: ...

    def entry(self, hit: Hashable) -> Mapping[str, Any]: ...

    def spans(self, hit: Hashable, parsed: ParsedQuery) -> list[tuple[int, int]] | None: ...

    def paragraph_text(self, doc_id: str, n: int) -> str | None: ...

    def document_record(self, doc_id: str) -> Mapping[str, Any] | None: ...

    def document_paragraphs(self, doc_id: str) -> list[Mapping[str, Any]]: ...

    def document_records(self) -> Iterable[Mapping[str, Any]]: ...

    def stats(self) -> dict[str, int]: ...

    def languages(self) -> dict[str, int]:
        """Paragraphs by language ("ko", "en", "mixed")."""
        ...

    def lexicon(self) -> Lexicon:
        """The index's words, for did-you-mean, typo tolerance and completions."""
        ...

    def version(self) -> Hashable:
        """Changes whenever the index does (a new generation or commit, a write on the cluster)."""
        ...


class Backend(Protocol):
    """Where an engine's index lives."""

    def view(self) -> View: ...

    def reindex(
        self, docs_dir: Path, wait: bool = False, on_change: Callable[[str], None] | None = None
    ) -> ReindexReport:
        """Bring the index up to date with ``docs_dir`` (see :mod:`search.indexing.reindex`)."""
        ...

    def info(self) -> IndexInfo:
        """Where the index is, its size, and its last build or reindex."""
        ...

    def close(self) -> None: ...


def mention_clauses(
    parsed: ParsedQuery, doc_frequency: Callable[[str, str], int]
) -> list[wq.Query] | None:
    """The queries of the query's own words and phrases in the text (and translations' pairs).

    None when there is nothing to restrict: the query has no words, or no title
    holds any of them, so nothing can match through a title and the set (a pass
    over every match, a third of a search's time for a common word) would change
    nothing.  ``doc_frequency(field, word)`` counts the entries holding a word.
    """
    clauses: list[wq.Query] = [wq.Term(TEXT_FIELD, t) for t in sorted(parsed.terms)]
    clauses += [wq.Phrase(TEXT_FIELD, p) for p in parsed.phrases]
    clauses += parsed.mentions  # Korean translations by their syllable pairs (text only)
    words = parsed.terms.union(*parsed.phrases)
    if not clauses or not any(doc_frequency(TITLE_FIELD, w) for w in words):
        return None
    return clauses
