"""The interface in Korean and English: chosen by the browser or the switch, every string
translated, ``lang`` set for the page and for each paragraph."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
#: the library: its messages for people (search.messages.Message) are translated too
LIBRARY = ROOT / "search"
CATALOGUE = WEB / "translations" / "ko" / "LC_MESSAGES"


def korean_catalogue():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return read_po(fh, locale="ko")


def interface_strings() -> set:
    """Every string the pages, the web layer and the library's messages mark for translation
    (as pybabel finds them: see web/i18n.py)."""
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "Message": None,
    }
    found = set()
    for folder in (WEB, LIBRARY):
        for _, _, message, _, _ in extract_from_dir(str(folder), method_map, keywords=keywords):
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


# --- the library's messages (search.messages.Message) in the page's language ----------

KO = {"Accept-Language": "ko"}


def test_a_query_error_is_said_in_the_page_s_language(client):
    params = {"q": "quantum", "lang": "xx"}
    korean = client.get("/search", query_string=params, headers=KO)
    assert korean.status_code == 400
    body = korean.get_data(as_text=True)
    assert "알 수 없는 lang 값 &#39;xx&#39;: ko, en, mixed 중 하나를 쓰세요." in body
    assert "Unknown lang" not in body
    english = client.get("/search", query_string=params, headers={"Accept-Language": "en"})
    assert "Unknown lang &#39;xx&#39;: use one of ko, en, mixed." in english.get_data(as_text=True)


def test_the_error_page_of_a_library_error_is_translated_and_the_api_s_is_not(app):
    from search.errors import QueryError
    from search.request import too_long
    from web.errors import error_response, message_of

    error = QueryError(too_long(1001))
    with app.test_request_context("/search", headers=KO):
        page = error_response(400, message_of(error)).get_data(as_text=True)
    assert "검색어가 너무 깁니다(1,001자, 한도 1,000자)." in page
    with app.test_request_context("/api/search", headers=KO):
        answer = error_response(400, message_of(error)).get_json()
    assert answer == {"error": "The query is too long (1,001 characters; the limit is 1,000)."}


def test_the_api_says_library_errors_in_english_whatever_the_interface(client):
    response = client.get("/api/search", query_string={"q": "quantum", "lang": "xx"}, headers=KO)
    assert response.status_code == 400
    assert response.get_json() == {"error": "Unknown lang 'xx': use one of ko, en, mixed."}
    response = client.get("/api/docs/nope", headers=KO)
    assert response.get_json() == {"error": "No document with id 'nope'."}
    response = client.get("/api/nothing-here", headers=KO)  # a lazy string of the web layer
    assert response.get_json() == {"error": "There is nothing at this address."}


def test_notes_with_results_are_said_in_the_page_s_language(client):
    params = {"q": "Gretchen Daejeon"}
    body = client.get("/search", query_string=params, headers=KO).get_data(as_text=True)
    assert "모든 단어가 있는 문단이 없어, 단어가 하나라도 있는 문단을 보여 드립니다." in body
    assert "No paragraph has all the words" not in body
    api = client.get("/api/search", query_string=params, headers=KO).get_json()
    assert api["notes"][0] == "No paragraph has all the words; showing those with any."


def test_a_repaired_query_s_note_is_said_in_the_page_s_language(client):
    body = client.get("/search", query_string={"q": '"quantum'}, headers=KO).get_data(as_text=True)
    assert "빠진 닫는 따옴표를 추가했습니다." in body


def test_translate_puts_each_message_inside_another_into_the_language_too(app):
    from search.messages import Message
    from web.i18n import translate

    reason = Message(
        "not a %(kind)s file (%(looks)s): wrong ending?",
        kind="PDF",
        looks=Message("its first bytes are of another kind"),
    )
    message = Message("The file cannot be read: %(reason)s.", reason=reason)
    with app.test_request_context("/", headers=KO):
        assert translate(message) == (
            "파일을 읽을 수 없습니다: PDF 파일이 아님(첫 바이트가 다른 형식임): 확장자가 잘못되었나요?."
        )
        assert translate("plain text") == "plain text"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert translate(message) == message
