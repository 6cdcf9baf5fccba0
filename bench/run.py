"""Run the benchmark: ``python -m bench --quick`` (a few minutes) or ``--full``.

For each corpus (the seeds, then NSMC reviews: 10k, and in full mode 20k, 100k
and all 712k) it measures, in this order: Kiwi alone (the analysis floor, which
also writes the pre-tokenized text), ``dari index`` (a subprocess: wall, CPU,
peak RSS of its process tree, index size), raw Whoosh and tantivy on the
pre-tokenized text, on the seeds ``dari search`` as a new process (first call
included), the query mix in-process (``Engine.search`` and the Flask app's
``/api/search``), then ``dari serve`` (cold start to the first answered
search, the mix over HTTP with 1 and 4 concurrent clients, RSS after it) and,
on the mode's incremental corpora, incremental reindexing (add, change, remove
one document) by ``dari reindex`` and by ``POST /api/reindex`` on the running
server.

Every query measurement (the anchors', in-process, HTTP) is the fixed mix
(:data:`bench.queries.QUERY_MIX`) and then ``--distinct`` new queries per
round of each distinct kind (``review-any``, ``pair``: see
:mod:`bench.queries`), none of which is sent twice in a corpus's run.

Results go to ``bench/results/`` as JSON and a markdown table (see
docs/performance.md for what each row means).

``--backend opensearch [--cluster-url URL]`` measures instead the local engine
against an OpenSearch cluster, side by side (build, HTTP latency, agreement of
the answers; see :mod:`bench.cluster`).

This module is the orchestration and the command line; the parts are
:mod:`bench.corpus` (the corpora), :mod:`bench.anchors` (Kiwi, Whoosh and
tantivy alone), :mod:`bench.query_load` (the query mix in-process and over
HTTP), :mod:`bench.live_server` (``dari serve`` as a subprocess),
:mod:`bench.reindex_timing` (incremental reindexing) and :mod:`bench.report`
(the markdown tables and the targets).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import anchors
from bench.corpus import (
    HELD_OUT,
    Corpus,
    corpus_limit,
    corpus_texts,
    default_nsmc,
    held_out_reviews,
    write_corpus,
)
from bench.live_server import dari_command, start_server
from bench.measure import dir_size, loadavg, run_measured, tree_memory
from bench.queries import (
    PAIR_WORDS,
    QUERY_MIX,
    SEED_PAIR_WORDS,
    SEED_QUERY_MIX,
    DistinctQueries,
)
from bench.query_load import Mix, http_load, measure_in_process
from bench.reindex_timing import ADMIN_TOKEN, measure_incremental
from bench.report import markdown

__all__ = ["MODES", "SIZES", "bench_corpus", "main"]

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
RESULTS = REPO / "bench" / "results"

#: name → number of reviews (None: all of them but the held-out ones; 0: the seeds folder)
SIZES = {"seeds": 0, "10k": 10_000, "20k": 20_000, "100k": 100_000, "712k": None}
MODES = {
    # sizes, incremental sizes, query rounds, seconds per query run at most, single-process build too
    "tiny": (["seeds"], ["seeds"], 1, 30, False),
    "quick": (["seeds", "10k"], ["10k"], 3, 60, True),
    "full": (["seeds", "10k", "20k", "100k", "712k"], ["100k", "712k"], 5, 120, True),
}
#: Distinct queries of each kind per round (``--distinct``).
DISTINCT_PER_ROUND = 10
#: A seed for the order of the word pairs.
PAIR_SEED = 14
#: The one-process build ("before") is measured up to this many reviews.
SINGLE_PROCESS_MAX = 100_000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- corpora ------------------------------------------------------------------------


def make_corpus(name: str, work: Path, tsv: Path, held_out: int = HELD_OUT) -> Corpus:
    folder = work / f"docs-{name}"
    limit = SIZES[name]
    if limit == 0:
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(SEEDS, folder)
        from search.documents import load_folder

        docs = [d for d in load_folder(folder) if hasattr(d, "paragraphs")]
        return Corpus(
            folder,
            0,
            len(docs),
            sum(len(d.paragraphs) for d in docs),
            sum(len(p.text) for d in docs for p in d.paragraphs),
            dir_size(folder),
        )
    return write_corpus(tsv, folder, corpus_limit(tsv, limit, held_out))


def distinct_queries(
    name: str, corpus: Corpus, mix: Mix, args: argparse.Namespace
) -> tuple[DistinctQueries, dict[str, Any]]:
    """The distinct queries of one corpus (and how many there are to draw from): the held-out
    reviews of the TSV (if there is one) as ``review-any``, pairs of the corpus's word list."""
    tsv = args.tsv if args.tsv is not None and args.tsv.exists() else None
    reviews = held_out_reviews(tsv, corpus.reviews, args.held_out) if tsv else []
    words = SEED_PAIR_WORDS if name == "seeds" else PAIR_WORDS
    source = DistinctQueries(reviews, words, seed=PAIR_SEED, sent=[q for _k, q, _o in mix])
    left_reviews, left_pairs = source.left()
    return source, {
        "per_round": args.distinct,
        "held_out_reviews": left_reviews,
        "pair_words": len(words),
        "pairs": left_pairs,
    }


# --- build --------------------------------------------------------------------------


def measure_build(
    corpus: Corpus,
    index_dir: Path,
    procs: int | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``dari index`` as a measured subprocess (wall, CPU, peak RSS of its processes) with
    ``procs`` processes and ``env`` added to the environment (a cluster's settings: then
    nothing is written in ``index_dir``)."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    env = {**(env or {}), **({"DARI_BUILD_PROCS": str(procs)} if procs else {})}
    load = loadavg()
    run = run_measured(
        [*dari_command(), "index", "--docs", str(corpus.folder), "--index", str(index_dir)],
        env=env,
    )
    if run.returncode != 0:
        raise RuntimeError(f"dari index failed ({run.returncode}):\n{run.stderr[-3000:]}")
    summary = run.stdout.strip().splitlines()[-1]
    return {
        "procs": procs or "auto",
        "summary": summary,
        "wall_seconds": round(run.wall, 3),
        "cpu_seconds": round(run.cpu, 3),
        "paragraphs_per_s": round(corpus.paragraphs / run.wall, 1),
        "chars_per_s": round(corpus.characters / run.wall),
        "peak_rss_bytes": run.peak_rss,
        "peak_rss_one_process_bytes": run.peak_rss_main,
        "index_bytes": dir_size(index_dir),
        "loadavg_before": load,
    }


# --- one corpus ---------------------------------------------------------------------


def bench_corpus(
    name: str, work: Path, args: argparse.Namespace, incremental: bool
) -> dict[str, Any]:
    """Every measurement of one corpus (see the module's description), as the JSON has it.

    The distinct queries are drawn from one :class:`DistinctQueries` for the whole
    corpus: each measurement (anchor, in-process, HTTP client) gets fresh ones."""
    mix = SEED_QUERY_MIX if name == "seeds" else QUERY_MIX
    out: dict[str, Any] = {"corpus": name, "loadavg_start": loadavg()}
    index_dir = work / f"index-{name}"
    if args.serve_only:
        log(f"{name}: reusing {work / f'docs-{name}'} and {index_dir}")
        corpus = existing_corpus(work / f"docs-{name}")
    else:
        log(f"{name}: writing the corpus")
        corpus = make_corpus(name, work, args.tsv, args.held_out)
    out["documents"], out["paragraphs"] = corpus.documents, corpus.paragraphs
    out["reviews"], out["characters"], out["bytes"] = (
        corpus.reviews,
        corpus.characters,
        corpus.bytes,
    )
    distinct, out["distinct_queries"] = distinct_queries(name, corpus, mix, args)
    if not args.serve_only:
        measure_index_and_anchors(name, work, corpus, index_dir, mix, distinct, args, out)
    return measure_serving(name, corpus, index_dir, mix, distinct, args, incremental, out)


def existing_corpus(folder: Path) -> Corpus:
    from search.documents import load_folder

    if not folder.is_dir():
        raise SystemExit(f"--serve-only: {folder} not found (run the benchmark with --work first)")
    docs = [d for d in load_folder(folder) if hasattr(d, "paragraphs")]
    return Corpus(
        folder,
        sum(len(d.paragraphs) - 1 for d in docs),
        len(docs),
        sum(len(d.paragraphs) for d in docs),
        sum(len(p.text) for d in docs for p in d.paragraphs),
        dir_size(folder),
    )


def measure_index_and_anchors(
    name: str,
    work: Path,
    corpus: Corpus,
    index_dir: Path,
    mix: Mix,
    distinct: DistinctQueries,
    args: argparse.Namespace,
    out: dict[str, Any],
) -> None:
    log(f"{name}: Kiwi alone over {corpus.paragraphs} paragraphs")
    tokens = work / f"tokens-{name}.tsv"
    out["kiwi"] = anchors.kiwi_floor(corpus_texts(corpus.folder), tokens)

    log(f"{name}: dari index")
    out["build"] = measure_build(corpus, index_dir)
    reviews = SIZES[name]
    if args.single_process_too and reviews is not None and reviews <= SINGLE_PROCESS_MAX:
        log(f"{name}: dari index in one process (DARI_BUILD_PROCS=1)")
        single = work / f"index-{name}-1proc"
        out["build_one_process"] = measure_build(corpus, single, procs=1)
        shutil.rmtree(single, ignore_errors=True)

    queries, kinds = anchors.anchor_queries(mix), [kind for kind, _q, _o in mix]
    n = args.distinct * args.rounds
    log(f"{name}: raw Whoosh on the pre-tokenized text")
    out["whoosh"] = anchors.whoosh_floor(
        tokens,
        work / f"whoosh-{name}",
        queries,
        args.rounds,
        args.budget,
        kinds,
        anchors.anchor_distinct(distinct.take(n)),
    )
    shutil.rmtree(work / f"whoosh-{name}", ignore_errors=True)
    log(f"{name}: tantivy on the pre-tokenized text")
    try:
        import tantivy  # noqa: F401  (before drawing its distinct queries)

        out["tantivy"] = anchors.tantivy_floor(
            tokens,
            work / f"tantivy-{name}",
            queries,
            args.rounds,
            args.budget,
            kinds,
            anchors.anchor_distinct(distinct.take(n)),
        )
    except ImportError:
        out["tantivy"] = None  # pip install -e '.[bench]'
    shutil.rmtree(work / f"tantivy-{name}", ignore_errors=True)
    tokens.unlink(missing_ok=True)


def measure_serving(
    name: str,
    corpus: Corpus,
    index_dir: Path,
    mix: Mix,
    distinct: DistinctQueries,
    args: argparse.Namespace,
    incremental: bool,
    out: dict[str, Any],
) -> dict[str, Any]:
    tsv = args.tsv if name != "seeds" else None
    if name == "seeds":
        log(f"{name}: dari search, a new process per query")
        out["cli_search"] = measure_cli_search(index_dir, mix)
    log(f"{name}: the query mix in-process")
    out["in_process"] = measure_in_process(
        index_dir, corpus.folder, mix, args.rounds, args.budget, distinct, args.distinct
    )

    log(f"{name}: dari serve")
    server = start_server(
        index_dir,
        corpus.folder,
        index_dir.with_name(f"serve-{name}.log"),
        port=args.port or None,
        command=dari_command(),
        env={"DARI_ADMIN_TOKEN": ADMIN_TOKEN},
        wait_for=None,  # the cold start is timed below, to the first answered search
        stop_timeout=20,
    )
    try:
        first_search = "/api/search?" + urllib.parse.urlencode({"q": mix[0][1]})
        cold_start = server.wait_until_answers(
            first_search, timeout=120, request_timeout=60, interval=0.01
        )
        out["server"] = {"cold_start_seconds": round(cold_start, 3)}
        for clients in (1, 4):
            log(f"{name}: HTTP, {clients} client(s)")
            out[f"http_{clients}"] = http_load(
                server.port, mix, clients, args.rounds, args.budget, distinct, args.distinct
            )
        out["server"]["memory_after_mix"] = tree_memory(server.proc.pid)
        if incremental:
            log(f"{name}: incremental reindex over HTTP (warm server)")
            out["incremental_http"] = measure_incremental(corpus, index_dir, tsv, server=server)
    finally:
        server.stop()
    if name != "seeds" and out["server"]["memory_after_mix"]["processes"] > 1:
        # the same load on one process with threads only: what the workers are for
        log(f"{name}: HTTP, 4 clients, dari serve --workers 1")
        with start_server(
            index_dir,
            corpus.folder,
            index_dir.with_name(f"serve-{name}-one-worker.log"),
            workers=1,
            command=dari_command(),
            timeout=120,
            stop_timeout=20,
        ) as one:
            out["http_4_one_worker"] = http_load(
                one.port, mix, 4, args.rounds, args.budget, distinct, args.distinct
            )
            out["server"]["one_worker_memory_after_mix"] = tree_memory(one.proc.pid)
    if incremental:
        log(f"{name}: incremental reindex with dari reindex")
        out["incremental_cli"] = measure_incremental(corpus, index_dir, tsv)
    out["loadavg_end"] = loadavg()
    return out


def measure_cli_search(index_dir: Path, mix: Mix) -> dict[str, Any]:
    """``dari search`` as a user runs it, a new process per query (Python, imports, Kiwi,
    opening the index, the search, printing): the first query of each kind of ``mix``,
    every call timed, the first one included."""
    picked: dict[str, tuple[str, dict[str, str]]] = {}
    for kind, q, options in mix:
        picked.setdefault(kind, (q, options))
    calls, errors = [], []
    for kind, (q, options) in picked.items():
        flags = [f"--{key}={value}" for key, value in options.items()]
        run = run_measured(
            [*dari_command(), "search", "--index", str(index_dir), *flags, "--", q], timeout=120
        )
        if run.returncode != 0:
            errors.append(f"{q}: exit {run.returncode}: {run.stderr[-300:]}")
        calls.append(
            {
                "kind": kind,
                "q": q,
                "options": options,
                "wall_seconds": round(run.wall, 3),
                "cpu_seconds": round(run.cpu, 3),
                "peak_rss_bytes": run.peak_rss,
            }
        )
    walls = sorted(c["wall_seconds"] for c in calls)
    return {
        "calls": calls,
        "errors": len(errors),
        "error_samples": errors[:5],
        "first_seconds": calls[0]["wall_seconds"] if calls else None,
        "median_seconds": walls[len(walls) // 2] if walls else None,
        "max_seconds": walls[-1] if walls else None,
    }


def run_soak(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--soak``: one corpus (``--sizes``, default 10k), indexed if ``--work`` has no
    index of it, served as a user serves it, then loaded (:mod:`bench.soak`)."""
    from bench import soak

    sizes = args.sizes.split(",") if args.sizes else ["10k"]
    if len(sizes) != 1 or sizes[0] not in SIZES:
        parser.error(f"--soak takes one corpus: one of {', '.join(SIZES)}")
    name = sizes[0]
    tsv = args.tsv or default_nsmc()
    if name != "seeds" and not tsv.exists():
        parser.error(f"{tsv} not found (the NSMC reviews from ../shared/bench/nsmc/)")
    work = args.work or Path(tempfile.mkdtemp(prefix="dari-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        corpus = make_corpus(name, work, tsv, args.held_out)
        index_dir = work / f"index-{name}"
        if not (index_dir / "CURRENT").exists():
            log(f"soak: indexing {name}")
            subprocess.run(
                [*dari_command(), "index", "--docs", str(corpus.folder), "--index", str(index_dir)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        questions = soak.held_out_questions(tsv if name != "seeds" else None, corpus.reviews)
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        load_start = loadavg()
        log(f"soak: {args.clients} clients for {args.minutes:g} min on {name}")
        with start_server(
            index_dir,
            corpus.folder,
            work / f"serve-soak-{name}.log",
            command=dari_command(),
            env={"DARI_ADMIN_TOKEN": soak.ADMIN_TOKEN},
            timeout=180,
            stop_timeout=20,
        ) as server:
            out = soak.soak(
                server.host,
                server.port,
                server.proc.pid,
                args.minutes,
                args.clients,
                args.hostile,
                questions,
                seeds=name == "seeds",
            )
            log_text = server.log()
        out["tracebacks_in_log"] = log_text.count("Traceback")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    header = (
        f"Soak `{name}` — {started} — {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; git {git_describe()}; load average at start "
        f"{load_start}, at end {loadavg()}; tracebacks in the server's log: "
        f"{out['tracebacks_in_log']}."
    )
    text = soak.markdown(out, header)
    base = args.out / f"bench-soak-{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    base.with_suffix(".json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    base.with_suffix(".md").write_text(text)
    print(text)
    log(f"results: {base}.json and {base}.md")
    return 1 if out["server_errors"] or out["failure_count"] else 0


def run_cluster(
    args: argparse.Namespace, sizes: list[str], work: Path, results: dict[str, Any], base: Path
) -> int:
    """``--backend opensearch``: every corpus locally and on a cluster (:mod:`bench.cluster`),
    the results written to ``base``.json and .md after each corpus."""
    from bench.cluster import cluster_markdown, run_cluster_bench

    results["mode"] = f"{args.mode}, local vs opensearch"

    def run() -> None:
        run_cluster_bench(
            args, sizes, work, results, on_corpus=lambda r: save(base, r, cluster_markdown)
        )

    return finish(args, work, results, base, cluster_markdown, run)


def machine() -> str:
    """The machine a result was measured on, as the results name it."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def add_corpus_options(parser: argparse.ArgumentParser, default_size: str) -> None:
    """``--size``, ``--work``, ``--tsv``, ``--out`` of the one-corpus benchmarks
    (:mod:`bench.suggest`, :mod:`bench.typo_cost`; see :func:`prepared_corpus`)."""
    sizes = [s for s in SIZES if s != "seeds"]
    parser.add_argument("--size", default=default_size, choices=sizes)
    parser.add_argument("--work", type=Path, default=None, help="reuse docs and index here")
    parser.add_argument("--tsv", type=Path, default=None, help="the NSMC reviews file")
    parser.add_argument("--out", type=Path, default=RESULTS)


def prepared_corpus(args: argparse.Namespace, prefix: str) -> tuple[Corpus, Path, Path]:
    """The corpus of ``args.size`` and its index: those in ``args.work`` from an earlier
    run, else written and built there (a new folder named ``prefix`` when none is given).
    Returns the corpus, its folder and the index folder."""
    tsv = args.tsv or default_nsmc()
    work = args.work or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    docs, index_dir = work / f"docs-{args.size}", work / f"index-{args.size}"
    if index_dir.exists():
        return existing_corpus(docs), docs, index_dir
    log(f"{args.size}: writing the corpus and building its index")
    corpus = make_corpus(args.size, work, tsv)
    measure_build(corpus, index_dir)
    return corpus, docs, index_dir


def held_out_of(args: argparse.Namespace, corpus: Corpus) -> list[str]:
    """The reviews kept out of ``corpus`` (``args.tsv``'s last ones): questions no index
    of the run has seen."""
    return held_out_reviews(args.tsv or default_nsmc(), corpus.reviews, HELD_OUT)


def corpus_results(args: argparse.Namespace, corpus: Corpus, **facts: Any) -> dict[str, Any]:
    """The opening of a one-corpus benchmark's results: when, on what machine and commit,
    the corpus, ``facts`` and the load average at the start."""
    return {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "git": git_describe(),
        "size": args.size,
        "paragraphs": corpus.paragraphs,
        **facts,
        "loadavg_start": loadavg(),
    }


def corpus_heading(title: str, results: dict[str, Any]) -> list[str]:
    """The first lines of a one-corpus benchmark's markdown (see :func:`corpus_results`)."""
    return [
        f"# {title} — {results['started']}",
        "",
        f"{results['machine']}; git {results['git']}; load average "
        f"{results['loadavg_start']} at the start, {results['loadavg_end']} at the end.",
    ]


def latency_row(name: str, r: dict[str, Any], last: str) -> str:
    """A table row of a :meth:`Latencies.summary`: requests, p50, p95, p99, max, ``last``."""
    return (
        f"| {name} | {r['requests']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
        f"| {r['max_ms']} | {last} |"
    )


def save(base: Path, results: dict[str, Any], render: Callable[[dict[str, Any]], str]) -> None:
    """``results`` as ``base``.json and, by ``render``, ``base``.md (written after every
    corpus, so a long run that is stopped keeps what it measured)."""
    base.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    base.with_suffix(".md").write_text(render(results))


def save_and_print(
    out: Path, prefix: str, results: dict[str, Any], render: Callable[[dict[str, Any]], str]
) -> int:
    """The last step of a one-corpus benchmark: ``results`` saved in ``out`` as
    ``<prefix>-<time>``.json and .md (see :func:`save`), the table printed; exit code 0."""
    out.mkdir(parents=True, exist_ok=True)
    save(out / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}", results, render)
    print(render(results))
    return 0


def finish(
    args: argparse.Namespace,
    work: Path,
    results: dict[str, Any],
    base: Path,
    render: Callable[[dict[str, Any]], str],
    run: Callable[[], None],
) -> int:
    """``run()`` the measurements, remove a work folder of our own, print the results."""
    try:
        run()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(render(results))
    log(f"results: {base}.json and {base}.md")
    return 0


def git_describe() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", dest="mode", action="store_const", const="quick")
    group.add_argument("--full", dest="mode", action="store_const", const="full")
    group.add_argument("--tiny", dest="mode", action="store_const", const="tiny")
    parser.add_argument("--sizes", help="comma-separated corpora instead of the mode's")
    parser.add_argument(
        "--tsv", type=Path, default=None, help="the NSMC reviews file (default: in $DARI_BENCH)"
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--port", type=int, default=0, help="port for dari serve (default: free)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds per query run")
    parser.add_argument("--no-single-process", dest="single", action="store_false", default=None)
    parser.add_argument(
        "--distinct",
        type=int,
        default=DISTINCT_PER_ROUND,
        help="distinct queries (never repeated) of each kind per round and caller "
        f"(default {DISTINCT_PER_ROUND}; 0: none)",
    )
    parser.add_argument(
        "--held-out",
        type=int,
        default=HELD_OUT,
        help="reviews at the end of the TSV kept out of every corpus, the review-any "
        f"questions (default {HELD_OUT})",
    )
    parser.add_argument(
        "--serve-only",
        action="store_true",
        help="reuse the documents and indexes in --work; measure only queries, server, reindex",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "opensearch"),
        default="local",
        help="opensearch: the local engine against an OpenSearch cluster, side by side "
        "(see bench/cluster.py)",
    )
    parser.add_argument(
        "--cluster-url",
        default=None,
        help="with --backend opensearch: the cluster to use (default: start 3 nodes with "
        ".ci/opensearch and stop them after)",
    )
    soaking = parser.add_argument_group("soak test (--soak; see bench/soak.py)")
    soaking.add_argument(
        "--soak", action="store_true", help="minutes of load with hostile requests"
    )
    soaking.add_argument("--minutes", type=float, default=10.0)
    soaking.add_argument("--clients", type=int, default=8)
    soaking.add_argument("--hostile", type=float, default=0.1, help="share of hostile requests")
    args = parser.parse_args(argv)
    if args.soak:
        return run_soak(parser, args)
    args.tsv = args.tsv or default_nsmc()
    args.mode = args.mode or "quick"
    sizes, inc_sizes, rounds, budget, single = MODES[args.mode]
    if args.sizes:
        sizes = args.sizes.split(",")
        inc_sizes = [s for s in inc_sizes if s in sizes] or sizes[-1:]
    args.rounds = args.rounds or rounds
    args.budget = args.budget or budget
    args.single_process_too = single if args.single is None else args.single
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown corpus {unknown}; choose from {', '.join(SIZES)}")
    if args.backend == "opensearch" and args.serve_only:
        parser.error("--backend opensearch builds both indexes: no --serve-only")
    if args.serve_only and args.work is None:
        parser.error("--serve-only needs --work (the folder of an earlier run)")
    if any(s != "seeds" for s in sizes) and not args.tsv.exists():
        parser.error(f"{args.tsv} not found (the NSMC reviews from ../shared/bench/nsmc/)")

    work = args.work or Path(tempfile.mkdtemp(prefix="dari-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "mode": args.mode + (" (serve only)" if args.serve_only else ""),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "git": git_describe(),
        "rounds": args.rounds,
        "budget_seconds": args.budget,
        "distinct_per_round": args.distinct,
        "held_out_reviews": args.held_out,
        "loadavg_start": loadavg(),
        "corpora": [],
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if args.backend == "opensearch":
        return run_cluster(args, sizes, work, results, args.out / f"bench-opensearch-{stamp}")
    base = args.out / f"bench-{args.mode}{'-serve' if args.serve_only else ''}-{stamp}"

    def run() -> None:
        for name in sizes:
            results["corpora"].append(bench_corpus(name, work, args, incremental=name in inc_sizes))
            results["loadavg_end"] = loadavg()
            save(base, results, markdown)

    return finish(args, work, results, base, markdown, run)
