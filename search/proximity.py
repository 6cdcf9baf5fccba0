"""Term proximity: paragraphs where the query's words stand close together rank higher.

The best paragraphs of a relevance-ordered search are rescored (as
Elasticsearch's ``rescore`` does with a window) by the proximity component of
BM25TP (Büttcher, Clarke and Lushman, *Term proximity scoring for ad-hoc
retrieval on very large text collections*, SIGIR 2006):

* the occurrences of the query's words in a paragraph are read in order of
  position; wherever an occurrence of word ``t`` directly follows one of another
  word ``t'`` at distance ``d``, ``t``'s accumulator gains ``w(t') / d²`` and
  ``t'``'s gains ``w(t) / d²`` (``w``: the word's idf);
* the paragraph's proximity score is ``Σ_t min(1, w(t)) · acc(t) · (k1 + 1) /
  (acc(t) + K)``, with BM25's ``K = k1 · ((1 - b) + b · length / average length)``.

The score is added to a paragraph's own with :attr:`RankingSettings.proximity_weight`.
Both query paths gather the positions their own way and share :func:`proximity_scores`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["proximity_scores", "rescored"]


def proximity_scores(
    candidate: np.ndarray,
    position: np.ndarray,
    word: np.ndarray,
    weights: np.ndarray,
    lengths: np.ndarray,
    average_length: float,
    k1: float,
    b: float,
) -> np.ndarray:
    """BM25TP's proximity score of each of ``len(lengths)`` paragraphs.

    ``candidate``, ``position`` and ``word`` describe every occurrence of a query
    word in the paragraphs: which paragraph (0 … n-1), at which position, which
    word (an index into ``weights``, the words' idf).  ``lengths`` are the
    paragraphs' lengths in the field the positions are from.
    """
    if MODE == "window":
        return window_scores(candidate, position, word, weights, len(lengths))
    n, words = len(lengths), len(weights)
    if n == 0 or words < 2 or len(position) < 2:
        return np.zeros(n, dtype=np.float64)
    order = np.lexsort((position, candidate))
    cand, pos, term = candidate[order], position[order], word[order]
    follows = (cand[1:] == cand[:-1]) & (term[1:] != term[:-1]) & (pos[1:] > pos[:-1])
    where = np.flatnonzero(follows)
    if not len(where):
        return np.zeros(n, dtype=np.float64)
    d = (pos[where + 1] - pos[where]).astype(np.float64)
    near = 1.0 / (d * d)
    acc = np.zeros(n * words, dtype=np.float64)
    here, prev = term[where + 1], term[where]
    rows = cand[where].astype(np.int64) * words
    np.add.at(acc, rows + here, weights[prev] * near)
    np.add.at(acc, rows + prev, weights[here] * near)
    acc = acc.reshape(n, words)
    big_k = k1 * ((1 - b) + b * lengths / (average_length or 1.0))
    saturated = acc * (k1 + 1) / (acc + big_k[:, None])
    return saturated @ np.minimum(1.0, weights)


def rescored(
    top: list[tuple[int, float]], extra: np.ndarray, weight: float
) -> list[tuple[int, float]]:
    """``top`` ((number, score), best first) with ``weight × extra`` added to each score
    and sorted again: highest score first, then lowest number."""
    if not top or weight == 0.0 or not np.any(extra):
        return top
    moved = [(n, s + weight * float(e)) for (n, s), e in zip(top, extra, strict=True)]
    moved.sort(key=lambda h: (-h[1], h[0]))
    return moved


MODE = "tp"
WINDOW = 12


def window_scores(candidate, position, word, weights, n):
    out = np.zeros(n)
    order = np.lexsort((position, candidate))
    cand, pos, term = candidate[order], position[order], word[order]
    total = weights.sum() or 1.0
    bounds = np.flatnonzero(np.diff(cand)) + 1
    for block in np.split(np.arange(len(cand)), bounds):
        if not len(block):
            continue
        c = int(cand[block[0]])
        p, t = pos[block].tolist(), term[block].tolist()
        best = 0.0
        j = 0
        for i in range(len(p)):
            seen = set()
            for j2 in range(i, len(p)):
                if p[j2] - p[i] >= WINDOW:
                    break
                seen.add(t[j2])
            s = sum(weights[x] for x in seen)
            best = max(best, s)
        out[c] = best / total
    return out
