"""The local engine against an OpenSearch cluster: ``python -m bench --backend opensearch``.

For each corpus (``--sizes``, default seeds and 10k) one run measures, side by side:

* the build: ``dari index`` into a local folder, then ``dari index`` into the
  cluster (``DARI_OPENSEARCH_URL`` set: nothing local is written), each a
  subprocess (wall, CPU and peak RSS of dari's processes); for the cluster also
  the CPU its nodes' JVMs spent meanwhile (``_nodes/stats/process``) and the size
  of its primaries (``_cat/indices``, ``pri.store.size``);
* serving: ``dari serve`` over each index, the same fixed mix and the same distinct
  queries (drawn once, replayed against both) over HTTP with 1 and 4 clients;
* agreement: for the queries of tests/test_columnar.py (``SEED_QUERIES`` on the
  seeds, ``review_queries()`` on the reviews), ``match=all`` and ``match=any``, the
  share for which ``Engine`` over the cluster gives the same total, the same facet
  counts and the same first document as ``Engine`` over the local index;
* the cluster's JVM heap after the build and after the queries, and the machine's
  load average.

The cluster is ``--cluster-url`` (an index prefix of this run's own, its indexes
deleted at the end), else three nodes started here with ``.ci/opensearch up 3``
(ports :data:`OWN_HTTP_PORT` and :data:`OWN_TRANSPORT_PORT`, data under the work
folder) and stopped at the end.  The cluster index has :data:`SHARDS` shards and
:data:`REPLICAS` replica.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import Corpus
from bench.live_server import dari_command, start_server
from bench.measure import loadavg, tree_memory
from bench.queries import DistinctQueries
from bench.query_load import Mix, http_load

__all__ = [
    "OWN_HTTP_PORT",
    "OWN_TRANSPORT_PORT",
    "REPLICAS",
    "SHARDS",
    "Cluster",
    "Replay",
    "agreement",
    "bench_cluster_corpus",
    "cluster_markdown",
    "open_cluster",
    "run_cluster_bench",
]

REPO = Path(__file__).resolve().parents[1]
#: Primary shards and replicas of the cluster index the benchmark builds.
SHARDS, REPLICAS = 3, 1
#: Ports of node 0 of a cluster started by the benchmark (node I: +I).
OWN_HTTP_PORT, OWN_TRANSPORT_PORT = 9280, 9380
#: Nodes of a cluster started by the benchmark.
NODES = 3
#: The environment of Dari that points it at a cluster (cleared for the local runs).
CLUSTER_ENV = "DARI_OPENSEARCH_"


def log(message: str) -> None:
    from bench.run import log as run_log

    run_log(message)


# --- the cluster --------------------------------------------------------------------


@dataclass
class Cluster:
    """An OpenSearch cluster and the index prefix of this run on it."""

    url: str
    prefix: str
    #: the ``TEST_CLUSTER_HOME`` of a cluster started here (stopped by :meth:`close`), else None
    home: Path | None = None

    def env(self) -> dict[str, str]:
        """The environment that makes ``dari`` index into and search this cluster."""
        return {
            "DARI_OPENSEARCH_URL": self.url,
            "DARI_OPENSEARCH_INDEX_PREFIX": self.prefix,
            "DARI_OPENSEARCH_SHARDS": str(SHARDS),
            "DARI_OPENSEARCH_REPLICAS": str(REPLICAS),
        }

    def settings(self) -> Any:
        """:class:`search.settings.Settings` for this cluster and prefix."""
        from search.settings import Settings

        return Settings(
            opensearch_url=self.url,
            opensearch_index_prefix=self.prefix,
            opensearch_shards=SHARDS,
            opensearch_replicas=REPLICAS,
        )

    def request(self, method: str, path: str, timeout: float = 60.0) -> Any:
        """The JSON answer of one request (no proxy applies)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        req = urllib.request.Request(self.url.rstrip("/") + path, method=method)
        with opener.open(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")

    def indices(self) -> list[dict[str, Any]]:
        """``_cat/indices`` of this run's paragraph indexes (sizes in bytes)."""
        path = (
            f"/_cat/indices/{self.prefix}-paragraphs-*?format=json&bytes=b"
            "&h=index,pri,rep,docs.count,store.size,pri.store.size"
        )
        return list(self.request("GET", path))

    def nodes(self) -> dict[str, dict[str, Any]]:
        """Per node (by name): JVM heap used and max (bytes), the process's CPU (ms)."""
        stats = self.request("GET", "/_nodes/stats/jvm,process")["nodes"]
        return {
            node["name"]: {
                "heap_used_bytes": node["jvm"]["mem"]["heap_used_in_bytes"],
                "heap_max_bytes": node["jvm"]["mem"]["heap_max_in_bytes"],
                "cpu_ms": node["process"]["cpu"]["total_in_millis"],
            }
            for node in stats.values()
        }

    def heap(self) -> dict[str, Any]:
        """The heap of every node and of them all, now."""
        nodes = self.nodes()
        return {
            "nodes": {n: {k: v for k, v in s.items() if k != "cpu_ms"} for n, s in nodes.items()},
            "used_bytes": sum(s["heap_used_bytes"] for s in nodes.values()),
            "max_bytes": sum(s["heap_max_bytes"] for s in nodes.values()),
        }

    def cpu_ms(self) -> int:
        """CPU milliseconds all the nodes' processes have used so far."""
        return sum(s["cpu_ms"] for s in self.nodes().values())

    def delete_indices(self) -> None:
        """Delete every index of this run's prefix (paragraphs, locks, ...)."""
        with contextlib.suppress(OSError):
            self.request("DELETE", f"/{self.prefix}-*?expand_wildcards=all")


def _ci_script(home: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TEST_CLUSTER_HOME": str(home),
        "TEST_CLUSTER_HTTP_PORT": str(OWN_HTTP_PORT),
        "TEST_CLUSTER_TRANSPORT_PORT": str(OWN_TRANSPORT_PORT),
        "TEST_CLUSTER_NAME": "dari-bench",
    }
    return subprocess.run(
        ["bash", str(REPO / ".ci" / "opensearch"), *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@contextlib.contextmanager
def open_cluster(url: str | None, work: Path) -> Iterator[Cluster]:
    """The cluster at ``url``, else :data:`NODES` nodes started here (and stopped after);
    a fresh index prefix either way, whose indexes are deleted at the end."""
    prefix = f"bench-{time.strftime('%Y%m%d-%H%M%S')}"
    home = None
    if url is None:
        home = work / "opensearch"
        home.mkdir(parents=True, exist_ok=True)
        cached = REPO / ".ci" / ".opensearch"
        for part in ("lib", "classes"):  # the jars of an earlier `up`: no Maven needed
            if (cached / part).is_dir() and not (home / part).exists():
                shutil.copytree(cached / part, home / part)
        log(f"starting {NODES} OpenSearch nodes (.ci/opensearch up, {home})")
        up = _ci_script(home, ["up", str(NODES)])
        if up.returncode != 0:
            raise RuntimeError(f".ci/opensearch up failed:\n{up.stderr[-3000:]}")
        url = up.stdout.strip().splitlines()[-1]
    cluster = Cluster(url, prefix, home)
    try:
        yield cluster
    finally:
        cluster.delete_indices()
        if home is not None:
            log("stopping the OpenSearch nodes")
            _ci_script(home, ["down"])


# --- the same distinct queries for both ---------------------------------------------


class Replay(DistinctQueries):
    """Distinct queries drawn once, handed out again in the same order: every
    :meth:`take` returns the next of ``drawn`` (what :func:`bench.query_load.http_load`
    asks for, one list per client), so two servers get the very same queries."""

    def __init__(self, drawn: list[Mix]) -> None:
        super().__init__([], [])
        self._drawn = list(drawn)

    def take(self, per_kind: int) -> Mix:
        """The next list drawn (``per_kind`` is that of the drawing)."""
        return self._drawn.pop(0) if self._drawn else []


# --- agreement ----------------------------------------------------------------------


def _answer(engine: Any, q: str, match: str) -> tuple[int, Any, str | None] | str:
    """(total, facets, first document) of one search, or the error's message."""
    from search.errors import QueryError

    try:
        res = engine.search(q, match=match, facets=True)
    except QueryError as exc:
        return f"QueryError: {exc}"
    first = res.results[0].doc_id if res.results else None
    return res.total, res.facets, first


def agreement(
    local_index: Path, cache_dir: Path, settings: Any, queries: list[str]
) -> dict[str, Any]:
    """For ``queries`` with ``match=all`` and ``match=any``: how many give the same total,
    the same facet counts, the same first document (and all three) through ``Engine`` over
    the cluster as over ``local_index``.  A query both refuse with the same message agrees
    on everything; one refused by one side only agrees on nothing."""
    from search.engine import Engine
    from search.opensearch.backend import ClusterBackend

    local = Engine(local_index)
    remote = Engine(cache_dir, backend=ClusterBackend(settings))
    out: dict[str, Any] = {}
    for match in ("all", "any"):
        counts = {"queries": 0, "total": 0, "facets": 0, "first": 0, "all_three": 0}
        differ: list[dict[str, Any]] = []
        for q in queries:
            a, b = _answer(local, q, match), _answer(remote, q, match)
            counts["queries"] += 1
            if isinstance(a, str) or isinstance(b, str):
                same = [a == b] * 3
            else:
                same = [a[0] == b[0], a[1] == b[1], a[2] == b[2]]
            for key, ok in zip(("total", "facets", "first"), same, strict=True):
                counts[key] += ok
            counts["all_three"] += all(same)
            if not all(same) and len(differ) < 5:
                differ.append({"q": q[:80], "local": _brief(a), "cluster": _brief(b)})
        out[match] = {**counts, "differ_samples": differ}
    return out


def _brief(answer: tuple[int, Any, str | None] | str) -> str:
    if isinstance(answer, str):
        return answer[:120]
    return f"total {answer[0]}, first {answer[2]}"


def agreement_queries(name: str) -> list[str]:
    """The queries of tests/test_columnar.py: ``SEED_QUERIES`` on the seeds, else
    ``review_queries()`` (the mix, 40 unseen reviews, word pairs)."""
    import sys

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.test_columnar import SEED_QUERIES, review_queries

    return list(SEED_QUERIES) if name == "seeds" else review_queries()


# --- one corpus ---------------------------------------------------------------------


def _serve(
    name: str,
    which: str,
    index_dir: Path,
    corpus: Corpus,
    mix: Mix,
    drawn: list[Mix],
    args: argparse.Namespace,
    env: dict[str, str],
) -> dict[str, Any]:
    """``dari serve`` over one index: cold start, the mix and the replayed distinct queries
    over HTTP with 1 and 4 clients, the server's memory after."""
    log(f"{name}: dari serve ({which})")
    server = start_server(
        index_dir,
        corpus.folder,
        index_dir.with_name(f"serve-{name}-{which}.log"),
        command=dari_command(),
        env=env,
        wait_for=None,
        stop_timeout=20,
    )
    out: dict[str, Any] = {}
    try:
        first = "/api/search?" + urllib.parse.urlencode({"q": mix[0][1]})
        cold = server.wait_until_answers(first, timeout=180, request_timeout=60, interval=0.05)
        out["cold_start_seconds"] = round(cold, 3)
        replay = Replay(drawn)
        for clients in (1, 4):
            log(f"{name}: HTTP ({which}), {clients} client(s)")
            out[f"http_{clients}"] = http_load(
                server.port, mix, clients, args.rounds, args.budget, replay, args.distinct
            )
        out["memory_after_mix"] = tree_memory(server.proc.pid)
    finally:
        server.stop()
    return out


def bench_cluster_corpus(
    name: str, work: Path, args: argparse.Namespace, cluster: Cluster
) -> dict[str, Any]:
    """Build, serve and compare one corpus locally and on ``cluster`` (see the module)."""
    from bench.measure import dir_size
    from bench.queries import QUERY_MIX, SEED_QUERY_MIX
    from bench.run import distinct_queries, make_corpus, measure_build

    mix = SEED_QUERY_MIX if name == "seeds" else QUERY_MIX
    out: dict[str, Any] = {"corpus": name, "loadavg_start": loadavg()}
    log(f"{name}: writing the corpus")
    corpus = make_corpus(name, work, args.tsv, args.held_out)
    out["documents"], out["paragraphs"] = corpus.documents, corpus.paragraphs
    out["reviews"], out["characters"] = corpus.reviews, corpus.characters
    distinct, out["distinct_queries"] = distinct_queries(name, corpus, mix, args)
    n = args.distinct * args.rounds
    drawn = [distinct.take(n) for _ in range(1 + 4)] if args.distinct > 0 else []

    local_dir, cache_dir = work / f"index-{name}", work / f"cluster-cache-{name}"
    log(f"{name}: dari index (local)")
    local: dict[str, Any] = {"build": measure_build(corpus, local_dir)}
    local["build"]["index_bytes"] = dir_size(local_dir)

    log(f"{name}: dari index (cluster {cluster.url}, {SHARDS} shards, {REPLICAS} replica)")
    remote: dict[str, Any] = {"heap_before_build": cluster.heap()}
    cpu_before = cluster.cpu_ms()
    remote["build"] = measure_build(corpus, cache_dir, env=cluster.env())
    remote["build"]["cluster_cpu_seconds"] = round((cluster.cpu_ms() - cpu_before) / 1000, 3)
    cluster.request("POST", f"/{cluster.prefix}-paragraphs-*/_refresh")
    remote["indices"] = cluster.indices()
    remote["build"]["index_bytes"] = sum(int(i["pri.store.size"]) for i in remote["indices"])
    remote["build"]["all_copies_bytes"] = sum(int(i["store.size"]) for i in remote["indices"])
    remote["heap_after_build"] = cluster.heap()

    local["serve"] = _serve(name, "local", local_dir, corpus, mix, drawn, args, {})
    remote["serve"] = _serve(name, "cluster", cache_dir, corpus, mix, drawn, args, cluster.env())
    remote["heap_after_mix"] = cluster.heap()

    log(f"{name}: agreement, Engine over the cluster against the local index")
    queries = agreement_queries(name)
    out["agreement"] = agreement(local_dir, cache_dir, cluster.settings(), queries)
    out["local"], out["cluster"] = local, remote
    out["loadavg_end"] = loadavg()
    return out


def run_cluster_bench(
    args: argparse.Namespace,
    sizes: list[str],
    work: Path,
    results: dict[str, Any],
    on_corpus: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Every corpus of ``sizes`` against one cluster (``args.cluster_url`` or started here),
    added to ``results["corpora"]`` (``on_corpus(results)`` after each); ``results``."""
    for key in [k for k in os.environ if k.startswith(CLUSTER_ENV)]:
        del os.environ[key]  # the local runs are local; the cluster's come from Cluster.env()
    with open_cluster(args.cluster_url, work) as cluster:
        results["cluster"] = {
            "url": cluster.url,
            "started_here": cluster.home is not None,
            "prefix": cluster.prefix,
            "shards": SHARDS,
            "replicas": REPLICAS,
            "nodes": len(cluster.nodes()),
        }
        for name in sizes:
            results["corpora"].append(bench_cluster_corpus(name, work, args, cluster))
            results["loadavg_end"] = loadavg()
            cluster.delete_indices()
            if on_corpus is not None:
                on_corpus(results)
    return results


# --- the report ---------------------------------------------------------------------


def _mb(n: float | None) -> str:
    if not n:
        return "–"
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:.2f} MB"


def _num(v: float | None, unit: str = "") -> str:
    return "–" if v is None else f"{v:,.1f}{unit}"


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f} %)" if n else "–"


def _kind_rows(local: dict[str, Any], remote: dict[str, Any], clients: int) -> list[str]:
    """p50 / p95 per kind (fixed mix, then distinct) of both servers with ``clients``."""
    rows = []
    key = f"http_{clients}"
    a, b = local["serve"][key], remote["serve"][key]
    for part in ("fixed", "distinct"):
        ka = a["kinds"] if part == "fixed" else a.get("distinct", {}).get("kinds", {})
        kb = b["kinds"] if part == "fixed" else b.get("distinct", {}).get("kinds", {})
        for kind in sorted(set(ka) | set(kb), key=_kind_key):
            sa, sb = ka.get(kind, {}), kb.get(kind, {})
            if part == "distinct" and kind not in ("review-any", "pair"):
                continue
            rows.append(
                f"| HTTP p50 / p95, {clients} client{'s' if clients > 1 else ''}, `{kind}` (ms) "
                f"| {_num(sa.get('p50_ms'))} / {_num(sa.get('p95_ms'))} "
                f"| {_num(sb.get('p50_ms'))} / {_num(sb.get('p95_ms'))} |"
            )
        if part == "fixed":
            ta, tb = a, b
        else:
            ta, tb = a.get("distinct", {}), b.get("distinct", {})
        if ta or tb:
            what = "fixed mix" if part == "fixed" else "distinct queries"
            rows.append(
                f"| HTTP p50 / p95, {clients} client{'s' if clients > 1 else ''}, **{what}** "
                f"(ms; requests, errors) | {_num(ta.get('p50_ms'))} / {_num(ta.get('p95_ms'))} "
                f"({ta.get('requests', 0)}, {ta.get('errors', 0)}) "
                f"| {_num(tb.get('p50_ms'))} / {_num(tb.get('p95_ms'))} "
                f"({tb.get('requests', 0)}, {tb.get('errors', 0)}) |"
            )
    return rows


def _kind_key(kind: str) -> int:
    from bench.report import KIND_ORDER

    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def _heap(h: dict[str, Any]) -> str:
    nodes = ", ".join(
        f"{n} {_mb(s['heap_used_bytes'])}/{_mb(s['heap_max_bytes'])}"
        for n, s in sorted(h["nodes"].items())
    )
    return f"{_mb(h['used_bytes'])} of {_mb(h['max_bytes'])} ({nodes})"


def cluster_markdown(results: dict[str, Any]) -> str:
    """The tables of a ``--backend opensearch`` run: per corpus local vs cluster, then the
    agreement of the two."""
    c = results.get("cluster", {})
    lines = [
        f"# Local vs OpenSearch cluster — {results.get('started', '?')}",
        "",
        f"{results.get('machine', '?')}; git {results.get('git', '?')}; rounds "
        f"{results.get('rounds')}, {results.get('distinct_per_round')} distinct queries of each "
        f"kind per round and client (the same ones sent to both servers); load average at start "
        f"{results.get('loadavg_start')}, at end {results.get('loadavg_end')}.",
        "",
        f"Cluster: {c.get('url')} ({c.get('nodes')} nodes, "
        f"{'started by the benchmark' if c.get('started_here') else 'given'}, on this machine), "
        f"index prefix `{c.get('prefix')}`, {c.get('shards')} shards, {c.get('replicas')} "
        "replica. Build CPU is that of dari's processes (`dari index` and its workers); the "
        "cluster's JVMs' CPU during the build is shown apart. Cluster index size: "
        "`_cat/indices` `pri.store.size` (primaries) after a refresh.",
    ]
    for r in results.get("corpora", []):
        lo, cl = r["local"], r["cluster"]
        lb, cb = lo["build"], cl["build"]
        lines += [
            "",
            f"## `{r['corpus']}` — {r['documents']:,} documents, {r['paragraphs']:,} paragraphs, "
            f"{r['characters']:,} characters",
            "",
            "| | local | cluster |",
            "|---|---:|---:|",
            f"| build wall | {_num(lb['wall_seconds'], ' s')} | {_num(cb['wall_seconds'], ' s')} |",
            f"| build CPU, dari's processes | {_num(lb['cpu_seconds'], ' s')} "
            f"| {_num(cb['cpu_seconds'], ' s')} |",
            f"| build CPU, the cluster's JVMs | – | {_num(cb.get('cluster_cpu_seconds'), ' s')} |",
            f"| build peak RSS, dari's processes | {_mb(lb['peak_rss_bytes'])} "
            f"| {_mb(cb['peak_rss_bytes'])} |",
            f"| index size | {_mb(lb['index_bytes'])} | {_mb(cb['index_bytes'])} "
            f"(all copies {_mb(cb.get('all_copies_bytes'))}) |",
            f"| `dari serve` cold start to the first answer | "
            f"{_num(lo['serve']['cold_start_seconds'], ' s')} "
            f"| {_num(cl['serve']['cold_start_seconds'], ' s')} |",
            f"| `dari serve` PSS after the mix (all its processes) | "
            f"{_mb(lo['serve']['memory_after_mix'].get('pss_bytes'))} "
            f"| {_mb(cl['serve']['memory_after_mix'].get('pss_bytes'))} |",
        ]
        for clients in (1, 4):
            lines += _kind_rows(lo, cl, clients)
        lines += [
            "",
            f"Cluster heap (used of max, all nodes): before the build {_heap(cl['heap_before_build'])}; "
            f"after the build {_heap(cl['heap_after_build'])}; after the queries "
            f"{_heap(cl['heap_after_mix'])}. Load average: before the local build "
            f"{lb['loadavg_before']}, before the cluster build {cb['loadavg_before']}, at the "
            f"corpus's end {r['loadavg_end']}.",
            "",
            f"**Agreement** (`Engine` over the cluster vs over the local index, "
            f"{'`SEED_QUERIES`' if r['corpus'] == 'seeds' else '`review_queries()`'} of "
            "tests/test_columnar.py; a query both refuse alike agrees)",
            "",
            "| match | queries | same total | same facet counts | same first document "
            "| all three |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for match, a in r["agreement"].items():
            n = a["queries"]
            lines.append(
                f"| {match} | {n} | {_share(a['total'], n)} | {_share(a['facets'], n)} "
                f"| {_share(a['first'], n)} | {_share(a['all_three'], n)} |"
            )
        samples = [(m, s) for m, a in r["agreement"].items() for s in a["differ_samples"]]
        if samples:
            lines += ["", "Differences (first ones):", ""]
            lines += [
                f"- {m}: `{s['q']}` — local {s['local']}; cluster {s['cluster']}"
                for m, s in samples
            ]
    return "\n".join(lines) + "\n"
