"""Incremental reindexing timed: add, change and remove one document, then reindex.

By ``dari reindex`` (a new process each time: Python, imports, Kiwi's model) or
by ``POST /api/reindex`` on a running ``dari serve`` (Kiwi loaded), whichever
:func:`measure_incremental` is given.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.corpus import Corpus, iter_reviews
from bench.live_server import LiveServer, dari_command
from bench.measure import run_measured
from bench.report import REINDEX_COUNTS

__all__ = ["ADMIN_TOKEN", "measure_incremental", "reindex_by_cli", "reindex_by_http"]

#: The admin token of the benchmark's ``dari serve`` (loopback only).
ADMIN_TOKEN = "bench-admin-token-not-secret"


def _changes(corpus: Corpus, tsv: Path | None) -> tuple[str, str, Path, str]:
    """(added file name, its text, file to change, a review to append)."""
    extra = []
    if tsv is not None:  # the reviews after the corpus's own
        extra = [t for _m, t in iter_reviews(tsv, corpus.reviews + 51)][corpus.reviews :]
    extra += [
        f"Benchmark note {i}: 추가된 문서의 {i}번째 문단입니다." for i in range(51 - len(extra))
    ]
    added = "\n\n".join(["NSMC movie bench_added reviews", *extra[:50]]) + "\n"
    files = sorted(corpus.folder.glob("*.txt"), key=lambda p: p.stat().st_size)
    changed = files[len(files) // 2]  # a document of median size
    return "movie_bench_added.txt", added, changed, extra[50]


def reindex_by_cli(docs_dir: Path, index_dir: Path) -> dict[str, Any]:
    """One ``dari reindex``: its wall time, the seconds its summary line reports, peak RSS."""
    run = run_measured(
        [*dari_command(), "reindex", "--docs", str(docs_dir), "--index", str(index_dir)]
    )
    if run.returncode != 0:
        raise RuntimeError(f"dari reindex failed: {run.stderr[-2000:]}")
    summary = run.stdout.strip().splitlines()[-1]
    return {
        "wall_seconds": round(run.wall, 3),
        "reported_seconds": float(summary.rsplit(",", 1)[1].split()[0]),
        "summary": summary,
        "peak_rss_bytes": run.peak_rss,
    }


def reindex_by_http(server: LiveServer, token: str = ADMIN_TOKEN) -> dict[str, Any]:
    """One ``POST /api/reindex``: its wall time, the seconds and the counts it reports."""
    t0 = time.perf_counter()
    status, raw = server.request(
        "POST", "/api/reindex", headers={"Authorization": f"Bearer {token}"}, timeout=600
    )
    wall = time.perf_counter() - t0
    body = json.loads(raw or b"{}")
    if status != 200:
        raise RuntimeError(f"POST /api/reindex: {status} {body}")
    return {
        "wall_seconds": round(wall, 3),
        "reported_seconds": body.get("seconds"),
        "summary": {k: body.get(k) for k in REINDEX_COUNTS},
    }


def measure_incremental(
    corpus: Corpus, index_dir: Path, tsv: Path | None, server: LiveServer | None = None
) -> dict[str, Any]:
    """Add, change and remove one document; by ``dari reindex`` or the server's POST /api/reindex."""
    name, text, changed, review = _changes(corpus, tsv)
    steps: dict[str, Any] = {}

    def reindex(label: str) -> None:
        if server is None:
            steps[label] = reindex_by_cli(corpus.folder, index_dir)
        else:
            steps[label] = reindex_by_http(server)

    (corpus.folder / name).write_text(text, encoding="utf-8")
    reindex("add")
    with open(changed, "a", encoding="utf-8") as fh:
        fh.write(f"\n{review}\n")
    reindex("change")
    (corpus.folder / name).unlink()
    reindex("remove")

    from search.engine import Engine

    engine = Engine(index_dir)
    steps["check"] = {
        "added_document_gone": not engine.has_document(Path(name).stem),
        "changed_document_found": engine.has_document(changed.stem),
    }
    return steps
