"""Searchers in many threads share one memory map of each segment (search.indexing.SharedReadStorage)."""

from __future__ import annotations

import shutil
import threading

import search.indexing.generations as index_module
from search.engine import Engine
from search.indexing import build_index, open_index
from search.indexing.reindex import reindex

QUERIES = ["quantum", "양자 협력", '"joint statement"', "cooperation -Daejeon"]


def _answers(engine: Engine) -> list:
    return [
        [(r.doc_id, r.paragraph, r.score, r.snippet) for r in engine.search(q).results]
        for q in QUERIES
    ]


def test_threads_get_the_same_answers_from_shared_parts(seed_index):
    engine = Engine(seed_index)
    expected = _answers(engine)
    got: list = []

    def run() -> None:
        got.append(_answers(engine))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [expected] * 4


def test_a_second_reader_maps_nothing_again(seed_index):
    first = open_index(seed_index).searcher()
    maps = dict(index_module._maps)
    assert maps, "the compound segment is mapped"
    second = open_index(seed_index).searcher()
    try:
        assert second.doc_count() == first.doc_count()
        assert {k: id(v) for k, v in index_module._maps.items()} == {
            k: id(v) for k, v in maps.items()
        }
    finally:
        first.close()
        second.close()


def test_maps_of_replaced_segments_are_dropped(tmp_path, seeds_dir):
    docs = tmp_path / "docs"
    shutil.copytree(seeds_dir, docs)
    root = tmp_path / "index"
    build_index(docs, root)
    Engine(root).search("quantum")
    before = {k[0] for k in index_module._maps if k[0].startswith(str(root))}
    assert before
    build_index(docs, root)  # a new generation; the one before the previous is deleted
    build_index(docs, root)
    (docs / "note.txt").write_text("A note on quantum sensing", "utf-8")
    reindex(docs, root)
    engine = Engine(root)
    assert engine.search("sensing").total == 1
    live = {k[0] for k in index_module._maps if k[0].startswith(str(root))}
    assert live and not (before & live)
