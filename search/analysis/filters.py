"""Token filters: Korean morphemes, English words, positions, and the derived Korean fields."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter

from search.analysis.kiwi import korean_morphemes, korean_readings
from search.analysis.scripts import JOINER_SPLIT_RE, KO_JOINER_SPLIT_RE
from search.analysis.stemming import stem_word
from search.analysis.wordlists import (
    ENGLISH_STOP_WORDS,
    KOREAN_CONTENT_TAGS,
    KOREAN_STOP_MORPHEMES,
)

#: Whoosh tokens carrying Dari's own attributes (``script``, ``norm``, ``offmap``,
#: ``newpos``, ``run``: see :class:`~search.analysis.tokenizers.ScriptRunTokenizer`).
TokenStream = Iterable[Any]

# The filters' __call__ has whoosh's Filter signature, ``(tokens)``; whoosh3 declares
# Filter.__call__ incompatibly with its own base, Composable.__call__(value, **kwargs),
# so mypy flags every override of it whatever its signature: hence ignore[override].

__all__ = [
    "HangulBigramFilter",
    "KoreanMorphFilter",
    "KoreanPairFilter",
    "LatinWordFilter",
    "PositionFilter",
    "hangul_bigrams_of",
    "korean_terms",
    "latin_terms",
    "noun_terms",
    "verb_as_noun_terms",
]


class KoreanMorphFilter(Filter):
    """Replaces each Hangul run by its content morphemes (via Kiwi).

    Compounds come out as parts (양자정보과학기술 → 양자 정보 과학 기술);
    particles and endings are dropped (협력을 → 협력).  Names joined by a
    hyphen or middle dot (한-미, 한·미) are treated like Latin joined words.
    """

    def __init__(self, tags: Iterable[str] = KOREAN_CONTENT_TAGS) -> None:
        self.tags = frozenset(tags)

    def __call__(self, tokens: TokenStream) -> Iterator[Any]:  # type: ignore[override]
        tags = self.tags
        for t in tokens:
            if t.script != "ko":
                yield t
                continue
            for text, start, end, newpos in korean_terms(
                t.norm, t.offmap, t.startchar, t.mode, tags
            ):
                t.text, t.startchar, t.endchar, t.newpos = text, start, end, newpos
                yield t


def korean_terms(
    norm: str,
    offmap: list[int],
    base: int,
    mode: str,
    tags: frozenset[str] = frozenset(KOREAN_CONTENT_TAGS),
) -> Iterator[tuple[str, int, int, bool]]:
    """The terms of one Hangul run: (term, start, end, new position?) in order.

    ``norm`` and ``offmap`` are the run's NFC text and offset map
    (:func:`~search.analysis.scripts.nfc_with_offsets`), ``base`` where the run
    starts in the text.  The rule of :class:`KoreanMorphFilter`, which is also
    how a build analyses a paragraph (:mod:`search.analysis.paragraphs`).
    """
    for form, tag, start, end in korean_morphemes(norm):
        if tag.split("-", 1)[0] not in tags or form in KOREAN_STOP_MORPHEMES:
            continue
        startchar = base + offmap[start]
        endchar = base + offmap[end]
        parts = [p for p in KO_JOINER_SPLIT_RE.split(form) if p]
        yield "".join(parts), startchar, endchar, True  # 한-미 is found as 한미, like co-operation
        if len(parts) > 1 and mode != "query":
            for part in parts:
                yield part, startchar, endchar, False


#: Tags of the readings a query word falls back on (nouns, numerals, roots).
_NOUN_TAGS = frozenset(["NNG", "NNP", "NNB", "NR", "XR"])


#: How much less likely (Kiwi's log-probability) a noun reading of a query word may be than
#: its best reading, when that is a verb or adjective form (감: 가다 -15.5, 감 -17.4;
#: 먹다: 먹다 -18.2, the "noun" 먹다 -25.5) …
VERB_READING_MARGIN = 3.0
#: … and when nothing else is left of a query (아이: interjection -11.8, noun -16.7).
NO_CONTENT_MARGIN = 6.0
_HANGUL_RUN_RE = re.compile("[\uac00-\ud7a3]+")


def verb_as_noun_terms(
    word: str, tagset: frozenset[str] = frozenset(KOREAN_CONTENT_TAGS)
) -> list[str] | None:
    """The noun terms of a query that is this one word, when Kiwi reads it as a verb or
    adjective form and it has a noun reading nearly as likely; else None.

    A word alone comes without the sentence that tells Kiwi how to read it: 감
    and 섬 are forms of the verbs 가다 and 서다, 해 of 하다, where documents hold
    the nouns.  Such a word is read as the best of its readings that is a noun,
    with particles if any (감을), if that is at most :data:`VERB_READING_MARGIN`
    less likely and the word is not a verb's dictionary form (가다, 먹다: meant
    as verbs).  Only for a query of one word: in a longer one the other words
    say it is a sentence (몇 살 때 돈을 벌기 위해: 벌기 is the verb), and reading its
    verb forms as nouns changed 319 of KorQuAD's 6,095 questions, those looked at for the
    worse (쓴 → the noun 쓴, 대한 → 대한 as Korea, 보고 → the noun 보고).
    """
    runs = _HANGUL_RUN_RE.findall(unicodedata.normalize("NFC", word))
    if len(runs) != 1:
        return None
    morphemes = korean_morphemes(runs[0])
    tags = [tag.split("-", 1)[0] for _, tag, _, _ in morphemes]
    if not tags or any(t in _NOUN_TAGS for t in tags) or not any(t in tagset for t in tags):
        return None
    if morphemes[-1][0] == "다" and tags[-1][0] == "E":
        return None  # a verb as a dictionary gives it
    reading = _noun_reading(runs[0], VERB_READING_MARGIN)
    return [f for f, tag, _, _ in reading if tag in _NOUN_TAGS] if reading else None


def _noun_reading(norm: str, margin: float) -> tuple[tuple[str, str, int, int], ...] | None:
    """The most likely reading of ``norm`` that is a noun with particles if any, if it is
    at most ``margin`` less likely than the best reading."""
    readings = korean_readings(norm)
    best = readings[0][0] if readings else 0.0
    for score, reading in readings:
        if best - score > margin:
            break
        head, *rest = reading
        if head[1] in _NOUN_TAGS and head[2] == 0 and all(t[1][0] == "J" for t in rest):
            return reading
    return None


def noun_terms(text: str) -> list[str]:
    """The terms of a query's words read as nouns: for a query of which analysis leaves
    nothing (아이 alone is an interjection, 별 a determiner, 씨 an exclamation), each
    Hangul word's noun reading (at most :data:`NO_CONTENT_MARGIN` less likely than
    its best), else the word as typed, so that a query word never vanishes."""
    terms: list[str] = []
    for run in _HANGUL_RUN_RE.findall(unicodedata.normalize("NFC", text)):
        reading = _noun_reading(run, NO_CONTENT_MARGIN)
        nouns = [f for f, tag, _, _ in reading or () if tag in _NOUN_TAGS]
        terms += nouns or [run]
    return terms


class LatinWordFilter(Filter):
    """Lowercases, drops stop words and Snowball-stems Latin words.

    A word glued by joiners (``R&D``, ``co-operation``, ``Entanglementexchange.org``)
    is indexed at one position as its joined form plus each part, and queried
    by its joined form only, so ``cooperation`` and ``co-operation`` meet.
    Other scripts are lowercased and passed through unstemmed.
    """

    def __init__(self, stoplist: Iterable[str] = ENGLISH_STOP_WORDS) -> None:
        self.stops = frozenset(stoplist)

    def __call__(self, tokens: TokenStream) -> Iterator[Any]:  # type: ignore[override]
        stops = self.stops
        for t in tokens:
            if t.script == "other":
                t.text = t.text.lower()
                yield t
                continue
            if t.script != "latin":
                yield t
                continue
            for text, newpos in latin_terms(t.text, t.mode, stops):
                t.text, t.newpos = text, newpos
                yield t


def latin_terms(
    word: str, mode: str, stops: frozenset[str] = frozenset(ENGLISH_STOP_WORDS)
) -> Iterator[tuple[str, bool]]:
    """The terms of one Latin word: (term, new position?) in order; none for a stop word.

    The rule of :class:`LatinWordFilter`, which is also how a build analyses a
    paragraph (:mod:`search.analysis.paragraphs`).
    """
    word = word.lower().replace("\u2019", "'")
    parts = [p for p in JOINER_SPLIT_RE.split(word) if p]
    if len(parts) <= 1:
        if word not in stops:
            yield stem_word(word), True
        return
    joined = stem_word("".join(parts))
    yield joined, True
    if mode == "query":
        return
    emitted = {joined}
    for part in parts:
        if part in stops or (len(part) < 2 and not part.isdigit()):
            continue
        stem = stem_word(part)
        if stem in emitted:
            continue
        emitted.add(stem)
        yield stem, False


class PositionFilter(Filter):
    """Numbers tokens; a token with ``newpos`` False shares the previous position."""

    def __call__(self, tokens: TokenStream) -> Iterator[Any]:  # type: ignore[override]
        pos = None
        for t in tokens:
            if pos is None:
                pos = getattr(t, "start_pos", 0)
            elif t.newpos:
                pos += 1
            if t.positions:
                t.pos = pos
            yield t


_HANGUL_SYLLABLES_RE = re.compile("[\uac00-\ud7a3]+")


class HangulBigramFilter(Filter):
    """Replaces each Hangul run by the overlapping syllable pairs of its words.

    양자정보과학기술을 → 양자 자정 정보 보과 과학 학기 기술 술을; a one-syllable
    word stays whole.  Latin and other runs are dropped (their words are in the
    morpheme field already).  Pairs never cross a space or a non-Hangul character.
    """

    def __call__(self, tokens: TokenStream) -> Iterator[Any]:  # type: ignore[override]
        for t in tokens:
            if t.script != "ko":
                continue
            for text, start, end in hangul_bigrams_of(t.norm, t.offmap, t.startchar):
                t.text, t.startchar, t.endchar, t.newpos = text, start, end, True
                yield t


def hangul_bigrams_of(norm: str, offmap: list[int], base: int) -> Iterator[tuple[str, int, int]]:
    """The syllable pairs of one Hangul run (see :class:`HangulBigramFilter`): (pair, start, end)."""
    for word in _HANGUL_SYLLABLES_RE.finditer(norm):
        w, w0 = word.group(0), word.start()
        size = min(2, len(w))
        for i in range(len(w) - size + 1):
            yield w[i : i + size], base + offmap[w0 + i], base + offmap[w0 + i + size]


class KoreanPairFilter(Filter):
    """Replaces the Korean morphemes of each Hangul run by pairs of neighbours.

    알렉상드르 뒤마의 소설 → 알렉상드르_뒤마 뒤마_소설: a cheap measure of
    proximity for Korean, whose phrases keep their words in order.  Everything
    else is dropped (English word pairs did not help on Cranfield).
    """

    def __call__(self, tokens: TokenStream) -> Iterator[Any]:  # type: ignore[override]
        prev, prev_run = None, None
        for t in tokens:
            if t.script != "ko" or not t.newpos:
                continue
            word, run = t.text, getattr(t, "run", None)
            if prev is not None and run == prev_run:
                t.text = f"{prev}_{word}"
                yield t
            prev, prev_run = word, run
