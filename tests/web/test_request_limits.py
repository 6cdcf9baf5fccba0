"""Limits that keep one request from hogging the server: address length, search time.

* An address (path plus query string) over ``MAX_URL_LENGTH`` is a 414 with a
  message, from the app and through waitress; below it, a query over 1,000
  characters is a 400 that says so.
* Searches share one time limit (``DARI_SEARCH_TIME_LIMIT``) with their facet
  counts and "did you mean": a pathological query -- 64 common words ORed over
  6,000 paragraphs -- answers with partial results and a note within the
  limit, and leaves no work running behind it.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import random
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from search.errors import ConfigError
from search.indexing import build_index
from web import create_app
from web.server import serve

PRESS = "003_f33e5257b7cf7671"

# --- long addresses ---------------------------------------------------------------------

EVERY_ADDRESS = [
    "/",
    "/search",
    "/api/search",
    "/api/docs",
    f"/doc/{PRESS}",
    f"/api/docs/{PRESS}",
    "/api/openapi.json",
    "/healthz",
    "/static/style.css",
    "/upload",
    "/nothing/here",
]


@pytest.mark.parametrize("address", EVERY_ADDRESS)
def test_a_100_kb_query_string_is_414_with_a_message_everywhere(client, address):
    response = client.get(address, query_string={"q": "x" * 100_000})
    assert response.status_code == 414
    if address.startswith("/api") or address == "/healthz":
        message = response.get_json()["error"]
    else:
        assert response.mimetype == "text/html"
        message = response.get_data(as_text=True)
    assert "The address is too long (100,0" in message and "the limit is 32,768" in message
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("prefix", ["/doc/", "/api/docs/", "/"])
def test_a_100_kb_path_is_414(client, prefix):
    assert client.get(prefix + "a" * 100_000).status_code == 414
    assert client.get(prefix + "..%2f" * 20_000).status_code == 414


def test_below_the_address_limit_a_long_query_gets_its_own_400(client):
    response = client.get("/api/search", query_string={"q": "x" * 20_000})
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The query is too long (20,000 characters; the limit is 1,000)."
    }
    response = client.get("/api/search", query_string={"q": "양" * 1_001})  # 9 KB encoded
    assert "too long (1,001 characters" in response.get_json()["error"]


def test_the_address_limit_is_described_for_every_operation(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "414" in operation["responses"], (method, path)


def _raw_get(url: str, target: str) -> tuple[int, str, dict]:
    """GET ``target`` exactly as given (no client-side checks on its length)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    finally:
        conn.close()


@pytest.mark.parametrize("size", [100_000, 200_000])
def test_waitress_passes_a_long_query_string_to_the_app_which_answers_414(live_server, size):
    status, body, headers = _raw_get(live_server.url, "/api/search?q=" + "%EC%96%91" * (size // 9))
    assert status == 414
    assert json.loads(body)["error"].startswith("The address is too long")
    assert headers["Server"] == "dari"


def test_waitress_refuses_a_request_line_above_its_header_limit_and_keeps_serving(live_server):
    status, _, _ = _raw_get(live_server.url, "/api/search?q=" + "x" * 300_000)
    assert status == 431  # waitress's own answer above 256 KiB of request line and headers
    status, body, _ = _raw_get(live_server.url, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


# --- the search time limit ---------------------------------------------------------------

COMMON = [
    "quantum",
    "research",
    "cooperation",
    "science",
    "technology",
    "policy",
    "industry",
    "network",
    "security",
    "innovation",
    "partnership",
    "investment",
    "semiconductor",
    "computing",
    "sensor",
    "communication",
    "university",
    "government",
    "minister",
    "agreement",
    "center",
    "program",
    "talent",
    "market",
    "supply",
    "chain",
    "energy",
    "climate",
    "health",
    "data",
    "software",
    "hardware",
    "laboratory",
    "standard",
    "export",
    "import",
    "trade",
    "finance",
    "budget",
    "growth",
    "strategy",
    "startup",
    "company",
    "engineer",
    "student",
    "professor",
    "seoul",
    "daejeon",
    "washington",
    "london",
    "tokyo",
    "paris",
    "berlin",
    "report",
    "summit",
    "forum",
    "council",
    "ministry",
    "agency",
    "project",
    "bridge",
    "harbor",
    "railway",
    "airport",
]
#: every word of every paragraph is one of these: the query's 64 words match everything
PATHOLOGICAL = " OR ".join(COMMON)


@pytest.fixture(scope="module")
def busy_index(tmp_path_factory) -> Path:
    """30 documents of 200 paragraphs of 40 common words each (6,030 paragraphs)."""
    assert len(COMMON) == 64
    root = tmp_path_factory.mktemp("busy")
    rng = random.Random(5)
    (root / "docs").mkdir()
    for d in range(30):
        paragraphs = [" ".join(rng.choices(COMMON, k=40)) + "." for _ in range(200)]
        text = f"Report number {d} on cooperation\n\n" + "\n\n".join(paragraphs)
        (root / "docs" / f"doc{d:02d}.txt").write_text(text, "utf-8")
    build_index(root / "docs", root / "index")
    return root / "index"


def busy_client(busy_index: Path, seconds: float):
    app = create_app(busy_index, config={"SEARCH_TIME_LIMIT": seconds, "ADMIN_TOKEN": None})
    client = app.test_client()
    client.get("/api/search?q=quantum")  # warm up
    return app, client


def timed_get(client, url: str, **params) -> tuple[object, float, float]:
    """The response, its wall time and the CPU time of this thread (where the app ran)."""
    started, cpu = time.perf_counter(), time.thread_time()
    response = client.get(url, query_string=params)
    return response, time.perf_counter() - started, time.thread_time() - cpu


def test_the_time_limit_comes_from_the_environment_or_the_config(web_index, monkeypatch):
    monkeypatch.setenv("DARI_SEARCH_TIME_LIMIT", "2.5")
    assert create_app(web_index).extensions["dari"].engine.time_limit == 2.5
    app = create_app(web_index, config={"SEARCH_TIME_LIMIT": 0.75})
    assert app.extensions["dari"].engine.time_limit == 0.75
    monkeypatch.delenv("DARI_SEARCH_TIME_LIMIT")
    assert create_app(web_index).extensions["dari"].engine.time_limit == 5.0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e9", ""])
def test_a_bad_time_limit_is_refused_with_a_message(web_index, value):
    with pytest.raises(ConfigError, match="must be a number of seconds above 0"):
        create_app(web_index, config={"SEARCH_TIME_LIMIT": value})


def test_serve_with_a_bad_time_limit_exits_2_with_the_message(web_index, monkeypatch, capsys):
    monkeypatch.setenv("DARI_SEARCH_TIME_LIMIT", "soon")
    assert serve(port=0, index_dir=web_index) == 2
    assert "DARI_SEARCH_TIME_LIMIT (SEARCH_TIME_LIMIT) must be a number" in capsys.readouterr().err


def test_without_a_tight_limit_the_pathological_query_is_complete(busy_index):
    _, client = busy_client(busy_index, 60.0)
    response, _, _ = timed_get(client, "/api/search", q=PATHOLOGICAL, per_page=100)
    body = response.get_json()
    assert response.status_code == 200
    assert body["total"] == 6030 and not any("stopped" in n for n in body["notes"])
    assert sum(body["facets"]["lang"].values()) == 6030


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/search", {"q": PATHOLOGICAL, "per_page": 100}),
        ("/api/search", {"q": " ".join(COMMON), "per_page": 100, "match": "any"}),
        ("/search", {"q": PATHOLOGICAL, "per_page": 100, "lang": "en", "doc": "doc07"}),
    ],
    ids=["api-or", "api-any", "page-with-filters"],
)
def test_a_pathological_query_stops_at_the_time_limit_with_a_note(busy_index, url, params):
    # a few ms on the columnar path (seconds through Whoosh's collectors, 0.1 s before the
    # query path's speed-ups of issue #14): a limit well below that
    limit = 0.001
    _, client = busy_client(busy_index, limit)
    response, wall, cpu = timed_get(client, url, **params)
    assert response.status_code == 200
    note = f"The search was stopped after {limit:g} s; these are the results found until then."
    if url.startswith("/api"):
        body = response.get_json()
        assert note in body["notes"]
        assert body["total"] < 6030
    else:
        assert note in response.get_data(as_text=True)
    # the page of results is highlighted after the limit: allow for that and a busy machine
    assert wall < limit + 2.0, wall
    assert cpu < limit + 2.0, cpu


def test_marking_a_long_document_stops_at_the_time_limit(busy_index):
    _, client = busy_client(busy_index, 0.01)
    response = client.get("/doc/doc03", query_string={"q": PATHOLOGICAL})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "marking was stopped after 0.01 s" in body
    assert body.count('<p id="p') == 201  # every paragraph is still there


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_concurrent_pathological_queries_through_waitress_do_not_pin_a_core(busy_index, server_on):
    """Eight at once over a real `dari serve` with a 0.01 s limit: all answer within a few
    seconds, and afterwards the server's CPU time stands still (nothing keeps running)."""
    server = server_on(
        busy_index, docs=busy_index.parent / "docs", env={"DARI_SEARCH_TIME_LIMIT": "0.01"}
    )
    query = "/api/search?" + urlencode({"q": PATHOLOGICAL, "per_page": 100})

    def ask(_):
        started = time.perf_counter()
        status, body, _ = _raw_get(server.url, query)
        return status, json.loads(body), time.perf_counter() - started

    threads_before = threading.active_count()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(8)))
    for status, body, seconds in answers:
        assert status == 200
        assert any("stopped after 0.01 s" in note for note in body["notes"])
        assert seconds < 8.0, seconds
    time.sleep(0.5)  # let the last response leave
    cpu = _cpu_seconds(server.proc.pid)
    time.sleep(2.0)
    assert _cpu_seconds(server.proc.pid) - cpu < 0.2  # idle: no search is still running
    assert threading.active_count() == threads_before


# --- bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_chunked_body_of_unknown_length_is_413_from_waitress(live_server, method):
    """No Content-Length to refuse early: waitress counts the chunks and stops at 64 KiB,
    and answers in JSON under /api (web.serving)."""
    parts = urlsplit(live_server.url)
    chunk = b"400\r\n" + b"x" * 1024 + b"\r\n"  # 1 KiB chunks, 65 of them, then the end
    request = (
        (
            f"{method} /api/search?q=quantum HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
        + chunk * 65
        + b"0\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while data := sock.recv(65536):
            answer += data
    assert answer.startswith(b"HTTP/1.1 413 ")
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body == {
        "error": "The request is too large: this server accepts at most 64 KB in a request body."
    }
    status, _, _ = _raw_get(live_server.url, "/healthz")
    assert status == 200
