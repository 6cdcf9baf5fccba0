"""The analyzer chains of the index's fields, and the cached helpers that run them."""

from __future__ import annotations

import functools

from whoosh.analysis.analyzers import CompositeAnalyzer

from search.analysis.filters import (
    HangulBigramFilter,
    KoreanMorphFilter,
    KoreanPairFilter,
    LatinWordFilter,
    PositionFilter,
)
from search.analysis.tokenizers import ScriptRunTokenizer

__all__ = [
    "ANALYSIS_VERSION",
    "ANALYZE_CACHE_SIZE",
    "analysis_fingerprint",
    "analyze",
    "bigram_analyzer",
    "bilingual_analyzer",
    "hangul_bigrams",
    "korean_pairs",
    "pair_analyzer",
]


def bilingual_analyzer() -> CompositeAnalyzer:
    """The analyzer of every text field (title, text), at index and query time."""
    return ScriptRunTokenizer() | KoreanMorphFilter() | LatinWordFilter() | PositionFilter()


def bigram_analyzer() -> CompositeAnalyzer:
    """The analyzer of the ``bigrams`` field: Hangul syllable pairs (see :class:`HangulBigramFilter`).

    Morphemes give precision; the pairs give recall where Kiwi cuts a word
    differently in a question and in a paragraph (names, rare compounds).
    """
    return ScriptRunTokenizer() | HangulBigramFilter() | PositionFilter()


def pair_analyzer() -> CompositeAnalyzer:
    """The analyzer of the ``pairs`` field (see :class:`KoreanPairFilter`)."""
    return ScriptRunTokenizer() | KoreanMorphFilter() | KoreanPairFilter() | PositionFilter()


_pairs = None


def korean_pairs(text: str) -> list[str]:
    """The ``pairs`` field's terms of ``text``, in order, repeats kept."""
    global _pairs
    if _pairs is None:
        _pairs = pair_analyzer()
    return [t.text for t in _pairs(text, mode="query")]


_bigrams = None


def hangul_bigrams(text: str) -> list[str]:
    """The ``bigrams`` field's terms of ``text``, in order, repeats kept."""
    global _bigrams
    if _bigrams is None:
        _bigrams = bigram_analyzer()
    return [t.text for t in _bigrams(text)]


#: Bump when the chains change what terms they make: saved analyses are then ignored.
ANALYSIS_VERSION = 1


def analysis_fingerprint() -> str:
    """What the terms of an analysis depend on: this code's version, Kiwi's, the stemmer."""
    from importlib.metadata import version

    from search.analysis.kiwi import KIWI_OPTIONS
    from search.analysis.stemming import stemmer_algorithm

    parts = [
        f"dari-analysis {ANALYSIS_VERSION}",
        f"kiwipiepy {version('kiwipiepy')}",
        f"kiwi {sorted(KIWI_OPTIONS.items())}",
        f"stemmer {stemmer_algorithm()}",
    ]
    return "; ".join(parts)


_default_analyzer = None
#: Texts whose tokens :func:`analyze` keeps: a result page highlights (and
#: feedback reads) the same paragraphs again and again.
ANALYZE_CACHE_SIZE = 1024


def analyze(text: str, mode: str = "index") -> list[tuple[str, int, int, int]]:
    """Tokens of ``text`` as (term, position, startchar, endchar) tuples."""
    return list(_analyze(text, mode))


@functools.lru_cache(maxsize=ANALYZE_CACHE_SIZE)
def _analyze(text: str, mode: str) -> tuple[tuple[str, int, int, int], ...]:
    global _default_analyzer
    if _default_analyzer is None:
        _default_analyzer = bilingual_analyzer()
    return tuple(
        (t.text, t.pos, t.startchar, t.endchar)
        for t in _default_analyzer(text, positions=True, chars=True, mode=mode)
    )
