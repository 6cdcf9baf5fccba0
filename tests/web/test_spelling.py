"""“Did you mean”: search.spelling and Engine.suggest on the seeds (typo=False: with typo
tolerance on, the search itself already searches these corrections; see test_typos)."""

import pytest

from search.spelling import IndexLexicon, edit_distance, jamo_distance, suggest_query


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [
        ("quantim", "quantum"),
        ("computng", "computing"),
        ("Gretchan Cambell", "Gretchen Campbell"),
        ('"freedon of inquiry"', '"freedom of inquiry"'),
    ],
)
def test_english_typos_are_corrected_to_words_as_written_in_the_documents(web_engine, typo, fixed):
    assert web_engine.suggest(typo, typo=False) == fixed


@pytest.mark.parametrize(
    ("typo", "fixed"),
    [
        ("양자기슬", "양자기술"),  # ㅡ → ㅜ inside a compound
        ("정상회당", "정상회담"),  # final consonant
        ("굥동성명서", "공동성명서"),  # first syllable
        ("백악곤", "백악관"),  # ㅗ → ㅘ
        ("다자협약채", "다자협약체"),  # ㅐ/ㅔ sound alike
    ],
)
def test_korean_typos_are_corrected_at_the_morpheme_level(web_engine, typo, fixed):
    assert web_engine.suggest(typo, typo=False) == fixed


def test_korean_particle_after_a_typo_is_kept_as_typed(web_engine):
    assert web_engine.suggest("양자기슬을", typo=False) == "양자기술을"


def test_query_syntax_around_a_typo_is_kept(web_engine):
    assert web_engine.suggest("quantim lang:en -Daejeon", typo=False) == "quantum lang:en -Daejeon"


def test_capitalisation_of_the_typed_word_is_kept(web_engine):
    assert web_engine.suggest("QUANTIM", typo=False) == "QUANTUM"
    assert web_engine.suggest("Quantim", typo=False) == "Quantum"


@pytest.mark.parametrize(
    "query", ["quantum", "양자기술", '"freedom of inquiry"', "Gretchen Campbell"]
)
def test_no_suggestion_for_words_in_the_index(web_engine, query):
    assert web_engine.suggest(query, typo=False) is None


@pytest.mark.parametrize("query", ["xyzzy", "감사합니다", "한국어"])
def test_no_suggestion_without_a_close_indexed_word(web_engine, query):
    assert web_engine.suggest(query, typo=False) is None


def test_suggestion_needs_more_hits_than_the_original_under_the_same_filters(web_engine):
    # Gretchen Campbell only appears in an English paragraph
    assert web_engine.suggest("Gretchan", lang="en", typo=False) == "Gretchen"
    assert web_engine.suggest("Gretchan", lang="ko", typo=False) is None


def test_suggestion_that_removes_the_any_word_fallback_is_offered(web_engine):
    before = web_engine.search("quantum computng", typo=False)
    assert before.fallback
    assert web_engine.suggest("quantum computng", typo=False) == "quantum computing"


@pytest.mark.parametrize("query", ["", "   ", "the", "x" * 20_000, "\ud800", "((", "lang:xx"])
def test_suggest_never_raises_on_bad_queries(web_engine, query):
    assert web_engine.suggest(query, typo=False) is None


def test_a_typo_in_a_word_s_ending_is_fixed_though_the_index_holds_stems(web_engine):
    # the index holds "cooper" (cooperation's stem), four edits from "cooperaton"
    assert web_engine.suggest("cooperaton", typo=False) == "cooperation"


def test_every_misspelt_word_of_a_query_is_fixed(web_engine):
    assert web_engine.suggest("quantom cooperaton", typo=False) == "quantum cooperation"


def test_korean_typed_with_the_english_layout_is_suggested_in_hangul(web_engine):
    assert web_engine.suggest("didwk guqfur", typo=False) == "양자 협력"


def test_english_typed_with_the_korean_layout_is_suggested_in_latin_letters(web_engine):
    assert web_engine.suggest("ㅂㅕ무셔ㅡ 채ㅐㅔㄷㄱㅁ샤ㅐㅜ", typo=False) == "quantum cooperation"


def test_suggest_query_only_proposes_and_does_not_check_hits(web_engine):
    lexicon = IndexLexicon(web_engine.searcher())
    assert suggest_query(lexicon, "quantim") == "quantum"
    assert suggest_query(lexicon, "quantum") is None


def test_jamo_distance_counts_changed_jamo_and_like_sounding_vowels_as_half():
    assert jamo_distance("기슬", "기술") == 1
    assert jamo_distance("채", "체") == 0.5
    assert jamo_distance("양자", "양자") == 0


def test_edit_distance_is_levenshtein():
    assert edit_distance("quantim", "quantum") == 1
    assert edit_distance("computng", "computing") == 1
    assert edit_distance("", "abc") == 3


def test_queries_with_many_unknown_words_get_no_suggestion(web_engine):
    assert (
        web_engine.suggest("quantim " + " ".join(f"zzq{c}xv" for c in "abcdefg"), typo=False)
        is None
    )
