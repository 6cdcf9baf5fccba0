"""A soak test of ``dari serve``: minutes of load with hostile requests mixed in.

    python -m bench --soak [--minutes 10] [--clients 8] [--hostile 0.1] [--sizes 10k]

One corpus (10k reviews by default, or the seeds) is indexed, ``dari serve`` starts
as a user starts it (default workers, uploads on), and ``--clients`` clients ask
without pause for ``--minutes``: each request is, with probability ``--hostile``,
one of :data:`HOSTILE` (deep nesting, oversized queries and bodies, bad parameters,
path tricks, wrong tokens, a connection left half-sent), else a query of the
benchmark's mix or a never-repeating question.  Measured: every status (any 5xx, or
a dropped connection on an ordinary request, is a failure), the ordinary requests'
latency (p50, p95, p99, max: p99 should stay within the search time limit + 0.5 s),
and the server's memory (PSS and RSS of all its processes) every few seconds: at the
start, its peak and at the end, to see whether it levels off.
"""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import tree_memory
from bench.queries import QUERY_MIX, SEED_QUERY_MIX, api_params

__all__ = ["HOSTILE", "SoakResult", "soak"]

ADMIN_TOKEN = "soak-test-token-6c5b4a"
#: How many of the slowest ordinary requests the report names.
SLOWEST = 5
#: Seconds between two samples of the server's memory.
MEMORY_EVERY = 5.0

#: Hostile requests: (label, method, path, body, headers).  Each must be refused
#: or answered in the 4xx range (or 200 where a query is odd but answerable), never 5xx.
HOSTILE: list[tuple[str, str, str, bytes, dict[str, str]]] = [
    ("deep nesting", "GET", "/api/search?q=" + "(" * 400 + "x", b"", {}),
    ("not-paren chain", "GET", "/api/search?q=" + "-(" * 300 + "x", b"", {}),
    ("long query", "GET", "/api/search?" + urllib.parse.urlencode({"q": "양자 " * 600}), b"", {}),
    (
        "60-term OR",
        "GET",
        "/api/search?"
        + urllib.parse.urlencode(
            {"q": " OR ".join(f"review{i}" for i in range(60)), "match": "any"}
        ),
        b"",
        {},
    ),
    ("bad page", "GET", "/api/search?q=a&page=-3", b"", {}),
    ("huge per_page", "GET", "/api/search?q=a&per_page=1000000", b"", {}),
    ("bad lang", "GET", "/api/search?q=a&lang=xx", b"", {}),
    ("lone surrogate", "GET", "/api/search?q=%ED%A0%80", b"", {}),
    ("NUL in query", "GET", "/api/search?q=a%00b", b"", {}),
    ("path traversal", "GET", "/doc/..%2F..%2Fetc%2Fpasswd", b"", {}),
    ("unknown doc", "GET", "/api/docs/" + urllib.parse.quote("가" * 200), b"", {}),
    ("NUL delete, no token", "DELETE", "/api/docs/x%00", b"", {}),
    ("wrong token", "POST", "/api/reindex", b"", {"Authorization": "Bearer guess"}),
    ("body on search", "POST", "/api/search?q=a", b"x" * 200_000, {}),
    ("long address", "GET", "/api/search?q=" + "a" * 40_000, b"", {}),
]


@dataclass
class SoakResult:
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    memory: list[tuple[float, int, int]] = field(default_factory=list)
    half_sent_connections: int = 0
    #: the slowest ordinary requests: (seconds, when it was sent (s into the run), what)
    slowest: list[tuple[float, float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        kind: str,
        status: int | str,
        seconds: float | None = None,
        what: str = "",
        sent_at: float = 0.0,
    ) -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1
            if seconds is not None:
                self.latencies.append(seconds)
                if len(self.slowest) < SLOWEST or seconds > self.slowest[-1][0]:
                    self.slowest.append((seconds, sent_at, what))
                    self.slowest.sort(reverse=True)
                    del self.slowest[SLOWEST:]


def soak(
    host: str,
    port: int,
    server_pid: int,
    minutes: float,
    clients: int,
    hostile: float,
    questions: list[str],
    seeds: bool = False,
    seed: int = 21,
) -> dict[str, Any]:
    """Load the server at ``host:port`` for ``minutes``; the figures (see the module)."""
    result = SoakResult()
    mix = SEED_QUERY_MIX if seeds else QUERY_MIX
    stop_at = time.monotonic() + minutes * 60
    started = time.monotonic()
    run_started = time.perf_counter()
    left_open: list[socket.socket] = []

    def sample_memory() -> None:
        while time.monotonic() < stop_at:
            mem = tree_memory(server_pid)
            result.memory.append(
                (time.monotonic() - started, mem["pss_bytes"], mem["rss_sum_bytes"])
            )
            time.sleep(MEMORY_EVERY)

    def client(k: int) -> None:
        rnd = random.Random(seed + k)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        asked = 0
        while time.monotonic() < stop_at:
            if rnd.random() < hostile:
                if rnd.random() < 0.1:
                    left_open.append(_half_sent(host, port))
                    result.record("hostile half-sent", "open")
                    continue
                label, method, path, body, headers = rnd.choice(HOSTILE)
                status = _ask(host, port, method, path, body, headers)  # a connection each
                result.record("hostile", status)
                if not isinstance(status, int) or status >= 500:
                    with result.lock:
                        result.failures.append(f"{label}: {status}")
                continue
            if asked % 3 == 2 and questions:
                q, options = questions[(k * 7919 + asked) % len(questions)], {"match": "any"}
            else:
                _, q, options = mix[(k + asked) % len(mix)]
            asked += 1
            path = "/api/search?" + urllib.parse.urlencode(api_params(q, options))
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                status: int | str = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            took = time.perf_counter() - t0
            ok = status == 200 or status == 400  # 400: nothing left to search for
            what = f"{q[:60]}" + (" [match=any]" if options.get("match") == "any" else "")
            result.record("ordinary", status, took if ok else None, what, t0 - run_started)
            if not ok:
                with result.lock:
                    result.failures.append(f"{q[:60]!r}: {status}")
        conn.close()

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(minutes * 60 + 120)
    sampler.join(MEMORY_EVERY + 60)
    result.half_sent_connections = len(left_open)
    for conn in left_open:
        conn.close()
    return _summary(result, time.monotonic() - started, clients, hostile)


def _ask(
    host: str, port: int, method: str, path: str, body: bytes, headers: dict[str, str]
) -> int | str:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def _half_sent(host: str, port: int) -> socket.socket:
    """A connection that sends half a request head and then nothing (left open)."""
    conn = socket.create_connection((host, port), timeout=10)
    conn.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: soak\r\n")
    return conn


def _summary(result: SoakResult, seconds: float, clients: int, hostile: float) -> dict[str, Any]:
    lat = sorted(result.latencies)

    def pct(p: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 1) if lat else None

    memory = result.memory
    return {
        "seconds": round(seconds, 1),
        "clients": clients,
        "hostile_share": hostile,
        "requests": sum(result.statuses.values()),
        "statuses": dict(sorted(result.statuses.items())),
        "server_errors": sum(
            n for key, n in result.statuses.items() if key.split()[-1].startswith("5")
        ),
        "failures": result.failures[:20],
        "failure_count": len(result.failures),
        "half_sent_connections": result.half_sent_connections,
        "slowest": [
            {"ms": round(sec * 1000, 1), "sent_at_s": round(at, 1), "query": what}
            for sec, at, what in result.slowest
        ],
        "ordinary_ms": {
            "p50": pct(0.50),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(lat[-1] * 1000, 1) if lat else None,
        },
        "memory": {
            "samples": [(round(t, 1), pss, rss) for t, pss, rss in memory],
            "pss_start": memory[0][1] if memory else None,
            "pss_peak": max(m[1] for m in memory) if memory else None,
            "pss_end": memory[-1][1] if memory else None,
            "rss_start": memory[0][2] if memory else None,
            "rss_peak": max(m[2] for m in memory) if memory else None,
            "rss_end": memory[-1][2] if memory else None,
        },
    }


def markdown(out: dict[str, Any], header: str) -> str:
    """The soak's report."""
    mb = lambda n: f"{n / 1e6:,.0f} MB" if n else "–"  # noqa: E731
    ms = out["ordinary_ms"]
    mem = out["memory"]
    lines = [
        header,
        "",
        f"{out['clients']} clients for {out['seconds']:.0f} s, hostile share {out['hostile_share']:.0%}: "
        f"{out['requests']:,} requests, **{out['server_errors']} server errors (5xx)**, "
        f"{out['failure_count']} failures (5xx or dropped connections), "
        f"{out['half_sent_connections']} connections left half-sent.",
        "",
        "| ordinary requests | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|",
        f"| latency (ms) | {ms['p50']} | {ms['p95']} | {ms['p99']} | {ms['max']} |",
        "",
        "The slowest ordinary requests (when sent, seconds into the run):",
        "",
        *(
            f"- {x['ms']:,} ms at {x['sent_at_s']} s: `{x['query']}`"
            for x in out.get("slowest", [])
        ),
        "",
        "| server memory (all processes) | start | peak | end |",
        "|---|---:|---:|---:|",
        f"| PSS | {mb(mem['pss_start'])} | {mb(mem['pss_peak'])} | {mb(mem['pss_end'])} |",
        f"| RSS (sum) | {mb(mem['rss_start'])} | {mb(mem['rss_peak'])} | {mb(mem['rss_end'])} |",
        "",
        "| status | requests |",
        "|---|---:|",
        *(f"| {key} | {n:,} |" for key, n in out["statuses"].items()),
    ]
    if out["failures"]:
        lines += ["", "Failures (first 20):", *(f"- `{f}`" for f in out["failures"])]
    return "\n".join(lines) + "\n"


def held_out_questions(tsv: Path | None, corpus_reviews: int, count: int = 2000) -> list[str]:
    """Never-repeating questions for the soak: held-out reviews, cut as the benchmark cuts them."""
    from bench.corpus import held_out_reviews
    from bench.queries import review_question

    if tsv is None or not tsv.exists():
        return []
    return [q for q in map(review_question, held_out_reviews(tsv, corpus_reviews, count)) if q]
