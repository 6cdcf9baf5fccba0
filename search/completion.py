"""Search as you type: completions of the query's last word, titles and glossary terms.

:func:`complete` answers what ``GET /api/suggest`` lists while someone types:

* ``word``: indexed words that the last word typed begins, most held first.  A
  Korean word is completed while its last syllable is still being composed:
  ``협ㄹ`` (a bare consonant) stands for any syllable that begins with it
  (협력), ``협려`` for 려 with or without a final (협력), and ``협`` also for
  혀 followed by a syllable beginning with ㅂ (the input method moves a final to
  the next syllable when a vowel follows: 혀 + 바 …).  A word of initial
  consonants only (``ㅇㅈ``) lists the words whose syllables begin with them.
  English words are shown as the documents write them (the index holds stems:
  ``quan`` → quantum, ``cooperat`` → cooperation, whose stem ``cooper`` the
  typed word goes past), Korean ones only when they are nouns or names (the
  index also holds verb stems such as 위하);
* ``title``: documents whose title holds what was typed (case ignored);
* ``glossary``: glossary spellings that begin with what was typed, with their
  translations.

Each suggestion carries the query it makes (``query``: the text typed with its
last word completed, or the glossary spelling in place of the text typed), so
that choosing it searches that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from search.analysis import korean_morphemes
from search.analysis.keyboard import COMPOUND_FINALS, FINALS, INITIALS
from search.bilingual.glossary import Glossary
from search.query import normalize_query_text
from search.spelling import FIELD, MIN_STEM_PREFIX, Lexicon, WordPattern, remember, surfaces_of
from search.typos import initials_pattern

__all__ = ["MAX_SUGGEST_LIMIT", "SUGGEST_LIMIT", "Suggestion", "complete"]

#: Suggestions of each kind at most (words; titles and glossary terms take fewer).
SUGGEST_LIMIT = 8
#: The most words a request may ask for.
MAX_SUGGEST_LIMIT = 20
TITLE_LIMIT = 3
GLOSSARY_LIMIT = 3
#: Words looked at for each one shown (those not shown: verb stems, surfaces not begun)
_CANDIDATES = 4
#: Paragraphs read to learn how an English stem is written.
_SURFACE_PARAGRAPHS = 3
#: The Korean tags of words worth completing to: nouns, names, foreign words, numbers.
_NOUN_TAGS = ("NNG", "NNP", "NNB", "NR", "SL", "SH", "XR")
_WORD_RE = re.compile(r"(\S+)$")
_SYNTAX_RE = re.compile(r"^(?:lang|doc):|^(?:OR|AND|NOT)$")
_LATIN_RE = re.compile(r"^[a-z0-9][a-z0-9'-]*$")
_INITIALS_RE = re.compile(f"^[{INITIALS}]+$")


@dataclass
class Suggestion:
    """One thing to suggest while someone types."""

    text: str  # the word, title or glossary spelling
    kind: str  # "word", "title" or "glossary"
    query: str  # what choosing it searches
    count: int | None = None  # a word: the entries that hold it
    doc_id: str | None = None  # a title: its document
    url: str | None = None  # a title: its document's page
    translations: list[str] = field(default_factory=list)  # a glossary term: its translations

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``/api/suggest``: empty details left out."""
        return {k: v for k, v in asdict(self).items() if v is not None and v != []}


def complete(
    lexicon: Lexicon,
    text: str,
    titles: Sequence[tuple[str, str]] = (),
    glossary: Glossary | None = None,
    limit: int = SUGGEST_LIMIT,
) -> list[Suggestion]:
    """What to suggest for ``text`` as typed so far: words, then titles, then glossary terms.

    ``titles`` are the documents' (id, title); ``lexicon`` the index's words.  A text
    that ends with a space completes no word (the word is finished).
    """
    if not isinstance(text, str):
        return []
    typed = normalize_query_text(text)
    if not typed:
        return []
    out: list[Suggestion] = []
    ended = text[-1:].isspace()
    m = _WORD_RE.search(typed)
    if m and not ended:
        head, word = typed[: m.start()], m.group(1)
        lead = re.match(r'^[-"(]+', word)
        if lead:
            head, word = head + lead.group(0), word[lead.end() :]
        if word and not _SYNTAX_RE.match(word):
            for completed, count in _words(lexicon, word, limit):
                if completed.casefold() != word.casefold():  # nothing left to complete
                    out.append(Suggestion(completed, "word", head + completed, count=count))
    folded = typed.casefold()
    found_titles = [(doc_id, title) for doc_id, title in titles if folded in title.casefold()]
    for doc_id, title in found_titles[:TITLE_LIMIT]:
        out.append(Suggestion(title, "title", title, doc_id=doc_id))
    if glossary is not None:
        queries = {s.query for s in out}
        out += [s for s in _glossary(glossary, typed) if s.query not in queries]
    return out


def _words(lexicon: Lexicon, word: str, limit: int) -> list[tuple[str, int]]:
    """The completions of one word (as typed so far) with the entries holding each."""
    memo = lexicon.remembered
    key = ("completion", word, limit)
    found = memo.get(key)
    if found is not None:
        return list(found)
    lowered = word.lower()
    if _INITIALS_RE.match(word):
        found = _korean(lexicon, [initials_pattern(word, more=True)], limit)
    elif _LATIN_RE.match(lowered):
        found = _english(lexicon, word, limit)
    else:
        patterns = _hangul_patterns(word)
        found = _korean(lexicon, patterns, limit) if patterns else []
    remember(memo, key, found)
    return list(found)


def _korean(lexicon: Lexicon, patterns: list[WordPattern], limit: int) -> list[tuple[str, int]]:
    counted: dict[str, int] = {}
    for pattern in patterns:
        for term, count in lexicon.words_like(pattern, limit * _CANDIDATES):
            counted[term] = max(count, counted.get(term, 0))
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(t, n) for t, n in ranked if _is_noun(t)][:limit]


def _is_noun(term: str) -> bool:
    """Whether a Korean index word is worth completing to: read alone, it is one noun (or
    name, or a foreign word), not a verb stem (위하) or an ending."""
    if not any("\uac00" <= c <= "\ud7a3" for c in term):
        return True
    morphemes = korean_morphemes(term)
    return len(morphemes) == 1 and morphemes[0][1] in _NOUN_TAGS


def _english(lexicon: Lexicon, word: str, limit: int) -> list[tuple[str, int]]:
    """Stems that the word begins, and stems that begin the word (the typed word has gone
    past a stem: cooperat and cooper), as the documents write them."""
    lowered = word.lower()
    candidates = dict(
        lexicon.words_like(WordPattern(tuple((c, c) for c in lowered), True), limit * _CANDIDATES)
    )
    stems = [lowered[:k] for k in range(MIN_STEM_PREFIX, len(lowered))]
    for stem, count in lexicon.doc_frequencies(FIELD, stems).items():
        if count:
            candidates[stem] = count
    out: dict[str, int] = {}
    for stem, count in sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0])):
        surface = _surface(lexicon, stem)
        if surface and surface.startswith(lowered) and surface not in out:
            out[surface] = count
        if len(out) >= limit:
            break
    return [(_as_typed(word, s), n) for s, n in out.items()]


def _surface(lexicon: Lexicon, stem: str) -> str | None:
    """How the documents most often write an English stem (lowercased), remembered."""
    key = ("surface", stem)
    memo = lexicon.remembered
    if key in memo:
        return memo[key]
    written = surfaces_of(lexicon, stem, _SURFACE_PARAGRAPHS)
    surface = written.most_common(1)[0][0] if written else None
    remember(memo, key, surface)
    return surface


def _as_typed(word: str, surface: str) -> str:
    if word[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface


# --- Korean syllables being composed ---------------------------------------------------

_FIRST = 0xAC00


def _initial_range(initial: int) -> tuple[str, str]:
    first = _FIRST + initial * 588
    return chr(first), chr(first + 587)


def _hangul_patterns(word: str) -> list[WordPattern]:
    """The patterns of the words ``word`` may be the start of, its last syllable unfinished."""
    done, last = word[:-1], word[-1]
    literal = tuple((c, c) for c in done)
    if not all("\uac00" <= c <= "\ud7a3" for c in done):
        return []
    if last in INITIALS:  # 협ㄹ: a syllable that begins with ㄹ
        return [WordPattern((*literal, _initial_range(INITIALS.index(last))), True)]
    code = ord(last) - _FIRST
    if not 0 <= code < 11172:
        return []
    final = code % 28
    if final == 0:  # 협려: 려 with any final (협력) or none
        return [WordPattern((*literal, (last, chr(ord(last) + 27))), True)]
    patterns = [WordPattern((*literal, (last, last)), True)]
    # 협: the final may be the next syllable's initial (혀 + 바 …), or the second
    # consonant of a compound final (닭 → 달 + 가 …)
    open_syllable = chr(ord(last) - final)
    moved = FINALS[final]
    pairs = {v: k for k, v in COMPOUND_FINALS.items()}
    if moved in pairs:
        first, second = pairs[moved]
        kept = chr(ord(open_syllable) + FINALS.index(first))
        stem, moved = (*literal, (kept, kept)), second
    else:
        stem = (*literal, (open_syllable, open_syllable))
    if moved in INITIALS:
        patterns.append(WordPattern((*stem, _initial_range(INITIALS.index(moved))), True))
    return patterns


# --- the glossary ------------------------------------------------------------------------


def _glossary(glossary: Glossary, typed: str) -> list[Suggestion]:
    """Glossary spellings that begin with ``typed`` (case and, in Korean, spaces ignored;
    a last syllable being composed as for words)."""
    folded = typed.casefold()
    joined = typed.replace(" ", "")
    patterns = _hangul_patterns(joined) if joined else []

    def begins(spelling: str) -> bool:
        if spelling.casefold().startswith(folded):
            return spelling.casefold() != folded
        bare = spelling.replace(" ", "")
        return any(p.matches(bare) for p in patterns) and bare != joined

    out: list[Suggestion] = []
    for entry in glossary.entries:
        for lang, other in (("en", "ko"), ("ko", "en")):
            for spelling in entry.spellings(lang):
                if begins(spelling):
                    out.append(
                        Suggestion(
                            spelling,
                            "glossary",
                            spelling,
                            translations=list(entry.spellings(other)),
                        )
                    )
                    break
            if len(out) >= GLOSSARY_LIMIT:
                return out
    return out
