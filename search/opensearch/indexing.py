"""Building Dari's index on the cluster: analysis in parallel processes, bulk requests, an
atomic alias swap.

A build writes a new index (``<prefix>-paragraphs-<time>``), sends every entry of
every document with its key as ``_id`` (sending one again replaces it), checks
that the cluster holds as many entries as were sent, and then moves the alias
``<prefix>-paragraphs`` to it in one request, so searches see the old index
until the new one is complete, and the new one from then on; the old one is
deleted after.  A build that fails deletes its new index and leaves the alias
where it was.  The analysis (Kiwi) is the cost: the sorted files are cut into
parts (:func:`search.indexing.build.split_evenly`), one process each, and each
process sends its own bulk requests.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from search.documents import Document, Skipped, document_paths
from search.indexing.build import BuildReport, build_procs, load_paths, split_evenly
from search.opensearch.client import ClusterUnavailable, connect, index_names
from search.opensearch.documents import cluster_document
from search.opensearch.mapping import index_body
from search.records import document_fields
from search.settings import Settings

__all__ = ["BULK_ENTRIES", "ClusterBuildError", "build_cluster_index"]

#: Entries per bulk request (a paragraph's entry is a few KB).
BULK_ENTRIES = 500


class ClusterBuildError(ClusterUnavailable):
    """The cluster refused entries of a build, or holds fewer than were sent."""


def build_cluster_index(
    docs_dir: Path,
    settings: Settings,
    on_document: Callable[[str, str], None] | None = None,
    procs: int | None = None,
) -> BuildReport:
    """Index every document of ``docs_dir`` into a new index on the cluster and make it live.

    ``on_document(file_name, message)`` is called after each file, as by
    :func:`search.indexing.build_index`; ``procs`` processes share the analysis.
    """
    started = time.perf_counter()
    docs_dir = Path(docs_dir)
    paths = document_paths(docs_dir)
    nprocs = build_procs(paths, procs)
    client = connect(settings, timeout=120)
    alias, stem = index_names(settings)
    name = f"{stem}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"  # unique
    body = index_body(settings.ranking, settings.opensearch_shards, settings.opensearch_replicas)
    # replicas and refreshes are added once the entries are in: faster, and not yet searched
    body["settings"].update({"number_of_replicas": 0, "refresh_interval": "-1"})
    client.indices.create(index=name, body=body)
    report = BuildReport(generation=name)
    try:
        if nprocs == 1:
            sent = _send(client, name, docs_dir, paths, report, on_document)
        else:
            sent = _send_parallel(settings, name, docs_dir, paths, nprocs, report, on_document)
        client.indices.put_settings(
            index=name,
            body={
                "index": {
                    "number_of_replicas": settings.opensearch_replicas,
                    "refresh_interval": None,  # back to the default
                }
            },
        )
        client.indices.refresh(index=name)
        held = client.count(index=name)["count"]
        if held != sent:
            raise ClusterBuildError(f"the cluster holds {held} entries of the {sent} sent")
        client.cluster.health(index=name, wait_for_status="yellow", request_timeout=120)
        live = (
            client.indices.get_alias(name=alias) if client.indices.exists_alias(name=alias) else {}
        )
        old = sorted(index for index in live if index != name)
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old]
        actions.append({"add": {"index": name, "alias": alias}})
        client.indices.update_aliases(body={"actions": actions})
    except BaseException:
        client.indices.delete(index=name, ignore_unavailable=True)
        raise
    for index in old:  # no longer searched
        client.indices.delete(index=index, ignore_unavailable=True)
    report.seconds = time.perf_counter() - started
    return report


def _send(
    client: Any,
    name: str,
    docs_dir: Path,
    paths: list[Path],
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> int:
    """Analyse ``paths`` and send their entries in bulk requests; returns how many were sent."""
    sent = 0
    lines: list[dict[str, Any]] = []
    for item in load_paths(paths, docs_dir):
        if isinstance(item, Document):
            for entry in document_fields(item):
                lines += [{"index": {"_index": name, "_id": entry["key"]}}, cluster_document(entry)]
            if len(lines) >= 2 * BULK_ENTRIES:
                sent += _bulk(client, lines)
                lines = []
        report.count(item, on_document)
    if lines:
        sent += _bulk(client, lines)
    return sent


def _bulk(client: Any, lines: list[dict[str, Any]]) -> int:
    """Send one bulk request; raises :class:`ClusterBuildError` naming the first refused entry."""
    answer = client.bulk(body=lines, request_timeout=120)
    if answer.get("errors"):
        for item in answer["items"]:
            result = item.get("index", {})
            if result.get("error"):
                raise ClusterBuildError(
                    f"the cluster refused entry {result.get('_id')!r}: {result['error']}"
                )
    return len(lines) // 2


#: A worker's messages to the calling process: ("file", name, message).
_messages: Any = None


def _start_worker(messages: Any) -> None:
    global _messages
    _messages = messages


def _connection(settings: Settings) -> dict[str, Any]:
    """The settings a worker connects with (the rest of them do not cross processes)."""
    return {
        "opensearch_url": settings.opensearch_url,
        "opensearch_user": settings.opensearch_user,
        "opensearch_password": settings.opensearch_password,
        "opensearch_ca_file": settings.opensearch_ca_file,
    }


def _send_part(connection: dict[str, Any], name: str, docs_dir: str, paths: list[str]) -> tuple:
    """A worker: one part of the files analysed and sent; its counts, skipped files, warnings."""
    report = BuildReport()
    client = connect(Settings(**connection), timeout=120)
    try:
        sent = _send(
            client,
            name,
            Path(docs_dir),
            [Path(p) for p in paths],
            report,
            lambda file, message: _messages.put(("file", file, message)),
        )
    finally:
        client.close()
    skipped = [(s.name, s.reason) for s in report.skipped]
    return sent, report.documents, report.paragraphs, skipped, report.warnings


def _send_parallel(
    settings: Settings,
    name: str,
    docs_dir: Path,
    paths: list[Path],
    nprocs: int,
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> int:
    """:func:`_send` with ``nprocs`` worker processes (spawned: a server may build from a
    thread), reporting each file as the workers say."""
    ctx = multiprocessing.get_context("spawn")
    messages = ctx.Queue()

    def drain(wait: float) -> None:
        try:
            kind, file, message = messages.get(timeout=wait)
        except queue.Empty:
            return
        if on_document and kind == "file":
            on_document(file, message)

    sent = 0
    with ProcessPoolExecutor(
        max_workers=nprocs, mp_context=ctx, initializer=_start_worker, initargs=(messages,)
    ) as pool:
        futures = [
            pool.submit(
                _send_part, _connection(settings), name, str(docs_dir), [str(p) for p in part]
            )
            for part in split_evenly(paths, nprocs)
        ]
        while not all(f.done() for f in futures):
            drain(0.2)
        results = [f.result() for f in futures]  # a worker's error is raised here
    while True:  # the last words of the workers
        try:
            kind, file, message = messages.get_nowait()
        except queue.Empty:
            break
        if on_document and kind == "file":
            on_document(file, message)
    for part_sent, documents, paragraphs, skipped, warnings in results:
        sent += part_sent
        report.documents += documents
        report.paragraphs += paragraphs
        report.skipped += [Skipped(file, reason) for file, reason in skipped]
        report.warnings += warnings
    return sent
