"""What typo tolerance adds to a search: never-repeating questions with ``typo`` on and off.

``python -m bench.typo_cost [--size 10k] [--work DIR] [--questions N]``

Builds (or, with ``--work`` of an earlier run, reuses) the NSMC corpus of ``--size`` and
its index, then asks held-out reviews (kept out of the corpus; most hold a word no review
of the corpus does, so their corrections are worked out for the first time) as
``match=any`` questions through ``Engine.search``, each question once with typo
tolerance and once without, in turn which goes first, so that both find the same warm
caches of the analysis.  Results go to ``bench/results/`` as JSON and a markdown table
with the machine's load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench.measure import Latencies, loadavg
from bench.queries import review_question
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


def measure(index_dir: Path, questions: list[str]) -> dict[str, Any]:
    from search.engine import Engine
    from search.errors import QueryError

    engine = Engine(index_dir)
    engine.search("영화", typo=False)  # Kiwi, the columnar form, the glossary: set-up
    runs = {True: Latencies(), False: Latencies()}
    corrected = 0
    started = time.perf_counter()
    for i, q in enumerate(questions):
        for typo in (True, False) if i % 2 else (False, True):
            t = time.perf_counter()
            try:
                found = engine.search(q, match="any", typo=typo)
            except QueryError:
                runs[typo].add_error(q)
                continue
            runs[typo].seconds.append(time.perf_counter() - t)
            if typo:
                corrected += any(e.get("kind") for e in found.expansions)
    wall = time.perf_counter() - started
    for r in runs.values():
        r.wall = wall
    return {
        "typo_on": runs[True].summary(),
        "typo_off": runs[False].summary(),
        "questions_corrected": corrected,
    }


def markdown(results: dict[str, Any]) -> str:
    lines = [
        *corpus_heading("Typo tolerance's cost", results),
        f"Corpus {results['size']} ({results['paragraphs']} paragraphs); "
        f"{results['questions']} held-out reviews as match=any questions, each once with "
        f"typo tolerance and once without; {results['questions_corrected']} of them had a "
        "word corrected.",
        "",
        "| typo | questions | p50 ms | p95 ms | p99 ms | max ms | mean ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, name in (("typo_on", "on (default)"), ("typo_off", "off (typo=0)")):
        r = results[key]
        lines.append(latency_row(name, r, str(r["mean_ms"])))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typo_cost", description=__doc__)
    add_corpus_options(parser, "10k")
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args(argv)
    corpus, docs, index_dir = prepared_corpus(args, "dari-bench-typo-")
    questions = [q for q in map(review_question, held_out_of(args, corpus)) if q][: args.questions]
    results = corpus_results(args, corpus, questions=len(questions))
    log(f"{args.size}: {len(questions)} questions, typo on and off")
    results.update(measure(index_dir, questions))
    results["loadavg_end"] = loadavg()
    return save_and_print(args.out, "bench-typo-cost", results, markdown)


if __name__ == "__main__":
    raise SystemExit(main())
