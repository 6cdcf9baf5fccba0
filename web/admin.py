"""Adding, replacing and removing documents over HTTP, behind an admin token.

The admin endpoints (``POST /api/docs``, ``DELETE /api/docs/<id>``,
``POST /api/reindex`` and the ``/upload`` page, where one signs in with the
token once: :mod:`web.signin`) exist only when an admin token is configured
(``DARI_ADMIN_TOKEN`` or the app's ``ADMIN_TOKEN``) and the app knows its
documents folder; otherwise they answer 403.

* The token is compared in constant time (as SHA-256 digests, so not even its
  length shows) and never logged.
* Failed token attempts are counted per client address (remote addr; an IPv6
  client by its /64 network, which one machine commonly has to itself): after
  ``ADMIN_MAX_FAILURES`` within ``ADMIN_FAILURE_WINDOW`` seconds the client gets
  429 with ``Retry-After`` until the oldest failure leaves the window.
* Every change goes through :mod:`search.uploads` (names sanitised, nothing
  written on refusal) and is followed by an incremental reindex, so it is
  searchable when the response is sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, request

from search.documents import DocumentError, document_id
from search.errors import storage_errors
from search.indexing.reindex import ReindexReport
from search.messages import Message
from search.uploads import RemovedFile, SavedFile, delete_document_file, save_document_file
from web.errors import AdminError
from web.jobs import Handed, run_within
from web.service import get_engine

__all__ = [
    "ADMIN_EXTENSION",
    "AdminError",
    "admin_configured",
    "DocumentChange",
    "FailureLimiter",
    "add_document",
    "admin_enabled",
    "admin_token",
    "authorize",
    "bearer_token",
    "client_key",
    "configured_token",
    "remove_document",
    "run_reindex",
]

log = logging.getLogger(__name__)

ADMIN_EXTENSION = "dari_admin"


class FailureLimiter:
    """Failed attempts per client in a sliding window; thread-safe, in memory, bounded."""

    def __init__(
        self,
        limit: int = 10,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_clients = max_clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until ``client`` may try again, or None if it is not blocked."""
        with self._lock:
            now = self._clock()
            failures = self._recent(client, now)
            if failures is None or len(failures) < self.limit:
                return None
            return max(1, math.ceil(failures[-self.limit] + self.window - now))

    def fail(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            failures = self._recent(client, now)
            if failures is None:
                failures = deque(maxlen=self.limit)
            else:
                del self._failures[client]  # re-inserted last: the dict stays in recency order
            failures.append(now)
            self._failures[client] = failures
            while len(self._failures) > self._max_clients:
                del self._failures[next(iter(self._failures))]  # the longest quiet client

    def _recent(self, client: str, now: float) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures


# --- configuration and authorisation ---------------------------------------------------


def configured_token(config: Mapping[str, Any]) -> str | None:
    """The admin token of ``config`` (an app's), or None when it has none."""
    token = config.get("ADMIN_TOKEN")
    return token if isinstance(token, str) and token.strip() else None


def admin_token() -> str | None:
    """The current app's admin token, or None when none is configured."""
    return configured_token(current_app.config)


def _docs_dir() -> Path | None:
    docs = current_app.config.get("DARI_DOCS")
    return Path(docs) if docs else None


def admin_configured(config: Mapping[str, Any]) -> bool:
    """True when ``config`` (an app's) has an admin token and a documents folder."""
    return configured_token(config) is not None and bool(config.get("DARI_DOCS"))


def admin_enabled() -> bool:
    """:func:`admin_configured` for the current app."""
    return admin_configured(current_app.config)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _client() -> str:
    """Who is counted for failed tokens: the remote address, an IPv6 one by its /64."""
    return client_key(request.remote_addr)


def _address() -> str:
    """The remote address, for the log."""
    return request.remote_addr or "unknown"


def client_key(address: str | None) -> str:
    """``address`` itself, or for IPv6 its /64 network (a host can pick any address in it)."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # an IPv4 client on a dual-stack socket
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _same_token(given: str, token: str) -> bool:
    """Constant-time comparison of digests: neither the bytes nor the length leak by timing."""
    given_digest = hashlib.sha256(given.encode("utf-8", "replace")).digest()
    return hmac.compare_digest(given_digest, hashlib.sha256(token.encode("utf-8")).digest())


def authorize(given: str | None) -> None:
    """Raise :class:`AdminError` unless ``given`` is the admin token (403/401/429)."""
    token = admin_token()
    if token is None:
        raise AdminError(
            403,
            Message(
                "Adding and removing documents over the web is turned off "
                "(the server has no admin token; set DARI_ADMIN_TOKEN to turn it on)."
            ),
        )
    if _docs_dir() is None:
        raise AdminError(
            403, Message("Adding documents is turned off: the server has no documents folder.")
        )
    limiter: FailureLimiter = current_app.extensions[ADMIN_EXTENSION]
    client = _client()
    wait = limiter.retry_after(client)
    if wait is not None:
        log.warning("admin: %s %s from %s refused: too many failed tokens", *_where(), _address())
        raise AdminError(
            429,
            Message(
                "Too many wrong tokens from your address; try again in %(seconds)s seconds.",
                seconds=wait,
            ),
            {"Retry-After": str(wait)},
        )
    if not given:
        raise AdminError(
            401,
            Message("This needs the admin token (Authorization: Bearer <token>)."),
            {"WWW-Authenticate": 'Bearer realm="dari"'},
        )
    if not _same_token(given, token):
        limiter.fail(client)
        log.warning("admin: %s %s from %s refused: wrong token", *_where(), _address())
        raise AdminError(
            401,
            Message("The admin token is wrong."),
            {"WWW-Authenticate": 'Bearer realm="dari", error="invalid_token"'},
        )


def _where() -> tuple[str, str]:
    return request.method, request.path


# --- the changes themselves ---------------------------------------------------------------


@dataclass
class DocumentChange:
    """One added, replaced or removed document and the reindex that followed."""

    doc_id: str
    file: str
    action: str  # "added", "replaced" or "removed"
    report: ReindexReport

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "file": self.file, "reindex": self.report.to_dict()}


def _reindex(wait: bool) -> ReindexReport:
    """An incremental reindex; :class:`search.indexing.IndexBusy` (409) if another writer is busy."""
    docs = _docs_dir()
    assert docs is not None  # authorize() refused otherwise
    try:
        return get_engine().backend.reindex(docs, wait=wait)
    except DocumentError as exc:
        log.error("admin: reindex failed: %s", exc)
        raise AdminError(503, Message("The documents folder cannot be read right now.")) from None


def add_document(
    filename: str, data: bytes, replace: bool = False
) -> DocumentChange | Handed[DocumentChange]:
    """Save an uploaded file into the docs folder and reindex (waiting for other writers).

    Raises :class:`search.uploads.UploadRejected` (400; its kinds 409 and 413)
    before writing anything if the upload is refused.  If the reindex fails (a full
    or read-only disk), the file is taken back: the folder and the index stay as
    they were, and the error says why.  A reindex that outlasts the time limit
    goes on as a job (:mod:`web.jobs`): what is returned then is its :class:`Handed`.
    """
    docs = _docs_dir()
    assert docs is not None
    saved = _write_documents(lambda: save_document_file(docs, filename, data, replace=replace))
    action = "replaced" if saved.replaced else "added"
    address = _address()

    def index() -> DocumentChange:
        report = _reindex_or_undo(saved)
        log.info(
            "admin: %s %s from %s; reindexed: %s",
            action,
            saved.path.name,
            address,
            report.summary(),
        )
        return DocumentChange(document_id(saved.path.name), saved.path.name, action, report)

    return _within_limit(index, saved.path, action)


def remove_document(doc_id: str) -> DocumentChange | Handed[DocumentChange]:
    """Delete the file of ``doc_id`` from the docs folder and reindex; 404 if there is none.

    If the reindex fails, the file is put back (see :func:`add_document`).
    """
    docs = _docs_dir()
    assert docs is not None
    removed = _write_documents(lambda: delete_document_file(docs, doc_id))
    address = _address()

    def index() -> DocumentChange:
        report = _reindex_or_undo(removed)
        path = removed.path
        log.info("admin: removed %s from %s; reindexed: %s", path.name, address, report.summary())
        return DocumentChange(document_id(path.name), path.name, "removed", report)

    return _within_limit(index, removed.path, "removed")


def _within_limit(
    index: Callable[[], DocumentChange], path: Path, action: str
) -> DocumentChange | Handed[DocumentChange]:
    return run_within(
        index,
        {"doc_id": path.stem, "file": path.name, "action": action},
        lambda change: {"reindex": change.report.to_dict()},
    )


T = TypeVar("T")


def _write_documents(change: Callable[[], T]) -> T:
    """``change()`` of the documents folder, its storage errors as :class:`StorageError`."""
    with storage_errors("the documents folder"):
        return change()


def _reindex_or_undo(change: SavedFile | RemovedFile) -> ReindexReport:
    """Index a change of the documents folder; take the change back if that fails."""
    try:
        report = _reindex(wait=True)
    except BaseException:
        try:
            change.undo()
        except OSError as exc:  # the folder now differs from the index until a reindex
            log.error("admin: could not take back %s: %s", change.path.name, exc)
        raise
    with contextlib.suppress(OSError):
        change.keep()
    return report


def run_reindex() -> ReindexReport | Handed[ReindexReport]:
    """An incremental reindex now; :class:`search.indexing.IndexBusy` if another writer is busy.

    One that outlasts the time limit goes on as a job (see :func:`add_document`).
    """
    address = _address()

    def index() -> ReindexReport:
        report = _reindex(wait=False)
        log.info("admin: reindex from %s: %s", address, report.summary())
        return report

    return run_within(
        index,
        {"action": "reindex"},
        lambda report: {"reindex": report.to_dict()},
    )
