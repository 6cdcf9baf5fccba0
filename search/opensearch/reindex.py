"""Incremental reindexing on the cluster: the local reindex's change detection, bulk writes.

The documents folder is compared with the document records of the index behind
the alias (file name, size, modification time, SHA-256) by
:class:`search.indexing.reindex.FolderChanges`, as locally; each changed
document's entries are sent in bulk requests with their keys as ids (its
paragraphs past its new end deleted after), removed documents are deleted, and
the index is refreshed at the end.  Unlike the local index's one commit, the
changes become searchable as they are written (the cluster refreshes its
index every second): during a reindex a search may see some of them.  Without
an index yet, it is a full build
(:func:`~search.opensearch.indexing.build_cluster_index`).

One reindex or build at a time writes a cluster's index
(:func:`~search.opensearch.indexing.cluster_lock`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from search.documents import Skipped, document_entries, document_id
from search.indexing.reindex import FolderChanges, ReindexReport
from search.opensearch.client import cluster_errors, connect, index_names, live_index
from search.opensearch.documents import STORED
from search.opensearch.indexing import Bulk, build_cluster_index, cluster_lock, record_cluster_run
from search.opensearch.mapping import ensure_words_field, scoring_outdated
from search.opensearch.search import every_hit
from search.records import (
    DOC_ID_FIELD,
    DOCUMENT_KIND,
    KEY_FIELD,
    KIND_FIELD,
    META_FIELD,
    DocumentMeta,
    document_fields,
    document_record,
)
from search.settings import Settings

__all__ = ["reindex_cluster"]

#: Said by a reindex of an index whose similarities are not this version's ranking's.
OUTDATED_SCORING = (
    "the cluster index scores with the ranking it was built with, not this version's:"
    " run `dari index` to build it again"
)
#: Document records read per request when the manifest is read.
_MANIFEST_PAGE = 5_000


def reindex_cluster(
    docs_dir: Path,
    settings: Settings,
    wait: bool = False,
    on_change: Callable[[str], None] | None = None,
) -> ReindexReport:
    """Bring the cluster's index up to date with ``docs_dir`` (see the module's description).

    Raises :class:`~search.indexing.IndexBusy` when another reindex holds the
    lock and ``wait`` is false, and
    :class:`~search.opensearch.client.ClusterUnavailable` when the cluster
    cannot be written.
    """
    started = time.perf_counter()
    docs_dir = Path(docs_dir)
    shadowed: list[Skipped] = []  # files sharing a name with the document's file
    entries = document_entries(docs_dir, shadowed)
    report = ReindexReport()
    say = on_change or (lambda _msg: None)
    client = connect(settings, timeout=120)
    alias, _ = index_names(settings)
    try:
        with cluster_errors(settings.opensearch_url), cluster_lock(client, settings, wait) as renew:
            if not client.indices.exists_alias(name=alias):
                built = build_cluster_index(docs_dir, settings, renew=renew)
                skipped = {s.name for s in built.skipped}
                report.full_build = True
                report.added = [document_id(e.name) for e in entries if e.name not in skipped]
                report.skipped, report.warnings = built.skipped, built.warnings
            else:
                index = live_index(client, alias)
                for item in shadowed:
                    report.skipped.append(item)
                    say(f"skipped {item.name}: {item.reason}")
                ensure_words_field(client, index)
                if scoring_outdated(client, index, settings.ranking):
                    report.warnings.append(OUTDATED_SCORING)
                    say(OUTDATED_SCORING)
                _apply(
                    client,
                    index,
                    FolderChanges(docs_dir, entries, _manifest(client, index), report, say),
                    renew,
                )
        report.seconds = time.perf_counter() - started
        if not report.full_build:  # a full build has recorded its own run
            record_cluster_run(client, alias, report.record())
    finally:
        client.close()
    return report


def _apply(client: Any, index: str, scan: FolderChanges, renew: Callable[[], None]) -> None:
    """Write what ``scan`` finds into ``index`` (searchable as written), refresh at the end."""
    bulk = Bulk(client, index, after_send=renew)
    rewritten: dict[str, list[str]] = {}  # documents written again: their entries' keys
    for change in scan:
        written = (
            [document_record(change.doc)] if change.touched else list(document_fields(change.doc))
        )
        for entry in written:
            bulk.index(entry)
        if change.known and not change.touched:
            rewritten[change.doc_id] = [entry["key"] for entry in written]
    bulk.flush()
    removed = scan.removed()
    if not (bulk.sent or removed):
        return
    client.indices.refresh(index=index)
    for doc_id, keys in rewritten.items():  # its paragraphs past its new end
        _delete(
            bulk,
            {
                "bool": {
                    "filter": [{"term": {DOC_ID_FIELD: doc_id}}],
                    "must_not": [{"ids": {"values": keys}}],
                }
            },
        )
    if removed:
        _delete(bulk, {"terms": {DOC_ID_FIELD: removed}})
    bulk.flush()
    client.indices.refresh(index=index)


def _delete(bulk: Bulk, query: dict[str, Any]) -> None:
    """Delete the entries ``query`` matches (found by key, deleted in bulk requests: the
    cluster needs no delete-by-query module)."""
    hits = every_hit(bulk.client, bulk.index_name, query, [{KEY_FIELD: "asc"}], source=False)
    for hit in hits:
        bulk.delete(hit["_id"])


def _manifest(client: Any, index: str) -> dict[str, DocumentMeta]:
    """Each indexed document's record (file name, size, mtime, SHA-256) by its ID."""
    hits = every_hit(
        client,
        index,
        {"term": {KIND_FIELD: DOCUMENT_KIND}},
        [{DOC_ID_FIELD: "asc"}],
        source=[DOC_ID_FIELD, f"{STORED}.{META_FIELD}"],
        size=_MANIFEST_PAGE,
    )
    return {
        hit["_source"][DOC_ID_FIELD]: DocumentMeta.from_json(hit["_source"][STORED][META_FIELD])
        for hit in hits
    }
