"""``dari eval typos``: queries as people mistype them, and what typo tolerance makes of them.

From clean queries — the words of the seeds (their index words of five letters or
more: Korean nouns and English words), KorQuAD's questions (Korean) and
Cranfield's (English) — each kind of slip is made in one word of each query
(:func:`slips`), with a fixed random seed:

* ``jamo substitution`` / ``jamo deletion`` / ``jamo transposition``: one
  keystroke of a Korean word changed (a consonant key for another consonant, a
  vowel for a vowel), dropped, or swapped with the next, and the keys composed
  again as the input method does (협력 → 협렵, 협려, 혈벽); only slips one jamo
  edit away (a transposition counted as one) are kept;
* ``letter typo``: one letter of an English word changed, dropped, added or
  swapped with the next;
* ``layout ko→en`` / ``layout en→ko``: a Korean word typed with the English
  layout (양자 → didwk), an English word with the Korean one (quantum → ㅂㅕ무셔ㅡ);
* ``initials``: a Korean noun typed as its initial consonants (양자 → ㅇㅈ).

A slip that makes another indexed word (a real-word error: no search engine can
tell it from what was meant) and a word under the typo budget are left out; the
table counts them.  For each kind it reports how often the slipped query, with typo
tolerance, finds the same first paragraph as the clean query, and without it
(``typo=0``) for comparison; the clean queries that find nothing are left out.

Then the cost on the clean benchmarks: KorQuAD MRR@10 and Cranfield nDCG@10 of the
product with typo tolerance (the default) and without.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from search.analysis import analyze
from search.analysis.keyboard import (
    KEYS,
    hangul_from_keys,
    keys_from_hangul,
    typed_on_korean_layout,
)
from search.evaluation.datasets import (
    CRANFIELD_DIR,
    KORQUAD_FILE,
    Benchmark,
    EvalQuery,
    load_benchmark,
)
from search.evaluation.metrics import mean_metrics
from search.evaluation.runner import engine_rankings, plain_query, write_documents
from search.spelling import jamo_distance
from search.typos import initials_of, typo_budget

if TYPE_CHECKING:
    from search.engine import Engine

__all__ = ["KINDS", "TARGET", "Slip", "run_typo_eval", "slips"]

#: The repository's seed documents.
SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
#: Fixed, so that every run makes the same slips.
SEED = 16
#: The share of slipped queries that must find the clean query's first paragraph.
TARGET = 0.9
KINDS = (
    "jamo substitution",
    "jamo deletion",
    "jamo transposition",
    "letter typo",
    "layout ko→en",
    "layout en→ko",
    "initials",
)
#: The kinds that are typos (judged by the typo budget of the word as slipped).
TYPO_KINDS = frozenset(KINDS[:4])
#: Kinds held to :data:`TARGET` (initials stand for many words: no target).
TARGETED = frozenset(KINDS) - {"initials"}
_VOWEL_KEYS = frozenset("yuiophjklbnmOP")
_CONSONANT_KEYS = frozenset(KEYS) - _VOWEL_KEYS
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Slip:
    """A clean query and the same query with one word slipped."""

    kind: str
    clean: str
    slipped: str


@dataclass
class KindResult:
    """How one kind of slip fared."""

    queries: int = 0
    same_with: int = 0  # same first paragraph with typo tolerance
    same_without: int = 0  # … and without it
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


# --- making slips ------------------------------------------------------------------------


def _is_hangul(word: str) -> bool:
    return bool(word) and all("가" <= c <= "힣" for c in word)


def _korean_typos(word: str, rnd: random.Random) -> dict[str, str]:
    """One keystroke slip of each kind in a Korean word (those that compose to Hangul one
    jamo edit away), by kind."""
    keys = keys_from_hangul(word)
    out: dict[str, str] = {}
    for kind in ("jamo substitution", "jamo deletion", "jamo transposition"):
        for _ in range(20):  # tries: some slips do not compose into syllables
            i = rnd.randrange(len(keys))
            if kind == "jamo substitution":
                pool = _VOWEL_KEYS if keys[i] in _VOWEL_KEYS else _CONSONANT_KEYS
                edited = keys[:i] + rnd.choice(sorted(pool - {keys[i]})) + keys[i + 1 :]
            elif kind == "jamo deletion":
                edited = keys[:i] + keys[i + 1 :]
            else:
                if i + 1 >= len(keys) or keys[i] == keys[i + 1]:
                    continue
                edited = keys[:i] + keys[i + 1] + keys[i] + keys[i + 2 :]
            typed = hangul_from_keys(edited)
            if typed and _is_hangul(typed) and typed != word and jamo_distance(typed, word) <= 1:
                out[kind] = typed
                break
    return out


def _letter_typo(word: str, rnd: random.Random) -> str:
    lowered = word.lower()
    while True:
        i = rnd.randrange(len(lowered))
        op = rnd.choice("sdit")
        if op == "s":
            typed = lowered[:i] + rnd.choice(_LETTERS.replace(lowered[i], "")) + lowered[i + 1 :]
        elif op == "d":
            typed = lowered[:i] + lowered[i + 1 :]
        elif op == "i":
            typed = lowered[:i] + rnd.choice(_LETTERS) + lowered[i:]
        elif i + 1 < len(lowered) and lowered[i] != lowered[i + 1]:
            typed = lowered[:i] + lowered[i + 1] + lowered[i] + lowered[i + 2 :]
        else:
            continue
        return typed


def _noun(word: str) -> bool:
    """A Korean word that analyses to itself alone (a noun as it is indexed)."""
    return _is_hangul(word) and [t[0] for t in analyze(word, mode="query")] == [word]


def slips(query: str, rnd: random.Random) -> list[Slip]:
    """Every kind of slip that one word of ``query`` can take (a word long enough for a typo
    is picked at random for each kind)."""
    words = query.split()
    korean = [i for i, w in enumerate(words) if _is_hangul(w) and typo_budget(w)]
    english = [i for i, w in enumerate(words) if w.isascii() and w.isalpha() and typo_budget(w)]
    nouns = [i for i, w in enumerate(words) if _noun(w) and len(w) >= 2]
    out: list[Slip] = []

    def slip(kind: str, i: int, typed: str) -> None:
        changed = [*words[:i], typed, *words[i + 1 :]]
        out.append(Slip(kind, query, " ".join(changed)))

    if korean:
        i = rnd.choice(korean)
        for kind, typed in _korean_typos(words[i], rnd).items():
            slip(kind, i, typed)
        i = rnd.choice(korean)
        slip("layout ko→en", i, keys_from_hangul(words[i]))
    if english:
        i = rnd.choice(english)
        slip("letter typo", i, _letter_typo(words[i], rnd))
        i = rnd.choice(english)
        hangul = typed_on_korean_layout(words[i].lower())
        if hangul:
            slip("layout en→ko", i, hangul)
    if nouns:
        i = rnd.choice(nouns)
        slip("initials", i, initials_of(words[i]))
    return out


# --- measuring ---------------------------------------------------------------------------


def _first(engine: Engine, query: str, typo: bool) -> str | None:
    """The first paragraph ``query`` finds (its address), None if none or not searchable."""
    from search.errors import QueryError

    try:
        found = engine.search(query, match="any", per_page=1, typo=typo)
    except QueryError:
        return None
    return found.results[0].url if found.results else None


def _slipped_word(slip: Slip) -> str:
    return next(b for a, b in zip(slip.clean.split(), slip.slipped.split(), strict=True) if a != b)


def measure(
    engine: Engine, source: str, queries: Iterable[str], results: dict[tuple[str, str], KindResult]
) -> None:
    """Add how the slips of ``queries`` fare on ``engine`` to ``results`` (by kind and
    ``source``)."""
    from search.spelling import Speller

    speller = Speller(engine.backend.view().lexicon())
    rnd = random.Random(SEED)
    for query in queries:
        clean_first: str | None = None
        looked = False
        for slip in slips(query, rnd):
            result = results.setdefault((slip.kind, source), KindResult())
            word = _slipped_word(slip)
            if slip.kind in TYPO_KINDS and not typo_budget(word):
                result.skip("under the typo budget")  # 가능 → 가느: 4 letters, none
                continue
            terms = [t[0] for t in analyze(word, mode="query")]
            if slip.kind != "initials" and terms and all(speller.known(t) for t in terms):
                result.skip("makes an indexed word")
                continue
            if not looked:
                clean_first, looked = _first(engine, query, typo=False), True
            if clean_first is None:
                result.skip("clean query finds nothing")
                continue
            result.queries += 1
            result.same_with += _first(engine, slip.slipped, typo=True) == clean_first
            result.same_without += _first(engine, slip.slipped, typo=False) == clean_first


def seed_queries(engine: Engine) -> list[str]:
    """The seeds' words that take a typo: their index words of 5 letters or more, Korean
    nouns and English words as the documents write them."""
    from search.spelling import FIELD, WordPattern, surfaces_of

    lexicon = engine.backend.view().lexicon()
    korean = lexicon.words_like(WordPattern((("가", "힣"),), True), 100_000)
    latin = lexicon.words_like(WordPattern((("a", "z"),), True), 100_000)
    words = sorted(w for w, _ in korean if _noun(w) and typo_budget(w))
    for stem, _ in latin:
        written = surfaces_of(lexicon, stem, 1).most_common(1)
        if written and typo_budget(written[0][0]) and stem.isalpha():
            words.append(written[0][0])
    assert FIELD  # the text field's words
    return sorted(set(words))


# --- the command -------------------------------------------------------------------------


def _index(bench: Benchmark | None, folder: Path) -> Engine:
    from search.engine import Engine
    from search.indexing import build_index

    docs = SEEDS_DIR
    if bench is not None:
        docs = folder / "docs"
        write_documents(bench, docs)
    build_index(docs, folder / "index")
    return Engine(folder / "index")


def _clean_quality(
    engine: Engine, bench: Benchmark, queries: Sequence[EvalQuery]
) -> tuple[float, float]:
    """The benchmark's first metric with typo tolerance and without."""
    metric = bench.metrics[0]
    values = []
    for typo in (True, False):
        rankings = engine_rankings(engine, bench, queries, typo=typo)
        values.append(mean_metrics(bench.metrics, rankings, queries)[metric])
    return values[0], values[1]


def run_typo_eval(
    bench_dir: Path,
    splits: Sequence[str],
    limit: int | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run ``dari eval typos``: the slips table and the clean benchmarks' cost, to ``out``."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    say: Callable[[str], None] = lambda msg: print(msg, file=err, flush=True)  # noqa: E731
    results: dict[tuple[str, str], KindResult] = {}
    quality: list[tuple[str, str, int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="dari-eval-typos-") as tmp:
        started = time.perf_counter()
        engine = _index(None, Path(tmp) / "seeds")
        words = seed_queries(engine)  # all of them (a few hundred): --limit is for the rest
        measure(engine, "seed words", words, results)
        engine.close()
        say(f"typos: seeds, {len(words)} words, {time.perf_counter() - started:.0f} s")
        for name, needed in (("korquad", KORQUAD_FILE), ("cranfield", CRANFIELD_DIR)):
            source = f"{'KorQuAD' if name == 'korquad' else 'Cranfield'} questions"
            if not (bench_dir / needed).exists():
                print(f"dari eval: benchmark data not found: {bench_dir / needed}", file=err)
                return 2
            started = time.perf_counter()
            bench = load_benchmark(name, bench_dir)
            queries = [q for q in bench.queries if q.relevant and q.split in splits]
            queries = queries[:limit] if limit else queries
            engine = _index(bench, Path(tmp) / name)
            measure(engine, source, [plain_query(q.text) for q in queries], results)
            with_typo, without = _clean_quality(engine, bench, queries)
            quality.append((name, bench.metrics[0], len(queries), with_typo, without))
            engine.close()
            say(f"typos: {name}, {len(queries)} queries, {time.perf_counter() - started:.0f} s")
    print(format_tables(results, quality, splits), file=out, flush=True)
    return 0


def format_tables(
    results: dict[tuple[str, str], KindResult],
    quality: Sequence[tuple[str, str, int, float, float]],
    splits: Sequence[str],
) -> str:
    """The two Markdown tables of ``dari eval typos``."""
    split = "+".join(splits)
    lines = [
        f"Slipped queries: the same first paragraph as the clean query ({split} questions "
        "of KorQuAD and Cranfield, and the seeds' words)",
        "",
        "| slip | source | queries | typo tolerance | typo=0 | target | left out |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]

    def line(kind: str, source: str, r: KindResult, target: str) -> str:
        share = r.same_with / r.queries if r.queries else 0.0
        without = r.same_without / r.queries if r.queries else 0.0
        left = ", ".join(f"{n} {why}" for why, n in sorted(r.skipped.items())) or "–"
        return (
            f"| {kind} | {source} | {r.queries} | {share:.1%} | {without:.1%} | {target} | {left} |"
        )

    for kind in KINDS:
        total = KindResult()
        for (k, source), r in sorted(results.items()):
            if k != kind:
                continue
            lines.append(line("", source, r, ""))
            total.queries += r.queries
            total.same_with += r.same_with
            total.same_without += r.same_without
            for why, n in r.skipped.items():
                total.skipped[why] = total.skipped.get(why, 0) + n
        target = f"{TARGET:.0%}" if kind in TARGETED else "–"
        lines.append(line(f"**{kind}**", "all", total, target))
    lines += [
        "",
        "Clean queries: quality with typo tolerance and without",
        "",
        "| benchmark | metric | queries | typo tolerance | typo=0 | difference |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, metric, n, with_typo, without in quality:
        lines.append(
            f"| {name} ({split}) | {metric} | {n} | {with_typo:.3f} | {without:.3f} "
            f"| {with_typo - without:+.3f} |"
        )
    return "\n".join(lines)
