"""Kiwi, Korean morphology: loaded once per process, lazily, and its analyses cached.

Created lazily so that analyzers stay picklable (Whoosh stores them in the schema).
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any

__all__ = [
    "KIWI_CACHE_SIZE",
    "KIWI_OPTIONS",
    "kiwi",
    "korean_morphemes",
    "korean_readings",
    "preload_kiwi",
]

_kiwi_lock = threading.Lock()
_kiwi: Any = None

#: How Dari loads Kiwi.  Without its multi-word dictionary: with it, Kiwi gives a
#: several-word name (알렉상드르 뒤마) as one morpheme, which a query, analysed
#: word by word, could never match; the dictionary also cost 190 MB of every
#: process's memory and about a second of start-up.  The benchmark's Kiwi anchor
#: loads Kiwi the same way.
KIWI_OPTIONS: dict[str, Any] = {"load_multi_dict": False}

#: Kiwi's own worker threads: none.  Dari analyses one text per call (its
#: parallelism is processes: the build's and ``dari serve``'s workers), and a
#: process whose Kiwi has started no thread can be forked safely, which is how
#: ``dari serve`` shares one loaded model between its workers.
KIWI_THREADS = 0


def kiwi() -> Any:
    """The process-wide Kiwi instance (loading the model takes about a second)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                with warnings.catch_warnings():
                    # kiwipiepy warns that 0 meant "all cores" before 0.21; now it is "none"
                    warnings.simplefilter("ignore", DeprecationWarning)
                    _kiwi = Kiwi(num_workers=KIWI_THREADS, **KIWI_OPTIONS)
    return _kiwi


def preload_kiwi() -> threading.Thread:
    """Load Kiwi and make its first call (its lazy set-up) in a background thread.

    The first analysis waits for it (the lock in :func:`kiwi`) instead of loading
    it again.  It overlaps little with what the caller does meanwhile: kiwipiepy
    holds the GIL for most of its load and first call (docs/performance.md,
    "What stands in the way").
    """
    thread = threading.Thread(target=lambda: kiwi().tokenize("다리"), name="kiwi-preload")
    thread.daemon = True
    thread.start()
    return thread


#: Hangul runs whose Kiwi analysis is kept: a document's title is analysed with
#: each of its paragraphs, and people repeat their searches.  Paragraphs seldom
#: repeat, and an analysis of one takes a few KB: at 32,768 runs the cache kept a
#: long-running server's workers growing (the soak's memory, docs/performance.md).
KIWI_CACHE_SIZE = 1 << 12


@functools.lru_cache(maxsize=KIWI_CACHE_SIZE)
def korean_morphemes(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """Kiwi's analysis of ``text`` as (form, tag, start, end) tuples (cached).

    Kept as a single seam so that a batch indexer can put a cache of
    pre-computed analyses in front of it.
    """
    return tuple((t.form, t.tag, t.start, t.start + t.len) for t in kiwi().tokenize(text))


#: Analyses of a word that :func:`korean_readings` looks through.
READINGS = 8


@functools.lru_cache(maxsize=KIWI_CACHE_SIZE)
def korean_readings(
    text: str,
) -> tuple[tuple[float, tuple[tuple[str, str, int, int], ...]], ...]:
    """Kiwi's :data:`READINGS` best analyses of ``text``, best first: (score, the
    analysis as :func:`korean_morphemes` gives one), a score being a log-probability
    (cached).  A word alone has no context to choose by: 감 is read as the verb 가다
    first and the noun 감 second."""
    return tuple(
        (float(score), tuple((t.form, t.tag, t.start, t.start + t.len) for t in tokens))
        for tokens, score in kiwi().analyze(text, top_n=READINGS)
    )
