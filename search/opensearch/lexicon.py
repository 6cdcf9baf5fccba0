"""The cluster's words for "did you mean", typos and completions (:class:`search.spelling.Lexicon`).

Counts come from the cluster's postings (one filters aggregation for many
words); near words from its term suggester, which walks each shard's terms with a
Levenshtein automaton as Whoosh's corrector walks the local index's, and
ranks them the same way: fewest edits first, then most frequent.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from search.opensearch.client import cluster_errors
from search.opensearch.documents import STORED, WORDS
from search.records import TEXT_FIELD
from search.spelling import NearKey, WordPattern, remember

if TYPE_CHECKING:
    from search.opensearch.backend import ClusterView

__all__ = ["ClusterLexicon"]


class ClusterLexicon:
    """The words of the index a :class:`~search.opensearch.backend.ClusterView` reads."""

    batched = True

    def __init__(self, view: ClusterView) -> None:
        self.view = view
        self._remembered: MutableMapping[Hashable, Any] | None = None

    @property
    def remembered(self) -> MutableMapping[Hashable, Any]:
        """Kept by the backend between searches for the index's version (a reindex or a
        rebuild starts afresh): asked of the cluster once per view, on first use."""
        if self._remembered is None:
            with cluster_errors(self.view.backend.settings.opensearch_url):
                version = self.view.version()
            kept = self.view.backend.remembered
            if version not in kept:
                kept.clear()
                kept[version] = {}
            self._remembered = kept[version]
        return self._remembered

    def doc_frequencies(self, fieldname: str, terms: Collection[str]) -> dict[str, int]:
        with cluster_errors(self.view.backend.settings.opensearch_url):
            return self.view.doc_frequencies(fieldname, terms)

    def near(self, keys: Sequence[NearKey]) -> dict[NearKey, list[str]]:
        memo = self.remembered
        out = {k: memo[k] for k in keys if k in memo}
        wanted = [k for k in dict.fromkeys(keys) if k not in out]
        if wanted:
            body = {"suggest": {f"k{i}": _suggestion(k) for i, k in enumerate(wanted)}}
            answer = self._search({"size": 0, **body})
            for i, key in enumerate(wanted):
                options = [o for entry in answer["suggest"][f"k{i}"] for o in entry["options"]]
                out[key] = [o["text"] for o in options if o["text"] != key[0]]
                remember(memo, key, out[key])
        return out

    def texts(self, term: str, limit: int) -> list[str]:
        body = {"query": {"term": {TEXT_FIELD: term}}, "size": limit, "_source": [STORED]}
        hits = self._search(body)["hits"]["hits"]
        return [str(h["_source"].get(STORED, {}).get(TEXT_FIELD, "")) for h in hits]

    def words_like(self, pattern: WordPattern, limit: int) -> list[tuple[str, int]]:
        """A terms aggregation over the paragraphs' words (:data:`WORDS`, kept as doc values)
        with the pattern as its ``include`` expression; every shard counts many more than
        ``limit`` words, so that the most held are those of the whole index."""
        terms = {
            "field": WORDS,
            "include": pattern.regex(),
            "size": limit,
            "shard_size": max(100, limit * 10),
            "order": [{"_count": "desc"}, {"_key": "asc"}],
        }
        answer = self._search({"size": 0, "aggs": {"words": {"terms": terms}}})
        buckets = answer["aggregations"]["words"]["buckets"]
        return [(str(b["key"]), int(b["doc_count"])) for b in buckets]

    def _search(self, body: dict[str, Any]) -> Any:
        with cluster_errors(self.view.backend.settings.opensearch_url):
            return self.view.client.search(index=self.view.index, body=body)


def _suggestion(key: NearKey) -> dict[str, Any]:
    """The term suggester's request for ``key``: every indexed word within its edits."""
    term, maxdist, prefix, limit = key
    return {
        "text": term,
        "term": {
            "field": TEXT_FIELD,
            "analyzer": "dari_terms",  # the word as it is: one term
            "suggest_mode": "always",
            "sort": "score",  # fewest edits, then most frequent
            "string_distance": "levenshtein",
            "max_edits": max(1, min(maxdist, 2)),
            "prefix_length": prefix,
            "min_word_length": 1,
            "accuracy": 0.0,
            "size": limit,
            "shard_size": limit,
            "max_term_freq": 2**31 - 1,
        },
    }
