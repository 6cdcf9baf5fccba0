"""Where the time of never-repeating questions goes: cProfile of ``Engine.search``.

    python -m bench.profile_queries --index DIR --corpus-reviews N [--count 200]

The questions are what the benchmark's ``review-any`` kind sends: held-out NSMC
reviews (none of them in a corpus of the first ``N`` reviews) cut to 200 characters,
with ``match=any``.  After 20 to warm up, ``--count`` of them are timed one by one
(p50, p95, mean) and then profiled; the functions taking the most time, on their
own and with what they call, are printed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import time
from pathlib import Path

from bench.corpus import default_nsmc, held_out_reviews
from bench.queries import review_question
from search.engine import Engine
from search.errors import QueryError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_queries")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus-reviews", type=int, required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    engine = Engine(args.index)
    reviews = held_out_reviews(default_nsmc(), args.corpus_reviews, 20 + 2 * args.count + 200)
    questions = [q for q in map(review_question, reviews) if q]
    warm, timed, profiled = (
        questions[:20],
        questions[20 : 20 + args.count],
        questions[20 + args.count : 20 + 2 * args.count],
    )

    def ask(q: str) -> None:
        with contextlib.suppress(QueryError):  # nothing left to search for: an answer too
            engine.search(q, match="any")

    for q in warm:
        ask(q)
    seconds = []
    for q in timed:
        started = time.perf_counter()
        ask(q)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    n = len(seconds)
    print(
        f"{len(engine.columnar().leaves)} segments; {n} questions: "
        f"p50 {seconds[n // 2] * 1000:.1f} ms, p95 {seconds[int(n * 0.95)] * 1000:.1f} ms, "
        f"mean {sum(seconds) / n * 1000:.1f} ms"
    )
    profile = cProfile.Profile()
    profile.enable()
    for q in profiled:
        ask(q)
    profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
