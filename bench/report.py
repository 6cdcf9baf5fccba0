"""The benchmark's report: the markdown tables of ``python -m bench`` and its targets.

:func:`markdown` makes the tables printed at the end of a run and written beside
its JSON (``bench/results/``); :func:`targets` checks the figures against the
goals of docs/performance.md and of issue #14 (judged only from what the run
measured; a row with no target at its size is shown, not judged), and
:func:`build_targets` against issue #15's goals for ``dari index`` (at 20k, 100k
and 712k: wall against Kiwi alone's, CPU against Kiwi's; 712k's time and memory);
:func:`reindex_counts` is how a reindex report is shown in one line
(``added 1, updated 0, removed 0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.query_load import label as query_label

__all__ = [
    "BUILD_TARGET_SIZES",
    "REINDEX_COUNTS",
    "build_targets",
    "markdown",
    "reindex_counts",
    "targets",
]

#: The kinds of query, in the order of the per-kind table: the fixed mix's, then the distinct.
KIND_ORDER = ("ko-1", "ko-2", "phrase", "en", "mixed", "filter", "review-any", "pair")
#: HTTP p95 targets (ms, 4 clients) by corpus for the distinct queries (issue #14).
DISTINCT_P95_TARGETS = {"100k": 50.0, "712k": 150.0}
#: Issue #15's build targets at these corpora: ``dari index``'s wall ≤ this × Kiwi alone's
#: wall (one process, model load included) and its CPU (all processes) ≤ this × Kiwi's CPU.
BUILD_TARGET_SIZES = ("20k", "100k", "712k")
BUILD_WALL_VS_KIWI, BUILD_CPU_VS_KIWI = 1.0, 2.0
#: Issue #15's 712k build: wall seconds and peak RSS (all processes) at most.
BUILD_712K_SECONDS, BUILD_712K_PEAK_RSS = 600, 2e9

#: The counts of a reindex report, in the order ``dari reindex`` prints them.
REINDEX_COUNTS = ("added", "updated", "removed")


def reindex_counts(report: Mapping[str, Any]) -> str:
    """``added A, updated U, removed R`` of a reindex report (``POST /api/reindex``'s JSON,
    whose values are lists of document ids, or counts)."""
    return ", ".join(f"{key} {_count(report.get(key))}" for key in REINDEX_COUNTS)


def _count(value: Any) -> int:
    if value is None:
        return 0
    return value if isinstance(value, int) else len(value)


def _mb(n: float | None) -> str:
    if not n:
        return "–"
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:.2f} MB"


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:,.1f}"


def _s(v: float | None) -> str:
    return f"{v:.1f} s" if v else "–"


def _x(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def _wheres(r: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, figures) of every place the queries of corpus ``r`` were measured."""
    rows = [
        ("engine, in-process", r["in_process"]["engine"]),
        ("api, in-process", r["in_process"]["api"]),
        ("HTTP, 1 client", r["http_1"]),
        ("HTTP, 4 clients", r["http_4"]),
    ]
    if r.get("http_4_one_worker"):
        rows.append(("HTTP, 4 clients, `--workers 1` (threads only)", r["http_4_one_worker"]))
    if r.get("whoosh"):
        rows.append(("raw Whoosh, in-process", r["whoosh"]["search"]))
    if r.get("tantivy"):
        rows.append(("tantivy, in-process", r["tantivy"]["search"]))
    return rows


def _percentiles(s: dict[str, Any] | None) -> str:
    if not s or s.get("p50_ms") is None:
        return "–"
    return f"{_ms(s['p50_ms'])} / {_ms(s['p95_ms'])} / {_ms(s['p99_ms'])}"


def _distinct_tables(results: dict[str, Any]) -> list[str]:
    """The distinct queries together, then every kind's p50 / p95 / p99."""
    lines: list[str] = []
    with_distinct = [r for r in results["corpora"] if r["http_4"].get("distinct")]
    if with_distinct:
        per_round = results.get("distinct_per_round", "?")
        lines += [
            "",
            f"**Distinct queries** (never sent before in the run, {per_round} of each kind per "
            "round and caller, no warm-up: `review-any` = a held-out NSMC review cut to 200 "
            "characters, `match=any`; `pair` = two frequent nouns; "
            "latency in ms; nothing left = a `400 Nothing left to search for`, an answer: "
            "neither an error nor a latency)",
            "",
            "| corpus | where | requests | errors | nothing left | p50 | p95 | p99 | max "
            "| requests/s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
    for r in with_distinct:
        for label, where in _wheres(r):
            s = where.get("distinct")
            if not s:
                continue
            lines.append(
                f"| {r['corpus']} | {label} | {s['requests']} | {s['errors']} "
                f"| {s['nothing_left']} | {_ms(s['p50_ms'])} | {_ms(s['p95_ms'])} "
                f"| {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} "
                f"| {s['rps'] if s['rps'] is not None else '–'} |"
            )
    with_kinds = [r for r in results["corpora"] if r["http_4"].get("kinds")]
    if with_kinds:
        lines += [
            "",
            "**Per kind** (p50 / p95 / p99 in ms; the fixed mix's kinds, then the distinct ones)",
            "",
            "| corpus | where | " + " | ".join(KIND_ORDER) + " |",
            "|---|---|" + "---:|" * len(KIND_ORDER),
        ]
    for r in with_kinds:
        for label, where in _wheres(r):
            kinds = {**where.get("kinds", {}), **where.get("distinct", {}).get("kinds", {})}
            cells = " | ".join(_percentiles(kinds.get(k)) for k in KIND_ORDER)
            lines.append(f"| {r['corpus']} | {label} | {cells} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The tables of one run (build, queries, server, incremental, targets) as markdown."""
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
        for label, s in _wheres(r):
            lines.append(
                f"| {r['corpus']} | {label} | {s['requests']} | {s['errors']} | {_ms(s['p50_ms'])} "
                f"| {_ms(s['p95_ms'])} | {_ms(s['p99_ms'])} | {_ms(s['max_ms'])} "
                f"| {s['rps'] if s['rps'] is not None else '–'} |"
            )
    lines += _distinct_tables(results)
    lines += [
        "",
        "**Server** (`dari serve`)",
        "",
        "| corpus | cold start to first answer | processes | memory after the mix (PSS) "
        "| of it, mapped files (index, libraries) | largest process RSS | `--workers 1` PSS "
        "| slowest queries (api, median ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results["corpora"]:
        slow = "; ".join(f"`{q}` {ms}" for q, ms in r["in_process"]["api"]["slowest"][:3])
        memory = r["server"]["memory_after_mix"]
        one = r["server"].get("one_worker_memory_after_mix") or {}
        lines.append(
            f"| {r['corpus']} | {r['server']['cold_start_seconds']:.2f} s "
            f"| {memory['processes']} | {_mb(memory['pss_bytes'])} "
            f"| {_mb(memory.get('pss_file_bytes'))} "
            f"| {_mb(memory['rss_largest_bytes'])} | {_mb(one.get('pss_bytes'))} | {slow} |"
        )
    cli = [r for r in results["corpora"] if r.get("cli_search")]
    if cli:
        lines += [
            "",
            "**`dari search`** (a new process per query: Python, imports, Kiwi, the index; "
            "the first query of each kind of the mix, the run's first call included)",
            "",
            "| corpus | calls | errors | first call | median | max | each (s) |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
    for r in cli:
        c = r["cli_search"]
        each = ", ".join(
            f"`{query_label(x['q'], x.get('options', {}))}` {x['wall_seconds']:.2f}"
            for x in c["calls"]
        )
        lines.append(
            f"| {r['corpus']} | {len(c['calls'])} | {c['errors']} "
            f"| {c['first_seconds']:.2f} s | {c['median_seconds']:.2f} s "
            f"| {c['max_seconds']:.2f} s | {each} |"
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
        verdict = "– (no target at this size)" if met is None else "yes" if met else "**no**"
        lines.append(f"| {target} | {measured} | {verdict} |")
    build = build_targets(results)
    if build:
        lines += [
            "",
            "**Issue #15's targets as the run judged them** (the build: `dari index` against "
            "Kiwi alone, at 20k, 100k and 712k)",
            "",
            "| target | measured | met |",
            "|---|---|---|",
        ]
    for target, measured, met in build:
        verdict = "– (not measured)" if met is None else "yes" if met else "**no**"
        lines.append(f"| {target} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def build_targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met) of issue #15's build targets, for each of its corpora
    (:data:`BUILD_TARGET_SIZES`) that the run built: wall ÷ Kiwi alone's wall, build CPU ÷ Kiwi's
    CPU and, at 712k, the wall and the peak RSS of all processes.  met is None where a figure
    is missing (a result written before Kiwi's CPU was recorded)."""
    by = {r["corpus"]: r for r in results["corpora"] if "build" in r}
    out: list[tuple[str, str, bool | None]] = []
    for name in BUILD_TARGET_SIZES:
        if name not in by:
            continue
        b, k = by[name]["build"], by[name].get("kiwi") or {}
        for what, dari, kiwi, limit in (
            ("wall", b.get("wall_seconds"), k.get("seconds"), BUILD_WALL_VS_KIWI),
            ("CPU", b.get("cpu_seconds"), k.get("cpu_seconds"), BUILD_CPU_VS_KIWI),
        ):
            target = f"build {what} ≤ {limit:.1f} × Kiwi alone's {what} ({name})"
            if not dari or not kiwi:
                out.append((target, f"{_s(dari)} ÷ {_s(kiwi)}", None))
                continue
            ratio = dari / kiwi
            out.append((target, f"{dari:,.1f} s ÷ {kiwi:,.1f} s = {ratio:.2f}×", ratio <= limit))
        if name == "712k":
            wall, peak = b["wall_seconds"], b["peak_rss_bytes"]
            out.append(
                (
                    f"712k build ≤ {BUILD_712K_SECONDS / 60:g} min wall",
                    f"{wall / 60:.1f} min ({wall:,.0f} s)",
                    wall <= BUILD_712K_SECONDS,
                )
            )
            out.append(
                (
                    f"712k build peak RSS (all processes) ≤ {BUILD_712K_PEAK_RSS / 1e9:g} GB",
                    _mb(peak),
                    bool(peak) and peak <= BUILD_712K_PEAK_RSS,
                )
            )
    return out


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met) for every target the run's corpora allow;
    met is None for a figure shown beside a target set for another size."""
    by = {r["corpus"]: r for r in results["corpora"]}
    out: list[tuple[str, str, bool | None]] = []
    # the build's targets are issue #15's own table (build_targets)
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
        d = r["http_4"].get("distinct")
        if not d:
            continue
        limit = DISTINCT_P95_TARGETS.get(name)
        measured = f"p95 {_ms(d['p95_ms'])} ms, {d['requests']} requests, {d['errors']} errors"
        if limit is None:
            wanted = ", ".join(f"≤ {v:g} ms at {k}" for k, v in DISTINCT_P95_TARGETS.items())
            out.append(
                (f"HTTP p95, 4 clients, distinct queries ({name}; {wanted})", measured, None)
            )
        else:
            met = d["p95_ms"] is not None and d["p95_ms"] <= limit and d["errors"] == 0
            out.append(
                (
                    f"HTTP p95 ≤ {limit:g} ms, 4 clients, distinct queries, no errors ({name})",
                    measured,
                    met,
                )
            )
    for name, r in by.items():
        if not r.get("whoosh"):
            continue
        engine, whoosh = r["in_process"]["engine"], r["whoosh"]["search"]
        pairs = [("fixed mix", engine, whoosh)]
        if engine.get("distinct") and whoosh.get("distinct"):
            pairs.append(("distinct queries", engine["distinct"], whoosh["distinct"]))
        for what, e, w in pairs:
            if e["p95_ms"] is None or w["p95_ms"] is None:
                continue
            out.append(
                (
                    f"engine p95 ≤ raw Whoosh p95, in-process, {what} ({name})",
                    f"{_ms(e['p95_ms'])} ms vs {_ms(w['p95_ms'])} ms",
                    e["p95_ms"] <= w["p95_ms"],
                )
            )
    if by.get("seeds", {}).get("cli_search"):
        c = by["seeds"]["cli_search"]
        out.append(
            (
                "`dari search` on the seeds ≤ 1.0 s wall, first call included",
                f"first {c['first_seconds']:.2f} s, max {c['max_seconds']:.2f} s "
                f"over {len(c['calls'])} calls, {c['errors']} errors",
                c["max_seconds"] <= 1.0 and c["errors"] == 0,
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
    if "incremental_http" in by.get("712k", {}):
        h = by["712k"]["incremental_http"]["add"]
        out.append(
            (
                "`POST /api/reindex` of one added document ≤ 0.3 s (712k)",
                f"{h['wall_seconds']:.2f} s",
                h["wall_seconds"] <= 0.3,
            )
        )
    for name in ("100k", "10k"):
        if name in by:
            pss = by[name]["server"]["memory_after_mix"]["pss_bytes"]
            out.append(
                (f"server memory (PSS, all workers) ≤ 500 MB ({name})", _mb(pss), pss <= 500e6)
            )
            break
    if "712k" in by:
        pss = by["712k"]["server"]["memory_after_mix"]["pss_bytes"]
        out.append(("server memory (PSS, all workers) ≤ 1 GB (712k)", _mb(pss), pss <= 1e9))
    for name, r in by.items():
        cold = r["server"]["cold_start_seconds"]
        out.append((f"cold start ≤ 3 s ({name})", f"{cold:.2f} s", cold <= 3.0))
    if "100k" in by:
        cold = by["100k"]["server"]["cold_start_seconds"]
        out.append(("cold start ≤ 2 s (100k)", f"{cold:.2f} s", cold <= 2.0))
    return out
