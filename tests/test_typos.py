"""Typo tolerance in matching (#16): a word the index does not hold also searches its
corrections — typos, keyboard-layout slips, initial consonants — shown as "also
searched", ranked below the words typed, off with ``typo=0``."""

from __future__ import annotations

import pytest

from search.analysis.keyboard import hangul_from_keys
from search.errors import QueryError
from search.query import parse_query
from search.request import SearchRequest
from search.typos import (
    CORRECTION_WEIGHT,
    initials_of,
    initials_pattern,
    letter_count,
    typo_budget,
)


def _corrections(results):
    return [e for e in results.expansions if e.get("kind") in ("typo", "layout", "initials")]


# -- the budget ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "letters"),
    [("quantom", 7), ("협렵", 6), ("양자", 5), ("미래", 4), ("공동성멍서", 14), ("AI협력", 8)],
)
def test_hangul_counts_its_jamo_as_letters(word, letters):
    assert letter_count(word) == letters


@pytest.mark.parametrize(
    ("word", "edits"),
    [("qunt", 0), ("미레", 0), ("quantom", 1), ("양저", 1), ("cooperaton", 2), ("공동성멍서", 2)],
)
def test_no_typo_below_five_letters_one_from_five_two_from_nine(word, edits):
    assert typo_budget(word) == edits


# -- typos -------------------------------------------------------------------------------


def test_a_misspelt_english_word_finds_what_the_word_finds(engine):
    typed, meant = engine.search("quantom"), engine.search("quantum")
    assert typed.total == meant.total > 0
    assert [(r.url, r.score) for r in typed.results] == [(r.url, r.score) for r in meant.results]
    assert _corrections(typed) == [{"from": "quantom", "to": ["quantum"], "kind": "typo"}]


def test_a_corrected_word_is_translated_as_the_word_is(engine):
    assert {"from": "quantum", "to": ["양자"]} in engine.search("quantom").expansions


def test_a_typo_in_a_korean_word_is_one_jamo_edit(engine):
    found = engine.search("협렵")
    assert _corrections(found) == [{"from": "협렵", "to": ["협력"], "kind": "typo"}]
    assert found.total == engine.search("협력").total > 0


def test_a_compound_with_a_typo_finds_the_compound_the_index_holds_in_pieces(engine):
    found = engine.search("공동성멍서")
    assert _corrections(found) == [{"from": "공동성멍서", "to": ["공동성명서"], "kind": "typo"}]
    assert found.total == engine.search("공동성명서").total > 0


def test_a_typo_that_changes_two_syllables_is_one_jamo_edit(engine):
    # ㄹ and ㅂ typed the wrong way round (혈벽), ㅇ left out of 공동 (고옹)
    assert _corrections(engine.search("혈벽"))[0]["to"] == ["협력"]
    assert _corrections(engine.search("고옹성명서"))[0]["to"] == ["공동성명서"]


def test_a_typo_in_the_first_letter_of_an_english_word_is_corrected(engine):
    assert _corrections(engine.search("cuantum"))[0]["to"] == ["quantum"]


def test_a_typo_keeps_the_particle_typed(engine):
    assert _corrections(engine.search("협렵을"))[0]["to"] == ["협력을"]


def test_every_misspelt_word_of_a_query_is_corrected(engine):
    found = engine.search("quantom cooperaton")
    assert [e["to"] for e in _corrections(found)] == [["quantum"], ["cooperation"]]
    assert not found.fallback and found.total > 0


def test_a_short_word_is_not_corrected_but_gets_a_did_you_mean(engine):
    # 미레 is one jamo from 미래, but a word of 4 jamo one edit from another is as often
    # another word: not searched, only suggested
    found = engine.search("미레")
    assert _corrections(found) == [] and found.total == 0
    assert engine.did_you_mean(SearchRequest("미레"), found) == "미래"


def test_a_word_the_glossary_holds_is_translated_not_corrected(engine):
    # 협력센터: 센터 is in no seed paragraph, but the glossary has the word
    found = engine.search("협력센터")
    assert _corrections(found) == []
    assert {"from": "협력센터", "to": ["cooperation center", "cooperation centre"]} in (
        found.expansions
    )


def test_a_word_the_index_holds_is_not_corrected(engine):
    assert _corrections(engine.search("quantum")) == []
    assert _corrections(engine.search("협력")) == []


def test_a_word_with_several_corrections_weighs_each_below_a_word_typed(engine):
    # ㅇㅈ stands for five words: a paragraph holding one of them is not held to be one
    # holding the word typed
    parsed = parse_query("ㅇㅈ", corrector=engine.corrector(engine.backend.view()))
    own, *words = parsed.query.subqueries  # ㅇㅈ itself (in no paragraph), then the words
    assert own.boost == 1.0
    assert len(words) == 5 and all(q.boost == CORRECTION_WEIGHT < 1 for q in words)


def test_quoted_and_excluded_words_are_taken_as_typed(engine):
    assert engine.search('"quantom"').total == 0
    assert engine.search("quantum -quantom").total == engine.search("quantum").total


def test_typo_off_searches_only_as_typed(engine):
    found = engine.search("quantom", typo=False)
    assert found.total == 0 and found.expansions == []


def test_a_correction_is_marked_in_the_snippets(engine):
    assert "<mark>" in engine.search("quantom").results[0].snippet


def test_the_document_view_marks_the_corrections_the_search_found(engine):
    hit = engine.search("quantom").results[0]
    marked = engine.document(hit.doc_id, "quantom")
    assert "<mark>" in next(p.html for p in marked.paragraphs if p.n == hit.paragraph)
    as_typed = engine.document(hit.doc_id, "quantom", typo=False)
    assert not any("<mark>" in p.html for p in as_typed.paragraphs)


# -- keyboard-layout slips ----------------------------------------------------------------


@pytest.mark.parametrize(("keys", "meant"), [("didwk", "양자"), ("guqfur", "협력")])
def test_korean_typed_with_the_english_layout_is_searched(engine, keys, meant):
    assert hangul_from_keys(keys) == meant
    found = engine.search(keys)
    assert _corrections(found) == [{"from": keys, "to": [meant], "kind": "layout"}]
    assert found.total == engine.search(meant).total > 0


def test_english_typed_with_the_korean_layout_is_searched(engine):
    found = engine.search("ㅂㅕ무셔ㅡ")  # the keys of "quantum"
    assert _corrections(found) == [{"from": "ㅂㅕ무셔ㅡ", "to": ["quantum"], "kind": "layout"}]
    assert found.total == engine.search("quantum").total


# -- initial consonants -------------------------------------------------------------------


def test_initial_consonants_find_the_compound(engine):
    found = engine.search("ㄱㄷㅅㅁㅅ")
    assert _corrections(found) == [{"from": "ㄱㄷㅅㅁㅅ", "to": ["공동성명서"], "kind": "initials"}]
    assert found.total == engine.search("공동성명서").total > 0


def test_initial_consonants_list_the_matching_words_most_frequent_first(engine):
    found = engine.search("ㅇㅈ")
    words = _corrections(found)[0]["to"]
    assert "양자" in words and all(initials_of(w) == "ㅇㅈ" for w in words)
    listed = engine.backend.view().lexicon().words_like(initials_pattern("ㅇㅈ"), 100)
    assert [w for w, _ in listed[: len(words)]] == words
    held = [n for _, n in listed]
    assert held == sorted(held, reverse=True)


def test_initial_consonants_off_with_typo_off(engine):
    with pytest.raises(QueryError, match="Nothing left to search for"):
        engine.search("ㅇㅈ", typo=False)
