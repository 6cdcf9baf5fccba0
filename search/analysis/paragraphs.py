"""A paragraph analysed once for every field a build indexes it in.

The index's fields each have their own analyzer chain (:mod:`~search.analysis.analyzers`):
the text (morphemes and English stems, with positions and characters), the
Hangul syllable pairs and the pairs of neighbouring Korean morphemes.  Run one
after the other, as Whoosh runs a document's fields, they cut the text into
script runs three times and pass every term through Whoosh ``Token`` objects.
A build calls :func:`index_terms` instead: one pass over the runs, the same
rules (the functions the filters call), the same terms, positions and
characters as the chains give at index time (``tests/test_paragraph_terms.py``
holds them equal).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from search.analysis.filters import hangul_bigrams_of, korean_terms, latin_terms
from search.analysis.scripts import TOKEN_RE, nfc_with_offsets

__all__ = ["IndexTerms", "index_terms"]


@dataclass
class IndexTerms:
    """What one text is indexed as, field by field, in the order the chains emit it."""

    #: the ``text`` (and ``title``) field: (term, position, start, end)
    words: list[tuple[str, int, int, int]] = field(default_factory=list)
    #: the ``bigrams`` field: Hangul syllable pairs
    bigrams: list[str] = field(default_factory=list)
    #: the ``pairs`` field: neighbouring Korean morphemes joined by ``_``
    pairs: list[str] = field(default_factory=list)


def index_terms(text: str) -> IndexTerms:
    """The terms of ``text`` in every analysed field, as an index-time analysis gives them."""
    out = IndexTerms()
    words, bigrams, pairs = out.words, out.bigrams, out.pairs
    pos = -1
    for match in TOKEN_RE.finditer(text):
        kind, start = match.lastgroup, match.start()
        if kind == "ko":
            norm, offmap = nfc_with_offsets(match.group(0))
            prev = None
            for term, s, e, newpos in korean_terms(norm, offmap, start, "index"):
                if newpos:
                    pos += 1
                    if prev is not None:
                        pairs.append(f"{prev}_{term}")
                    prev = term
                words.append((term, pos, s, e))
            bigrams.extend(pair for pair, _s, _e in hangul_bigrams_of(norm, offmap, start))
            continue
        end = match.end()
        word = unicodedata.normalize("NFC", match.group(0))
        if kind == "latin":
            for term, newpos in latin_terms(word, "index"):
                pos += newpos
                words.append((term, pos, start, end))
        else:
            pos += 1
            words.append((word.lower(), pos, start, end))
    return out
