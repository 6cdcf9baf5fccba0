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
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Filter, Token, Tokenizer

__all__ = [
    "ENGLISH_STOP_WORDS",
    "HangulBigramFilter",
    "KIWI_OPTIONS",
    "KOREAN_CONTENT_TAGS",
    "STEMMER_ALGORITHM",
    "KoreanPairFilter",
    "KoreanMorphFilter",
    "LatinWordFilter",
    "PositionFilter",
    "ScriptRunTokenizer",
    "analyze",
    "bigram_analyzer",
    "bilingual_analyzer",
    "hangul_bigrams",
    "korean_pairs",
    "preload_kiwi",
    "pair_analyzer",
    "script_of",
]

# --- character classes -------------------------------------------------------

_HANGUL = (
    "\uac00-\ud7a3"  # syllables
    "\u1100-\u11ff"  # conjoining jamo (NFD)
    "\u3130-\u318f"  # compatibility jamo
    "\ua960-\ua97f\ud7b0-\ud7ff"  # jamo extended A/B
)
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining
_JOINERS = "\\-\u2010\u2011\u2013.&_/+"  # characters that glue Latin parts together

_KO_WORD = f"[0-9{_HANGUL}]*[{_HANGUL}][0-9{_HANGUL}]*"
_KO_JOINERS = "\\-\u00b7\u2010\u2011\u30fb"  # 한-미, 한·미
_KO_UNIT = f"{_KO_WORD}(?:[{_KO_JOINERS}]{_KO_WORD})*"
_LATIN_PART = f"[0-9{_LATIN}][0-9{_LATIN}{_MARKS}]*(?:['\u2019][{_LATIN}][{_LATIN}{_MARKS}]*)*"
_TOKEN_RE = re.compile(
    # A Hangul run is several Korean words with the spaces between them, so that
    # Kiwi sees each phrase in context.
    f"(?P<ko>{_KO_UNIT}(?:[ \t\u00a0]+{_KO_UNIT})*)"
    f"|(?P<latin>{_LATIN_PART}(?:[{_JOINERS}]{_LATIN_PART})*)"
    f"|(?P<other>(?:[^\\W\\d_][{_MARKS}]*)+|\\d+)"
)
_JOINER_SPLIT_RE = re.compile(f"[{_JOINERS}]+")
_KO_JOINER_SPLIT_RE = re.compile(f"[{_KO_JOINERS}]+")
_HANGUL_CHAR_RE = re.compile(f"[{_HANGUL}]")
_LATIN_CHAR_RE = re.compile(f"[{_LATIN}]")


def script_of(char: str) -> str:
    """'hangul', 'latin' or 'other' for one character (used for language shares)."""
    if _HANGUL_CHAR_RE.match(char):
        return "hangul"
    if _LATIN_CHAR_RE.match(char):
        return "latin"
    return "other"


# --- word lists ---------------------------------------------------------------

#: English function words dropped from the index.  Deliberately short and
#: without "us", "it", "may", "who", "can" and "so" (Korea–US, IT, May, WHO,
#: CAN, SO) which can be content.
ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "which",
        "with",
        "its",
        "than",
        "then",
        # question and helper words, which only add noise to a question typed
        # as a sentence ("what problems of heat conduction have been solved")
        "what",
        "how",
        "why",
        "when",
        "where",
        "whom",
        "whose",
        "do",
        "does",
        "did",
        "could",
        "would",
        "should",
        "shall",
        "there",
        "any",
        "some",
        "been",
        "being",
        "if",
        "them",
        "also",
        "very",
        "about",
    ]
)

#: Kiwi part-of-speech tags kept as index terms: nouns, numerals, verb and
#: adjective stems, roots, numbers, foreign words, hanja and web tokens.
#: Particles (J*), endings (E*), suffixes (XS*), copulas, determiners,
#: pronouns (무엇, 누구 …), adverbs and punctuation are dropped.
KOREAN_CONTENT_TAGS = frozenset(
    [
        "NNG",
        "NNP",
        "NNB",
        "NR",
        "VV",
        "VA",
        "XR",
        "SN",
        "SL",
        "SH",
        "W_URL",
        "W_EMAIL",
        "W_HASHTAG",
        "W_MENTION",
        "W_SERIAL",
    ]
)

#: Bound nouns so common that they only add noise.
KOREAN_STOP_MORPHEMES = frozenset(
    ["것", "수", "등", "때", "데", "바", "뿐", "줄", "중", "듯", "만큼", "따름", "뿐", "터", "측"]
)


# --- NFC with an offset map ---------------------------------------------------


def _nfc_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFC-normalise ``text`` and map every normalised index back to the original.

    The text is cut into clusters (a starter plus the combining marks or Hangul
    vowel/final jamo after it); each cluster is normalised on its own.  The
    returned list has ``len(normalised) + 1`` entries; entry *i* is the original
    offset where normalised character *i* starts (the last entry is ``len(text)``).
    """
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text) + 1))
    out: list[str] = []
    offsets: list[int] = []
    start = 0
    n = len(text)
    while start < n:
        end = start + 1
        while end < n and _continues_cluster(text[end]):
            end += 1
        piece = unicodedata.normalize("NFC", text[start:end])
        out.append(piece)
        offsets.extend([start] * len(piece))
        start = end
    offsets.append(n)
    return "".join(out), offsets


def _continues_cluster(char: str) -> bool:
    code = ord(char)
    # Hangul medial vowels and finals (and their extended blocks) compose with
    # the jamo before them even though their combining class is 0.
    if 0x1160 <= code <= 0x11FF or 0xD7B0 <= code <= 0xD7FF:
        return True
    return unicodedata.combining(char) != 0


# --- Kiwi and the stemmer, created lazily so analyzers stay picklable ------------

_kiwi_lock = threading.Lock()
_kiwi: Any = None
_stemmer_local = threading.local()


#: How Dari loads Kiwi.  Without its multi-word dictionary: with it, Kiwi gives a
#: several-word name (알렉상드르 뒤마) as one morpheme, which a query, analysed
#: word by word, could never match; the dictionary also cost 190 MB of every
#: process's memory and about a second of start-up.  The benchmark's Kiwi anchor
#: loads Kiwi the same way.
KIWI_OPTIONS: dict[str, Any] = {"load_multi_dict": False}


def kiwi() -> Any:
    """The process-wide Kiwi instance (loading the model takes about a second)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi(**KIWI_OPTIONS)
    return _kiwi


def preload_kiwi() -> threading.Thread:
    """Load Kiwi and make its first call (about 2 s of lazy set-up) in a background thread.

    Kiwi's C++ side runs without the GIL, so a server can import and open
    everything else meanwhile; the first analysis waits for it (the lock in
    :func:`kiwi`) instead of loading it again.
    """
    thread = threading.Thread(target=lambda: kiwi().tokenize("다리"), name="kiwi-preload")
    thread.daemon = True
    thread.start()
    return thread


#: PyStemmer's algorithm for English: Snowball's "english" (Porter2); "porter" measured
#: no better on Cranfield (docs/quality.md).
STEMMER_ALGORITHM = "english"


def _stem_word(word: str) -> str:
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _stemmer_local.stemmer = Stemmer.Stemmer(STEMMER_ALGORITHM, 50_000)
    return stemmer.stemWord(word)


#: Hangul runs whose Kiwi analysis is kept: highlighting re-analyses the
#: paragraphs it shows and a document's title is analysed for every paragraph,
#: so the same runs come back again and again (about 1 KB each).
KIWI_CACHE_SIZE = 1 << 15


@functools.lru_cache(maxsize=KIWI_CACHE_SIZE)
def korean_morphemes(text: str) -> tuple[tuple[str, str, int, int], ...]:
    """Kiwi's analysis of ``text`` as (form, tag, start, end) tuples (cached).

    Kept as a single seam so that a batch indexer can put a cache of
    pre-computed analyses in front of it.
    """
    return tuple((t.form, t.tag, t.start, t.start + t.len) for t in kiwi().tokenize(text))


# --- the chain ---------------------------------------------------------------


class ScriptRunTokenizer(Tokenizer):
    """Cuts text into script runs: Hangul phrases, Latin words, other words.

    Each emitted token carries ``script`` ('ko', 'latin' or 'other'); Hangul runs
    additionally carry ``norm`` (their NFC text) and ``offmap`` (see
    :func:`_nfc_with_offsets`) for the Korean filter to use.
    """

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.start_pos = start_pos
        for run, match in enumerate(_TOKEN_RE.finditer(value)):
            t.run = run
            kind = match.lastgroup
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            t.newpos = True
            t.startchar = start_char + match.start()
            t.endchar = start_char + match.end()
            if keeporiginal:
                t.original = t.text
            if kind == "ko":
                t.script = "ko"
                t.norm, t.offmap = _nfc_with_offsets(t.text)
            else:
                t.script = "latin" if kind == "latin" else "other"
                t.text = unicodedata.normalize("NFC", t.text)
            yield t


class KoreanMorphFilter(Filter):
    """Replaces each Hangul run by its content morphemes (via Kiwi).

    Compounds come out as parts (양자정보과학기술 → 양자 정보 과학 기술);
    particles and endings are dropped (협력을 → 협력).  Names joined by a
    hyphen or middle dot (한-미, 한·미) are treated like Latin joined words.
    """

    def __init__(self, tags: Iterable[str] = KOREAN_CONTENT_TAGS) -> None:
        self.tags = frozenset(tags)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
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
                parts = [p for p in _KO_JOINER_SPLIT_RE.split(form) if p]
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

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
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
            parts = [p for p in _JOINER_SPLIT_RE.split(word) if p]
            if len(parts) <= 1:
                if word in stops:
                    continue
                t.text = _stem_word(word)
                t.newpos = True
                yield t
                continue
            joined = _stem_word("".join(parts))
            t.text = joined
            t.newpos = True
            yield t
            if t.mode == "query":
                continue
            emitted = {joined}
            for part in parts:
                if part in stops or (len(part) < 2 and not part.isdigit()):
                    continue
                stem = _stem_word(part)
                if stem in emitted:
                    continue
                emitted.add(stem)
                t.text = stem
                t.newpos = False
                yield t


class PositionFilter(Filter):
    """Numbers tokens; a token with ``newpos`` False shares the previous position."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        pos = None
        for t in tokens:
            if pos is None:
                pos = getattr(t, "start_pos", 0)
            elif t.newpos:
                pos += 1
            if t.positions:
                t.pos = pos
            yield t


def bilingual_analyzer():
    """The analyzer of every text field (title, text), at index and query time."""
    return ScriptRunTokenizer() | KoreanMorphFilter() | LatinWordFilter() | PositionFilter()


_HANGUL_SYLLABLES_RE = re.compile("[\uac00-\ud7a3]+")


class HangulBigramFilter(Filter):
    """Replaces each Hangul run by the overlapping syllable pairs of its words.

    양자정보과학기술을 → 양자 자정 정보 보과 과학 학기 기술 술을; a one-syllable
    word stays whole.  Latin and other runs are dropped (their words are in the
    morpheme field already).  Pairs never cross a space or a non-Hangul character.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
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


def bigram_analyzer():
    """The analyzer of the ``bigrams`` field: Hangul syllable pairs (see :class:`HangulBigramFilter`).

    Morphemes give precision; the pairs give recall where Kiwi cuts a word
    differently in a question and in a paragraph (names, rare compounds).
    """
    return ScriptRunTokenizer() | HangulBigramFilter() | PositionFilter()


class KoreanPairFilter(Filter):
    """Replaces the Korean morphemes of each Hangul run by pairs of neighbours.

    알렉상드르 뒤마의 소설 → 알렉상드르_뒤마 뒤마_소설: a cheap measure of
    proximity for Korean, whose phrases keep their words in order.  Everything
    else is dropped (English word pairs did not help on Cranfield).
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        prev, prev_run = None, None
        for t in tokens:
            if t.script != "ko" or not t.newpos:
                continue
            word, run = t.text, getattr(t, "run", None)
            if prev is not None and run == prev_run:
                t.text = f"{prev}_{word}"
                yield t
            prev, prev_run = word, run


def pair_analyzer():
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
