"""Token filters: Korean morphemes, English words, positions, and the derived Korean fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter

from search.analysis.kiwi import korean_morphemes
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
            base = t.startchar
            offmap = t.offmap
            for form, tag, start, end in korean_morphemes(t.norm):
                if tag.split("-", 1)[0] not in tags or form in KOREAN_STOP_MORPHEMES:
                    continue
                t.startchar = base + offmap[start]
                t.endchar = base + offmap[end]
                parts = [p for p in KO_JOINER_SPLIT_RE.split(form) if p]
                t.text = "".join(parts)  # 한-미 is found as 한미, like co-operation
                t.newpos = True
                yield t
                if len(parts) > 1 and t.mode != "query":
                    for part in parts:
                        t.text = part
                        t.newpos = False
                        yield t


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
            word = t.text.lower().replace("\u2019", "'")
            parts = [p for p in JOINER_SPLIT_RE.split(word) if p]
            if len(parts) <= 1:
                if word in stops:
                    continue
                t.text = stem_word(word)
                t.newpos = True
                yield t
                continue
            joined = stem_word("".join(parts))
            t.text = joined
            t.newpos = True
            yield t
            if t.mode == "query":
                continue
            emitted = {joined}
            for part in parts:
                if part in stops or (len(part) < 2 and not part.isdigit()):
                    continue
                stem = stem_word(part)
                if stem in emitted:
                    continue
                emitted.add(stem)
                t.text = stem
                t.newpos = False
                yield t


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
            base, offmap, norm = t.startchar, t.offmap, t.norm
            for word in _HANGUL_SYLLABLES_RE.finditer(norm):
                w, w0 = word.group(0), word.start()
                size = min(2, len(w))
                for i in range(len(w) - size + 1):
                    t.text = w[i : i + size]
                    t.startchar = base + offmap[w0 + i]
                    t.endchar = base + offmap[w0 + i + size]
                    t.newpos = True
                    yield t


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
