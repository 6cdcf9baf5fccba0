"""Measuring search quality on public benchmarks (``dari eval``); not used by searching.

The package is split by concern:

* :mod:`~search.evaluation.datasets` — the benchmarks' data (KorQuAD 1.0 dev,
  Cranfield, ko-en-news for xlang) as :class:`Benchmark` and :class:`EvalQuery`,
  the dev/test splits and where the data lives (:func:`default_bench_dir`);
* :mod:`~search.evaluation.metrics` — MRR, hit@k, nDCG, MAP and their means;
* :mod:`~search.evaluation.baselines` — other tokenizations in plain Whoosh
  indexes, the rows Dari is compared with;
* :mod:`~search.evaluation.runner` — Dari itself over a benchmark
  (:func:`engine_rankings`), the tables and the command (:func:`run_eval` with
  :class:`EvalOptions`);
* :mod:`~search.evaluation.alignment` — ``dari eval align``, clause alignment
  on sentence pairs.

What tests and ``bench/`` use is re-exported here.
"""

from search.evaluation.baselines import BASELINES, Tokenize, run_baseline
from search.evaluation.datasets import (
    ALIGN,
    BENCHMARKS,
    CRANFIELD_DIR,
    KORQUAD_FILE,
    SPLITS,
    XLANG_DIR,
    Benchmark,
    EvalQuery,
    default_bench_dir,
    load_benchmark,
    load_cranfield,
    load_korquad,
    load_xlang,
    xlang_files,
)
from search.evaluation.metrics import (
    CUTOFF,
    MAP_DEPTH,
    average_precision,
    hit_at,
    mean_metrics,
    ndcg_at,
    reciprocal_rank,
)
from search.evaluation.runner import (
    PRODUCT,
    XLANG_SYSTEMS,
    EvalOptions,
    Row,
    engine_rankings,
    evaluate,
    evaluate_xlang,
    format_table,
    plain_query,
    run_eval,
    run_eval_command,
    run_product,
    run_product_variants,
    write_documents,
)

__all__ = [
    "ALIGN",
    "BASELINES",
    "BENCHMARKS",
    "CRANFIELD_DIR",
    "CUTOFF",
    "KORQUAD_FILE",
    "MAP_DEPTH",
    "PRODUCT",
    "SPLITS",
    "XLANG_DIR",
    "XLANG_SYSTEMS",
    "Benchmark",
    "EvalOptions",
    "EvalQuery",
    "Row",
    "Tokenize",
    "average_precision",
    "default_bench_dir",
    "engine_rankings",
    "evaluate",
    "evaluate_xlang",
    "format_table",
    "hit_at",
    "load_benchmark",
    "load_cranfield",
    "load_korquad",
    "load_xlang",
    "mean_metrics",
    "ndcg_at",
    "plain_query",
    "reciprocal_rank",
    "run_baseline",
    "run_eval",
    "run_eval_command",
    "run_product",
    "run_product_variants",
    "write_documents",
    "xlang_files",
]
