"""English stemming with PyStemmer (Snowball), one stemmer per thread.

The algorithm is part of what an index's terms are, so it is one per process:
:class:`search.settings.AnalysisSettings` names it and :func:`configure_stemmer`
sets it before anything is analysed (``python -m bench.tune_quality --stemmer``).
"""

from __future__ import annotations

import threading

__all__ = ["DEFAULT_STEMMER", "configure_stemmer", "stem_word", "stemmer_algorithm"]

#: PyStemmer's algorithm for English: Snowball's "english" (Porter2); "porter" measured
#: no better on Cranfield (docs/quality.md).
DEFAULT_STEMMER = "english"

_algorithm = DEFAULT_STEMMER
_stemmer_local = threading.local()


def configure_stemmer(algorithm: str) -> None:
    """Stem English with PyStemmer's ``algorithm`` from now on, in every thread.

    Call it before anything is analysed: the analysis caches keep what was
    stemmed before.  An unknown algorithm raises :class:`KeyError` (PyStemmer's).
    """
    global _algorithm
    import Stemmer

    Stemmer.Stemmer(algorithm)  # refuses an unknown name now, not at the first word
    _algorithm = algorithm


def stemmer_algorithm() -> str:
    """The English stemmer in use (``english`` unless :func:`configure_stemmer` changed it)."""
    return _algorithm


def stem_word(word: str) -> str:
    """``word`` (lowercased) stemmed by this thread's stemmer."""
    local = _stemmer_local
    stemmer = getattr(local, "stemmer", None)
    if stemmer is None or local.algorithm != _algorithm:
        import Stemmer

        stemmer = local.stemmer = Stemmer.Stemmer(_algorithm, 50_000)
        local.algorithm = _algorithm
    return stemmer.stemWord(word)
