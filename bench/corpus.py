"""Benchmark corpora: NSMC movie reviews as a Dari documents folder.

One document per movie, one paragraph per review, in the order of the TSV
(``movie_id, review_id, date, text``; grouped by movie).  Each document starts
with a title line, ``NSMC movie <id> reviews``, which is its own paragraph, so a
corpus of N reviews over M movies has N + M paragraphs.

The last :data:`HELD_OUT` reviews of the TSV are in no corpus (so the "712k"
corpus is every review but these): they are the ``review-any`` questions of
the benchmark (:func:`held_out_reviews`, :class:`bench.queries.DistinctQueries`).
"""

from __future__ import annotations

import gzip
import shutil
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "HELD_OUT",
    "NSMC_FILE",
    "Corpus",
    "corpus_limit",
    "corpus_texts",
    "count_reviews",
    "default_nsmc",
    "held_out_reviews",
    "iter_reviews",
    "write_corpus",
]

#: The reviews at the end of the TSV that no corpus holds: the ``review-any`` questions.
HELD_OUT = 2_000

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


def count_reviews(tsv: Path) -> int:
    """The number of non-empty reviews of ``tsv`` (what :func:`iter_reviews` yields)."""
    return sum(1 for _ in iter_reviews(tsv))


def corpus_limit(tsv: Path, limit: int | None, held_out: int = HELD_OUT) -> int:
    """The reviews a corpus of ``limit`` reviews (None: all) takes: at most all but the
    last ``held_out`` of ``tsv``."""
    cap = max(0, count_reviews(tsv) - held_out)
    return cap if limit is None else min(limit, cap)


def held_out_reviews(tsv: Path, corpus_reviews: int, held_out: int = HELD_OUT) -> list[str]:
    """The last ``held_out`` reviews of ``tsv``, from the end backward, less those a corpus of
    its first ``corpus_reviews`` reviews holds: any among its first ``corpus_reviews``, and
    any whose text is also the text of one of those (short reviews repeat: "최고")."""
    tail: deque[tuple[int, str]] = deque(maxlen=held_out)
    in_corpus: set[str] = set()
    for i, (_movie, text) in enumerate(iter_reviews(tsv)):
        if i < corpus_reviews:
            in_corpus.add(text)
        tail.append((i, text))
    return [t for i, t in reversed(tail) if i >= corpus_reviews and t not in in_corpus]


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
