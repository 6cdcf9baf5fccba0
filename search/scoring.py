"""Ranking: BM25F counted over paragraphs, with per-field parameters.

Whoosh's stock BM25F takes the collection size and the average field length
from *every* index entry, and Dari's index holds one record per document
(``kind=d``, with no text) beside the paragraphs it ranks.  Those records make
every paragraph look longer than average (twice as long in a collection of
one-paragraph files) and add ``log 2`` to every idf, which flattens the
difference between rare and common words.  :class:`ParagraphBM25F` counts the
paragraphs only, weighs each field's BM25 score
(:attr:`search.settings.RankingSettings.field_weights`), takes each field's own
``k1`` and ``b`` where the settings give them, and its idf by
:attr:`~search.settings.RankingSettings.idf` (Lucene's by default: :func:`idf`).
"""

from __future__ import annotations

from math import log
from typing import Any

from whoosh import scoring

from search.records import KIND_FIELD, PARAGRAPH_KIND
from search.settings import RankingSettings

__all__ = ["ParagraphBM25F", "dari_weighting", "idf", "paragraph_count"]


class ParagraphBM25F(scoring.BM25F):
    """BM25F with N and the average field lengths taken over ``kind=p`` entries.

    ``B`` and ``K1`` are the defaults; ``<field>_B`` and ``<field>_K1`` keyword
    arguments set them per field; ``weights`` maps a field to the factor its
    score is multiplied by (1 for fields not in it).  Block-quality skipping is off: Whoosh bounds
    an AND by the *current* block of its other part, which need not cover the
    paragraph being skipped, and so can drop a paragraph from a top-k.
    """

    def __init__(
        self,
        B: float = 0.75,
        K1: float = 0.9,
        weights: dict[str, float] | None = None,
        idf: str = "bm25",
        **kwargs: float,
    ) -> None:
        super().__init__(B=B, K1=K1, **kwargs)
        self.idf_kind = idf
        self._field_K1 = {k[:-3]: v for k, v in kwargs.items() if k.endswith("_K1")}
        self.weights = dict(weights or {})

    def scorer(self, searcher: Any, fieldname: str, text: str, qf: int = 1) -> scoring.BaseScorer:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        K1 = self._field_K1.get(fieldname, self.K1)
        weight = self.weights.get(fieldname, 1.0)
        return _ParagraphScorer(
            searcher, fieldname, text, B, K1, qf=qf, weight=weight, kind=self.idf_kind
        )


class _ParagraphScorer(scoring.BM25FScorer):
    def __init__(
        self,
        searcher: Any,
        fieldname: str,
        text: str,
        B: float,
        K1: float,
        qf: int = 1,
        weight: float = 1.0,
        kind: str = "bm25",
    ) -> None:
        parent = searcher.get_parent()
        n = paragraph_count(parent)
        df = parent.doc_frequency(fieldname, text)
        self.idf = weight * idf(kind, n, df)
        self.avgfl = (parent.field_length(fieldname) / n) or 1
        self.B = B
        self.K1 = K1
        self.qf = qf
        self.setup(searcher, fieldname, text)

    def supports_block_quality(self) -> bool:
        return False


def idf(kind: str, paragraphs: int, df: int) -> float:
    """How much a word held by ``df`` of ``paragraphs`` entries is worth
    (:attr:`RankingSettings.idf`: "whoosh" or "bm25"; "bm25" is never below zero)."""
    if kind == "bm25":
        df = min(df, paragraphs)
        return log(1 + (paragraphs - df + 0.5) / (df + 0.5))
    return log(paragraphs / (df + 1)) + 1


def paragraph_count(searcher: Any) -> int:
    """Paragraph entries (``kind=p``) in the searcher's index, remembered per searcher."""
    count = getattr(searcher, "_dari_paragraphs", None)
    if count is None:
        count = searcher.doc_count()
        if KIND_FIELD in searcher.schema:
            count = searcher.doc_frequency(KIND_FIELD, PARAGRAPH_KIND) or count
        count = max(count, 1)
        searcher._dari_paragraphs = count
    return count


def dari_weighting(ranking: RankingSettings | None = None) -> ParagraphBM25F:
    """The weighting of a Dari searcher with ``ranking`` (the product's settings by default)."""
    ranking = ranking or RankingSettings()
    per_field = {f"{name}_B": b for name, b in ranking.field_b.items()}
    per_field.update({f"{name}_K1": k1 for name, k1 in ranking.field_k1.items()})
    return ParagraphBM25F(
        B=ranking.b,
        K1=ranking.k1,
        weights=dict(ranking.field_weights),
        idf=ranking.idf,
        **per_field,
    )
