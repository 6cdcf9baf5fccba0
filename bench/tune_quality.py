"""Ranking settings on a benchmark's dev split: the grids of docs/quality.md.

    python -m bench.tune_quality cranfield --grid '[{}, {"B": 0.5}, {"K1": 0.9}]'
    python -m bench.tune_quality korquad --limit 1000 --grid '[{}, {"weights": {"bigrams": 0}}]'

Builds the benchmark's index once, the way ``dari eval`` does, then for each
entry of the grid sets the ranking's settings (``B``, ``K1`` → ``search.scoring``;
``weights`` → per-field factors added to ``search.scoring.FIELD_WEIGHTS``;
``feedback_docs``, ``feedback_terms``, ``feedback_weight`` → ``search.feedback``;
``--stemmer porter`` builds and queries with another English stemmer),
ranks every query again through ``Engine.search(match="any")`` and prints one
line of metrics.  An empty entry ``{}`` is the product's settings.  Only ``dev``
is meant for tuning; ``--split test`` exists to check a choice once.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from search import analysis, feedback, scoring
from search import evaluation as ev
from search.engine import Engine
from search.indexing import build_index

SETTINGS = {
    "B": (scoring, "BM25_B"),
    "K1": (scoring, "BM25_K1"),
    "feedback_docs": (feedback, "FEEDBACK_DOCS"),
    "feedback_terms": (feedback, "FEEDBACK_TERMS"),
    "feedback_weight": (feedback, "FEEDBACK_WEIGHT"),
}


def _apply(entry: dict, defaults: dict, field_weights: dict) -> None:
    """Set the ranking's settings to ``entry`` (the defaults where it says nothing)."""
    for name, (module, attr) in SETTINGS.items():
        setattr(module, attr, entry.get(name, defaults[name]))
    scoring.FIELD_WEIGHTS.clear()
    scoring.FIELD_WEIGHTS.update(field_weights, **entry.get("weights", {}))


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
    unknown = {k for entry in grid for k in entry} - {*SETTINGS, "weights"}
    if unknown:
        parser.error(f"unknown settings: {', '.join(sorted(unknown))}")

    if args.stemmer:
        # before anything is analysed; for a process of its own (the analysis
        # caches keep what it stemmed)
        analysis.STEMMER_ALGORITHM = args.stemmer
    bench = ev.load_benchmark(args.benchmark, args.bench_dir or ev.default_bench_dir())
    queries = [q for q in bench.queries if q.relevant and q.split == args.split][: args.limit]
    defaults = {name: getattr(module, attr) for name, (module, attr) in SETTINGS.items()}
    field_weights = dict(scoring.FIELD_WEIGHTS)
    try:
        with tempfile.TemporaryDirectory(prefix="dari-tune-") as tmp:
            ev.write_documents(bench, Path(tmp) / "docs")
            build_index(Path(tmp) / "docs", Path(tmp) / "index", procs=1)
            for entry in grid:
                _apply(entry, defaults, field_weights)
                engine = Engine(Path(tmp) / "index")  # its searchers take the settings now
                rankings = ev.engine_rankings(engine, bench, queries)
                values = ev.mean_metrics(bench.metrics, rankings, queries)
                shown = ", ".join(f"{m} {v:.4f}" for m, v in values.items())
                print(f"{json.dumps(entry, ensure_ascii=False)}: {shown}", flush=True)
    finally:
        _apply({}, defaults, field_weights)  # the product's settings again
    return 0


if __name__ == "__main__":
    sys.exit(main())
