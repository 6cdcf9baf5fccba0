"""Searching every segment of an index through its columnar form.

A :class:`ColumnarSearcher` belongs to one Whoosh searcher (the index of
record, which still gives stored fields and statistics) and sees the same
segments and deletions.  It answers a whole query at once: the matching
paragraphs (exact total), their facet counts, and the best ``k`` by score —
ties broken by document number, as Whoosh's top-N collector does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query.wrappers import WrappingQuery

from search.columnar.evaluate import DeadlineReached, Memo, Scoring, evaluate
from search.columnar.store import LANG_CODES, NO_LANG, SegmentColumns, load_or_build
from search.feedback import (
    FEEDBACK_FIELD,
    FeedbackQuery,
    word_counts,
)
from search.records import SCORED_FIELDS, TEXT_FIELD
from search.results import merge_spans
from search.scoring import paragraph_count
from search.settings import RankingSettings

__all__ = ["ColumnarSearcher", "Hits", "kth_bound"]


@dataclass
class _Leaf:
    columns: SegmentColumns
    offset: int
    #: True for live documents; None when the segment has no deletions
    live: np.ndarray | None


@dataclass
class Hits:
    """What a query matched: every document (global numbers) with its score."""

    docs: np.ndarray
    scores: np.ndarray
    #: per segment: the document ordinals of its matches and its document ids (for facets)
    doc_groups: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    langs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    #: whether the deadline stopped the search before every segment was searched
    partial: bool = False

    @property
    def total(self) -> int:
        return len(self.docs)

    def top(self, k: int) -> list[tuple[int, float]]:
        """The best ``k`` (document number, score): highest score first, then lowest number."""
        if k <= 0 or not len(self.docs):
            return []
        # everything scoring at least a bound on the k-th best (ties included), then sorted
        keep = np.flatnonzero(self.scores >= kth_bound(self.scores, k))
        order = np.lexsort((self.docs[keep], -self.scores[keep]))[:k]
        chosen = keep[order]
        return [
            (int(d), float(s)) for d, s in zip(self.docs[chosen], self.scores[chosen], strict=True)
        ]

    def in_document_order(
        self, k: int, dates: Mapping[str, int] | None = None
    ) -> list[tuple[int, float]]:
        """The first ``k`` (document number, score) in the order of the documents: by
        document id, then paragraph (a document's paragraphs are numbered in the order they
        were written, so by document number); with ``dates`` (20240131 by document id),
        newest document first, undated ones last."""
        if k <= 0 or not len(self.docs):
            return []
        groups = [(ordinals, np.asarray(names)) for ordinals, names in self.doc_groups]
        ids = np.concatenate([names[ordinals] for ordinals, names in groups])
        keys: tuple[np.ndarray, ...] = (self.docs, ids.astype(str))
        if dates is not None:
            # a date per document of each segment, then per hit by its document's ordinal
            newest = np.concatenate(
                [
                    np.array([-dates.get(str(n), 0) for n in names.tolist()], np.int64)[ordinals]
                    for ordinals, names in groups
                ]
            )
            keys = (*keys, newest)
        order = np.lexsort(keys)[:k]
        return [
            (int(d), float(s)) for d, s in zip(self.docs[order], self.scores[order], strict=True)
        ]

    def facets(self) -> dict[str, dict[str, int]]:
        """Matches per language and per document, in descending count."""
        langs: dict[str, int] = {}
        if len(self.langs):
            counts = np.bincount(self.langs, minlength=NO_LANG + 1)
            langs = {LANG_CODES[i]: int(counts[i]) for i in range(len(LANG_CODES)) if counts[i]}
        docs: dict[str, int] = {}
        for ordinals, names in self.doc_groups:
            counts = np.bincount(ordinals, minlength=len(names))
            for i in np.flatnonzero(counts).tolist():
                name = str(names[i])
                docs[name] = docs.get(name, 0) + int(counts[i])
        return {"lang": langs, "doc": dict(sorted(docs.items()))}


#: Scores are cut into blocks of this many to bound the k-th best (see kth_bound).
BOUND_BLOCK = 256


def kth_bound(scores: np.ndarray, k: int) -> float:
    """A score that at least ``k`` of ``scores`` reach and the ``k`` best all do: at most
    the ``k``-th best (-inf when there are ``k`` or fewer).

    Many scores (a match of half the index): the ``k``-th best of the blocks' maxima
    (``k`` blocks hold a score at least that high), which one pass over the scores
    finds, where selecting the ``k``-th best itself costs several.
    """
    n = len(scores)
    if n <= k:
        return -np.inf
    blocks = n // BOUND_BLOCK
    if blocks < 4 * k:
        return float(np.partition(scores, n - k)[n - k])
    maxima = scores[: blocks * BOUND_BLOCK].reshape(blocks, BOUND_BLOCK).max(axis=1)
    return float(np.partition(maxima, blocks - k)[blocks - k])


#: Document frequencies a searcher remembers before it starts over.
DF_CACHE_TERMS = 4_000


def _segment_mask(docs: np.ndarray, offset: int, doc_count: int) -> np.ndarray:
    """A mark per document of the segment at ``offset`` for those among ``docs`` (sorted
    global numbers)."""
    lo, hi = np.searchsorted(docs, [offset, offset + doc_count])
    mask = np.zeros(doc_count, dtype=np.bool_)
    mask[docs[lo:hi] - offset] = True
    return mask


class ColumnarSearcher:
    """Evaluates queries on the columnar form of a Whoosh searcher's segments."""

    def __init__(self, searcher: Any, generation: Path, ranking: RankingSettings) -> None:
        self.searcher = searcher
        self.ranking = ranking
        reader = searcher.reader()
        self.leaves: list[_Leaf] = []
        for sub, offset in reader.leaf_readers():
            columns = load_or_build(sub, Path(generation))
            live = None
            if sub.has_deletions():
                live = np.ones(columns.doc_count, dtype=np.bool_)
                deleted = np.fromiter(sub.deleted_docs_set, dtype=np.int64)
                live[deleted] = False
            self.leaves.append(_Leaf(columns, offset, live))
        paragraphs = paragraph_count(searcher)
        avg = {f: (reader.field_length(f) / paragraphs) or 1 for f in SCORED_FIELDS}
        self._df: dict[tuple[str, str], int] = {}
        #: what did-you-mean and typo tolerance worked out from these segments' words
        #: (search.spelling.Lexicon.remembered): near words, a word's corrections
        self.remembered: dict[Hashable, Any] = {}
        #: per segment: matches worked out during the search now running (see hits)
        self._memo: dict[int, Memo] = {}
        self._depth = 0
        self.scoring = Scoring(ranking, paragraphs, avg, self.doc_frequency)

    # -- statistics ------------------------------------------------------------------------

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Entries holding ``text`` in ``fieldname`` over every segment, deletions included."""
        key = (fieldname, text)
        df = self._df.get(key)
        if df is None:
            df = sum(len(docs) for docs, _ in self._postings(fieldname, text))
            if len(self._df) >= DF_CACHE_TERMS:
                self._df = {}  # bounded: a searcher lives as long as its index generation
            self._df[key] = df
        return df

    def doc_frequencies(self, fieldname: str, texts: Iterable[str]) -> dict[str, int]:
        """:meth:`doc_frequency` of many words, those not looked up lately found in each
        segment's terms in one vectorised step (did-you-mean and typo tolerance ask about
        hundreds of candidate words at a time)."""
        texts = list(dict.fromkeys(texts))
        wanted = [t for t in texts if (fieldname, t) not in self._df]
        if wanted:
            totals = [0] * len(wanted)
            encoded = [t.encode("utf-8") for t in wanted]
            for leaf in self.leaves:
                column = leaf.columns.fields.get(fieldname)
                if column is None:
                    continue
                offsets = column.post_off
                for k, i in enumerate(column.terms.find_many(encoded)):
                    if i >= 0:
                        totals[k] += int(offsets[i + 1] - offsets[i])
            if len(self._df) + len(wanted) > DF_CACHE_TERMS:
                self._df = {}
            self._df.update(((fieldname, t), n) for t, n in zip(wanted, totals, strict=True))
        return {
            t: self._df[(fieldname, t)]
            if (fieldname, t) in self._df
            else self.doc_frequency(fieldname, t)
            for t in texts
        }

    def frequency(self, fieldname: str, text: str) -> int:
        """How often ``text`` occurs in ``fieldname`` over every segment (Whoosh's
        ``reader.frequency``: its frequencies summed, deletions included)."""
        return sum(int(tf.sum()) for _, tf in self._postings(fieldname, text))

    def _postings(self, fieldname: str, text: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``text``'s postings (documents, frequencies) in each segment that has it."""
        for leaf in self.leaves:
            column = leaf.columns.fields.get(fieldname)
            found = column.postings(text) if column is not None else None
            if found is not None:
                yield found[0], found[1]

    # -- matching ------------------------------------------------------------------------

    def hits(
        self,
        q: wq.Query,
        allow: np.ndarray | None = None,
        deadline: float | None = None,
        remember: bool = False,
    ) -> Hits:
        """Every live document ``q`` matches (limited to ``allow``, global numbers, if given).

        Past ``deadline`` (``time.perf_counter()``) the segments not yet
        searched are left out and the hits say they are ``partial``.  With
        ``remember``, each segment's match of ``q`` is kept until the outermost
        search of this searcher ends, for queries that hold ``q`` (the feedback pass).
        """
        with self._outermost():
            return self._hits(q, allow, deadline, remember)

    @contextlib.contextmanager
    def _outermost(self) -> Iterator[None]:
        """A search of this searcher; the segments' remembered matches are forgotten when
        the outermost one ends (see :meth:`hits`)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self._memo = {}

    def _leaf_match(
        self,
        i: int,
        q: wq.Query,
        deadline: float | None,
        remember: bool,
        allow: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Segment ``i``'s live documents (its own numbers) that ``q`` matches, limited to
        ``allow`` (global numbers) if given, with their scores; raises
        :class:`DeadlineReached`."""
        leaf = self.leaves[i]
        memo = self._memo.setdefault(i, {})
        m = evaluate(q, leaf.columns, self.scoring, self._expand, deadline, memo)
        if remember:
            memo[id(q)] = (q, m)
        local, scored = m.docs, m.scores
        keep = None
        if leaf.live is not None and len(local):
            keep = leaf.live[local]
        if allow is not None and len(local):
            allowed = _segment_mask(allow, leaf.offset, leaf.columns.doc_count)[local]
            keep = allowed if keep is None else keep & allowed
        if keep is not None:
            local, scored = local[keep], scored[keep]
        return local, scored

    def _hits(
        self, q: wq.Query, allow: np.ndarray | None, deadline: float | None, remember: bool
    ) -> Hits:
        docs, scores, ids, langs = [], [], [], []
        partial = False
        for i, leaf in enumerate(self.leaves):
            if deadline is not None and time.perf_counter() >= deadline:
                partial = True
                break
            try:
                local, scored = self._leaf_match(i, q, deadline, remember, allow)
            except DeadlineReached:
                partial = True
                break
            docs.append(local.astype(np.int64) + leaf.offset)
            scores.append(scored)
            ids.append((np.asarray(leaf.columns.doc_ord[local]), leaf.columns.doc_ids))
            langs.append(np.asarray(leaf.columns.lang[local]))
        if not docs:
            return Hits(np.zeros(0, dtype=np.int64), np.zeros(0), partial=partial)
        return Hits(
            np.concatenate(docs),
            np.concatenate(scores),
            ids,
            np.concatenate(langs).astype(np.intp),
            partial=partial,
        )

    def best(self, q: wq.Query, k: int) -> list[tuple[int, float]]:
        """``hits(q, remember=True).top(k)`` without gathering what facets need: the
        feedback pass's first look (only the best few are read)."""
        docs, scores = [], []
        with self._outermost():
            for i, leaf in enumerate(self.leaves):
                local, scored = self._leaf_match(i, q, None, remember=True)
                keep = np.flatnonzero(scored >= kth_bound(scored, k))  # this segment's best
                docs.append(local[keep].astype(np.int64) + leaf.offset)
                scores.append(scored[keep])
        if not docs:
            return []
        return Hits(np.concatenate(docs), np.concatenate(scores)).top(k)

    def docs(
        self, queries: Iterable[wq.Query], deadline: float | None = None
    ) -> tuple[np.ndarray, bool]:
        """The live documents (global numbers, sorted) any of ``queries`` matches, and if cut
        short: segment by segment, a mark per document (a term's postings need no scores)."""
        queries = list(queries)
        found: list[np.ndarray] = []
        partial = False
        for leaf in self.leaves:
            columns = leaf.columns
            marked = np.zeros(columns.doc_count, dtype=np.bool_)
            try:
                for q in queries:
                    if deadline is not None and time.perf_counter() >= deadline:
                        raise DeadlineReached
                    if type(q) is wq.Term:
                        column = columns.fields.get(q.fieldname)
                        posted = column.postings(q.text) if column is not None else None
                        if posted is not None:
                            marked[posted[0]] = True
                        continue
                    marked[evaluate(q, columns, self.scoring, self._expand, deadline).docs] = True
            except DeadlineReached:
                partial = True
            if leaf.live is not None:
                marked &= leaf.live
            found.append(np.flatnonzero(marked) + leaf.offset)
            if partial:
                break
        if not found:
            return np.zeros(0, dtype=np.int64), partial
        return np.concatenate(found).astype(np.int64), partial

    # -- highlighting ------------------------------------------------------------------------

    def highlight(
        self, docnum: int, terms: Iterable[str], phrases: Iterable[list[str]] = ()
    ) -> list[tuple[int, int]] | None:
        """:func:`search.results.highlight_spans` of a paragraph's text, from stored offsets.

        None when its segment keeps no character offsets (an index built before
        they were stored): the caller then analyses the text.
        """
        leaf = self._leaf_of(docnum)
        column = leaf.columns.fields[TEXT_FIELD]
        if column.chr_start is None or column.span_key is None:
            return None
        doc = docnum - leaf.offset
        spans: list[tuple[int, int]] = []
        for term in set(terms):
            _, starts, ends = column.occurrences(term, doc)
            spans += zip(starts.tolist(), ends.tolist(), strict=True)
        for phrase in phrases:
            if not phrase:
                continue
            where = [set(column.occurrences(word, doc)[0].tolist()) for word in phrase]
            for first in sorted(where[0]):
                if all(first + k in where[k] for k in range(1, len(phrase))):
                    begin = column.position_span(doc, first)
                    finish = column.position_span(doc, first + len(phrase) - 1)
                    if begin is not None and finish is not None:
                        spans.append((begin[0], finish[1]))
        return merge_spans(spans)

    def word_counts(self, docnum: int) -> list[tuple[str, int]]:
        """A paragraph's text words with their counts, in order of appearance."""
        leaf = self._leaf_of(docnum)
        counts = leaf.columns.fields[TEXT_FIELD].word_counts(docnum - leaf.offset)
        if counts is None:  # an index without character offsets: analyse the text
            counts = word_counts(self.searcher.stored_fields(docnum).get(FEEDBACK_FIELD) or "")
        return counts

    def _leaf_of(self, docnum: int) -> _Leaf:
        for leaf in reversed(self.leaves):
            if docnum >= leaf.offset:
                return leaf
        raise IndexError(docnum)

    # -- the feedback pass -------------------------------------------------------------------

    def _expand(self, q: WrappingQuery) -> wq.Query:
        if not isinstance(q, FeedbackQuery):
            return q.child
        return q.expanded_by(
            self,
            lambda k: self.best(q.child, k),
            self.word_counts,
            lambda word: self.doc_frequency(FEEDBACK_FIELD, word),
            self.scoring.paragraphs,
        )
