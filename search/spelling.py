"""“Did you mean”: spelling suggestions for queries, from the terms of the index.

Index terms are analyser output (Snowball stems for English, Kiwi morphemes for
Korean), so a query is corrected word by word with the same analyser:

* an English word whose stem is not in the index is replaced by the surface
  form (as written in the documents) of the closest indexed stem found by
  Whoosh's :class:`~whoosh.spelling.ReaderCorrector` (``quantim`` → ``quantum``,
  ``computng`` → ``computing``), keeping the word's capitalisation;
* a Korean word (a run of Hangul syllables) with a morpheme that is not in the
  index is re-segmented into indexed morphemes, allowing one-syllable edits
  per piece (again found by the corrector) and ranked by how many jamo change
  (``양자기슬`` → ``양자`` + ``기술``; ``정상회당`` → ``정상`` + ``회담``); a trailing
  particle (을, 에서 …) is kept as typed.

Everything else in the query (quotes, ``-``, ``OR``, ``lang:``/``doc:`` filters)
is left as it is.  :func:`suggest_query` only proposes a string; whether it is
worth showing (it must find more than the original) is decided by
:meth:`search.engine.Engine.suggest`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Hashable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from whoosh import query as wq
from whoosh.automata.lev import levenshtein_automaton
from whoosh.codec.base import Automata
from whoosh.searching import Searcher
from whoosh.spelling import Corrector, ReaderCorrector

from search.analysis import analyze, stem_word
from search.analysis.keyboard import (
    FINALS,
    INITIALS,
    MEDIALS,
    hangul_from_keys,
    keys_from_hangul,
)
from search.columnar.store import HANGUL_WORD_CHARS
from search.query import MAX_QUERY_CHARS, normalize_query_text
from search.records import TEXT_FIELD, TEXT_FIELDS

if TYPE_CHECKING:
    from search.columnar.searcher import ColumnarSearcher
    from search.columnar.store import TermTable

__all__ = [
    "IndexLexicon",
    "Lexicon",
    "NearKey",
    "Speller",
    "WordPattern",
    "remember",
    "surfaces_of",
    "edit_distance",
    "jamo_distance",
    "jamo_sequence",
    "suggest_query",
]

FIELD = TEXT_FIELD
#: Near-term lists a columnar searcher keeps (a walk of every segment's terms each: a
#: Korean word is corrected piece by piece, and the pieces come back query after query).
NEAR_CACHE_TERMS = 5_000
#: Syntax that is not words: filters, operators (masked before analysis).
_SYNTAX_RE = re.compile(r"(?<![^\s(])-?(?:lang|doc):[^\s()\"]*|(?<!\S)(?:OR|AND|NOT|\|)(?!\S)")
_HANGUL_SYLLABLE_RE = re.compile("[\uac00-\ud7a3]")
#: Hangul compatibility jamo (ㄱ … ㅣ), typed alone
_JAMO_RE = re.compile("[\u3131-\u318e]")
_WORD_RE = re.compile('[^\\s"()]+')
_LATIN_TERM_RE = re.compile(r"^[a-z][a-z']*$")
#: Particles and copula endings kept verbatim at the end of a Korean word.
KOREAN_PARTICLES = frozenset(
    [
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "의",
        "에",
        "로",
        "와",
        "과",
        "도",
        "만",
        "께",
        "서",
        "나",
        "랑",
        "요",
        "다",
        "에서",
        "으로",
        "에게",
        "께서",
        "부터",
        "까지",
        "하고",
        "이나",
        "이랑",
        "처럼",
        "보다",
        "마다",
        "조차",
        "이다",
        "에는",
        "에도",
        "으로는",
        "로는",
        "과의",
        "와의",
        "이며",
        "이고",
        "및",
    ]
)
#: The shortest stem taken as a candidate for a word it begins (cooper for cooperaton).
MIN_STEM_PREFIX = 4
#: Longest word whose one-letter variants are looked up (a few hundred of them).
MAX_LETTER_VARIANTS_WORD = 20
#: A query with more unknown words than this gets no suggestion.
MAX_UNKNOWN_WORDS = 6
MAX_KOREAN_WORD = 12  # syllables; longer runs are not re-segmented
MAX_KOREAN_PIECE = 6
MAX_PIECE_JAMO_EDITS = 2
#: Indexed words within one edit of a Korean piece that are weighed as its corrections.
KOREAN_NEAR_LIMIT = 200
UNMATCHED_SUFFIX_COST = 1.5  # per syllable of an unknown ending kept as typed
SINGLE_SYLLABLE_COST = 0.3  # discourages cutting words into one-syllable morphemes
#: Extra cost of changing a one-syllable morpheme: only a like-sounding vowel
#: (채 → 체) beats keeping an unknown last syllable as typed.
SINGLE_SYLLABLE_FIX_COST = 0.8
#: Largest total cost of a corrected Korean word, per syllable (at least 1.5).
MAX_COST_PER_SYLLABLE = 0.35


#: What a near-word look-up asks: (word, most edits, letters that must stay, most answers).
NearKey = tuple[str, int, int, int]


class Lexicon(Protocol):
    """The index's words as the speller needs them (the local index's or the cluster's)."""

    #: whether look-ups are worth asking many at a time (one request each otherwise)
    batched: bool

    @property
    def remembered(self) -> MutableMapping[Hashable, Any]:
        """Answers worked out from these words, kept while the index stays the same
        (near words; search.typos remembers each word's corrections here)."""
        ...

    def doc_frequencies(self, fieldname: str, terms: Collection[str]) -> dict[str, int]:
        """How many entries hold each of ``terms`` in ``fieldname``."""
        ...

    def near(self, keys: Sequence[NearKey]) -> dict[NearKey, list[str]]:
        """For each key, the indexed words of the text field within its edits of its word
        whose first letters are the word's, closest first, then most frequent first."""
        ...

    def texts(self, term: str, limit: int) -> list[str]:
        """The texts of the ``limit`` paragraphs that hold ``term`` best."""
        ...

    def words_like(self, pattern: WordPattern, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` indexed words of the text field that ``pattern`` matches, each with
        how many entries hold it, most held first (then in order)."""
        ...


class IndexLexicon:
    """The local index's words: Whoosh's term files, or its columnar form when given."""

    batched = False

    def __init__(self, searcher: Searcher, columns: ColumnarSearcher | None = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.columns = columns
        self.corrector: Corrector
        if columns is None:
            self.corrector = ReaderCorrector(self.reader, FIELD, searcher.schema[FIELD])
        else:
            self.corrector = _ColumnarCorrector(columns)
        # the columnar searcher keeps them for the next queries on the same segments
        self.remembered: MutableMapping[Hashable, Any] = (
            columns.remembered if columns is not None else {}
        )

    def doc_frequencies(self, fieldname: str, terms: Collection[str]) -> dict[str, int]:
        if self.columns is not None:
            return self.columns.doc_frequencies(fieldname, terms)
        return {t: self.reader.doc_frequency(fieldname, t) for t in terms}

    def near(self, keys: Sequence[NearKey]) -> dict[NearKey, list[str]]:
        out: dict[NearKey, list[str]] = {}
        for key in keys:
            near = self.remembered.get(key)
            if near is None:
                term, maxdist, prefix, limit = key
                near = self.corrector.suggest(term, limit=limit, maxdist=maxdist, prefix=prefix)
                remember(self.remembered, key, near)
            out[key] = near
        return out

    def texts(self, term: str, limit: int) -> list[str]:
        hits = self.searcher.search(wq.Term(FIELD, term), limit=limit)
        return [hit.get(TEXT_FIELD) or "" for hit in hits]

    def words_like(self, pattern: WordPattern, limit: int) -> list[tuple[str, int]]:
        prefix = pattern.prefix()
        rest = pattern.chars[len(prefix) :]
        lo = (prefix + (rest[0][0] if rest else "")).encode("utf-8")
        hi = (prefix + (chr(ord(rest[0][1]) + 1) if rest else "\U0010ffff")).encode("utf-8")
        counts: Counter[str] = Counter()
        if self.columns is None:
            for fieldname, text in self.reader.terms_from(FIELD, lo):
                if fieldname != FIELD or text >= hi:
                    break
                word = text.decode("utf-8")
                if pattern.matches(word):
                    counts[word] = self.reader.doc_frequency(FIELD, text)
        for leaf in self.columns.leaves if self.columns is not None else ():
            column = leaf.columns.fields.get(FIELD)
            if column is None:
                continue
            terms = column.terms.as_list()
            i, j = bisect_left(terms, lo), bisect_left(terms, hi)
            entries = (column.post_off[i + 1 : j + 1] - column.post_off[i:j]).tolist()
            for term, count in zip(terms[i:j], entries, strict=True):
                word = term.decode("utf-8")
                if pattern.matches(word):
                    counts[word] += count
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@dataclass(frozen=True)
class WordPattern:
    """Words whose n-th character lies in ``chars[n]`` (an inclusive range), and that end
    there unless ``more``: ``[(협, 협), (라, 맇)]`` with ``more`` is 협 then any syllable
    beginning with ㄹ, then anything (협력, 협로 …)."""

    chars: tuple[tuple[str, str], ...]
    more: bool = False

    def prefix(self) -> str:
        """The characters every match starts with (the leading ranges of one character)."""
        out = []
        for lo, hi in self.chars:
            if lo != hi:
                break
            out.append(lo)
        return "".join(out)

    def matches(self, word: str) -> bool:
        if len(word) < len(self.chars) or (len(word) > len(self.chars) and not self.more):
            return False
        return all(lo <= c <= hi for c, (lo, hi) in zip(word, self.chars, strict=False))

    def regex(self) -> str:
        """The pattern as a Lucene regular expression (OpenSearch's ``include``)."""
        parts = [
            _lucene_char(lo) if lo == hi else f"[{_lucene_char(lo)}-{_lucene_char(hi)}]"
            for lo, hi in self.chars
        ]
        return "".join(parts) + (".*" if self.more else "")


def _lucene_char(char: str) -> str:
    """One character as a Lucene regular expression matches it literally."""
    return char if char.isalnum() else "\\" + char


def surfaces_of(lexicon: Lexicon, term: str, paragraphs: int = 5) -> Counter[str]:
    """How ``term`` (an English stem) is written in a few paragraphs that hold it best,
    lowercased; the term itself when none writes it with letters only."""
    found: Counter[str] = Counter()
    for text in lexicon.texts(term, paragraphs):
        for t, _pos, start, end in analyze(text):
            if t == term:
                surface = text[start:end].lower()
                if surface.isalpha():
                    found[surface] += 1
    if not found and term.isalpha():
        found[term] = 1
    return found


def remember(memo: MutableMapping[Hashable, Any], key: Hashable, value: Any) -> None:
    """Keep ``value`` in ``memo`` (a lexicon's :attr:`~Lexicon.remembered`), which holds at
    most :data:`NEAR_CACHE_TERMS` answers: it starts over when full."""
    if len(memo) >= NEAR_CACHE_TERMS:
        memo.clear()
    memo[key] = value


def suggest_query(lexicon: Lexicon, text: str) -> str | None:
    """A corrected version of the query ``text``, or None if no word needs (or has) one.

    ``lexicon`` is the index's words: :class:`IndexLexicon` for the local index
    (its columnar form makes the look-ups in memory: same suggestions, without
    Whoosh's term files), :class:`search.opensearch.lexicon.ClusterLexicon` for
    the cluster.
    """
    if not isinstance(text, str) or len(text) > MAX_QUERY_CHARS:
        return None
    text = normalize_query_text(text)
    if not text:
        return None
    speller = Speller(lexicon)
    masked = _SYNTAX_RE.sub(lambda m: " " * len(m.group(0)), text)
    replacements: dict[tuple[int, int], str] = {}
    analysed = [
        (term, start, end)
        for term, _pos, start, end in analyze(masked, mode="query")
        if not term.isdigit()
    ]
    # English typed with the Korean layout: a word with a bare jamo (ㅂㅕ무셔ㅡ), which
    # Korean words never hold, read as the keys that typed it (quantum)
    for m in _WORD_RE.finditer(masked):
        if _JAMO_RE.search(m.group(0)):
            fixed = speller.latin_typed_as_korean(m.group(0))
            if fixed:
                replacements[(m.start(), m.end())] = fixed
    speller.learn([term for term, _, _ in analysed])
    unknown = [
        (term, start, end)
        for term, start, end in analysed
        if not speller.known(term) and not any(s <= start < e for s, e in replacements)
    ]
    if len(unknown) > MAX_UNKNOWN_WORDS:
        return None  # not a typo or two; and correcting each word has a cost
    for term, start, end in unknown:
        if _HANGUL_SYLLABLE_RE.match(text[start]):
            start, end = _hangul_run(text, start, end)
            if (start, end) not in replacements:
                fixed = speller.correct_korean(text[start:end])
                if fixed:
                    replacements[(start, end)] = fixed
        else:
            word = text[start:end]
            fixed = speller.correct_latin(word, term) or speller.korean_typed_as_latin(word)
            if fixed:
                replacements[(start, end)] = fixed
    if not replacements:
        return None
    out = text
    for (start, end), fixed in sorted(replacements.items(), reverse=True):
        out = out[:start] + fixed + out[end:]
    return out if out != text else None


def _hangul_run(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to the whole run of Hangul syllables around it."""
    while start > 0 and _HANGUL_SYLLABLE_RE.match(text[start - 1]):
        start -= 1
    while end < len(text) and _HANGUL_SYLLABLE_RE.match(text[end]):
        end += 1
    return start, end


class Speller:
    """One query's corrections, with what it has looked up about the index's words."""

    #: the field whose words are corrected
    field = FIELD

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._known: dict[str, bool] = {}
        self._frequency: dict[str, int] = {}
        self._near: dict[NearKey, list[str]] = {}

    def learn(self, terms: Collection[str]) -> None:
        """Look up whether each of ``terms`` is indexed (many at a time)."""
        wanted = {t for t in terms if t not in self._known}
        for fieldname in TEXT_FIELDS:
            if not wanted:
                break
            counts = self.lexicon.doc_frequencies(fieldname, wanted)
            if fieldname == FIELD:
                self._frequency.update(counts)
            for term, count in counts.items():
                if count:
                    self._known[term] = True
            wanted = {t for t in wanted if not counts.get(t)}
        self._known.update(dict.fromkeys(wanted, False))

    def known(self, term: str) -> bool:
        if term not in self._known:
            self.learn([term])
        return self._known[term]

    def frequency(self, term: str) -> int:
        if term not in self._frequency:
            self._frequency.update(self.lexicon.doc_frequencies(FIELD, [term]))
        return self._frequency[term]

    def near(self, term: str, maxdist: int, prefix: int, limit: int = 20) -> list[str]:
        """Indexed terms within ``maxdist`` edits of ``term``, most frequent first."""
        key = (term, maxdist, prefix, limit)
        if key not in self._near:
            self._near.update(self.lexicon.near([key]))
        return self._near[key]

    # -- English (and other Latin-script words) -----------------------------------------

    def correct_latin(self, word: str, term: str) -> str | None:
        if len(term) < 3 or not _LATIN_TERM_RE.match(term):
            return None
        maxdist = 1 if len(term) <= 4 else 2
        lowered = word.lower()
        candidates = set(self.near(term, maxdist, prefix=1 if maxdist > 1 else 0))
        if lowered != term and len(lowered) >= 3:
            candidates.update(self.near(lowered, maxdist, prefix=1 if maxdist > 1 else 0))
        # A stem drops the word's ending, so a typo in the ending hides it: the index holds
        # cooper (of cooperation), far from cooperaton.  The stems the typed word starts
        # with are candidates too, judged by how they are written.
        prefixes = [lowered[:k] for k in range(MIN_STEM_PREFIX, len(lowered))]
        self.learn(prefixes)
        candidates.update(p for p in prefixes if self.known(p))
        # A slip anywhere, the first letters too (the automaton keeps the first letter when
        # it looks two edits away): the stems of the words one letter from the typed one.
        if lowered.isalpha() and len(lowered) <= MAX_LETTER_VARIANTS_WORD:
            stems = {stem_word(v) for v in _one_letter_away(lowered)}
            self.learn(stems)
            candidates.update(t for t in stems if self.known(t))
        best: tuple[tuple[float, float, int, int], str] | None = None
        for cand in candidates:
            if not _LATIN_TERM_RE.match(cand):
                continue
            for surface, count in self._surfaces(cand).items():
                dist = edit_distance(lowered, surface)
                if dist > maxdist + 1:
                    continue
                rank = (dist, edit_distance(term, cand), -self.frequency(cand), -count)
                if best is None or rank < best[0]:
                    best = (rank, surface)
        if best is None:
            return None
        return _match_case(word, best[1])

    def latin_typed_as_korean(self, word: str) -> str | None:
        """The keys that type ``word`` on the Korean keyboard (ㅂㅕ무셔ㅡ → ``quantum``), if
        they are a Latin word whose terms are indexed: English typed with the Korean layout."""
        keys = keys_from_hangul(word)
        if not (keys.isascii() and keys.isalpha()):
            return None
        terms = [t[0] for t in analyze(keys, mode="query")]
        self.learn(terms)
        return keys if terms and all(self.known(t) for t in terms) else None

    def korean_typed_as_latin(self, word: str) -> str | None:
        """The Hangul ``word`` types on the Korean keyboard (``didwk`` → 양자), if every
        term of it is indexed: Korean typed with the English layout."""
        hangul = hangul_from_keys(word)
        if not hangul:
            return None
        terms = [t[0] for t in analyze(hangul, mode="query")]
        self.learn(terms)
        return hangul if terms and all(self.known(t) for t in terms) else None

    def _surfaces(self, term: str, paragraphs: int = 5) -> Counter[str]:
        return surfaces_of(self.lexicon, term, paragraphs)

    # -- Korean ---------------------------------------------------------------------------

    def correct_korean(self, word: str) -> str | None:
        """Re-segment a Hangul run into indexed morphemes with the fewest jamo edits."""
        n = len(word)
        if n < 2 or n > MAX_KOREAN_WORD:
            return None
        if self.lexicon.batched:
            self._look_up_pieces(word)
        inf = float("inf")
        best: list[tuple[float, list[str]]] = [(inf, [])] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            cost_i, pieces_i = best[i]
            if cost_i == inf:
                continue
            for j in range(i + 1, min(n, i + MAX_KOREAN_PIECE) + 1):
                for cost, out in self._options(word[i:j], at_end=j == n, first=i == 0):
                    if cost_i + cost < best[j][0]:
                        best[j] = (cost_i + cost, [*pieces_i, out])
        cost, pieces = best[n]
        if cost > max(1.5, n * MAX_COST_PER_SYLLABLE):
            return None
        fixed = "".join(pieces)
        return fixed if fixed != word else None

    def _look_up_pieces(self, word: str) -> None:
        """Ask about every piece :meth:`correct_korean` may try at once (a few requests)."""
        n = len(word)
        pieces = {
            word[i:j] for i in range(n) for j in range(i + 1, min(n, i + MAX_KOREAN_PIECE) + 1)
        }
        self.learn(pieces)
        unknown = [p for p in pieces if not self.known(p)]
        keys = [(p, 1, 0, KOREAN_NEAR_LIMIT) for p in unknown if len(p) >= 2]
        keys = [k for k in keys if k not in self._near]
        if keys:
            self._near.update(self.lexicon.near(keys))
        self.learn([c for p in unknown if len(p) == 1 for c in _one_jamo_away(p)])
        self.learn([c for p in unknown if len(p) >= 2 for c in _swapped_across(p)])

    def _options(self, piece: str, at_end: bool, first: bool) -> list[tuple[float, str]]:
        options: list[tuple[float, str]] = []
        if self.known(piece):
            options.append((0.0 if len(piece) > 1 else SINGLE_SYLLABLE_COST, piece))
        elif len(piece) >= 2:
            for rank, cand in enumerate(self.near(piece, 1, 0, limit=KOREAN_NEAR_LIMIT)):
                if len(cand) < 2 or not all(_HANGUL_SYLLABLE_RE.match(c) for c in cand):
                    continue
                edits = jamo_distance(piece, cand)
                if edits <= MAX_PIECE_JAMO_EDITS:
                    options.append((edits + rank * 0.001, cand))
            # two keys typed the wrong way round across syllables change both (협력 →
            # 혈벽): the syllable edits above do not reach them
            for cand in _swapped_across(piece):
                if self.known(cand):
                    options.append((jamo_distance(piece, cand), cand))
        else:
            # One syllable: the corrector's neighbours of a single syllable are
            # nearly every short term, so try the syllables one jamo away instead.
            for cand in _one_jamo_away(piece):
                if self.known(cand):
                    edits = jamo_distance(piece, cand)
                    options.append((edits + SINGLE_SYLLABLE_FIX_COST, cand))
        if at_end and not first:
            if piece in KOREAN_PARTICLES:
                options.append((0.1, piece))
            elif len(piece) <= 2:
                options.append((UNMATCHED_SUFFIX_COST * len(piece), piece))
        return options


class _ColumnarCorrector(Corrector):
    """Whoosh's :class:`~whoosh.spelling.ReaderCorrector` over the columnar term tables.

    The same Levenshtein automaton walks each segment's sorted terms (in memory,
    one ``searchsorted`` per jump instead of a search of the on-disk term index),
    and candidates are scored as Whoosh scores them: by distance, then by how
    often the term occurs in the field.
    """

    def __init__(self, columns: ColumnarSearcher) -> None:
        self.columns = columns
        self.tables = [
            leaf.columns.fields[FIELD].terms
            for leaf in columns.leaves
            if FIELD in leaf.columns.fields
        ]

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        seen: set[str] = set()
        if maxdist == 1 and prefix == 0 and _is_hangul_word(text, HANGUL_WORD_CHARS - 1):
            # the same words as the automaton's, by array comparisons: its walk through
            # terms of an alphabet of 11,172 syllables takes tens of milliseconds a word.
            # (The same because a term is a run of one script: a word of two syllables or
            # more is one edit from Hangul terms only.)
            for table in self.tables:
                seen.update(_one_edit_hangul(table, text))
        else:
            dfa = levenshtein_automaton(text, maxdist, prefix).to_dfa()
            for table in self.tables:
                seen.update(Automata.find_matches(dfa, _TermCursor(table)))
        for sug in sorted(seen):
            f = self.columns.frequency(FIELD, sug) or 1
            yield 0 - (maxdist + (1.0 / f * 0.5)), sug


def _is_hangul_word(text: str, longest: int) -> bool:
    """Whether ``text`` is 2 to ``longest`` Hangul syllables."""
    return 2 <= len(text) <= longest and all("가" <= c <= "힣" for c in text)


def _one_edit_hangul(table: TermTable, word: str) -> list[str]:
    """The table's Hangul terms one edit (a syllable changed, added or dropped) from
    ``word`` (Hangul syllables only), and ``word`` itself if there."""
    rows = table.hangul_words()
    typed = np.array([ord(c) for c in word], dtype=np.uint16)
    m = len(word)
    found: list[np.ndarray] = []
    same = rows.get(m)
    if same is not None:  # one changed (or none)
        codes, places = same
        found.append(places[(codes == typed).sum(axis=1) >= m - 1])
    longer = rows.get(m + 1)
    if longer is not None:  # one added: what comes before and after it are the word's
        codes, places = longer
        lead = np.cumprod(codes[:, :m] == typed, axis=1).sum(axis=1)
        trail = np.cumprod((codes[:, 1:] == typed)[:, ::-1], axis=1).sum(axis=1)
        found.append(places[lead + trail >= m])
    shorter = rows.get(m - 1)
    if shorter is not None and m > 1:  # one dropped
        codes, places = shorter
        lead = np.cumprod(codes == typed[: m - 1], axis=1).sum(axis=1)
        trail = np.cumprod((codes == typed[1:])[:, ::-1], axis=1).sum(axis=1)
        found.append(places[lead + trail >= m - 1])
    terms = table.as_list()
    return [terms[int(i)].decode("utf-8") for part in found for i in part]


class _TermCursor:
    """The two cursor methods Whoosh's automaton walk calls, over a sorted term table."""

    def __init__(self, table: TermTable) -> None:
        self.terms = table.as_list()
        self.i = 0

    def text(self) -> str | None:
        if self.i >= len(self.terms):
            return None
        return self.terms[self.i].decode("utf-8")

    def find(self, term: str) -> None:
        """Move to the first term at or after ``term``."""
        self.i = bisect_left(self.terms, term.encode("utf-8"))


# --- distances ------------------------------------------------------------------------


def edit_distance(a: Sequence[str], b: Sequence[str], similar: frozenset = frozenset()) -> float:
    """Edit distance counting a swap of two neighbours as one edit (Damerau's optimal string
    alignment: typing ``teh`` for ``the`` is one slip); substituting a pair listed in
    ``similar`` costs only 0.5."""
    rows: list[list[float]] = [[float(j) for j in range(len(b) + 1)]]
    for i, ca in enumerate(a, 1):
        row: list[float] = [float(i)]
        for j, cb in enumerate(b, 1):
            sub = 0 if ca == cb else 0.5 if frozenset((ca, cb)) in similar else 1
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + sub)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb and ca != cb:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        rows.append(row)
    return rows[-1][-1]


def jamo_sequence(text: str) -> list[str]:
    """Hangul syllables decomposed into their letters: initial, medial and (if any) final,
    a consonant written the same as initial and as final (the letters as typed: 협력 and
    혈벽 differ by two neighbours swapped, ㅂ and ㄹ)."""
    out: list[str] = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            out.append(INITIALS[code // 588])
            out.append(MEDIALS[(code % 588) // 28])
            if code % 28:
                out.append(FINALS[code % 28])
        else:
            out.append(char)
    return out


def _one_letter_away(word: str) -> set[str]:
    """The words one letter from ``word`` (a-z): one changed, added, dropped or swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out: set[str] = set()
    for i in range(len(word) + 1):
        out.update(word[:i] + c + word[i:] for c in letters)
        if i < len(word):
            out.add(word[:i] + word[i + 1 :])
            out.update(word[:i] + c + word[i + 1 :] for c in letters)
            if i + 1 < len(word):
                out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    out.discard(word)
    return out


def _swapped_across(word: str) -> list[str]:
    """``word`` with a final consonant and the next syllable's initial swapped, at each
    place where both can stand in the other's (협력 ↔ 혈벽, 공원 ↔ 곤옹)."""
    out = []
    for k in range(len(word) - 1):
        a, b = ord(word[k]) - 0xAC00, ord(word[k + 1]) - 0xAC00
        if not (0 <= a < 11172 and 0 <= b < 11172) or not a % 28:
            continue
        final, initial = FINALS[a % 28], INITIALS[b // 588]
        if final not in INITIALS or initial not in FINALS or final == initial:
            continue
        first = chr(0xAC00 + a - a % 28 + FINALS.index(initial))
        second = chr(0xAC00 + INITIALS.index(final) * 588 + b % 588)
        out.append(word[:k] + first + second + word[k + 2 :])
    return out


def _one_jamo_away(syllable: str) -> list[str]:
    """The Hangul syllables that differ from ``syllable`` in exactly one jamo."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return []
    initial, medial, final = code // 588, (code % 588) // 28, code % 28
    out = []
    for i in range(19):
        if i != initial:
            out.append(i * 588 + medial * 28 + final)
    for m in range(21):
        if m != medial:
            out.append(initial * 588 + m * 28 + final)
    for f in range(28):
        if f != final:
            out.append(initial * 588 + medial * 28 + f)
    return [chr(0xAC00 + c) for c in out]


#: Vowels that sound alike (and are often swapped when typing): ㅐ/ㅔ, ㅒ/ㅖ, ㅙ/ㅞ/ㅚ.
_SIMILAR_VOWELS = frozenset(
    frozenset(MEDIALS[a] + MEDIALS[b]) for a, b in [(1, 5), (3, 7), (10, 15), (10, 11), (11, 15)]
)


def jamo_distance(a: str, b: str) -> float:
    """Edit distance between two Korean strings counted in jamo (슬 → 술 is 1, 채 → 체 0.5)."""
    return edit_distance(jamo_sequence(a), jamo_sequence(b), _SIMILAR_VOWELS)


def _match_case(original: str, surface: str) -> str:
    if original.isupper() and len(original) > 1:
        return surface.upper()
    if original[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface
