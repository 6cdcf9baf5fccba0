"""The JSON API: /api/search, /api/docs, /api/docs/<id>, /api/openapi.json, /healthz."""

import json

import pytest

from search.errors import ConfigError
from web import create_app

PRESS = "003_f33e5257b7cf7671"

SEARCH_KEYS = {
    "query",
    "total",
    "page",
    "per_page",
    "took_ms",
    "fallback",
    "expansions",
    "results",
    "facets",
    "suggestion",
    "notes",
}


def api(client, url, **query):
    response = client.get(url, query_string=query or None)
    assert response.mimetype == "application/json"
    return response, response.get_json()


def test_healthz_reports_status_and_index_size(client):
    response, body = api(client, "/healthz")
    assert response.status_code == 200
    assert body == {"status": "ok", "documents": 5, "paragraphs": 110}


def test_search_returns_the_library_json_plus_facets_suggestion_and_notes(client, web_engine):
    response, body = api(client, "/api/search", q="다자협약체")
    assert response.status_code == 200
    assert set(body) == SEARCH_KEYS
    expected = web_engine.search("다자협약체").to_dict()
    for key in ("query", "total", "page", "per_page", "fallback", "results"):
        assert body[key] == expected[key]
    assert body["facets"] == {"lang": {"ko": 3}, "doc": {PRESS: 3}}
    assert body["suggestion"] is None
    assert body["notes"] == []


def test_search_result_fields(client):
    _, body = api(client, "/api/search", q='"freedom of inquiry"')
    [result] = body["results"]
    assert set(result) == {
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
    }
    assert (result["doc_id"], result["paragraph"], result["lang"]) == (PRESS, 22, "en")
    assert "<mark>freedom of inquiry</mark>" in result["snippet"]
    assert result["url"] == f"/doc/{PRESS}#p22"


def test_search_pages_and_per_page(client):
    _, first = api(client, "/api/search", q="quantum", per_page="5", xlang="0")
    _, second = api(client, "/api/search", q="quantum", per_page="5", page="2", xlang="0")
    # 42 paragraphs mention "quantum" (58 with 양자); a title alone does not count
    assert (first["total"], first["per_page"], len(first["results"])) == (42, 5, 5)
    assert second["page"] == 2
    keys = {(r["doc_id"], r["paragraph"]) for r in first["results"]}
    assert keys.isdisjoint((r["doc_id"], r["paragraph"]) for r in second["results"])


def test_search_past_the_last_page_has_no_results(client):
    _, body = api(client, "/api/search", q="quantum", page="12", xlang="0")
    assert (body["total"], body["page"], body["results"]) == (42, 12, [])
    assert any("past the last page" in note for note in body["notes"])


def test_search_filters_by_language_document_and_match(client):
    _, ko = api(client, "/api/search", q="양자기술", lang="ko", per_page="100")
    assert ko["results"] and {r["lang"] for r in ko["results"]} == {"ko"}
    _, doc = api(client, "/api/search", q="quantum", doc=PRESS, per_page="100")
    assert {r["doc_id"] for r in doc["results"]} == {PRESS}
    _, any_ = api(client, "/api/search", q="Gretchen xyzzy", match="any")
    assert any_["total"] == 1 and not any_["fallback"]


def test_search_lists_the_translations_it_also_searched(client):
    _, body = api(client, "/api/search", q="워싱턴 협력센터")
    assert body["results"][0]["doc_id"] == "000_04ba2ab33a6fa034"
    assert {"from": "워싱턴", "to": ["Washington", "Washington DC"]} in body["expansions"]
    snippet = body["results"][0]["snippet"]
    assert '<mark class="translation">Cooperation Center</mark>' in snippet


def test_search_with_xlang_0_searches_only_the_words_typed(client):
    _, body = api(client, "/api/search", q="대전", xlang="0")
    assert (body["total"], body["expansions"]) == (0, [])
    _, on = api(client, "/api/search", q="대전", xlang="1")
    assert on["total"] > 0 and on["expansions"] == [{"from": "대전", "to": ["Daejeon"]}]


def test_a_bad_xlang_value_says_what_is_allowed(client):
    response, body = api(client, "/api/search", q="quantum", xlang="yes please")
    assert response.status_code == 400
    assert body["error"] == "xlang must be 1 (on) or 0 (off), not 'yes please'."


def test_search_suggestion_for_a_typo(client):
    _, body = api(client, "/api/search", q="quantim", typo="0")
    assert (body["total"], body["suggestion"]) == (0, "quantum")


def test_search_searches_the_correction_of_a_typo(client):
    _, body = api(client, "/api/search", q="quantim")
    assert body["expansions"][0] == {"from": "quantim", "to": ["quantum"], "kind": "typo"}
    assert body["total"] > 0 and body["suggestion"] is None


def test_suggest_completes_a_syllable_being_typed(client):
    _, body = api(client, "/api/suggest", q="협ㄹ")
    assert body["query"] == "협ㄹ"  # 14: the paragraphs of the seeds that hold 협력
    assert body["suggestions"][0] == {"text": "협력", "kind": "word", "query": "협력", "count": 14}


def test_suggest_completes_the_last_word_after_the_others(client):
    _, body = api(client, "/api/suggest", q="양자 기")
    words = [s for s in body["suggestions"] if s["kind"] == "word"]
    assert words[0]["query"] == "양자 기술"


def test_suggest_lists_titles_with_their_page_and_glossary_terms_with_translations(client):
    _, body = api(client, "/api/suggest", q="quan", limit="1")
    kinds = [s["kind"] for s in body["suggestions"]]
    assert kinds.count("word") == 1 and "title" in kinds and "glossary" in kinds
    title = next(s for s in body["suggestions"] if s["kind"] == "title")
    assert title["url"] == f"/doc/{title['doc_id']}"
    term = next(s for s in body["suggestions"] if s["kind"] == "glossary")
    assert term["translations"]


def test_suggest_answers_nothing_for_an_empty_box(client):
    assert api(client, "/api/suggest", q="")[1] == {"query": "", "suggestions": []}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "parameter q"),
        ({"q": "x", "limit": "0"}, "limit must be a whole number from 1 to 20"),
        ({"q": "x" * 1001}, "too long"),
    ],
)
def test_suggest_refuses_bad_parameters_with_a_message(client, params, message):
    response, body = api(client, "/api/suggest", **params)
    assert response.status_code == 400 and message in body["error"]


def test_search_reports_the_fallback_and_its_note(client):
    _, body = api(client, "/api/search", q="Gretchen Daejeon")
    assert body["fallback"] is True
    assert body["notes"][0] == "No paragraph has all the words; showing those with any."


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "the"},
        {"q": "x" * 20_000},
        {"q": "quantum", "page": "-1"},
        {"q": "quantum", "page": "0"},
        {"q": "quantum", "page": "abc"},
        {"q": "quantum", "page": "1.5"},
        {"q": "quantum", "page": ""},
        {"q": "quantum", "page": "9" * 5000},
        {"q": "quantum", "per_page": "0"},
        {"q": "quantum", "per_page": "101"},
        {"q": "quantum", "per_page": "100000"},
        {"q": "quantum", "lang": "xx"},
        {"q": "quantum", "lang": ""},
        {"q": "quantum", "doc": "unknown"},
        {"q": "quantum", "doc": ""},
        {"q": "quantum", "match": "most"},
        {"q": "quantum", "xlang": "maybe"},
        {"q": "quantum", "xlang": ""},
        {"q": "quantum", "xlang": "2"},
        {"q": "quantum lang:xx"},
        {"q": "quantum doc:unknown"},
    ],
)
def test_search_bad_parameters_are_400_with_an_error_message(client, query):
    response, body = api(client, "/api/search", **query)
    assert response.status_code == 400
    assert set(body) == {"error"} and body["error"]


def test_docs_lists_every_document(client):
    response, body = api(client, "/api/docs")
    assert response.status_code == 200
    assert [d["doc_id"] for d in body] == sorted(d["doc_id"] for d in body)
    assert len(body) == 5
    press = next(d for d in body if d["doc_id"] == PRESS)
    assert press == {
        "doc_id": PRESS,
        "title": "한미 정상회담, 양자(Quantum) 과학기술 선도국가 도약의 발판 마련",
        "paragraphs": 55,
        "languages": ["en", "ko"],
        "file": f"{PRESS}.txt",
        "author": "",
        "date": "",
        "pages": 0,
    }


def test_doc_returns_its_paragraphs_in_order(client):
    response, body = api(client, f"/api/docs/{PRESS}")
    assert response.status_code == 200
    assert set(body) == {"doc_id", "title", "author", "date", "pages", "paragraphs"}
    assert [p["n"] for p in body["paragraphs"]] == list(range(1, 56))
    assert set(body["paragraphs"][0]) == {"n", "lang", "page", "text", "counterpart"}
    assert "<mark>" not in json.dumps(body, ensure_ascii=False)


def test_doc_paragraphs_name_their_translation_or_null(client):
    _, body = api(client, f"/api/docs/{PRESS}")
    paragraphs = {p["n"]: p for p in body["paragraphs"]}
    assert paragraphs[25]["counterpart"] == {"paragraphs": [46], "lang": "ko"}
    assert paragraphs[46]["counterpart"] == {"paragraphs": [25], "lang": "en"}
    assert paragraphs[7]["counterpart"] is None  # the press release has no English version


def test_search_results_carry_the_clause_in_the_other_language(client):
    _, body = api(client, "/api/search", q='"지식 재산 보호 및 집행"')
    first = body["results"][0]
    assert (first["doc_id"], first["paragraph"], first["lang"]) == (PRESS, 43, "ko")
    counterpart = first["counterpart"]
    assert (counterpart["paragraph"], counterpart["paragraphs"], counterpart["lang"]) == (
        22,
        [22],
        "en",
    )
    assert "protection and enforcement of intellectual property" in counterpart["text"]
    assert counterpart["url"] == f"/doc/{PRESS}#p22"


def test_results_without_a_translation_have_a_null_counterpart(client):
    _, body = api(client, "/api/search", q="다자협약체")
    assert body["results"] and all(r["counterpart"] is None for r in body["results"])


def test_unknown_doc_is_a_404_json_error(client):
    response, body = api(client, "/api/docs/unknown")
    assert response.status_code == 404
    assert body == {"error": "No document with id 'unknown'."}


def test_unknown_api_address_is_a_404_json_error(client):
    response, body = api(client, "/api/nothing/here")
    assert response.status_code == 404
    assert set(body) == {"error"}


def test_wrong_method_is_a_405_json_error_with_allow(client):
    response = client.post("/api/search", data={"q": "quantum"})
    assert response.status_code == 405
    assert response.get_json() == {"error": "This address does not accept that method."}
    assert "GET" in response.headers["Allow"]


def test_json_keeps_korean_readable(client):
    response = client.get("/api/search", query_string={"q": "다자협약체"})
    assert "다자협약체" in response.get_data(as_text=True)


# --- OpenAPI ----------------------------------------------------------------------------


def test_openapi_is_valid_json_with_every_path(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/search.csv",
        "/api/status",
        "/api/suggest",
        "/api/docs",
        "/api/docs/{doc_id}",
        "/api/jobs/{job_id}",
        "/api/openapi.json",
        "/api/reindex",
        "/healthz",
    }


def test_openapi_documents_the_error_responses(client):
    spec = client.get("/api/openapi.json").get_json()
    search = spec["paths"]["/api/search"]["get"]["responses"]
    assert (
        search["400"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/Error"
    )
    assert "404" in spec["paths"]["/api/docs/{doc_id}"]["get"]["responses"]
    assert spec["components"]["schemas"]["Error"]["required"] == ["error"]


@pytest.mark.parametrize(
    ("path", "url", "status"),
    [
        ("/api/search", "/api/search?q=quantum&per_page=100", "200"),
        ("/api/search", "/api/search?q=quantim", "200"),
        ("/api/search", "/api/search?q=Gretchen+Daejeon", "200"),
        ("/api/search", "/api/search?q=quantum&page=-1", "400"),
        ("/api/docs", "/api/docs", "200"),
        ("/api/docs/{doc_id}", f"/api/docs/{PRESS}", "200"),
        ("/api/docs/{doc_id}", "/api/docs/unknown", "404"),
        ("/api/openapi.json", "/api/openapi.json", "200"),
        ("/healthz", "/healthz", "200"),
    ],
)
def test_responses_match_their_openapi_schemas(client, matches_openapi, path, url, status):
    response = client.get(url)
    assert str(response.status_code) == status
    matches_openapi(path, response)


def test_the_server_adds_the_entries_of_dari_glossary(web_index, tmp_path, monkeypatch):
    mine = tmp_path / "mine.tsv"
    mine.write_text("plaque\t명판\tterm\n", "utf-8")
    monkeypatch.setenv("DARI_GLOSSARY", str(mine))
    app = create_app(web_index, config={"ADMIN_TOKEN": None})
    body = app.test_client().get("/api/search", query_string={"q": "명판"}).get_json()
    assert body["expansions"] == [{"from": "명판", "to": ["plaque"]}]
    assert body["results"][0]["doc_id"] == "000_04ba2ab33a6fa034"
    # the shipped entries are still there
    body = app.test_client().get("/api/search", query_string={"q": "대전"}).get_json()
    assert body["expansions"] == [{"from": "대전", "to": ["Daejeon"]}]


def test_a_bad_dari_glossary_is_a_configuration_error(web_index, tmp_path, monkeypatch):
    bad = tmp_path / "bad.tsv"
    bad.write_text("plaque only\n", "utf-8")
    monkeypatch.setenv("DARI_GLOSSARY", str(bad))
    with pytest.raises(ConfigError, match=r"DARI_GLOSSARY.*bad\.tsv:1"):
        create_app(web_index, config={"ADMIN_TOKEN": None})
