"""The cluster index's settings and mappings: analyzers that only split Dari's tokens."""

from __future__ import annotations

from typing import Any

from whoosh.util.numeric import byte_to_length

from search.opensearch.documents import ALTERNATIVES, STORED, WORDS
from search.records import (
    BIGRAM_FIELD,
    DOC_ID_FIELD,
    KEY_FIELD,
    KIND_FIELD,
    LANG_FIELD,
    NUMBER_FIELD,
    PAIR_FIELD,
    SCORED_FIELDS,
    TEXT_FIELD,
    TITLE_FIELD,
)
from search.request import MAX_PAGE, MAX_PER_PAGE
from search.settings import RankingSettings

__all__ = [
    "SIMILARITY",
    "WORDS_MAPPING",
    "ensure_words_field",
    "index_body",
    "scoring_outdated",
    "similarity_of",
]

#: The similarity of every scored field: Dari's BM25 (:mod:`search.scoring`), scripted.
SIMILARITY = "dari_bm25"
#: The paragraphs' words: doc values only (aggregated, never searched).
WORDS_MAPPING = {"type": "keyword", "index": False}

#: :func:`search.scoring.idf` over the paragraphs (every paragraph holds one :data:`MARKER`
#: in every scored field, so a field's document count is the number of paragraphs), times
#: the field's weight (the query's boost), by :attr:`RankingSettings.idf`.
_IDF = {
    "bm25": "double df = Math.min(term.docFreq, field.docCount);"
    " return query.boost * Math.log(1.0 + (field.docCount - df + 0.5) / (df + 0.5));",
    "whoosh": "return query.boost * (Math.log(field.docCount / (term.docFreq + 1.0)) + 1.0);",
}


#: The lengths Whoosh keeps a field's length as (one byte each, ascending): a length is read
#: back as the first of them at least as long (``byte_to_length(length_to_byte(n))``).
WHOOSH_LENGTHS = [byte_to_length(i) for i in range(256)]


def _whoosh_length(lo: int, hi: int) -> str:
    """A Painless expression of ``l`` rounded up to :data:`WHOOSH_LENGTHS` ``[lo:hi + 1]``:
    a binary search written out as nested comparisons (eight per paragraph scored; no
    array is made per call).  Lucene keeps lengths below 24 exactly and longer ones to
    about an eighth, so short paragraphs score on the cluster exactly as in Whoosh."""
    if lo == hi:
        return str(WHOOSH_LENGTHS[lo])
    mid = (lo + hi) // 2
    return (
        f"(l <= {WHOOSH_LENGTHS[mid]} ? {_whoosh_length(lo, mid)} : {_whoosh_length(mid + 1, hi)})"
    )


def _bm25(k1: float, b: float) -> str:
    """Whoosh's BM25 saturation with ``k1`` and ``b`` (a similarity script takes no
    parameters: they are written into it), the marker taken out of the lengths and the
    length rounded up to the one Whoosh keeps (:func:`_whoosh_length`)."""
    return (
        "double avgfl = (field.sumTotalTermFreq - field.docCount) / (double) field.docCount;"
        " if (avgfl <= 0) { avgfl = 1; }"
        " long l = (long) doc.length - 1;"
        f" double fl = {_whoosh_length(0, len(WHOOSH_LENGTHS) - 1)};"
        " double tf = doc.freq;"
        f" return weight * (tf * ({k1!r} + 1)) / (tf + {k1!r} * ((1 - {b!r}) + {b!r} * fl / avgfl));"
    )


def similarity_of(ranking: RankingSettings, name: str) -> str:
    """The similarity field ``name`` is scored with: :data:`SIMILARITY`, or one of its own
    where ``ranking`` gives it its own ``k1`` or ``b``."""
    if name in ranking.field_k1 or name in ranking.field_b:
        return f"{SIMILARITY}_{name}"
    return SIMILARITY


def index_body(
    ranking: RankingSettings | None = None, shards: int = 1, replicas: int = 0
) -> dict[str, Any]:
    """The body of the index-creation request.

    ``dari_positions`` splits a text field's tokens at whitespace and each token
    at :data:`~search.opensearch.documents.ALTERNATIVES` into terms that share
    its position (``pattern_capture`` emits every capture at the token's
    position); ``dari_terms`` splits at whitespace only.  Field lengths count
    every term, as Whoosh's do (``discount_overlaps`` off).
    """
    ranking = ranking or RankingSettings()
    other = "[^" + "\\" + ALTERNATIVES + "]+"
    similarities = {
        similarity_of(ranking, name): {
            "type": "scripted",
            "discount_overlaps": False,
            "weight_script": {"source": _IDF[ranking.idf]},
            "script": {
                "source": _bm25(
                    float(ranking.field_k1.get(name, ranking.k1)),
                    float(ranking.field_b.get(name, ranking.b)),
                )
            },
        }
        for name in SCORED_FIELDS
    }

    def scored(name: str, analyzer: str, index_options: str) -> dict[str, Any]:
        similarity = similarity_of(ranking, name)
        return dict(
            type="text", analyzer=analyzer, index_options=index_options, similarity=similarity
        )

    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            # a page as deep as a search request may ask for (search.request)
            "max_result_window": MAX_PAGE * MAX_PER_PAGE,
            "analysis": {
                "filter": {
                    "dari_alternatives": {
                        "type": "pattern_capture",
                        "preserve_original": False,
                        "patterns": [f"({other})"],
                    }
                },
                "analyzer": {
                    "dari_positions": {
                        "type": "custom",
                        "tokenizer": "whitespace",
                        "filter": ["dari_alternatives"],
                    },
                    "dari_terms": {"type": "custom", "tokenizer": "whitespace"},
                },
            },
            "similarity": similarities,
        },
        "mappings": {
            "dynamic": "strict",
            "_source": {"excludes": [BIGRAM_FIELD, PAIR_FIELD, WORDS]},
            "properties": {
                KEY_FIELD: {"type": "keyword"},
                KIND_FIELD: {"type": "keyword"},
                DOC_ID_FIELD: {"type": "keyword"},
                NUMBER_FIELD: {"type": "integer"},
                LANG_FIELD: {"type": "keyword"},
                TEXT_FIELD: scored(TEXT_FIELD, "dari_positions", "positions"),
                TITLE_FIELD: scored(TITLE_FIELD, "dari_positions", "positions"),
                BIGRAM_FIELD: scored(BIGRAM_FIELD, "dari_terms", "freqs"),
                PAIR_FIELD: scored(PAIR_FIELD, "dari_terms", "freqs"),
                WORDS: WORDS_MAPPING,
                STORED: {"type": "object", "enabled": False},
            },
        },
    }


def scoring_outdated(client: Any, index: str, ranking: RankingSettings) -> bool:
    """Whether ``index`` scores with other similarities than ``ranking``'s (an index built
    before a ranking change keeps the ones it was made with: only a new build changes them)."""
    found = client.indices.get_settings(index=index)[index]["settings"]["index"]
    wanted = index_body(ranking)["settings"]["similarity"]
    return _leaves(found.get("similarity", {})) != _leaves(wanted)


def _leaves(tree: Any, path: str = "") -> dict[str, str]:
    """A settings tree's values by path, as the cluster gives them back (text; "false")."""
    if isinstance(tree, dict):
        return {k: v for key, sub in tree.items() for k, v in _leaves(sub, f"{path}.{key}").items()}
    return {path: str(tree).lower() if isinstance(tree, bool) else str(tree)}


def ensure_words_field(client: Any, index: str) -> None:
    """Add the :data:`~search.opensearch.documents.WORDS` field to an index made before it
    existed (adding a field to a mapping is allowed; the same one again changes nothing),
    so that a reindex can write it.  The paragraphs written before hold none: initial-
    consonant search and completions list their words after the next full build."""
    client.indices.put_mapping(index=index, body={"properties": {WORDS: WORDS_MAPPING}})
