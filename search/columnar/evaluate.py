"""Whoosh query trees evaluated on a segment's columnar form: array arithmetic, not a loop per posting.

Each node gives a :class:`Match`: the segment's matching document numbers
(ascending, unique) and their scores.  The semantics are Whoosh's, so that
both paths give the same answers:

* ``Term``: BM25F over paragraphs (:class:`Scoring`) for a scored field, the
  term frequency for an ID field; times the term's boost.
* ``Or``/``And``: union/intersection, scores summed; a compound of two or more
  clauses multiplies by its boost (Whoosh ignores the boost of a compound of one).
* ``AndNot``: the first's matches without the second's; ``AndMaybe``: the
  first's matches, plus the second's score where it matches too.
* ``Not`` alone: every document but those, scored 1.
* ``Phrase``: documents where the words stand next to each other in order
  (checked on positions), scored as the sum of its words' scores.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.query.wrappers import WrappingQuery

from search.columnar.store import ID_FIELDS, SegmentColumns
from search.records import SCORED_FIELDS
from search.scoring import idf
from search.settings import RankingSettings

__all__ = ["DeadlineReached", "Match", "Scoring", "evaluate"]


class DeadlineReached(Exception):  # noqa: N818 - a signal, not an error
    """The evaluation passed its deadline (``time.perf_counter()``) and stopped."""


_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class Match:
    """Matching documents of one segment (ascending, unique) and their scores."""

    docs: np.ndarray
    scores: np.ndarray

    @staticmethod
    def empty() -> Match:
        return Match(_EMPTY_DOCS, _EMPTY_SCORES)

    def __len__(self) -> int:
        return len(self.docs)

    def scaled(self, boost: float) -> Match:
        return self if boost == 1.0 else Match(self.docs, self.scores * boost)


@dataclass(frozen=True)
class Scoring:
    """The collection statistics and settings a term's BM25F score needs (the whole index's)."""

    ranking: RankingSettings
    #: paragraphs in the index (Whoosh's ``doc_frequency("kind", "p")``, deletions included)
    paragraphs: int
    #: each scored field's average length over the paragraphs
    avg_lengths: dict[str, float]
    #: (field, term) → how many entries hold it, over every segment, deletions included
    doc_frequency: Callable[[str, str], int]

    def idf(self, fieldname: str, term: str) -> float:
        weight = self.ranking.field_weights.get(fieldname, 1.0)
        return weight * idf(self.ranking.idf, self.paragraphs, self.doc_frequency(fieldname, term))

    def bm25(self, fieldname: str, term: str, tf: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Whoosh's ``bm25(idf, tf, fl, avgfl, B, K1)`` for arrays of frequencies and lengths."""
        return self.idf(fieldname, term) * self.saturation(fieldname, tf, lengths)

    def saturation(self, fieldname: str, tf: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """BM25 without its idf: how much frequencies ``tf`` count in fields of ``lengths``."""
        ranking = self.ranking
        b = ranking.field_b.get(fieldname, ranking.b)
        k1 = ranking.field_k1.get(fieldname, ranking.k1)
        avgfl = self.avg_lengths[fieldname]
        tf = tf.astype(np.float64)
        return (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avgfl))


#: How a wrapping query is opened up before evaluation (the feedback pass):
#: the query and a segment → the query to evaluate in its place.
Expand = Callable[[WrappingQuery], wq.Query]


#: Results already worked out for a segment: id(query) → (the query, its match).
Memo = dict[int, tuple[wq.Query, "Match"]]


def evaluate(
    q: wq.Query,
    seg: SegmentColumns,
    scoring: Scoring,
    expand: Expand | None = None,
    deadline: float | None = None,
    memo: Memo | None = None,
) -> Match:
    """The documents of ``seg`` that ``q`` matches, with Whoosh's scores.

    A sub-query found in ``memo`` (the very object) is not evaluated again: the
    feedback pass's expanded query holds the question it was made from, whose
    match the first pass has already worked out.  Raises :class:`DeadlineReached`
    when ``deadline`` passes before it is done.
    """
    evaluator = _Evaluator(seg, scoring, expand, deadline, memo)
    evaluator.prefetch(q)
    return evaluator.run(q)


def query_terms(q: wq.Query) -> dict[str, list[bytes]]:
    """The terms of ``q`` and of its phrases by field (UTF-8), worked out once per query
    object (kept on it: every segment's evaluation asks)."""
    known = q.__dict__.get("_dari_terms")
    if known is not None:
        return known
    wanted: dict[str, list[bytes]] = {}
    stack = [q]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Term):
            wanted.setdefault(node.fieldname, []).append(str(node.text).encode("utf-8"))
        elif isinstance(node, wq.Phrase):
            words = wanted.setdefault(node.fieldname, [])
            words.extend(str(w).encode("utf-8") for w in node.words)
        else:
            stack.extend(node.children())
    q.__dict__["_dari_terms"] = wanted
    return wanted


class _Evaluator:
    def __init__(
        self,
        seg: SegmentColumns,
        scoring: Scoring,
        expand: Expand | None,
        deadline: float | None = None,
        memo: Memo | None = None,
    ) -> None:
        self.seg = seg
        self.scoring = scoring
        self.expand = expand
        self.deadline = deadline
        self.memo = memo

    def run(self, q: wq.Query) -> Match:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            raise DeadlineReached
        if self.memo:
            known = self.memo.get(id(q))
            if known is not None and known[0] is q:
                return known[1]
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return Match.empty()
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Phrase):
            return self.phrase(q)
        if isinstance(q, wq.AndNot):
            return self.and_not(self.run(q.a), self.run(q.b))
        if isinstance(q, wq.AndMaybe):
            return self.and_maybe(self.run(q.a), self.run(q.b))
        if isinstance(q, wq.Not):
            return self.inverse(self.run(q.query))
        if isinstance(q, (wq.And, wq.Or)):
            if isinstance(q, wq.Or) and (q.minmatch or q.scale):
                raise TypeError("the columnar path does not evaluate Or(minmatch=, scale=)")
            subs = q.subqueries
            if not subs:
                return Match.empty()
            if len(subs) == 1:  # Whoosh: the compound's boost is not applied
                return self.run(subs[0])
            # nested compounds of the same kind are one sum: combined in one step
            parts: list[Match] = []
            if isinstance(q, wq.Or):
                terms: dict[str, list[tuple[str, float]]] = {}
                self._flatten(q, wq.Or, 1.0, parts, terms)
                raw = self._term_scores(terms)
                if raw is None:
                    return union(parts, self.seg.doc_count)
                parts = [p for p in parts if len(p)]
                docs = np.concatenate([raw[0], *(p.docs for p in parts)])
                scores = np.concatenate([raw[1], *(p.scores for p in parts)])
                return _summed(docs, scores, self.seg.doc_count)
            self._flatten(q, wq.And, 1.0, parts)
            return intersection(parts)
        if isinstance(q, WrappingQuery):
            inner = self.expand(q) if self.expand is not None else q.child
            if inner is not q.child:
                self.prefetch(inner)
            return self.run(inner)
        raise TypeError(f"the columnar path cannot evaluate {type(q).__name__}")

    def prefetch(self, q: wq.Query) -> None:
        """Look up every term of ``q`` in this segment at once (vectorised per field), so
        that evaluating it finds them remembered (see ``TermTable.find_many``)."""
        for fieldname, terms in query_terms(q).items():
            column = self.seg.fields.get(fieldname)
            if column is not None and len(terms) > 1:
                column.terms.find_many(terms)

    def _flatten(
        self,
        q: wq.compound.CompoundQuery,
        kind: type,
        boost: float,
        out: list[Match],
        terms: dict[str, list[tuple[str, float]]] | None = None,
    ) -> None:
        """The clauses of ``q`` and of the compounds of its kind in it, each with its boost.

        With ``terms`` (a union), the scored fields' terms are not evaluated one by one
        but gathered there by field, with their boosts, for :meth:`_term_scores`.
        """
        boost *= q.boost
        for sub in q.subqueries:
            if (
                type(sub) is kind
                and isinstance(sub, wq.compound.CompoundQuery)
                and len(sub.subqueries) >= 2
            ):
                self._flatten(sub, kind, boost, out, terms)
                continue
            if terms is not None and type(sub) is wq.Term and sub.fieldname in SCORED_FIELDS:
                terms.setdefault(sub.fieldname, []).append((sub.text, sub.boost * boost))
                continue
            out.append(self.run(sub).scaled(boost))

    def _term_scores(
        self, terms: dict[str, list[tuple[str, float]]]
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The gathered terms' postings and their scores (documents repeat where several
        terms match one), or None if none matches: each field's terms in one step, their
        postings concatenated and BM25 computed for all at once (each posting with its
        term's idf and boost). Summed per document, the same as one :meth:`term` each."""
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            raise DeadlineReached
        scoring = self.scoring
        all_docs: list[np.ndarray] = []
        all_scores: list[np.ndarray] = []
        for fieldname, wanted in terms.items():
            column = self.seg.fields.get(fieldname)
            if column is None:
                continue
            docs_parts, tf_parts, factors, counts = [], [], [], []
            for text, boost in wanted:
                found = column.postings(text)
                if found is None or not len(found[0]):
                    continue
                docs_parts.append(found[0])
                tf_parts.append(found[1])
                factors.append(scoring.idf(fieldname, text) * boost)
                counts.append(len(found[0]))
            if not docs_parts:
                continue
            docs = np.concatenate(docs_parts)
            lengths = self.seg.lengths[fieldname][docs]
            factor = np.repeat(np.asarray(factors, dtype=np.float64), counts)
            all_docs.append(docs)
            all_scores.append(
                factor * scoring.saturation(fieldname, np.concatenate(tf_parts), lengths)
            )
        if not all_docs:
            return None
        return np.concatenate(all_docs), np.concatenate(all_scores)

    def term(self, fieldname: str, text: str, boost: float = 1.0) -> Match:
        found = self.postings(fieldname, text)
        if found is None:
            return Match.empty()
        docs, tf, _ = found
        return Match(np.asarray(docs), self.term_scores(fieldname, text, docs, tf) * boost)

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, int] | None:
        column = self.seg.fields.get(fieldname)
        if column is None:
            return None
        return column.postings(text)

    def term_scores(
        self, fieldname: str, text: str, docs: np.ndarray, tf: np.ndarray
    ) -> np.ndarray:
        if fieldname in SCORED_FIELDS:
            lengths = self.seg.lengths[fieldname][docs]
            return self.scoring.bm25(fieldname, text, tf, lengths)
        if fieldname in ID_FIELDS:
            return tf.astype(np.float64)
        raise TypeError(f"the columnar path does not hold field {fieldname!r}")

    def phrase(self, q: wq.Phrase) -> Match:
        words = list(q.words)
        fieldname = q.fieldname
        column = self.seg.fields.get(fieldname)
        if column is None or column.pos is None or column.pos_off is None:
            return Match.empty()
        found = []
        for word in words:
            postings = column.postings(word)
            if postings is None:  # Whoosh: a word the segment lacks matches nothing
                return Match.empty()
            found.append(postings)
        if q.slop != 1:
            raise TypeError("the columnar path evaluates phrases of adjacent words only")
        candidates = found[0][0]
        for docs, _, _ in found[1:]:
            candidates = np.intersect1d(candidates, docs, assume_unique=True)
        if len(candidates) and len(words) > 1:
            candidates = self._adjacent(candidates, found, column.pos, column.pos_off)
        if not len(candidates):
            return Match.empty()
        scores = np.zeros(len(candidates), dtype=np.float64)
        for word, (docs, tf, _) in zip(words, found, strict=True):
            at = np.searchsorted(docs, candidates)
            scores += self.term_scores(fieldname, word, candidates, np.asarray(tf)[at])
        return Match(candidates.astype(np.int32), scores * q.boost)

    @staticmethod
    def _adjacent(
        candidates: np.ndarray,
        found: Sequence[tuple[np.ndarray, np.ndarray, int]],
        pos: np.ndarray,
        pos_off: np.ndarray,
    ) -> np.ndarray:
        """The candidates where word k+1 stands right after word k, for every k."""
        span = np.int64(1) << 32
        current: np.ndarray | None = None
        for docs, _, first in found:
            postings = first + np.searchsorted(docs, candidates)
            starts, ends = pos_off[postings], pos_off[postings + 1]
            counts = (ends - starts).astype(np.int64)
            owner = np.repeat(np.arange(len(candidates), dtype=np.int64), counts)
            within = np.arange(counts.sum(), dtype=np.int64) - np.repeat(
                np.cumsum(counts) - counts, counts
            )
            positions = np.asarray(pos)[np.repeat(starts, counts) + within].astype(np.int64)
            keys = owner * span + positions
            current = keys if current is None else np.intersect1d(current + 1, keys)
            if not len(current):
                return candidates[:0]
        assert current is not None
        return candidates[np.unique(current // span)]

    # -- combinations ---------------------------------------------------------------------

    def and_not(self, a: Match, b: Match) -> Match:
        keep = ~np.isin(a.docs, b.docs, assume_unique=True)
        return Match(a.docs[keep], a.scores[keep])

    def and_maybe(self, a: Match, b: Match) -> Match:
        if not len(a) or not len(b):
            return a
        if len(a) * 8 > self.seg.doc_count:  # many: look b's scores up in a dense array
            dense = np.zeros(self.seg.doc_count, dtype=np.float64)
            dense[b.docs] = b.scores
            return Match(a.docs, a.scores + dense[a.docs])
        scores = a.scores.copy()
        at = np.searchsorted(b.docs, a.docs)
        at_clipped = np.minimum(at, len(b.docs) - 1)
        hit = b.docs[at_clipped] == a.docs
        scores[hit] += b.scores[at_clipped[hit]]
        return Match(a.docs, scores)

    def inverse(self, m: Match) -> Match:
        every = np.ones(self.seg.doc_count, dtype=np.bool_)
        every[m.docs] = False
        docs = np.flatnonzero(every).astype(np.int32)
        return Match(docs, np.ones(len(docs), dtype=np.float64))


def union(parts: Sequence[Match], doc_count: int) -> Match:
    """Every document of any part (of a segment of ``doc_count``), scores summed."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Match.empty()
    if len(parts) == 1:
        return parts[0]
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    return _summed(docs, scores, doc_count)


def _summed(docs: np.ndarray, scores: np.ndarray, doc_count: int) -> Match:
    """The documents among ``docs`` (repeats allowed, any order), their scores summed."""
    if len(docs) * 8 > doc_count:  # many: sum into one slot per document instead of sorting
        summed = np.bincount(docs, weights=scores, minlength=doc_count)
        # (a boolean mask first: numpy finds the set entries of one several times faster
        # than the non-zero ones of an array of numbers)
        if scores.min() > 0:  # as BM25's are: a document is present where its sum is not 0
            present = np.flatnonzero(summed != 0)
        else:
            present = np.flatnonzero(np.bincount(docs, minlength=doc_count) != 0)
        return Match(present.astype(np.int32), summed[present])
    unique, inverse = np.unique(docs, return_inverse=True)
    return Match(unique.astype(np.int32), np.bincount(inverse, weights=scores))


def intersection(parts: Sequence[Match]) -> Match:
    """The documents of every part, scores summed."""
    if any(not len(p) for p in parts):
        return Match.empty()
    docs = parts[0].docs
    for p in sorted(parts[1:], key=len):
        docs = np.intersect1d(docs, p.docs, assume_unique=True)
        if not len(docs):
            return Match.empty()
    scores = np.zeros(len(docs), dtype=np.float64)
    for p in parts:
        scores += p.scores[np.searchsorted(p.docs, docs)]
    return Match(docs.astype(np.int32), scores)
