"""The query mix under load: in-process (``Engine.search``, the app's ``/api/search``)
and over HTTP against a running ``dari serve`` with concurrent clients."""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import Latencies, percentile
from bench.queries import api_params

__all__ = ["Mix", "http_load", "measure_in_process", "run_mix"]

#: (kind, query, options) entries: :data:`bench.queries.QUERY_MIX` and its like
Mix = list[tuple[str, str, dict[str, str]]]
Call = Callable[[str, dict[str, str]], None]


def run_mix(
    call: Call, mix: Mix, rounds: int, budget: float
) -> tuple[Latencies, dict[str, list[float]]]:
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


def _label(q: str, options: dict[str, str]) -> str:
    return q + "".join(f" [{k}={v}]" for k, v in sorted(options.items()))


def measure_in_process(
    index_dir: Path, docs_dir: Path, mix: Mix, rounds: int, budget: float
) -> dict[str, Any]:
    """The mix through ``Engine.search`` and through the Flask app's ``/api/search``."""
    from search.engine import Engine
    from web.app import create_app

    engine = Engine(index_dir)

    def engine_call(q: str, options: dict[str, Any]) -> None:
        engine.search(q, **options)

    app = create_app(index_dir, docs_dir)
    client = app.test_client()

    def api_call(q: str, options: dict[str, str]) -> None:
        resp = client.get("/api/search", query_string=api_params(q, options))
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.get_data(as_text=True)[:200]}")

    out: dict[str, Any] = {}
    for name, call in (("engine", engine_call), ("api", api_call)):
        lat, per_query = run_mix(call, mix, rounds, budget)
        out[name] = lat.summary()
        out[name]["slowest"] = _slowest(per_query)
        out[name]["by_kind_p95_ms"] = _by_kind(mix, per_query)
    return out


def _slowest(per_query: dict[str, list[float]], n: int = 5) -> list[tuple[str, float]]:
    medians = {q: percentile(v, 50) * 1000 for q, v in per_query.items()}
    return [(q, round(ms, 1)) for q, ms in sorted(medians.items(), key=lambda kv: -kv[1])[:n]]


def _by_kind(mix: Mix, per_query: dict[str, list[float]]) -> dict[str, float]:
    kinds: dict[str, list[float]] = defaultdict(list)
    for kind, q, options in mix:
        kinds[kind] += per_query.get(_label(q, options), [])
    return {k: round(percentile(v, 95) * 1000, 1) for k, v in kinds.items() if v}


def http_load(port: int, mix: Mix, clients: int, rounds: int, budget: float) -> dict[str, Any]:
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
