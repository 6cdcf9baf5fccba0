"""Dari's query trees as OpenSearch's query DSL.

The parser (:mod:`search.query`) makes Whoosh query objects; the local index
evaluates them (:mod:`search.columnar.evaluate`), and the cluster evaluates the
same tree compiled here.  Each node keeps the meaning and the scoring shape it
has locally:

* a term is a ``term`` query, its field's weight (``RankingSettings.field_weights``)
  and its own boost as the boost; a term of a field that is not scored (an id, a
  kind, a language) scores its boost, as Whoosh's weight of such a field does;
* a phrase (adjacent words) matches as ``span_near`` (slop 0, in order) in a
  filter, and scores as the sum of its words' term scores, as the columnar path
  scores it;
* ``And`` is ``bool.must``, ``Or`` ``bool.should`` (one at least), ``AndNot`` a
  ``must_not``, ``AndMaybe`` a ``must`` with an optional ``should``, ``Not``
  everything but its query (score 1).

A wrapping query (the feedback pass, :class:`search.feedback.FeedbackQuery`) is
opened before compiling: see :func:`compile_query`'s ``expand``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq
from whoosh.query.wrappers import WrappingQuery

from search.columnar.store import SCORED_FIELDS
from search.settings import RankingSettings

__all__ = ["MATCH_NOTHING", "compile_query"]

#: A query that matches no entry.
MATCH_NOTHING: dict[str, Any] = {"match_none": {}}


def compile_query(
    q: wq.Query,
    ranking: RankingSettings | None = None,
    expand: Callable[[WrappingQuery], wq.Query] | None = None,
) -> dict[str, Any]:
    """The DSL of ``q``.  ``expand`` opens a wrapping query into the one to run in its
    place (by default its child); raises :class:`TypeError` for a node Dari never makes."""
    weights = (ranking or RankingSettings()).field_weights

    def term(fieldname: str, text: str, boost: float) -> dict[str, Any]:
        if fieldname not in SCORED_FIELDS:  # an id, a kind, a language: scores its boost
            return {"constant_score": {"filter": {"term": {fieldname: text}}, "boost": boost}}
        return {"term": {fieldname: {"value": text, "boost": boost * weights.get(fieldname, 1.0)}}}

    def compiled(node: wq.Query) -> dict[str, Any]:
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return MATCH_NOTHING
        if isinstance(node, wq.Term):
            return term(node.fieldname, str(node.text), node.boost)
        if isinstance(node, wq.Phrase):
            return phrase(node)
        if isinstance(node, wq.AndNot):
            return {"bool": {"must": [compiled(node.a)], "must_not": [compiled(node.b)]}}
        if isinstance(node, wq.AndMaybe):
            return {"bool": {"must": [compiled(node.a)], "should": [compiled(node.b)]}}
        if isinstance(node, wq.Not):
            return {
                "bool": {
                    "must": [{"match_all": {}}],
                    "must_not": [compiled(node.query)],
                }
            }
        if isinstance(node, (wq.And, wq.Or)):
            if isinstance(node, wq.Or) and (node.minmatch or node.scale):
                raise TypeError("Or(minmatch=, scale=) is not compiled")
            subs = node.subqueries
            if not subs:
                return MATCH_NOTHING
            if len(subs) == 1:  # Whoosh: the compound's own boost is not applied
                return compiled(subs[0])
            parts = [compiled(sub) for sub in subs]
            boost = {"boost": node.boost} if node.boost != 1.0 else {}
            if isinstance(node, wq.And):
                return {"bool": {"must": parts, **boost}}
            return {"bool": {"should": parts, "minimum_should_match": 1, **boost}}
        if isinstance(node, WrappingQuery):
            return compiled(expand(node) if expand is not None else node.child)
        raise TypeError(f"the cluster cannot evaluate {type(node).__name__}")

    def phrase(node: wq.Phrase) -> dict[str, Any]:
        if node.slop != 1:
            raise TypeError("only phrases of adjacent words are compiled")
        words = [str(w) for w in node.words]
        if not words:
            return MATCH_NOTHING
        scores = [term(node.fieldname, w, node.boost) for w in words]
        if len(words) == 1:
            return scores[0]
        near = {
            "span_near": {
                "clauses": [{"span_term": {node.fieldname: w}} for w in words],
                "slop": 0,
                "in_order": True,
            }
        }
        return {"bool": {"filter": [near], "must": scores}}

    return compiled(q)
