"""A build shared by several processes gives the same index as one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.engine import Engine
from search.indexing import build_index, build_procs, open_index, segments, split_evenly

QUERIES = [
    ("quantum", {}),
    ("quantum cooperation", {}),
    ('"joint statement"', {}),
    ("양자", {}),
    ("양자 협력", {}),
    ('"공동 성명"', {}),
    ("영화 연기", {}),
    ("배우 OR 감독", {}),
    ("재미 -지루", {}),
    ("quantum", {"lang": "en"}),
    ("협력", {"lang": "ko"}),
    ("movie 영화", {}),
    ("연기 감독 배우 음악", {"match": "any"}),
    ("research", {"doc": "004_5334acd3d0054ac8"}),
    ("lang:ko 과학", {}),
]

REVIEWS = [
    "배우들의 연기가 정말 좋았고 음악도 훌륭했다",
    "지루한 영화였다. 감독의 다음 작품을 기대한다",
    "재미있고 감동적인 영화 최고의 OST",
    "CG가 어색했지만 스토리는 괜찮았다 movie of the year",
    "다시 보고 싶은 영화, 배우와 감독 모두 최고",
]


@pytest.fixture(scope="module")
def docs(tmp_path_factory, seeds_dir) -> Path:
    folder = tmp_path_factory.mktemp("parallel-docs")
    for path in seeds_dir.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    for m in range(6):
        reviews = [f"{REVIEWS[(m + i) % len(REVIEWS)]} {i}" for i in range(12 + m)]
        text = "\n\n".join([f"NSMC movie {m} reviews", *reviews]) + "\n"
        (folder / f"movie_{m}.txt").write_text(text, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")  # skipped, in some worker's part
    return folder


@pytest.fixture(scope="module")
def indexes(docs, tmp_path_factory) -> dict[int, tuple[Path, object]]:
    out: dict = {}
    for procs in (1, 3):
        root = tmp_path_factory.mktemp(f"parallel-index-{procs}")
        seen: list[str] = []
        report = build_index(docs, root, on_document=lambda n, _m, s=seen: s.append(n), procs=procs)
        out[procs] = (root, report, seen)
    # one process writing a new segment every 500 postings (a large build's segments)
    root = tmp_path_factory.mktemp("parallel-index-small-segments")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(segments, "SEGMENT_POSTINGS", 500)
        out["small"] = (root, build_index(docs, root, procs=1), [])
    return out


def _answer(engine: Engine, q: str, options: dict) -> dict:
    res = engine.search(q, per_page=20, facets=True, **options)
    return {
        "total": res.total,
        "fallback": res.fallback,
        "facets": res.facets,
        "hits": [(r.doc_id, r.paragraph, r.score, r.snippet) for r in res.results],
    }


def test_parallel_build_writes_one_segment_per_process(indexes):
    root, _report, _seen = indexes[3]
    ix = open_index(root)
    try:
        assert len(ix._segments()) == 3
    finally:
        ix.close()


def test_reports_and_progress_agree(indexes, docs):
    one, three = indexes[1][1], indexes[3][1]
    assert (one.documents, one.paragraphs) == (three.documents, three.paragraphs) == (11, 203)
    assert [s.name for s in three.skipped] == ["broken.txt"] == [s.name for s in one.skipped]
    assert sorted(indexes[3][2]) == sorted(indexes[1][2]) == sorted(p.name for p in docs.iterdir())


def test_a_large_build_is_cut_into_segments_between_documents(indexes):
    ix = open_index(indexes["small"][0])
    try:
        assert len(ix._segments()) > 3
        reader = ix.reader()
        keys = [reader.stored_fields(i)["key"] for i in range(reader.doc_count_all())]
    finally:
        ix.close()
    single = open_index(indexes[1][0])
    try:
        expected = [single.reader().stored_fields(i)["key"] for i in range(len(keys))]
    finally:
        single.close()
    assert keys == expected


@pytest.mark.parametrize(("q", "options"), QUERIES)
@pytest.mark.parametrize("build", [3, "small"], ids=["three-processes", "small-segments"])
def test_same_results_as_one_process(indexes, q, options, build):
    single, other = Engine(indexes[1][0]), Engine(indexes[build][0])
    assert _answer(other, q, options) == _answer(single, q, options)


def test_same_documents_and_stats(indexes):
    single, parallel = Engine(indexes[1][0]), Engine(indexes[3][0])
    assert single.stats() == parallel.stats()
    strip = [(d.doc_id, d.title, d.paragraphs, d.languages, d.sha256) for d in single.documents()]
    assert strip == [
        (d.doc_id, d.title, d.paragraphs, d.languages, d.sha256) for d in parallel.documents()
    ]


def test_split_evenly_keeps_order_and_balances(tmp_path):
    paths = []
    for i, size in enumerate([10, 1, 1, 1, 50, 3, 3, 30]):
        path = tmp_path / f"{i}.txt"
        path.write_bytes(b"x" * size)
        paths.append(path)
    for parts in range(1, 10):
        cut = split_evenly(paths, parts)
        assert [p for part in cut for p in part] == paths
        assert len(cut) == min(parts, len(paths)) and all(cut)
    assert [len(part) for part in split_evenly(paths, 2)] == [5, 3]  # 63 and 36 bytes


def test_small_folders_stay_in_one_process(seeds_dir, monkeypatch):
    monkeypatch.delenv("DARI_BUILD_PROCS", raising=False)
    paths = sorted(seeds_dir.glob("*.txt"))
    assert build_procs(paths) == 1
    assert build_procs(paths, 2) == 2
    assert build_procs(paths[:1], 4) == 1
    monkeypatch.setenv("DARI_BUILD_PROCS", "2")
    assert build_procs(paths) == 2
