"""Ranking settings on a benchmark's dev split: the grids of docs/quality.md.

    python -m bench.tune_quality cranfield --grid '[{}, {"B": 0.5}, {"K1": 0.9}]'
    python -m bench.tune_quality korquad --limit 1000 --grid '[{}, {"weights": {"bigrams": 0}}]'

Builds the benchmark's index once, the way ``dari eval`` does, then for each
entry of the grid makes the ranking's settings (``B``, ``K1``, ``idf``,
``feedback_docs``, ``feedback_terms``, ``feedback_weight``, ``feedback_temperature``,
``feedback_model`` → the fields of :class:`search.settings.RankingSettings`;
``weights``, ``field_k1``, ``field_b`` → per-field values added to its
``field_weights``, ``field_k1``, ``field_b``; ``--stemmer porter`` builds and queries with another
English stemmer), ranks every query again through an engine with those settings
(``Engine.search(match="any")``) and prints one line of metrics.  An empty entry
``{}`` is the product's settings.  Only ``dev`` is meant for tuning;
``--split test`` exists to check a choice once.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from search import analysis
from search import evaluation as ev
from search.engine import Engine
from search.indexing import build_index
from search.settings import RankingSettings

#: grid key → field of RankingSettings (the keys stay as users have typed them)
SETTINGS = {
    "B": "b",
    "K1": "k1",
    "feedback_docs": "feedback_docs",
    "feedback_terms": "feedback_terms",
    "feedback_weight": "feedback_weight",
    "feedback_temperature": "feedback_temperature",
    "idf": "idf",
    "feedback_model": "feedback_model",
}
WEIGHTS = "weights"
#: per-field BM25 parameters ({"bigrams": 0.4}), merged like ``weights``
PER_FIELD = ("field_b", "field_k1")


def ranking_settings(entry: Mapping[str, Any]) -> RankingSettings:
    """The product's settings changed as one grid entry says (``weights`` add to its
    field weights; ``{}`` is the product's settings)."""
    changes: dict[str, Any] = {
        SETTINGS[key]: value for key, value in entry.items() if key in SETTINGS
    }
    if WEIGHTS in entry:
        changes["field_weights"] = dict(entry[WEIGHTS])  # merged by RankingSettings.replace
    for key in PER_FIELD:
        if key in entry:
            changes[key] = dict(entry[key])
    return RankingSettings().replace(**changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune_quality", description=__doc__)
    parser.add_argument("benchmark", choices=("korquad", "cranfield"))
    parser.add_argument("--split", choices=ev.SPLITS, default="dev")
    parser.add_argument("--limit", type=int, default=None, help="the first N queries of the split")
    parser.add_argument("--grid", default="[{}]", help="JSON list of settings (see above)")
    parser.add_argument("--bench-dir", type=Path, default=None)
    parser.add_argument(
        "--stemmer", default=None, help="PyStemmer algorithm for English (index and queries)"
    )
    args = parser.parse_args(argv)
    grid = json.loads(args.grid)
    unknown = {k for entry in grid for k in entry} - {*SETTINGS, WEIGHTS, *PER_FIELD}
    if unknown:
        parser.error(f"unknown settings: {', '.join(sorted(unknown))}")
    settings = [ranking_settings(entry) for entry in grid]  # made before the slow part

    if args.stemmer:
        # before anything is analysed; for a process of its own (the analysis
        # caches keep what it stemmed)
        analysis.configure_stemmer(args.stemmer)
    bench = ev.load_benchmark(args.benchmark, args.bench_dir or ev.default_bench_dir())
    queries = [q for q in bench.queries if q.relevant and q.split == args.split][: args.limit]
    with tempfile.TemporaryDirectory(prefix="dari-tune-") as tmp:
        ev.write_documents(bench, Path(tmp) / "docs")
        build_index(Path(tmp) / "docs", Path(tmp) / "index", procs=1)
        for entry, ranking in zip(grid, settings, strict=True):
            engine = Engine(Path(tmp) / "index", ranking=ranking)
            rankings = ev.engine_rankings(engine, bench, queries)
            values = ev.mean_metrics(bench.metrics, rankings, queries)
            shown = ", ".join(f"{m} {v:.4f}" for m, v in values.items())
            print(f"{json.dumps(entry, ensure_ascii=False)}: {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
