"""Index entries as the cluster holds them: Dari's own analysis, sent as pre-analysed tokens.

A text field (``text``, ``title``) becomes one whitespace-separated token per
position, the terms that share a position (a joined word and its parts) joined
by :data:`ALTERNATIVES`; the index's ``dari_positions`` analyzer
(:mod:`.mapping`) splits them back into the same terms at the same positions,
so phrases match as they do locally.  ``bigrams`` and ``pairs`` are their terms
separated by spaces (frequencies only).  The original text, its title and the
characters of every text token are kept unindexed under :data:`STORED`, so
results are shown and highlighted from them (:func:`tokens_of`) without
analysing again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from search.analysis.paragraphs import index_terms
from search.records import (
    BIGRAM_FIELD,
    COUNTERPART_FIELD,
    DOC_ID_FIELD,
    KEY_FIELD,
    KIND_FIELD,
    LANG_FIELD,
    META_FIELD,
    NUMBER_FIELD,
    PAGE_FIELD,
    PAIR_FIELD,
    TEXT_FIELD,
    TITLE_FIELD,
)

__all__ = [
    "ALTERNATIVES",
    "GAP",
    "MARKER",
    "STORED",
    "WORDS",
    "cluster_document",
    "position_tokens",
    "tokens_of",
]

#: Joins the terms at one position into one whitespace token (no Dari term holds it:
#: terms are letters, digits and Hangul).
ALTERNATIVES = "|"
#: Stands for a position without a term, so the positions after it stay where they are.
GAP = "_"
#: The object of unindexed values: what a result shows and what highlights it.
STORED = "stored"
#: A paragraph's distinct words (its text field's terms), as keywords with doc values: what
#: initial-consonant search and completions list (search.opensearch.lexicon.words_like).
WORDS = "words"
#: Ends every scored field of a paragraph, once: the cluster's field statistics then count
#: every paragraph (a field's document count is the paragraphs, as Whoosh's N), and the
#: similarity takes it out of the lengths (:mod:`.mapping`).
MARKER = "#"

#: Entry fields indexed as they are (keywords and the paragraph number).
_PLAIN_FIELDS = (KEY_FIELD, KIND_FIELD, DOC_ID_FIELD, NUMBER_FIELD, LANG_FIELD)


def position_tokens(words: Iterable[tuple[str, int, int, int]]) -> tuple[str, list[int]]:
    """A text field's ``(term, position, start, end)`` words as the token string the cluster
    indexes, and the characters of each term in that string's order (start, end, start, …)."""
    at: list[list[tuple[str, int, int]]] = []
    for term, pos, start, end in words:
        if ALTERNATIVES in term or not term or term != term.strip() or len(term.split()) != 1:
            raise ValueError(f"a term the cluster cannot take as one token: {term!r}")
        while len(at) <= pos:
            at.append([])
        at[pos].append((term, start, end))
    tokens: list[str] = []
    offsets: list[int] = []
    for terms in at:
        if not terms:
            tokens.append(GAP)
            continue
        tokens.append(ALTERNATIVES.join(term for term, _, _ in terms))
        for _, start, end in terms:
            offsets += (start, end)
    return " ".join(tokens), offsets


def tokens_of(token_string: str, offsets: list[int]) -> list[tuple[str, int, int, int]]:
    """The ``(term, position, start, end)`` words back from :func:`position_tokens`'s output."""
    words: list[tuple[str, int, int, int]] = []
    k = 0
    for pos, token in enumerate(token_string.split(" ") if token_string else []):
        if token in (GAP, MARKER):
            continue
        for term in token.split(ALTERNATIVES):
            words.append((term, pos, offsets[k], offsets[k + 1]))
            k += 2
    return words


def cluster_document(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The cluster's source for one index entry of :func:`search.records.document_fields`
    (a document's record or a paragraph), its ``_id`` being the entry's key."""
    source: dict[str, Any] = {name: entry[name] for name in _PLAIN_FIELDS if name in entry}
    stored: dict[str, Any] = {}
    for name in (META_FIELD, COUNTERPART_FIELD, PAGE_FIELD):
        if name in entry:
            stored[name] = entry[name]
    if TEXT_FIELD in entry:
        text = entry[TEXT_FIELD]
        terms = index_terms(text)
        tokens, stored["text_offsets"] = position_tokens(terms.words)
        source[TEXT_FIELD] = _marked(tokens)
        source[BIGRAM_FIELD] = _marked(" ".join(terms.bigrams))
        source[PAIR_FIELD] = _marked(" ".join(terms.pairs))
        source[WORDS] = sorted({term for term, _, _, _ in terms.words})
        stored[TEXT_FIELD] = text
    if TITLE_FIELD in entry:
        title = entry[TITLE_FIELD]
        source[TITLE_FIELD] = _marked(position_tokens(index_terms(title).words)[0] if title else "")
        stored[TITLE_FIELD] = entry.get(f"_stored_{TITLE_FIELD}", title)
    source[STORED] = stored
    return source


def _marked(tokens: str) -> str:
    """A scored field's tokens with the :data:`MARKER` after them (after, so that the
    positions of the terms stay Dari's)."""
    return f"{tokens} {MARKER}" if tokens else MARKER
