"""``dari eval align``: clause alignment measured on line-aligned Korean–English news.

``../shared/bench/ko-en-news/park.{dev,test}.{en,ko}`` hold news sentences and
their translations, line by line (1,000 dev pairs, 2,000 test pairs).  From
them we build bilingual test documents the way agreements are published:

* a block of :data:`BLOCK` consecutive sentence pairs becomes one document:
  the English sentences, one paragraph each, then the Korean ones;
* a seeded random generator (:data:`SEED`) walks the block's sentences and,
  for each, with probability :data:`P_MERGE` merges it with the next one into
  one paragraph on one side (English or Korean, chosen at random; the next
  sentence then gets no operation of its own), else with probability
  :data:`P_DROP` drops it on one side (a translator's omission), else keeps it
  one to one.

The document goes through the product's own path (:func:`search.documents.parse_document`,
:func:`search.bilingual.alignment.find_alignments`), so a block whose runs are not
detected as parallel loses all its links.

**Links.**  A link is a pair ``(set of English sentence ids, set of Korean
sentence ids)``: a predicted paragraph link maps to the ids of the sentences
in its paragraphs; the gold links are the connected components of "same
sentence id" between the two sides' paragraphs (a dropped sentence is a link
with an empty other side; a merged pair of sentences is one 1–2 or 2–1 link).
Precision is the share of predicted links that are gold links (exactly),
recall the share of gold links predicted; "all" counts every link including
1–0 and 0–1, "linked" only those with both sides non-empty.

Tune on ``dev``; report ``test``.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from search.bilingual.alignment import (
    DEFAULT_MODEL,
    AlignmentModel,
    find_alignments,
    measure_length_model,
)
from search.evaluation.datasets import XLANG_DIR

__all__ = [
    "AlignRow",
    "Block",
    "evaluate_alignment",
    "format_alignment_table",
    "format_rates_table",
    "gold_links",
    "load_pairs",
    "make_blocks",
    "run_alignment_eval",
]

ALIGN_DIR = XLANG_DIR  # the sentence pairs of the xlang benchmark
FILES = {"dev": "park.dev", "test": "park.test"}
BLOCK = 20
SEED = 8
P_MERGE = 0.1
P_DROP = 0.1

Links = set[tuple[frozenset[int], frozenset[int]]]


def load_pairs(bench_dir: Path, split: str) -> list[tuple[str, str]]:
    """The (English, Korean) sentence pairs of a split, in file order."""
    stem = Path(bench_dir) / ALIGN_DIR / FILES[split]
    en = Path(f"{stem}.en").read_text(encoding="utf-8").splitlines()
    ko = Path(f"{stem}.ko").read_text(encoding="utf-8").splitlines()
    if len(en) != len(ko):
        raise ValueError(f"{stem}.en and .ko differ in length ({len(en)} vs {len(ko)} lines)")
    return [(e.strip(), k.strip()) for e, k in zip(en, ko, strict=True)]


@dataclass
class Block:
    """One test document: each side's paragraphs as tuples of sentence ids."""

    en: list[tuple[int, ...]] = field(default_factory=list)
    ko: list[tuple[int, ...]] = field(default_factory=list)

    def text(self, pairs: Sequence[tuple[str, str]]) -> str:
        """The document: English paragraphs, then Korean ones, blank-line separated."""
        en = [" ".join(pairs[i][0] for i in para) for para in self.en]
        ko = [" ".join(pairs[i][1] for i in para) for para in self.ko]
        return "\n\n".join(en + ko) + "\n"


def make_blocks(
    pairs: Sequence[tuple[str, str]],
    block: int = BLOCK,
    seed: int = SEED,
    p_merge: float = P_MERGE,
    p_drop: float = P_DROP,
) -> list[Block]:
    """Blocks of ``block`` sentence pairs with random merges and drops (see the module doc).

    Pairs with an empty side are left out (the corpus has none, but a
    hand-made file might).
    """
    usable = [i for i, (e, k) in enumerate(pairs) if e and k]
    rng = random.Random(seed)
    blocks = []
    for start in range(0, len(usable) - block + 1, block):
        ids = usable[start : start + block]
        out = Block()
        k = 0
        while k < len(ids):
            r = rng.random()
            side = rng.choice(("en", "ko"))
            if r < p_merge and k + 1 < len(ids):
                merged, single = (ids[k], ids[k + 1]), [(ids[k],), (ids[k + 1],)]
                if side == "en":
                    out.en.append(merged)
                    out.ko.extend(single)
                else:
                    out.ko.append(merged)
                    out.en.extend(single)
                k += 2
                continue
            if r < p_merge + p_drop:
                (out.ko if side == "en" else out.en).append((ids[k],))  # dropped on `side`
            else:
                out.en.append((ids[k],))
                out.ko.append((ids[k],))
            k += 1
        if out.en and out.ko:
            blocks.append(out)
    return blocks


def gold_links(block: Block) -> Links:
    """The true links: paragraphs joined by a shared sentence id, as sentence-id sets."""
    en_of = {i: p for p, para in enumerate(block.en) for i in para}
    ko_of = {i: p for p, para in enumerate(block.ko) for i in para}
    links: Links = set()
    seen_en: set[int] = set()
    seen_ko: set[int] = set()
    for start in range(len(block.en)):
        if start in seen_en:
            continue
        en_paras: set[int] = {start}
        ko_paras: set[int] = set()
        grew = True
        while grew:
            ids = {i for p in en_paras for i in block.en[p]} | {
                i for p in ko_paras for i in block.ko[p]
            }
            new_en = {en_of[i] for i in ids if i in en_of} | en_paras
            new_ko = {ko_of[i] for i in ids if i in ko_of} | ko_paras
            grew = (new_en, new_ko) != (en_paras, ko_paras)
            en_paras, ko_paras = new_en, new_ko
        seen_en |= en_paras
        seen_ko |= ko_paras
        links.add(_ids(block, en_paras, ko_paras))
    for p in range(len(block.ko)):
        if p not in seen_ko:
            links.add(_ids(block, set(), {p}))
    return links


def _ids(
    block: Block, en_paras: set[int], ko_paras: set[int]
) -> tuple[frozenset[int], frozenset[int]]:
    return (
        frozenset(i for p in en_paras for i in block.en[p]),
        frozenset(i for p in ko_paras for i in block.ko[p]),
    )


def predicted_links(
    block: Block,
    pairs: Sequence[tuple[str, str]],
    model: AlignmentModel = DEFAULT_MODEL,
    terms: Callable[[str], set[int]] | None = None,
) -> Links | None:
    """The product's links for the block's document as sentence-id sets; None if undetected."""
    from search.documents import parse_document

    doc = parse_document("block", block.text(pairs))
    if len(doc.paragraphs) != len(block.en) + len(block.ko):
        raise ValueError("a test paragraph was split or lost")  # never with news sentences
    sentences = {n: para for n, para in enumerate([*block.en, *block.ko], 1)}
    alignments = find_alignments(doc.paragraphs, model, terms=terms)
    if not alignments:
        return None
    links: Links = set()
    for alignment in alignments:
        for link in alignment.links:
            links.add(
                (
                    frozenset(i for n in link.en for i in sentences[n]),
                    frozenset(i for n in link.ko for i in sentences[n]),
                )
            )
    return links


#: Other edit rates (merge, drop) measured beside the benchmark's own, to show
#: what the drops cost; never tuned on.
OTHER_RATES = ((0.0, 0.0), (P_MERGE, 0.0), (0.0, P_DROP), (P_MERGE / 2, P_DROP / 2))


@dataclass
class AlignRow:
    split: str
    documents: int
    detected: int
    gold: int
    predicted: int
    correct: int
    gold_linked: int
    predicted_linked: int
    correct_linked: int
    false_detections: int = 0
    seconds: float = 0.0
    p_merge: float = P_MERGE
    p_drop: float = P_DROP

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.correct, self.predicted)

    @property
    def recall(self) -> float:
        return self._ratio(self.correct, self.gold)

    @property
    def precision_linked(self) -> float:
        return self._ratio(self.correct_linked, self.predicted_linked)

    @property
    def recall_linked(self) -> float:
        return self._ratio(self.correct_linked, self.gold_linked)


def evaluate_alignment(
    pairs: Sequence[tuple[str, str]],
    split: str,
    model: AlignmentModel = DEFAULT_MODEL,
    terms: Callable[[str], set[int]] | None = None,
    negatives: bool = True,
    p_merge: float = P_MERGE,
    p_drop: float = P_DROP,
) -> AlignRow:
    """Align every block of ``pairs`` and count links; with ``negatives`` also count
    detections on mismatched documents (block i's English before block i+1's Korean)."""
    started = time.perf_counter()
    blocks = make_blocks(pairs, p_merge=p_merge, p_drop=p_drop)
    row = AlignRow(split, len(blocks), 0, 0, 0, 0, 0, 0, 0, p_merge=p_merge, p_drop=p_drop)
    for block in blocks:
        gold = gold_links(block)
        found = predicted_links(block, pairs, model, terms) or set()
        row.detected += bool(found)
        row.gold += len(gold)
        row.predicted += len(found)
        row.correct += len(gold & found)
        row.gold_linked += sum(1 for e, k in gold if e and k)
        row.predicted_linked += sum(1 for e, k in found if e and k)
        row.correct_linked += sum(1 for e, k in gold & found if e and k)
    if negatives:
        for a, b in zip(blocks, blocks[1:], strict=False):
            mismatched = Block(a.en, b.ko)
            row.false_detections += predicted_links(mismatched, pairs, model, terms) is not None
    row.seconds = time.perf_counter() - started
    return row


def format_alignment_table(rows: Sequence[AlignRow], title: str = "") -> str:
    """A Markdown table of link precision and recall per split."""
    lines = [
        title
        or f"Clause alignment: ko-en-news blocks of {BLOCK} sentences, "
        f"merges {P_MERGE:.0%}, drops {P_DROP:.0%} (seed {SEED})",
        "",
        "| split | documents | detected | false detections | links | predicted | correct "
        "| P (all) | R (all) | P (linked) | R (linked) | F1 (all) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        f1 = 2 * r.precision * r.recall / (r.precision + r.recall) if r.correct else 0.0
        lines.append(
            f"| {r.split} | {r.documents} | {r.detected} | {r.false_detections}/"
            f"{max(r.documents - 1, 0)} | {r.gold} | {r.predicted} | {r.correct} "
            f"| {r.precision:.4f} | {r.recall:.4f} "
            f"| {r.precision_linked:.3f} | {r.recall_linked:.3f} | {f1:.3f} |"
        )
    return "\n".join(lines)


def format_rates_table(rows: Sequence[AlignRow]) -> str:
    """The same blocks with other merge and drop rates (see :data:`OTHER_RATES`)."""
    lines = [
        "The same blocks with other edit rates (not tuned on):",
        "",
        "| split | merges | drops | detected | P (all) | R (all) | P (linked) | R (linked) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r.split} | {r.p_merge:.0%} | {r.p_drop:.0%} | {r.detected}/{r.documents} "
            f"| {r.precision:.3f} | {r.recall:.3f} | {r.precision_linked:.3f} "
            f"| {r.recall_linked:.3f} |"
        )
    return "\n".join(lines)


def run_alignment_eval(
    bench_dir: Path,
    splits: Sequence[str],
    limit: int | None = None,
    rates: bool = True,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the alignment table for ``splits`` (and, with ``rates``, the table of
    other edit rates) to ``out``, progress to ``err``; 2 when the data is missing.

    ``limit`` keeps the first N sentence pairs of each split.  ``out`` and ``err``
    default to the standard output and error of the moment.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    rows = []
    others = []
    for split in splits:
        stem = Path(bench_dir) / ALIGN_DIR / FILES[split]
        if not Path(f"{stem}.en").exists() or not Path(f"{stem}.ko").exists():
            print(f"dari eval: benchmark data not found: {stem}.en/.ko", file=err)
            return 2
    for split in splits:
        pairs = load_pairs(bench_dir, split)
        if limit:
            pairs = pairs[:limit]
        length = measure_length_model([e for e, _ in pairs], [k for _, k in pairs])
        print(
            f"align: {split}: {len(pairs)} sentence pairs, Korean/English characters "
            f"{length.ratio:.3f} (variance {length.variance:.2f} per character)",
            file=err,
            flush=True,
        )
        rows.append(evaluate_alignment(pairs, split))
        print(f"align: {split} done in {rows[-1].seconds:.1f} s", file=err, flush=True)
        if rates:
            for p_merge, p_drop in OTHER_RATES:
                others.append(
                    evaluate_alignment(
                        pairs, split, negatives=False, p_merge=p_merge, p_drop=p_drop
                    )
                )
    print(format_alignment_table(rows) + "\n", file=out, flush=True)
    if others:
        print(format_rates_table(others) + "\n", file=out, flush=True)
    return 0
