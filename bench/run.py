"""Run the benchmark: ``python -m bench --quick`` (a few minutes) or ``--full``.

For each corpus (the seeds, then NSMC reviews: 10k, and in full mode 100k and
all 712k) it measures, in this order: Kiwi alone (the analysis floor, which
also writes the pre-tokenized text), ``dari index`` (a subprocess: wall, CPU,
peak RSS of its process tree, index size), raw Whoosh and tantivy on the
pre-tokenized text, the query mix in-process (``Engine.search`` and the Flask
app's ``/api/search``), then ``dari serve`` (cold start to the first answered
search, the mix over HTTP with 1 and 4 concurrent clients, RSS after it) and,
on one corpus, incremental reindexing (add, change, remove one document) by
``dari reindex`` and by ``POST /api/reindex`` on the running server.

Results go to ``bench/results/`` as JSON and a markdown table (see
docs/performance.md for what each row means).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from bench import anchors
from bench.corpus import NSMC, Corpus, iter_reviews, write_corpus
from bench.measure import Latencies, dir_size, loadavg, percentile, run_measured, tree_rss
from bench.queries import QUERY_MIX, SEED_QUERY_MIX, api_params

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
RESULTS = REPO / "bench" / "results"
ADMIN_TOKEN = "bench-admin-token-not-secret"

#: name → number of reviews (None: all of them; 0: the seeds folder)
SIZES = {"seeds": 0, "10k": 10_000, "100k": 100_000, "712k": None}
MODES = {
    # sizes, incremental size, query rounds, seconds per query run at most, single-process build too
    "tiny": (["seeds"], "seeds", 1, 30, False),
    "quick": (["seeds", "10k"], "10k", 3, 60, True),
    "full": (["seeds", "10k", "100k", "712k"], "100k", 5, 120, True),
}
#: The one-process build ("before") is measured up to this many reviews.
SINGLE_PROCESS_MAX = 100_000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def dari_command() -> list[str]:
    exe = Path(sys.executable).with_name("dari")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "search.cli"]


# --- corpora ------------------------------------------------------------------------


def make_corpus(name: str, work: Path, tsv: Path) -> Corpus:
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
    return write_corpus(tsv, folder, limit)


def paragraph_texts(folder: Path):
    from bench.corpus import corpus_texts

    return corpus_texts(folder)


# --- build --------------------------------------------------------------------------


def measure_build(corpus: Corpus, index_dir: Path, procs: int | None = None) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    env = {"DARI_BUILD_PROCS": str(procs)} if procs else {}
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


# --- queries in-process -------------------------------------------------------------


def run_mix(call, mix, rounds: int, budget: float) -> tuple[Latencies, dict]:
    """Warm up once per query, then ``rounds`` rounds (stopping early past ``budget`` s)."""
    for _kind, q, options in mix:
        with contextlib.suppress(Exception):  # counted below, in the measured rounds
            call(q, options)
    lat = Latencies()
    per_query: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    for _ in range(rounds):
        for _kind, q, options in mix:
            t0 = time.perf_counter()
            try:
                call(q, options)
            except Exception as exc:
                lat.add_error(f"{q}: {exc!r}")
                continue
            took = time.perf_counter() - t0
            lat.seconds.append(took)
            per_query[_label(q, options)].append(took)
        if time.perf_counter() - started > budget:
            break
    lat.wall = time.perf_counter() - started
    return lat, per_query


def _label(q: str, options: dict) -> str:
    return q + "".join(f" [{k}={v}]" for k, v in sorted(options.items()))


def measure_in_process(index_dir: Path, docs_dir: Path, mix, rounds: int, budget: float) -> dict:
    from search.engine import Engine
    from web.app import create_app

    engine = Engine(index_dir)

    def engine_call(q: str, options: dict) -> None:
        engine.search(q, **options)

    app = create_app(index_dir, docs_dir)
    client = app.test_client()

    def api_call(q: str, options: dict) -> None:
        resp = client.get("/api/search", query_string=api_params(q, options))
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.get_data(as_text=True)[:200]}")

    out = {}
    for name, call in (("engine", engine_call), ("api", api_call)):
        lat, per_query = run_mix(call, mix, rounds, budget)
        out[name] = lat.summary()
        out[name]["slowest"] = _slowest(per_query)
        out[name]["by_kind_p95_ms"] = _by_kind(mix, per_query)
    return out


def _slowest(per_query: dict[str, list[float]], n: int = 5) -> list[tuple[str, float]]:
    medians = {q: percentile(v, 50) * 1000 for q, v in per_query.items()}
    return [(q, round(ms, 1)) for q, ms in sorted(medians.items(), key=lambda kv: -kv[1])[:n]]


def _by_kind(mix, per_query: dict[str, list[float]]) -> dict[str, float]:
    kinds: dict[str, list[float]] = defaultdict(list)
    for kind, q, options in mix:
        kinds[kind] += per_query.get(_label(q, options), [])
    return {k: round(percentile(v, 95) * 1000, 1) for k, v in kinds.items() if v}


# --- the server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``dari serve`` on 127.0.0.1 as a subprocess, with the admin token set."""

    def __init__(self, index_dir: Path, docs_dir: Path, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [
                *dari_command(),
                "serve",
                "--index",
                str(index_dir),
                "--docs",
                str(docs_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env={**os.environ, "DARI_ADMIN_TOKEN": ADMIN_TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.started = time.perf_counter()

    def wait_first_answer(self, q: str, timeout: float = 120) -> float:
        """Seconds from the start of the process to the first answered search."""
        deadline = self.started + timeout
        path = "/api/search?" + urllib.parse.urlencode({"q": q})
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dari serve exited: {self.proc.stderr.read()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError("dari serve did not answer in time")

    def rss(self) -> int:
        return tree_rss(self.proc.pid)[0]

    def post(self, path: str) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.request("POST", path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        resp = conn.getresponse()
        body = json.loads(resp.read() or b"{}")
        conn.close()
        return resp.status, body

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def http_load(port: int, mix, clients: int, rounds: int, budget: float) -> dict:
    """Every client runs the mix ``rounds`` times (its own rotation), keep-alive, until ``budget``."""
    results = [Latencies() for _ in range(clients)]
    stop_at = time.perf_counter() + budget
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        lat = results[k]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        order = mix[k * len(mix) // clients :] + mix[: k * len(mix) // clients]
        barrier.wait()
        for _ in range(rounds):
            for _kind, q, options in order:
                if time.perf_counter() > stop_at:
                    conn.close()
                    return
                path = "/api/search?" + urllib.parse.urlencode(api_params(q, options))
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    body = resp.read()
                    took = time.perf_counter() - t0
                    if resp.status != 200 or b'"results"' not in body:
                        lat.add_error(f"{q}: HTTP {resp.status} {body[:120]!r}")
                    else:
                        lat.seconds.append(took)
                except (OSError, http.client.HTTPException) as exc:
                    lat.add_error(f"{q}: {exc!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(budget + 120)
    total = Latencies(wall=time.perf_counter() - started)
    for lat in results:
        total.seconds += lat.seconds
        total.errors += lat.errors
        total.error_samples += lat.error_samples[: 5 - len(total.error_samples)]
    out = total.summary()
    out["clients"] = clients
    return out


# --- incremental --------------------------------------------------------------------


def _changes(corpus: Corpus, tsv: Path | None):
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


def measure_incremental(corpus: Corpus, index_dir: Path, tsv: Path | None, server=None) -> dict:
    """Add, change and remove one document; by ``dari reindex`` or the server's POST /api/reindex."""
    name, text, changed, review = _changes(corpus, tsv)
    steps = {}

    def reindex(label: str) -> None:
        if server is None:
            run = run_measured(
                [
                    *dari_command(),
                    "reindex",
                    "--docs",
                    str(corpus.folder),
                    "--index",
                    str(index_dir),
                ]
            )
            if run.returncode != 0:
                raise RuntimeError(f"dari reindex failed: {run.stderr[-2000:]}")
            summary = run.stdout.strip().splitlines()[-1]
            steps[label] = {
                "wall_seconds": round(run.wall, 3),
                "reported_seconds": float(summary.rsplit(",", 1)[1].split()[0]),
                "summary": summary,
                "peak_rss_bytes": run.peak_rss,
            }
        else:
            t0 = time.perf_counter()
            status, body = server.post("/api/reindex")
            wall = time.perf_counter() - t0
            if status != 200:
                raise RuntimeError(f"POST /api/reindex: {status} {body}")
            steps[label] = {
                "wall_seconds": round(wall, 3),
                "reported_seconds": body.get("seconds"),
                "summary": {k: body.get(k) for k in ("added", "updated", "removed")},
            }

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


# --- one corpus ---------------------------------------------------------------------


def bench_corpus(name: str, work: Path, args, incremental: bool) -> dict:
    mix = SEED_QUERY_MIX if name == "seeds" else QUERY_MIX
    out: dict = {"corpus": name, "loadavg_start": loadavg()}
    index_dir = work / f"index-{name}"
    if args.serve_only:
        log(f"{name}: reusing {work / f'docs-{name}'} and {index_dir}")
        corpus = existing_corpus(work / f"docs-{name}")
    else:
        log(f"{name}: writing the corpus")
        corpus = make_corpus(name, work, args.tsv)
    out["documents"], out["paragraphs"] = corpus.documents, corpus.paragraphs
    out["reviews"], out["characters"], out["bytes"] = (
        corpus.reviews,
        corpus.characters,
        corpus.bytes,
    )
    if not args.serve_only:
        measure_index_and_anchors(name, work, corpus, index_dir, mix, args, out)
    return measure_serving(name, corpus, index_dir, mix, args, incremental, out)


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


def measure_index_and_anchors(name, work, corpus, index_dir, mix, args, out) -> None:
    log(f"{name}: Kiwi alone over {corpus.paragraphs} paragraphs")
    tokens = work / f"tokens-{name}.tsv"
    out["kiwi"] = anchors.kiwi_floor(paragraph_texts(corpus.folder), tokens)

    log(f"{name}: dari index")
    out["build"] = measure_build(corpus, index_dir)
    if args.single_process_too and SIZES[name] is not None and SIZES[name] <= SINGLE_PROCESS_MAX:
        log(f"{name}: dari index in one process (DARI_BUILD_PROCS=1)")
        single = work / f"index-{name}-1proc"
        out["build_one_process"] = measure_build(corpus, single, procs=1)
        shutil.rmtree(single, ignore_errors=True)

    queries = anchors.anchor_queries(mix)
    log(f"{name}: raw Whoosh on the pre-tokenized text")
    out["whoosh"] = anchors.whoosh_floor(
        tokens, work / f"whoosh-{name}", queries, args.rounds, args.budget
    )
    shutil.rmtree(work / f"whoosh-{name}", ignore_errors=True)
    log(f"{name}: tantivy on the pre-tokenized text")
    try:
        out["tantivy"] = anchors.tantivy_floor(
            tokens, work / f"tantivy-{name}", queries, args.rounds, args.budget
        )
    except ImportError:
        out["tantivy"] = None  # pip install -e '.[bench]'
    shutil.rmtree(work / f"tantivy-{name}", ignore_errors=True)
    tokens.unlink(missing_ok=True)


def measure_serving(name, corpus, index_dir, mix, args, incremental, out) -> dict:
    tsv = args.tsv if name != "seeds" else None
    log(f"{name}: the query mix in-process")
    out["in_process"] = measure_in_process(index_dir, corpus.folder, mix, args.rounds, args.budget)

    log(f"{name}: dari serve")
    server = Server(index_dir, corpus.folder, args.port or free_port())
    try:
        out["server"] = {"cold_start_seconds": round(server.wait_first_answer(mix[0][1]), 3)}
        for clients in (1, 4):
            log(f"{name}: HTTP, {clients} client(s)")
            out[f"http_{clients}"] = http_load(server.port, mix, clients, args.rounds, args.budget)
        out["server"]["rss_after_mix_bytes"] = server.rss()
        if incremental:
            log(f"{name}: incremental reindex over HTTP (warm server)")
            out["incremental_http"] = measure_incremental(corpus, index_dir, tsv, server=server)
    finally:
        server.stop()
    if incremental:
        log(f"{name}: incremental reindex with dari reindex")
        out["incremental_cli"] = measure_incremental(corpus, index_dir, tsv)
    out["loadavg_end"] = loadavg()
    return out


# --- report -------------------------------------------------------------------------


def _mb(n) -> str:
    if not n:
        return "–"
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:.2f} MB"


def _ms(v) -> str:
    return "–" if v is None else f"{v:,.1f}"


def _s(v) -> str:
    return f"{v:.1f} s" if v else "–"


def _x(a, b) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def markdown(results: dict) -> str:
    lines = [
        f"Benchmark `{results['mode']}` — {results['started']} — {results['machine']}; "
        f"git {results['git']}; load average at start {results['loadavg_start']}, "
        f"at end {results['loadavg_end']}.",
    ]
    built = [r for r in results["corpora"] if "build" in r]
    lines += (
        [
            "",
            "**Build** (`dari index`; Kiwi = Kiwi alone in one process, model load included; "
            "ratios are dari ÷ anchor)",
            "",
            "| corpus | docs | paragraphs | characters | dari index | paragraphs/s | chars/s "
            "| CPU | peak RSS (all processes) | index size | one process (CPU) | Kiwi alone (CPU) "
            "| ÷ Kiwi | raw Whoosh | ÷ Whoosh | tantivy | ÷ tantivy |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        if built
        else []
    )
    for r in built:
        b, k, w, t = r["build"], r["kiwi"], r["whoosh"], r.get("tantivy") or {}
        one = r.get("build_one_process", {})
        one_text = f"{_s(one.get('wall_seconds'))} ({_s(one.get('cpu_seconds'))})" if one else "–"
        kiwi_cpu = f" ({_s(k['cpu_seconds'])})" if k.get("cpu_seconds") else ""
        lines.append(
            f"| {r['corpus']} | {r['documents']:,} | {r['paragraphs']:,} | {r['characters']:,} "
            f"| {b['wall_seconds']:.1f} s | {b['paragraphs_per_s']:,.0f} | {b['chars_per_s']:,} "
            f"| {b['cpu_seconds']:.1f} s | {_mb(b['peak_rss_bytes'])} | {_mb(b['index_bytes'])} "
            f"| {one_text} | {k['seconds']:.1f} s{kiwi_cpu} "
            f"| {_x(b['wall_seconds'], k['seconds'])} | {w['build_seconds']:.1f} s "
            f"| {_x(b['wall_seconds'], w['build_seconds'])} "
            f"| {_s(t.get('build_seconds'))} "
            f"| {_x(b['wall_seconds'], t.get('build_seconds'))} |"
        )
    lines += [
        "",
        "**Queries** (the fixed mix; latency in ms; engine = `Engine.search`, api = the Flask "
        "app's `/api/search` in-process, HTTP = `dari serve` over 127.0.0.1)",
        "",
        "| corpus | where | requests | errors | p50 | p95 | p99 | max | requests/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["corpora"]:
        rows = [
            ("engine, in-process", r["in_process"]["engine"]),
            ("api, in-process", r["in_process"]["api"]),
            ("HTTP, 1 client", r["http_1"]),
            ("HTTP, 4 clients", r["http_4"]),
        ]
        if r.get("whoosh"):
            rows.append(("raw Whoosh, in-process", r["whoosh"]["search"]))
        if r.get("tantivy"):
            rows.append(("tantivy, in-process", r["tantivy"]["search"]))
        for label, s in rows:
            lines.append(
                f"| {r['corpus']} | {label} | {s['requests']} | {s['errors']} | {_ms(s['p50_ms'])} "
                f"| {_ms(s['p95_ms'])} | {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} "
                f"| {s['rps'] if s['rps'] is not None else '–'} |"
            )
    lines += [
        "",
        "**Server** (`dari serve`)",
        "",
        "| corpus | cold start to first answer | RSS after the mix | slowest queries (api, median ms) |",
        "|---|---:|---:|---|",
    ]
    for r in results["corpora"]:
        slow = "; ".join(f"`{q}` {ms}" for q, ms in r["in_process"]["api"]["slowest"][:3])
        lines.append(
            f"| {r['corpus']} | {r['server']['cold_start_seconds']:.2f} s "
            f"| {_mb(r['server']['rss_after_mix_bytes'])} | {slow} |"
        )
    inc = [r for r in results["corpora"] if "incremental_cli" in r]
    if inc:
        lines += [
            "",
            "**Incremental** (one document; `dari reindex` wall time includes starting Python "
            "and loading Kiwi; the server's `POST /api/reindex` has them loaded)",
            "",
            "| corpus | step | `dari reindex` wall | its own report | `POST /api/reindex` |",
            "|---|---|---:|---:|---:|",
        ]
        for r in inc:
            for step in ("add", "change", "remove"):
                c, h = r["incremental_cli"][step], r["incremental_http"][step]
                lines.append(
                    f"| {r['corpus']} | {step} | {c['wall_seconds']:.2f} s "
                    f"| {c['reported_seconds']:.1f} s | {h['wall_seconds']:.2f} s |"
                )
    lines += ["", "**Targets**", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    return "\n".join(lines) + "\n"


def targets(results: dict) -> list[tuple[str, str, bool]]:
    by = {r["corpus"]: r for r in results["corpora"]}
    out = []
    for name, r in by.items():
        if name == "seeds" or "build" not in r:
            continue
        wall, kiwi = r["build"]["wall_seconds"], r["kiwi"]["seconds"]
        out.append(
            (
                f"build ≤ 1.0 × Kiwi alone ({name})",
                f"{wall:.1f} s ÷ {kiwi:.1f} s = {wall / kiwi:.2f}×",
                wall <= kiwi,
            )
        )
    for name, limit in (("100k", 50), ("712k", 150), ("10k", 50)):
        if name in by:
            h = by[name]["http_4"]
            out.append(
                (
                    f"HTTP p95 ≤ {limit} ms, 4 clients, no errors ({name})",
                    f"p95 {h['p95_ms']} ms, {h['errors']} errors",
                    h["p95_ms"] is not None and h["p95_ms"] <= limit and h["errors"] == 0,
                )
            )
    for name, r in by.items():
        if "incremental_cli" in r:
            c, h = r["incremental_cli"]["add"], r["incremental_http"]["add"]
            out.append(
                (
                    f"reindex of one added document ≤ 1 s ({name})",
                    f"`dari reindex` {c['wall_seconds']:.2f} s; server {h['wall_seconds']:.2f} s",
                    c["wall_seconds"] <= 1.0,
                )
            )
    for name in ("100k", "10k"):
        if name in by:
            rss = by[name]["server"]["rss_after_mix_bytes"]
            out.append((f"server RSS ≤ 500 MB ({name})", _mb(rss), rss <= 500e6))
            break
    if "build" in by.get("712k", {}):
        b = by["712k"]["build"]
        out.append(
            (
                "712k build ≤ 15 min, peak RSS ≤ 2 GB",
                f"{b['wall_seconds'] / 60:.1f} min, {_mb(b['peak_rss_bytes'])}",
                b["wall_seconds"] <= 900 and b["peak_rss_bytes"] <= 2e9,
            )
        )
    for name, r in by.items():
        cold = r["server"]["cold_start_seconds"]
        out.append((f"cold start ≤ 3 s ({name})", f"{cold:.2f} s", cold <= 3.0))
    return out


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
    parser.add_argument("--tsv", type=Path, default=NSMC, help="the NSMC reviews file")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: tmp)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--port", type=int, default=0, help="port for dari serve (default: free)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds per query run")
    parser.add_argument("--no-single-process", dest="single", action="store_false", default=None)
    parser.add_argument(
        "--serve-only",
        action="store_true",
        help="reuse the documents and indexes in --work; measure only queries, server, reindex",
    )
    args = parser.parse_args(argv)
    args.mode = args.mode or "quick"
    sizes, inc_size, rounds, budget, single = MODES[args.mode]
    if args.sizes:
        sizes = args.sizes.split(",")
        if inc_size not in sizes:
            inc_size = sizes[-1]
    args.rounds = args.rounds or rounds
    args.budget = args.budget or budget
    args.single_process_too = single if args.single is None else args.single
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown corpus {unknown}; choose from {', '.join(SIZES)}")
    if args.serve_only and args.work is None:
        parser.error("--serve-only needs --work (the folder of an earlier run)")
    if any(s != "seeds" for s in sizes) and not args.tsv.exists():
        parser.error(f"{args.tsv} not found (the NSMC reviews from ../shared/bench/nsmc/)")

    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="dari-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    results = {
        "mode": args.mode + (" (serve only)" if args.serve_only else ""),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "git": git_describe(),
        "rounds": args.rounds,
        "budget_seconds": args.budget,
        "loadavg_start": loadavg(),
        "corpora": [],
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = args.out / f"bench-{args.mode}{'-serve' if args.serve_only else ''}-{stamp}"
    try:
        for name in sizes:
            results["corpora"].append(bench_corpus(name, work, args, incremental=name == inc_size))
            results["loadavg_end"] = loadavg()
            # written after every corpus, so a long run that is stopped keeps what it measured
            base.with_suffix(".json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
            base.with_suffix(".md").write_text(markdown(results))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = markdown(results)
    print(text)
    log(f"results: {base}.json and {base}.md")
    return 0
