"""The ``dari`` command: a thin shell over the library (argparse, printing, exit codes).

Exit codes: 0 success, 1 failure while working, 2 bad usage, bad query or no index.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from search.bilingual.glossary import GlossaryError
from search.documents import DocumentError
from search.engine import MAX_PER_PAGE, Engine
from search.indexing import IndexBusy, IndexMissing, build_index
from search.query import LANGUAGES, QueryError

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    COMMANDS[func.__name__.removeprefix("cmd_")] = func
    return func


def default_index() -> Path:
    return Path(os.environ.get("DARI_INDEX", "index"))


def default_docs() -> Path:
    return Path(os.environ.get("DARI_DOCS", "seeds"))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dari", description="Dari (다리): bilingual Korean/English full-text search."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--index", type=Path, default=default_index(), help="index folder (env DARI_INDEX)"
        )
        return p

    p = add("index", "Build the index from scratch (replaces the live index atomically).")
    p.add_argument("--docs", type=Path, default=default_docs(), help="docs folder (env DARI_DOCS)")

    p = add("search", "Search the index.")
    p.add_argument("query", nargs="+", help='words, "phrases", -exclusions, OR, lang:, doc:')
    p.add_argument(
        "--limit", type=_positive_int, default=10, help=f"results per page (max {MAX_PER_PAGE})"
    )
    p.add_argument("--page", type=_positive_int, default=1)
    p.add_argument("--lang", choices=LANGUAGES)
    p.add_argument("--doc", metavar="ID", help="only this document")
    p.add_argument("--match", choices=("all", "any"), default="all")
    p.add_argument("--json", action="store_true", help="print the JSON shape of the HTTP API")
    p.add_argument(
        "--no-xlang",
        dest="xlang",
        action="store_false",
        help="do not also search the translations of the query's words",
    )
    p.add_argument(
        "--glossary", type=Path, metavar="PATH", help="your glossary TSV (adds to the shipped one)"
    )

    p = add("reindex", "Apply only what changed in the docs folder (a full build if no index).")
    p.add_argument("--docs", type=Path, default=default_docs(), help="docs folder (env DARI_DOCS)")
    p.add_argument("--wait", action="store_true", help="wait for another running indexer")

    p = add("watch", "Watch the docs folder and reindex when changes settle.")
    p.add_argument("--docs", type=Path, default=default_docs(), help="docs folder (env DARI_DOCS)")
    p.add_argument("--settle", type=float, default=1.0, help="seconds of quiet before reindexing")

    p = add("serve", "Serve the web UI and JSON API with waitress (builds the index if missing).")
    p.add_argument("--docs", type=Path, default=default_docs(), help="docs folder (env DARI_DOCS)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--threads", type=_positive_int, default=8, help="waitress worker threads")
    p.add_argument(
        "--watch", action="store_true", help="also reindex when files in the docs folder change"
    )
    p.add_argument(
        "--glossary",
        type=Path,
        metavar="PATH",
        help="your glossary TSV, added to the shipped one (env DARI_GLOSSARY)",
    )

    p = add(
        "eval",
        "Measure search quality, cross-lingual retrieval (xlang) and clause alignment (align)"
        " on the benchmarks in ../shared/bench.",
    )
    p.add_argument("benchmark", choices=("korquad", "cranfield", "xlang", "align", "all"))
    p.add_argument("--split", choices=("dev", "test", "all"), default="all")
    p.add_argument("--bench-dir", type=Path, default=None, help="benchmark data folder")
    p.add_argument(
        "--limit",
        type=_positive_int,
        default=None,
        help="only the first N queries (align: sentence pairs)",
    )
    return parser


@command
def cmd_index(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    try:
        from search.documents import document_paths

        total = len(document_paths(args.docs))
    except DocumentError as exc:
        print(f"dari: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with tqdm(total=total, unit="file", file=sys.stderr, disable=None, desc="indexing") as bar:

        def progress(_name: str, message: str) -> None:
            bar.update()
            if message:
                tqdm.write(f"dari: {message}", file=sys.stderr)

        report = build_index(args.docs, args.index, on_document=progress)
    print(report.summary())
    return EXIT_OK


@command
def cmd_search(args: argparse.Namespace) -> int:
    if args.limit > MAX_PER_PAGE:
        print(f"dari search: --limit must be at most {MAX_PER_PAGE}", file=sys.stderr)
        return EXIT_USAGE
    from search.bilingual.expansion import load_glossary

    glossary = load_glossary(args.glossary) if args.glossary else None
    engine = Engine(args.index, glossary=glossary)
    results = engine.search(
        " ".join(args.query),
        page=args.page,
        per_page=args.limit,
        lang=args.lang,
        doc=args.doc,
        match=args.match,
        xlang=args.xlang,
    )
    if args.json:
        print(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_render_text(results, color=sys.stdout.isatty()))
    return EXIT_OK


@command
def cmd_reindex(args: argparse.Namespace) -> int:
    from search.indexing.reindex import reindex

    report = reindex(
        args.docs, args.index, wait=args.wait, on_change=lambda m: print(f"  {m}", file=sys.stderr)
    )
    print(report.summary())
    return EXIT_OK


@command
def cmd_watch(args: argparse.Namespace) -> int:
    import threading

    from search.documents import document_paths
    from search.indexing.watch import FolderWatcher

    document_paths(args.docs)  # a clear error for a missing folder before watching it

    def show(report) -> None:
        if report.changed or report.skipped or report.full_build:
            for label, ids in (
                ("added", report.added),
                ("updated", report.updated),
                ("removed", report.removed),
            ):
                for doc_id in ids:
                    print(f"  {label} {doc_id}", file=sys.stderr)
            for skipped in report.skipped:
                print(f"  skipped {skipped.name}: {skipped.reason}", file=sys.stderr)
            print(f"reindexed: {report.summary()}", flush=True)

    watcher = FolderWatcher(args.docs, args.index, settle=args.settle, on_report=show).start()
    print(f"watching {args.docs} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    finally:
        watcher.stop()
    return EXIT_OK


@command
def cmd_serve(args: argparse.Namespace) -> int:
    from web.server import serve

    return serve(
        host=args.host,
        port=args.port,
        index_dir=args.index,
        docs_dir=args.docs,
        threads=args.threads,
        watch=args.watch,
        glossary=args.glossary,
    )


@command
def cmd_eval(args: argparse.Namespace) -> int:
    from search.evaluation import run_eval_command

    return run_eval_command(args)


def _render_text(results, color: bool) -> str:
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("**", "**")
    lines = []
    for note in results.notes:
        lines.append(f"note: {note}")
    if results.expansions:
        lines.append(f"also searched: {results.expansions_text()}  (--no-xlang to turn off)")
    first = (results.page - 1) * results.per_page + 1
    if not results.results:
        lines.append(f"No results for: {results.query}")
        return "\n".join(lines)
    last = first + len(results.results) - 1
    noun = "result" if results.total == 1 else "results"
    lines.append(
        f"{results.total} {noun} for: {results.query}  "
        f"(showing {first}-{last}, page {results.page} of {results.pages}, {results.took_ms:.1f} ms)"
    )
    for i, r in enumerate(results.results, first):
        snippet = re.sub(r"</?mark>", lambda m: off if m.group(0) == "</mark>" else on, r.snippet)
        lines.append("")
        lines.append(f"{i:>3}. {r.title}  ¶{r.paragraph} [{r.lang}]  score {r.score:.2f}")
        lines.append(f"     {html.unescape(snippet)}")
        if r.counterpart:  # the same clause in the other language
            cp = r.counterpart
            text = " ".join(cp["text"].split())
            text = text if len(text) <= 200 else text[:199].rstrip() + "…"
            numbers = "–".join(str(n) for n in cp["paragraphs"])
            lines.append(f"     ↔ ¶{numbers} [{cp['lang']}] {text}")
        lines.append(f"     {r.url}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="dari: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except IndexMissing as exc:
        print(f"dari: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (QueryError, GlossaryError) as exc:
        print(f"dari: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (IndexBusy, DocumentError) as exc:
        print(f"dari: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("dari: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
