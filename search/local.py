"""The local index as a backend: Whoosh (the index of record) and its columnar form.

One Whoosh searcher per thread (Whoosh readers are not meant to be shared
between threads), reopened when the live generation changes or Whoosh reports
new commits, so a running server follows reindexing without a restart.  Pages
come from the columnar form (:mod:`search.columnar`) or, as the reference, from
Whoosh's collectors (``query_path="whoosh"``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import collectors, sorting
from whoosh.searching import ResultsPage, Searcher

from search.backend import IndexInfo, Page, PageRequest, mention_clauses
from search.columnar.searcher import ColumnarSearcher, Hits
from search.deadline import run_until
from search.indexing import current_generation, open_generation, open_index
from search.indexing.history import last_run
from search.query import ParsedQuery
from search.records import (
    DOC_ID_FIELD,
    DOCUMENT_KIND,
    KIND_FIELD,
    LANG_FIELD,
    PARAGRAPH_KIND,
    TEXT_FIELD,
    paragraph_key,
)
from search.scoring import dari_weighting
from search.settings import RankingSettings

if TYPE_CHECKING:
    from search.indexing.reindex import ReindexReport
    from search.spelling import IndexLexicon

__all__ = ["FACETS", "LocalBackend", "LocalView"]

#: Tries to open the live index while a rebuild swaps generations.
OPEN_ATTEMPTS = 5
#: Facets counted for ``search(facets=True)``: name → the field whose values are counted.
FACETS = {"lang": sorting.FieldFacet(LANG_FIELD), "doc": sorting.FieldFacet(DOC_ID_FIELD)}


class LocalBackend:
    """The index folder ``index_dir``, searched with ``ranking``."""

    def __init__(
        self, index_dir: Path | str, ranking: RankingSettings, query_path: str = "columnar"
    ) -> None:
        self.index_dir = Path(index_dir)
        self.ranking = ranking
        #: "columnar" (the default) or "whoosh" (Whoosh's collectors: the reference path)
        self.query_path = query_path
        self._local = threading.local()
        open_index(self.index_dir).close()  # raise IndexMissing now, not on first search

    def view(self) -> LocalView:
        return LocalView(self, self.searcher())

    def info(self) -> IndexInfo:
        gen = current_generation(self.index_dir)
        size = None
        if gen is not None:
            size = sum(f.stat().st_size for f in gen.rglob("*") if f.is_file())
        return IndexInfo(
            "local", self.index_dir.name, gen.name if gen else "", size, last_run(self.index_dir)
        )

    def reindex(
        self, docs_dir: Path, wait: bool = False, on_change: Callable[[str], None] | None = None
    ) -> ReindexReport:
        from search.indexing.reindex import reindex

        return reindex(docs_dir, self.index_dir, wait=wait, on_change=on_change)

    def searcher(self) -> Searcher:
        """This thread's searcher, reopened if the index changed since it was made."""
        local = self._local
        gen = current_generation(self.index_dir)
        searcher = getattr(local, "searcher", None)
        if searcher is not None and local.generation == gen and searcher.up_to_date():
            return searcher
        # A fresh searcher, not Searcher.refresh(): whoosh3's refresh reuses the old
        # segment readers with their old deletions (and keeps their old generation),
        # so updated documents would be found twice and removed ones still found.
        if searcher is not None:
            local.searcher = None
            searcher.close()
        for attempt in range(OPEN_ATTEMPTS):
            try:
                ix, gen = open_generation(self.index_dir)
                fresh = ix.searcher(weighting=dari_weighting(self.ranking))
            except FileNotFoundError:
                # A rebuild swapped generations while we opened the old one.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
                continue
            local.searcher, local.generation = fresh, gen
            return fresh
        raise AssertionError("unreachable")

    def columnar(self, searcher: Searcher | None = None) -> ColumnarSearcher:
        """This thread's columnar searcher, over the same segments as :meth:`searcher`."""
        searcher = searcher or self.searcher()
        local = self._local
        columns = getattr(local, "columnar", None)
        if columns is None or columns.searcher is not searcher:
            columns = local.columnar = ColumnarSearcher(searcher, local.generation, self.ranking)
        return columns

    def close(self) -> None:
        """Close the calling thread's searcher and let every thread open a fresh one next time.

        ``dari serve`` calls it before it forks its workers, so that no process
        shares an open index file (and its file position) with another.
        """
        searcher = getattr(self._local, "searcher", None)
        self._local = threading.local()
        if searcher is not None:
            searcher.close()


class LocalView:
    """One search's look at the local index: one searcher (one generation)."""

    def __init__(self, backend: LocalBackend, searcher: Searcher) -> None:
        self.backend, self.searcher = backend, searcher

    def columnar(self) -> ColumnarSearcher:
        return self.backend.columnar(self.searcher)

    def has_document(self, doc_id: str) -> bool:
        return self.searcher.document_number(key=doc_id) is not None

    def page(self, request: PageRequest) -> Page:
        pager = self._columnar_page if self.backend.query_path == "columnar" else self._whoosh_page
        return pager(request)

    def entry(self, hit: Hashable) -> Mapping[str, Any]:
        assert isinstance(hit, int)
        return self.searcher.reader().stored_fields(hit)

    def spans(self, hit: Hashable, parsed: ParsedQuery) -> list[tuple[int, int]] | None:
        """From the offsets stored at index time (columnar path); None: analyse the text."""
        if self.backend.query_path != "columnar":
            return None
        assert isinstance(hit, int)
        return self.columnar().highlight(hit, parsed.terms, parsed.phrases)

    def paragraph_text(self, doc_id: str, n: int) -> str | None:
        entry = self.searcher.document(key=paragraph_key(doc_id, n))
        return None if entry is None else entry[TEXT_FIELD]

    def document_record(self, doc_id: str) -> Mapping[str, Any] | None:
        return self.searcher.document(key=doc_id)

    def document_paragraphs(self, doc_id: str) -> list[Mapping[str, Any]]:
        found = self.searcher.documents(**{DOC_ID_FIELD: doc_id, KIND_FIELD: PARAGRAPH_KIND})
        return sorted(found, key=lambda f: f["n"])

    def document_records(self) -> Iterable[Mapping[str, Any]]:
        return self.searcher.documents(**{KIND_FIELD: DOCUMENT_KIND})

    def stats(self) -> dict[str, int]:
        searcher = self.searcher
        # doc_frequency() would count deleted records too (until segments merge)
        docs = sum(1 for _ in searcher.document_numbers(**{KIND_FIELD: DOCUMENT_KIND}))
        return {"documents": docs, "paragraphs": searcher.doc_count() - docs}

    def languages(self) -> dict[str, int]:
        searcher = self.searcher
        out = {}
        for value in searcher.reader().lexicon(LANG_FIELD):
            lang = value.decode("utf-8") if isinstance(value, bytes) else str(value)
            found = searcher.document_numbers(**{LANG_FIELD: lang, KIND_FIELD: PARAGRAPH_KIND})
            count = sum(1 for _ in found)  # live paragraphs only (deleted ones are skipped)
            if count:
                out[lang] = count
        return out

    def version(self) -> Hashable:
        return (
            str(current_generation(self.backend.index_dir)),
            self.searcher.reader().generation(),
        )

    def lexicon(self) -> IndexLexicon:
        from search.spelling import IndexLexicon

        columns = self.columnar() if self.backend.query_path == "columnar" else None
        return IndexLexicon(self.searcher, columns)

    def _whoosh_page(self, r: PageRequest) -> Page:
        """One page of hits by Whoosh's collectors (the per-posting path, kept as the reference).

        One timed pass that also counts the matches.  Whoosh's own top-N
        collector skips blocks and prunes matchers by quality, and then needs a
        second, untimed pass over every match for the total: seconds for a
        64-word OR over a few thousand paragraphs.  Cut short, the total is what
        was found until then.  With ``facets`` the same pass counts the matches
        per language and document.
        """
        parsed, q, page, per_page = r.parsed, r.query, r.page, r.per_page
        deadline, facets, before = r.deadline, r.facets, r.before
        if before is not None:
            mentions, partial = before.mentions, False
        else:
            mentions, partial = _text_mentions(self.searcher, parsed, deadline)
        if partial:  # the time went on finding the paragraphs that mention the query
            deadline, facets = time.perf_counter(), False
        # usequality=False, replace=0: see every match (and count it), prune nothing;
        # in document order every match is kept, then sorted (below)
        in_order = r.sort in ("document", "date")
        collector: collectors.Collector = (
            collectors.UnlimitedCollector()
            if in_order
            else collectors.TopCollector(page * per_page, usequality=False, replace=0)
        )
        if facets:
            collector = collectors.FacetCollector(collector, FACETS, maptype=sorting.Count)
        if mentions is not None:
            collector = collectors.FilterCollector(collector, allow=mentions)
        collector, cut = run_until(self.searcher, q, collector, deadline)
        results = ResultsPage(collector.results(), page, per_page)
        if in_order:  # by document id, then paragraph (written in order: by number)
            ids = self.searcher.reader().column_reader(DOC_ID_FIELD)
            dates = r.dates if r.sort == "date" and r.dates is not None else {}
            every = [(hit.docnum, float(hit.score or 0.0)) for hit in results.results]
            every.sort(key=lambda h: (-dates.get(ids[h[0]], 0), ids[h[0]], h[0]))
            hits = every[(page - 1) * per_page : page * per_page]
        else:
            hits = [(hit.docnum, float(hit.score or 0.0)) for hit in results]
        return Page(
            total=results.total,
            page=hits,
            facets=(
                {name: dict(results.results.groups(name)) for name in FACETS} if facets else None
            ),
            partial=partial or cut,
            mentions=mentions,
        )

    def _columnar_page(self, r: PageRequest) -> Page:
        """One page of hits from the columnar form: every match scored and counted in arrays."""
        parsed, q, page, per_page = r.parsed, r.query, r.page, r.per_page
        deadline, facets, before = r.deadline, r.facets, r.before
        columns = self.columnar()
        cut = False
        if before is not None:
            allow = before.allow
        else:
            allow, cut = _columnar_mentions(columns, parsed, deadline)
        hits = columns.hits(q, allow, deadline if not cut else time.perf_counter())
        partial = cut or hits.partial
        return Page(
            total=hits.total,
            page=_ordered(hits, r)[(page - 1) * per_page :],
            facets=hits.facets() if facets and not partial else None,
            partial=partial,
            allow=allow,
        )


def _ordered(hits: Hits, r: PageRequest) -> list[tuple[int, float]]:
    """The page's first ``page * per_page`` hits in the order ``r.sort`` asks for."""
    k = r.page * r.per_page
    if r.sort == "document":
        return hits.in_document_order(k)
    if r.sort == "date":
        return hits.in_document_order(k, r.dates or {})
    return hits.top(k)


def _columnar_mentions(
    columns: ColumnarSearcher, parsed: ParsedQuery, deadline: float
) -> tuple[np.ndarray | None, bool]:
    """:func:`_text_mentions` on the columnar form: the paragraphs that themselves hold a word."""
    clauses = mention_clauses(parsed, columns.doc_frequency)
    if clauses is None:
        return None, False
    return columns.docs(clauses, deadline)


def _text_mentions(
    searcher: Searcher, parsed: ParsedQuery, deadline: float
) -> tuple[set[int] | None, bool]:
    """The paragraphs that themselves contain one of the query's words or phrases.

    Every paragraph carries its document's title, which may supply the other
    words (and adds to the score), but a paragraph that matches through the
    title alone is not an answer.  Passed to Whoosh as a ``filter`` so that it
    does not change the ranking (Whoosh 3.54's ``Require`` trips an assertion
    when skipping by quality, and ``WeightingQuery`` drops its weighting).

    Returns (document numbers, cut short?); None when the query has no words.
    The set is gathered word by word until ``deadline`` (Whoosh would compute a
    filter query's set before its time limit starts) and serves every pass of
    the search.
    """
    clauses = mention_clauses(parsed, searcher.reader().doc_frequency)
    if clauses is None:
        return None, False
    found: set[int] = set()
    partial = False
    for clause in clauses:
        if time.perf_counter() >= deadline:
            partial = True
            break
        found.update(searcher.docs_for_query(clause))
    # Whoosh reads an empty filter as "no filter"; a number no document has keeps it closed.
    return found or {-1}, partial
