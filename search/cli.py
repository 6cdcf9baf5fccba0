"""The ``dari`` command: a thin shell over the library (argparse, printing, exit codes).

Exit codes (the README's "Exit codes" table; :data:`EXIT_CODES` maps the
library's errors to them):

===  ======================================================================
0    done
1    the work failed: the index is busy, the disk is full or read-only, a
     build process died
2    bad usage or input: a wrong option or value, a bad query or setting, a
     folder or index that does not exist, a page past the last
130  interrupted (Ctrl+C) — but ``serve`` and ``watch``, which run until
     stopped, exit 0
===  ======================================================================

Every error is one line on stderr, ``dari: …`` (a build process that died adds
its traceback), also under ``--json`` (stdout is then empty); only a wrong option
prints a usage (of the command it belongs to).
Settings come from :func:`search.settings.from_env` (``DARI_*``); options
override them.

Commands that live outside the library register themselves through the
``dari.commands`` entry-point group (``dari serve`` is ``web.cli:register``),
so the library never imports the web layer.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from types import TracebackType
from typing import Any

from search.backend import Backend
from search.engine import Engine
from search.errors import Busy, DariError, QueryError, StorageError
from search.indexing import BuildWorkerError, build_index
from search.indexing.build import counted
from search.request import (
    DEFAULT_PER_PAGE,
    LANGUAGES,
    MATCH_MODES,
    MAX_PAGE,
    MAX_PER_PAGE,
    SORTS,
    SearchRequest,
)
from search.results import Result, SearchResults
from search.settings import Settings, from_env, parse_base_url

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "Handler",
    "add_glossary_option",
    "build_parser",
    "main",
    "positive_int",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Ctrl+C (128 + SIGINT, as shells report it); ``serve`` and ``watch`` stop with 0.
EXIT_INTERRUPTED = 130
#: The exit code of each kind of error, first match wins: the work failed (the
#: index is busy, the disk is full or read-only, a build process died) is 1;
#: everything else is what the user gave — a bad query, option or setting, a
#: folder or index that does not exist (DocumentError, IndexMissing), a page past
#: the last — and is 2.
EXIT_CODES: tuple[tuple[type[DariError], int], ...] = (
    (Busy, EXIT_FAILED),
    (StorageError, EXIT_FAILED),
    (BuildWorkerError, EXIT_FAILED),
    (DariError, EXIT_USAGE),
)
#: The option of ``dari search`` that sets each search parameter: a message about
#: the parameter names the option (``--limit must be …``, not ``per_page must be …``).
SEARCH_OPTIONS = {
    "page": "--page",
    "per_page": "--limit",
    "lang": "--lang",
    "doc": "--doc",
    "match": "--match",
}
#: Seconds between the progress lines of ``dari index`` when stderr is not a
#: terminal (a log, a CI job): there is no bar then.
PROGRESS_EVERY = 10.0
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


class CommandParser(argparse.ArgumentParser):
    """The parser of one command: an option it does not know is its own error.

    argparse hands a command's arguments to its parser with ``parse_known_args``
    and leaves what that parser did not know to the top parser, whose error
    shows the top usage (``dari [-h] COMMAND ...``); refusing them here shows
    the command's usage and options (``dari search --bogus q``).
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The ``dari`` parser, with defaults from ``settings`` (the environment's by default).

    Every option has a help text that says its default, if it has one.
    """
    settings = settings or from_env()
    parser = argparse.ArgumentParser(
        prog="dari", description="Dari (다리): bilingual Korean/English full-text search."
    )
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )

    def add(name: str, help_: str, docs: bool = False) -> argparse.ArgumentParser:
        """A subcommand with ``--index`` (and ``--docs`` if ``docs``)."""
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--index",
            type=Path,
            default=settings.index_dir,
            help="the index folder (env DARI_INDEX; default: %(default)s)",
        )
        if docs:
            p.add_argument(
                "--docs",
                type=Path,
                default=settings.docs_dir,
                help="the documents folder (env DARI_DOCS; default: %(default)s)",
            )
        return p

    add("index", "Build the index from scratch (replaces the live index atomically).", True)

    p = add("search", "Search the index.", True)
    p.add_argument("query", nargs="+", help='words, "phrases", -exclusions, OR, lang:, doc:')
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_PER_PAGE,
        help=f"results per page, 1 to {MAX_PER_PAGE} (default: %(default)s)",
    )
    p.add_argument(
        "--page",
        type=int,
        default=1,
        help=f"which page of results, 1 to the last (at most {MAX_PAGE:,}; default: %(default)s)",
    )
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="only paragraphs in this language, as lang: in the query (default: every one)",
    )
    p.add_argument(
        "--doc",
        metavar="ID",
        help="only this document, as doc: in the query (default: every one)",
    )
    p.add_argument(
        "--match",
        choices=MATCH_MODES,
        default="all",
        help="all: every word must match (else paragraphs with any, and it says so); "
        "any: any word may (default: %(default)s)",
    )
    p.add_argument(
        "--sort",
        choices=SORTS,
        default="relevance",
        help="relevance: best first; date: newest document first (undated last); document: in "
        "the order of the documents and their paragraphs (default: %(default)s)",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="where dari serve is reached (https://search.example.org): print full result "
        "links (env DARI_BASE_URL; default: the file path and paragraph)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print the JSON shape of the HTTP API (an error is still one line on stderr)",
    )
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
    p.add_argument(
        "--wait",
        action="store_true",
        help="wait for another running indexer (default: exit at once with code 1)",
    )

    p = add("watch", "Watch the docs folder and reindex when changes settle.", True)
    p.add_argument(
        "--settle",
        type=float,
        default=1.0,
        help="seconds of quiet before reindexing (default: %(default)s)",
    )

    for plugin in sorted(entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name):
        plugin.load()(add, COMMANDS)

    p = add(
        "eval",
        "Measure search quality, cross-lingual retrieval (xlang), clause alignment (align)"
        " and typo tolerance (typos) on the benchmarks in ../shared/bench.",
    )
    p.add_argument(
        "benchmark",
        choices=("korquad", "cranfield", "xlang", "align", "typos", "all"),
        help="what to measure",
    )
    p.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="all",
        help="dev (for tuning), test (for reporting) or both (default: %(default)s)",
    )
    p.add_argument(
        "--bench-dir",
        type=Path,
        default=None,
        help="the benchmark data folder (env DARI_BENCH; default: ../shared/bench)",
    )
    p.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="only the first N queries (align: sentence pairs; typos: also seed words; "
        "default: all)",
    )
    return parser


def add_glossary_option(p: argparse.ArgumentParser) -> None:
    """``--glossary PATH``: a glossary TSV added to the shipped one (overrides DARI_GLOSSARY)."""
    p.add_argument(
        "--glossary",
        type=Path,
        metavar="PATH",
        help="your glossary TSV, added to the shipped one (env DARI_GLOSSARY; default: none)",
    )


def _document_files(folder: Path) -> int:
    """How many document files ``folder`` holds (each read or reported as skipped);
    says so on stderr when there are none.  Raises :class:`~search.errors.DocumentError`
    (exit code 2) for a folder that does not exist."""
    from search.documents import Skipped, document_paths
    from search.formats import SUFFIXES

    shadowed: list[Skipped] = []  # reported (and counted) as skipped by a build
    total = len(document_paths(folder, shadowed)) + len(shadowed)
    if total == 0:
        print(
            f"dari: no documents in {folder}: Dari reads {', '.join(SUFFIXES)} files",
            file=sys.stderr,
        )
    return total


class IndexProgress:
    """How far ``dari index`` is, on stderr: tqdm's bar on a terminal; elsewhere (a log,
    a CI job) a line at most every :data:`PROGRESS_EVERY` seconds, and one at the end."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self.total, self.done = total, 0
        self._tqdm = tqdm
        self._bar = (
            tqdm(total=total, unit="file", file=sys.stderr, desc="indexing")
            if sys.stderr.isatty()
            else None
        )
        self._said_at = time.monotonic()
        self._said = -1  # files done when the last line was printed

    def __enter__(self) -> IndexProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.close()
        elif kind is None and self.total and self._said != self.done:
            self._line()

    def file_done(self, _name: str, message: str) -> None:
        """One file indexed or skipped (``message`` is said when not empty)."""
        self.done += 1
        if message:
            self.say(f"dari: {message}")
        if self._bar is not None:
            self._bar.update()
        elif time.monotonic() - self._said_at >= PROGRESS_EVERY:
            self._line()

    def say(self, line: str) -> None:
        """A line on stderr that does not break the bar."""
        if self._bar is not None:
            self._tqdm.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def _line(self) -> None:
        files = "file" if self.total == 1 else "files"
        share = self.done * 100 // self.total
        self.say(f"dari: indexing: {self.done:,} of {self.total:,} {files} ({share}%)")
        self._said_at, self._said = time.monotonic(), self.done


@command
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    total = _document_files(args.docs)
    if total:
        # about a second before the first file is done: say why nothing moves
        print("dari: loading the Korean analyser (Kiwi)…", file=sys.stderr, flush=True)
        from search.analysis import kiwi

        kiwi().tokenize("다리")  # its load and lazy set-up, as the first file would
    with IndexProgress(total) as progress:
        if settings.opensearch_url:
            from search.opensearch.indexing import build_cluster_index

            report = build_cluster_index(
                args.docs, settings, on_document=progress.file_done, procs=settings.build_procs
            )
        else:
            report = build_index(
                args.docs, args.index, on_document=progress.file_done, procs=settings.build_procs
            )
    print(report.summary())
    return EXIT_OK


def _cluster(settings: Settings) -> Backend | None:
    """The cluster's backend when DARI_OPENSEARCH_URL is set, else None (the local index)."""
    if not settings.opensearch_url:
        return None
    from search.opensearch.backend import ClusterBackend

    return ClusterBackend(settings)


def _search_request(args: argparse.Namespace) -> SearchRequest:
    """The validated request of ``dari search``'s options; a value it refuses is a
    :class:`QueryError` naming the option (``--limit must be a whole number …``)."""
    try:
        return SearchRequest(
            q=" ".join(args.query),
            page=args.page,
            per_page=args.limit,
            lang=args.lang,
            doc=args.doc,
            match=args.match,
            xlang=args.xlang,
            typo=args.typo,
            sort=args.sort,
        )
    except QueryError as exc:
        param, message = exc.param or "", str(exc)
        option = SEARCH_OPTIONS.get(param)
        if option is None or not message.startswith(param):
            raise
        raise QueryError(option + message[len(param) :], param=param) from None


@command
def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    request = _search_request(args)
    base_url = parse_base_url(args.base_url, "--base-url") if args.base_url else settings.base_url
    engine = Engine.from_settings(settings.replace(glossary=args.glossary), index_dir=args.index)
    results = engine.run(request)
    past = results.past_last_page()
    if past is not None:  # a usage error here; the API answers it with a note
        raise QueryError(past, param="page")
    suggestion = engine.did_you_mean(request, results)
    if args.json:
        body = results.to_dict()
        body["suggestion"] = suggestion  # as the API has it
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return EXIT_OK
    if base_url is not None:

        def link(r: Result) -> str:
            return base_url + r.url

    else:
        files: dict[str, str | None] = {}

        def link(r: Result) -> str:
            if r.doc_id not in files:
                info = engine.document_info(r.doc_id)
                files[r.doc_id] = str(args.docs / info.file) if info and info.file else None
            path = files[r.doc_id]
            if path is None:  # (an index of old, without file names)
                return r.url
            return f"{path} p. {r.page} ¶{r.paragraph}" if r.page else f"{path} ¶{r.paragraph}"

    text = _render_text(results, color=sys.stdout.isatty(), link=link)
    if suggestion is not None:
        text = f"Did you mean: {suggestion}?\n{text}"
    print(text)
    return EXIT_OK


@command
def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from search.indexing.reindex import reindex

    def say(message: str) -> None:
        print(f"  {message}", file=sys.stderr)

    _document_files(args.docs)
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

    from search.indexing.reindex import ReindexReport
    from search.indexing.watch import FolderWatcher

    _document_files(args.docs)  # a clear error for a missing folder before watching it

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
    except KeyboardInterrupt:  # how watching ends: not an error
        print("dari: stopped watching", file=sys.stderr)
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


def _render_text(results: SearchResults, color: bool, link: Callable[[Result], str]) -> str:
    """The text of ``dari search``: each result's heading, snippet, translation and
    ``link(result)`` (a full address, or its file and paragraph)."""
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
    lines.append(
        f"{counted(results.total, 'result')} for: {results.query}  "
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
        lines.append(f"     {link(r)}")
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
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`dari search … | head`): no traceback, and nothing more
        # written to the closed pipe when Python flushes stdout on the way out
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
