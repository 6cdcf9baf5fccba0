"""The ranking experiments of docs/quality.md that were not kept, at the commit that had them.

    python -m bench.tune_experiments korquad '[{}, {"L.COVERAGE": 1.0}]' [dev|test]

Like ``bench.tune_quality``, but a grid entry's keys ``Q.<name>``, ``P.<name>`` and
``L.<name>`` set module toggles of :mod:`search.query`, :mod:`search.proximity` and
:mod:`search.local` for that entry only; the other keys are ``bench.tune_quality``'s.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import search.local as sl
import search.proximity as sp
import search.query as sq
from bench.tune_quality import ranking_settings
from search import evaluation as ev
from search.engine import Engine
from search.indexing import build_index

MODULES = {"Q": sq, "P": sp, "L": sl}


def main(argv: list[str]) -> int:
    name, grid = argv[0], json.loads(argv[1])
    split = argv[2] if len(argv) > 2 else "dev"
    bench = ev.load_benchmark(name, ev.default_bench_dir())
    queries = [q for q in bench.queries if q.relevant and q.split == split]
    with tempfile.TemporaryDirectory(prefix="dari-tune-") as tmp:
        ev.write_documents(bench, Path(tmp) / "docs")
        build_index(Path(tmp) / "docs", Path(tmp) / "index", procs=1)
        for entry in grid:
            toggles = {k: v for k, v in entry.items() if k[:2] in ("Q.", "P.", "L.")}
            saved = {k: getattr(MODULES[k[0]], k[2:]) for k in toggles}
            for k, v in toggles.items():
                setattr(MODULES[k[0]], k[2:], set(v) if isinstance(v, list) else v)
            ranking = ranking_settings({k: v for k, v in entry.items() if k not in toggles})
            engine = Engine(Path(tmp) / "index", ranking=ranking)
            rankings = ev.engine_rankings(engine, bench, queries)
            engine.close()
            for k, v in saved.items():
                setattr(MODULES[k[0]], k[2:], v)
            values = ev.mean_metrics(bench.metrics, rankings, queries)
            shown = ", ".join(f"{m} {v:.4f}" for m, v in values.items())
            print(f"{json.dumps(entry, ensure_ascii=False)}: {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
