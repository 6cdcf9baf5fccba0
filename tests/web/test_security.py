"""Hostile input, escaping, security headers, request limits and the last-resort error handler."""

from urllib.parse import urlencode

import pytest

from search.request import SearchRequest, clean_text

PRESS = "003_f33e5257b7cf7671"

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

HOSTILE_QUERIES = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "quantum <script>alert(1)</script>",
    "'\"><img src=x onerror=alert(1)>",
    "x" * 20_000,
    "양" * 20_000,
    "quantum\x00",
    "\x00",
    "\u202e\u200b\ufeff",
    "((((((((((",
    '"""""',
    "- - - OR OR",
    "lang:",
    "doc:../../etc/passwd",
    "🔍 ｑｕａｎｔｕｍ",
    "e\u0301\u0301\u0301",
    "%s%n%x",
    "{{7*7}}",
]
#: percent-encoded query strings a browser or a fuzzer may send as they are
RAW_QUERY_STRINGS = [
    "q=%ED%A0%80",  # a lone surrogate encoded as CESU-8
    "q=%EF%BF%BD",  # U+FFFD, which is what browsers send for a lone surrogate
    "q=%FF%FE%FD",  # not UTF-8 at all
    "q=%00",
    "q=quantum%00",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "q=quantum&q=%3Cscript%3E",
    "q=quantum&page=%00",
    "q=quantum&lang=%ED%A0%80",
    "q=quantum&doc=%ED%A0%80",
    "q=quantum&doc=%00",
    "q=quantum&page=99999999999999999999999999",
    "q=" + "%E0%A4" * 3000,
]
ENDPOINTS = ["/search", "/api/search", f"/doc/{PRESS}"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=lambda q: repr(q[:20]))
def test_hostile_queries_get_200_or_400_and_nothing_unescaped(client, app, endpoint, query):
    response = client.get(endpoint, query_string={"q": query})
    address = len(endpoint) + len(urlencode({"q": query}))
    # "양" * 20,000 is 180 KB percent-encoded: over the address limit, a 414
    if address > app.config["MAX_URL_LENGTH"]:
        assert response.status_code == 414
    else:
        assert response.status_code in (200, 400)
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "Traceback" not in body


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("raw", RAW_QUERY_STRINGS)
def test_badly_encoded_query_strings_get_200_or_400(client, endpoint, raw):
    response = client.get(f"{endpoint}?{raw}")
    assert response.status_code in (200, 400)
    assert "<script>alert" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/doc/%ED%A0%80", "/doc/%00", "/api/docs/%ED%A0%80", "/api/docs/%00"]
)
def test_badly_encoded_document_ids_are_404(client, path):
    assert client.get(path).status_code == 404


def test_script_in_the_query_is_shown_escaped_in_the_box_and_the_heading(client):
    body = client.get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(
        as_text=True
    )
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body.split("<main", 1)[1]


def test_script_in_a_document_id_is_escaped_on_the_404_page(client):
    response = client.get("/doc/<script>alert(1)<%2Fscript>")
    assert response.status_code == 404
    assert "<script>alert" not in response.get_data(as_text=True)


def test_lone_surrogates_are_cleaned_before_they_reach_the_engine():
    assert clean_text("a\ud800b") == "a?b"
    params = SearchRequest.from_params({"q": "quantum\ud800", "doc": "\udfff"}, strict=False)
    assert params.q == "quantum?"
    params.q.encode("utf-8")  # would raise for a surrogate


def test_lone_surrogate_query_searches_without_error(client, app):
    with app.test_request_context("/search"):
        params = SearchRequest.from_params({"q": "\ud800quantum"}, strict=True)
    assert client.get("/api/search", query_string={"q": params.q}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/search?q=quantum",
        "/search?q=quantum&page=abc",
        f"/doc/{PRESS}",
        "/doc/unknown",
        "/api/search?q=quantum",
        "/api/search",
        "/api/docs",
        "/api/docs/unknown",
        "/api/openapi.json",
        "/healthz",
        "/static/style.css",
        "/nothing",
    ],
)
def test_every_response_has_the_security_headers(client, url):
    response = client.get(url)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (url, name)


def test_security_headers_on_405(client):
    response = client.delete("/api/docs")
    assert response.status_code == 405
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_large_request_bodies_are_refused_with_413(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 1024 * 1024
    response = client.get("/api/search?q=quantum", data=b"x" * (limit + 1))
    assert response.status_code == 413
    assert response.get_json() == {"error": "The request is too large."}


def test_unexpected_errors_are_a_clean_500_page_without_traceback(client, web_engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(web_engine, "search", broken)
    response = client.get("/search", query_string={"q": "quantum"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "secret internal detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body
    assert response.headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]


def test_unexpected_errors_under_api_are_a_json_500(client, web_engine, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(web_engine, "search", broken)
    response = client.get("/api/search", query_string={"q": "quantum"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "Something went wrong on our side. Please try again."}


def test_health_check_is_503_json_when_the_index_cannot_be_read(client, web_engine, monkeypatch):
    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(web_engine, "stats", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
