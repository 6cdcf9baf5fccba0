"""The search engine facade used by the CLI and the web app.

One :class:`Engine` per index.  It parses and shapes queries, and turns hits into
results; where the index lives is its backend's business (:mod:`search.backend`):
the local index folder by default (:class:`search.local.LocalBackend`, which
follows reindexing without a restart).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Hashable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from whoosh import query as wq
from whoosh.searching import Searcher

from search.backend import Backend, PageRequest, View
from search.bilingual.expansion import Expander, load_glossary
from search.bilingual.glossary import (
    Glossary,
    default_glossary,
    known_spellings,
    load_analysed,
    save_analysed,
)
from search.columnar.searcher import ColumnarSearcher
from search.completion import SUGGEST_LIMIT, Suggestion, complete
from search.errors import QueryError
from search.feedback import FeedbackQuery
from search.local import LocalBackend
from search.messages import Message
from search.query import ParsedQuery, parse_query
from search.records import (
    DOC_ID_FIELD,
    KIND_FIELD,
    LANG_FIELD,
    PAGE_FIELD,
    PARAGRAPH_KIND,
    TEXT_FIELD,
    TITLE_FIELD,
    Counterpart,
    stored_counterpart,
    stored_meta,
)
from search.request import MAX_PER_PAGE, SearchRequest
from search.results import (
    Result,
    ResultCounterpart,
    SearchResults,
    highlight_spans,
    mark_html,
    snippet_html,
    translation_spans,
)
from search.settings import RankingSettings, Settings
from search.spelling import suggest_query
from search.typos import WordCorrector

__all__ = [
    "DocumentInfo",
    "DocumentView",
    "Engine",
    "MAX_PER_PAGE",
    "ParagraphView",
    "ParallelRow",
    "QueryError",
    "StoredCounterpart",
    "paragraph_url",
]

#: Seconds a search may run before it stops and answers with what it found.
DEFAULT_TIME_LIMIT = Settings().search_time_limit
#: A "did you mean" is looked for when a search finds fewer paragraphs than this.
SUGGEST_BELOW = 5
#: The glossary's spellings as analysed, kept in the index folder for the next start.
ANALYSED_SPELLINGS = ".analysed-spellings.json"


class StoredCounterpart(TypedDict):
    """A paragraph's translation as a document view gives it: numbers and language."""

    paragraphs: list[int]
    lang: str


class _SuggestOptions(TypedDict):
    """The arguments :meth:`Engine.suggest` passes to both of its searches."""

    per_page: int
    lang: str | None
    doc: str | None
    match: str
    xlang: bool
    typo: bool


@dataclass
class DocumentInfo:
    doc_id: str
    title: str
    paragraphs: int
    languages: list[str]
    file: str = ""
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    author: str = ""
    date: str = ""
    pages: int = 0


@dataclass
class IndexStatus:
    """What :meth:`Engine.status` tells (the status page and ``/api/status``)."""

    documents: int
    paragraphs: int
    languages: dict[str, int]  # paragraphs by language, most first
    backend: str  # "local" or "opensearch"
    location: str
    generation: str
    size_bytes: int | None
    last_run: dict[str, Any] | None  # search.indexing.history.run_record

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParagraphView:
    n: int
    lang: str
    text: str
    html: str  # escaped text with query matches marked
    #: the paragraph(s) translating this one: {"paragraphs": [n, ...], "lang": ...}
    counterpart: StoredCounterpart | None = None
    page: int | None = None  # the page it starts on (PDF), None for formats without pages


@dataclass
class DocumentView:
    doc_id: str
    title: str
    paragraphs: list[ParagraphView]
    notes: list[str] = field(default_factory=list)  # for the reader, e.g. marking cut short
    author: str = ""  # as the file states them
    date: str = ""
    pages: int = 0  # the last page with a paragraph (PDF), else 0

    @property
    def page_starts(self) -> dict[int, int]:
        """The first paragraph of each page, by page number (empty without pages)."""
        starts: dict[int, int] = {}
        for p in self.paragraphs:
            if p.page is not None:
                starts.setdefault(p.page, p.n)
        return starts

    @property
    def aligned(self) -> bool:
        """Whether some paragraphs have a translation in the document (see :meth:`parallel_rows`)."""
        return any(p.counterpart for p in self.paragraphs)

    def parallel_rows(self) -> list[ParallelRow]:
        """The document as rows for reading both versions side by side.

        A row holds one link: the English paragraph(s) and the Korean
        paragraph(s) that translate each other.  A paragraph without a
        translation gets a row of its own right after the row of the paragraph
        before it, so omissions show where they are and the rest of the
        document (a press release before an agreement) reads in order.
        """
        by_n = {p.n: p for p in self.paragraphs}
        sharing: dict[tuple, list[ParagraphView]] = {}  # paragraphs with one translation
        for p in self.paragraphs:
            if p.counterpart:
                key = (p.counterpart["lang"], tuple(p.counterpart["paragraphs"]))
                sharing.setdefault(key, []).append(p)
        row_of: dict[int, ParallelRow] = {}
        rows: list[ParallelRow] = []
        for p in self.paragraphs:
            if p.n in row_of:
                continue
            if p.counterpart:
                other = [by_n[n] for n in p.counterpart["paragraphs"] if n in by_n]
                # the paragraphs on p's side that share the same translation (a 2–1 link)
                same = sharing[(p.counterpart["lang"], tuple(p.counterpart["paragraphs"]))]
                en, ko = (same, other) if p.counterpart["lang"] == "ko" else (other, same)
                row = ParallelRow((p.n, 0), en, ko)
            else:
                before = row_of.get(p.n - 1)
                row_key = (before.key[0], before.key[1] + 1) if before else (p.n, 0)
                row = ParallelRow(row_key, [], [], single=p)
            rows.append(row)
            for q in (*row.en, *row.ko, *([row.single] if row.single else [])):
                row_of[q.n] = row
        return sorted(rows, key=lambda r: r.key)


@dataclass
class ParallelRow:
    """One row of the side-by-side view: a link, or one paragraph without a translation."""

    key: tuple[int, int]  # (first paragraph of the link or of the row before, offset)
    en: list[ParagraphView]
    ko: list[ParagraphView]
    single: ParagraphView | None = None


class Engine:
    """Searches one index folder; safe to share between threads.

    ``time_limit`` bounds each search (seconds), ``glossary`` (the shipped one
    by default) drives cross-lingual expansion and ``ranking`` scores the
    paragraphs (the product's settings by default); two engines in one
    process may differ in all three.  :meth:`from_settings` makes one from
    :class:`~search.settings.Settings`.
    """

    def __init__(
        self,
        index_dir: Path | str,
        time_limit: float = DEFAULT_TIME_LIMIT,
        glossary: Glossary | None = None,
        *,
        ranking: RankingSettings | None = None,
        query_path: str = "columnar",
        backend: Backend | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.time_limit = time_limit
        self.ranking = ranking or RankingSettings()
        #: "columnar" (the default) or "whoosh" (Whoosh's collectors: the reference path)
        self.query_path = query_path
        self._glossary = glossary
        self._expander: Expander | None = None
        #: (index version, every document's (id, title), dated documents' dates): _documents
        self._documents_kept: tuple[Hashable, list[tuple[str, str]], dict[str, int]] | None = None
        #: where the index lives: ``backend``, else the folder ``index_dir`` (raises
        #: IndexMissing now, not on first search), which also keeps the engine's caches
        self.backend: Backend = backend or LocalBackend(self.index_dir, self.ranking, query_path)

    @classmethod
    def from_settings(cls, settings: Settings, index_dir: Path | str | None = None) -> Engine:
        """An engine over ``index_dir`` (else ``settings.index_dir``) with ``settings``; over
        the cluster of ``settings.opensearch_url`` when it is set.

        The glossary is the shipped one plus ``settings.glossary``'s entries;
        raises :class:`~search.bilingual.glossary.GlossaryError` for a file
        that cannot be read and :class:`~search.indexing.IndexMissing` when
        there is no index.
        """
        glossary = load_glossary(settings.glossary) if settings.glossary else None
        backend: Backend | None = None
        if settings.opensearch_url:  # the cluster; the folder keeps only the engine's caches
            from search.opensearch.backend import ClusterBackend

            backend = ClusterBackend(settings)
        return cls(
            settings.index_dir if index_dir is None else index_dir,
            time_limit=settings.search_time_limit,
            glossary=glossary,
            ranking=settings.ranking,
            backend=backend,
        )

    @property
    def expander(self) -> Expander:
        """Made on first use: analysing the shipped glossary takes about half a second."""
        if self._expander is None:
            saved = self.index_dir / ANALYSED_SPELLINGS
            load_analysed(saved)
            known = known_spellings()
            glossary = self._glossary if self._glossary is not None else default_glossary()
            self._expander = Expander(glossary)
            if known < known_spellings():
                with contextlib.suppress(OSError):  # a read-only index: analyse next time too
                    save_analysed(saved)
        return self._expander

    def corrector(self, view: View) -> WordCorrector:
        """The typo corrections of query words from ``view``'s words (and the glossary's)."""
        return WordCorrector(view.lexicon(), self.expander.glossary)

    # -- searchers -----------------------------------------------------------------

    def searcher(self) -> Searcher:
        """This thread's Whoosh searcher of the local index (see :class:`LocalBackend`)."""
        return self._local_backend().searcher()

    def columnar(self, searcher: Searcher | None = None) -> ColumnarSearcher:
        """This thread's columnar searcher of the local index, over ``searcher``'s segments."""
        return self._local_backend().columnar(searcher)

    def _local_backend(self) -> LocalBackend:
        if not isinstance(self.backend, LocalBackend):
            raise TypeError("this engine searches a cluster, not a local index")
        return self.backend

    def close(self) -> None:
        """Close the calling thread's searcher and let every thread open a fresh one next time.

        ``dari serve`` calls it before it forks its workers, so that no process
        shares an open index file (and its file position) with another.
        """
        self.backend.close()

    # -- searching -------------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        page: int = 1,
        per_page: int = 10,
        lang: str | None = None,
        doc: str | None = None,
        match: str = "all",
        facets: bool = False,
        time_limit: float | None = None,
        xlang: bool = True,
        typo: bool = True,
        sort: str = "relevance",
    ) -> SearchResults:
        """Run a user query; raises :class:`QueryError` with a message for the user.

        The arguments are those of :class:`~search.request.SearchRequest`
        (validated there); ``xlang`` also searches the translations of the query's words (glossary
        and romanization, weighted below the words themselves), ``typo`` the corrections of
        the words the index does not hold (:mod:`search.typos`); both are listed in
        ``SearchResults.expansions``.

        ``time_limit`` (seconds; the engine's own by default) bounds the whole
        search: the page of hits, the any-word fallback and the facet counts
        share it.  Past it the answer holds what was found until then and says so.
        """
        request = SearchRequest(
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
        return self.run(request, facets=facets, time_limit=time_limit)

    def run(
        self, request: SearchRequest, *, facets: bool = False, time_limit: float | None = None
    ) -> SearchResults:
        """Run a validated :class:`~search.request.SearchRequest` (see :meth:`search`)."""
        q, page, per_page = request.q, request.page, request.per_page
        lang, doc, match = request.lang, request.doc, request.match
        # made (on first use) before the clock starts: it is set-up, not this search
        expander = self.expander if request.xlang else None
        started = time.perf_counter()
        budget = self.time_limit if time_limit is None else max(0.0, time_limit)
        deadline = started + budget
        view = self.backend.view()
        parsed = parse_query(q, expander, self.corrector(view) if request.typo else None)
        if isinstance(parsed.any_query, FeedbackQuery):
            parsed.any_query.deadline = deadline
            parsed.any_query.ranking = self.ranking
        if lang:
            parsed.langs.add(lang)
        if doc:
            parsed.docs.add(doc)
        for doc_id in parsed.docs | parsed.not_docs:
            if not view.has_document(doc_id):
                raise QueryError(Message("No document with id '%(id)s'.", id=doc_id))
        fallback = False
        wanted = parsed.any_query if match == "any" else parsed.query
        final = _restrict(wanted, parsed)
        sort = request.sort
        dates = self._dates(view) if sort == "date" else None
        hits = view.page(
            PageRequest(parsed, final, page, per_page, deadline, facets, sort=sort, dates=dates)
        )
        partial = hits.partial
        if hits.total == 0 and not partial and match == "all" and parsed.can_fall_back:
            fallback = True
            final = _restrict(parsed.any_query, parsed)
            hits = view.page(
                PageRequest(parsed, final, page, per_page, deadline, facets, hits, sort, dates)
            )
            partial = hits.partial
            parsed.notes.insert(
                0, Message("No paragraph has all the words; showing those with any.")
            )
        if partial:
            parsed.notes.append(
                hits.partial_note
                or Message(
                    "The search was stopped after %(seconds)s s; "
                    "these are the results found until then.",
                    seconds=f"{budget:g}",
                )
            )
        # Whoosh answers a page past the end with the last page; we answer nothing.
        in_range = (page - 1) * per_page < hits.total
        results = []
        if in_range:
            for hit, score in hits.page:
                results.append(self._result(view.entry(hit), score, parsed, view, hit))
        out = SearchResults(
            query=parsed.text,
            total=hits.total,
            page=page,
            per_page=per_page,
            took_ms=0.0,
            fallback=fallback,
            results=results,
            notes=parsed.notes,
            expansions=list(parsed.expansions),
            partial=partial,
        )
        if facets and not partial and hits.facets is not None:  # counted with the page
            out.facets = hits.facets
        out.took_ms = (time.perf_counter() - started) * 1000
        return out

    def _result(
        self,
        hit: Mapping[str, Any],
        score: float,
        parsed: ParsedQuery,
        view: View | None = None,
        ref: Hashable | None = None,
    ) -> Result:
        text = hit[TEXT_FIELD]
        doc_id, n = hit[DOC_ID_FIELD], hit["n"]
        spans = self._spans(text, parsed, view, ref)
        translated: frozenset[tuple[int, int]] = frozenset()
        if spans and parsed.typed is not None:
            typed = self._spans(text, parsed.typed, view, ref)
            translated = translation_spans(spans, typed)
        counterpart = None
        if view is not None:
            counterpart = _counterpart(view, doc_id, stored_counterpart(hit))
        return Result(
            doc_id=doc_id,
            title=hit[TITLE_FIELD],
            paragraph=n,
            lang=hit[LANG_FIELD],
            score=round(score, 4),
            text=text,
            snippet=snippet_html(text, spans, translated=translated),
            url=paragraph_url(doc_id, n),
            counterpart=counterpart,
            page=hit.get(PAGE_FIELD),
        )

    @staticmethod
    def _spans(
        text: str, parsed: ParsedQuery, view: View | None, ref: Hashable | None
    ) -> list[tuple[int, int]]:
        """What of ``text`` ``parsed`` matches: from the offsets kept at index time where
        the backend kept them, else by analysing the text."""
        if view is not None and ref is not None:
            spans = view.spans(ref, parsed)
            if spans is not None:
                return spans
        return highlight_spans(text, parsed.terms, parsed.phrases)

    # -- documents ------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        return self.backend.view().has_document(doc_id)

    def documents(self) -> list[DocumentInfo]:
        """Every indexed document, in id order."""
        out = []
        for fields_ in self.backend.view().document_records():
            # a document's info is its stored meta plus its id
            out.append(DocumentInfo(doc_id=fields_[DOC_ID_FIELD], **asdict(stored_meta(fields_))))
        return sorted(out, key=lambda d: d.doc_id)

    def document_info(self, doc_id: str) -> DocumentInfo | None:
        """One document's stored info (its file's name, title, counts); None if unknown."""
        record = self.backend.view().document_record(doc_id)
        if record is None:
            return None
        return DocumentInfo(doc_id=doc_id, **asdict(stored_meta(record)))

    def document(
        self,
        doc_id: str,
        q: str | None = None,
        time_limit: float | None = None,
        xlang: bool = True,
        typo: bool = True,
    ) -> DocumentView | None:
        """One document's paragraphs in order, with ``q``'s matches marked; None if unknown.

        Marking re-analyses every paragraph, which takes seconds for a document
        of many megabytes: past ``time_limit`` (the engine's by default) the
        remaining paragraphs are shown unmarked and ``notes`` says so.  ``xlang`` and
        ``typo`` mark the translations and corrections that the search found too.
        """
        budget = self.time_limit if time_limit is None else max(0.0, time_limit)
        deadline = time.perf_counter() + budget
        index = self.backend.view()
        record = index.document_record(doc_id)
        if record is None:
            return None
        terms: set[str] = set()
        phrases: list[list[str]] = []
        typed: ParsedQuery | None = None  # what was typed, when translations were searched too
        if q:
            try:
                corrector = self.corrector(index) if typo else None
                parsed = parse_query(q, self.expander if xlang else None, corrector)
                terms, phrases = parsed.terms, parsed.phrases
                typed = parsed.typed
            except QueryError:
                pass  # a document is still worth showing without marks
        paragraphs = index.document_paragraphs(doc_id)
        views = []
        marking = bool(terms or phrases)
        marked_up_to = None
        for p in paragraphs:
            if marking and time.perf_counter() >= deadline:
                marking, marked_up_to = False, p["n"] - 1
            spans = highlight_spans(p[TEXT_FIELD], terms, phrases) if marking else []
            translated: frozenset[tuple[int, int]] = frozenset()
            if spans and typed is not None:
                own = highlight_spans(p[TEXT_FIELD], typed.terms, typed.phrases)
                translated = translation_spans(spans, own)
            counterpart = stored_counterpart(p)
            views.append(
                ParagraphView(
                    p["n"],
                    p[LANG_FIELD],
                    p[TEXT_FIELD],
                    mark_html(p[TEXT_FIELD], spans, translated=translated),
                    StoredCounterpart(
                        paragraphs=list(counterpart.paragraphs), lang=counterpart.lang
                    )
                    if counterpart
                    else None,
                    p.get(PAGE_FIELD),
                )
            )
        meta = stored_meta(record)
        view = DocumentView(
            doc_id, meta.title, views, author=meta.author, date=meta.date, pages=meta.pages
        )
        if marked_up_to is not None:
            seconds = f"{budget:g}"
            view.notes.append(
                Message(
                    "Matches are marked in paragraphs 1–%(last)s only: "
                    "marking was stopped after %(seconds)s s.",
                    last=marked_up_to,
                    seconds=seconds,
                )
                if marked_up_to
                else Message(
                    "Matches are marked nowhere: marking was stopped after %(seconds)s s.",
                    seconds=seconds,
                )
            )
        return view

    def stats(self) -> dict[str, int]:
        """How many documents and paragraphs the index holds."""
        return self.backend.view().stats()

    def status(self) -> IndexStatus:
        """What the index holds, where it is, and what its last build or reindex did."""
        view = self.backend.view()
        counts = view.stats()
        info = self.backend.info()
        return IndexStatus(
            documents=counts["documents"],
            paragraphs=counts["paragraphs"],
            languages=dict(sorted(view.languages().items(), key=lambda kv: -kv[1])),
            backend=info.backend,
            location=info.location,
            generation=info.generation,
            size_bytes=info.size_bytes,
            last_run=info.last_run,
        )

    # -- search as you type --------------------------------------------------------------

    def complete(self, q: str, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
        """What to suggest while ``q`` is being typed: completions of its last word, titles
        and glossary terms (see :mod:`search.completion`)."""
        view = self.backend.view()
        found = complete(view.lexicon(), q, self._titles(view), self.expander.glossary, limit)
        for suggestion in found:
            if suggestion.doc_id is not None:
                suggestion.url = document_url(suggestion.doc_id)
        return found

    def _titles(self, view: View) -> list[tuple[str, str]]:
        """Every document's (id, title), sorted (see :meth:`_documents`)."""
        return self._documents(view)[0]

    def _dates(self, view: View) -> dict[str, int]:
        """Each dated document's date (20240131) by id (see :meth:`_documents`)."""
        return self._documents(view)[1]

    def _documents(self, view: View) -> tuple[list[tuple[str, str]], dict[str, int]]:
        """Every document's (id, title) and each dated one's date, from one read of the
        document records per version of the index."""
        version = view.version()
        kept = self._documents_kept
        if kept is None or kept[0] != version:
            titles, dates = [], {}
            for record in view.document_records():
                doc_id, meta = record[DOC_ID_FIELD], stored_meta(record)
                titles.append((doc_id, meta.title))
                date = meta.date.replace("-", "")
                if date.isdigit():
                    dates[doc_id] = int(date)
            kept = self._documents_kept = (version, sorted(titles), dates)
        return kept[1], kept[2]

    # -- spelling ------------------------------------------------------------------------

    def did_you_mean(
        self,
        request: SearchRequest,
        results: SearchResults,
        time_limit: float | None = None,
    ) -> str | None:
        """The "did you mean" of a search that found ``results`` for ``request``: looked
        for when it found fewer than :data:`SUGGEST_BELOW` paragraphs or fell back to
        any word (see :meth:`suggest`); the pages, the API and ``dari search`` show it."""
        if not (results.total < SUGGEST_BELOW or results.fallback):
            return None
        return self.suggest(
            request.q,
            lang=request.lang,
            doc=request.doc,
            match=request.match,
            xlang=request.xlang,
            typo=request.typo,
            time_limit=time_limit,
            before=results,  # so the suggestion costs at most one more search
        )

    def suggest(
        self,
        q: str,
        *,
        lang: str | None = None,
        doc: str | None = None,
        match: str = "all",
        time_limit: float | None = None,
        xlang: bool = True,
        typo: bool = True,
        before: SearchResults | None = None,
    ) -> str | None:
        """A corrected query ("did you mean") that finds more than ``q``, else None.

        Words unknown to the index are replaced by their closest indexed
        neighbours (see :mod:`search.spelling`).  The suggestion is returned only
        when it finds more paragraphs than ``q`` with the same filters, or finds
        paragraphs with all the words where ``q`` needed the any-word fallback.
        Never raises for a bad query: there is then nothing to suggest.  Its
        searches share ``time_limit`` (the engine's by default); when it runs
        out there is no suggestion.  ``before``, the results of ``q`` with these
        options when the caller has them, saves searching ``q`` again: then a
        suggestion costs at most one more search, and none when every word is known.
        """
        deadline = time.perf_counter() + (self.time_limit if time_limit is None else time_limit)
        options: _SuggestOptions = {
            "per_page": 1,
            "lang": lang,
            "doc": doc,
            "match": match,
            "xlang": xlang,
            "typo": typo,
        }
        try:
            if before is None:
                before = self.search(q, **options, time_limit=deadline - time.perf_counter())
            if before.partial or time.perf_counter() >= deadline:
                return None  # the counts to compare may be cut short
            candidate = suggest_query(self.backend.view().lexicon(), q)
            if candidate is None:
                return None
            after = self.search(candidate, **options, time_limit=deadline - time.perf_counter())
            if time.perf_counter() >= deadline:
                return None
        except QueryError:
            return None
        if after.total == 0:
            return None
        if (before.fallback and not after.fallback) or (
            after.fallback == before.fallback and after.total > before.total
        ):
            return candidate
        return None


def document_url(doc_id: str) -> str:
    """The address of a document's page."""
    return f"/doc/{doc_id}"


def paragraph_url(doc_id: str, n: int) -> str:
    """The address of paragraph ``n`` of a document (its anchor on the document page)."""
    return f"{document_url(doc_id)}#p{n}"


def _counterpart(view: View, doc_id: str, value: Counterpart | None) -> ResultCounterpart | None:
    """A result's ``counterpart``: the translating paragraph(s) with their text and address.

    ``paragraph`` is the first one, ``paragraphs`` all of them (two for a 1–2
    link) and ``text`` their texts joined by a blank line.
    """
    if value is None:
        return None
    texts = []
    for n in value.paragraphs:
        text = view.paragraph_text(doc_id, n)
        if text is None:
            return None
        texts.append(text)
    return ResultCounterpart(
        paragraph=value.first,
        paragraphs=list(value.paragraphs),
        lang=value.lang,
        text="\n\n".join(texts),
        url=paragraph_url(doc_id, value.first),
    )


def _restrict(q: wq.Query | None, parsed: ParsedQuery) -> wq.Query:
    """Add the lang:/doc: filters, and keep only paragraph entries."""
    parts: list[wq.Query] = []
    if q is None:
        parts.append(wq.Term(KIND_FIELD, PARAGRAPH_KIND))
    elif isinstance(q, wq.Not):  # only exclusions: every paragraph but those
        parts.append(wq.AndNot(wq.Term(KIND_FIELD, PARAGRAPH_KIND), q.query))
    else:
        parts.append(q)
    if parsed.langs:
        parts.append(wq.Or([wq.Term(LANG_FIELD, v) for v in sorted(parsed.langs)]))
    if parsed.docs:
        parts.append(wq.Or([wq.Term(DOC_ID_FIELD, v) for v in sorted(parsed.docs)]))
    final = parts[0] if len(parts) == 1 else wq.And(parts)
    excluded = [wq.Term(LANG_FIELD, v) for v in sorted(parsed.not_langs)]
    excluded += [wq.Term(DOC_ID_FIELD, v) for v in sorted(parsed.not_docs)]
    if excluded:
        final = wq.AndNot(final, wq.Or(excluded))
    return final
