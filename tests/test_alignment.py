"""Aligned clauses: detecting a text given in both languages and pairing its paragraphs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from search.bilingual.alignment import (
    Alignment,
    Link,
    anchors_of,
    counterparts,
    find_alignments,
)
from search.bilingual.glossary import default_glossary
from search.documents import Paragraph, load_document

PRESS = "003_f33e5257b7cf7671"

#: Seed 003's joint statement, read by hand: English paragraph → Korean paragraph.
JOINT_STATEMENT = {
    14: 35,  # Joint Statement of the Republic of Korea and … ↔ 대한민국-미합중국 간의 … 공동성명서
    15: 36,  # … building upon their shared values and strong alliance … ↔ … 굳건한 한미 동맹을 바탕으로 …
    16: 37,  # We understand that science and technology are key drivers … ↔ 우리는 과학기술이 … 핵심 동력이며 …
    17: 38,  # We recognize that QIST is a critical and emerging technology … ↔ 우리는 QIST가 양자역학을 …
    18: 39,  # We assert that the emergence of such technologies … ↔ 우리는 이러한 기술의 출현이 …
    19: 40,  # We affirm that a skilled workforce … ↔ 우리는 QIST의 발전과 … 숙련된 노동력 …
    20: 41,  # We acknowledge that the QIST ecosystem … ↔ 우리는 학계, 정부, 민간 부문을 포함한 …
    21: 42,  # Building on the Agreement … July 2, 1999 … ↔ 1999년 7월 2일, 워싱턴에서 체결된 …
    22: 43,  # … freedom of inquiry … intellectual property … ↔ 우리는 질의의 자유 … 지식 재산 보호 및 집행 …
    23: 44,  # We commit to creating inclusive scientific research communities … ↔ … 포용적인 과학 연구 공동체 …
    24: 45,  # We strive to facilitate interactions … ↔ 우리는 QIST 연구 진행에 대한 이해의 폭을 …
    25: 46,  # … trusted global market and supply chain … ↔ … 신뢰받는 글로벌 시장 및 공급망 …
    26: 47,  # We plan to leverage regular bilateral and multilateral … ↔ … 양자(兩者) 및 다자 간 기회 …
    27: 48,  # We intend to promote joint research in QIST … ↔ 우리는 인적교류 및 … 공동 연구를 추진하여 …
    # (27's last sentence, "Cooperation pursuant to this Joint Statement …", has no Korean)
    28: 49,  # … look forward to deepened bonds of friendship … ↔ 한-미는 양국 간 우호관계와 …
    29: 50,  # Signed at Washington D.C., in two originals … ↔ 양측은 워싱턴 D.C.에서 … 원본 2부에 서명했다.
    30: 51,  # For the Republic of Korea ↔ 대한민국 대표
    31: 52,  # For the United States of America ↔ 미합중국 대표
    32: 53,  # Lee Jong Ho ↔ 이종호
    33: 54,  # Arati Prabhakar ↔ 아라티 프라바카
    34: 55,  # April 25th, 2023 ↔ 2023년 4월 25일
}


@pytest.fixture(scope="module")
def press(seeds_dir):
    return load_document(seeds_dir / f"{PRESS}.txt")


def test_the_joint_statement_in_seed_003_is_found_as_english_then_korean(press):
    [alignment] = find_alignments(press.paragraphs)
    assert alignment.en_run == tuple(range(14, 35))
    assert alignment.ko_run == tuple(range(35, 56))


def test_every_hand_made_pair_of_the_joint_statement_is_reproduced(press):
    [alignment] = find_alignments(press.paragraphs)
    found = {link.en: link.ko for link in alignment.links}
    assert found == {(en,): (ko,) for en, ko in JOINT_STATEMENT.items()}


@pytest.mark.parametrize(
    "seed",
    [
        "000_04ba2ab33a6fa034",
        "001_dc24151964aacdd8",
        "002_1f3f6e6e2c6619e0",
        "004_5334acd3d0054ac8",
    ],
)
def test_seeds_in_one_language_have_no_alignment(seeds_dir, seed):
    assert find_alignments(load_document(seeds_dir / f"{seed}.txt").paragraphs) == []


def test_the_korean_press_release_is_not_taken_for_a_translation_of_the_statement(press):
    # the press release (1-13) borders the English statement (14-34) and is about as
    # long as its translation would be, but its numbers, names and terms do not agree
    without_korean_version = press.paragraphs[:34]
    assert find_alignments(without_korean_version) == []


def test_a_merged_korean_paragraph_is_a_two_to_one_link(press):
    by_n = {p.n: p for p in press.paragraphs}
    english = [by_n[n] for n in range(15, 21)]
    merged = Paragraph(38, "ko", f"{by_n[38].text} {by_n[39].text}")
    korean = [by_n[36], by_n[37], merged, replace(by_n[40], n=39), replace(by_n[41], n=40)]
    [alignment] = find_alignments(english + korean)
    assert [(link.en, link.ko) for link in alignment.links] == [
        ((15,), (36,)),
        ((16,), (37,)),
        ((17, 18), (38,)),
        ((19,), (39,)),
        ((20,), (40,)),
    ]


def test_a_paragraph_left_untranslated_is_a_link_with_an_empty_side(press):
    by_n = {p.n: p for p in press.paragraphs}
    english = [by_n[n] for n in range(20, 26)]
    korean = [by_n[n] for n in (41, 42, 43, 45, 46)]  # 44 (= 23) left out
    [alignment] = find_alignments(english + korean)
    assert Link((23,), ()) in alignment.links
    assert Link((24,), (45,)) in alignment.links and Link((22,), (43,)) in alignment.links


def test_counterparts_point_both_ways_and_a_two_to_one_link_names_both_paragraphs():
    alignment = Alignment((1, 2, 3), (4, 5), [Link((1, 2), (4,)), Link((3,), ()), Link((), (5,))])
    assert counterparts([alignment]) == {
        1: {"paragraphs": [4], "lang": "ko"},
        2: {"paragraphs": [4], "lang": "ko"},
        4: {"paragraphs": [1, 2], "lang": "en"},
    }


def test_dates_are_anchors_in_both_languages():
    en = anchors_of("April 25th, 2023", "en")
    ko = anchors_of("2023년 4월 25일", "ko")
    assert {"4/25", "2023"} <= en.numbers & ko.numbers


def test_latin_names_in_korean_text_and_glossary_terms_are_anchors():
    ko = anchors_of("백악관 과학기술정책실(OSTP) 실장은 QIST 공급망을 논의했다.", "ko")
    en = anchors_of("The OSTP director discussed the QIST supply chain.", "en")
    assert {"ostp", "qist"} <= ko.latin
    assert {"ostp", "qist"} <= en.words
    glossary = default_glossary()
    supply_chain = glossary.entries_in("supply chain")
    assert supply_chain and supply_chain == glossary.entries_in("공급망")
    assert supply_chain <= ko.terms & en.terms  # one glossary entry on both sides
