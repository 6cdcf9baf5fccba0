"""Typo tolerance: what a query word that the index does not hold also searches.

A query word is searched as typed; when the index holds none of it (one of its
analysed terms is in no entry), it also searches its correction, shown beside
the results as translations are ("Also searched: quantom → quantum (typo)") and
weighted below the words typed (:data:`CORRECTION_WEIGHT`).  Three kinds:

* ``typo``: the closest indexed spelling within the word's edit budget
  (:func:`typo_budget`): none below 5 letters, 1 from 5, 2 from 9 (Meilisearch's
  rule of thumb), Hangul counted and compared in jamo, so ``협렵`` → ``협력``
  (6 jamo, one edit) and ``공동성멍서`` → ``공동성명서`` are corrected and
  ``양저`` (4 jamo) is not: a short word one jamo from another is more often a
  different word than a slip (양자, 양적, 양재 …).  The spellings are found as
  "did you mean" finds them (:mod:`search.spelling`): English by letters against
  the surfaces of indexed stems, Korean re-segmented into indexed morphemes;
* ``layout``: typed with the other keyboard layout (``didwk`` → 양자,
  ``ㅂㅕ무셔ㅡ`` → quantum; :mod:`search.analysis.keyboard`), when every term of
  what the keys type is indexed;
* ``initials`` (초성 search): a word of initial consonants only (``ㅇㅈ``,
  ``ㄱㄷㅅㅁㅅ``) searches the indexed words and the glossary's Korean spellings
  whose syllables begin with them, most frequent first (:data:`INITIALS_LIMIT`).

Words inside quotes and exclusions are never corrected; ``typo=0`` (``--no-typo``)
turns all of it off.  The corrections of a word are remembered with the index's
words (:attr:`search.spelling.Lexicon.remembered`), so a word is worked out once
per index generation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from search.analysis.keyboard import INITIALS, KEYS, hangul_from_keys, keys_from_hangul
from search.bilingual.glossary import analysed
from search.spelling import (
    KOREAN_PARTICLES,
    Lexicon,
    Speller,
    WordPattern,
    edit_distance,
    jamo_distance,
    remember,
)

if TYPE_CHECKING:
    from search.bilingual.glossary import Glossary

__all__ = [
    "CORRECTION_WEIGHT",
    "Correction",
    "WordCorrector",
    "initials_of",
    "initials_pattern",
    "one_key_away",
    "letter_count",
    "typo_budget",
]

#: Weight of a correction relative to a word typed: below it, so that were the word
#: itself found too, its own paragraphs would rank first.
CORRECTION_WEIGHT = 0.8
#: Letters (Hangul: jamo) from which a word may hold one typo, and two.
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
#: Words an initials query searches at most.
INITIALS_LIMIT = 5
#: Longest word corrected (characters); longer ones are not a slip of a word.
MAX_WORD = 30
#: Words of one query worked out at most (those remembered from earlier queries aside):
#: a pasted paragraph of unknown words is not a typo or two, and each costs look-ups.
MAX_WORDS_CORRECTED = 4
_HANGUL_WORD_RE = re.compile("^[\uac00-\ud7a3]+$")
_LATIN_WORD_RE = re.compile("^[A-Za-z][A-Za-z'-]*$")
#: Hangul compatibility jamo (ㄱ … ㅣ)
_JAMO_RE = re.compile("[\u3131-\u318e]")
_INITIALS_RE = re.compile(f"^[{INITIALS}]{{2,}}$")
#: punctuation around a query word ("quantom," → quantom)
_EDGE_PUNCT_RE = re.compile(r"^[^\w&+#]+|[^\w&+#]+$")


@dataclass(frozen=True)
class Correction:
    """What one query word also searches: a kind and its spellings with their terms."""

    kind: str  # one of search.results.CORRECTION_KINDS
    source: str  # the word as typed (without the punctuation around it)
    spellings: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]  # each spelling's analysed terms
    weight: float = CORRECTION_WEIGHT


def letter_count(word: str) -> int:
    """Letters of ``word`` as typos are counted: a Hangul syllable counts its jamo."""
    count = 0
    for char in word:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            count += 3 if code % 28 else 2
        elif char.isalnum():
            count += 1
    return count


def typo_budget(word: str) -> int:
    """Edits a word of this length may be corrected by: 0, 1 from 5 letters, 2 from 9."""
    letters = letter_count(word)
    return 2 if letters >= TWO_TYPOS_FROM else 1 if letters >= ONE_TYPO_FROM else 0


_VOWEL_KEYS = frozenset("yuiophjklbnmOP")
_ALL_KEYS = "".join(sorted(KEYS))


#: Longest word (syllables) whose slips are looked for as compounds of indexed pieces.
MAX_PIECES_WORD = 6
#: Longest word (syllables) whose one-keystroke slips are tried (hundreds for each).
MAX_KEYSTROKE_WORD = 8


def _held_in_pieces(word: str, counts: dict[str, int], most: int = 3) -> int:
    """How many entries hold the rarest piece of the fewest-pieces split of ``word`` into
    indexed pieces of two syllables or more (at most ``most`` pieces); 0 if none."""
    best: dict[int, tuple[int, int]] = {0: (0, 1 << 62)}  # end → (pieces, rarest count)
    for end in range(2, len(word) + 1):
        options = [
            (best[start][0] + 1, min(best[start][1], counts.get(word[start:end], 0)))
            for start in range(end - 1)
            if start in best and counts.get(word[start:end], 0)
        ]
        if options:
            best[end] = min(options, key=lambda o: (o[0], -o[1]))
    found = best.get(len(word))
    return found[1] if found is not None and 1 < found[0] <= most else 0


def one_key_away(word: str) -> list[str]:
    """The Hangul words one keystroke from ``word`` on the Korean layout: a key changed (a
    consonant for a consonant, a vowel for a vowel), added, dropped or swapped with the
    next, the keys composed again as the input method does (not all of them one jamo
    from ``word``: see :func:`jamo_distance`)."""
    keys = keys_from_hangul(word)
    edited: set[str] = set()
    for i, key in enumerate(keys):
        same = [k for k in _ALL_KEYS if (k in _VOWEL_KEYS) == (key in _VOWEL_KEYS) and k != key]
        edited.update(keys[:i] + k + keys[i + 1 :] for k in same)
        edited.add(keys[:i] + keys[i + 1 :])
        if i + 1 < len(keys) and keys[i + 1] != key:
            edited.add(keys[:i] + keys[i + 1] + key + keys[i + 2 :])
    for i in range(len(keys) + 1):
        edited.update(keys[:i] + k + keys[i:] for k in _ALL_KEYS)
    out = {hangul_from_keys(e) for e in edited}
    # (composed again, a few are two jamo away: 공원 with its ㅇ dropped is 고원, one; a
    # key added to 값 may make 갑스; the caller keeps only what is one jamo away)
    return sorted(w for w in out if w and w != word)


def initials_pattern(consonants: str, more: bool = False) -> WordPattern:
    """The words whose syllables begin with ``consonants`` (ㅇㅈ: 양자, 원자 …)."""
    ranges = []
    for consonant in consonants:
        first = 0xAC00 + INITIALS.index(consonant) * 588
        ranges.append((chr(first), chr(first + 587)))
    return WordPattern(tuple(ranges), more)


def initials_of(word: str) -> str:
    """The initial consonants of a Hangul word's syllables ('' if one is not a syllable)."""
    out = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            return ""
        out.append(INITIALS[code // 588])
    return "".join(out)


class WordCorrector:
    """The corrections of query words, from the index's words (and the glossary's).

    Called with a word as typed, it answers the :class:`Correction` list of that
    word: empty when the index holds the word or nothing close enough.  One corrector
    serves one query (at most :data:`MAX_WORDS_CORRECTED` words are worked out).
    """

    def __init__(self, lexicon: Lexicon, glossary: Glossary | None = None) -> None:
        self.lexicon = lexicon
        self.speller = Speller(lexicon)
        self.glossary = glossary
        self._worked_out = 0

    def __call__(self, word: str) -> list[Correction]:
        word = _EDGE_PUNCT_RE.sub("", word)
        if not word or len(word) > MAX_WORD:
            return []
        key = ("correction", word)
        memo = self.lexicon.remembered  # (on a cluster, its version is asked for once)
        found = memo.get(key)
        if found is None:
            if self._worked_out >= MAX_WORDS_CORRECTED:
                return []
            self._worked_out += 1
            found = self._correct(word)
            remember(memo, key, found)
        return list(found)

    def _correct(self, word: str) -> list[Correction]:
        if _INITIALS_RE.match(word):
            return self._initials(word)
        if _JAMO_RE.search(word):  # a bare jamo: English typed with the Korean layout?
            keys = self.speller.latin_typed_as_korean(word)
            return [self._correction("layout", word, keys)] if keys else []
        terms = analysed(word)
        if not terms:
            return []
        self.speller.learn(terms)
        if all(self.speller.known(t) for t in terms) or self._in_glossary(terms):
            return []
        budget = typo_budget(word)
        out: list[Correction] = []
        if _HANGUL_WORD_RE.match(word):
            fixed = self.speller.correct_korean(word) if budget else None
            if not (fixed and jamo_distance(word, fixed) <= budget and self._indexed(fixed)):
                short = len(word) <= MAX_KEYSTROKE_WORD
                fixed = self._one_key_away(word) if budget and short else None
            if fixed:
                out.append(self._correction("typo", word, fixed))
            # English whose keys all made syllables on the Korean layout (xyz → 툨)
            keys = self.speller.latin_typed_as_korean(word)
            if keys:
                out.append(self._correction("layout", word, keys))
        elif _LATIN_WORD_RE.match(word):
            fixed = None
            if budget and len(terms) == 1:
                fixed = self.speller.correct_latin(word, terms[0])
            if fixed and edit_distance(word.lower(), fixed.lower()) <= budget:
                out.append(self._correction("typo", word, fixed))
            hangul = self.speller.korean_typed_as_latin(word)
            if hangul:
                out.append(self._correction("layout", word, hangul))
        # a correction to a word that analysis drops (a stop word) searches nothing
        return [c for c in out if c.terms[0] and c.terms[0] != terms]

    def _one_key_away(self, word: str) -> str | None:
        """The most held indexed word one keystroke from ``word`` (a particle typed after it
        kept): the slips that change two syllables, which the syllable-by-syllable
        correction does not reach (과기정토우 → 과기정통부: ㅂ left out, and the ㅇ before
        it then begins the syllable; 깃루 → 기술: two keys swapped).  A compound the index
        holds in pieces (공동성명서: 공동 + 성명서) is found by its pieces."""
        stems = [(word, "")]
        stems += [(word[: -len(p)], p) for p in KOREAN_PARTICLES if word.endswith(p)]
        variants = {
            (v, particle) for stem, particle in stems if len(stem) >= 2 for v in one_key_away(stem)
        }
        if not variants:
            return None
        field = self.speller.field
        counts = self.lexicon.doc_frequencies(field, {v for v, _ in variants})
        held = [(counts[v], v + p) for v, p in variants if counts.get(v)]
        if not held:
            pieces = {
                v[i:j]
                for v, _ in variants
                if len(v) <= MAX_PIECES_WORD
                for i in range(len(v))
                for j in range(i + 2, len(v) + 1)
            }
            counts = self.lexicon.doc_frequencies(field, pieces)
            for v, particle in variants:
                least = _held_in_pieces(v, counts) if len(v) <= MAX_PIECES_WORD else 0
                if least:
                    held.append((least, v + particle))
        return max(held)[1] if held else None

    def _in_glossary(self, terms: tuple[str, ...]) -> bool:
        """Whether the glossary spells every term of the word (협력센터, a word the documents
        may not hold, is translated, not corrected)."""
        if self.glossary is None:
            return False
        covered = {
            i for start, end, _, _ in self.glossary.find(list(terms)) for i in range(start, end)
        }
        return len(covered) == len(terms)

    def _indexed(self, text: str) -> bool:
        terms = analysed(text)
        self.speller.learn(terms)
        return bool(terms) and all(self.speller.known(t) for t in terms)

    @staticmethod
    def _correction(kind: str, word: str, spelling: str) -> Correction:
        return Correction(kind, word, (spelling,), (analysed(spelling),))

    def _initials(self, consonants: str) -> list[Correction]:
        """The words whose syllables begin with ``consonants``, most frequent first."""
        counted: dict[str, tuple[int, tuple[str, ...]]] = {}
        for term, count in self.lexicon.words_like(initials_pattern(consonants), INITIALS_LIMIT):
            counted[term] = (count, (term,))
        if self.glossary is not None:
            # compounds the index holds in pieces (공동성명서 as 공동 + 성명서): ranked by
            # the paragraphs holding the rarest piece
            for spelling in self.glossary.all_spellings("ko"):
                joined = spelling.replace(" ", "")
                if joined in counted or initials_of(joined) != consonants:
                    continue
                pieces = analysed(spelling)
                counts = self.lexicon.doc_frequencies(self.speller.field, pieces)
                if pieces and all(counts.get(p) for p in pieces):
                    counted[joined] = (min(counts[p] for p in pieces), pieces)
        best = sorted(counted.items(), key=lambda kv: (-kv[1][0], kv[0]))[:INITIALS_LIMIT]
        if not best:
            return []
        spellings = tuple(word for word, _ in best)
        return [Correction("initials", consonants, spellings, tuple(t for _, (_, t) in best))]
