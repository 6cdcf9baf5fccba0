"""The query language: words, "phrases", -exclusions, OR, (groups), lang:/doc: filters.

Parsing never raises on odd input: unbalanced quotes and parentheses, stray
operators and words that analyse to nothing are repaired and reported in
``ParsedQuery.notes``.  Only input that cannot be answered (empty, too long,
an unknown language) raises :class:`QueryError`, whose message is meant for
the person who typed the query.

Whoosh's own query parser is not used for the syntax because it reads the
hyphen of ``Korea-US`` as an exclusion; the output is plain Whoosh query
objects (Term, Phrase, And, Or, AndNot) run by Whoosh's BM25F scorer.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh import query as wq

from search.analysis import (
    analyze,
    hangul_bigrams,
    korean_pairs,
    noun_terms,
    verb_as_noun_terms,
)
from search.bilingual.expansion import MAX_TRANSLATIONS, Expander, Translation
from search.errors import QueryError
from search.feedback import FeedbackQuery
from search.messages import Message
from search.records import BIGRAM_FIELD, PAIR_FIELD, TEXT_FIELD, TEXT_FIELDS
from search.request import (
    LANGUAGES,
    MAX_QUERY_CHARS,
    NOT_TEXT,
    NOTHING_TYPED,
    too_long,
    unknown_language,
)
from search.results import CORRECTION_KINDS, Expansion

if TYPE_CHECKING:
    from search.typos import Correction

#: What a query word also searches when the index does not hold it (search.typos.WordCorrector)
Corrector = Callable[[str], "list[Correction]"]

__all__ = [
    "LANGUAGES",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "ParsedQuery",
    "QueryError",
    "parse_query",
]

MAX_QUERY_TERMS = 64

# --- syntax tree ----------------------------------------------------------------


@dataclass
class Word:
    text: str


@dataclass
class Phrase:
    text: str


@dataclass
class Group:
    items: list[_Node]  # of clauses, AND-ed (or OR-ed under match=any)


@dataclass
class AnyOf:
    items: list[_Node]


@dataclass
class Not:
    item: _Node


_Node = Word | Phrase | Group | AnyOf | Not


@dataclass
class ParsedQuery:
    """A parsed query: Whoosh queries to run plus what to highlight and tell the user."""

    text: str
    query: wq.Query | None  # all words must match
    any_query: wq.Query | None  # any word may match (for match=any and the fallback)
    langs: set[str] = field(default_factory=set)
    docs: set[str] = field(default_factory=set)
    not_langs: set[str] = field(default_factory=set)
    not_docs: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)  # analysed terms to highlight
    phrases: list[list[str]] = field(default_factory=list)  # analysed phrases to highlight
    notes: list[str] = field(default_factory=list)
    positive_clauses: int = 0
    #: translations also searched (cross-lingual expansion): {"from": "대전", "to": ["Daejeon"]}
    expansions: list[Expansion] = field(default_factory=list)
    #: more ways a paragraph itself mentions the query: the syllable pairs of
    #: Korean translations (see ``_Builder._translated``)
    mentions: list[wq.Query] = field(default_factory=list)
    #: of ``terms`` and ``phrases``, those only a translation (glossary, romanization)
    #: brought in: marked apart from the words typed (:attr:`typed`)
    translated_terms: set[str] = field(default_factory=set)
    translated_phrases: list[list[str]] = field(default_factory=list)

    @functools.cached_property
    def typed(self) -> ParsedQuery | None:
        """This query with only what was typed (and its corrections) to highlight; None
        when no translation added anything (made once, for every result marked)."""
        if not self.translated_terms and not self.translated_phrases:
            return None
        return dataclasses.replace(
            self,
            terms=self.terms - self.translated_terms,
            phrases=[p for p in self.phrases if p not in self.translated_phrases],
        )

    @property
    def can_fall_back(self) -> bool:
        return self.positive_clauses > 1


# --- lexer -----------------------------------------------------------------------

_LEX_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<quote>["\u201c\u201d\u201e\u300c\u300d])
  | (?P<open>\()
  | (?P<close>\))
  | (?P<filter>(?:lang|doc):[^\s()"]*)
  | (?P<word>[^\s()"\u201c\u201d\u201e\u300c\u300d]+)
    """,
    re.VERBOSE,
)
_QUOTES = '"\u201c\u201d\u201e\u300c\u300d'


def _lex(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """Tokens as (kind, value); phrases are read whole, an open quote runs to the end."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = _LEX_RE.match(text, i)
        # every character starts one of the named groups
        assert m is not None and m.lastgroup is not None
        kind = m.lastgroup
        if kind == "quote":
            end = min((j for j in (text.find(q, m.end()) for q in _QUOTES) if j >= 0), default=-1)
            if end < 0:
                notes.append(Message("Added the missing closing quote."))
                end = len(text)
            out.append(("phrase", text[m.end() : end]))
            i = end + 1
            continue
        value = m.group(0)
        if kind == "word" and value == "-" and text[m.end() : m.end() + 1] in _QUOTES + "(":
            kind = "not"  # -"phrase" or -(group)
        elif kind == "word" and value.startswith("-") and len(value) > 1:
            out.append(("not", "-"))
            value = value[1:]
            kind = "filter" if re.match(r"(?:lang|doc):", value) else "word"
        if kind == "word" and value in ("OR", "|"):
            kind = "or"
        elif kind == "word" and value in ("AND", "&&", "+"):
            kind = "and"
        elif kind == "word" and value == "NOT":
            kind = "not"
        if kind != "space":
            out.append((kind, value))
        i = m.end()
    return out


# --- parser ----------------------------------------------------------------------


#: Groups and exclusions nest at most this deep: ``((((x))))`` is 4.  Deeper queries
#: are refused (no one writes them; a parser, a builder and an evaluator that recurse
#: must not be made to overflow by one).
MAX_NESTING = 32


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], notes: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.notes = notes
        self.depth = 0
        self.filters: list[tuple[bool, str, str]] = []  # (negated, name, value)

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self) -> Group:
        group = self.sequence(top=True)
        return group

    def sequence(self, top: bool = False) -> Group:
        items: list[_Node] = []
        while True:
            kind = self.peek()
            if kind is None:
                break
            if kind == "close":
                self.i += 1
                if top:
                    self.notes.append(Message("Ignored an unmatched ')'."))
                    continue
                return Group(items)
            item = self.disjunction()
            if item is not None:
                items.append(item)
        if not top:
            self.notes.append(Message("Added the missing ')'."))
        return Group(items)

    def disjunction(self) -> _Node | None:
        items: list[_Node] = []
        first = self.unary()
        if first is not None:
            items.append(first)
        while self.peek() == "or":
            self.i += 1
            nxt = self.unary()
            if nxt is not None:
                items.append(nxt)
            else:
                self.notes.append(Message("Ignored an OR with nothing after it."))
        if not items:
            return None
        return items[0] if len(items) == 1 else AnyOf(items)

    def unary(self) -> _Node | None:
        kind = self.peek()
        if kind in ("or", "and"):
            self.i += 1
            if kind == "or":
                self.notes.append(Message("Ignored an OR with nothing before it."))
            return None
        if kind == "not":
            self.i += 1
            if self.peek() in (None, "or", "and", "close", "not"):
                self.notes.append(Message("Ignored a '-' or NOT with nothing after it."))
                return None
            if self.peek() == "filter":
                self.filter_token(negated=True)
                return None
            with self.nested():
                item = self.unary()
            return Not(item) if item is not None else None
        if kind == "filter":
            self.filter_token(negated=False)
            return None
        if kind is None or kind == "close":
            return None
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "open":
            with self.nested():
                return self.sequence()
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        return Word(value)

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(
                Message(
                    "The query nests parentheses or exclusions too deeply "
                    "(more than %(levels)s levels).",
                    levels=MAX_NESTING,
                )
            )
        try:
            yield
        finally:
            self.depth -= 1

    def filter_token(self, negated: bool) -> None:
        _, value = self.tokens[self.i]
        self.i += 1
        name, _, arg = value.partition(":")
        if arg:
            self.filters.append((negated, name, arg))
        else:
            self.notes.append(Message("Ignored '%(name)s:' without a value.", name=name))


# --- building Whoosh queries --------------------------------------------------------


class _Builder:
    """Turns the syntax tree into Whoosh queries, collecting highlight terms."""

    def __init__(
        self,
        parsed: ParsedQuery,
        expander: Expander | None = None,
        nouns: bool = False,
        one_word: bool = False,
        corrector: Corrector | None = None,
    ) -> None:
        self.parsed = parsed
        #: read words that analysis leaves nothing of as nouns (search.analysis.noun_terms)
        self.nouns = nouns
        #: the query is one word: a verb form with a noun reading is read as the noun
        #: (search.analysis.verb_as_noun_terms)
        self.one_word = one_word
        self.expander = expander
        self.expanding = expander is not None  # off inside exclusions
        #: a word the index does not hold also searches its corrections (search.typos)
        self.corrector = corrector
        self.correcting = corrector is not None  # off inside exclusions
        self.dropped: list[str] = []
        self.term_count = 0
        self.translation_count = 0
        self._analysed: dict[str, list[str]] = {}
        self.fields: tuple[str, ...] = TEXT_FIELDS
        self.words: list[str] = []  # the searched words, in order
        self.own_terms: set[str] = set()  # their analysed terms (translations not included)

    def build(self, node: _Node, any_mode: bool, collect: bool = True) -> wq.Query | None:
        if isinstance(node, Word):
            return _combine(wq.And, self.word_run([node.text], collect, any_mode))
        if isinstance(node, Phrase):
            return self.phrase(node.text, collect)
        if isinstance(node, Not):
            # What is excluded is read strictly (also under match=any), in the
            # paragraph text only (every paragraph carries its document's title)
            # and without translations (-Daejeon should not also drop 대전).
            saved = self.fields, self.expanding, self.correcting
            self.fields, self.expanding, self.correcting = (TEXT_FIELD,), False, False
            try:
                inner = self.build(node.item, any_mode=False, collect=False)
            finally:
                self.fields, self.expanding, self.correcting = saved
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, AnyOf):
            parts = [q for q in (self.build(n, any_mode, collect) for n in node.items) if q]
            return _combine(wq.Or, parts)
        if isinstance(node, Group):
            return self.group(node.items, any_mode, collect)
        raise TypeError(node)

    def group(self, items: list[_Node], any_mode: bool, collect: bool) -> wq.Query | None:
        positives: list[wq.Query] = []
        negatives: list[wq.Not] = []
        i = 0
        while i < len(items):
            if isinstance(items[i], Word):
                # consecutive words go together, so that a glossary term of
                # several words (joint statement, 지식 재산) is found
                j = i
                while j < len(items) and isinstance(items[j], Word):
                    j += 1
                words = [w.text for w in items[i:j] if isinstance(w, Word)]  # all of them
                positives += self.word_run(words, collect, any_mode)
                i = j
                continue
            q = self.build(items[i], any_mode, collect)
            i += 1
            if q is None:
                continue
            if isinstance(q, wq.Not):
                negatives.append(q)
            else:
                positives.append(q)
        positive = _combine(wq.Or if any_mode else wq.And, positives)
        if not negatives:
            return positive
        excluded = _combine(wq.Or, [n.query for n in negatives])
        assert excluded is not None  # negatives is not empty
        if positive is None:
            return wq.Not(excluded)
        return wq.AndNot(positive, excluded)

    def _terms(self, text: str) -> list[str]:
        if text in self._analysed:
            return self._analysed[text]
        terms = [t[0] for t in analyze(text, mode="query")]
        if self.one_word:
            terms = verb_as_noun_terms(text) or terms
        if not terms and self.nouns:
            terms = noun_terms(text)
        if not terms and self.correcting and self._corrections(text):
            terms = [text]  # initial consonants (ㅇㅈ): searched through their words only
        self._analysed[text] = terms
        self.term_count += len(terms)
        if self.term_count > MAX_QUERY_TERMS:
            raise QueryError(
                Message(
                    "The query has too many words (more than %(limit)s); shorten it.",
                    limit=MAX_QUERY_TERMS,
                )
            )
        if not terms and any(c.isalnum() for c in text):
            self.dropped.append(text)
        return terms

    def _translations(
        self, texts: list[str], terms: list[list[str]], words: bool = True
    ) -> list[Translation]:
        """What a run of words (or a phrase: not ``words``) also searches: translations, and
        the corrections of the words the index does not hold (those words get no translation)."""
        corrected: list[Translation] = []
        start = 0
        for text, word_terms in zip(texts, terms, strict=True):
            end = start + len(word_terms)
            for c in self._corrections(text) if word_terms and words else ():
                span = Translation(start, end, c.source, c.spellings, c.terms, c.kind, c.weight)
                corrected.append(span)
            start = end
        if not self.expanding or self.expander is None:
            return corrected
        spans = {(t.start, t.end) for t in corrected}
        inside = {i for s, e in spans for i in range(s, e)}
        found = [t for t in self.expander.translate(texts, terms) if t.start not in inside]
        return sorted(found + corrected, key=lambda t: (t.start, t.end))

    def _as_meant(self, text: str, collect: bool) -> str:
        """A word the index does not hold as its one correction, searched as if typed so
        (its translations, syllable pairs and feedback too: a slip finds what the word
        finds); the word as typed otherwise.  No paragraph holds the word typed, so none
        could rank above its correction.  A word with several corrections (initials, or a
        typo and a layout slip) searches all of them instead (see _translations)."""
        corrections = self._corrections(text)
        if len(corrections) != 1 or len(corrections[0].spellings) != 1:
            return text
        correction = corrections[0]
        if collect:
            shown: Expansion = {
                "from": correction.source,
                "to": list(correction.spellings),
                "kind": correction.kind,
            }
            if shown not in self.parsed.expansions:
                self.parsed.expansions.append(shown)
        return text.replace(correction.source, correction.spellings[0], 1)

    def _corrections(self, text: str) -> list[Correction]:
        if not self.correcting or self.corrector is None:
            return []
        return self.corrector(text)

    def word_run(self, texts: list[str], collect: bool, any_mode: bool) -> list[wq.Query]:
        """One query per word of a run (or per glossary term of several words)."""
        texts = [self._as_meant(t, collect) for t in texts]
        terms = [self._terms(t) for t in texts]
        offsets = [0]
        for word_terms in terms:
            offsets.append(offsets[-1] + len(word_terms))
        translations = self._translations(texts, terms)
        out: list[wq.Query] = []
        k = 0
        while k < len(texts):
            if not terms[k]:
                k += 1
                continue
            span = next(
                (t for t in translations if t.start == offsets[k] and t.end > offsets[k + 1]), None
            )
            if span is None:
                inside = [t for t in translations if offsets[k] <= t.start < offsets[k + 1]]
                out.append(self._word(texts[k], terms[k], offsets[k], inside, collect, any_mode))
                k += 1
                continue
            last = next(m for m in range(k, len(texts)) if offsets[m + 1] == span.end)
            words = [
                self._word(texts[m], terms[m], offsets[m], [], collect, any_mode)
                for m in range(k, last + 1)
                if terms[m]
            ]
            own = _combine(wq.Or if any_mode else wq.And, words)
            assert own is not None  # terms[k] is not empty, so neither is words
            either = _combine(wq.Or, [own, *self._translated(span, collect, any_mode)])
            assert either is not None
            out.append(either)
            k = last + 1
        return out

    def _word(
        self,
        text: str,
        terms: list[str],
        offset: int,
        translations: list[Translation],
        collect: bool,
        any_mode: bool,
    ) -> wq.Query:
        if collect:
            self.parsed.terms.update(terms)
            self.own_terms.update(terms)
            self.words.append(text)
        by_start: dict[int, list[Translation]] = {}
        for t in translations:  # sorted by (start, end): the longest at a start wins
            same = by_start.setdefault(t.start - offset, [])
            if same and same[-1].end != t.end:
                same.clear()
            same.append(t)
        if not any_mode:
            # A word that analyses into several morphemes (양자기술을 → 양자 기술)
            # needs all of them, in any order: 양자기술 also finds 양자과학기술.
            # A part with a translation (or a correction) may be matched by it instead.
            parts, i = [], 0
            while i < len(terms):
                spans = by_start.get(i)
                if not spans:
                    parts.append(self._any_field(terms[i]))
                    i += 1
                    continue
                end = spans[0].end - offset
                own = _combine(wq.And, [self._any_field(t) for t in terms[i:end]])
                assert own is not None  # a translation covers at least one term
                others = [q for span in spans for q in self._translated(span, collect, False)]
                either = _combine(wq.Or, [own, *others])
                assert either is not None
                parts.append(either)
                i = end
            every = _combine(wq.And, parts)
            assert every is not None  # terms is not empty (word_run skips a word without any)
            return every
        # Under match=any each of them counts on its own, and so do the word's
        # Hangul syllable pairs: they find a name or compound that Kiwi cuts
        # differently in the paragraph (the weighting gives them half a vote).
        parts = [self._any_field(t) for t in terms]
        parts += [wq.Term(BIGRAM_FIELD, g) for g in dict.fromkeys(hangul_bigrams(text))]
        for span in translations:
            parts += self._translated(span, collect, True)
        some = _combine(wq.Or, parts)
        assert some is not None  # terms is not empty
        return some

    def _translated(self, span: Translation, collect: bool, any_mode: bool) -> list[wq.Query]:
        """The queries of a translation's spellings, weighted below the original.

        Under match=any a Korean spelling is backed by its Hangul syllable pairs,
        as the query's own words are: Kiwi cuts 공급망이 into 공급 + 망 in one
        sentence and keeps 공급망 whole in another.
        """
        out: list[wq.Query] = []
        for spelling, seq in zip(span.spellings, span.terms, strict=True):
            if self.translation_count >= MAX_TRANSLATIONS:
                break
            self.translation_count += 1
            q: wq.Query | None
            if len(seq) == 1:
                q = self._any_field(seq[0])
            else:
                q = _combine(wq.Or, [wq.Phrase(f, list(seq)) for f in self.fields])
            assert q is not None  # self.fields is not empty
            pairs = list(dict.fromkeys(hangul_bigrams(spelling)))
            by_pairs = _combine(wq.And, [wq.Term(BIGRAM_FIELD, g) for g in pairs])
            if by_pairs is not None and any_mode:
                q = wq.Or([q, by_pairs])
            # A phrase scores the sum of its words: a translation with more words
            # than the original (공급망 → supply chain) is weighted down by as many,
            # so that it never outranks the word typed.
            weight = span.weight * min(1.0, (span.end - span.start) / len(seq))
            out.append(q.with_boost(weight))
            if collect:
                if len(seq) == 1:
                    self.parsed.terms.add(seq[0])
                else:
                    self.parsed.phrases.append(list(seq))
                if span.kind not in CORRECTION_KINDS:  # a correction is the word meant
                    if len(seq) == 1:
                        self.parsed.translated_terms.add(seq[0])
                    else:
                        self.parsed.translated_phrases.append(list(seq))
                if by_pairs is not None and by_pairs not in self.parsed.mentions:
                    self.parsed.mentions.append(by_pairs)
        if collect and out:
            shown = span.as_dict()
            if shown not in self.parsed.expansions:
                self.parsed.expansions.append(shown)
        return out

    def phrase(self, text: str, collect: bool) -> wq.Query | None:
        terms = self._terms(text)
        if not terms:
            return None
        if collect:
            self.own_terms.update(terms)
            if len(terms) > 1:
                self.parsed.phrases.append(terms)
            else:
                self.parsed.terms.update(terms)
        own: wq.Query | None
        if len(terms) == 1:
            own = self._any_field(terms[0])
        else:
            own = _combine(wq.Or, [wq.Phrase(f, terms) for f in self.fields])
        assert own is not None  # self.fields is not empty
        # a quoted glossary term also searches its translation (as a phrase)
        whole = [
            t
            for t in self._translations([text], [terms], words=False)
            if (t.start, t.end) == (0, len(terms))
        ]
        extra = [q for span in whole for q in self._translated(span, collect, False)]
        return _combine(wq.Or, [own, *extra]) if extra else own

    def _any_field(self, term: str) -> wq.Query:
        query = _combine(wq.Or, [wq.Term(f, term) for f in self.fields])
        assert query is not None  # self.fields is not empty
        return query


def _combine(cls: Callable[[list[wq.Query]], wq.Query], parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else cls(parts)


# --- entry point ---------------------------------------------------------------------


def normalize_query_text(text: str) -> str:
    """NFC, no control characters or lone surrogates, whitespace collapsed."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Cs") else c for c in text)
    return " ".join(text.split())


def parse_query(
    text: str, expander: Expander | None = None, corrector: Corrector | None = None
) -> ParsedQuery:
    """Parse a user query; raises :class:`QueryError` when it cannot be answered.

    With an ``expander`` the query's words also search their translations
    (see :mod:`search.bilingual.expansion`); with a ``corrector`` the words the
    index does not hold also search their corrections (see :mod:`search.typos`).
    ``ParsedQuery.expansions`` lists both.
    """
    if not isinstance(text, str):
        raise QueryError(NOT_TEXT)
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(too_long(len(text)))
    text = normalize_query_text(text)
    if not text:
        raise QueryError(NOTHING_TYPED)
    notes: list[str] = []
    parser = _Parser(_lex(text, notes), notes)
    tree = parser.parse()
    parsed, builder = _build(text, tree, parser.filters, notes, expander, corrector, nouns=False)
    if parsed.query is None and builder.dropped and not (parsed.langs or parsed.docs):
        # nothing is left (아이 alone is an interjection, 별 a determiner): a query word
        # never vanishes, so read the words as nouns, else as typed
        parsed, builder = _build(text, tree, parser.filters, notes, expander, corrector, True)
    if builder.dropped:
        words = ", ".join(sorted(set(builder.dropped)))
        parsed.notes.append(
            Message("Ignored words too common to search for: %(words)s.", words=words)
        )
    if parsed.query is None and not (parsed.langs or parsed.docs):
        raise QueryError(
            Message("Nothing left to search for: the query has only common words or operators.")
        )
    return parsed


def _build(
    text: str,
    tree: Group,
    filters: list[tuple[bool, str, str]],
    notes: list[str],
    expander: Expander | None,
    corrector: Corrector | None,
    nouns: bool,
) -> tuple[ParsedQuery, _Builder]:
    """The parsed query of ``tree`` (its Whoosh queries, terms, translations)."""
    parsed = ParsedQuery(text=text, query=None, any_query=None, notes=list(notes))
    for negated, name, value in filters:
        _apply_filter(parsed, negated, name, value)
    one_word = len(tree.items) == 1 and isinstance(tree.items[0], Word)
    builder = _Builder(parsed, expander, nouns=nouns, one_word=one_word, corrector=corrector)
    parsed.query = builder.build(tree, any_mode=False)
    parsed.translated_terms -= builder.own_terms  # a word typed too is a word typed
    builder.translation_count = 0  # the cap on translations holds per pass
    parsed.any_query = builder.build(tree, any_mode=True, collect=False)
    builder.translation_count = 0
    if parsed.any_query is not None and not isinstance(parsed.any_query, wq.Not):
        pairs = dict.fromkeys(korean_pairs(" ".join(builder.words)))
        if pairs:
            extra = _combine(wq.Or, [wq.Term(PAIR_FIELD, p) for p in pairs])
            assert extra is not None  # pairs is not empty
            parsed.any_query = wq.AndMaybe(parsed.any_query, extra)
        own = parsed.terms.union(*parsed.phrases)
        # translations are not fed back, nor do they add to the feedback's weight
        parsed.any_query = FeedbackQuery(
            parsed.any_query, frozenset(own), words=len(builder.own_terms)
        )
    parsed.positive_clauses = sum(
        1 for item in tree.items if not isinstance(item, Not) and builder.build(item, False, False)
    )
    return parsed, builder


def _apply_filter(parsed: ParsedQuery, negated: bool, name: str, value: str) -> None:
    if name == "lang":
        lang = value.lower()
        if lang not in LANGUAGES:
            raise QueryError(unknown_language(value))
        (parsed.not_langs if negated else parsed.langs).add(lang)
    else:
        (parsed.not_docs if negated else parsed.docs).add(value)
