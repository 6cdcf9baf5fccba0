"""The ``dari`` command: a thin shell over the library (argparse, printing, exit codes).

Exit codes: 0 success, 1 failure while working, 2 bad usage, bad query or no
index (:data:`EXIT_CODES` maps the library's errors to them).  Settings come
from :func:`search.settings.from_env` (``DARI_*``); options override them.

Commands that live outside the library register themselves through the
``dari.commands`` entry-point group (``dari serve`` is ``web.cli:register``),
so the library never imports the web layer.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

from search.backend import Backend
from search.documents import DocumentError
from search.engine import Engine
from search.errors import Busy, DariError, StorageError
from search.indexing import BuildWorkerError, build_index
from search.request import LANGUAGES, MATCH_MODES, MAX_PER_PAGE, SearchRequest
from search.results import SearchResults
from search.settings import Settings, from_env

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "Handler",
    "add_glossary_option",
    "build_parser",
    "main",
    "positive_int",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: The exit code of each kind of error, first match wins: a failure while
#: working is 1; a bad query, option or setting, or a missing index, is 2.
EXIT_CODES: tuple[tuple[type[DariError], int], ...] = (
    (Busy, EXIT_FAILED),
    (StorageError, EXIT_FAILED),
    (DocumentError, EXIT_FAILED),
    (BuildWorkerError, EXIT_FAILED),
    (DariError, EXIT_USAGE),
)
#: A command: the parsed options and the settings → exit code.
Handler = Callable[[argparse.Namespace, Settings], int]
#: Makes a subcommand: (name, help, with --docs?) → its parser, ``--index`` added.
AddCommand = Callable[..., argparse.ArgumentParser]
#: Entry-point group of commands that live outside the library (``dari serve``):
#: each is a function ``register(add: AddCommand, commands: dict[str, Handler])``.
PLUGIN_GROUP = "dari.commands"
COMMANDS: dict[str, Handler] = {}


def command(func: Handler) -> Handler:
    COMMANDS[func.__name__.removeprefix("cmd_")] = func
    return func


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The ``dari`` parser, with defaults from ``settings`` (the environment's by default)."""
    settings = settings or from_env()
    parser = argparse.ArgumentParser(
        prog="dari", description="Dari (다리): bilingual Korean/English full-text search."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str, docs: bool = False) -> argparse.ArgumentParser:
        """A subcommand with ``--index`` (and ``--docs`` if ``docs``)."""
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--index", type=Path, default=settings.index_dir, help="index folder (env DARI_INDEX)"
        )
        if docs:
            p.add_argument(
                "--docs", type=Path, default=settings.docs_dir, help="docs folder (env DARI_DOCS)"
            )
        return p

    add("index", "Build the index from scratch (replaces the live index atomically).", True)

    p = add("search", "Search the index.")
    p.add_argument("query", nargs="+", help='words, "phrases", -exclusions, OR, lang:, doc:')
    p.add_argument(
        "--limit", type=positive_int, default=10, help=f"results per page (max {MAX_PER_PAGE})"
    )
    p.add_argument("--page", type=positive_int, default=1)
    p.add_argument("--lang", choices=LANGUAGES)
    p.add_argument("--doc", metavar="ID", help="only this document")
    p.add_argument("--match", choices=MATCH_MODES, default="all")
    p.add_argument("--json", action="store_true", help="print the JSON shape of the HTTP API")
    p.add_argument(
        "--no-xlang",
        dest="xlang",
        action="store_false",
        help="do not also search the translations of the query's words",
    )
    p.add_argument(
        "--no-typo",
        dest="typo",
        action="store_false",
        help="search the words only as typed: no typo, keyboard-layout or initials corrections",
    )
    add_glossary_option(p)

    p = add(
        "reindex", "Apply only what changed in the docs folder (a full build if no index).", True
    )
    p.add_argument("--wait", action="store_true", help="wait for another running indexer")

    p = add("watch", "Watch the docs folder and reindex when changes settle.", True)
    p.add_argument("--settle", type=float, default=1.0, help="seconds of quiet before reindexing")

    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name):
        plugin.load()(add, COMMANDS)

    p = add(
        "eval",
        "Measure search quality, cross-lingual retrieval (xlang), clause alignment (align)"
        " and typo tolerance (typos) on the benchmarks in ../shared/bench.",
    )
    p.add_argument("benchmark", choices=("korquad", "cranfield", "xlang", "align", "typos", "all"))
    p.add_argument("--split", choices=("dev", "test", "all"), default="all")
    p.add_argument("--bench-dir", type=Path, default=None, help="benchmark data folder")
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="only the first N queries (align: sentence pairs; typos: also seed words)",
    )
    return parser


def add_glossary_option(p: argparse.ArgumentParser) -> None:
    """``--glossary PATH``: a glossary TSV added to the shipped one (overrides DARI_GLOSSARY)."""
    p.add_argument(
        "--glossary",
        type=Path,
        metavar="PATH",
        help="your glossary TSV, added to the shipped one (env DARI_GLOSSARY)",
    )


@command
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from search.documents import Skipped, document_paths

    try:
        shadowed: list[Skipped] = []  # reported (and counted) as skipped by the build
        total = len(document_paths(args.docs, shadowed)) + len(shadowed)
    except DocumentError as exc:  # no such folder: a usage error here
        print(f"dari: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with tqdm(total=total, unit="file", file=sys.stderr, disable=None, desc="indexing") as bar:

        def progress(_name: str, message: str) -> None:
            bar.update()
            if message:
                tqdm.write(f"dari: {message}", file=sys.stderr)

        if settings.opensearch_url:
            from search.opensearch.indexing import build_cluster_index

            report = build_cluster_index(
                args.docs, settings, on_document=progress, procs=settings.build_procs
            )
        else:
            report = build_index(
                args.docs, args.index, on_document=progress, procs=settings.build_procs
            )
    print(report.summary())
    return EXIT_OK


def _cluster(settings: Settings) -> Backend | None:
    """The cluster's backend when DARI_OPENSEARCH_URL is set, else None (the local index)."""
    if not settings.opensearch_url:
        return None
    from search.opensearch.backend import ClusterBackend

    return ClusterBackend(settings)


@command
def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit > MAX_PER_PAGE:
        print(f"dari search: --limit must be at most {MAX_PER_PAGE}", file=sys.stderr)
        return EXIT_USAGE
    request = SearchRequest(
        q=" ".join(args.query),
        page=args.page,
        per_page=args.limit,
        lang=args.lang,
        doc=args.doc,
        match=args.match,
        xlang=args.xlang,
        typo=args.typo,
    )
    engine = Engine.from_settings(settings.replace(glossary=args.glossary), index_dir=args.index)
    results = engine.run(request)
    suggestion = engine.did_you_mean(request, results)
    if args.json:
        body = results.to_dict()
        body["suggestion"] = suggestion  # as the API has it
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return EXIT_OK
    text = _render_text(results, color=sys.stdout.isatty())
    if suggestion is not None:
        text = f"Did you mean: {suggestion}?\n{text}"
    print(text)
    return EXIT_OK


@command
def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from search.indexing.reindex import reindex

    def say(message: str) -> None:
        print(f"  {message}", file=sys.stderr)

    cluster = _cluster(settings)
    if cluster is not None:
        report = cluster.reindex(args.docs, wait=args.wait, on_change=say)
    else:
        report = reindex(args.docs, args.index, wait=args.wait, on_change=say)
    print(report.summary())
    return EXIT_OK


@command
def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    import threading

    from search.documents import document_paths
    from search.indexing.reindex import ReindexReport
    from search.indexing.watch import FolderWatcher

    document_paths(args.docs)  # a clear error for a missing folder before watching it

    def show(report: ReindexReport) -> None:
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

    watcher = FolderWatcher(
        args.docs, args.index, settle=args.settle, on_report=show, backend=_cluster(settings)
    ).start()
    print(f"watching {args.docs} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    finally:
        watcher.stop()
    return EXIT_OK


@command
def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from search.evaluation import EvalOptions, run_eval

    options = EvalOptions(
        benchmark=args.benchmark,
        split=args.split,
        bench_dir=args.bench_dir or settings.bench_dir,
        limit=args.limit,
    )
    return run_eval(options)


def _render_text(results: SearchResults, color: bool) -> str:
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("**", "**")
    lines = []
    for note in results.notes:
        lines.append(f"note: {note}")
    if results.expansions:
        flags = [
            flag
            for flag, used in (("--no-xlang", results.translated), ("--no-typo", results.corrected))
            if used
        ]
        shown = results.expansions_text()
        lines.append(f"also searched: {shown}  ({' / '.join(flags)} to turn off)")
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
        where = f"p. {r.page} ¶{r.paragraph}" if r.page else f"¶{r.paragraph}"
        lines.append(f"{i:>3}. {r.title}  {where} [{r.lang}]  score {r.score:.2f}")
        lines.append(f"     {html.unescape(snippet)}")
        if r.counterpart:  # the same clause in the other language
            cp = r.counterpart
            text = " ".join(cp["text"].split())
            text = text if len(text) <= 200 else text[:199].rstrip() + "…"
            numbers = "–".join(str(n) for n in cp["paragraphs"])
            lines.append(f"     ↔ ¶{numbers} [{cp['lang']}] {text}")
        lines.append(f"     {r.url}")
    return "\n".join(lines)


def exit_code(exc: DariError) -> int:
    """The exit code for ``exc`` (see :data:`EXIT_CODES`)."""
    return next(code for kind, code in EXIT_CODES if isinstance(exc, kind))


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="dari: %(message)s")
    try:
        settings = from_env()
    except DariError as exc:  # a DARI_* variable that cannot be used
        print(f"dari: {exc}", file=sys.stderr)
        return exit_code(exc)
    args = build_parser(settings).parse_args(argv)
    try:
        return COMMANDS[args.command](args, settings)
    except DariError as exc:
        print(f"dari: {exc}", file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        print("dari: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
