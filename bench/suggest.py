"""Search as you type: ``GET /api/suggest`` while words are typed key by key.

``python -m bench.suggest [--size 100k] [--work DIR] [--words N]``

Builds (or, with ``--work`` of an earlier run, reuses) the NSMC corpus of
``--size`` and its index, then types the words of held-out reviews (reviews
kept out of the corpus) as a person does: a Korean word key by key as the input
method shows it (ㅎ, 혀, 협, 협ㄹ, 협려, 협력), an English one letter by letter,
after the word before it.  Each state of the box is one request, none sent
twice; measured in-process (``Engine.complete``) and over HTTP against
``dari serve`` (one client).  Results go to ``bench/results/`` as JSON and a
markdown table with the machine's load.  The target: p95 ≤ 30 ms on 100k.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.live_server import dari_command, start_server
from bench.measure import Latencies, loadavg
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
from search.analysis.keyboard import keys_from_hangul, typed_on_korean_layout

#: p95 of a suggestion, milliseconds, on the 100k corpus (issue #16)
TARGET_P95_MS = 30.0
_WORD_RE = re.compile(r"[\uac00-\ud7a3]{2,}|[A-Za-z]{3,}")


def typing_states(reviews: list[str], words: int) -> list[str]:
    """What the search box holds after each key while typing ``words`` words of ``reviews``
    (each after the word typed before it), every state once."""
    states: dict[str, None] = {}
    typed = 0
    for review in reviews:
        found = _WORD_RE.findall(review)
        for before, word in zip(["", *found], found, strict=False):
            head = f"{before} " if before else ""
            if word.isascii():
                prefixes = [word[:k] for k in range(1, len(word) + 1)]
            else:
                keys = keys_from_hangul(word)
                prefixes = [typed_on_korean_layout(keys[:k]) or "" for k in range(1, len(keys) + 1)]
            for prefix in prefixes:
                states.setdefault(head + prefix)
            typed += 1
            if typed >= words:
                return list(states)
    return list(states)


def measure_in_process(index_dir: Path, states: list[str]) -> dict[str, Any]:
    from search.engine import Engine

    engine = Engine(index_dir)
    engine.complete("영화")  # Kiwi and the term tables, before the clock
    runs = Latencies()
    started = time.perf_counter()
    for text in states:
        t = time.perf_counter()
        engine.complete(text)
        runs.seconds.append(time.perf_counter() - t)
    runs.wall = time.perf_counter() - started
    return runs.summary()


def measure_http(port: int, states: list[str]) -> dict[str, Any]:
    runs = Latencies()
    started = time.perf_counter()
    for text in states:
        url = f"http://127.0.0.1:{port}/api/suggest?" + urllib.parse.urlencode({"q": text})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                json.loads(response.read())
            runs.seconds.append(time.perf_counter() - t)
        except OSError as exc:
            runs.add_error(f"{text!r}: {exc}")
    runs.wall = time.perf_counter() - started
    return runs.summary()


def markdown(results: dict[str, Any]) -> str:
    lines = [
        *corpus_heading("Suggestions while typing", results),
        f"Corpus {results['size']} ({results['paragraphs']} paragraphs); "
        f"{results['states']} distinct box states from {results['words']} typed words.",
        "",
        "| where | requests | p50 ms | p95 ms | p99 ms | max ms | target p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for where in ("in_process", "http"):
        lines.append(latency_row(where.replace("_", "-"), results[where], f"{TARGET_P95_MS:g}"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.suggest", description=__doc__)
    add_corpus_options(parser, "100k")
    parser.add_argument("--words", type=int, default=400, help="words typed (default 400)")
    args = parser.parse_args(argv)
    corpus, docs, index_dir = prepared_corpus(args, "dari-bench-suggest-")
    states = typing_states(held_out_of(args, corpus), args.words)
    results = corpus_results(args, corpus, words=args.words, states=len(states))
    half = len(states) // 2  # each half sent once: in-process, then over HTTP
    log(f"{args.size}: {half} box states in-process")
    results["in_process"] = measure_in_process(index_dir, states[:half])
    log(f"{args.size}: {len(states) - half} box states over HTTP")
    with start_server(
        index_dir,
        docs,
        index_dir.with_name("serve-suggest.log"),
        command=dari_command(),
        timeout=180,
    ) as server:
        server.wait_until_answers("/api/suggest?q=%EC%98%81", timeout=120)
        results["http"] = measure_http(server.port, states[half:])
    results["loadavg_end"] = loadavg()
    return save_and_print(args.out, "bench-suggest", results, markdown)


if __name__ == "__main__":
    raise SystemExit(main())
