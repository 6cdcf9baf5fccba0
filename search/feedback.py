"""Pseudo-relevance feedback for ``match=any``: words from the best paragraphs help rank the rest.

A ``match=any`` query (and the any-word fallback) is run once for its
best paragraphs (:attr:`RankingSettings.feedback_docs`); the words that are frequent in them and
rare in the index are added to the query as optional terms, each weighted by
how much of the feedback it carries.  They only re-rank: a paragraph still has
to match the query itself (:class:`whoosh.query.AndMaybe`), so exclusions and
filters hold, and highlighting still marks the query's own words.

The values were chosen on the dev half of the benchmarks (``docs/quality.md``):
on Cranfield, feedback adds about 0.03 to nDCG@10; on KorQuAD, whose questions
name their paragraph's words exactly, about 0.001 to MRR@10.  Anserini's RM3
(``feedback_model="rm3"``) was measured too and did worse on both.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from whoosh import collectors
from whoosh import query as wq
from whoosh.query.wrappers import WrappingQuery

from search.analysis import analyze
from search.deadline import run_until
from search.records import TEXT_FIELD
from search.scoring import paragraph_count
from search.settings import RankingSettings

if TYPE_CHECKING:
    from whoosh.matching import Matcher

__all__ = [
    "FEEDBACK_FIELD",
    "FeedbackQuery",
    "expanded_query",
    "feedback_terms",
    "weigh_feedback",
    "word_counts",
]

#: The field the feedback words are read from and searched in.
FEEDBACK_FIELD = TEXT_FIELD

#: RM3 leaves out words held by more than this share of the paragraphs (Anserini's 10 %).
RM3_MAX_DF = 0.1

#: What a backend names a paragraph by (a document number locally, a key on a cluster).
Hit = TypeVar("Hit", bound=Hashable)


class FeedbackQuery(WrappingQuery):
    """``child`` plus optional feedback words, worked out against the searcher it runs on.

    ``terms`` are the query's own analysed words (never added again).  The
    expansion is computed once per top-level searcher and reused, so the
    segments of an index and a second pass (facets) see the same query.
    """

    # An attribute where whoosh's Query has a terms() method: Whoosh only calls
    # terms() on leaf queries, and this wrapper is not one.
    terms: frozenset[str]  # type: ignore[assignment]

    def __init__(
        self, child: wq.Query, terms: frozenset[str] = frozenset(), words: int = 0
    ) -> None:
        super().__init__(child)
        self.terms = frozenset(terms)
        #: how many words the query has (the feedback weight grows with it); by
        #: default len(terms), but translations searched beside them do not count
        self.words = words or len(self.terms)
        #: time.perf_counter() past which the feedback pass stops (set by the
        #: engine: the pass runs while Whoosh builds the matcher, before the
        #: search's own time limit can act)
        self.deadline: float | None = None
        #: the feedback's settings (set by the engine: its own ranking settings)
        self.ranking = RankingSettings()
        self._expanded: tuple[Any, wq.Query] | None = None

    def _rewrap(self, child: wq.Query) -> FeedbackQuery:
        return self.__class__(child, self.terms, self.words)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FeedbackQuery)
            and self.child == other.child
            and self.terms == other.terms
            and self.words == other.words
        )

    def __hash__(self) -> int:
        return hash(("feedback", self.child, self.terms))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.child!r})"

    def __str__(self) -> str:
        return f"FEEDBACK({self.child})"

    def expanded(self, searcher: Any) -> wq.Query:
        """The query with its feedback words, for ``searcher``'s index."""
        top = searcher.get_parent()
        if self._expanded is None or self._expanded[0] is not top:
            words = feedback_terms(
                top,
                self.child,
                self.terms,
                size=self.words,
                deadline=self.deadline,
                ranking=self.ranking,
            )
            self._expanded = (top, expanded_query(self.child, words))
        return self._expanded[1]

    def expanded_by(
        self,
        owner: object,
        best: Callable[[int], Sequence[tuple[Hit, float]]],
        counts_of: Callable[[Hit], Sequence[tuple[str, int]]],
        doc_frequency: Callable[[str], int],
        paragraphs: int,
    ) -> wq.Query:
        """The query with its feedback words, worked out once per ``owner`` (a searcher).

        For a searcher other than Whoosh's (the columnar path): ``best(k)`` gives
        the child's ``k`` best (docnum, score), the rest is :func:`weigh_feedback`'s.
        Past the deadline the query stays as it is.
        """
        if self._expanded is None or self._expanded[0] is not owner:
            words: list[tuple[str, float]] = []
            if self.deadline is None or time.perf_counter() < self.deadline:
                ranking = self.ranking
                words = weigh_feedback(
                    best(ranking.feedback_docs),
                    counts_of,
                    doc_frequency,
                    paragraphs,
                    self.terms,
                    ranking,
                    terms=ranking.feedback_terms,
                    weight=ranking.feedback_weight,
                    size=self.words,
                )
            self._expanded = (owner, expanded_query(self.child, words))
        return self._expanded[1]

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        return self.expanded(searcher).matcher(searcher, context)


def feedback_terms(
    searcher: Any,
    query: wq.Query,
    own: frozenset[str] = frozenset(),
    docs: int | None = None,
    terms: int | None = None,
    weight: float | None = None,
    size: int = 0,
    deadline: float | None = None,
    ranking: RankingSettings | None = None,
) -> list[tuple[str, float]]:
    """(word, boost) pairs from the best ``docs`` paragraphs for ``query`` (RM3-style).

    ``docs``, ``terms`` and ``weight`` default to ``ranking``'s ``feedback_docs``,
    ``feedback_terms`` and ``feedback_weight`` (the product's by default).

    A word's share is the sum over the paragraphs of (the paragraph's weight ×
    the word's frequency in it × its idf); a paragraph weighs
    ``exp((score - best score) / feedback_temperature)``.  The ``terms`` best
    words other than ``own`` share ``weight`` × (number of query words: ``size``,
    else ``len(own)``).  Past ``deadline`` the best paragraphs found so far serve.
    """
    if deadline is not None and time.perf_counter() >= deadline:
        return []  # no time left: the query as it is
    ranking = ranking or RankingSettings()
    docs = ranking.feedback_docs if docs is None else docs
    terms = ranking.feedback_terms if terms is None else terms
    weight = ranking.feedback_weight if weight is None else weight
    collector = collectors.TopCollector(docs, usequality=False, replace=0)
    if deadline is None:
        searcher.search_with_collector(query, collector)
    else:
        run_until(searcher, query, collector, deadline)  # cut short: the best found so far
    hits = [(hit.docnum, hit.score) for hit in collector.results()]
    return weigh_feedback(
        hits,
        lambda docnum: word_counts(searcher.stored_fields(docnum).get(FEEDBACK_FIELD) or ""),
        lambda word: searcher.doc_frequency(FEEDBACK_FIELD, word),
        paragraph_count(searcher),
        own,
        ranking,
        terms=terms,
        weight=weight,
        size=size,
    )


def weigh_feedback(
    hits: Sequence[tuple[Hit, float]],
    counts_of: Callable[[Hit], Sequence[tuple[str, int]]],
    doc_frequency: Callable[[str], int],
    paragraphs: int,
    own: frozenset[str],
    ranking: RankingSettings,
    *,
    terms: int,
    weight: float,
    size: int = 0,
) -> list[tuple[str, float]]:
    """The feedback words of the best paragraphs ``hits`` ((docnum, score), best first).

    Shared by both query paths: ``counts_of(docnum)`` gives a paragraph's
    words with their counts in the order they first appear (:func:`word_counts`
    of its text), ``doc_frequency(word)`` the entries whose text holds the word.
    """
    if not hits:
        return []
    best = hits[0][1]
    rm3 = ranking.feedback_model == "rm3"
    shares: Counter[str] = Counter()
    for docnum, score in hits:
        counts = counts_of(docnum)
        length = sum(count for _, count in counts)
        if not length:
            continue
        if rm3:  # P(w|D) by the paragraph's score, as Anserini's Rm3Reranker weighs it
            say = score / length
        else:
            say = math.exp((score - best) / ranking.feedback_temperature) / length
        for word, count in counts:
            if word in own:
                continue
            df = doc_frequency(word) or 1
            if rm3:
                if df > RM3_MAX_DF * paragraphs:
                    continue
                shares[word] += say * count  # type: ignore[assignment]
                continue
            # typeshed types a Counter's counts as int; Counter adds floats just as well
            shares[word] += say * count * math.log(paragraphs / df)  # type: ignore[assignment]
    chosen = [(w, s) for w, s in shares.most_common(terms) if s > 0]
    total = sum(s for _, s in chosen)
    if not total:
        return []
    scale = weight * max(size or len(own), 1) / total
    return [(w, s * scale) for w, s in chosen]


def word_counts(text: str) -> list[tuple[str, int]]:
    """The indexed words of ``text`` with their counts, in the order they first appear."""
    return list(Counter(t[0] for t in analyze(text)).items())


def expanded_query(child: wq.Query, words: Sequence[tuple[str, float]]) -> wq.Query:
    """``child`` with the feedback ``words`` as optional, weighted terms."""
    extra = [wq.Term(FEEDBACK_FIELD, w, boost=b) for w, b in words]
    return wq.AndMaybe(child, wq.Or(extra)) if extra else child
