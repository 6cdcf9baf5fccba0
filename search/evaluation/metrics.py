"""Ranking metrics: a ranking is a list of document ids, best first.

MRR@10, hit@k and nDCG@10 look at the first :data:`CUTOFF` documents, MAP at
the first :data:`MAP_DEPTH`; :func:`mean_metrics` averages them over queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search.evaluation.datasets import EvalQuery

__all__ = [
    "CUTOFF",
    "MAP_DEPTH",
    "average_precision",
    "hit_at",
    "mean_metrics",
    "metric_value",
    "ndcg_at",
    "reciprocal_rank",
]

#: Results looked at per query: MRR/hit/nDCG use the top 10, MAP the top 100.
CUTOFF = 10
MAP_DEPTH = 100


def reciprocal_rank(ranking: Sequence[str], relevant: Iterable[str], k: int = CUTOFF) -> float:
    """1/rank of the first relevant document within the top ``k``, else 0."""
    relevant = set(relevant)
    for rank, doc_id in enumerate(ranking[:k], 1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def hit_at(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1 if a relevant document is within the top ``k``, else 0."""
    relevant = set(relevant)
    return 1.0 if any(doc_id in relevant for doc_id in ranking[:k]) else 0.0


def ndcg_at(ranking: Sequence[str], gains: Mapping[str, float], k: int = CUTOFF) -> float:
    """nDCG@k with linear gains: sum(gain / log2(rank + 1)) over the ideal ordering's sum."""
    dcg = sum(gains.get(d, 0) / math.log2(rank + 1) for rank, d in enumerate(ranking[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def average_precision(ranking: Sequence[str], relevant: Iterable[str]) -> float:
    """Mean of precision@rank at each relevant document retrieved, over all relevant ones."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc_id in enumerate(ranking, 1):
        if doc_id in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def metric_value(metric: str, ranking: Sequence[str], query: EvalQuery) -> float:
    """One metric (a name of ``Benchmark.metrics``) of one query's ranking."""
    if metric == "MRR@10":
        return reciprocal_rank(ranking, query.relevant, CUTOFF)
    if metric == "hit@1":
        return hit_at(ranking, query.relevant, 1)
    if metric == "hit@10":
        return hit_at(ranking, query.relevant, CUTOFF)
    if metric == "nDCG@10":
        return ndcg_at(ranking, query.relevant, CUTOFF)
    if metric == "MAP":
        return average_precision(ranking[:MAP_DEPTH], query.relevant)
    raise ValueError(f"unknown metric {metric!r}")


def mean_metrics(
    metrics: Sequence[str], rankings: Mapping[int, Sequence[str]], queries: Sequence[EvalQuery]
) -> dict[str, float]:
    """Each metric averaged over ``queries`` (a missing ranking counts as an empty one)."""
    out = {}
    for metric in metrics:
        values = [metric_value(metric, rankings.get(q.number, []), q) for q in queries]
        out[metric] = sum(values) / len(values) if values else 0.0
    return out
