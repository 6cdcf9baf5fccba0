"""The cluster's words for "did you mean" (:class:`search.spelling.Lexicon`).

Counts come from the cluster's postings (one filters aggregation for many
words); near words from its term suggester, which walks each shard's terms with a
Levenshtein automaton as Whoosh's corrector walks the local index's, and
ranks them the same way: fewest edits first, then most frequent.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from search.opensearch.documents import STORED
from search.records import TEXT_FIELD
from search.spelling import NEAR_CACHE_TERMS, NearKey

if TYPE_CHECKING:
    from search.opensearch.backend import ClusterView

__all__ = ["ClusterLexicon"]


class ClusterLexicon:
    """The words of the index a :class:`~search.opensearch.backend.ClusterView` reads."""

    batched = True

    def __init__(self, view: ClusterView) -> None:
        self.view = view
        # kept by the backend between searches, by the index's version (a reindex or a
        # rebuild starts afresh)
        self._cache: dict[tuple[Hashable, NearKey], list[str]] = view.backend.near_terms
        self._version: Hashable = None

    def doc_frequencies(self, fieldname: str, terms: Collection[str]) -> dict[str, int]:
        return self.view.doc_frequencies(fieldname, terms)

    def near(self, keys: Sequence[NearKey]) -> dict[NearKey, list[str]]:
        index = self.view.index
        if self._version is None:
            self._version = self.view.version()
        version = self._version
        out = {k: self._cache[(version, k)] for k in keys if (version, k) in self._cache}
        wanted = [k for k in dict.fromkeys(keys) if k not in out]
        if wanted:
            body = {"suggest": {f"k{i}": _suggestion(k) for i, k in enumerate(wanted)}}
            answer = self.view.client.search(index=index, body={"size": 0, **body})
            for i, key in enumerate(wanted):
                options = [o for entry in answer["suggest"][f"k{i}"] for o in entry["options"]]
                out[key] = [o["text"] for o in options if o["text"] != key[0]]
                if len(self._cache) >= NEAR_CACHE_TERMS:
                    self._cache.clear()
                self._cache[(version, key)] = out[key]
        return out

    def texts(self, term: str, limit: int) -> list[str]:
        body = {"query": {"term": {TEXT_FIELD: term}}, "size": limit, "_source": [STORED]}
        hits = self.view.client.search(index=self.view.index, body=body)["hits"]["hits"]
        return [str(h["_source"].get(STORED, {}).get(TEXT_FIELD, "")) for h in hits]


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
