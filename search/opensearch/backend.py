"""The cluster as a backend of :class:`search.engine.Engine` (see :mod:`search.backend`).

A :class:`ClusterView` resolves the alias once, so one search reads one index
even while a rebuild moves the alias.  Queries are compiled (:mod:`.queries`);
the paragraphs that mention the query themselves and the feedback pass work as
locally, with the cluster's counts; results are shown and highlighted from what
each entry keeps (:mod:`.documents`).
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.query.wrappers import WrappingQuery

from search.backend import IndexInfo, Page, PageRequest, mention_clauses
from search.feedback import FEEDBACK_FIELD, FeedbackQuery
from search.opensearch.client import cluster_errors, connect, index_names, live_index
from search.opensearch.documents import STORED, tokens_of
from search.opensearch.lexicon import ClusterLexicon
from search.opensearch.queries import compile_query
from search.opensearch.search import every_hit, newest_first_page, search_page
from search.query import ParsedQuery
from search.records import (
    COUNTERPART_FIELD,
    DOC_ID_FIELD,
    DOCUMENT_KIND,
    KIND_FIELD,
    LANG_FIELD,
    META_FIELD,
    NUMBER_FIELD,
    PAGE_FIELD,
    PARAGRAPH_KIND,
    TEXT_FIELD,
    TITLE_FIELD,
    paragraph_key,
)
from search.results import spans_of_words
from search.settings import RankingSettings, Settings

if TYPE_CHECKING:
    from search.indexing.reindex import ReindexReport

__all__ = ["ClusterBackend", "ClusterView"]


class ClusterBackend:
    """Dari's alias on the cluster of ``settings``, searched with ``ranking``."""

    def __init__(self, settings: Settings, ranking: RankingSettings | None = None) -> None:
        self.settings = settings
        self.ranking = ranking or settings.ranking
        self._client: Any = None
        self.alias, _ = index_names(settings)
        #: what did-you-mean and typo tolerance worked out from the index's words
        #: (search.opensearch.lexicon), for the index's latest version only
        self.remembered: dict[Hashable, dict[Hashable, Any]] = {}

    def view(self) -> ClusterView:
        with cluster_errors(self.settings.opensearch_url):
            index = live_index(self.client, self.alias)
        return ClusterView(self, index)

    def info(self) -> IndexInfo:
        from search.opensearch.indexing import cluster_last_run

        with cluster_errors(self.settings.opensearch_url):
            index = live_index(self.client, self.alias)
            stats = self.client.indices.stats(index=index, metric="store")
            size = stats["indices"][index]["primaries"]["store"]["size_in_bytes"]
            return IndexInfo(
                "opensearch", self.alias, index, size, cluster_last_run(self.client, index)
            )

    def reindex(
        self, docs_dir: Path, wait: bool = False, on_change: Callable[[str], None] | None = None
    ) -> ReindexReport:
        from search.opensearch.reindex import reindex_cluster

        return reindex_cluster(docs_dir, self.settings, wait=wait, on_change=on_change)

    @property
    def client(self) -> Any:
        """The cluster's client, connected on first use (again after :meth:`close`: a
        server closes it before forking its workers, and each worker connects itself)."""
        if self._client is None:
            self._client = connect(self.settings)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` with the client's errors as :class:`ClusterUnavailable` (see cluster_errors)."""

    @functools.wraps(method)
    def guarded(self: ClusterView, *args: Any, **kwargs: Any) -> Any:
        with cluster_errors(self.backend.settings.opensearch_url):
            return method(self, *args, **kwargs)

    return guarded


class ClusterView:
    """One search's look at the cluster: the index behind the alias when it began."""

    def __init__(self, backend: ClusterBackend, index: str) -> None:
        self.backend, self.client, self.index = backend, backend.client, index
        self.ranking = backend.ranking
        #: the sources of the entries this view has read, by key
        self._sources: dict[str, dict[str, Any]] = {}
        #: the last query's mentions filter (see _mentions)
        self._mentions_of: tuple[ParsedQuery, dict[str, Any] | None] | None = None

    # -- counts ---------------------------------------------------------------------------

    def count(self, query: Mapping[str, Any]) -> int:
        return int(self.client.count(index=self.index, body={"query": query})["count"])

    def doc_frequencies(self, fieldname: str, words: Iterable[str]) -> dict[str, int]:
        """How many entries hold each of ``words`` in ``fieldname`` (one request: a filters
        aggregation over the entries holding any of them)."""
        words = sorted(set(words))
        if not words:
            return {}
        body = {
            "size": 0,
            "query": {"terms": {fieldname: words}},
            "aggs": {
                "words": {
                    "filters": {
                        "filters": {str(i): {"term": {fieldname: w}} for i, w in enumerate(words)}
                    }
                }
            },
        }
        buckets = self.client.search(index=self.index, body=body)["aggregations"]["words"]
        return {w: int(buckets["buckets"][str(i)]["doc_count"]) for i, w in enumerate(words)}

    # -- the View protocol ------------------------------------------------------------------

    @_guarded
    def has_document(self, doc_id: str) -> bool:
        return bool(self.client.exists(index=self.index, id=doc_id))

    @_guarded
    def page(self, r: PageRequest) -> Page:
        parsed, q, page, per_page = r.parsed, r.query, r.page, r.per_page
        deadline, facets = r.deadline, r.facets
        query = compile_query(q, self.ranking, self._expand)
        mentions = self._mentions(parsed)
        if mentions is not None:  # only paragraphs that mention the query themselves
            query = {"bool": {"must": [query], "filter": [mentions]}}
        seconds = max(0.001, deadline - time.perf_counter())
        if r.sort == "date":
            found = newest_first_page(
                self.client, self.index, query, page, per_page, r.dates or {}, facets, seconds
            )
        else:
            found = search_page(
                self.client,
                self.index,
                query,
                page,
                per_page,
                facets=facets,
                seconds=seconds,
                in_document_order=r.sort == "document",
            )
        for key, _, source in found.hits:
            self._sources[key] = source
        return Page(
            total=found.total,
            page=[(key, score) for key, score, _ in found.hits],
            facets=found.facets,
            partial=found.partial,
            partial_note=found.note,
        )

    @_guarded
    def entry(self, hit: Hashable) -> Mapping[str, Any]:
        key = str(hit)
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = self.client.get(index=self.index, id=key)["_source"]
        return _stored_fields(source)

    def spans(self, hit: Hashable, parsed: ParsedQuery) -> list[tuple[int, int]] | None:
        source = self._sources.get(str(hit))
        if source is None or TEXT_FIELD not in source:
            return None
        words = tokens_of(source[TEXT_FIELD], source[STORED].get("text_offsets", []))
        return spans_of_words(words, parsed.terms, parsed.phrases)

    @_guarded
    def paragraph_text(self, doc_id: str, n: int) -> str | None:
        # 503: no copy of its shard answers now (a node lost): shown without it
        found = self.client.get(index=self.index, id=paragraph_key(doc_id, n), ignore=[404, 503])
        if not found.get("found"):
            return None
        return str(found["_source"][STORED].get(TEXT_FIELD, ""))

    @_guarded
    def document_record(self, doc_id: str) -> Mapping[str, Any] | None:
        found = self.client.get(index=self.index, id=doc_id, ignore=404)
        if not found.get("found") or found["_source"].get(KIND_FIELD) != DOCUMENT_KIND:
            return None
        return _stored_fields(found["_source"])

    @_guarded
    def document_paragraphs(self, doc_id: str) -> list[Mapping[str, Any]]:
        query = {
            "bool": {
                "filter": [{"term": {DOC_ID_FIELD: doc_id}}, {"term": {KIND_FIELD: PARAGRAPH_KIND}}]
            }
        }
        return [_stored_fields(s) for s in self._every(query, [{NUMBER_FIELD: "asc"}])]

    @_guarded
    def document_records(self) -> Iterable[Mapping[str, Any]]:
        query = {"term": {KIND_FIELD: DOCUMENT_KIND}}
        return [_stored_fields(s) for s in self._every(query, [{DOC_ID_FIELD: "asc"}])]

    @_guarded
    def stats(self) -> dict[str, int]:
        return {
            "documents": self.count({"term": {KIND_FIELD: DOCUMENT_KIND}}),
            "paragraphs": self.count({"term": {KIND_FIELD: PARAGRAPH_KIND}}),
        }

    @_guarded
    def languages(self) -> dict[str, int]:
        body = {
            "size": 0,
            "query": {"term": {KIND_FIELD: PARAGRAPH_KIND}},
            "aggs": {"langs": {"terms": {"field": LANG_FIELD, "size": 10}}},
        }
        answer = self.client.search(index=self.index, body=body)
        return {b["key"]: b["doc_count"] for b in answer["aggregations"]["langs"]["buckets"]}

    @_guarded
    def version(self) -> Hashable:
        """The index and how many writes its primary shards have taken (and deleted)."""
        stats = self.client.indices.stats(index=self.index, metric="docs,indexing")
        primaries = stats["indices"][self.index]["primaries"]
        return (
            self.index,
            primaries["docs"]["count"],
            primaries["docs"]["deleted"],
            primaries["indexing"]["index_total"],
        )

    def lexicon(self) -> ClusterLexicon:
        return ClusterLexicon(self)

    # -- helpers ----------------------------------------------------------------------------

    def _mentions(self, parsed: ParsedQuery) -> dict[str, Any] | None:
        """The filter of the paragraphs that mention ``parsed`` themselves (None: no title
        holds a query word), worked out once per search: the any-word fallback's page
        asks again.  The titles' counts of the query's words come in one request."""
        if self._mentions_of is not None and self._mentions_of[0] is parsed:
            return self._mentions_of[1]
        words = parsed.terms.union(*parsed.phrases)
        in_titles = self.doc_frequencies(TITLE_FIELD, words)
        clauses = mention_clauses(parsed, lambda _field, word: in_titles.get(word, 0))
        found = None
        if clauses is not None:
            should = [compile_query(c, self.ranking) for c in clauses]
            found = {"bool": {"should": should, "minimum_should_match": 1}}
        self._mentions_of = (parsed, found)
        return found

    def _every(self, query: Mapping[str, Any], sort: list[dict[str, str]]) -> list[dict[str, Any]]:
        """The sources of every entry ``query`` matches, in ``sort`` order."""
        hits = every_hit(self.client, self.index, query, [*sort, {"_id": "asc"}])
        return [hit["_source"] for hit in hits]

    def _expand(self, node: WrappingQuery) -> wq.Query:
        """The feedback pass on the cluster: the child's best paragraphs, their words and
        the cluster's counts of them, weighed as locally (:mod:`search.feedback`)."""
        if not isinstance(node, FeedbackQuery):
            return node.child
        child = compile_query(node.child, self.ranking)
        counts: dict[Hashable, list[tuple[str, int]]] = {}

        def best(k: int) -> list[tuple[Hashable, float]]:
            found = search_page(self.client, self.index, child, 1, k)
            for key, _, source in found.hits:
                words = tokens_of(
                    source.get(TEXT_FIELD, ""), source[STORED].get("text_offsets", [])
                )
                counts[key] = list(Counter(w[0] for w in words).items())
            return [(key, score) for key, score, _ in found.hits]

        frequencies: dict[str, int] = {}

        def doc_frequency(word: str) -> int:
            if word not in frequencies:
                wanted = {w for pairs in counts.values() for w, _ in pairs} - set(frequencies)
                frequencies.update(self.doc_frequencies(FEEDBACK_FIELD, wanted | {word}))
            return frequencies[word]

        paragraphs = self.count({"term": {KIND_FIELD: PARAGRAPH_KIND}})
        return node.expanded_by(self, best, lambda key: counts[key], doc_frequency, paragraphs)


def _stored_fields(source: Mapping[str, Any]) -> dict[str, Any]:
    """A cluster entry as the local index's stored fields (what results are made from)."""
    stored = source.get(STORED, {})
    out: dict[str, Any] = {
        name: source[name]
        for name in ("key", KIND_FIELD, DOC_ID_FIELD, NUMBER_FIELD, "lang")
        if name in source
    }
    for name in (TEXT_FIELD, TITLE_FIELD, META_FIELD, COUNTERPART_FIELD, PAGE_FIELD):
        if name in stored:
            out[name] = stored[name]
    return out
