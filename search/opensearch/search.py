"""One page of a compiled query from the cluster: exact totals, facet counts, Whoosh's order.

The cluster is asked with ``dfs_query_then_fetch`` (the scores' statistics are the
whole index's, not each shard's: a paragraph scores as it does locally whatever
shard holds it), ``track_total_hits`` (an exact total, as locally) and ties of
score broken by document and paragraph number (Whoosh's order after a build).
Facets are ``terms`` aggregations asked for every value, so their counts are
exact; when a shard fails or the time limit passes, the page says it is partial.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from search.columnar.store import LANG_CODES
from search.messages import Message
from search.records import DOC_ID_FIELD, LANG_FIELD, NUMBER_FIELD

__all__ = ["FACET_VALUES", "TIE_BREAK", "ClusterPage", "newest_first_page", "search_page"]

#: The order of hits: score, then (for equal scores) document and paragraph number.
TIE_BREAK: list[dict[str, str]] = [
    {"_score": "desc"},
    {DOC_ID_FIELD: "asc"},
    {NUMBER_FIELD: "asc"},
]
#: Values a facet counts at most (documents per collection, for the ``doc`` facet).
FACET_VALUES = 65_536
_FACETS = {"lang": LANG_FIELD, "doc": DOC_ID_FIELD}


@dataclass
class ClusterPage:
    """What the cluster answered for one page."""

    total: int
    #: (entry key, score, source) of the page's hits, best first
    hits: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    facets: dict[str, dict[str, int]] | None = None
    #: a shard failed or the time limit passed: the total and hits may be short
    partial: bool = False
    #: why, for people, when shards failed (None: the time limit)
    note: str | None = None


def search_page(
    client: Any,
    index: str,
    query: dict[str, Any],
    page: int,
    per_page: int,
    *,
    facets: bool = False,
    seconds: float | None = None,
    source: list[str] | bool = True,
    in_document_order: bool = False,
) -> ClusterPage:
    """Page ``page`` (``per_page`` hits) of ``query`` on ``index`` (an alias or an index);
    ``seconds`` bounds the search on the cluster (then it answers with what it found)."""
    body: dict[str, Any] = {
        "query": query,
        "from": (page - 1) * per_page,
        "size": per_page,
        "track_total_hits": True,
        "sort": TIE_BREAK[1:] if in_document_order else TIE_BREAK,
        "_source": source,
    }
    if in_document_order:
        body["track_scores"] = True  # scores are still shown beside each hit
    if seconds is not None:
        body["timeout"] = f"{max(1, int(seconds * 1000))}ms"
    if facets:
        body["aggs"] = {
            name: {"terms": {"field": f, "size": FACET_VALUES, "shard_size": FACET_VALUES}}
            for name, f in _FACETS.items()
        }
    answer = client.search(index=index, body=body, search_type="dfs_query_then_fetch")
    shards = answer["_shards"]
    failed = int(shards.get("failed", 0))
    partial = bool(answer.get("timed_out")) or failed > 0
    out = ClusterPage(
        total=answer["hits"]["total"]["value"],
        hits=[(h["_id"], float(h["_score"]), h.get("_source", {})) for h in answer["hits"]["hits"]],
        partial=partial,
    )
    if failed:
        out.note = Message(
            "Part of the index did not answer (%(failed)s of %(total)s shards): "
            "these are the results from the rest.",
            failed=failed,
            total=str(shards.get("total", "?")),
        )
    if facets and not partial:
        counted = {
            name: {b["key"]: b["doc_count"] for b in answer["aggregations"][name]["buckets"]}
            for name in _FACETS
        }
        langs = counted["lang"]
        out.facets = {
            "lang": {code: langs[code] for code in LANG_CODES if langs.get(code)},
            "doc": dict(sorted(counted["doc"].items())),
        }
    return out


def newest_first_page(
    client: Any,
    index: str,
    query: dict[str, Any],
    page: int,
    per_page: int,
    dates: Mapping[str, int],
    facets: bool = False,
    seconds: float | None = None,
) -> ClusterPage:
    """Page ``page`` of ``query``, newest document first (``dates``: 20240131 by document
    id; undated documents last), each document's paragraphs in order.

    Paragraphs carry no date on the cluster: the matching documents and how many
    paragraphs of each match are counted first (with the facets, in one request), put
    in order here, and then the documents the page covers are read (one multi-search),
    from the right paragraph of the first.
    """
    counted = search_page(client, index, query, 1, 0, facets=True, seconds=seconds, source=False)
    per_doc = counted.facets["doc"] if counted.facets is not None else {}
    ordered = sorted(per_doc.items(), key=lambda kv: (-dates.get(kv[0], 0), kv[0]))
    start, end = (page - 1) * per_page, page * per_page
    wanted: list[tuple[str, int, int]] = []  # (doc id, first of its matches, how many)
    seen = 0
    for doc_id, count in ordered:
        if seen + count > start and seen < end:
            first = max(0, start - seen)
            wanted.append((doc_id, first, min(count, end - seen) - first))
        seen += count
        if seen >= end:
            break
    out = ClusterPage(
        total=counted.total,
        facets=counted.facets if facets else None,
        partial=counted.partial,
        note=counted.note,
    )
    if not wanted or counted.partial:
        return out
    lines: list[dict[str, Any]] = []
    for doc_id, first, size in wanted:
        lines.append({"index": index})
        lines.append(
            {
                "query": {"bool": {"must": [query], "filter": [{"term": {DOC_ID_FIELD: doc_id}}]}},
                "from": first,
                "size": size,
                "sort": TIE_BREAK[1:],
                "track_scores": True,
            }
        )
    answer = client.msearch(body=lines, search_type="dfs_query_then_fetch")
    for response in answer["responses"]:
        if "error" in response:
            out.partial = True
            out.note = Message(
                "Part of the index did not answer: these are the results from the rest."
            )
            continue
        out.hits += [
            (h["_id"], float(h["_score"] or 0.0), h.get("_source", {}))
            for h in response["hits"]["hits"]
        ]
    return out


#: Hits :func:`every_hit` reads per request.
SCROLL_SIZE = 1_000


def every_hit(
    client: Any,
    index: str,
    query: Mapping[str, Any],
    sort: list[dict[str, str]],
    source: list[str] | bool = True,
    size: int = SCROLL_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every hit of ``query`` on ``index`` in ``sort`` order (which must tell every hit
    apart), read ``size`` at a time with ``search_after``."""
    after: list[Any] | None = None
    while True:
        body: dict[str, Any] = {"query": query, "size": size, "sort": sort, "_source": source}
        if after is not None:
            body["search_after"] = after
        hits = client.search(index=index, body=body)["hits"]["hits"]
        yield from hits
        if len(hits) < size:
            return
        after = hits[-1]["sort"]
