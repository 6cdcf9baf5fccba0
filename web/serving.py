"""Waitress, set up so that slow or idle clients cannot starve everyone else.

Waitress reads requests asynchronously (one thread watches every connection; the
worker threads only see whole requests), so a connection that sends nothing, or
sends its header a line at a time, costs a file descriptor, not a thread.  What
took the server down in the red-team pass (issue #21) was waitress's defaults:
at most 100 connections per process, after which it stops accepting anyone, and
a connection that trickles a byte now and then is never idle long enough to be
closed.  So here:

* **many connections**: :data:`CONNECTION_LIMIT` per worker process (with
  ``poll()``, not ``select()``, whose limit is 1,024 descriptors; the process's
  open-file limit is raised to what the system allows for it);
* **a deadline for the request head**: a connection must deliver a whole request
  line and headers within :data:`HEAD_TIMEOUT` seconds of connecting or of its
  previous response, however slowly it trickles; then it is closed;
* **a deadline for the whole request**: its body too within :data:`REQUEST_TIMEOUT`;
* **idle keep-alive connections** are closed after :data:`IDLE_TIMEOUT` seconds;
* **refusals that clients can read**: a request waitress refuses itself (a body
  over the limit, from its ``Content-Length``, before reading it; headers too
  large) is answered in JSON under ``/api``, and the connection is closed only
  after the rest of what the client sends is read and dropped (for up to
  :data:`LINGER` seconds), so that a client still sending a 20 MB upload reads
  its ``413`` instead of a connection reset.

And so that a burst of slow searches cannot make every answer late (a search's
time limit counted from when a thread took it up, not from when it arrived):

* each request carries the moment it arrived whole (``environ[RECEIVED_AT]``), and
  the search's time limit is counted from then (:func:`web.service.run_search`);
* **load shedding**: a request that finds :data:`QUEUE_LIMIT` others waiting for a
  thread, or that waited :data:`MAX_QUEUE_WAIT` seconds for one, is answered
  ``503`` with ``Retry-After`` at once instead of being searched late;
* **a fast lane**: ``/healthz`` is answered by a thread of its own, never behind
  searches, so that a load balancer sees a busy server as alive.

And so that several workers share the load although clients keep their
connections (see :mod:`web.workers`): a worker that serves :data:`REBALANCE_LEAD`
clients more than the least loaded one answers with ``Connection: close``, so
that the client reconnects, and the kernel hands the new connection to either
worker, until they serve alike.  (Holding back from accepting instead would let
an idle worker sleep on a stale count while no one accepts.)

A reverse proxy in front (nginx, Caddy) adds what one process cannot: limits per
client address (every client of a proxy has the proxy's address), TLS, and
buffering of slow uploads before they reach Dari; see SECURITY.md.
"""

from __future__ import annotations

import json
import logging
import resource
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask

__all__ = [
    "CONNECTION_LIMIT",
    "FAST_PATHS",
    "HEAD_TIMEOUT",
    "IDLE_TIMEOUT",
    "MAX_QUEUE_WAIT",
    "QUEUE_LIMIT",
    "RECEIVED_AT",
    "REQUEST_TIMEOUT",
    "create_server",
    "raise_open_file_limit",
    "shed_when_busy",
]

log = logging.getLogger(__name__)

#: Open connections per worker process (waitress's default is 100).
CONNECTION_LIMIT = 2000
#: Seconds a connection has to send a request line and its headers.
HEAD_TIMEOUT = 10.0
#: Seconds a connection has to send a whole request, body included (5 MB uploads
#: need about 45 KB/s).
REQUEST_TIMEOUT = 120.0
#: Seconds an idle keep-alive connection is kept open (waitress's default is 120).
IDLE_TIMEOUT = 30.0
#: Seconds a refused request's connection is read from (and the data dropped) before it closes.
LINGER = 10.0
#: How often the deadlines are checked, in seconds.
CHECK_INTERVAL = 1.0
#: File descriptors kept free for everything else (index files, logs, sockets out).
SPARE_DESCRIPTORS = 256
#: Requests waiting for a thread (per worker process) beyond which more are shed.
QUEUE_LIMIT = 32
#: Seconds a request may wait for a thread before it is shed instead of answered late.
MAX_QUEUE_WAIT = 2.0
#: What a shed request's ``Retry-After`` says, in seconds.
RETRY_AFTER = 2
#: Paths answered by a thread of their own, never queued behind searches.
FAST_PATHS = frozenset({"/healthz"})
#: WSGI environ keys: ``time.monotonic()`` when the request had arrived whole; whether it is shed.
RECEIVED_AT = "dari.received_at"
SHED = "dari.shed"
BUSY_MESSAGE = "The server is busy; please try again in a few seconds."


class WorkerLoad(Protocol):
    """How many clients a worker serves, beside its siblings (:class:`web.workers.WorkerLoad`)."""

    def publish(self, clients: int) -> None: ...
    def lead(self) -> int: ...


#: A worker serving this many clients more than the least loaded one ends the
#: connections it answers (so that their clients reconnect, maybe to another worker).
REBALANCE_LEAD = 2
#: A client counts as served by a worker while its last answer is this recent (s):
#: connections that never asked (or went quiet) do not count.
ACTIVE_WINDOW = 2.0


class DeadlineTask(WSGITask):
    """Waitress's WSGI task, adding when the request arrived (and whether it is shed),
    and ending its connection when its worker is well ahead of another."""

    def build_response_header(self) -> bytes:
        load = getattr(self.channel.server, "load", None)
        if load is not None and load.lead() >= REBALANCE_LEAD:
            self.set_close_on_finish()  # "Connection: close": the client reconnects elsewhere
        header: bytes = super().build_response_header()
        return header

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[RECEIVED_AT] = getattr(self.request, "dari_received_at", None)
        environ[SHED] = getattr(self.request, "dari_shed", False)
        return environ


#: What a request waitress refuses itself is told under ``/api``, by status
#: (``{limit}``: the largest body this server accepts).
REFUSALS = {
    400: "The request could not be understood.",
    413: "The request is too large: this server accepts at most {limit} in a request body.",
    431: "The request's headers are too large.",
}


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


class RefusalTask(ErrorTask):
    """Waitress's answer to a request it refuses itself: JSON under ``/api`` (as the
    app's own errors are), and the connection left to linger (see :class:`DeadlineChannel`)."""

    def execute(self) -> None:
        self.channel.linger_on_close = True
        path = getattr(self.request, "path", "") or ""
        if not path.startswith("/api"):
            super().execute()
            return
        error = self.request.error
        limit = _size(self.channel.server.adj.max_request_body_size)
        message = REFUSALS.get(error.code, error.reason).format(limit=limit)
        body = json.dumps({"error": message}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class DeadlineChannel(HTTPChannel):
    """A waitress connection that remembers when its current request started arriving,
    and that lingers after a refusal: reads and drops what the client still sends
    (up to :data:`LINGER` seconds) before it closes, so that the client reads the
    refusal instead of a reset."""

    task_class = DeadlineTask
    error_task_class = RefusalTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: when the request now awaited began: the connection, or the last response
        self.awaiting_since: float | None = self.creation_time
        self.linger_on_close = False
        self.lingering_since: float | None = None
        #: when this connection's last answer was finished (None: never answered)
        self.answered_at: float | None = None

    def service(self) -> None:
        super().service()
        self.answered_at = time.time()

    def readable(self) -> bool:
        return True if self.lingering_since is not None else bool(super().readable())

    def writable(self) -> bool:
        return False if self.lingering_since is not None else bool(super().writable())

    def handle_read(self) -> None:
        if self.lingering_since is None:
            super().handle_read()
            return
        try:
            data = self.socket.recv(self.adj.recv_bytes)
        except OSError:
            data = b""
        if not data or time.time() - self.lingering_since > LINGER:
            self.handle_close()

    def handle_close(self) -> None:
        if self.linger_on_close and self.lingering_since is None and self.connected:
            self.lingering_since = time.time()  # the answer is sent; stop writing, keep reading
            self.will_close = False
            try:
                self.socket.shutdown(socket.SHUT_WR)
                return
            except OSError:
                pass  # already gone: close now
        super().handle_close()

    def received(self, data: bytes) -> bool:
        if self.request is None and self.awaiting_since is None and data:
            self.awaiting_since = time.time()  # a keep-alive connection's next request
        done = super().received(data)
        if self.request is None:  # nothing half-received: the clock starts with the next byte
            self.awaiting_since = None
        return bool(done)

    def overdue(self, now: float) -> bool:
        """Whether the request now arriving has missed its deadline (head or whole)."""
        if self.requests or self.awaiting_since is None:
            return False  # being answered, or idle between requests (IDLE_TIMEOUT)
        request = self.request
        limit = (
            REQUEST_TIMEOUT if request is not None and request.headers_finished else HEAD_TIMEOUT
        )
        return now - self.awaiting_since > limit


class DeadlineServer(TcpWSGIServer):
    """Waitress's TCP server with :class:`DeadlineChannel` connections, load shedding
    and a fast lane (see the module's docstring)."""

    channel_class = DeadlineChannel

    def __init__(self, *args: Any, load: WorkerLoad | None = None, **kwargs: Any) -> None:
        self.fast_lane = ThreadedTaskDispatcher()
        self.fast_lane.set_thread_count(1)
        self.load = load
        super().__init__(*args, **kwargs)

    def readable(self) -> bool:
        """Within the limits, accept; and publish how many clients this worker serves.

        Waitress asks before every wait for events, so the count stays fresh.
        """
        accepting: bool = super().readable()  # also runs maintenance() now and then
        if self.load is not None:
            since = time.time() - ACTIVE_WINDOW
            self.load.publish(
                sum(
                    1
                    for channel in list(self.active_channels.values())
                    if (getattr(channel, "answered_at", None) or 0.0) > since
                )
            )
        return accepting

    def add_task(self, task: Any) -> None:
        """Queue a connection whose request has arrived whole (waitress calls this with
        the channel, under its lock): timestamped, and shed or fast-laned if it must be."""
        now = time.monotonic()
        requests = getattr(task, "requests", None) or []
        for request in requests:
            if getattr(request, "dari_received_at", None) is None:
                request.dari_received_at = now
        if requests and requests[0].path in FAST_PATHS:
            self.fast_lane.add_task(task)
            return
        if len(self.task_dispatcher.queue) >= QUEUE_LIMIT:
            for request in requests:
                request.dari_shed = True
            self.fast_lane.add_task(task)  # answered at once, without searching
            return
        super().add_task(task)

    def close(self) -> None:
        self.fast_lane.shutdown()
        super().close()

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections (adj.channel_timeout)
        closed = 0
        for channel in list(self.active_channels.values()):
            if not isinstance(channel, DeadlineChannel):
                continue
            if channel.lingering_since is not None:
                if now - channel.lingering_since > LINGER:
                    channel.handle_close()  # lingered long enough: close now
            elif channel.overdue(now):
                channel.will_close = True
                closed += 1
        if closed:
            log.info("closed %d connection(s) that sent their request too slowly", closed)


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def shed_when_busy(app: WSGIApp) -> WSGIApp:
    """``app``, except that a shed request, or one that waited too long for a thread,
    is answered ``503`` with ``Retry-After`` (JSON under ``/api``, plain text elsewhere)."""

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        received = environ.get(RECEIVED_AT)
        waited = time.monotonic() - received if received is not None else 0.0
        path = environ.get("PATH_INFO", "")
        if path not in FAST_PATHS and (environ.get(SHED) or waited > MAX_QUEUE_WAIT):
            if path.startswith("/api"):
                body = json.dumps({"error": BUSY_MESSAGE}).encode()
                content_type = "application/json"
            else:
                body = (BUSY_MESSAGE + "\n").encode()
                content_type = "text/plain; charset=utf-8"
            start_response(
                "503 Service Unavailable",
                [
                    ("Content-Type", content_type),
                    ("Content-Length", str(len(body))),
                    ("Retry-After", str(RETRY_AFTER)),
                    ("Cache-Control", "no-store"),
                    ("X-Content-Type-Options", "nosniff"),
                ],
            )
            return [body]
        return app(environ, start_response)

    return wsgi


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft limit of open files towards ``wanted``; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def create_server(
    app: Any,
    sock: socket.socket,
    threads: int,
    load: WorkerLoad | None = None,
    **adjustments: Any,
) -> DeadlineServer:
    """A waitress server for ``app`` on the listening socket ``sock`` (as waitress's own
    ``create_server`` makes one for a socket), with the limits above; ``load``: this
    worker's, when several share the socket."""
    limit = raise_open_file_limit(CONNECTION_LIMIT + SPARE_DESCRIPTORS)
    adj = Adjustments(
        sockets=[sock],
        threads=threads,
        connection_limit=max(100, min(CONNECTION_LIMIT, limit - SPARE_DESCRIPTORS)),
        channel_timeout=IDLE_TIMEOUT,
        cleanup_interval=CHECK_INTERVAL,
        asyncore_use_poll=True,
        **adjustments,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    return DeadlineServer(
        shed_when_busy(app),
        map={},
        _sock=sock,
        dispatcher=dispatcher,
        adj=adj,
        load=load,
        bind_socket=False,
        sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
    )
