"""What the ranking misses on KorQuAD: the questions whose answer paragraph is not first.

    python -m bench.misses [--split dev] [--grid-entry '{"K1": 0.9}'] [--show 20]

Ranks every question of the split the way ``dari eval`` does (through
``Engine.search(match="any")``, with the product's ranking settings or those of
one ``bench.tune_quality`` grid entry) and sorts each miss by what a term-matching
ranker could see: the share of the question's analysed words (weighted by idf)
that the answer paragraph holds, against the share the paragraph ranked first
holds.  Where the first paragraph holds at least as much of the question as
the answer paragraph does, no weighting of the question's own words can put
the answer first: only knowing what the words mean could.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.tune_quality import ranking_settings
from search import evaluation as ev
from search.analysis import analyze
from search.engine import Engine
from search.indexing import build_index

#: How a miss is filed, in the order the summary lists them.
KINDS = (
    "answer not in the first ten",
    "first paragraph holds at least as much of the question",
    "answer holds more of the question, ranked lower",
)


def covered(words: dict[str, float], text: str) -> float:
    """The idf-weighted share of ``words`` that ``text`` holds."""
    held = {t[0] for t in analyze(text)}
    total = sum(words.values()) or 1.0
    return sum(w for word, w in words.items() if word in held) / total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.misses", description=__doc__)
    parser.add_argument("--split", choices=ev.SPLITS, default="dev")
    parser.add_argument("--grid-entry", default="{}", help="ranking settings (tune_quality)")
    parser.add_argument("--show", type=int, default=10, help="misses of each kind to print")
    parser.add_argument("--bench-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    ranking = ranking_settings(json.loads(args.grid_entry))
    bench = ev.load_benchmark("korquad", args.bench_dir or ev.default_bench_dir())
    queries = [q for q in bench.queries if q.relevant and q.split == args.split]
    texts = {doc_id: bench.text_of(doc_id) for doc_id in bench.documents}
    df: Counter[str] = Counter()
    for text in texts.values():
        df.update({t[0] for t in analyze(text)})
    n = len(texts)
    with tempfile.TemporaryDirectory(prefix="dari-misses-") as tmp:
        ev.write_documents(bench, Path(tmp) / "docs")
        build_index(Path(tmp) / "docs", Path(tmp) / "index", procs=1)
        engine = Engine(Path(tmp) / "index", ranking=ranking)
        rankings = ev.engine_rankings(engine, bench, queries)
        engine.close()
    filed: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for q in queries:
        ranked = rankings[q.number]
        answer = next(iter(q.relevant))
        if ranked[:1] == [answer]:
            continue
        words = {
            t[0]: math.log(1 + (n - df[t[0]] + 0.5) / (df[t[0]] + 0.5)) for t in analyze(q.text)
        }
        own = covered(words, texts[answer])
        first = covered(words, texts[ranked[0]]) if ranked else 0.0
        if answer not in ranked[: ev.CUTOFF]:
            kind = KINDS[0]
        elif first >= own:
            kind = KINDS[1]
        else:
            kind = KINDS[2]
        filed[kind].append(f"{q.text}  (answer {own:.2f} of the question, first {first:.2f})")
    misses = sum(len(v) for v in filed.values())
    print(f"{len(queries)} questions ({args.split}), {misses} with the answer not first")
    for kind in KINDS:
        print(f"\n## {kind}: {len(filed[kind])}")
        for line in filed[kind][: args.show]:
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
