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

import logging
import multiprocessing
import os
import queue
import socket
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from search.documents import Document, Skipped, document_paths
from search.indexing.build import BuildReport, build_procs, load_paths, split_evenly
from search.indexing.generations import IndexBusy
from search.indexing.history import run_record
from search.opensearch.client import ClusterUnavailable, cluster_errors, connect, index_names
from search.opensearch.documents import cluster_document
from search.opensearch.mapping import index_body
from search.records import document_fields
from search.settings import Settings

__all__ = [
    "BULK_ENTRIES",
    "Bulk",
    "LOCK_SECONDS",
    "ClusterBuildError",
    "build_cluster_index",
    "cluster_lock",
]

log = logging.getLogger(__name__)

#: Entries per bulk request (a paragraph's entry is a few KB).
BULK_ENTRIES = 500
#: How long a build's or reindex's lock holds without being renewed (a killed one's expires).
LOCK_SECONDS = 120.0
_LOCK_ID = "reindex"


class ClusterBuildError(ClusterUnavailable):
    """The cluster refused entries of a build, or holds fewer than were sent."""


def build_cluster_index(
    docs_dir: Path,
    settings: Settings,
    on_document: Callable[[str, str], None] | None = None,
    procs: int | None = None,
    renew: Callable[[], None] | None = None,
) -> BuildReport:
    """Index every document of ``docs_dir`` into a new index on the cluster and make it live.

    ``on_document(file_name, message)`` is called after each file, as by
    :func:`search.indexing.build_index`; ``procs`` processes share the analysis.
    The build holds the cluster's lock (:func:`cluster_lock`, waiting for a
    reindex that holds it), renewing it as files are done, unless the caller
    holds it and gives its ``renew``.
    """
    client = connect(settings, timeout=120)
    try:
        if renew is not None:
            return _build(client, docs_dir, settings, _renewing(on_document, renew), procs, renew)
        with cluster_errors(settings.opensearch_url), cluster_lock(client, settings, True) as held:
            return _build(client, docs_dir, settings, _renewing(on_document, held), procs, held)
    finally:
        client.close()


def _renewing(
    on_document: Callable[[str, str], None] | None, renew: Callable[[], None]
) -> Callable[[str, str], None]:
    """``on_document`` that also renews the lock (at most every quarter of its life)."""

    def heard(name: str, message: str) -> None:
        renew()
        if on_document is not None:
            on_document(name, message)

    return heard


def _build(
    client: Any,
    docs_dir: Path,
    settings: Settings,
    on_document: Callable[[str, str], None] | None,
    procs: int | None,
    renew: Callable[[], None],
) -> BuildReport:
    started = time.perf_counter()
    docs_dir = Path(docs_dir)
    shadowed: list[Skipped] = []  # files sharing a name with the document's file
    paths = document_paths(docs_dir, shadowed)
    nprocs = build_procs(paths, procs)
    alias, stem = index_names(settings)
    name = f"{stem}{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"  # unique
    body = index_body(settings.ranking, settings.opensearch_shards, settings.opensearch_replicas)
    # replicas and refreshes are added once the entries are in: faster, and not yet searched
    body["settings"].update({"number_of_replicas": 0, "refresh_interval": "-1"})
    client.indices.create(index=name, body=body)
    report = BuildReport(generation=name)
    for item in shadowed:
        report.count(item, on_document)
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
        renew()
        client.indices.refresh(index=name)
        held = client.count(index=name)["count"]
        if held != sent:
            raise ClusterBuildError(f"the cluster holds {held} entries of the {sent} sent")
        _wait_for_copies(client, name, settings.opensearch_replicas)
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
    skipped = [(s.name, s.reason) for s in report.skipped]
    record_cluster_run(
        client,
        name,
        run_record("build", report.seconds, skipped=skipped, documents=report.documents),
    )
    return report


#: Where the index's mapping keeps the record of its last build or reindex.
LAST_RUN_META = "dari_last_run"


def record_cluster_run(client: Any, index: str, record: dict[str, Any]) -> None:
    """Keep ``record`` (:func:`search.indexing.history.run_record`) in the ``_meta`` of the
    mapping of ``index`` (or of the index behind that alias); a failure to is logged, not
    raised: the index is what matters."""
    try:
        client.indices.put_mapping(index=index, body={"_meta": {LAST_RUN_META: record}})
    except Exception as exc:  # the client raises many kinds; the run itself succeeded
        log.warning("could not record the last %s on the cluster: %s", record.get("kind"), exc)


def cluster_last_run(client: Any, index: str) -> dict[str, Any] | None:
    """The record of the last build or reindex of ``index`` on the cluster, if any."""
    mappings = client.indices.get_mapping(index=index)
    for value in mappings.values():
        meta = value.get("mappings", {}).get("_meta", {})
        record = meta.get(LAST_RUN_META)
        if isinstance(record, dict):
            return record
    return None


def _send(
    client: Any,
    name: str,
    docs_dir: Path,
    paths: list[Path],
    report: BuildReport,
    on_document: Callable[[str, str], None] | None,
) -> int:
    """Analyse ``paths`` and send their entries in bulk requests; returns how many were sent."""
    bulk = Bulk(client, name)
    for item in load_paths(paths, docs_dir):
        if isinstance(item, Document):
            for entry in document_fields(item):
                bulk.index(entry)
        report.count(item, on_document)
    bulk.flush()
    return bulk.sent


#: How long a bulk request's entries are retried while the cluster recovers (a node lost,
#: its shards' replicas being promoted; a full queue), in seconds.
RETRY_SECONDS = 180.0


class Bulk:
    """Writes to ``index`` queued and sent :data:`BULK_ENTRIES` at a time (:func:`_bulk`);
    ``after_send()`` runs after each request, ``sent`` counts what was sent."""

    def __init__(self, client: Any, index: str, after_send: Callable[[], None] | None = None):
        self.client, self.index_name, self.after_send = client, index, after_send
        self.actions: list[list[dict[str, Any]]] = []
        self.sent = 0

    def index(self, entry: Mapping[str, Any]) -> None:
        """Write an entry of :func:`search.records.document_fields` under its key."""
        header = {"index": {"_index": self.index_name, "_id": entry["key"]}}
        self._add([header, cluster_document(entry)])

    def delete(self, key: str) -> None:
        self._add([{"delete": {"_index": self.index_name, "_id": key}}])

    def _add(self, action: list[dict[str, Any]]) -> None:
        self.actions.append(action)
        if len(self.actions) >= BULK_ENTRIES:
            self.flush()

    def flush(self) -> None:
        if self.actions:
            self.sent += _bulk(self.client, self.actions)
            self.actions = []
            if self.after_send is not None:
                self.after_send()


def _bulk(client: Any, actions: list[list[dict[str, Any]]]) -> int:
    """Send one bulk request of ``actions`` (each its header line, and its source when it
    writes one); returns how many it held.

    Entries the cluster could not take for now (429: too busy; 5xx: a shard
    without a live copy while a lost node's replicas are promoted) are sent
    again, and so is the whole request when the node it went to does not answer,
    for up to :data:`RETRY_SECONDS`; an entry refused for itself raises
    :class:`ClusterBuildError` naming it.  Entries have ids: sending one twice
    writes it once.
    """
    from opensearchpy import exceptions as client_errors

    total = len(actions)
    deadline = time.monotonic() + RETRY_SECONDS
    pause = 0.5
    while actions:
        try:
            body = [line for action in actions for line in action]
            answer = client.bulk(body=body, request_timeout=120)
        except (client_errors.ConnectionError, client_errors.ConnectionTimeout) as exc:
            if time.monotonic() > deadline:
                raise
            answer = {
                "errors": True,
                "items": [{"index": {"status": 503, "error": str(exc)}}] * len(actions),
            }
        if not answer.get("errors"):
            break
        again: list[list[dict[str, Any]]] = []
        for i, item in enumerate(answer["items"]):
            result: dict[str, Any] = next(iter(item.values()), {})
            if not result.get("error"):
                continue
            status = int(result.get("status", 0))
            if status != 429 and status < 500:
                raise ClusterBuildError(
                    f"the cluster refused entry {result.get('_id')!r}: {result['error']}"
                )
            if time.monotonic() > deadline:
                raise ClusterBuildError(
                    f"the cluster could not take entry {result.get('_id')!r} for "
                    f"{RETRY_SECONDS:.0f} s: {result['error']}"
                )
            again.append(actions[i])
        actions = again
        if actions:
            time.sleep(pause)
            pause = min(pause * 2, 10.0)
    return total


@contextmanager
def cluster_lock(client: Any, settings: Settings, wait: bool) -> Iterator[Callable[[], None]]:
    """Hold the cluster's reindex lock; yields a function that renews it.

    Raises :class:`~search.indexing.IndexBusy` if another live reindex holds it
    and ``wait`` is false.  A lock not renewed for :data:`LOCK_SECONDS` (its
    holder was killed) is taken over.
    """
    from opensearchpy import exceptions as client_errors

    locks = f"{settings.opensearch_index_prefix}-locks"
    holder = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
    client.indices.create(
        index=locks, body={"settings": {"number_of_shards": 1}}, ignore=400
    )  # 400: it exists

    def body() -> dict[str, Any]:
        return {"holder": holder, "until": time.time() + LOCK_SECONDS}

    while True:
        try:
            client.create(index=locks, id=_LOCK_ID, body=body(), refresh=True)
            break
        except client_errors.ConflictError:
            held = client.get(index=locks, id=_LOCK_ID, ignore=404)
            if held.get("found") and held["_source"].get("until", 0) < time.time():
                client.delete(  # expired: remove it unless another process just renewed it
                    index=locks,
                    id=_LOCK_ID,
                    if_seq_no=held["_seq_no"],
                    if_primary_term=held["_primary_term"],
                    ignore=[404, 409],
                )
                continue
            if not wait:
                raise IndexBusy(
                    "Another reindex is writing the cluster's index; try again when it has finished."
                ) from None
            time.sleep(0.5)

    renewed = time.monotonic()

    def renew() -> None:
        nonlocal renewed
        if time.monotonic() - renewed > LOCK_SECONDS / 4:
            client.index(index=locks, id=_LOCK_ID, body=body())
            renewed = time.monotonic()

    try:
        yield renew
    finally:
        client.delete(index=locks, id=_LOCK_ID, ignore=404)


def _wait_for_copies(client: Any, index: str, replicas: int) -> None:
    """Wait until every shard of ``index`` has its primary, and its replicas when the
    cluster has the nodes for them (a lost node then loses no shard), for up to
    :data:`RETRY_SECONDS`."""
    nodes = int(client.cluster.health()["number_of_data_nodes"])
    status = "green" if replicas < nodes else "yellow"
    health = client.cluster.health(
        index=index,
        wait_for_status=status,
        timeout=f"{RETRY_SECONDS:.0f}s",
        request_timeout=RETRY_SECONDS + 30,
    )
    if health.get("timed_out") and health.get("status") == "red":
        raise ClusterBuildError(f"the cluster did not start every shard of {index}")


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
