"""The benchmarks of ``dari eval``: where their data lives and how it is read.

Three retrieval benchmarks from ``../shared/bench`` (see ``docs/quality.md``):

* **KorQuAD 1.0 dev** as Korean retrieval: every paragraph (context) is one
  document, every question should find the paragraph its answer comes from.
  Metrics: MRR@10, hit@1, hit@10.
* **Cranfield**: 1,400 aeronautics abstracts, 225 queries, graded judgments.
  Metrics: nDCG@10 (grade 1 → gain 4 … grade 4 → gain 1) and MAP (every grade
  ≥ 1 relevant) over the first :data:`~search.evaluation.metrics.MAP_DEPTH` results.
* **xlang** (ko-en-news, ``park.{dev,test}.{en,ko}``): cross-lingual known-item
  retrieval.  Every Korean sentence of a split is one document; every English
  sentence is a query whose one relevant document is its translation (same
  line).  Its splits are the two files (tune on ``park.dev``, report ``park.test``).

Queries are numbered from 1 in file order; odd numbers are the ``dev`` split
(tune on these), even numbers the ``test`` split (report, never tune), except
for xlang, whose splits are files.  The fourth benchmark of ``dari eval``,
``align``, reads the same ko-en-news files its own way
(:mod:`search.evaluation.alignment`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.evaluation.metrics import CUTOFF, MAP_DEPTH
from search.settings import from_env

__all__ = [
    "ALIGN",
    "BENCHMARKS",
    "TYPOS",
    "CRANFIELD_DIR",
    "CRANFIELD_GAINS",
    "KORQUAD_FILE",
    "SPLITS",
    "XLANG_DIR",
    "Benchmark",
    "EvalQuery",
    "default_bench_dir",
    "load_benchmark",
    "load_cranfield",
    "load_korquad",
    "load_xlang",
    "xlang_files",
]

#: "align" is not a retrieval benchmark: clause alignment, run by
#: :func:`search.evaluation.alignment.run_alignment_eval`.
ALIGN = "align"
#: ``dari eval typos``: slipped queries (search.evaluation.typos)
TYPOS = "typos"
BENCHMARKS = ("korquad", "cranfield", "xlang", ALIGN, TYPOS)
SPLITS = ("dev", "test")
#: Cranfield grade → nDCG gain (1 is the most relevant grade, -1 means not relevant).
CRANFIELD_GAINS = {1: 4, 2: 3, 3: 2, 4: 1}
KORQUAD_FILE = Path("korquad") / "KorQuAD_v1.0_dev.json"
CRANFIELD_DIR = Path("cranfield")
XLANG_DIR = Path("ko-en-news")


def default_bench_dir() -> Path:
    """``$DARI_BENCH`` (:attr:`search.settings.Settings.bench_dir`), else ``../shared/bench``
    beside the repository."""
    configured = from_env().bench_dir
    if configured is not None:
        return configured
    # search/evaluation/datasets.py → the repository is parents[2], its folder parents[3]
    return Path(__file__).resolve().parents[3] / "shared" / "bench"


# --- data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalQuery:
    """One query of a benchmark and the documents that answer it."""

    number: int  # 1-based, in file order
    text: str
    relevant: dict[str, int]  # doc id -> gain (> 0)
    #: a split set by the data (xlang: the file it comes from) instead of by number
    fixed_split: str = ""

    @property
    def split(self) -> str:
        """``dev`` or ``test``: the data's own split, else odd numbers dev, even ones test."""
        if self.fixed_split:
            return self.fixed_split
        return "dev" if self.number % 2 else "test"


@dataclass
class Benchmark:
    """A collection, its queries with their judgments, and the metrics reported on it."""

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
    answer's ``answer_start``.  In the corrected copy in ``../shared/bench``
    (6,095 questions) that is the paragraph each question is filed under; an
    earlier copy filed 3,291 questions under the last paragraph of their article
    (``docs/quality.md``), and reading the answer's place keeps the benchmark
    right whichever copy it is given.  Paragraphs with identical text count alike
    (KorQuAD repeats a context); a question whose answer is found nowhere keeps
    its filing.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    documents: dict[str, tuple[str, str]] = {}
    by_text: dict[str, list[str]] = {}
    articles: list[list[tuple[str, dict[str, Any]]]] = []
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
                    EvalQuery(len(queries) + 1, qa["question"], {d: 1 for d in relevant})
                )
    return Benchmark(
        name="korquad",
        title=(
            f"KorQuAD 1.0 dev: question → the paragraph holding its answer "
            f"({len(documents):,} paragraphs, {len(queries):,} questions)"
        ),
        documents=documents,
        queries=queries,
        metrics=("MRR@10", "hit@1", "hit@10"),
    )


def _answer_sources(answers: list[dict[str, Any]], context: str, contexts: list[str]) -> list[str]:
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
    """The retrieval benchmark ``name`` (korquad, cranfield, xlang: its test split) from
    ``bench_dir``."""
    bench_dir = Path(bench_dir)
    if name == "korquad":
        return load_korquad(bench_dir / KORQUAD_FILE)
    if name == "cranfield":
        return load_cranfield(bench_dir / CRANFIELD_DIR)
    if name == "xlang":
        return load_xlang(bench_dir / XLANG_DIR, "test")
    raise ValueError(f"unknown benchmark {name!r}")
