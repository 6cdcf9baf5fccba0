"""Search-quality evaluation on public benchmarks: loaders, metrics, baselines, runner.

Two benchmarks from ``../shared/bench`` (see ``docs/quality.md``):

* **KorQuAD 1.0 dev** as Korean retrieval: every paragraph (context) is one
  document, every question should find the paragraph its answer comes from.
  Metrics: MRR@10, hit@1, hit@10, and MRR@10 against the paragraph each
  question is *filed* under in the JSON (which, in the shared copy, is wrong
  for 54 % of the questions; see :func:`load_korquad`).
* **Cranfield**: 1,400 aeronautics abstracts, 225 queries, graded judgments.
  Metrics: nDCG@10 (grade 1 → gain 4 … grade 4 → gain 1) and MAP (every grade
  ≥ 1 relevant) over the first :data:`MAP_DEPTH` results.

* **xlang** (ko-en-news, ``park.{dev,test}.{en,ko}``): cross-lingual known-item
  retrieval.  Every Korean sentence of a split is one document; every English
  sentence is a query whose one relevant document is its translation (same
  line).  Rows: Dari with and without cross-lingual expansion; MRR@10, hit@10.
  Its splits are the two files (tune on ``park.dev``, report ``park.test``);
  the baselines do not apply (none of them can cross languages).

Queries are numbered from 1 in file order; odd numbers are the ``dev`` split
(tune on these), even numbers the ``test`` split (report, never tune), except
for xlang, whose splits are files.

The product row goes through the product's own path: the documents are written
as ``.txt`` files into a temporary folder, indexed with
:func:`search.indexing.build_index` and searched with :meth:`search.engine.Engine.search`
(``match="any"``, ten results a page), each question made safe by
:func:`plain_query` first.  The baselines are plain one-field Whoosh
indexes (BM25F, k1 = 1.2, b = 0.75) queried with an OR of the analysed
question's terms.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "BASELINES",
    "BENCHMARKS",
    "Benchmark",
    "EvalQuery",
    "Row",
    "average_precision",
    "default_bench_dir",
    "engine_rankings",
    "evaluate",
    "evaluate_xlang",
    "format_table",
    "hit_at",
    "load_benchmark",
    "load_cranfield",
    "load_korquad",
    "load_xlang",
    "ndcg_at",
    "plain_query",
    "reciprocal_rank",
    "run_baseline",
    "run_eval_command",
    "run_product",
    "run_product_variants",
]

#: "align" is not a retrieval benchmark: clause alignment, run by
#: :func:`search.evaluation.alignment.run_alignment_eval`.
ALIGN = "align"
BENCHMARKS = ("korquad", "cranfield", "xlang", ALIGN)
SPLITS = ("dev", "test")
#: Results looked at per query: MRR/hit/nDCG use the top 10, MAP the top 100.
CUTOFF = 10
MAP_DEPTH = 100
#: Cranfield grade → nDCG gain (1 is the most relevant grade, -1 means not relevant).
CRANFIELD_GAINS = {1: 4, 2: 3, 3: 2, 4: 1}
KORQUAD_FILE = Path("korquad") / "KorQuAD_v1.0_dev.json"
CRANFIELD_DIR = Path("cranfield")
XLANG_DIR = Path("ko-en-news")
#: The xlang rows: name → options of Engine.search.
XLANG_SYSTEMS = {"dari, no expansion": {"xlang": False}, "dari, expansion": {"xlang": True}}


def default_bench_dir() -> Path:
    """``$DARI_BENCH``, else ``../shared/bench`` beside the repository."""
    env = os.environ.get("DARI_BENCH")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "bench"


# --- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalQuery:
    number: int  # 1-based, in file order
    text: str
    relevant: dict[str, int]  # doc id -> gain (> 0)
    #: KorQuAD only: the paragraph(s) the question is filed under in the JSON,
    #: when that differs from where its answer is (see :func:`load_korquad`).
    filed: frozenset[str] = frozenset()
    #: a split set by the data (xlang: the file it comes from) instead of by number
    fixed_split: str = ""

    @property
    def split(self) -> str:
        if self.fixed_split:
            return self.fixed_split
        return "dev" if self.number % 2 else "test"


@dataclass
class Benchmark:
    name: str
    title: str  # for the table heading
    documents: dict[str, tuple[str, str]]  # doc id -> (title, body); title may be ""
    queries: list[EvalQuery]
    metrics: tuple[str, ...]
    depth: int = CUTOFF  # how many ranked documents the metrics need

    def text_of(self, doc_id: str) -> str:
        """A document as one string (title line, then body) for the baselines."""
        title, body = self.documents[doc_id]
        return f"{title}\n{body}" if title else body


def load_korquad(path: Path) -> Benchmark:
    """KorQuAD 1.0 JSON: every context a document, every question a query.

    A question's relevant document is the paragraph its answer comes from: the
    paragraph of its article whose context holds the answer text at the
    answer's ``answer_start``.  That is normally the paragraph the question is
    filed under, but the copy in ``../shared/bench`` files 3,291 of its 6,127
    questions under the *last* paragraph of their article although their
    answers are elsewhere (``docs/quality.md``); those questions keep the
    paragraph they are filed under in ``EvalQuery.filed`` for the "filed"
    metric.  Paragraphs with identical text count alike (KorQuAD repeats a
    context); a question whose answer is found nowhere keeps its filing.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    documents: dict[str, tuple[str, str]] = {}
    by_text: dict[str, list[str]] = {}
    articles: list[list[tuple[str, dict]]] = []
    for article in data["data"]:
        articles.append([])
        for para in article["paragraphs"]:
            doc_id = f"p{len(documents) + 1:05d}"
            documents[doc_id] = ("", para["context"])
            by_text.setdefault(para["context"], []).append(doc_id)
            articles[-1].append((doc_id, para))
    queries: list[EvalQuery] = []
    for paragraphs in articles:
        contexts = [para["context"] for _, para in paragraphs]
        for _, para in paragraphs:
            filed = by_text[para["context"]]
            for qa in para["qas"]:
                sources = _answer_sources(qa.get("answers") or [], para["context"], contexts)
                relevant = [d for ctx in sources for d in by_text[ctx]] or filed
                queries.append(
                    EvalQuery(
                        len(queries) + 1,
                        qa["question"],
                        {d: 1 for d in relevant},
                        frozenset(filed) if set(filed) != set(relevant) else frozenset(),
                    )
                )
    return Benchmark(
        name="korquad",
        title=(
            f"KorQuAD 1.0 dev: question → paragraph ({len(documents):,} paragraphs; "
            f"{sum(1 for q in queries if q.filed):,} of {len(queries):,} questions are filed "
            "under a paragraph that does not hold their answer: MRR@10 scores the one that "
            "does, MRR@10 filed the filing)"
        ),
        documents=documents,
        queries=queries,
        metrics=("MRR@10", "hit@1", "hit@10", "MRR@10 filed"),
    )


def _answer_sources(answers: list[dict], context: str, contexts: list[str]) -> list[str]:
    """The contexts holding the first answer at its offset: the question's own if it
    does, else every other paragraph of its article that does (a short answer can
    sit at the same offset in two of them; both count)."""
    if not answers:
        return []
    start, text = answers[0].get("answer_start", -1), answers[0].get("text", "")
    if not text or start < 0:
        return []
    if context[start : start + len(text)] == text:
        return [context]
    return [ctx for ctx in dict.fromkeys(contexts) if ctx[start : start + len(text)] == text]


_CRAN_FIELD_RE = re.compile(r"^\.([ITABW])\b ?(.*)$")


def _cran_records(text: str) -> Iterable[dict[str, str]]:
    """Records of a Cranfield SMART-format file as {'I': id, 'T': ..., 'W': ...}."""
    record: dict[str, list[str]] | None = None
    current = None
    for line in text.splitlines():
        m = _CRAN_FIELD_RE.match(line)
        if m:
            tag, rest = m.groups()
            if tag == "I":
                if record is not None:
                    yield {k: " ".join(" ".join(v).split()) for k, v in record.items()}
                record = {"I": [rest]}
                current = None
            else:
                current = tag
                if record is not None:
                    record.setdefault(tag, []).append(rest)
            continue
        if record is not None and current is not None:
            record[current].append(line)
    if record is not None:
        yield {k: " ".join(" ".join(v).split()) for k, v in record.items()}


def load_cranfield(folder: Path) -> Benchmark:
    """``cran.all.1400``, ``cran.qry`` (numbered 1..225 in file order) and ``cranqrel``."""
    folder = Path(folder)
    documents: dict[str, tuple[str, str]] = {}
    for rec in _cran_records((folder / "cran.all.1400").read_text(encoding="latin-1")):
        title = rec.get("T", "").removesuffix(" .").strip()
        documents[rec["I"].strip()] = (title, rec.get("W", ""))
    texts = [rec.get("W", "") for rec in _cran_records((folder / "cran.qry").read_text("latin-1"))]
    judged: dict[int, dict[str, int]] = {}
    for line in (folder / "cranqrel").read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        qnum, doc_id, grade = int(parts[0]), parts[1], int(parts[2])
        gain = CRANFIELD_GAINS.get(grade, 0)
        if gain and doc_id in documents:
            judged.setdefault(qnum, {})[doc_id] = gain
    queries = [EvalQuery(i, text, judged.get(i, {})) for i, text in enumerate(texts, 1)]
    return Benchmark(
        name="cranfield",
        title=f"Cranfield: query → abstracts ({len(documents):,} abstracts, graded judgments)",
        documents=documents,
        queries=queries,
        metrics=("nDCG@10", "MAP"),
        depth=MAP_DEPTH,
    )


def xlang_files(folder: Path, split: str) -> tuple[Path, Path]:
    """The English and Korean files of one xlang split (``park.<split>.en``/``.ko``)."""
    return folder / f"park.{split}.en", folder / f"park.{split}.ko"


def load_xlang(folder: Path, split: str = "test") -> Benchmark:
    """One split of ko-en-news: Korean sentences are the documents, English ones the queries.

    Line N of ``.ko`` translates line N of ``.en``; a pair with an empty side
    is left out.  Document ids carry the split and line (``test00042``).
    """
    en_path, ko_path = xlang_files(Path(folder), split)
    english = en_path.read_text(encoding="utf-8").splitlines()
    korean = ko_path.read_text(encoding="utf-8").splitlines()
    if len(english) != len(korean):
        raise ValueError(f"{en_path} has {len(english)} lines but {ko_path} has {len(korean)}")
    documents: dict[str, tuple[str, str]] = {}
    queries: list[EvalQuery] = []
    for line, (en, ko) in enumerate(zip(english, korean, strict=True), 1):
        if not en.strip() or not ko.strip():
            continue
        doc_id = f"{split}{line:05d}"
        documents[doc_id] = ("", ko.strip())
        queries.append(EvalQuery(line, en.strip(), {doc_id: 1}, fixed_split=split))
    return Benchmark(
        name="xlang",
        title=(
            f"ko-en-news ({split}): English sentence → its Korean translation "
            f"({len(documents):,} Korean sentences indexed)"
        ),
        documents=documents,
        queries=queries,
        metrics=("MRR@10", "hit@10"),
    )


def load_benchmark(name: str, bench_dir: Path) -> Benchmark:
    bench_dir = Path(bench_dir)
    if name == "korquad":
        return load_korquad(bench_dir / KORQUAD_FILE)
    if name == "cranfield":
        return load_cranfield(bench_dir / CRANFIELD_DIR)
    if name == "xlang":
        return load_xlang(bench_dir / XLANG_DIR, "test")
    raise ValueError(f"unknown benchmark {name!r}")


# --- metrics --------------------------------------------------------------------------


def reciprocal_rank(ranking: Sequence[str], relevant: Iterable[str], k: int = CUTOFF) -> float:
    """1/rank of the first relevant document within the top ``k``, else 0."""
    relevant = set(relevant)
    for rank, doc_id in enumerate(ranking[:k], 1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def hit_at(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float:
    """1 if a relevant document is within the top ``k``, else 0."""
    relevant = set(relevant)
    return 1.0 if any(doc_id in relevant for doc_id in ranking[:k]) else 0.0


def ndcg_at(ranking: Sequence[str], gains: dict[str, float], k: int = CUTOFF) -> float:
    """nDCG@k with linear gains: sum(gain / log2(rank + 1)) over the ideal ordering's sum."""
    dcg = sum(gains.get(d, 0) / math.log2(rank + 1) for rank, d in enumerate(ranking[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def average_precision(ranking: Sequence[str], relevant: Iterable[str]) -> float:
    """Mean of precision@rank at each relevant document retrieved, over all relevant ones."""
    relevant = set(relevant)
    if not relevant:
        return 0.0
    found = 0
    total = 0.0
    for rank, doc_id in enumerate(ranking, 1):
        if doc_id in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def metric_value(metric: str, ranking: Sequence[str], query: EvalQuery) -> float:
    if metric == "MRR@10":
        return reciprocal_rank(ranking, query.relevant, CUTOFF)
    if metric == "hit@1":
        return hit_at(ranking, query.relevant, 1)
    if metric == "hit@10":
        return hit_at(ranking, query.relevant, CUTOFF)
    if metric == "nDCG@10":
        return ndcg_at(ranking, query.relevant, CUTOFF)
    if metric == "MRR@10 filed":
        return reciprocal_rank(ranking, query.filed or query.relevant, CUTOFF)
    if metric == "MAP":
        return average_precision(ranking[:MAP_DEPTH], query.relevant)
    raise ValueError(f"unknown metric {metric!r}")


def mean_metrics(
    metrics: Sequence[str], rankings: dict[int, list[str]], queries: Sequence[EvalQuery]
) -> dict[str, float]:
    """Each metric averaged over ``queries`` (a missing ranking counts as an empty one)."""
    out = {}
    for metric in metrics:
        values = [metric_value(metric, rankings.get(q.number, []), q) for q in queries]
        out[metric] = sum(values) / len(values) if values else 0.0
    return out


# --- queries as plain text ------------------------------------------------------------

_OPERATOR_CHARS_RE = re.compile('["()\u201c\u201d\u201e\u300c\u300d]')
_OPERATOR_WORDS = frozenset(["OR", "AND", "NOT", "|", "&&", "+", "-"])
_FILTER_RE = re.compile(r"^(lang|doc):", re.IGNORECASE)


def plain_query(text: str) -> str:
    """A natural-language question as a Dari query whose words are all just words.

    Quotes and parentheses become spaces, a leading ``-`` is dropped from every
    word, the operator words ``OR``/``AND``/``NOT`` are lowercased (``|``,
    ``&&``, ``+`` and a lone ``-`` are dropped) and ``lang:``/``doc:`` lose their
    colon, so no character of the question can change the query's meaning.
    """
    words = []
    for word in _OPERATOR_CHARS_RE.sub(" ", text).split():
        word = word.lstrip("-")
        if word in _OPERATOR_WORDS:
            word = word.lower() if word.isalpha() else ""
        word = _FILTER_RE.sub(r"\1 ", word)
        if word:
            words.append(word)
    return " ".join(words)


# --- baselines --------------------------------------------------------------------------

Tokenize = Callable[[list[str]], list[list[str]]]

_WORD_RE = re.compile(r"\w+")
_CJK_RUN_RE = re.compile(
    "[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"  # Hangul
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"  # Han
)


def whitespace_tokens(texts: list[str]) -> list[list[str]]:
    """``\\w+`` lowercased: Korean words keep their particles (협력을 ≠ 협력)."""
    return [_WORD_RE.findall(t.lower()) for t in texts]


def bigram_tokens(texts: list[str]) -> list[list[str]]:
    """Lucene CJK-style: overlapping bigrams over each Hangul/CJK run (a single
    character alone is a unigram), ``\\w+`` lowercased words for everything else."""
    out = []
    for text in texts:
        tokens: list[str] = []
        for word in _WORD_RE.findall(text.lower()):
            pos = 0
            for m in _CJK_RUN_RE.finditer(word):
                tokens.extend(_split_digits_latin(word[pos : m.start()]))
                run = m.group(0)
                if len(run) == 1:
                    tokens.append(run)
                else:
                    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
                pos = m.end()
            tokens.extend(_split_digits_latin(word[pos:]))
        out.append(tokens)
    return out


def _split_digits_latin(text: str) -> list[str]:
    return [t for t in text.split("_") if t] if text else []


def kiwi_tokens(texts: list[str]) -> list[list[str]]:
    """Kiwi morphemes with Dari's content tags, lowercased (one batch call)."""
    from search.analysis import KOREAN_CONTENT_TAGS, kiwi

    out = []
    for tokens in kiwi().tokenize(texts):
        out.append(
            [
                t.form.lower().replace(" ", "_")
                for t in tokens
                if t.tag.split("-", 1)[0] in KOREAN_CONTENT_TAGS
            ]
        )
    return out


def _whoosh_tokens(analyzer_factory: Callable) -> Tokenize:
    def tokenize(texts: list[str]) -> list[list[str]]:
        analyzer = analyzer_factory()
        return [[t.text for t in analyzer(text)] for text in texts]

    return tokenize


def _standard():
    from whoosh.analysis import StandardAnalyzer

    return StandardAnalyzer()


def _stemming():
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer()


#: name → (tokenizer, description); each is indexed as one Whoosh field with BM25F defaults.
BASELINES: dict[str, tuple[Tokenize, str]] = {
    "whitespace": (whitespace_tokens, "\\w+ words, lowercased"),
    "bigrams": (bigram_tokens, "character bigrams over Hangul/CJK runs, words otherwise"),
    "kiwi": (kiwi_tokens, "Kiwi morphemes, content tags only"),
    "standard": (_whoosh_tokens(_standard), "Whoosh StandardAnalyzer (stop words)"),
    "stemming": (_whoosh_tokens(_stemming), "Whoosh StemmingAnalyzer (Porter)"),
}


def run_baseline(
    tokenize: Tokenize, bench: Benchmark, queries: Sequence[EvalQuery]
) -> dict[int, list[str]]:
    """Rankings from a one-field Whoosh index of ``tokenize``'s tokens (BM25F defaults)."""
    from whoosh import fields, scoring
    from whoosh import query as wq
    from whoosh.analysis import SpaceSeparatedTokenizer
    from whoosh.filedb.filestore import RamStorage

    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(SpaceSeparatedTokenizer()))
    ix = RamStorage().create_index(schema)
    doc_ids = list(bench.documents)
    writer = ix.writer()
    for doc_id, tokens in zip(doc_ids, tokenize([bench.text_of(d) for d in doc_ids]), strict=True):
        writer.add_document(id=doc_id, text=" ".join(tokens))
    writer.commit()
    rankings: dict[int, list[str]] = {}
    query_tokens = tokenize([q.text for q in queries])
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        for q, tokens in zip(queries, query_tokens, strict=True):
            terms = list(dict.fromkeys(tokens))
            if not terms:
                rankings[q.number] = []
                continue
            wquery = wq.Or([wq.Term("text", t) for t in terms])
            hits = searcher.search(wquery, limit=bench.depth)
            rankings[q.number] = [hit["id"] for hit in hits]
    return rankings


# --- the product -------------------------------------------------------------------------


def write_documents(bench: Benchmark, folder: Path) -> None:
    """One ``<doc id>.txt`` per document: the title line and a blank line (if any), the body."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, (title, body) in bench.documents.items():
        text = f"{title}\n\n{body}\n" if title else f"{body}\n"
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def run_product(
    bench: Benchmark,
    queries: Sequence[EvalQuery],
    workdir: Path | None = None,
) -> dict[int, list[str]]:
    """Rankings from Dari itself (see :func:`run_product_variants`, one variant)."""
    return run_product_variants(bench, queries, {PRODUCT: {}}, workdir)[PRODUCT]


def run_product_variants(
    bench: Benchmark,
    queries: Sequence[EvalQuery],
    variants: dict[str, dict],
    workdir: Path | None = None,
) -> dict[str, dict[int, list[str]]]:
    """Rankings from Dari itself: ``build_index`` over ``.txt`` files, then
    :func:`engine_rankings` once per variant (its ``Engine.search`` options)."""
    from search.engine import Engine
    from search.indexing import build_index

    with tempfile.TemporaryDirectory(prefix="dari-eval-", dir=workdir) as tmp:
        docs_dir = Path(tmp) / "docs"
        index_dir = Path(tmp) / "index"
        write_documents(bench, docs_dir)
        build_index(docs_dir, index_dir)
        engine = Engine(index_dir)
        out = {
            name: engine_rankings(engine, bench, queries, **options)
            for name, options in variants.items()
        }
        searcher = getattr(engine._local, "searcher", None)  # this thread's, if any
        if searcher is not None:
            searcher.close()
    return out


def engine_rankings(
    engine, bench: Benchmark, queries: Sequence[EvalQuery], **options
) -> dict[int, list[str]]:
    """Each query's ranking of documents by ``engine`` (query number → doc ids).

    Every question goes through :func:`plain_query` and ``Engine.search(q,
    match="any", **options)``, ten results a page.  A result is a paragraph; the
    ranking keeps each document's first paragraph.  Where the metrics look
    deeper than one page (Cranfield's MAP reads 100 documents) it asks for 100 a
    page and pages on until it has ``bench.depth`` documents or the results end.
    """
    from search.engine import MAX_PER_PAGE
    from search.query import QueryError

    per_page = CUTOFF if bench.depth <= CUTOFF else MAX_PER_PAGE
    rankings: dict[int, list[str]] = {}
    for q in queries:
        ranking: list[str] = []
        page = 1
        try:
            while len(ranking) < bench.depth:
                res = engine.search(
                    plain_query(q.text), match="any", per_page=per_page, page=page, **options
                )
                for r in res.results:
                    if r.doc_id not in ranking:
                        ranking.append(r.doc_id)
                if page >= res.pages:
                    break
                page += 1
        except QueryError:
            pass  # nothing searchable in the question: an empty ranking
        rankings[q.number] = ranking[: bench.depth]
    return rankings


# --- the runner and the table ----------------------------------------------------------


@dataclass
class Row:
    benchmark: str
    split: str
    system: str
    queries: int
    values: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


PRODUCT = "dari"


def evaluate(
    name: str,
    bench_dir: Path,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    systems: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Benchmark, list[Row]]:
    """Run every system over the benchmark's queries; one :class:`Row` per split and system.

    ``limit`` keeps the first N queries (in file order) before splitting.
    ``systems`` defaults to every baseline plus the product (``"dari"``).
    """
    if name == "xlang":
        return evaluate_xlang(bench_dir, splits, limit, progress)
    bench = load_benchmark(name, bench_dir)
    queries = [q for q in bench.queries if q.relevant]  # unjudged queries say nothing
    if limit:
        queries = queries[:limit]
    queries = [q for q in queries if q.split in splits]
    systems = list(systems) if systems else [*BASELINES, PRODUCT]
    rows: list[Row] = []
    for system in systems:
        started = time.perf_counter()
        if system == PRODUCT:
            rankings = run_product(bench, queries)
        else:
            rankings = run_baseline(BASELINES[system][0], bench, queries)
        seconds = time.perf_counter() - started
        if progress:
            progress(f"{name}: {system} done in {seconds:.1f} s")
        for split in splits:
            subset = [q for q in queries if q.split == split]
            values = mean_metrics(bench.metrics, rankings, subset)
            rows.append(Row(name, split, system, len(subset), values, seconds))
    return bench, rows


def evaluate_xlang(
    bench_dir: Path,
    splits: Sequence[str] = SPLITS,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Benchmark, list[Row]]:
    """Cross-lingual retrieval, with and without expansion (:data:`XLANG_SYSTEMS`).

    Each split is its own collection (its Korean sentences), indexed once and
    searched by both systems.  ``limit`` keeps the first N queries of each split;
    every sentence of the split is indexed all the same.
    """
    rows: list[Row] = []
    bench = None
    for split in splits:
        bench = load_xlang(Path(bench_dir) / XLANG_DIR, split)
        queries = bench.queries[:limit] if limit else bench.queries
        started = time.perf_counter()
        rankings = run_product_variants(bench, queries, XLANG_SYSTEMS)
        seconds = time.perf_counter() - started
        if progress:
            progress(f"xlang {split}: {len(queries)} queries, both systems in {seconds:.1f} s")
        for system in XLANG_SYSTEMS:
            values = mean_metrics(bench.metrics, rankings[system], queries)
            rows.append(Row("xlang", split, system, len(queries), values, seconds))
    assert bench is not None, "no split to evaluate"
    if len(splits) > 1:
        bench.title = (
            "ko-en-news: English sentence → its Korean translation (each split indexed on its own)"
        )
    return bench, rows


def format_table(bench: Benchmark, rows: Sequence[Row]) -> str:
    """A Markdown table: one line per split and system, the product last in each split."""
    header = ["split", "system", "queries", *bench.metrics]
    lines = [
        f"{bench.title}",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + " |",
    ]
    for split in SPLITS:
        for row in (r for r in rows if r.split == split):
            name = f"**{row.system}**" if row.system == PRODUCT else row.system
            cells = [row.split, name, str(row.queries)]
            cells += [f"{row.values[m]:.3f}" for m in bench.metrics]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_eval_command(args) -> int:
    """``dari eval korquad|cranfield|xlang|align|all [--split dev|test|all] [--bench-dir DIR] [--limit N]``."""
    bench_dir = Path(args.bench_dir) if getattr(args, "bench_dir", None) else default_bench_dir()
    names = BENCHMARKS if args.benchmark == "all" else (args.benchmark,)
    splits = SPLITS if getattr(args, "split", "all") in (None, "all") else (args.split,)
    for name in names:
        if name == ALIGN:
            continue  # checks its own data
        if name == "xlang":
            needed_paths = [
                p for split in splits for p in xlang_files(bench_dir / XLANG_DIR, split)
            ]
        else:
            needed_paths = [bench_dir / (KORQUAD_FILE if name == "korquad" else CRANFIELD_DIR)]
        for needed in needed_paths:
            if not needed.exists():
                print(f"dari eval: benchmark data not found: {needed}", file=sys.stderr)
                return 2
    tables = []
    for name in names:
        if name == ALIGN:
            from search.evaluation.alignment import run_alignment_eval

            code = run_alignment_eval(bench_dir, splits, getattr(args, "limit", None))
            if code:
                return code
            continue
        bench, rows = evaluate(
            name,
            bench_dir,
            splits=splits,
            limit=getattr(args, "limit", None),
            progress=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
        tables.append(format_table(bench, rows))
        print(tables[-1] + "\n", flush=True)
    return 0
