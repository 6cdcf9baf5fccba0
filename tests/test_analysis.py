"""The bilingual analyzer: Korean morphology, English stemming, offsets and positions."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import analyze


def terms(text: str, mode: str = "index") -> list[str]:
    return [t[0] for t in analyze(text, mode)]


def test_korean_particles_and_endings_are_dropped():
    assert terms("협력을 강화하였다") == ["협력", "강화"]


def test_korean_compound_comes_out_as_its_parts():
    assert terms("양자정보과학기술") == ["양자", "정보", "과학", "기술"]


def test_spaced_and_joined_compounds_analyse_alike():
    assert terms("공동 성명서") == terms("공동성명서") == ["공동", "성명서"]


def test_each_word_of_a_several_word_name_is_a_term_of_its_own():
    # a query is analysed word by word, so 뒤마 alone must find 알렉상드르 뒤마
    terms = [t[0] for t in analyze("알렉상드르 뒤마의 소설과 교황 그레고리오 7세")]
    assert {"알렉상드르", "뒤마", "교황", "그레고리오"} <= set(terms)


def test_english_words_are_snowball_stemmed():
    assert terms("cooperating") == terms("cooperation") == terms("Cooperation")


def test_english_stop_words_are_dropped_but_us_is_kept():
    assert terms("the freedom of inquiry") == ["freedom", "inquiri"]
    assert "us" in terms("Korea and the US")


def test_identifiers_stay_findable():
    assert "rd" in terms("R&D")
    assert "entanglementexchangeorg" in terms("Entanglementexchange.org")
    assert terms("QIST") == ["qist"]
    assert terms("70주년") == ["70", "주년"]


def test_joined_word_is_indexed_as_whole_and_parts_at_one_position():
    tokens = analyze("good–faith cooperation")
    positions = {term: pos for term, pos, _, _ in tokens}
    assert positions["goodfaith"] == positions["good"] == positions["faith"] == 0
    assert positions["cooper"] == 1


def test_joined_word_is_queried_by_its_joined_form_only():
    assert terms("co-operation", mode="query") == terms("cooperation", mode="query")


def test_mixed_text_is_split_into_script_runs():
    assert terms("양자(Quantum) 과학기술") == ["양자", "quantum", "과학", "기술"]


def test_offsets_slice_to_the_surface_form_in_korean():
    text = "한-미 양자정보과학기술 협력 공동성명서에 서명하였다"
    surfaces = [text[s:e] for _, _, s, e in analyze(text, mode="query")]
    assert surfaces == ["한-미", "양자", "정보", "과학", "기술", "협력", "공동", "성명서", "서명"]


def test_hyphenated_korean_names_match_their_joined_spelling():
    assert terms("한미", mode="query")[0] in terms("한-미 동맹")
    assert terms("한·미", mode="query") == terms("한미", mode="query")


def test_offsets_slice_to_the_surface_form_in_english():
    text = "Cooperating partners, e.g. R&D labs."
    spans = {term: text[s:e] for term, _, s, e in analyze(text)}
    assert spans["cooper"] == "Cooperating"
    assert spans["partner"] == "partners"
    assert spans["rd"] == "R&D"


def test_nfd_hangul_offsets_point_into_the_original_string():
    text = unicodedata.normalize("NFD", "양자 협력을")
    tokens = analyze(text)
    assert [t[0] for t in tokens] == ["양자", "협력"]
    for term, _, start, end in tokens:
        assert unicodedata.normalize("NFC", text[start:end]) == term


def test_positions_are_consecutive_so_phrases_can_match():
    assert [t[1] for t in analyze("trusted global market and supply chain")] == [0, 1, 2, 3, 4]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_tokens_with_offsets_inside_it(text):
    for term, _, start, end in analyze(text):
        assert term
        assert 0 <= start < end <= len(text)
