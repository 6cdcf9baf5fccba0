"""The query mix under load: in-process (``Engine.search``, the app's ``/api/search``)
and over HTTP against a running ``dari serve`` with concurrent clients.

Each measurement has two phases, each at most ``budget`` seconds:

1. the fixed mix (:data:`bench.queries.QUERY_MIX`): every query once to warm up,
   then ``rounds`` rounds (each HTTP client from its own starting point);
2. the distinct queries (:class:`bench.queries.DistinctQueries`), when given:
   ``per_round × rounds`` new queries of each distinct kind per caller (each
   HTTP client its own), none sent before in the run, no warm-up.

Latencies are kept per kind (:class:`Tally`).  A ``400 Nothing left to search
for`` (a review of only common words) is an answer: counted as ``nothing_left``,
neither an error nor a latency.
"""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Latencies, percentile
from bench.queries import DISTINCT_KINDS, NOTHING_LEFT, DistinctQueries, api_params

__all__ = [
    "Mix",
    "NothingLeft",
    "Tally",
    "distinct_summary",
    "http_load",
    "measure_in_process",
    "run_distinct",
    "run_mix",
]

#: (kind, query, options) entries: :data:`bench.queries.QUERY_MIX` and its like
Mix = list[tuple[str, str, dict[str, str]]]
Call = Callable[[str, dict[str, str]], None]


class NothingLeft(Exception):
    """The query has nothing to search for (``400 Nothing left to search for``): an answer."""


@dataclass
class Tally:
    """The latencies of one measured run, per kind of query, and what went wrong."""

    kinds: dict[str, Latencies] = field(default_factory=lambda: defaultdict(Latencies))
    nothing_left: Counter[str] = field(default_factory=Counter)
    #: seconds per query (its label: q and options), for the slowest queries
    per_query: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    wall: float = 0.0

    def add(self, kind: str, q: str, options: dict[str, str], seconds: float) -> None:
        """One answered request of ``seconds``."""
        self.kinds[kind].seconds.append(seconds)
        self.per_query[label(q, options)].append(seconds)

    def add_error(self, kind: str, what: str) -> None:
        """One failed request."""
        self.kinds[kind].add_error(what)

    def add_nothing_left(self, kind: str) -> None:
        """One request answered with "nothing left to search for"."""
        self.nothing_left[kind] += 1

    def merge(self, other: Tally) -> None:
        """Add ``other``'s requests (not its wall time) to these."""
        for kind, lat in other.kinds.items():
            mine = self.kinds[kind]
            mine.seconds += lat.seconds
            mine.errors += lat.errors
            mine.error_samples += lat.error_samples[: 5 - len(mine.error_samples)]
        self.nothing_left.update(other.nothing_left)
        for q, seconds in other.per_query.items():
            self.per_query[q] += seconds

    def together(self, kinds: Iterable[str] | None = None) -> Latencies:
        """The latencies of ``kinds`` (all by default) as one run of this one's wall time."""
        out = Latencies(wall=self.wall)
        for kind, lat in self.kinds.items():
            if kinds is None or kind in kinds:
                out.seconds += lat.seconds
                out.errors += lat.errors
                out.error_samples += lat.error_samples[: 5 - len(out.error_samples)]
        return out

    def by_kind(self) -> dict[str, dict[str, Any]]:
        """Per kind: requests, errors, nothing_left, p50/p95/p99/max/mean in ms."""
        out = {}
        for kind in sorted(set(self.kinds) | set(self.nothing_left)):
            summary = self.kinds[kind].summary()
            del summary["rps"]  # the kinds share the run's wall time
            summary["nothing_left"] = self.nothing_left[kind]
            out[kind] = summary
        return out


def label(q: str, options: dict[str, str]) -> str:
    """A query and its options as one string: ``q [match=any]``."""
    return q + "".join(f" [{k}={v}]" for k, v in sorted(options.items()))


def _timed(tally: Tally, call: Call, kind: str, q: str, options: dict[str, str]) -> None:
    t0 = time.perf_counter()
    try:
        call(q, options)
    except NothingLeft:
        tally.add_nothing_left(kind)
        return
    except Exception as exc:
        tally.add_error(kind, f"{q[:80]}: {exc!r}")
        return
    tally.add(kind, q, options, time.perf_counter() - t0)


def run_mix(call: Call, mix: Mix, rounds: int, budget: float) -> Tally:
    """Warm up once per query, then ``rounds`` rounds (stopping early past ``budget`` s)."""
    for _kind, q, options in mix:
        with contextlib.suppress(Exception):  # counted below, in the measured rounds
            call(q, options)
    tally = Tally()
    started = time.perf_counter()
    for _ in range(rounds):
        for kind, q, options in mix:
            _timed(tally, call, kind, q, options)
        if time.perf_counter() - started > budget:
            break
    tally.wall = time.perf_counter() - started
    return tally


def run_distinct(call: Call, queries: Mix, budget: float) -> Tally:
    """Each query once, no warm-up, stopping early past ``budget`` s."""
    tally = Tally()
    started = time.perf_counter()
    for kind, q, options in queries:
        if time.perf_counter() - started > budget:
            break
        _timed(tally, call, kind, q, options)
    tally.wall = time.perf_counter() - started
    return tally


def fixed_summary(tally: Tally, mix: Mix) -> dict[str, Any]:
    """The fixed mix's figures as the JSON has them: all kinds together, then per kind."""
    out = tally.together().summary()
    out["slowest"] = _slowest(tally.per_query)
    out["by_kind_p95_ms"] = _by_kind_p95(mix, tally.per_query)
    out["kinds"] = tally.by_kind()
    return out


def distinct_summary(tally: Tally) -> dict[str, Any]:
    """The distinct queries' figures: all together (with ``nothing_left``), then per kind."""
    out = tally.together(DISTINCT_KINDS).summary()
    out["nothing_left"] = sum(tally.nothing_left[k] for k in DISTINCT_KINDS)
    out["kinds"] = tally.by_kind()
    return out


def measure_in_process(
    index_dir: Path,
    docs_dir: Path,
    mix: Mix,
    rounds: int,
    budget: float,
    distinct: DistinctQueries | None = None,
    per_round: int = 0,
) -> dict[str, Any]:
    """The mix through ``Engine.search`` and through the Flask app's ``/api/search``;
    then, with ``distinct``, ``per_round × rounds`` new queries of each distinct kind
    through each of them (under the key ``distinct``)."""
    from search.engine import Engine
    from search.errors import QueryError
    from web.app import create_app

    engine = Engine(index_dir)

    def engine_call(q: str, options: dict[str, Any]) -> None:
        try:
            engine.search(q, **options)
        except QueryError as exc:
            if str(exc).startswith(NOTHING_LEFT):
                raise NothingLeft(str(exc)) from None
            raise

    app = create_app(index_dir, docs_dir)
    client = app.test_client()

    def api_call(q: str, options: dict[str, str]) -> None:
        resp = client.get("/api/search", query_string=api_params(q, options))
        if resp.status_code == 400 and NOTHING_LEFT in resp.get_data(as_text=True):
            raise NothingLeft(q)
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}: {resp.get_data(as_text=True)[:200]}")

    out: dict[str, Any] = {}
    for name, call in (("engine", engine_call), ("api", api_call)):
        out[name] = fixed_summary(run_mix(call, mix, rounds, budget), mix)
        if distinct is not None and per_round > 0:
            queries = distinct.take(per_round * rounds)
            out[name]["distinct"] = distinct_summary(run_distinct(call, queries, budget))
    return out


def _slowest(per_query: dict[str, list[float]], n: int = 5) -> list[tuple[str, float]]:
    medians = {q: percentile(v, 50) * 1000 for q, v in per_query.items()}
    return [(q, round(ms, 1)) for q, ms in sorted(medians.items(), key=lambda kv: -kv[1])[:n]]


def _by_kind_p95(mix: Mix, per_query: dict[str, list[float]]) -> dict[str, float]:
    kinds: dict[str, list[float]] = defaultdict(list)
    for kind, q, options in mix:
        kinds[kind] += per_query.get(label(q, options), [])
    return {k: round(percentile(v, 95) * 1000, 1) for k, v in kinds.items() if v}


def http_load(
    port: int,
    mix: Mix,
    clients: int,
    rounds: int,
    budget: float,
    distinct: DistinctQueries | None = None,
    per_round: int = 0,
) -> dict[str, Any]:
    """Every client runs the mix ``rounds`` times (its own rotation), keep-alive, until
    ``budget``; then, with ``distinct``, every client asks ``per_round × rounds`` new
    queries of each distinct kind of its own (under the key ``distinct``)."""
    plans = []
    for k in range(clients):
        start = k * len(mix) // clients
        plans.append((mix[start:] + mix[:start]) * rounds)
    out = fixed_summary(_http_run(port, plans, budget), mix)
    out["clients"] = clients
    if distinct is not None and per_round > 0:
        plans = [distinct.take(per_round * rounds) for _ in range(clients)]
        out["distinct"] = distinct_summary(_http_run(port, plans, budget))
        out["distinct"]["clients"] = clients
    return out


def _http_run(port: int, plans: list[Mix], budget: float) -> Tally:
    """One client per plan, all at once, each asking its plan's queries in order."""
    tallies = [Tally() for _ in plans]
    stop_at = time.perf_counter() + budget
    barrier = threading.Barrier(len(plans) + 1)

    def client(k: int) -> None:
        tally = tallies[k]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        for kind, q, options in plans[k]:
            if time.perf_counter() > stop_at:
                break
            path = "/api/search?" + urllib.parse.urlencode(api_params(q, options))
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                took = time.perf_counter() - t0
                if resp.status == 200 and b'"results"' in body:
                    tally.add(kind, q, options, took)
                elif resp.status == 400 and NOTHING_LEFT.encode() in body:
                    tally.add_nothing_left(kind)
                else:
                    tally.add_error(kind, f"{q[:80]}: HTTP {resp.status} {body[:120]!r}")
            except (OSError, http.client.HTTPException) as exc:
                tally.add_error(kind, f"{q[:80]}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(len(plans))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(budget + 120)
    total = Tally(wall=time.perf_counter() - started)
    for tally in tallies:
        total.merge(tally)
    return total
