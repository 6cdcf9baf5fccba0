"""Searching the seeds: the behaviours a user relies on, through the Engine."""

import json
import re
import unicodedata

import pytest

from search.query import QueryError

PRESS = "003_f33e5257b7cf7671"
DC_ARTICLE = "000_04ba2ab33a6fa034"


def hits(engine, q, **kw):
    return engine.search(q, per_page=100, **kw).results


def test_freedom_of_inquiry_phrase_puts_the_joint_statement_first_with_the_phrase_marked(engine):
    first = hits(engine, '"freedom of inquiry"')[0]
    assert (first.doc_id, first.lang) == (PRESS, "en")
    assert "<mark>freedom of inquiry</mark>" in first.snippet


def test_korean_compound_query_finds_the_press_release(engine):
    results = hits(engine, "다자협약체")
    assert results and all(r.doc_id == PRESS for r in results)
    assert "<mark>다자협약체</mark>" in results[0].snippet


def test_person_name_finds_the_dc_article(engine):
    results = hits(engine, "Gretchen Campbell")
    assert [r.doc_id for r in results] == [DC_ARTICLE]
    assert "<mark>Gretchen</mark> <mark>Campbell</mark>" in results[0].snippet


def test_particle_form_finds_the_bare_noun(engine):
    results = hits(engine, "협력을")
    assert results
    assert any("<mark>협력</mark>" in r.snippet for r in results)


def test_spaced_and_joined_compounds_find_each_other_also_as_phrases(engine):
    keys = [
        {(r.doc_id, r.paragraph) for r in hits(engine, q)}
        for q in ("공동 성명서", "공동성명서", '"공동 성명서"', '"공동성명서"')
    ]
    assert keys[0] and keys[2] and keys[2] == keys[3]
    assert keys[2] <= keys[0] == keys[1]


def test_short_compound_finds_paragraphs_with_the_longer_compound(engine):
    texts = [r.text for r in hits(engine, "양자기술")]
    assert any("양자과학기술" in t for t in texts)


def test_inflected_english_finds_other_forms(engine):
    texts = " ".join(r.text for r in hits(engine, "cooperating"))
    assert "cooperation" in texts


def test_nfd_query_finds_nfc_text(engine):
    nfd = unicodedata.normalize("NFD", "다자협약체")
    assert [r.paragraph for r in hits(engine, nfd)] == [
        r.paragraph for r in hits(engine, "다자협약체")
    ]


@pytest.mark.parametrize("q", ["R&D", "QIST", "Entanglementexchange.org", "70주년"])
def test_identifiers_and_numbers_are_findable(engine, q):
    assert hits(engine, q)


def test_agreement_clause_phrases_are_found_in_both_languages(engine):
    en = hits(engine, '"trusted global market and supply chain"')
    ko = hits(engine, '"신뢰받는 글로벌 시장"')
    assert en[0].doc_id == PRESS and en[0].lang == "en"
    assert "<mark>trusted global market and supply chain</mark>" in en[0].snippet
    assert ko[0].doc_id == PRESS and "<mark>신뢰받는 글로벌 시장</mark>" in ko[0].snippet


def test_phrase_needs_the_words_in_order(engine):
    assert hits(engine, '"freedom of inquiry"')
    assert not hits(engine, '"inquiry of freedom"')


def test_exclusion_removes_paragraphs_with_the_word(engine):
    results = hits(engine, "quantum -cooperation")
    assert results
    assert not any(re.search(r"cooperat", r.text, re.I) for r in results)


def test_exclusion_of_a_phrase(engine):
    with_phrase = {r.paragraph for r in hits(engine, "quantum doc:003_f33e5257b7cf7671")}
    without = {
        r.paragraph for r in hits(engine, 'quantum -"joint statement" doc:003_f33e5257b7cf7671')
    }
    assert without < with_phrase


def test_or_matches_either_word(engine):
    either = {(r.doc_id, r.paragraph) for r in hits(engine, "Gretchen OR Donelan")}
    assert {r.doc_id for r in hits(engine, "Gretchen OR Donelan")} == {
        DC_ARTICLE,
        "004_5334acd3d0054ac8",
    }
    assert either == {(r.doc_id, r.paragraph) for r in hits(engine, "Gretchen")} | {
        (r.doc_id, r.paragraph) for r in hits(engine, "Donelan")
    }


def test_lang_filter_in_the_query_and_as_an_option_agree(engine):
    in_query = hits(engine, "quantum lang:ko")
    as_option = hits(engine, "quantum", lang="ko")
    assert in_query and all(r.lang == "ko" for r in in_query)
    assert [(r.doc_id, r.paragraph) for r in in_query] == [
        (r.doc_id, r.paragraph) for r in as_option
    ]


def test_doc_filter_keeps_one_document(engine):
    results = hits(engine, "quantum", doc=DC_ARTICLE)
    assert results and {r.doc_id for r in results} == {DC_ARTICLE}


def test_unknown_document_filter_is_a_clear_error(engine):
    with pytest.raises(QueryError, match="No document with id 'nope'"):
        engine.search("quantum", doc="nope")


def test_no_paragraph_with_all_words_falls_back_to_any_word(engine):
    results = engine.search("Gretchen Donelan")
    assert results.fallback is True and results.total >= 2
    assert "any" in results.notes[0]


def test_match_any_ranks_paragraphs_with_any_word(engine):
    results = engine.search("Gretchen Donelan", match="any")
    assert results.fallback is False and results.total >= 2


def test_pages_do_not_overlap_and_cover_the_total(engine):
    total = engine.search("quantum").total
    seen = []
    for page in range(1, -(-total // 10) + 1):
        seen += [(r.doc_id, r.paragraph) for r in engine.search("quantum", page=page).results]
    assert len(seen) == len(set(seen)) == total


@pytest.mark.parametrize(
    "kwargs", [{"page": 0}, {"per_page": 0}, {"per_page": 101}, {"lang": "xx"}, {"match": "some"}]
)
def test_bad_options_are_clear_errors(engine, kwargs):
    with pytest.raises(QueryError):
        engine.search("quantum", **kwargs)


def test_json_shape_is_exactly_the_documented_one(engine):
    data = json.loads(json.dumps(engine.search('"freedom of inquiry"').to_dict()))
    assert list(data) == [
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "fallback",
        "expansions",
        "results",
    ]
    result = data["results"][0]
    assert list(result) == [
        "doc_id",
        "title",
        "paragraph",
        "lang",
        "score",
        "text",
        "snippet",
        "url",
        "counterpart",
        "page",
    ]
    assert result["url"] == f"/doc/{PRESS}#p{result['paragraph']}"
    assert isinstance(data["took_ms"], float) and isinstance(result["score"], float)


def test_snippets_escape_document_text_and_only_add_mark(engine):
    snippet = hits(engine, "R&D")[0].snippet
    assert "R&amp;D" in snippet
    assert set(re.findall(r"<[^>]*>", snippet)) <= {
        "<mark>",
        '<mark class="translation">',
        "</mark>",
    }


def test_long_paragraph_snippet_is_a_window_around_the_match(engine):
    result = hits(engine, "Gretchen Campbell")[0]
    assert len(result.text) > 400
    assert result.snippet.startswith("… ") and "<mark>Gretchen</mark>" in result.snippet
    assert len(re.sub(r"</?mark>", "", result.snippet)) < 320


def test_document_view_has_every_paragraph_with_marks(engine):
    view = engine.document(PRESS, q="다자협약체")
    assert view.title.startswith("한미 정상회담")
    assert [p.n for p in view.paragraphs] == list(range(1, len(view.paragraphs) + 1))
    assert any("<mark>다자협약체</mark>" in p.html for p in view.paragraphs)


def test_unknown_document_view_is_none(engine):
    assert engine.document("nope") is None


def test_documents_list_and_stats_describe_the_seeds(engine):
    docs = engine.documents()
    assert len(docs) == 5
    assert sum(d.paragraphs for d in docs) == engine.stats()["paragraphs"]
    assert engine.stats()["documents"] == 5


def test_a_paragraph_that_matches_only_through_its_title_is_not_a_result(engine):
    results = hits(engine, "양자기술", xlang=False)
    assert results
    assert all("양자" in r.text or "기술" in r.text for r in results)
    # with its translation (양자 → quantum) a paragraph may mention that instead
    translated = hits(engine, "양자기술")
    assert all(
        "양자" in r.text or "기술" in r.text or "quantum" in r.text.lower() for r in translated
    )
    assert all("<mark" in r.snippet for r in hits(engine, "quantum"))


def test_title_words_still_help_a_paragraph_that_mentions_the_rest(engine):
    # "Daejeon" and "diplomacy" are in 002's paragraphs; "quantum" in its title too
    assert {r.doc_id for r in hits(engine, "Daejeon quantum diplomacy")} == {"002_1f3f6e6e2c6619e0"}


def test_a_page_past_the_end_is_empty(engine):
    results = engine.search("quantum", page=99)
    assert results.total > 0 and results.results == []


# --- aligned clauses --------------------------------------------------------------------


def test_an_english_clause_comes_with_its_korean_translation(engine):
    first = hits(engine, '"trusted global market and supply chain"')[0]
    assert (first.doc_id, first.paragraph, first.lang) == (PRESS, 25, "en")
    assert (first.counterpart["paragraph"], first.counterpart["lang"]) == (46, "ko")
    assert "신뢰받는 글로벌 시장 및 공급망" in first.counterpart["text"]


def test_intellectual_property_clause_is_found_with_its_korean_translation(engine):
    first = hits(engine, '"protection and enforcement of intellectual property"')[0]
    assert (first.doc_id, first.paragraph) == (PRESS, 22)
    assert "지식 재산 보호 및 집행" in first.counterpart["text"]


def test_a_korean_clause_comes_with_its_english_translation(engine):
    first = hits(engine, '"지식 재산 보호 및 집행"')[0]
    assert (first.doc_id, first.paragraph, first.lang) == (PRESS, 43, "ko")
    assert first.counterpart["lang"] == "en"
    assert first.counterpart["paragraphs"] == [22]
    assert "protection and enforcement of intellectual property" in first.counterpart["text"]
    assert first.counterpart["url"] == f"/doc/{PRESS}#p22"


def test_paragraphs_without_a_translation_have_no_counterpart(engine):
    results = hits(engine, "Gretchen Campbell") + hits(engine, "다자협약체")
    assert results and all(r.counterpart is None for r in results)
    assert (
        json.loads(json.dumps(engine.search("다자협약체").to_dict()))["results"][0]["counterpart"]
        is None
    )


def test_a_clause_translated_by_two_paragraphs_names_both_and_joins_their_text(tmp_path, seeds_dir):
    from search.documents import load_document
    from search.engine import Engine
    from search.indexing import build_index

    paragraphs = [p.text for p in load_document(seeds_dir / f"{PRESS}.txt").paragraphs][13:]
    korean = next(i for i, t in enumerate(paragraphs) if t.startswith("우리는 QIST 연구 진행에"))
    first, second = paragraphs[korean].split("노력한다. ")
    paragraphs[korean : korean + 1] = [first + "노력한다.", second]  # one Korean clause in two
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "statement.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    build_index(docs, tmp_path / "index")
    [hit] = (
        Engine(tmp_path / "index").search('"facilitate interactions between government"').results
    )
    n = korean + 1  # paragraph numbers start at 1
    assert hit.counterpart["paragraphs"] == [n, n + 1]
    assert hit.counterpart["paragraph"] == n
    assert hit.counterpart["text"] == f"{first}노력한다.\n\n{second}"
    [back] = Engine(tmp_path / "index").search('"이러한 교류는"').results
    assert back.paragraph == n + 1 and back.counterpart["paragraphs"] == [hit.paragraph]


def test_results_can_come_in_document_order(engine):
    ranked = engine.search("quantum", per_page=100)
    ordered = engine.search("quantum", per_page=100, sort="document")
    assert ordered.total == ranked.total
    keys = [(r.doc_id, r.paragraph) for r in ordered.results]
    assert keys == sorted(keys)
    assert set(keys) == {(r.doc_id, r.paragraph) for r in ranked.results}


def test_document_order_pages_follow_on(engine):
    first = engine.search("quantum", per_page=10, sort="document").results
    second = engine.search("quantum", per_page=10, page=2, sort="document").results
    keys = [(r.doc_id, r.paragraph) for r in first + second]
    assert keys == sorted(keys) and len(set(keys)) == 20


def test_the_reference_query_path_orders_documents_the_same(seed_index):
    from search.engine import Engine

    whoosh = Engine(seed_index, query_path="whoosh").search(
        "quantum", per_page=100, sort="document"
    )
    columnar = Engine(seed_index).search("quantum", per_page=100, sort="document")
    assert [(r.doc_id, r.paragraph) for r in whoosh.results] == [
        (r.doc_id, r.paragraph) for r in columnar.results
    ]


def test_an_unknown_order_is_refused(engine):
    with pytest.raises(QueryError, match="sort must be one of relevance, document, date"):
        engine.search("quantum", sort="newest")
