"""Running ``dari eval``: the product and the baselines over a benchmark, and the tables.

The product row goes through the product's own path: the documents are written
as ``.txt`` files into a temporary folder, indexed with
:func:`search.indexing.build_index` and searched with :meth:`search.engine.Engine.search`
(``match="any"``, ten results a page), each question made safe by
:func:`plain_query` first (:func:`engine_rankings`, the one ranking loop that
``dari eval`` and ``python -m bench.tune_quality`` share).  The baselines are
in :mod:`search.evaluation.baselines`.

xlang has two rows, Dari with and without cross-lingual expansion
(:data:`XLANG_SYSTEMS`; MRR@10, hit@10); the baselines do not apply to it.

The command itself is :func:`run_eval` with an :class:`EvalOptions`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from search.errors import UserError
from search.evaluation.baselines import BASELINES, run_baseline
from search.evaluation.datasets import (
    ALIGN,
    BENCHMARKS,
    CRANFIELD_DIR,
    KORQUAD_FILE,
    SPLITS,
    TYPOS,
    XLANG_DIR,
    Benchmark,
    EvalQuery,
    default_bench_dir,
    load_benchmark,
    load_xlang,
    xlang_files,
)
from search.evaluation.lucene import LUCENE_ROWS, lucene_missing, run_lucene
from search.evaluation.metrics import CUTOFF, mean_metrics

if TYPE_CHECKING:
    from search.engine import Engine

__all__ = [
    "PRODUCT",
    "XLANG_SYSTEMS",
    "EvalOptions",
    "Row",
    "engine_rankings",
    "evaluate",
    "evaluate_xlang",
    "format_table",
    "plain_query",
    "run_eval",
    "run_eval_command",
    "run_product",
    "run_product_variants",
    "write_documents",
]

#: The product's row in the tables.
PRODUCT = "dari"
#: The xlang rows: name → options of Engine.search.
XLANG_SYSTEMS: dict[str, dict[str, Any]] = {
    "dari, no expansion": {"xlang": False},
    "dari, expansion": {"xlang": True},
}


# --- queries as plain text ------------------------------------------------------------

_OPERATOR_CHARS_RE = re.compile('["()\u201c\u201d\u201e\u300c\u300d]')
_OPERATOR_WORDS = frozenset(["OR", "AND", "NOT", "|", "&&", "+", "-"])
_FILTER_RE = re.compile(r"^(lang|doc):", re.IGNORECASE)


def plain_query(text: str) -> str:
    """A natural-language question as a Dari query whose words are all just words.

    Quotes and parentheses become spaces, a leading ``-`` is dropped from every
    word, the operator words ``OR``/``AND``/``NOT`` are lowercased (``|``,
    ``&&``, ``+`` and a lone ``-`` are dropped) and ``lang:``/``doc:`` lose their
    colon, so no character of the question can change the query's meaning.
    """
    words = []
    for word in _OPERATOR_CHARS_RE.sub(" ", text).split():
        word = word.lstrip("-")
        if word in _OPERATOR_WORDS:
            word = word.lower() if word.isalpha() else ""
        word = _FILTER_RE.sub(r"\1 ", word)
        if word:
            words.append(word)
    return " ".join(words)


# --- the product -------------------------------------------------------------------------


def write_documents(bench: Benchmark, folder: Path) -> None:
    """One ``<doc id>.txt`` per document: the title line and a blank line (if any), the body."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, (title, body) in bench.documents.items():
        text = f"{title}\n\n{body}\n" if title else f"{body}\n"
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def run_product(
    bench: Benchmark,
    queries: Sequence[EvalQuery],
    workdir: Path | None = None,
) -> dict[int, list[str]]:
    """Rankings from Dari itself (see :func:`run_product_variants`, one variant)."""
    return run_product_variants(bench, queries, {PRODUCT: {}}, workdir)[PRODUCT]


def run_product_variants(
    bench: Benchmark,
    queries: Sequence[EvalQuery],
    variants: Mapping[str, Mapping[str, Any]],
    workdir: Path | None = None,
) -> dict[str, dict[int, list[str]]]:
    """Rankings from Dari itself: ``build_index`` over ``.txt`` files, then
    :func:`engine_rankings` once per variant (its ``Engine.search`` options)."""
    from search.engine import Engine
    from search.indexing import build_index

    with tempfile.TemporaryDirectory(prefix="dari-eval-", dir=workdir) as tmp:
        docs_dir = Path(tmp) / "docs"
        index_dir = Path(tmp) / "index"
        write_documents(bench, docs_dir)
        build_index(docs_dir, index_dir)
        engine = Engine(index_dir)
        out = {
            name: engine_rankings(engine, bench, queries, **options)
            for name, options in variants.items()
        }
        engine.close()  # this thread's searcher, before its folder goes
    return out


def engine_rankings(
    engine: Engine, bench: Benchmark, queries: Sequence[EvalQuery], **options: Any
) -> dict[int, list[str]]:
    """Each query's ranking of documents by ``engine`` (query number → doc ids).

    Every question goes through :func:`plain_query` and ``Engine.search(q,
    match="any", **options)``, ten results a page.  A result is a paragraph; the
    ranking keeps each document's first paragraph.  Where the metrics look
    deeper than one page (Cranfield's MAP reads 100 documents) it asks for 100 a
    page and pages on until it has ``bench.depth`` documents or the results end.
    """
    from search.errors import QueryError
    from search.request import MAX_PER_PAGE

    per_page = CUTOFF if bench.depth <= CUTOFF else MAX_PER_PAGE
    rankings: dict[int, list[str]] = {}
    for q in queries:
        ranking: list[str] = []
        page = 1
        try:
            while len(ranking) < bench.depth:
                res = engine.search(
                    plain_query(q.text), match="any", per_page=per_page, page=page, **options
                )
                for r in res.results:
                    if r.doc_id not in ranking:
                        ranking.append(r.doc_id)
                if page >= res.pages:
                    break
                page += 1
        except QueryError:
            pass  # nothing searchable in the question: an empty ranking
        rankings[q.number] = ranking[: bench.depth]
    return rankings


# --- the runner and the table ----------------------------------------------------------


@dataclass
class Row:
    """One line of a table: a system's mean metrics over one split."""

    benchmark: str
    split: str
    system: str
    queries: int
    values: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def evaluate(
    name: str,
    bench_dir: Path,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    systems: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Benchmark, list[Row]]:
    """Run every system over the benchmark's queries; one :class:`Row` per split and system.

    ``limit`` keeps the first N queries (in file order) before splitting.
    ``systems`` defaults to every baseline, the Lucene rows where Lucene can run here
    (:mod:`search.evaluation.lucene`; else ``progress`` says why they are left out), and
    the product (``"dari"``).
    """
    if name == "xlang":
        return evaluate_xlang(bench_dir, splits, limit, progress)
    bench = load_benchmark(name, bench_dir)
    queries = [q for q in bench.queries if q.relevant]  # unjudged queries say nothing
    if limit:
        queries = queries[:limit]
    queries = [q for q in queries if q.split in splits]
    if not systems:
        missing = lucene_missing()
        if missing and progress:
            progress(f"{name}: the Lucene rows are left out ({missing})")
        systems = [*BASELINES, *([] if missing else LUCENE_ROWS), PRODUCT]
    rows: list[Row] = []
    for system in systems:
        started = time.perf_counter()
        if system == PRODUCT:
            rankings = run_product(bench, queries)
        elif system in LUCENE_ROWS:
            rankings = run_lucene(LUCENE_ROWS[system], bench, queries)
        else:
            rankings = run_baseline(BASELINES[system][0], bench, queries)
        seconds = time.perf_counter() - started
        if progress:
            progress(f"{name}: {system} done in {seconds:.1f} s")
        for split in splits:
            subset = [q for q in queries if q.split == split]
            values = mean_metrics(bench.metrics, rankings, subset)
            rows.append(Row(name, split, system, len(subset), values, seconds))
    return bench, rows


def evaluate_xlang(
    bench_dir: Path,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Benchmark, list[Row]]:
    """Cross-lingual retrieval, with and without expansion (:data:`XLANG_SYSTEMS`).

    Each split is its own collection (its Korean sentences), indexed once and
    searched by both systems.  ``limit`` keeps the first N queries of each split;
    every sentence of the split is indexed all the same.
    """
    rows: list[Row] = []
    bench = None
    for split in splits:
        bench = load_xlang(Path(bench_dir) / XLANG_DIR, split)
        queries = bench.queries[:limit] if limit else bench.queries
        started = time.perf_counter()
        rankings = run_product_variants(bench, queries, XLANG_SYSTEMS)
        seconds = time.perf_counter() - started
        if progress:
            progress(f"xlang {split}: {len(queries)} queries, both systems in {seconds:.1f} s")
        for system in XLANG_SYSTEMS:
            values = mean_metrics(bench.metrics, rankings[system], queries)
            rows.append(Row("xlang", split, system, len(queries), values, seconds))
    assert bench is not None, "no split to evaluate"
    if len(splits) > 1:
        bench.title = (
            "ko-en-news: English sentence → its Korean translation (each split indexed on its own)"
        )
    return bench, rows


def format_table(bench: Benchmark, rows: Sequence[Row]) -> str:
    """A Markdown table: one line per split and system, the product last in each split."""
    header = ["split", "system", "queries", *bench.metrics]
    lines = [
        f"{bench.title}",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + " |",
    ]
    for split in SPLITS:
        for row in (r for r in rows if r.split == split):
            name = f"**{row.system}**" if row.system == PRODUCT else row.system
            cells = [row.split, name, str(row.queries)]
            cells += [f"{row.values[m]:.3f}" for m in bench.metrics]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the command -------------------------------------------------------------------------

#: ``EvalOptions.benchmark``: one benchmark, or every one of them
EVAL_CHOICES = (*BENCHMARKS, "all")
#: ``EvalOptions.split``: one split, or both
SPLIT_CHOICES = (*SPLITS, "all")


@dataclass(frozen=True)
class EvalOptions:
    """What ``dari eval`` runs: ``dari eval BENCHMARK [--split S] [--bench-dir DIR] [--limit N]``."""

    #: korquad, cranfield, xlang, align, or all of them
    benchmark: str
    #: dev, test, or all (both)
    split: str = "all"
    #: the benchmark data; None: :func:`~search.evaluation.datasets.default_bench_dir`
    bench_dir: Path | None = None
    #: only the first N queries (align: sentence pairs); None: all of them
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.benchmark not in EVAL_CHOICES:
            raise UserError(
                f"unknown benchmark {self.benchmark!r}; choose from {', '.join(EVAL_CHOICES)}"
            )
        if self.split not in SPLIT_CHOICES:
            raise UserError(f"unknown split {self.split!r}; choose from {', '.join(SPLIT_CHOICES)}")
        if self.bench_dir is not None:
            object.__setattr__(self, "bench_dir", Path(self.bench_dir))

    @property
    def benchmarks(self) -> tuple[str, ...]:
        """The benchmarks to run, in the order of :data:`BENCHMARKS`."""
        return BENCHMARKS if self.benchmark == "all" else (self.benchmark,)

    @property
    def splits(self) -> tuple[str, ...]:
        """The splits to run."""
        return SPLITS if self.split == "all" else (self.split,)

    @classmethod
    def from_namespace(cls, args: argparse.Namespace) -> EvalOptions:
        """From parsed ``dari eval`` arguments (missing ones take their defaults)."""
        bench_dir = getattr(args, "bench_dir", None)
        return cls(
            benchmark=args.benchmark,
            split=getattr(args, "split", None) or "all",
            bench_dir=Path(bench_dir) if bench_dir else None,
            limit=getattr(args, "limit", None),
        )


def _missing_data(options: EvalOptions, bench_dir: Path) -> Path | None:
    """The first data file or folder of a retrieval benchmark that is not there, if any."""
    for name in options.benchmarks:
        if name in (ALIGN, TYPOS):
            continue  # checks its own data
        if name == "xlang":
            needed_paths = [
                p for split in options.splits for p in xlang_files(bench_dir / XLANG_DIR, split)
            ]
        else:
            needed_paths = [bench_dir / (KORQUAD_FILE if name == "korquad" else CRANFIELD_DIR)]
        for needed in needed_paths:
            if not needed.exists():
                return needed
    return None


def run_eval(options: EvalOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``dari eval``: a Markdown table per benchmark to ``out``, progress to ``err``.

    ``out`` and ``err`` default to the standard output and error of the moment.
    Returns the exit status: 0, or 2 when benchmark data is missing (said on ``err``).
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    bench_dir = options.bench_dir if options.bench_dir is not None else default_bench_dir()
    missing = _missing_data(options, bench_dir)
    if missing is not None:
        print(f"dari eval: benchmark data not found: {missing}", file=err)
        return 2
    for name in options.benchmarks:
        if name == ALIGN:
            from search.evaluation.alignment import run_alignment_eval

            code = run_alignment_eval(bench_dir, options.splits, options.limit, out=out, err=err)
            if code:
                return code
            continue
        if name == TYPOS:
            from search.evaluation.typos import run_typo_eval

            code = run_typo_eval(bench_dir, options.splits, options.limit, out=out, err=err)
            if code:
                return code
            continue
        bench, rows = evaluate(
            name,
            bench_dir,
            splits=options.splits,
            limit=options.limit,
            progress=lambda msg: print(msg, file=err, flush=True),
        )
        print(format_table(bench, rows) + "\n", file=out, flush=True)
    return 0


def run_eval_command(args: argparse.Namespace) -> int:
    """:func:`run_eval` from parsed ``dari eval`` arguments (see :meth:`EvalOptions.from_namespace`)."""
    return run_eval(EvalOptions.from_namespace(args))
