"""``dari serve``: the web layer's command, registered with the CLI as an entry point.

``pyproject.toml`` lists :func:`register` in the ``dari.commands`` group, so
:mod:`search.cli` finds it without importing ``web`` itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from search.cli import AddCommand, Handler, add_glossary_option, positive_int
from search.settings import Settings

__all__ = ["register"]


def register(add: AddCommand, commands: dict[str, Handler]) -> None:
    """Add ``dari serve`` and its options to the ``dari`` parser."""
    p = add(
        "serve", "Serve the web UI and JSON API with waitress (builds the index if missing).", True
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; 0.0.0.0 for every interface (default: %(default)s)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=8000,
        help="the port to listen on; 0 picks a free one (default: %(default)s)",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="processes answering requests (default: DARI_WORKERS, else one per core, at most 4)",
    )
    p.add_argument(
        "--threads",
        type=positive_int,
        default=8,
        help="threads of each worker (default: %(default)s)",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="also reindex when files in the docs folder change (default: only at start)",
    )
    add_glossary_option(p)
    commands["serve"] = cmd_serve


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from search.analysis import preload_kiwi
    from search.settings import keep_thread_memory_small

    keep_thread_memory_small()  # before Kiwi loads and any thread starts
    # Kiwi's load and lazy set-up (about 1 s) start at once; kiwipiepy holds the GIL
    # for most of it, so importing Flask, Whoosh and numpy and opening the index
    # mostly wait for it
    kiwi_loading = preload_kiwi()
    from web.server import serve

    glossary: Path | None = args.glossary
    return serve(
        host=args.host,
        port=args.port,
        index_dir=args.index,
        docs_dir=args.docs,
        threads=args.threads,
        workers=args.workers,
        watch=args.watch,
        glossary=glossary,
        settings=settings,
        kiwi_loading=kiwi_loading,
    )
