"""The interface in Korean and English: chosen by the browser or the switch, every string
translated, ``lang`` set for the page and for each paragraph."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[2] / "web"
CATALOGUE = WEB / "translations" / "ko" / "LC_MESSAGES"


def korean_catalogue():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return read_po(fh, locale="ko")


def interface_strings() -> set:
    """Every string the pages and the web layer mark for translation (as pybabel finds them)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def html_lang(body: str) -> str:
    return re.search(r'<html lang="(\w+)"', body).group(1)


def test_every_interface_string_has_its_korean_translation():
    catalogue = korean_catalogue()
    missing = []
    for message in interface_strings():
        entry = catalogue.get(message if isinstance(message, str) else message[0])
        strings = () if entry is None else entry.string
        strings = (strings,) if isinstance(strings, str) else strings
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message)
    assert missing == []


def test_the_compiled_catalogue_is_the_catalogue():
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        compiled = read_mo(fh)
    source = korean_catalogue()

    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    def entries(catalogue) -> dict:
        return {plain(m.id): plain(m.string) for m in catalogue if m.id}

    assert entries(compiled) == entries(source)


def test_the_browser_s_language_chooses_the_interface(client):
    korean = client.get(
        "/search", query_string={"q": "quantum"}, headers={"Accept-Language": "ko-KR,ko;q=0.9"}
    )
    body = korean.get_data(as_text=True)
    assert html_lang(body) == "ko"
    assert "검색 결과로 건너뛰기" in body and re.search(r"문단 \d+개", body)
    english = client.get(
        "/search", query_string={"q": "quantum"}, headers={"Accept-Language": "en-US"}
    )
    assert html_lang(english.get_data(as_text=True)) == "en"


def test_an_unknown_browser_language_gets_english(client):
    body = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert html_lang(body) == "en"


def test_the_switch_remembers_the_choice_and_returns_to_the_page(client):
    response = client.get("/lang/ko", query_string={"next": "/search?q=quantum"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/search?q=quantum"
    assert "dari_lang=ko" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    later = client.get("/", headers={"Accept-Language": "en"})  # the cookie wins
    assert html_lang(later.get_data(as_text=True)) == "ko"
    client.get("/lang/en", query_string={"next": "/"})
    assert html_lang(client.get("/").get_data(as_text=True)) == "en"


def test_the_switch_never_sends_anyone_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        response = client.get("/lang/ko", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_every_page_offers_the_other_language(client):
    body = client.get("/doc/003_f33e5257b7cf7671", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert re.search(r'<a href="/lang/ko\?next=/doc/003_f33e5257b7cf7671" lang="ko"', body)


def test_paragraphs_keep_their_own_language_in_either_interface(client):
    for ui in ("en", "ko"):
        body = client.get("/doc/003_f33e5257b7cf7671", headers={"Accept-Language": ui}).get_data(
            as_text=True
        )
        assert re.search(r'<p id="p7" class="para" lang="ko">', body)
        assert re.search(r'<p id="p22" class="para" lang="en">', body)


def test_pages_say_they_vary_by_language(client):
    vary = client.get("/").headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


def test_error_pages_are_translated(client):
    body = client.get("/doc/nope", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "<h1>찾을 수 없음" in body and "ID가 “nope”인 문서가 없습니다." in body


def test_the_api_answers_in_english_whatever_the_interface(client):
    response = client.get("/api/docs/nope", headers={"Accept-Language": "en"})
    assert response.get_json() == {"error": "No document with id 'nope'."}


def test_suggestion_labels_come_from_the_page_in_its_language(client):
    body = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert 'data-label-suggestions="추천 검색어"' in body and 'data-label-result="문단"' in body


def test_the_results_page_numbers_hits_in_the_order_shown(client):
    body = client.get("/search", query_string={"q": "quantum -Daejeon"}).get_data(as_text=True)
    ranks = [int(n) for n in re.findall(r'class="hit__rank">#(\d+)<', body)]
    assert ranks == list(range(1, len(ranks) + 1)) and len(ranks) == 10


def test_results_per_page_can_be_chosen(client):
    body = client.get("/search", query_string={"q": "quantum"}).get_data(as_text=True)
    assert '<a href="/search?q=quantum&amp;per_page=50">50</a>' in body
    fifty = client.get("/search", query_string={"q": "quantum", "per_page": "50"}).get_data(
        as_text=True
    )
    assert len(re.findall(r'class="hit__rank"', fifty)) > 10


def test_the_search_links_to_itself_as_json_and_csv(client):
    body = client.get("/search", query_string={"q": "양자 협력", "lang": "ko"}).get_data(
        as_text=True
    )
    assert 'href="/api/search?q=%EC%96%91%EC%9E%90+%ED%98%91%EB%A0%A5&amp;lang=ko"' in body
    assert 'href="/api/search.csv?q=%EC%96%91%EC%9E%90+%ED%98%91%EB%A0%A5&amp;lang=ko"' in body


def test_the_csv_of_a_search_has_a_row_per_result_in_rank_order(client):
    import csv

    response = client.get("/api/search.csv", query_string={"q": "양자 협력", "per_page": "5"})
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheets read the Korean as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    json = client.get("/api/search", query_string={"q": "양자 협력", "per_page": "5"}).get_json()
    assert [r["doc_id"] for r in rows] == [r["doc_id"] for r in json["results"]]
    assert [r["rank"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["text"] == json["results"][0]["text"]


def test_the_side_by_side_view_has_a_link_to_where_the_columns_start(client):
    body = client.get("/doc/003_f33e5257b7cf7671", query_string={"view": "parallel"}).get_data(
        as_text=True
    )
    assert '<a href="#side-by-side">Jump to the side-by-side text</a>' in body
    assert body.count('id="side-by-side"') == 1
