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

import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import query as wq

from search.analysis import analyze, hangul_bigrams, korean_pairs
from search.feedback import FeedbackQuery

__all__ = [
    "LANGUAGES",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "ParsedQuery",
    "QueryError",
    "parse_query",
]

LANGUAGES = ("ko", "en", "mixed")
MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64
#: Fields searched by words and phrases; the title field is boosted in the schema.
TEXT_FIELDS = ("title", "text")
#: Field of the Hangul syllable pairs that back up the morphemes under match=any.
BIGRAM_FIELD = "bigrams"
#: Field of neighbouring Korean morphemes, which rank paragraphs with the query's
#: words side by side higher under match=any.
PAIR_FIELD = "pairs"


class QueryError(ValueError):
    """A query that cannot be run; ``str(err)`` is a message for the user."""


# --- syntax tree ----------------------------------------------------------------


@dataclass
class Word:
    text: str


@dataclass
class Phrase:
    text: str


@dataclass
class Group:
    items: list  # of clauses, AND-ed (or OR-ed under match=any)


@dataclass
class AnyOf:
    items: list


@dataclass
class Not:
    item: object


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
        kind = m.lastgroup
        if kind == "quote":
            end = min((j for j in (text.find(q, m.end()) for q in _QUOTES) if j >= 0), default=-1)
            if end < 0:
                notes.append("Added the missing closing quote.")
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


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], notes: list[str]) -> None:
        self.tokens = tokens
        self.i = 0
        self.notes = notes
        self.filters: list[tuple[bool, str, str]] = []  # (negated, name, value)

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def parse(self) -> Group:
        group = self.sequence(top=True)
        return group

    def sequence(self, top: bool = False) -> Group:
        items = []
        while True:
            kind = self.peek()
            if kind is None:
                break
            if kind == "close":
                self.i += 1
                if top:
                    self.notes.append("Ignored an unmatched ')'.")
                    continue
                return Group(items)
            item = self.disjunction()
            if item is not None:
                items.append(item)
        if not top:
            self.notes.append("Added the missing ')'.")
        return Group(items)

    def disjunction(self):
        items = []
        first = self.unary()
        if first is not None:
            items.append(first)
        while self.peek() == "or":
            self.i += 1
            nxt = self.unary()
            if nxt is not None:
                items.append(nxt)
            else:
                self.notes.append("Ignored an OR with nothing after it.")
        if not items:
            return None
        return items[0] if len(items) == 1 else AnyOf(items)

    def unary(self):
        kind = self.peek()
        if kind in ("or", "and"):
            self.i += 1
            if kind == "or":
                self.notes.append("Ignored an OR with nothing before it.")
            return None
        if kind == "not":
            self.i += 1
            if self.peek() in (None, "or", "and", "close", "not"):
                self.notes.append("Ignored a '-' or NOT with nothing after it.")
                return None
            if self.peek() == "filter":
                self.filter_token(negated=True)
                return None
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
            return self.sequence()
        if kind == "phrase":
            return Phrase(value) if value.strip() else None
        return Word(value)

    def filter_token(self, negated: bool) -> None:
        _, value = self.tokens[self.i]
        self.i += 1
        name, _, arg = value.partition(":")
        if arg:
            self.filters.append((negated, name, arg))
        else:
            self.notes.append(f"Ignored '{name}:' without a value.")


# --- building Whoosh queries --------------------------------------------------------


class _Builder:
    """Turns the syntax tree into Whoosh queries, collecting highlight terms."""

    def __init__(self, parsed: ParsedQuery) -> None:
        self.parsed = parsed
        self.dropped: list[str] = []
        self.term_count = 0
        self._analysed: dict[str, list[str]] = {}
        self.fields: tuple[str, ...] = TEXT_FIELDS
        self.words: list[str] = []  # the searched words, in order

    def build(self, node, any_mode: bool, collect: bool = True) -> wq.Query | None:
        if isinstance(node, Word):
            return self.word(node.text, collect, any_mode)
        if isinstance(node, Phrase):
            return self.phrase(node.text, collect)
        if isinstance(node, Not):
            # What is excluded is read strictly (also under match=any) and in the
            # paragraph text only: every paragraph carries its document's title.
            self.fields = ("text",)
            try:
                inner = self.build(node.item, any_mode=False, collect=False)
            finally:
                self.fields = TEXT_FIELDS
            return wq.Not(inner) if inner is not None else None
        if isinstance(node, AnyOf):
            parts = [q for q in (self.build(n, any_mode, collect) for n in node.items) if q]
            return _combine(wq.Or, parts)
        if isinstance(node, Group):
            return self.group(node.items, any_mode, collect)
        raise TypeError(node)

    def group(self, items: list, any_mode: bool, collect: bool) -> wq.Query | None:
        positives, negatives = [], []
        for item in items:
            q = self.build(item, any_mode, collect)
            if q is None:
                continue
            (negatives if isinstance(q, wq.Not) else positives).append(q)
        positive = _combine(wq.Or if any_mode else wq.And, positives)
        if not negatives:
            return positive
        excluded = _combine(wq.Or, [n.query for n in negatives])
        if positive is None:
            return wq.Not(excluded)
        return wq.AndNot(positive, excluded)

    def _terms(self, text: str) -> list[str]:
        if text in self._analysed:
            return self._analysed[text]
        terms = self._analysed[text] = [t[0] for t in analyze(text, mode="query")]
        self.term_count += len(terms)
        if self.term_count > MAX_QUERY_TERMS:
            raise QueryError(
                f"The query has too many words (more than {MAX_QUERY_TERMS}); shorten it."
            )
        if not terms and any(c.isalnum() for c in text):
            self.dropped.append(text)
        return terms

    def word(self, text: str, collect: bool, any_mode: bool = False) -> wq.Query | None:
        terms = self._terms(text)
        if not terms:
            return None
        if collect:
            self.parsed.terms.update(terms)
            self.words.append(text)
        # A word that analyses into several morphemes (양자기술을 → 양자 기술)
        # needs all of them, in any order: 양자기술 also finds 양자과학기술.
        if not any_mode:
            return _combine(wq.And, [self._any_field(t) for t in terms])
        # Under match=any each of them counts on its own, and so do the word's
        # Hangul syllable pairs: they find a name or compound that Kiwi cuts
        # differently in the paragraph (the weighting gives them half a vote).
        parts = [self._any_field(t) for t in terms]
        parts += [wq.Term(BIGRAM_FIELD, g) for g in dict.fromkeys(hangul_bigrams(text))]
        return _combine(wq.Or, parts)

    def phrase(self, text: str, collect: bool) -> wq.Query | None:
        terms = self._terms(text)
        if not terms:
            return None
        if collect:
            if len(terms) > 1:
                self.parsed.phrases.append(terms)
            else:
                self.parsed.terms.update(terms)
        if len(terms) == 1:
            return self._any_field(terms[0])
        return _combine(wq.Or, [wq.Phrase(f, terms) for f in self.fields])

    def _any_field(self, term: str) -> wq.Query:
        return _combine(wq.Or, [wq.Term(f, term) for f in self.fields])


def _combine(cls, parts: list[wq.Query]) -> wq.Query | None:
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


def parse_query(text: str) -> ParsedQuery:
    """Parse a user query; raises :class:`QueryError` when it cannot be answered."""
    if not isinstance(text, str):
        raise QueryError("The query must be text.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is too long ({len(text):,} characters; the limit is {MAX_QUERY_CHARS:,})."
        )
    text = normalize_query_text(text)
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    notes: list[str] = []
    parser = _Parser(_lex(text, notes), notes)
    tree = parser.parse()
    parsed = ParsedQuery(text=text, query=None, any_query=None, notes=notes)
    for negated, name, value in parser.filters:
        _apply_filter(parsed, negated, name, value)
    builder = _Builder(parsed)
    parsed.query = builder.build(tree, any_mode=False)
    parsed.any_query = builder.build(tree, any_mode=True, collect=False)
    if parsed.any_query is not None and not isinstance(parsed.any_query, wq.Not):
        pairs = dict.fromkeys(korean_pairs(" ".join(builder.words)))
        if pairs:
            extra = _combine(wq.Or, [wq.Term(PAIR_FIELD, p) for p in pairs])
            parsed.any_query = wq.AndMaybe(parsed.any_query, extra)
        own = parsed.terms.union(*parsed.phrases)
        parsed.any_query = FeedbackQuery(parsed.any_query, frozenset(own))
    parsed.positive_clauses = sum(
        1 for item in tree.items if not isinstance(item, Not) and builder.build(item, False, False)
    )
    if builder.dropped:
        words = ", ".join(sorted(set(builder.dropped)))
        notes.append(f"Ignored words too common to search for: {words}.")
    if parsed.query is None and not (parsed.langs or parsed.docs):
        raise QueryError(
            "Nothing left to search for: the query has only common words or operators."
        )
    return parsed


def _apply_filter(parsed: ParsedQuery, negated: bool, name: str, value: str) -> None:
    if name == "lang":
        lang = value.lower()
        if lang not in LANGUAGES:
            raise QueryError(f"Unknown language '{value}': use one of {', '.join(LANGUAGES)}.")
        (parsed.not_langs if negated else parsed.langs).add(lang)
    else:
        (parsed.not_docs if negated else parsed.docs).add(value)
