"""``dari serve``: build the index if needed, warm up, then serve the app with waitress.

The settings come from :func:`search.settings.from_env` (``DARI_*``); the
arguments of :func:`serve` override them.

Requests are answered by several worker processes forked once everything is
loaded (:mod:`web.workers`; ``--workers``, ``DARI_WORKERS``), each with its own
threads, or by this process alone with ``--workers 1``.

With ``watch=True`` (``dari serve --watch``) a :class:`search.indexing.watch.FolderWatcher`
reindexes the docs folder in the background while serving; every worker's
engine follows each commit, so new documents are searchable without a restart.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from search.analysis import preload_kiwi
from search.documents import DocumentError, document_paths
from search.errors import ConfigError, DariError, StorageError, Unavailable
from search.indexing import IndexBusy
from search.indexing.build import ensure_index
from search.indexing.reindex import ReindexReport
from search.settings import Settings, from_env, keep_thread_memory_small
from web.admin import admin_configured
from web.workers import (
    WorkerLoad,
    can_fork,
    default_workers,
    run_workers,
    sigterm_as_interrupt,
)

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["serve"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: A warm-up query with Korean and English, so Kiwi and the stemmer are loaded
#: before the first visitor arrives rather than on their search.
WARM_UP_QUERY = "다리 bridge"


def _say(message: str) -> None:
    print(f"dari: {message}", file=sys.stderr, flush=True)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    index_dir: Path | str | None = None,
    docs_dir: Path | str | None = None,
    threads: int = 8,
    watch: bool = False,
    glossary: Path | str | None = None,
    settings: Settings | None = None,
    workers: int | None = None,
    kiwi_loading: threading.Thread | None = None,
) -> int:
    """Serve the web UI and JSON API until interrupted (Ctrl+C or SIGTERM); returns the exit code.

    ``index_dir`` and ``docs_dir`` default to the settings' (``DARI_INDEX``,
    ``DARI_DOCS``: ``index`` and ``seeds``); ``watch`` also reindexes the docs
    folder whenever its files change; ``glossary`` is a TSV whose entries add to
    the shipped glossary (else ``DARI_GLOSSARY``).  ``settings`` are
    :func:`~search.settings.from_env`'s unless given.  ``workers`` processes
    answer requests, each with ``threads`` threads (default ``DARI_WORKERS``, else
    one per core, at most four; see :mod:`web.workers`).
    """
    from web.serving import create_server  # waitress, with deadlines for slow clients

    # Take the port first: a clash is reported at once, not after building and warming up.
    try:
        sock = _listen(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _say(
                f"cannot listen on {host}:{port}: the port is already in use "
                "(is another server running? choose another with --port)"
            )
        else:
            _say(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return EXIT_FAILED
    if kiwi_loading is None:  # (the CLI starts it before importing this module)
        keep_thread_memory_small()
        kiwi_loading = preload_kiwi()  # meanwhile Flask, the app and the index are loaded
    try:
        settings = from_env() if settings is None else settings
        settings = dataclasses.replace(
            settings,
            index_dir=Path(index_dir) if index_dir is not None else settings.index_dir,
            docs_dir=Path(docs_dir) if docs_dir is not None else settings.docs_dir,
            glossary=Path(glossary) if glossary else settings.glossary,
        )
        index_dir, docs_dir = settings.index_dir, settings.docs_dir
        app = _prepare_app(settings)
        # the cluster's index follows the folder through `dari reindex`, uploads and --watch
        behind = not settings.opensearch_url and _behind(docs_dir, index_dir)
        if watch:
            document_paths(docs_dir)  # a clear message for a missing folder, not a traceback
    except (IndexBusy, StorageError) as exc:
        sock.close()
        _say(str(exc))
        return EXIT_FAILED
    except (ConfigError, DocumentError) as exc:  # a bad setting; no such documents folder
        sock.close()
        _say(str(exc))
        return EXIT_USAGE
    except BaseException:
        sock.close()
        raise

    # admin actions (uploads, deletions, reindex requests) are worth a line in the log
    if logging.getLogger("web").getEffectiveLevel() > logging.INFO:
        logging.getLogger("web").setLevel(logging.INFO)
    # waitress warns of every moment a request waited for a thread ("Task queue depth is
    # 1"): normal under load, and the server sheds what waits too long (web.serving)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    uploads = admin_configured(app.config)
    if uploads:
        _say("admin token set: adding and removing documents over HTTP is on (/upload, /api/docs)")

    if workers is None:
        workers = settings.serve_workers or default_workers()
    if workers > 1 and not can_fork():
        _say("several workers need fork(), which this system lacks; serving with one")
        workers = 1
    max_body = (
        max(app.config["MAX_CONTENT_LENGTH"], app.config["MAX_UPLOAD_REQUEST_LENGTH"])
        if uploads
        else app.config["MAX_CONTENT_LENGTH"]
    )

    def run_one(load: WorkerLoad | None = None) -> None:
        server = create_server(  # waitress with deadlines for slow clients (web.serving)
            app,
            sock,
            threads,
            load,
            ident="dari",
            # Request line plus headers; longer ones get waitress's 431. Below it, an
            # address over MAX_URL_LENGTH gets the app's 414 with a message.
            max_request_header_size=256 * 1024,
            # Waitress refuses bigger bodies itself (a plain-text 413) before buffering
            # them; the app applies each endpoint's own limit (a JSON 413). Without
            # uploads, no request needs more than MAX_CONTENT_LENGTH.
            max_request_body_size=max_body,
        )
        try:
            server.run()  # returns on Ctrl+C (waitress catches KeyboardInterrupt itself)
        finally:
            server.close()

    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    watcher = None

    def started() -> None:
        nonlocal watcher
        if behind:
            _catch_up(docs_dir, index_dir)
        if watch:
            from search.indexing.watch import FolderWatcher
            from web.service import get_engine

            with app.app_context():
                backend = get_engine().backend if settings.opensearch_url else None
            watcher = FolderWatcher(
                docs_dir, index_dir, on_report=_log_report, backend=backend
            ).start()
            _say(f"watching {docs_dir} for changes")
        shown_workers = f" with {workers} workers" if workers > 1 else ""
        print(
            f"Dari is serving on http://{shown_host}:{bound_port}/{shown_workers}  (Ctrl+C to stop)",
            flush=True,
        )

    code = EXIT_OK
    if threading.current_thread() is threading.main_thread():
        # Ctrl+C (SIGINT) stops the server even where it was started with SIGINT ignored,
        # as a non-interactive shell starts its background jobs: Python then installs no
        # KeyboardInterrupt of its own, and the server would never stop on it
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if workers > 1:
            kiwi_loading.join()  # no thread of ours may be mid-call when the workers fork
            _close_engine(app)  # each worker opens the index files itself
            code = run_workers(workers, run_one, _say, started=started)
        else:
            started()
            with sigterm_as_interrupt():
                run_one()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if watcher is not None:
            watcher.stop()
    _say("stopped")
    return code


def _behind(docs_dir: Path, index_dir: Path) -> bool:
    """Whether the documents folder changed while no server ran (or while a killed one
    was between saving an upload and indexing it); what interrupted uploads left in it
    is removed.  A quick look (names, sizes, times), made before serving."""
    from search.indexing.reindex import out_of_date
    from search.uploads import remove_pending

    try:
        remove_pending(docs_dir)
        return out_of_date(docs_dir, index_dir)
    except (DariError, OSError) as exc:
        _say(f"could not compare {docs_dir} with the index: {exc}")
        return False


def _catch_up(docs_dir: Path, index_dir: Path) -> None:
    """Index what :func:`_behind` found, in the background: searches are answered meanwhile."""
    from search.indexing.reindex import reindex

    def run() -> None:
        try:
            _log_report(reindex(docs_dir, index_dir, wait=True))
        except (DariError, OSError) as exc:
            _say(f"catching up with {docs_dir} failed: {exc}")

    _say(f"{docs_dir} changed since the index was made; reindexing in the background")
    threading.Thread(target=run, name="dari-catch-up", daemon=True).start()


def _log_report(report: ReindexReport) -> None:
    """What a reindex by the folder watcher changed, one line each."""
    if not (report.changed or report.skipped or report.full_build):
        return
    for label, ids in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for doc_id in ids:
            _say(f"  {label} {doc_id}")
    for skipped in report.skipped:
        _say(f"  skipped {skipped.name}: {skipped.reason}")
    _say(f"reindexed: {report.summary()}")


def _prepare_app(settings: Settings) -> Flask:
    """The app over the settings' index (built from their docs folder if missing), warmed up."""
    from web.app import create_app  # the engine's modules load while Kiwi does (preload_kiwi)
    from web.service import get_engine

    announced = False

    def announce(name: str = "", message: str = "") -> None:
        nonlocal announced
        if not announced:
            announced = True
            _say(f"no index in {settings.index_dir}; building it from {settings.docs_dir} …")

    if settings.opensearch_url:
        _say(f"searching the cluster at {settings.opensearch_url}")
    else:
        # said with the first document, as the build starts (there is no index before it)
        report = ensure_index(settings.docs_dir, settings.index_dir, on_document=announce)
        if report is not None:
            announce()
            _say(report.summary())
    app = create_app(settings=settings)
    started = time.perf_counter()
    with app.app_context():
        engine = get_engine()
    try:
        engine.search(WARM_UP_QUERY)
        engine.suggest(WARM_UP_QUERY)
    except Unavailable as exc:  # the cluster is down: serve, and answer 503 until it is back
        _say(f"{exc} Serving anyway: searches answer 503 until it does.")
    else:
        _say(f"warmed up in {time.perf_counter() - started:.1f} s")
    return app


def _close_engine(app: Flask) -> None:
    from web.service import get_engine

    with app.app_context():
        get_engine().close()


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0 picks a free one)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, socktype, proto, _, address = infos[0]
    sock = socket.socket(family, socktype, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock
