"""The Revised Romanization of Korean (국립국어원, 2000), with its sound-change rules.

The examples are those of the standard's own pages (제1장~제3장), plus the names
the search engine meets most.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.bilingual.romanization import romanize


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("구미", "gumi"),
        ("영동", "yeongdong"),
        ("옥천", "okcheon"),
        ("합덕", "hapdeok"),
        ("호법", "hobeop"),
        ("월곶", "wolgot"),
        ("벚꽃", "beotkkot"),
        ("한밭", "hanbat"),
        ("구리", "guri"),
        ("칠곡", "chilgok"),
        ("임실", "imsil"),
        ("부산", "busan"),
        ("서울", "seoul"),
        ("한국", "hanguk"),
        ("독도", "dokdo"),
        ("대전", "daejeon"),
        ("목포", "mokpo"),
        ("제주", "jeju"),
        ("광주", "gwangju"),
        ("인천", "incheon"),
        ("청주", "cheongju"),
        ("의정부", "uijeongbu"),
        ("경복궁", "gyeongbokgung"),
        ("세종", "sejong"),
    ],
)
def test_consonants_are_voiced_before_a_vowel_and_voiceless_before_a_consonant_or_at_the_end(
    hangul, roman
):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [("의정부", "uijeongbu"), ("광희문", "gwanghuimun"), ("외국", "oeguk"), ("위원", "wiwon")],
)
def test_vowels_follow_the_table_and_ui_stays_ui(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("백암", "baegam"),
        ("설악", "seorak"),
        ("한국어", "hangugeo"),
        ("옷이", "osi"),
        ("밖에", "bakke"),
        ("중앙", "jungang"),
    ],
)
def test_a_final_consonant_moves_over_to_a_following_vowel(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"), [("닭이", "dalgi"), ("값이", "gapsi"), ("앉아", "anja")]
)
def test_of_a_double_final_the_second_consonant_moves_over_to_a_vowel(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"), [("좋아", "joa"), ("많이", "mani"), ("싫어", "sireo")]
)
def test_a_final_h_is_silent_before_a_vowel(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [("닭", "dak"), ("값", "gap"), ("삶", "sam"), ("앉다", "anda"), ("여덟", "yeodeol")],
)
def test_a_double_final_is_written_as_the_consonant_pronounced(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("백마", "baengma"),
        ("왕십리", "wangsimni"),
        ("독립문", "dongnimmun"),
        ("속리산", "songnisan"),
        ("협력", "hyeomnyeok"),
        ("읽는", "ingneun"),
    ],
)
def test_k_t_p_become_nasal_before_n_and_m(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("신라", "silla"),
        ("한라산", "hallasan"),
        ("대관령", "daegwallyeong"),
        ("울릉", "ulleung"),
        ("별내", "byeollae"),
    ],
)
def test_l_next_to_n_or_l_is_ll(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [("종로", "jongno"), ("강릉", "gangneung"), ("독립", "dongnip"), ("협력", "hyeomnyeok")],
)
def test_l_after_another_consonant_is_n(hangul, roman):
    assert romanize(hangul) == roman


def test_the_road_suffix_ro_after_n_is_nno():
    assert romanize("신문로") == "sinmunno"


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("좋고", "joko"),
        ("놓다", "nota"),
        ("낳지", "nachi"),
        ("많다", "manta"),
        ("놓는", "nonneun"),
        ("잡혀", "japyeo"),
        ("넓히다", "neolpida"),
        ("앉히다", "anchida"),
    ],
)
def test_h_merges_with_a_neighbouring_k_t_p_ch_into_an_aspirate(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"), [("묵호", "mukho"), ("집현전", "jiphyeonjeon"), ("북한", "bukhan")]
)
def test_in_nouns_h_after_k_t_p_is_kept(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [("해돋이", "haedoji"), ("같이", "gachi"), ("굳히다", "guchida"), ("핥이다", "halchida")],
)
def test_t_before_i_becomes_j_or_ch(hangul, roman):
    assert romanize(hangul) == roman


@pytest.mark.parametrize(
    ("hangul", "roman"),
    [
        ("압구정", "apgujeong"),
        ("낙동강", "nakdonggang"),
        ("죽변", "jukbyeon"),
        ("낙성대", "nakseongdae"),
        ("합정", "hapjeong"),
        ("팔당", "paldang"),
        ("샛별", "saetbyeol"),
        ("울산", "ulsan"),
    ],
)
def test_tensification_is_not_written(hangul, roman):
    assert romanize(hangul) == roman


def test_no_n_is_inserted_between_the_parts_of_a_compound():
    # the standard writes hangnyeoul; where a compound's parts meet is not in the spelling
    assert romanize("학여울") == "hagyeoul"


def test_characters_that_are_not_hangul_syllables_pass_through_unchanged():
    assert romanize("종로3가") == "jongno3ga"
    assert romanize("부산 KTX-역") == "busan KTX-yeok"
    assert romanize("ㄱ부산") == "ㄱbusan"


@pytest.mark.parametrize("text", ["", "Seoul", "2024", " ", "ㄱㄴㄷ"])
def test_text_without_a_hangul_syllable_gives_nothing(text):
    assert romanize(text) == ""


def test_spaces_separate_words_and_are_kept():
    assert romanize("부산 서울") == "busan seoul"


def test_no_sound_changes_across_a_space():
    assert romanize("한국어") == "hangugeo"
    assert romanize("한국 어") == "hanguk eo"
    assert romanize("독립") == "dongnip"
    assert romanize("독 립") == "dok rip"


@given(st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1))
def test_hangul_syllables_romanize_to_lowercase_ascii_letters(hangul):
    assert re.fullmatch(r"[a-z]+", romanize(hangul))
