"""Cross-lingual query expansion: a query word also searches its translations."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.bilingual.expansion import Expander
from search.bilingual.glossary import Glossary
from search.engine import Engine
from search.indexing import build_index
from search.query import parse_query

DC_ARTICLE = "000_04ba2ab33a6fa034"
QUANTUM_KOREA_2025 = "001_dc24151964aacdd8"
PRESS = "003_f33e5257b7cf7671"


def ids(results, n: int = 5) -> list[str]:
    return [r.doc_id for r in results.results[:n]]


# --- on the seeds ------------------------------------------------------------------------


def test_a_korean_query_finds_the_english_article_through_its_translations(engine):
    # under match=all each word is satisfied by itself or its translation
    results = engine.search("워싱턴 협력센터")
    assert not results.fallback
    assert ids(results, 3) == [DC_ARTICLE] * 3
    assert {"from": "협력센터", "to": ["cooperation center", "cooperation centre"]} in (
        results.expansions
    )


def test_finland_roundtable_in_korean_finds_quantum_korea_2025(engine):
    results = engine.search("핀란드 라운드테이블")
    assert QUANTUM_KOREA_2025 in ids(results, 3)
    assert any('<mark class="translation">Roundtable</mark>' in r.snippet for r in results.results)


def test_a_quoted_glossary_term_also_searches_its_translation_as_a_phrase(engine):
    results = engine.search('"intellectual property"')
    korean = [r for r in results.results if r.lang == "ko"]
    assert [(r.doc_id, r.paragraph) for r in korean] == [(PRESS, 43)]
    assert '<mark class="translation">지식 재산</mark>' in korean[0].snippet
    # the English clause itself comes first
    assert results.results[0].lang == "en"


def test_same_language_matches_rank_above_translations(engine):
    assert {r.lang for r in engine.search("양자").results[:10]} == {"ko"}
    assert {r.lang for r in engine.search("협력").results[:5]} == {"ko"}
    assert {r.lang for r in engine.search("cooperation").results[:10]} == {"en"}
    supply = engine.search("공급망").results
    assert [r.lang for r in supply[:2]] == ["ko", "ko"] and supply[2].lang == "en"


def test_translation_words_are_marked_apart_from_words_typed_in_snippets(engine):
    results = engine.search("대전")
    assert results.expansions == [{"from": "대전", "to": ["Daejeon"]}]
    marked = '<mark class="translation">Daejeon'
    assert results.results and all(marked in r.snippet for r in results.results[:3])
    assert not any("<mark>Daejeon" in r.snippet for r in results.results)


def test_a_word_typed_that_is_also_a_translation_is_marked_as_typed(engine):
    results = engine.search("대전 Daejeon", match="any")
    assert any("<mark>Daejeon" in r.snippet for r in results.results)
    assert not any('<mark class="translation">Daejeon' in r.snippet for r in results.results)


def test_xlang_off_searches_only_the_words_typed(engine):
    results = engine.search("워싱턴 협력센터", xlang=False)
    assert results.expansions == []
    assert results.fallback  # no Korean paragraph has both words
    assert DC_ARTICLE not in {r.doc_id for r in results.results}
    assert engine.search("대전", xlang=False).total == 0


def test_the_document_view_marks_translations_too(engine):
    view = engine.document(DC_ARTICLE, "워싱턴")
    assert any('<mark class="translation">Washington' in p.html for p in view.paragraphs)
    view = engine.document(DC_ARTICLE, "워싱턴", xlang=False)
    assert not any("<mark" in p.html for p in view.paragraphs)


# --- how queries are expanded (a small glossary) -----------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Expander:
    path = tmp_path_factory.mktemp("glossary") / "g.tsv"
    path.write_text(
        "en\tko\tkind\n"
        "joint statement\t공동성명서\tterm\n"
        "intellectual property\t지식 재산|지식재산\tterm\n"
        "quantum\t양자\tterm\n"
        "Daejeon\t대전\tcity\n",
        "utf-8",
    )
    return Expander(Glossary.load(path))


def test_a_term_of_several_query_words_is_one_clause(small):
    parsed = parse_query("joint statement Daejeon", small)
    assert parsed.expansions == [
        {"from": "joint statement", "to": ["공동성명서"]},
        {"from": "Daejeon", "to": ["대전"]},
    ]
    # two clauses, each the original words OR the translation
    assert len(parsed.query.subqueries) == 2
    assert ["공동", "성명서"] in parsed.phrases and "대전" in parsed.terms


def test_a_korean_term_of_two_words_is_found_across_them(small):
    parsed = parse_query("지식 재산 보호", small)
    assert parsed.expansions == [{"from": "지식 재산", "to": ["intellectual property"]}]


def test_part_of_a_korean_compound_is_translated_on_its_own(small):
    parsed = parse_query("양자기술", small)
    assert parsed.expansions == [{"from": "양자", "to": ["quantum"]}]
    assert "quantum" in parsed.terms


def test_translations_weigh_less_than_the_words_typed(small):
    clause = parse_query("Daejeon", small).query
    own, translated = clause.subqueries
    assert own.boost == 1.0 and 0 < translated.boost < 1.0


def test_excluded_words_are_not_translated(small):
    parsed = parse_query("quantum -Daejeon", small)
    assert parsed.expansions == [{"from": "quantum", "to": ["양자"]}]
    assert "대전" not in parsed.terms


def test_without_an_expander_nothing_is_added(small):
    parsed = parse_query("joint statement Daejeon")
    assert parsed.expansions == [] and "대전" not in parsed.terms


def test_match_any_also_searches_the_translations(small):
    text = str(parse_query("Daejeon quantum", small).any_query)
    assert "대전" in text and "양자" in text


# --- romanization ----------------------------------------------------------------------------


def test_a_korean_name_without_an_entry_also_searches_its_romanization(small):
    parsed = parse_query("목포에서", small)
    assert parsed.expansions == [{"from": "목포", "to": ["mokpo"], "kind": "romanization"}]
    # a name with an entry gets its translation, not a romanization
    assert parse_query("대전", small).expansions == [{"from": "대전", "to": ["Daejeon"]}]


def test_common_korean_words_are_not_romanized(small):
    assert parse_query("협력을 확대", small).expansions == []


# --- tiny documents: romanization and joined spellings end to end ---------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Engine:
    root = tmp_path_factory.mktemp("tiny")
    docs = {
        "hyphen": "The co-operation agreement was signed.",
        "joined": "Cooperation grows between the labs.",
        "email-hyphen": "Send an e-mail to the office.",
        "email-joined": "Send email to the lab.",
        "known-hyphen": "A well-known lab.",
        "known-joined": "A wellknown lab.",
        "rd": "Our R&D budget grew.",
        "rd-ko": "연구개발 예산이 늘었다.",
        "mokpo": "The ferry left Mokpo harbour at dawn.",
    }
    (root / "docs").mkdir()
    for name, text in docs.items():
        (root / "docs" / f"{name}.txt").write_text(text + "\n", "utf-8")
    build_index(root / "docs", root / "index")
    return Engine(root / "index")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("co-operation", {"hyphen", "joined"}),
        ("cooperation", {"hyphen", "joined"}),
        ("e-mail", {"email-hyphen", "email-joined"}),
        ("email", {"email-hyphen", "email-joined"}),
        ("well-known", {"known-hyphen", "known-joined"}),
        ("wellknown", {"known-hyphen", "known-joined"}),
        ("R&D", {"rd", "rd-ko"}),
        ("연구개발", {"rd", "rd-ko"}),
    ],
)
def test_hyphenated_and_joined_spellings_find_each_other(tiny, query, found):
    assert {r.doc_id for r in tiny.search(query).results} == found


def test_a_korean_name_finds_its_romanized_spelling(tiny):
    results = tiny.search("목포")
    assert [r.doc_id for r in results.results] == ["mokpo"]
    assert '<mark class="translation">Mokpo</mark>' in results.results[0].snippet
    assert tiny.search("목포", xlang=False).total == 0


def test_an_engine_takes_its_own_glossary(tiny, tmp_path):
    path = tmp_path / "mine.tsv"
    path.write_text("ferry\t여객선\tterm\n", "utf-8")
    engine = Engine(tiny.index_dir, glossary=Glossary.load(path))
    assert [r.doc_id for r in engine.search("여객선").results] == ["mokpo"]
    assert Path(tiny.index_dir).exists()


def test_one_syllable_and_transliterated_foreign_names_are_not_romanized(small):
    # 미 (for 미국) would be "mi"; 라이스 "raiseu", which no English text spells
    assert parse_query("라이스 장관", small).expansions == []
    assert all(e.get("kind") != "romanization" for e in parse_query("미 의회", small).expansions)


# --- feedback (match=any) ------------------------------------------------------------------


def test_translations_do_not_add_to_the_weight_of_feedback(small):
    with_translations = parse_query("joint statement Daejeon", small).any_query
    without = parse_query("joint statement Daejeon").any_query
    assert with_translations.words == without.words == 3
    assert "대전" in with_translations.terms  # never fed back as a new word either


def test_the_feedback_pass_stops_at_its_deadline(engine):
    import time

    from search.feedback import feedback_terms

    parsed = parse_query("quantum cooperation", engine.expander)
    searcher = engine.searcher()
    assert feedback_terms(searcher, parsed.any_query.child, parsed.terms)
    started = time.perf_counter()
    late = feedback_terms(searcher, parsed.any_query.child, parsed.terms, deadline=started - 1)
    assert late == [] and time.perf_counter() - started < 1.0
