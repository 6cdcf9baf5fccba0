"""Cross-lingual query expansion: a query word also searches its translations.

A run of query words is matched against the glossary by analysed terms (so
``협력을``, ``co-operation`` and ``공동 성명서`` find their entries, and several
words such as ``joint statement`` or ``지식 재산`` match one entry).  Each match
adds the other language's spellings as alternatives of lower weight
(:data:`TRANSLATION_WEIGHT`): a paragraph in the query's own language ranks
above one found through a translation, but under match=all a Korean query
``워싱턴 협력센터`` still finds the English paragraph on the Washington
cooperation center, every clause being satisfied by its original or its
translation.

Korean proper nouns (Kiwi's NNP) with no glossary entry also search their
Revised Romanization (부산 → busan) at an even lower weight
(:data:`ROMANIZATION_WEIGHT`).  The romanization is our own
(:mod:`search.bilingual.romanization`): it applies the final-consonant and
sound-change rules of the standard (한국 → hanguk, 종로 → jongno, 신라 → silla).

This module only decides *what* is searched; :mod:`search.query` builds the
Whoosh queries.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from search.analysis import korean_morphemes
from search.bilingual.glossary import DEFAULT_GLOSSARY, Glossary, analysed, default_glossary
from search.bilingual.romanization import romanize as _romanize
from search.results import Expansion

__all__ = [
    "ROMANIZATION_WEIGHT",
    "TRANSLATION_WEIGHT",
    "Expander",
    "Translation",
    "load_glossary",
    "romanize",
]

#: Weight of a glossary translation relative to the word typed: the highest at which
#: paragraphs in the query's own language still rank first on the seeds (at 0.6 an
#: English paragraph enters the top 10 for 양자; tests/test_expansion.py).  On the
#: dev split of ``dari eval xlang`` more would help: MRR@10 0.312 at 0.3, 0.355 at
#: 0.5, 0.381 at 1.0.
TRANSLATION_WEIGHT = 0.5
#: Weight of the romanization of a Korean name with no glossary entry.
ROMANIZATION_WEIGHT = 0.3
#: Translations (each spelling counts) added to one query at most.
MAX_TRANSLATIONS = 24
_HANGUL_RE = re.compile("[\uac00-\ud7a3]")
#: punctuation around a query word ("Daejeon." → Daejeon), left out of what is shown
_EDGE_PUNCT_RE = re.compile(r"^[^\w&+#]+|[^\w&+#]+$")


@dataclass(frozen=True)
class Translation:
    """What a span of query terms also searches."""

    start: int  # first analysed query term covered
    end: int  # one past the last
    source: str  # the query text it stands for, for the reader
    spellings: tuple[str, ...]  # the other language's spellings, as written
    terms: tuple[tuple[str, ...], ...]  # each spelling's analysed terms
    kind: str = "glossary"  # or "romanization"; a correction's kind (search.typos)
    weight: float = TRANSLATION_WEIGHT

    def as_dict(self) -> Expansion:
        """The JSON shape: ``{"from": "대전", "to": ["Daejeon"]}`` (+ ``kind`` if not glossary)."""
        out: Expansion = {"from": self.source, "to": list(self.spellings)}
        if self.kind != "glossary":
            out["kind"] = self.kind
        return out


@dataclass
class Expander:
    """Finds the translations of query words in a glossary (plus romanization)."""

    glossary: Glossary = field(default_factory=default_glossary)
    weight: float = TRANSLATION_WEIGHT
    romanization_weight: float = ROMANIZATION_WEIGHT
    romanization: bool = True

    def translate(self, words: list[str], terms: list[list[str]]) -> list[Translation]:
        """The translations of a run of consecutive query words.

        ``terms`` holds each word's analysed terms (query mode).  A translation
        covers whole words (``joint statement``, ``협력센터``) or a part of one
        Korean word (``양자`` of ``양자기술``); a match that starts or ends
        inside a word it does not fill is not used (``centre`` of a joined word).
        """
        flat: list[str] = []
        owner: list[int] = []  # word index of each flat term
        for k, word_terms in enumerate(terms):
            flat.extend(word_terms)
            owner.extend([k] * len(word_terms))
        starts = {sum(len(t) for t in terms[:k]) for k in range(len(terms) + 1)}
        out: list[Translation] = []
        covered: set[int] = set()
        for start, end, entry_id, lang in self.glossary.find(flat):
            same_word = owner[start] == owner[end - 1]
            if not same_word and not (start in starts and end in starts):
                continue
            entry = self.glossary.entries[entry_id]
            target = "ko" if lang == "en" else "en"
            own = tuple(flat[start:end])
            spellings, seqs = [], []
            for spelling in entry.spellings(target):
                seq = analysed(spelling)
                if seq and seq != own and seq not in seqs:
                    spellings.append(spelling)
                    seqs.append(seq)
            if not seqs:
                continue
            first, last = owner[start], owner[end - 1]
            if start in starts and end in starts:
                source = _EDGE_PUNCT_RE.sub("", " ".join(words[first : last + 1]))
            else:  # part of one Korean word: its morphemes as written together
                source = "".join(own)
            out.append(
                Translation(start, end, source, tuple(spellings), tuple(seqs), weight=self.weight)
            )
            covered.update(range(start, end))
        if self.romanization:
            for k, word in enumerate(words):
                if not _HANGUL_RE.search(word):
                    continue
                names = proper_nouns(word)
                first = sum(len(t) for t in terms[:k])
                for offset, term in enumerate(terms[k]):
                    i = first + offset
                    if i in covered or term not in names or not _romanizable(term):
                        continue
                    roman = romanize(term)
                    seq = analysed(roman) if roman else ()
                    if not seq:
                        continue
                    out.append(
                        Translation(
                            i,
                            i + 1,
                            term,
                            (roman,),
                            (seq,),
                            kind="romanization",
                            weight=self.romanization_weight,
                        )
                    )
        return sorted(out, key=lambda t: (t.start, t.end))


def load_glossary(*extra: Path | str) -> Glossary:
    """The shipped glossary plus the user's files (their entries add to the shipped ones).

    Raises :class:`search.bilingual.glossary.GlossaryError` naming the file and line.
    """
    if not extra:
        return default_glossary()
    return Glossary.load(DEFAULT_GLOSSARY, *extra)


#: Syllables of a consonant with the vowel ㅡ and no final: how Korean spells the
#: consonant clusters of foreign names (스, 트, 드 …), rare in Korean names.
_CLUSTER_SYLLABLES = frozenset("스즈츠트드크그프브르흐쓰")


def _romanizable(name: str) -> bool:
    """Whether a proper noun looks like a Korean name worth romanizing.

    Two to four Hangul syllables (미 for 미국 gives "mi"), and none of the
    syllables that spell the clusters of a transliterated foreign name:
    라이스 romanizes to "raiseu", not Rice, so it would find nothing.
    """
    return (
        2 <= len(name) <= 4
        and all("\uac00" <= c <= "\ud7a3" for c in name)
        and not any(c in _CLUSTER_SYLLABLES for c in name)
    )


@functools.lru_cache(maxsize=4096)
def proper_nouns(word: str) -> frozenset[str]:
    """The forms Kiwi tags as proper nouns (NNP) in one query word."""
    return frozenset(form for form, tag, _, _ in korean_morphemes(word) if tag == "NNP")


@functools.lru_cache(maxsize=4096)
def romanize(hangul: str) -> str:
    """The Revised Romanization of a Hangul name, lowercase ('' if there is none).

    See :func:`search.bilingual.romanization.romanize`; cached, as query names repeat.
    """
    return _romanize(hangul)
