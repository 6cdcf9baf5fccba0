"""What #19's ranking costs a search: the same questions ranked as before it and as now.

``python -m bench.ranking_cost [--size 100k] [--work DIR] [--questions N]``

Builds (or, with ``--work`` of an earlier run, reuses) the NSMC corpus of ``--size`` and
its index, then asks held-out reviews (kept out of the corpus) as ``match=any``
questions, and the fixed query mix's queries (without their filters), through two engines on the same
index: one with the ranking before #19 (Whoosh's idf, k1 1.2 in every field, feedback
temperature 5), one with the product's and a second one with the product's (the control:
how far two engines with the same settings differ), each question once on each, in turn
which goes first.  The ranking changes constants, not work, so the two should take the same
time; this measures it.  Results go to ``bench/results/`` as JSON and a markdown table
with the machine's load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.measure import Latencies, loadavg
from bench.queries import QUERY_MIX, review_question
from bench.run import (
    add_corpus_options,
    corpus_heading,
    corpus_results,
    held_out_of,
    latency_row,
    log,
    prepared_corpus,
    save_and_print,
)
from search.settings import RankingSettings

#: The ranking before #19 (docs/quality.md).
BEFORE = RankingSettings(
    idf="whoosh", k1=1.2, field_k1={"bigrams": 1.2, "pairs": 1.2}, feedback_temperature=5.0
)
#: The engines compared; the product's twice, so that the table shows how far two engines
#: with the same settings differ in this run (their order, the machine's noise).
RANKINGS = {
    "before #19": BEFORE,
    "product": RankingSettings(),
    "product, a second engine (control)": RankingSettings(),
}


def measure(index_dir: Path, questions: list[tuple[str, str]]) -> dict[str, Any]:
    from search.engine import Engine
    from search.errors import QueryError

    engines = {name: Engine(index_dir, ranking=r) for name, r in RANKINGS.items()}
    for engine in engines.values():
        engine.search("영화")  # Kiwi, the columnar form, the glossary: set-up
    runs = {name: Latencies() for name in engines}
    names = list(engines)
    started = time.perf_counter()
    for i, (q, match) in enumerate(questions):
        # each engine asks first in turn (the first to ask a question analyses it)
        for name in names[i % len(names) :] + names[: i % len(names)]:
            t = time.perf_counter()
            try:
                engines[name].search(q, match=match)
            except QueryError:
                runs[name].add_error(q)
                continue
            runs[name].seconds.append(time.perf_counter() - t)
    wall = time.perf_counter() - started
    for r in runs.values():
        r.wall = wall
    return {"runs": {name: r.summary() for name, r in runs.items()}}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        *corpus_heading("#19's ranking: its cost", results),
        f"Corpus {results['size']} ({results['paragraphs']} paragraphs); "
        f"{results['questions']} searches ({results['reviews']} held-out reviews as "
        "match=any questions, the rest the fixed query mix), each once with each ranking.",
        "",
        "| ranking | searches | p50 ms | p95 ms | p99 ms | max ms | mean ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results["runs"].items():
        lines.append(latency_row(name, r, str(r["mean_ms"])))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ranking_cost", description=__doc__)
    add_corpus_options(parser, "100k")
    parser.add_argument("--questions", type=int, default=1000, help="held-out reviews asked")
    args = parser.parse_args(argv)
    corpus, docs, index_dir = prepared_corpus(args, "dari-bench-ranking-")
    asked = [q for q in map(review_question, held_out_of(args, corpus)) if q][: args.questions]
    questions = [(q, "any") for q in asked]
    questions += [(q, options.get("match", "all")) for _, q, options in QUERY_MIX]
    results = corpus_results(args, corpus, questions=len(questions), reviews=len(asked))
    log(f"{args.size}: {len(questions)} searches, with each ranking")
    results.update(measure(index_dir, questions))
    results["loadavg_end"] = loadavg()
    return save_and_print(args.out, "bench-ranking-cost", results, markdown)


if __name__ == "__main__":
    raise SystemExit(main())
