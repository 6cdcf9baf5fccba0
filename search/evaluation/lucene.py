"""The Lucene baseline rows of ``dari eval``: Elasticsearch's analyzers, as anchors.

What people compare Dari with for Korean is Elasticsearch or OpenSearch with the Nori
analyzer; for English, its English analyzer.  These rows run Lucene itself
(``LuceneBaseline.java`` beside this module: one text field, BM25 k1 = 1.2, b = 0.75,
a question's analysed terms OR-ed as the ``match`` query does) over the same
documents and questions as every other row:

============  =====================================================
row           analyzer
============  =====================================================
lucene-nori   ``KoreanAnalyzer`` (Nori: Korean morphemes, the ES default part-of-speech stop tags)
lucene-cjk    ``CJKAnalyzer`` (overlapping bigrams of CJK runs)
lucene-en     ``EnglishAnalyzer`` (stop words, possessives, Porter)
============  =====================================================

They need a JDK (``javac``, ``java``) and Lucene's jars, which Debian packages
(``apt-get install liblucene8-java``: Lucene 8.7 with Nori, in ``/usr/share/java``):
no download.  Without them the rows are left out and ``dari eval`` says why.  They
are a benchmark anchor, never a dependency of the product.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from search.errors import UserError
from search.evaluation.datasets import Benchmark, EvalQuery

__all__ = ["LUCENE_ROWS", "lucene_missing", "run_lucene"]

#: Row name → the analyzer LuceneBaseline.java builds.
LUCENE_ROWS = {"lucene-nori": "nori", "lucene-cjk": "cjk", "lucene-en": "english"}
#: Where Debian's liblucene8-java puts its jars.
JARS = Path("/usr/share/java")
_NEEDED = ("lucene-core", "lucene-analyzers-common", "lucene-analyzers-nori")
SOURCE = Path(__file__).with_name("LuceneBaseline.java")


def _jars() -> list[Path]:
    found = []
    for name in _NEEDED:
        candidates = sorted(JARS.glob(f"{name}-[0-9]*.jar"))
        if not candidates:
            return []
        found.append(candidates[-1])
    return found


def lucene_missing() -> str | None:
    """Why the Lucene rows cannot run here, or None when they can."""
    if not shutil.which("javac") or not shutil.which("java"):
        return "no JDK (javac, java) on this machine"
    if not _jars():
        return f"no Lucene jars in {JARS} (apt-get install liblucene8-java)"
    return None


def _clean(text: str) -> str:
    return " ".join(text.split())  # one line, no tabs: the Java side splits on them


def run_lucene(
    analyzer: str, bench: Benchmark, queries: Sequence[EvalQuery]
) -> dict[int, list[str]]:
    """Rankings (query number → document ids, best first) from Lucene with ``analyzer``."""
    missing = lucene_missing()
    if missing:
        raise UserError(f"The Lucene rows cannot run: {missing}.")
    classpath = ":".join(str(j) for j in _jars())
    with tempfile.TemporaryDirectory(prefix="dari-lucene-") as tmp:
        work = Path(tmp)
        subprocess.run(
            ["javac", "-nowarn", "-cp", classpath, "-d", str(work), str(SOURCE)],
            check=True,
            capture_output=True,
        )
        docs, asked, out = work / "docs.tsv", work / "queries.tsv", work / "rankings.tsv"
        with docs.open("w", encoding="utf-8") as fh:
            for doc_id in bench.documents:
                fh.write(f"{doc_id}\t{_clean(bench.text_of(doc_id))}\n")
        with asked.open("w", encoding="utf-8") as fh:
            for q in queries:
                fh.write(f"{q.number}\t{_clean(q.text)}\n")
        subprocess.run(
            ["java", "-cp", f"{classpath}:{work}", "LuceneBaseline", analyzer]
            + [str(docs), str(asked), str(bench.depth), str(out)],
            check=True,
            capture_output=True,
        )
        rankings: dict[int, list[str]] = {}
        for line in out.read_text("utf-8").splitlines():
            number, *ranked = line.split("\t")
            rankings[int(number)] = ranked
    return rankings
