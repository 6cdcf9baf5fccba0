"""Bilingual Korean/English text analysis, composed Whoosh-style.

The analyzer is a chain ``ScriptRunTokenizer() | KoreanMorphFilter() |
LatinWordFilter() | PositionFilter()``: text is cut into script runs, Hangul
runs go through Kiwi (content morphemes only, compounds split), Latin words are
lowercased, stop-worded and Snowball-stemmed.  Every token keeps character
offsets into the *original* string (also for NFD input, which is normalised to
NFC run by run with an offset map), so highlighting can slice the text it got.

The same analyzer runs at index and query time; the only difference is how a
joined word such as ``R&D`` or ``co-operation`` is emitted: at index time as
its parts *and* its joined form at one position, at query time as the joined
form alone, so that both spellings find each other.

Split by role, as Whoosh's own ``analysis`` package is:

* :mod:`~search.analysis.scripts` — character classes, script runs, NFC offsets;
* :mod:`~search.analysis.wordlists` — stop words, Korean tags kept and dropped;
* :mod:`~search.analysis.kiwi` — loading Kiwi and its cached morphemes;
* :mod:`~search.analysis.stemming` — the English stemmer;
* :mod:`~search.analysis.tokenizers` — :class:`ScriptRunTokenizer`;
* :mod:`~search.analysis.filters` — the filters of the chains;
* :mod:`~search.analysis.analyzers` — the chains of the index's fields and
  :func:`analyze`;
* :mod:`~search.analysis.paragraphs` — a build's one pass over a paragraph for
  every field (the chains' terms, without running them one by one).

The classes are re-exported here under their old names, which is also where
indexes built before the split find them when Whoosh unpickles their schema.
"""

from search.analysis.analyzers import (
    ANALYSIS_VERSION,
    ANALYZE_CACHE_SIZE,
    analysis_fingerprint,
    analyze,
    bigram_analyzer,
    bilingual_analyzer,
    hangul_bigrams,
    korean_pairs,
    pair_analyzer,
)
from search.analysis.filters import (
    HangulBigramFilter,
    KoreanMorphFilter,
    KoreanPairFilter,
    LatinWordFilter,
    PositionFilter,
    noun_terms,
    verb_as_noun_terms,
)
from search.analysis.kiwi import KIWI_CACHE_SIZE, KIWI_OPTIONS, kiwi, korean_morphemes, preload_kiwi
from search.analysis.scripts import script_of
from search.analysis.stemming import configure_stemmer, stem_word, stemmer_algorithm
from search.analysis.tokenizers import ScriptRunTokenizer
from search.analysis.wordlists import (
    ENGLISH_STOP_WORDS,
    KOREAN_CONTENT_TAGS,
    KOREAN_STOP_MORPHEMES,
)

__all__ = [
    "ANALYSIS_VERSION",
    "ANALYZE_CACHE_SIZE",
    "analysis_fingerprint",
    "ENGLISH_STOP_WORDS",
    "KIWI_CACHE_SIZE",
    "KIWI_OPTIONS",
    "KOREAN_CONTENT_TAGS",
    "KOREAN_STOP_MORPHEMES",
    "HangulBigramFilter",
    "KoreanMorphFilter",
    "KoreanPairFilter",
    "LatinWordFilter",
    "PositionFilter",
    "ScriptRunTokenizer",
    "analyze",
    "bigram_analyzer",
    "bilingual_analyzer",
    "configure_stemmer",
    "hangul_bigrams",
    "kiwi",
    "korean_morphemes",
    "korean_pairs",
    "noun_terms",
    "verb_as_noun_terms",
    "pair_analyzer",
    "preload_kiwi",
    "script_of",
    "stem_word",
    "stemmer_algorithm",
]
