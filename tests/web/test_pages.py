"""The HTML pages: home, search results, documents, errors."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

PRESS = "003_f33e5257b7cf7671"  # the Korean press release (55 paragraphs, ko + en)
DC_ARTICLE = "000_04ba2ab33a6fa034"  # the English article on the Washington centre


def page(client, url, **query):
    response = client.get(url, query_string=query or None)
    return response, response.get_data(as_text=True)


def hit_links(body):
    return [unescape(h) for h in re.findall(r'<a class="hit__link" href="([^"]+)"', body)]


# --- home ---------------------------------------------------------------------------


def test_home_has_a_search_box_named_q(client):
    response, body = page(client, "/")
    assert response.status_code == 200
    assert re.search(r'<input[^>]*name="q"', body)
    assert 'action="/search"' in body


@pytest.mark.parametrize(
    "example",
    [
        '"freedom of inquiry"',
        "다자협약체",
        "Gretchen Campbell",
        '"신뢰받는 글로벌 시장"',
        "양자기술 lang:ko",
    ],
)
def test_home_links_example_queries_in_both_languages(client, example):
    _, body = page(client, "/")
    escaped = example.replace('"', "&#34;")
    assert f"<code>{escaped}</code>" in body


def test_home_lists_the_documents_with_links(client):
    _, body = page(client, "/")
    assert f'href="/doc/{PRESS}"' in body
    assert "5 documents · 110 paragraphs" in body


def test_pages_use_one_local_stylesheet_and_no_inline_script_or_style(client):
    for url in ("/", "/search?q=quantum", f"/doc/{PRESS}", "/doc/nope"):
        _, body = page(client, url)
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', body) == ["/static/style.css"]
        # scripts are files from /static (the search box's; the document's copy links):
        # no inline code
        scripts = re.findall(r"<script[^>]*>", body)
        assert '<script src="/static/suggest.js" defer>' in scripts
        assert all(re.fullmatch(r'<script src="/static/\w+\.js" defer>', s) for s in scripts)
        assert "<style" not in body and " style=" not in body
        assert "http://" not in body and "https://" not in body


def test_stylesheet_is_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "word-break: keep-all" in response.get_data(as_text=True)


def test_skip_link_leads_to_main(client):
    _, body = page(client, "/")
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body


def test_on_a_results_page_the_skip_link_leads_to_the_results_which_come_before_the_filters(
    client,
):
    _, body = page(client, "/search", q="quantum")
    assert '<a class="skip-link" href="#results">Skip to results</a>' in body
    assert body.index('id="results"') < body.index('id="filters"')


# --- search --------------------------------------------------------------------------


def test_search_shows_count_time_and_marked_snippets(client):
    response, body = page(client, "/search", q="다자협약체")
    assert response.status_code == 200
    assert re.search(r"3 paragraphs\s*<span", body)
    assert re.search(r"\d+\.\d ms", body)
    assert "<mark>다자협약체</mark>" in body


def test_search_keeps_the_query_in_the_box(client):
    _, body = page(client, "/search", q='"freedom of inquiry"')
    assert 'value="&#34;freedom of inquiry&#34;"' in body


def test_search_hits_link_to_the_paragraph_on_the_document_page_with_the_query(client):
    _, body = page(client, "/search", q='"freedom of inquiry"')
    [link] = hit_links(body)
    parts = urlsplit(link)
    assert parts.path == f"/doc/{PRESS}"
    assert parse_qs(parts.query) == {"q": ['"freedom of inquiry"']}
    assert parts.fragment == "p22"


def test_search_shows_each_document_title_once_with_its_hits_under_it(client):
    _, body = page(client, "/search", q="quantum cooperation")
    titles = re.findall(r'<h2 class="doc-group__title"><a href="/doc/([^"?]+)', body)
    assert len(titles) == len(set(titles)) > 1
    # groups come in the order of their best hit: the first group holds hit #1
    first_group = body.split('<article class="doc-group">')[1]
    assert ">#1<" in first_group


def test_search_hits_are_in_rank_order_within_a_document(client):
    _, body = page(client, "/search", q="quantum cooperation")
    for group in body.split('<article class="doc-group">')[1:]:
        ranks = [int(n) for n in re.findall(r'class="hit__rank">#(\d+)<', group)]
        assert ranks == sorted(ranks)


def test_search_language_facet_links_keep_the_query(client):
    _, body = page(client, "/search", q="QIST")
    links = {
        parse_qs(urlsplit(unescape(href)).query).get("lang", [""])[0]: parse_qs(
            urlsplit(unescape(href)).query
        )
        for href in re.findall(r'href="(/search\?[^"]*lang=[^"]*)"', body)
    }
    assert {"ko", "en"} <= set(links)
    assert all(q["q"] == ["QIST"] for q in links.values())


def test_search_language_facet_filters_and_marks_the_current_choice(client):
    _, body = page(client, "/search", q="QIST", lang="en")
    assert "English" in re.search(
        r'aria-current="true">([^<]+)<span class="facet__count">', body
    ).group(1)
    metas = re.findall(r"¶\d+ · ([^<]+)</span>", body)
    assert metas and set(metas) == {"English"}


def test_search_language_facet_still_offers_the_other_languages_when_filtered(client):
    _, body = page(client, "/search", q="QIST", lang="en")
    assert re.search(r'href="/search\?q=[^"]*lang=ko"', body)


def test_search_document_facet_names_documents_by_title(client):
    _, body = page(client, "/search", q="quantum")
    assert 'title="Republic of Korea deal adds to UK quantum momentum"' in body
    assert f"doc={DC_ARTICLE}" in body


def test_search_paginates_with_links_that_keep_the_query(client):
    _, body = page(client, "/search", q="quantum", xlang="0")
    assert re.search(r'class="summary__range">1–10 of \d\d<', body)
    assert 'rel="next" href="/search?q=quantum&amp;page=2&amp;xlang=0"' in body
    _, second = page(client, "/search", q="quantum", page="2", xlang="0")
    assert re.search(r'class="summary__range">11–20 of \d\d<', second)
    assert 'rel="prev"' in second
    assert re.findall(r'class="hit__rank">#(\d+)<', second)[0] == "11"


def test_search_past_the_last_page_shows_no_results_and_says_so(client):
    response, body = page(client, "/search", q="quantum", page="99")
    assert response.status_code == 200
    assert "hit__link" not in body
    assert body.count("past the last page") == 1  # said once, not also as a note
    assert re.search(r'<a href="/search\?q=quantum&amp;page=\d">Go to page \d</a>', body)
    assert "page 99 of" not in body


def test_search_suggests_a_correction_when_nothing_is_found(client):
    _, body = page(client, "/search", q="quantim", typo="0")
    assert "Did you mean" in body
    assert '<a href="/search?q=quantum&amp;typo=0" class="suggestion__link">quantum</a>' in body


def test_search_suggests_a_korean_correction(client):
    _, body = page(client, "/search", q="양자기슬", typo="0")
    assert "Did you mean" in body
    assert ">양자기술</a>" in body


def test_search_shows_the_correction_it_searched_with_a_link_to_search_as_typed(client):
    _, body = page(client, "/search", q="quantim")
    assert re.search(r"Also searched.*quantim → quantum \(typo\)", body, re.S)
    assert '<a class="expansions__off" href="/search?q=quantim&amp;typo=0">' in body
    assert "Did you mean" not in body  # what it would suggest was searched


def test_search_does_not_suggest_when_results_are_plenty(client):
    _, body = page(client, "/search", q="quantum")
    assert "Did you mean" not in body


def test_search_says_what_else_it_searched_with_a_link_to_turn_it_off(client):
    _, body = page(client, "/search", q="대전")
    assert re.search(r"Also searched.*대전 → Daejeon", body, re.S)
    assert '<a class="expansions__off" href="/search?q=%EB%8C%80%EC%A0%84&amp;xlang=0">' in body
    _, off = page(client, "/search", q="대전", xlang="0")
    assert "Also searched" not in off and "No translations" in off


def test_search_shows_the_fallback_notice(client):
    _, body = page(client, "/search", q="Gretchen Daejeon")
    assert "No paragraph has all the words; showing those with any." in body


def test_search_shows_query_repair_notes(client):
    _, body = page(client, "/search", q='"quantum cooperation')
    assert "Added the missing closing quote." in body


def test_search_without_results_shows_tips_on_the_query_syntax(client):
    response, body = page(client, "/search", q="xyzzy")
    assert response.status_code == 200
    assert "No paragraph matches" in body
    for syntax in ('"freedom of inquiry"', "quantum -Korea", "OR", "lang:ko", "doc:"):
        assert syntax.replace('"', "&#34;") in body or syntax in body


def test_search_without_a_query_shows_the_tips(client):
    for query in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/search", query_string=query)
        assert response.status_code == 200
        assert "How to search" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "quantum", "page": "-1"}, "page must be a whole number"),
        ({"q": "quantum", "page": "abc"}, "page must be a whole number"),
        ({"q": "quantum", "per_page": "0"}, "per_page must be a whole number"),
        ({"q": "quantum", "per_page": "100000"}, "per_page must be a whole number"),
        ({"q": "quantum", "lang": "xx"}, "Unknown lang"),
        ({"q": "quantum", "doc": "no-such-doc"}, "No document with id"),
        ({"q": "quantum", "match": "some"}, "Unknown match"),
        ({"q": "the"}, "Nothing left to search for"),
        ({"q": "x" * 20_000}, "The query is too long"),
    ],
)
def test_search_bad_parameters_show_the_message_with_status_400(client, query, message):
    response = client.get("/search", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in unescape(response.get_data(as_text=True))


def test_search_error_page_keeps_the_query_in_the_box(client):
    _, body = page(client, "/search", q="quantum", lang="xx")
    assert 'value="quantum"' in body


# --- documents ------------------------------------------------------------------------


def test_document_page_shows_every_paragraph_with_an_id_and_language(client):
    response, body = page(client, f"/doc/{PRESS}")
    assert response.status_code == 200
    paragraphs = re.findall(r'<p id="p(\d+)" class="para[^"]*"( lang="(ko|en)")?', body)
    assert [int(n) for n, _, _ in paragraphs] == list(range(1, 56))
    assert {lang for _, _, lang in paragraphs} == {"ko", "en"}


def test_document_page_gives_mixed_paragraphs_their_majority_language(client):
    # paragraph 8 of this English article is "mixed" (a Korean title quoted in English)
    _, body = page(client, "/doc/001_dc24151964aacdd8")
    assert re.search(r'<p id="p\d+" class="para[^"]*" lang="(ko|en)">', body)
    assert not re.search(r'lang="mixed"', body)


def test_document_page_marks_the_query_and_lists_matching_paragraphs(client):
    _, body = page(client, f"/doc/{PRESS}", q="다자협약체")
    assert "<mark>다자협약체</mark>" in body
    assert '<a href="#p7">¶7</a>' in body
    assert 'id="p7" class="para para--match"' in body


def test_document_page_links_back_to_the_results(client):
    _, body = page(client, f"/doc/{PRESS}", q="다자협약체")
    assert 'href="/search?q=%EB%8B%A4%EC%9E%90%ED%98%91%EC%95%BD%EC%B2%B4"' in body


def test_document_page_without_query_has_no_marks(client):
    _, body = page(client, f"/doc/{PRESS}")
    assert "<mark>" not in body


def test_document_page_stylesheet_highlights_the_target_paragraph(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    assert ".para:target {" in css


# --- aligned clauses ---------------------------------------------------------------------


def counterparts(body):
    return re.findall(
        r'<p class="hit__counterpart" lang="(ko|en)">\s*<a class="hit__counterpart-label" '
        r'href="([^"]+)">([^<]+)</a>\s*<span class="hit__counterpart-text">([^<]*)</span>',
        body,
    )


def test_search_shows_the_korean_version_of_an_english_clause_under_its_hit(client):
    _, body = page(client, "/search", q='"trusted global market and supply chain"')
    [(lang, link, label, text)] = counterparts(body)
    assert (lang, label) == ("ko", "한국어 ¶46")
    assert "신뢰받는 글로벌 시장 및 공급망" in text
    parts = urlsplit(unescape(link))
    assert (parts.path, parts.fragment) == (f"/doc/{PRESS}", "p46")


def test_search_shows_the_english_version_of_a_korean_clause_labelled_english(client):
    _, body = page(client, "/search", q='"지식 재산 보호 및 집행"')
    [(lang, link, label, text)] = counterparts(body)
    assert (lang, label) == ("en", "English ¶22")
    assert "protection and enforcement of intellectual property" in text
    assert unescape(link).endswith("#p22")


def test_search_shows_no_counterpart_for_paragraphs_without_a_translation(client):
    _, body = page(client, "/search", q="다자협약체")
    assert counterparts(body) == []


def test_document_with_aligned_paragraphs_links_to_the_side_by_side_view(client):
    _, body = page(client, f"/doc/{PRESS}")
    assert f'href="/doc/{PRESS}?view=parallel"' in body
    _, plain = page(client, f"/doc/{DC_ARTICLE}")
    assert "view=parallel" not in plain


def test_side_by_side_view_puts_each_clause_beside_its_translation(client):
    response, body = page(client, f"/doc/{PRESS}", view="parallel", q="QIST")
    assert response.status_code == 200
    rows = body.split('<div class="parallel__row">')[1:]
    pairs = [[int(n) for n in re.findall(r'<p id="p(\d+)"', row)] for row in rows]
    assert [n for n in range(14, 35)] == [pair[0] for pair in pairs]
    assert all(pair == [n, n + 21] for pair, n in zip(pairs, range(14, 35), strict=True))
    # every paragraph is still there once, with its anchor, and the press release reads in order
    numbers = [int(n) for n in re.findall(r'<p id="p(\d+)"', body)]
    assert sorted(numbers) == list(range(1, 56))
    assert numbers[:13] == list(range(1, 14))
    assert "<mark>QIST</mark>" in body
    assert f'href="/doc/{PRESS}?q=QIST"' in body  # back to one column, query kept


def test_side_by_side_view_of_a_document_in_one_language_is_the_ordinary_page(client):
    response, body = page(client, f"/doc/{DC_ARTICLE}", view="parallel")
    assert response.status_code == 200
    assert "parallel__row" not in body
    assert len(re.findall(r'<p id="p\d+"', body)) == 7


def test_stylesheet_lays_out_the_side_by_side_view_and_counterparts(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    assert ".parallel__row {" in css and ".hit__counterpart {" in css


def test_unknown_document_is_a_404_html_page(client):
    response, body = page(client, "/doc/unknown")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is no document with the id “unknown”." in body


def test_unknown_page_is_a_404_html_page(client):
    response, body = page(client, "/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<!doctype html>" in body


def test_post_to_a_page_is_a_405_html_page(client):
    response = client.post("/search")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_translations_are_marked_apart_with_a_legend(client):
    _, body = page(client, "/search", q="대전")
    assert '<mark class="translation">Daejeon' in body
    assert re.search(
        r'class="legend">Marked: <mark>words typed</mark> <mark class="translation">their translations</mark>',
        body,
    )


def test_results_can_be_put_in_document_order_and_back(client):
    _, body = page(client, "/search", q="quantum")
    assert '<a href="/search?q=quantum&amp;sort=document">document order</a>' in body
    _, ordered = page(client, "/search", q="quantum", sort="document")
    assert '<strong aria-current="true">document order</strong>' in ordered
    assert '<a href="/search?q=quantum">best first</a>' in ordered


def test_results_can_be_put_newest_first(client):
    _, body = page(client, "/search", q="quantum")
    assert '<a href="/search?q=quantum&amp;sort=date">newest first</a>' in body
    response, dated = page(client, "/search", q="quantum", sort="date")
    assert response.status_code == 200
    assert '<strong aria-current="true">newest first</strong>' in dated
