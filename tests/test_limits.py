"""Limits that keep one request from hogging the machine."""

import pytest

from search.engine import Engine
from search.indexing import build_index


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    docs = tmp_path_factory.mktemp("many-docs")
    for d in range(20):
        paragraphs = [
            f"quantum cooperation report {d} item {i} on supply chains" for i in range(300)
        ]
        (docs / f"doc{d:02d}.txt").write_text("\n\n".join(paragraphs), "utf-8")
    root = tmp_path_factory.mktemp("many-index")
    build_index(docs, root)
    return root


def test_a_search_over_its_time_limit_answers_with_what_it_found_and_says_so(big_index):
    results = Engine(big_index, time_limit=0.0).search("quantum cooperation", facets=True)
    assert any("stopped after 0 s" in note for note in results.notes)
    assert results.total < 6000
    assert len(results.results) == min(results.total, 10)
    assert results.facets == {}  # not counted when the search was cut short


def test_within_the_time_limit_the_answer_is_complete(big_index):
    results = Engine(big_index).search("quantum cooperation")
    assert results.total == 6000
    assert not any("stopped" in note for note in results.notes)


def test_the_page_the_fallback_and_the_facets_share_one_time_limit(big_index):
    engine = Engine(big_index)
    results = engine.search("quantum cooperation", facets=True, time_limit=0.0)
    assert any("stopped after 0 s" in note for note in results.notes)
    assert results.facets == {}
    complete = engine.search("quantum cooperation", facets=True, time_limit=30.0)
    assert complete.total == 6000 and sum(complete.facets["lang"].values()) == 6000


def test_marking_a_document_stops_at_the_time_limit_and_says_so(big_index):
    view = Engine(big_index).document("doc00", "quantum", time_limit=0.0)
    assert len(view.paragraphs) == 300
    assert not any("<mark>" in p.html for p in view.paragraphs)
    assert view.notes == ["Matches are marked nowhere: marking was stopped after 0 s."]
    marked = Engine(big_index).document("doc00", "quantum")
    assert all("<mark>" in p.html for p in marked.paragraphs) and marked.notes == []


def test_no_suggestion_once_the_time_is_spent(big_index):
    engine = Engine(big_index)
    assert engine.suggest("quantim", typo=False) == "quantum"
    assert engine.suggest("quantim", time_limit=0.0, typo=False) is None
