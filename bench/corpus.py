"""Benchmark corpora: NSMC movie reviews as a Dari documents folder.

One document per movie, one paragraph per review, in the order of the TSV
(``movie_id, review_id, date, text``; grouped by movie).  Each document starts
with a title line, ``NSMC movie <id> reviews``, which is its own paragraph, so a
corpus of N reviews over M movies has N + M paragraphs.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Corpus", "NSMC_FILE", "corpus_texts", "default_nsmc", "iter_reviews", "write_corpus"]

#: The NSMC reviews, in the benchmark data folder (``$DARI_BENCH``, else ``../shared/bench``).
NSMC_FILE = Path("nsmc") / "reviews.tsv.gz"


def default_nsmc() -> Path:
    """The NSMC reviews file of the benchmark data (see :func:`search.evaluation.default_bench_dir`)."""
    from search.evaluation import default_bench_dir

    return default_bench_dir() / NSMC_FILE


@dataclass
class Corpus:
    folder: Path
    reviews: int
    documents: int
    paragraphs: int
    characters: int  # of the paragraphs' text, as indexed (titles included)
    bytes: int


def iter_reviews(tsv: Path, limit: int | None = None) -> Iterator[tuple[str, str]]:
    """(movie_id, review text) for the first ``limit`` non-empty reviews of ``tsv`` (.gz or not)."""
    opener = gzip.open if str(tsv).endswith(".gz") else open
    count = 0
    with opener(tsv, "rt", encoding="utf-8") as fh:
        header = fh.readline()
        if not header.startswith("movie_id"):
            raise ValueError(f"{tsv}: expected a header line starting with movie_id")
        for line in fh:
            if limit is not None and count >= limit:
                return
            parts = line.rstrip("\n").split("\t", 3)
            if len(parts) < 4:
                continue
            text = " ".join(parts[3].split())
            if not text:
                continue
            count += 1
            yield parts[0], text


def write_corpus(tsv: Path, folder: Path, limit: int | None = None) -> Corpus:
    """Write the first ``limit`` reviews of ``tsv`` as one ``.txt`` per movie into ``folder``.

    The folder is emptied first.  Returns what was written.
    """
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    corpus = Corpus(folder, 0, 0, 0, 0, 0)
    current: str | None = None
    texts: list[str] = []

    def flush() -> None:
        if current is None:
            return
        title = f"NSMC movie {current} reviews"
        body = "\n\n".join([title, *texts]) + "\n"
        data = body.encode("utf-8")
        (folder / f"movie_{current}.txt").write_bytes(data)
        corpus.documents += 1
        corpus.paragraphs += 1 + len(texts)
        corpus.characters += len(title) + sum(len(t) for t in texts)
        corpus.bytes += len(data)

    for movie, text in iter_reviews(tsv, limit):
        if movie != current:
            flush()
            current, texts = movie, []
        texts.append(text)
        corpus.reviews += 1
    flush()
    return corpus


def corpus_texts(folder: Path) -> Iterator[str]:
    """Every paragraph text of a documents folder, as Dari would index it."""
    from search.documents import load_folder

    for doc in load_folder(Path(folder)):
        if hasattr(doc, "paragraphs"):
            for p in doc.paragraphs:
                yield p.text
