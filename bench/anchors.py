"""The anchors: what the same text costs without Dari around it.

- :func:`kiwi_floor`: Kiwi alone, one process, one ``tokenize`` call per
  paragraph (model load included and reported apart) -- the floor for analysis.
  It also writes the *pre-tokenized text*: per paragraph, the content morphemes
  Dari keeps (same tags and stop morphemes), lowercased, space-separated.
- :func:`whoosh_floor`: raw Whoosh writing and searching that pre-tokenized
  text with a whitespace tokenizer, one process -- the floor of our engine.
- :func:`tantivy_floor`: tantivy (Rust, Python bindings) doing the same, with
  its own indexing threads -- what a native engine does.

The anchors' queries are the query mix's analysed words and phrases, all
required (any, for ``OR`` and ``match=any``), top 10 with stored text fetched;
and, when given, distinct queries of their own (:func:`anchor_distinct`: new
``review-any`` questions and word pairs, each asked once), reported per kind as
:mod:`bench.query_load` reports Dari's.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.query_load import Tally, distinct_summary

__all__ = [
    "AnchorQuery",
    "DistinctAnchorQueries",
    "anchor_distinct",
    "anchor_queries",
    "kiwi_floor",
    "tantivy_floor",
    "whoosh_floor",
]

AnchorQuery = tuple[list[str], list[list[str]], bool]  # (terms, phrases, any)
#: (kind, the query; None when it has nothing to search for) of distinct queries
DistinctAnchorQueries = list[tuple[str, AnchorQuery | None]]


def anchor_queries(mix: list[tuple[str, str, dict]]) -> list[AnchorQuery]:
    """The anchors' form of every query of ``mix`` (see the module's description)."""
    from bench.queries import anchor_terms

    out = []
    for _kind, q, options in mix:
        terms, phrases = anchor_terms(q)
        any_ = options.get("match") == "any" or " OR " in q
        out.append((terms, phrases, any_))
    return out


def anchor_distinct(queries: list[tuple[str, str, dict]]) -> DistinctAnchorQueries:
    """The anchors' form of distinct queries, with their kinds; None for a query with
    nothing to search for (Dari's ``400 Nothing left to search for``)."""
    from bench.queries import NOTHING_LEFT, anchor_terms
    from search.errors import QueryError

    out: DistinctAnchorQueries = []
    for kind, q, options in queries:
        try:
            terms, phrases = anchor_terms(q)
        except QueryError as exc:
            if not str(exc).startswith(NOTHING_LEFT):
                raise
            out.append((kind, None))
            continue
        any_ = options.get("match") == "any" or " OR " in q
        out.append((kind, (terms, phrases, any_) if terms or phrases else None))
    return out


def kiwi_floor(texts: Iterable[str], tokens_out: Path) -> dict:
    """Time Kiwi alone over ``texts``; write their pre-tokenized form to ``tokens_out``."""
    from search.analysis import KIWI_OPTIONS, KOREAN_CONTENT_TAGS, KOREAN_STOP_MORPHEMES

    started, cpu_started = time.perf_counter(), time.process_time()
    from kiwipiepy import Kiwi

    kiwi = Kiwi(**KIWI_OPTIONS)  # loaded as the product loads it
    load = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # of loading and tokenizing only
    tokenize = 0.0
    paragraphs = chars = 0
    with open(tokens_out, "w", encoding="utf-8") as out:
        for text in texts:
            t0, c0 = time.perf_counter(), time.process_time()
            tokens = kiwi.tokenize(text)
            tokenize += time.perf_counter() - t0
            cpu += time.process_time() - c0
            paragraphs += 1
            chars += len(text)
            kept = [
                t.form.lower()
                for t in tokens
                if t.tag.split("-", 1)[0] in KOREAN_CONTENT_TAGS
                and t.form not in KOREAN_STOP_MORPHEMES
                and not any(c.isspace() for c in t.form)
            ]
            out.write(" ".join(kept) + "\t" + text.replace("\t", " ") + "\n")
    return {
        "seconds": round(load + tokenize, 3),
        "load_seconds": round(load, 3),
        "tokenize_seconds": round(tokenize, 3),
        "cpu_seconds": round(cpu, 3),
        "paragraphs": paragraphs,
        "characters": chars,
        "chars_per_s": round(chars / tokenize) if tokenize else None,
    }


def _read_tokens(path: Path) -> Iterable[tuple[int, str, str]]:
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            tokens, _, text = line.rstrip("\n").partition("\t")
            yield i, tokens, text


def _time_one(tally: Tally, run: Callable[[AnchorQuery], None], kind: str, q: AnchorQuery) -> None:
    t0 = time.perf_counter()
    try:
        run(q)
    except Exception as exc:  # an anchor's failure is reported, not fatal
        tally.add_error(kind, repr(exc))
        return
    tally.add(kind, repr(q), {}, time.perf_counter() - t0)


def _time_queries(
    run: Callable[[AnchorQuery], None],
    queries: list[AnchorQuery],
    rounds: int,
    budget: float,
    kinds: list[str] | None = None,
    distinct: DistinctAnchorQueries | None = None,
) -> dict[str, Any]:
    """The fixed queries (warm-up, then ``rounds`` rounds) and then the ``distinct`` ones
    (each once, no warm-up), each phase at most ``budget`` s; per kind when ``kinds``
    (one per query) are given."""
    kinds = kinds or ["all"] * len(queries)
    for q in queries:  # warm up
        run(q)
    tally = Tally()
    started = time.perf_counter()
    for _ in range(rounds):
        for kind, q in zip(kinds, queries, strict=True):
            _time_one(tally, run, kind, q)
        if time.perf_counter() - started > budget:
            break
    tally.wall = time.perf_counter() - started
    out = tally.together().summary()
    out["kinds"] = tally.by_kind()
    if distinct:
        tally = Tally()
        started = time.perf_counter()
        for kind, query in distinct:
            if time.perf_counter() - started > budget:
                break
            if query is None:
                tally.add_nothing_left(kind)
            else:
                _time_one(tally, run, kind, query)
        tally.wall = time.perf_counter() - started
        out["distinct"] = distinct_summary(tally)
    return out


def whoosh_floor(
    tokens_file: Path,
    folder: Path,
    queries: list[AnchorQuery],
    rounds: int,
    budget: float,
    kinds: list[str] | None = None,
    distinct: DistinctAnchorQueries | None = None,
) -> dict:
    """Raw Whoosh over the pre-tokenized text: write (one process), then search
    (``queries``, then ``distinct``; see :func:`_time_queries`)."""
    from whoosh import fields, index
    from whoosh import query as wq
    from whoosh.analysis import SpaceSeparatedTokenizer

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    schema = fields.Schema(
        key=fields.ID(stored=True),
        text=fields.STORED(),
        tokens=fields.TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True),
    )
    started = time.perf_counter()
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=256)
    for i, tokens, text in _read_tokens(tokens_file):
        writer.add_document(key=str(i), text=text, tokens=tokens)
    add = time.perf_counter() - started
    writer.commit()
    build = time.perf_counter() - started

    searcher = ix.searcher()

    def run(q: AnchorQuery) -> None:
        terms, phrases, any_ = q
        clauses = [wq.Term("tokens", t) for t in terms]
        clauses += [wq.Phrase("tokens", p) for p in phrases]
        if not clauses:
            return
        query = wq.Or(clauses) if any_ else wq.And(clauses)
        for hit in searcher.search(query, limit=10):
            hit["text"]

    try:
        search = _time_queries(run, queries, rounds, budget, kinds, distinct)
    finally:
        searcher.close()
    return {
        "build_seconds": round(build, 3),
        "add_seconds": round(add, 3),
        "commit_seconds": round(build - add, 3),
        "size_bytes": _dir_size(folder),
        "search": search,
    }


def tantivy_floor(
    tokens_file: Path,
    folder: Path,
    queries: list[AnchorQuery],
    rounds: int,
    budget: float,
    kinds: list[str] | None = None,
    distinct: DistinctAnchorQueries | None = None,
) -> dict:
    """tantivy over the pre-tokenized text (whitespace tokenizer, positions), then search
    (``queries``, then ``distinct``; see :func:`_time_queries`)."""
    import tantivy

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("text", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tokens", stored=False, tokenizer_name="whitespace")
    schema = builder.build()
    started = time.perf_counter()
    ix = tantivy.Index(schema, path=str(folder))
    writer = ix.writer(heap_size=256_000_000, num_threads=2)
    for i, tokens, text in _read_tokens(tokens_file):
        writer.add_document(tantivy.Document(key=str(i), text=text, tokens=tokens))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - started
    ix.reload()
    searcher = ix.searcher()
    must, should = tantivy.Occur.Must, tantivy.Occur.Should

    def run(q: AnchorQuery) -> None:
        terms, phrases, any_ = q
        clauses = [tantivy.Query.term_query(schema, "tokens", t) for t in terms]
        clauses += [
            tantivy.Query.phrase_query(schema, "tokens", p)
            if len(p) > 1
            # a one-word phrase is a term
            else tantivy.Query.term_query(schema, "tokens", p[0])
            for p in phrases
        ]
        if not clauses:
            return
        query = tantivy.Query.boolean_query([(should if any_ else must, c) for c in clauses])
        result = searcher.search(query, 10, count=True)
        for _score, address in result.hits:
            searcher.doc(address)["text"]

    search = _time_queries(run, queries, rounds, budget, kinds, distinct)
    return {
        "build_seconds": round(build, 3),
        "size_bytes": _dir_size(folder),
        "search": search,
    }


def _dir_size(folder: Path) -> int:
    from bench.measure import dir_size

    return dir_size(folder)
