"""Keyboard-layout slips (#16): Hangul typed with the English layout, English with the Korean."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.analysis.keyboard import hangul_from_keys, keys_from_hangul


@pytest.mark.parametrize(
    ("keys", "hangul"),
    [
        ("didwk", "양자"),
        ("guqfur", "협력"),
        ("rhkgkrrltnf", "과학기술"),  # ㅗ then ㅏ make ㅘ
        ("rhdehdtjdaudtj", "공동성명서"),
        ("ekfr", "닭"),  # ㄹ then ㄱ make ㄺ at the end …
        ("ekfrdl", "닭이"),
        ("ekfrl", "달기"),  # … but ㄱ begins the next syllable before a vowel
        ("Rnf", "꿀"),  # shift types the tense consonant
    ],
)
def test_keys_typed_on_the_korean_layout_compose_as_the_input_method_does(keys, hangul):
    assert hangul_from_keys(keys) == hangul
    assert keys_from_hangul(hangul) == keys


@pytest.mark.parametrize("keys", ["qwe", "k", "did1", "hello world"])
def test_keys_that_leave_a_jamo_alone_or_are_not_letters_type_no_hangul(keys):
    assert hangul_from_keys(keys) is None


def test_english_typed_on_the_korean_layout_gives_back_its_keys():
    assert keys_from_hangul("ㅂㅕ무셔ㅡ") == "quantum"
    assert keys_from_hangul("채ㅐㅔㄷㄱㅁ샤ㅐㅜ") == "cooperation"


@given(st.lists(st.integers(min_value=0xAC00, max_value=0xD7A3), min_size=1, max_size=8))
def test_any_hangul_text_is_typed_back_by_its_keys(codes):
    text = "".join(map(chr, codes))
    assert hangul_from_keys(keys_from_hangul(text)) == text
