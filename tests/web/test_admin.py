"""Adding, replacing and removing documents over HTTP: token, rate limit, names, sizes, reindex.

Every test gets its own copy of a documents folder (a copy of seeds/) and of
its index, so uploads and deletions never touch the repository's seeds/.
"""

import io
import logging
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import web.admin as admin_module
from search.indexing import build_index, index_lock
from search.uploads import MAX_UPLOAD_BYTES
from web import create_app
from web.admin import FailureLimiter, client_key

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PRESS = "003_f33e5257b7cf7671"
TOKEN = "test-admin-token-9f8e7d6c5b4a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRONG = {"Authorization": "Bearer not-the-token"}
NEW_TEXT = (
    "Xylophonist joins the Daejeon orchestra\n\n"
    "The xylophonist played with the Daejeon philharmonic in spring.\n\n"
    "대전 필하모닉 오케스트라에 실로폰 연주자가 합류했다."
).encode()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A copy of the seeds and an index of it, built once for the module."""
    folder = tmp_path_factory.mktemp("admin")
    shutil.copytree(SEEDS, folder / "docs")
    build_index(folder / "docs", folder / "index")
    return folder


@dataclass
class Site:
    root: Path
    docs: Path
    index: Path
    app: object
    client: object

    def files(self) -> list[str]:
        return sorted(p.name for p in self.docs.iterdir())

    def tree(self) -> list[str]:
        """Every path under the test's folder: what an upload could have written."""
        return sorted(str(p.relative_to(self.root)) for p in self.root.rglob("*"))


def make_site(pristine: Path, root: Path, config: dict | None) -> Site:
    docs, index = root / "docs", root / "index"
    shutil.copytree(pristine / "docs", docs)  # copy2: mtimes kept, so nothing looks changed
    shutil.copytree(pristine / "index", index)
    app = create_app(index, docs, config=config)
    return Site(root, docs, index, app, app.test_client())


@pytest.fixture
def site(pristine, tmp_path, monkeypatch) -> Site:
    """An app with the admin token configured, over its own docs folder and index."""
    monkeypatch.delenv("DARI_ADMIN_TOKEN", raising=False)
    return make_site(pristine, tmp_path / "open", {"ADMIN_TOKEN": TOKEN})


@pytest.fixture
def signed_in(site) -> Site:
    """``site``, its client signed in on the upload page."""
    assert sign_in(site.client).status_code == 303
    return site


@pytest.fixture
def closed_site(pristine, tmp_path, monkeypatch) -> Site:
    """The same without an admin token."""
    monkeypatch.delenv("DARI_ADMIN_TOKEN", raising=False)
    return make_site(pristine, tmp_path / "closed", None)


def upload(client, name, data=NEW_TEXT, headers=AUTH, query=""):
    return client.post(
        "/api/docs" + query,
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


#: The hidden field each form of the upload page carries.
CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


def form_token(client, **kwargs) -> str | None:
    """The CSRF token the upload page puts in its forms for this client (None: no forms)."""
    match = CSRF_FIELD.search(client.get("/upload", **kwargs).get_data(as_text=True))
    return match.group(1) if match else None


def post_form(client, url, fields, **kwargs):
    """A form of the upload page, sent as the page sends it: with its CSRF token."""
    token = form_token(client, **kwargs)
    data = dict(fields) if token is None else {**fields, "csrf_token": token}
    return client.post(url, data=data, **kwargs)


def sign_in(client, token=TOKEN, **kwargs):
    """The upload page's sign-in form, sent with ``token``."""
    return post_form(client, "/upload/sign-in", {"token": token}, **kwargs)


def upload_form(client, name, data=NEW_TEXT, **fields):
    """The /upload page's form (the client must have signed in)."""
    return post_form(client, "/upload", {"file": (io.BytesIO(data), name), **fields})


def found(client, q: str) -> set[str]:
    response = client.get("/api/search", query_string={"q": q, "per_page": 100})
    assert response.status_code == 200
    return {r["doc_id"] for r in response.get_json()["results"]}


def listed(client) -> set[str]:
    return {d["doc_id"] for d in client.get("/api/docs").get_json()}


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/docs"), ("delete", f"/api/docs/{PRESS}"), ("post", "/api/reindex")],
)
def test_admin_endpoints_are_403_when_no_token_is_configured(closed_site, method, url):
    before = closed_site.tree()
    response = getattr(closed_site.client, method)(url, headers=AUTH)
    assert response.status_code == 403
    assert "turned off" in response.get_json()["error"]
    assert closed_site.tree() == before


def test_upload_without_a_configured_token_writes_nothing(closed_site):
    response = upload(closed_site.client, "new.txt")
    assert response.status_code == 403
    assert "new.txt" not in closed_site.files()


def test_upload_without_a_token_is_401_with_www_authenticate(site):
    response = upload(site.client, "new.txt", headers={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "new.txt" not in site.files()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-the-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer 토큰",
        "Bearer ",
    ],
)
def test_upload_with_a_wrong_token_is_401(site, header):
    response = upload(site.client, "new.txt", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "new.txt" not in site.files()


def test_upload_with_the_right_token_is_201_and_searchable_at_once(site):
    assert found(site.client, "xylophonist") == set()
    response = upload(site.client, "new-doc.txt")
    assert response.status_code == 201
    body = response.get_json()
    assert body["doc_id"] == "new-doc" and body["file"] == "new-doc.txt"
    assert body["reindex"]["added"] == ["new-doc"]
    assert body["reindex"]["unchanged"] == 5
    assert (site.docs / "new-doc.txt").read_bytes() == NEW_TEXT
    assert found(site.client, "xylophonist") == {"new-doc"}
    assert found(site.client, "실로폰") == {"new-doc"}
    assert "new-doc" in listed(site.client)


def test_bearer_scheme_is_case_insensitive(site):
    response = upload(site.client, "new.txt", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 201


def test_token_from_the_environment_turns_the_endpoints_on(pristine, tmp_path, monkeypatch):
    monkeypatch.setenv("DARI_ADMIN_TOKEN", TOKEN)
    site = make_site(pristine, tmp_path, None)
    assert upload(site.client, "new.txt").status_code == 201
    assert upload(site.client, "other.txt", headers=WRONG).status_code == 401


def test_config_token_none_turns_off_the_environment_token(pristine, tmp_path, monkeypatch):
    monkeypatch.setenv("DARI_ADMIN_TOKEN", TOKEN)
    site = make_site(pristine, tmp_path, {"ADMIN_TOKEN": None})
    assert upload(site.client, "new.txt").status_code == 403


def test_app_without_a_docs_folder_has_the_endpoints_off(pristine, tmp_path):
    shutil.copytree(pristine / "index", tmp_path / "index")
    app = create_app(tmp_path / "index", config={"ADMIN_TOKEN": TOKEN})
    response = app.test_client().post("/api/reindex", headers=AUTH)
    assert response.status_code == 403


# --- replacing ------------------------------------------------------------------------


def test_replacing_an_existing_name_needs_replace_1(site):
    assert upload(site.client, "doc.txt").status_code == 201
    second = b"Harpsichord recital\n\nA harpsichordist played Bach in Seoul."
    response = upload(site.client, "doc.txt", data=second)
    assert response.status_code == 409
    assert "replace=1" in response.get_json()["error"]
    assert (site.docs / "doc.txt").read_bytes() == NEW_TEXT

    response = upload(site.client, "doc.txt", data=second, query="?replace=1")
    assert response.status_code == 200
    assert response.get_json()["reindex"]["updated"] == ["doc"]
    assert found(site.client, "harpsichordist") == {"doc"}
    assert found(site.client, "xylophonist") == set()


def test_replacing_a_seed_document_is_409_without_replace(site):
    original = (site.docs / f"{PRESS}.txt").read_bytes()
    assert upload(site.client, f"{PRESS}.txt").status_code == 409
    assert (site.docs / f"{PRESS}.txt").read_bytes() == original


def test_replace_1_for_a_new_name_simply_adds_it(site):
    assert upload(site.client, "new.txt", query="?replace=1").status_code == 201


def test_bad_replace_value_is_400(site):
    response = upload(site.client, "new.txt", query="?replace=maybe")
    assert response.status_code == 400
    assert "new.txt" not in site.files()


# --- sizes ----------------------------------------------------------------------------------


def test_a_file_one_byte_over_the_upload_limit_is_413_and_nothing_written(site):
    before = site.tree()
    response = upload(site.client, "big.txt", data=b"a" * (MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 413
    assert response.get_json() == {
        "error": f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."
    }
    assert site.tree() == before


def test_request_far_above_the_upload_limit_is_413_before_it_is_read(site):
    before = site.tree()
    response = upload(site.client, "huge.txt", data=b"a" * (MAX_UPLOAD_BYTES + 200_000))
    assert response.status_code == 413
    assert response.get_json() == {
        "error": f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."
    }
    assert site.tree() == before


def test_upload_larger_than_the_64_kib_limit_of_other_requests_is_accepted(site):
    limit = site.app.config["MAX_CONTENT_LENGTH"]
    paragraph = "The glockenspiel section rehearsed in Busan. " * 40
    data = ("Glockenspiel\n\n" + "\n\n".join([paragraph] * (limit // len(paragraph) + 2))).encode()
    assert len(data) > limit
    response = upload(site.client, "long.txt", data=data)
    assert response.status_code == 201
    assert found(site.client, "glockenspiel") == {"long"}


def test_other_requests_keep_the_small_body_limit(site):
    response = site.client.post(
        "/api/reindex", headers=AUTH, data=b"x" * (site.app.config["MAX_CONTENT_LENGTH"] + 1)
    )
    assert response.status_code == 413


# --- names and contents -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../x.txt", "../../x.txt", "a/b.txt", ".hidden.txt", "x.xlsx", "x.txt.exe", "x"]
)
def test_unsafe_or_wrong_names_are_400_and_nothing_is_written(site, name):
    before = site.tree()
    response = upload(site.client, name)
    assert response.status_code == 400
    assert set(response.get_json()) == {"error"}
    assert site.tree() == before
    assert not (site.root / "x.txt").exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [(b"\x00\x01\x02\x03binary", "not a text file"), (b"", "empty"), (b" \n\n\t ", "empty")],
)
def test_binary_or_empty_files_are_400(site, data, words):
    before = site.tree()
    response = upload(site.client, "new.txt", data=data)
    assert response.status_code == 400
    assert words in response.get_json()["error"]
    assert site.tree() == before


def test_upload_without_a_file_field_is_400(site):
    response = site.client.post("/api/docs", headers=AUTH, data={"text": "hello"})
    assert response.status_code == 400
    assert "'file'" in response.get_json()["error"]


def test_korean_file_name_becomes_the_document_id(site):
    response = upload(site.client, "대전 음악회.txt")
    assert response.status_code == 201
    assert response.get_json()["doc_id"] == "대전 음악회"
    assert found(site.client, "xylophonist") == {"대전 음악회"}


def test_upload_of_cp949_text_is_indexed(site):
    data = "부산 국제 영화제\n\n부산에서 영화제가 열렸다.".encode("cp949")
    assert upload(site.client, "busan.txt", data=data).status_code == 201
    assert found(site.client, "영화제") == {"busan"}


# --- deleting and reindexing ---------------------------------------------------------


def test_delete_is_200_and_the_document_is_gone_from_search(site):
    assert PRESS in found(site.client, "다자협약체")
    response = site.client.delete(f"/api/docs/{PRESS}", headers=AUTH)
    assert response.status_code == 200
    body = response.get_json()
    assert body["doc_id"] == PRESS and body["reindex"]["removed"] == [PRESS]
    assert f"{PRESS}.txt" not in site.files()
    assert found(site.client, "다자협약체") == set()
    assert PRESS not in listed(site.client)
    assert site.client.get(f"/api/docs/{PRESS}").status_code == 404


def test_health_and_home_counts_follow_a_deletion(site):
    assert site.client.get("/healthz").get_json()["documents"] == 5
    site.client.delete(f"/api/docs/{PRESS}", headers=AUTH)
    health = site.client.get("/healthz").get_json()
    assert (health["documents"], health["paragraphs"]) == (4, 55)
    assert "4 documents · 55 paragraphs" in site.client.get("/").get_data(as_text=True)


def test_replaced_document_is_found_once_with_its_new_text(site):
    upload(site.client, "doc.txt")
    upload(site.client, "doc.txt", data=NEW_TEXT + b"\n\nEncore.", query="?replace=1")
    response = site.client.get("/api/search", query_string={"q": "xylophonist"})
    assert response.get_json()["total"] == 2  # two paragraphs of one document, not four
    assert site.client.get("/api/docs/doc").get_json()["paragraphs"][-1]["text"] == "Encore."


def test_delete_of_an_unknown_document_is_404(site):
    before = site.tree()
    response = site.client.delete("/api/docs/nope", headers=AUTH)
    assert response.status_code == 404
    assert site.tree() == before


@pytest.mark.parametrize("doc_id", ["..", ".hidden", "a..b"])
def test_delete_of_an_unsafe_id_is_refused(site, doc_id):
    before = site.tree()
    response = site.client.delete(f"/api/docs/{doc_id}", headers=AUTH)
    assert response.status_code in (400, 404)
    assert site.tree() == before


def test_delete_needs_the_token(site):
    assert site.client.delete(f"/api/docs/{PRESS}").status_code == 401
    assert site.client.delete(f"/api/docs/{PRESS}", headers=WRONG).status_code == 401
    assert f"{PRESS}.txt" in site.files()


def test_reindex_picks_up_a_file_dropped_into_the_folder(site):
    (site.docs / "dropped.txt").write_bytes(NEW_TEXT)
    assert found(site.client, "xylophonist") == set()
    response = site.client.post("/api/reindex", headers=AUTH)
    assert response.status_code == 200
    report = response.get_json()
    assert report["added"] == ["dropped"] and report["unchanged"] == 5
    assert found(site.client, "xylophonist") == {"dropped"}


def test_reindex_notices_a_file_removed_from_the_folder(site):
    (site.docs / f"{PRESS}.txt").unlink()
    response = site.client.post("/api/reindex", headers=AUTH)
    assert response.get_json()["removed"] == [PRESS]
    assert found(site.client, "다자협약체") == set()


def test_reindex_with_nothing_changed_reports_nothing(site):
    report = site.client.post("/api/reindex", headers=AUTH).get_json()
    assert (report["added"], report["updated"], report["removed"]) == ([], [], [])
    assert report["unchanged"] == 5


def test_reindex_is_409_while_another_writer_holds_the_index(site):
    with index_lock(site.index):
        response = site.client.post("/api/reindex", headers=AUTH)
    assert response.status_code == 409
    assert "try again" in response.get_json()["error"]
    assert str(site.index) not in response.get_json()["error"]


def test_reindex_needs_the_token(site):
    assert site.client.post("/api/reindex").status_code == 401


# --- rate limit on wrong tokens ------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(site) -> FakeClock:
    clock = FakeClock()
    site.app.extensions["dari_admin"] = FailureLimiter(limit=10, window=60.0, clock=clock)
    return clock


def test_eleventh_wrong_token_within_a_minute_is_429_with_retry_after(site, clock):
    for _ in range(10):
        clock.now += 1
        assert site.client.post("/api/reindex", headers=WRONG).status_code == 401
    response = site.client.post("/api/reindex", headers=WRONG)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "51"  # the first failure leaves the window then
    assert "try again in 51 seconds" in response.get_json()["error"]


def test_a_blocked_client_is_refused_even_with_the_right_token(site, clock):
    for _ in range(10):
        upload(site.client, "new.txt", headers=WRONG)
    assert upload(site.client, "new.txt").status_code == 429
    assert "new.txt" not in site.files()


def test_the_block_ends_when_the_failures_leave_the_window(site, clock):
    for _ in range(10):
        site.client.post("/api/reindex", headers=WRONG)
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 429
    clock.now += 60
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 200


def test_the_limit_is_per_client_address(site, clock):
    for _ in range(10):
        site.client.post("/api/reindex", headers=WRONG)
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 429
    other = {"REMOTE_ADDR": "192.0.2.7"}
    response = site.client.post("/api/reindex", headers=AUTH, environ_base=other)
    assert response.status_code == 200


def test_missing_tokens_do_not_count_as_guesses(site, clock):
    for _ in range(20):
        assert site.client.post("/api/reindex").status_code == 401
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 200


def test_wrong_tokens_in_the_sign_in_form_count_too(site, clock):
    for _ in range(10):
        assert sign_in(site.client, "wrong").status_code == 401
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 429
    response = sign_in(site.client)
    assert response.status_code == 429
    assert "Retry-After" in response.headers and "try again in" in response.get_data(as_text=True)


def test_limiter_counts_every_failure_from_many_threads():
    limiter = FailureLimiter(limit=1000, window=60.0)
    threads = [
        threading.Thread(target=lambda: [limiter.fail("203.0.113.1") for _ in range(100)])
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.retry_after("203.0.113.1") is None  # 800 < 1000
    for _ in range(200):
        limiter.fail("203.0.113.1")
    assert limiter.retry_after("203.0.113.1") is not None


def test_limiter_forgets_the_quietest_clients_beyond_its_bound():
    limiter = FailureLimiter(limit=1, window=60.0, max_clients=100)
    for i in range(1000):
        limiter.fail(f"client-{i}")
    assert len(limiter._failures) == 100
    assert limiter.retry_after("client-999") is not None
    assert limiter.retry_after("client-0") is None


# --- secrecy ------------------------------------------------------------------------


def test_the_token_never_appears_in_the_logs(site, caplog):
    caplog.set_level(logging.DEBUG)
    upload(site.client, "new.txt")
    upload(site.client, "other.txt", headers={"Authorization": "Bearer guessed-token-123"})
    site.client.delete("/api/docs/new", headers=AUTH)
    site.client.post("/api/reindex", headers=AUTH)
    sign_in(site.client)
    upload_form(site.client, "p.txt")
    sign_in(site.client, "guessed-token-456")
    with index_lock(site.index):
        site.client.post("/api/reindex", headers=AUTH)
    text = caplog.text + " ".join(repr(r.args) for r in caplog.records)
    assert "wrong token" in text  # the refusals were logged …
    assert "added new.txt" in text  # … and so were the changes
    for secret in (TOKEN, "guessed-token-123", "guessed-token-456", "Authorization"):
        assert secret not in text


def test_the_token_is_not_echoed_by_the_upload_page(site):
    refused = sign_in(site.client, "guessed-token-789")
    assert refused.status_code == 401
    assert "guessed-token-789" not in refused.get_data(as_text=True)
    assert sign_in(site.client, follow_redirects=True).status_code == 200
    response = upload_form(site.client, "p.txt")
    assert response.status_code == 200
    assert TOKEN not in response.get_data(as_text=True)


# --- OpenAPI --------------------------------------------------------------------------


def test_admin_operations_are_described_with_bearer_security(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["adminToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["adminToken"]["description"],
    }
    operations = [
        spec["paths"]["/api/docs"]["post"],
        spec["paths"]["/api/docs/{doc_id}"]["delete"],
        spec["paths"]["/api/reindex"]["post"],
    ]
    for operation in operations:
        assert operation["security"] == [{"adminToken": []}]
        assert {"401", "403", "429"} <= set(operation["responses"])
    assert {"201", "200", "400", "409", "413"} <= set(operations[0]["responses"])
    assert "404" in operations[1]["responses"]
    assert "409" in operations[2]["responses"]
    body = operations[0]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"]


def test_admin_responses_match_their_openapi_schemas(site, closed_site, matches_openapi):
    c = site.client
    check = matches_openapi
    check("/api/docs", closed_site.client.post("/api/docs", headers=AUTH), "post")  # 403
    check("/api/docs", upload(c, "new.txt", headers={}), "post")  # 401
    check("/api/docs", upload(c, "new.txt"), "post")  # 201
    check("/api/docs", upload(c, "new.txt"), "post")  # 409
    check("/api/docs", upload(c, "new.txt", query="?replace=1"), "post")  # 200
    check("/api/docs", upload(c, "../new.txt"), "post")  # 400
    check("/api/docs", upload(c, "big.txt", data=b"a" * (MAX_UPLOAD_BYTES + 1)), "post")  # 413
    check("/api/docs/{doc_id}", c.delete("/api/docs/new", headers=AUTH), "delete")  # 200
    check("/api/docs/{doc_id}", c.delete("/api/docs/new", headers=AUTH), "delete")  # 404
    check("/api/reindex", c.post("/api/reindex", headers=AUTH), "post")  # 200
    with index_lock(site.index):
        check("/api/reindex", c.post("/api/reindex", headers=AUTH), "post")  # 409
    for _ in range(10):
        c.post("/api/reindex", headers=WRONG)
    response = c.post("/api/reindex", headers=WRONG)
    assert response.status_code == 429
    check("/api/reindex", response, "post")


# --- the upload page ----------------------------------------------------------------


def test_footer_links_the_upload_page_only_when_a_token_is_configured(site, closed_site):
    assert 'href="/upload"' in site.client.get("/").get_data(as_text=True)
    assert 'href="/upload"' not in closed_site.client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/upload", "/upload/sign-in", "/upload/remove", "/upload/sign-out"]
)
def test_upload_page_and_its_forms_are_403_when_no_token_is_configured(closed_site, url):
    assert closed_site.client.get("/upload").status_code == 403
    fields = {"token": TOKEN, "doc_id": PRESS, "file": (io.BytesIO(NEW_TEXT), "n.txt")}
    response = closed_site.client.post(url, data=fields)  # 403 comes before the CSRF check
    assert response.status_code == 403
    assert "turned off" in response.get_data(as_text=True)
    assert "n.txt" not in closed_site.files() and f"{PRESS}.txt" in closed_site.files()
    assert "Set-Cookie" not in response.headers  # no session without an admin token


def test_upload_page_asks_for_the_token_in_a_password_field_of_its_sign_in_form(site):
    body = site.client.get("/upload").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/upload/sign-in"[^>]*>', body).group(0)
    assert 'method="post"' in form
    assert re.search(
        r'<input id="sign-in-token" name="token" type="password" autocomplete="off" required>',
        body,
    )
    assert 'type="file"' not in body and 'action="/upload/remove"' not in body
    # no inline script: the only script is the search box's, a file from /static
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/suggest.js" defer>']


def test_signed_in_the_upload_page_has_a_multipart_form_without_a_token_field(signed_in):
    body = signed_in.client.get("/upload").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/upload"[^>]*>', body).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    assert 'type="file"' in body and 'name="replace"' in body
    assert 'name="token"' not in body and 'type="password"' not in body
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", body, re.S)
    assert len(forms) == 3  # upload, remove, sign out: each with its CSRF token
    assert all(CSRF_FIELD.search(form) for form in forms)
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/suggest.js" defer>']


def test_upload_form_adds_the_document_and_shows_what_changed(signed_in):
    response = upload_form(signed_in.client, "form-doc.txt")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Added" in body and 'href="/doc/form-doc"' in body
    assert "added <code>form-doc</code>" in body
    assert found(signed_in.client, "xylophonist") == {"form-doc"}


def test_sign_in_with_a_wrong_token_shows_the_error_and_does_not_sign_in(site):
    response = sign_in(site.client, "wrong")
    assert response.status_code == 401
    assert "The admin token is wrong." in response.get_data(as_text=True)
    assert upload_form(site.client, "form-doc.txt").status_code == 401
    assert "form-doc.txt" not in site.files()


def test_sign_in_without_a_token_asks_for_it_in_the_page_s_words(site):
    response = sign_in(site.client, "")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "Enter the admin token to sign in." in body and "Bearer" not in body


def test_upload_form_replaces_only_with_the_checkbox(signed_in):
    def send(**extra):
        return upload_form(signed_in.client, f"{PRESS}.txt", b"Organ\n\nAn organist.", **extra)

    response = send()
    assert response.status_code == 409
    assert "exists already" in response.get_data(as_text=True)
    response = send(replace="1")
    assert response.status_code == 200
    assert "Replaced" in response.get_data(as_text=True)
    assert found(signed_in.client, "organist") == {PRESS}


def test_upload_form_refuses_an_unsafe_name_with_the_reason(signed_in):
    before = signed_in.tree()
    response = upload_form(signed_in.client, "../evil.txt")
    assert response.status_code == 400
    assert "path separators" in response.get_data(as_text=True)
    assert signed_in.tree() == before


def test_upload_refusals_are_in_the_page_s_language_and_the_api_s_in_english(signed_in):
    client = signed_in.client
    client.get("/lang/ko")  # the interface in Korean from now on (a cookie)
    response = upload_form(client, "notes.exe")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "다음 종류의 파일만 추가할 수 있습니다: .txt, .md" in body
    assert "Only these kinds of files" not in body
    from tests.files import STATEMENT_KO, pdf_bytes

    response = upload_form(client, "report.docx", pdf_bytes([STATEMENT_KO]))
    assert response.status_code == 400
    assert (
        "파일을 읽을 수 없습니다: DOCX 파일이 아님(실제로는 PDF): 확장자가 잘못되었나요?."
        in response.get_data(as_text=True)
    )
    api = upload(client, "notes.exe", headers={**AUTH, "Accept-Language": "ko"})
    assert api.status_code == 400
    assert api.get_json()["error"].startswith("Only these kinds of files can be added: .txt, .md")


def test_a_wrong_token_on_the_page_is_said_in_the_page_s_language(site):
    site.client.get("/lang/ko")
    response = sign_in(site.client, "wrong")
    assert response.status_code == 401
    assert "관리자 토큰이 틀렸습니다." in response.get_data(as_text=True)


def test_why_a_file_was_skipped_is_said_in_the_page_s_language(signed_in):
    (signed_in.docs / "broken.pdf").write_bytes(b"plain text, not a PDF")
    signed_in.client.get("/lang/ko")
    response = upload_form(signed_in.client, "form-doc.txt")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert (
        "건너뜀 <code>broken.pdf</code>: "
        "PDF 파일이 아님(첫 바이트가 다른 형식임): 확장자가 잘못되었나요?"
    ) in body
    report = signed_in.client.post(
        "/api/reindex", headers={**AUTH, "Accept-Language": "ko"}
    ).get_json()
    reasons = [s["reason"] for s in report["skipped"]]
    assert reasons == ["not a PDF file (its first bytes are of another kind): wrong ending?"]


def test_upload_form_without_a_file_asks_for_one(signed_in):
    response = post_form(signed_in.client, "/upload", {})
    assert response.status_code == 400
    assert "Choose a file to upload" in response.get_data(as_text=True)


def test_remove_form_deletes_the_document(signed_in):
    response = post_form(signed_in.client, "/upload/remove", {"doc_id": PRESS})
    assert response.status_code == 200
    assert f"Removed <code>{PRESS}.txt</code>" in response.get_data(as_text=True)
    assert found(signed_in.client, "다자협약체") == set()


# --- signing in once (issue 18) ---------------------------------------------------------


def session_cookie(response) -> str:
    """The response's Set-Cookie header for the session."""
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("dari_session=")]
    return cookie


def test_signing_in_once_lets_both_forms_work_without_the_token(site):
    response = sign_in(site.client)
    assert response.status_code == 303 and response.headers["Location"] == "/upload"
    page = site.client.get("/upload").get_data(as_text=True)
    assert "Sign out" in page and 'name="token"' not in page

    assert "Added" in upload_form(site.client, "form-doc.txt").get_data(as_text=True)
    removed = post_form(site.client, "/upload/remove", {"doc_id": PRESS})
    assert removed.status_code == 200
    assert "form-doc.txt" in site.files() and f"{PRESS}.txt" not in site.files()


def test_the_forms_are_refused_with_401_before_signing_in(site):
    response = upload_form(site.client, "form-doc.txt")
    assert response.status_code == 401
    assert "You are not signed in" in response.get_data(as_text=True)
    assert post_form(site.client, "/upload/remove", {"doc_id": PRESS}).status_code == 401
    assert "form-doc.txt" not in site.files() and f"{PRESS}.txt" in site.files()


def test_the_session_cookie_is_http_only_and_same_site_strict(site):
    cookie = session_cookie(sign_in(site.client))
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
    assert {"HttpOnly", "Expires", "Path"} <= attributes
    assert "SameSite=Strict" in cookie and "Path=/upload;" in cookie
    assert "Secure" not in attributes  # plain HTTP: a Secure cookie would not come back


def test_the_session_cookie_is_secure_over_https(site):
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/upload"}}
    response = sign_in(site.client, **https)
    assert response.status_code == 303
    assert "; Secure" in session_cookie(response)
    assert upload_form(site.client, "form-doc.txt").status_code == 200


def test_the_session_cookie_is_secure_behind_a_proxy_that_says_https(site):
    response = sign_in(site.client, headers={"X-Forwarded-Proto": "https"})
    assert "; Secure" in session_cookie(response)


def test_the_session_holds_a_fingerprint_of_the_token_not_the_token(signed_in):
    cookie = signed_in.client.get_cookie("dari_session", path="/upload")
    serializer = signed_in.app.session_interface.get_signing_serializer(signed_in.app)
    session = serializer.loads(cookie.value)
    assert set(session) <= {"admin", "_permanent", "csrf_token"}
    assert set(session["admin"]) == {"token", "since"}
    assert TOKEN not in repr(session) and TOKEN not in cookie.value
    assert signed_in.app.secret_key not in (TOKEN, TOKEN.encode())


def test_a_sign_in_lasts_eight_hours_however_much_it_is_used(signed_in, monkeypatch):
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start + 7 * 3600)
    assert upload_form(signed_in.client, "early.txt").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 8 * 3600 + 1)
    response = upload_form(signed_in.client, "late.txt")
    assert response.status_code == 401
    assert "late.txt" not in signed_in.files()


@pytest.mark.parametrize("csrf", [None, "", "wrong", "another session's"])
@pytest.mark.parametrize("form", ["upload", "remove", "sign-in", "sign-out"])
def test_a_form_without_its_csrf_token_is_a_400_page_and_changes_nothing(
    signed_in, pristine, tmp_path, form, csrf
):
    if csrf == "another session's":
        csrf = form_token(signed_in.app.test_client())
    url, fields = {
        "upload": ("/upload", {"file": (io.BytesIO(NEW_TEXT), "form-doc.txt")}),
        "remove": ("/upload/remove", {"doc_id": PRESS}),
        "sign-in": ("/upload/sign-in", {"token": TOKEN}),
        "sign-out": ("/upload/sign-out", {}),
    }[form]
    before = signed_in.tree()
    if csrf is not None:
        fields["csrf_token"] = csrf
    response = signed_in.client.post(url, data=fields)

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "Form not accepted" in body and "nothing was changed" in body
    assert 'class="error-page"' in body and "Traceback" not in body
    assert signed_in.tree() == before
    assert "Sign out" in signed_in.client.get("/upload").get_data(as_text=True)  # still signed in


def test_the_api_with_a_bearer_token_needs_no_csrf_token_and_sets_no_cookie(site):
    responses = [
        upload(site.client, "api-doc.txt"),
        site.client.delete("/api/docs/api-doc", headers=AUTH),
        site.client.post("/api/reindex", headers=AUTH),
    ]
    assert [r.status_code for r in responses] == [201, 200, 200]
    assert not any("Set-Cookie" in r.headers for r in responses)


def test_a_signed_in_session_does_not_open_the_api(signed_in):
    assert upload(signed_in.client, "api-doc.txt", headers={}).status_code == 401
    assert "api-doc.txt" not in signed_in.files()


def test_signing_out_ends_the_session(signed_in):
    response = post_form(signed_in.client, "/upload/sign-out", {})
    assert response.status_code == 303 and response.headers["Location"] == "/upload"
    assert "Expires=Thu, 01 Jan 1970" in session_cookie(response)  # the cookie is deleted
    assert 'id="sign-in-token"' in signed_in.client.get("/upload").get_data(as_text=True)
    assert upload_form(signed_in.client, "form-doc.txt").status_code == 401
    assert "form-doc.txt" not in signed_in.files()


@pytest.mark.parametrize("secret", [None, "a-configured-secret-key"])
def test_changing_the_admin_token_ends_old_sessions(site, secret):
    def server(token, cookie=None):
        """A client of the app over the site's folders with ``token`` (and ``cookie``)."""
        config = {"ADMIN_TOKEN": token, "SECRET_KEY": secret}
        client = create_app(site.index, site.docs, config=config).test_client()
        if cookie is not None:
            client.set_cookie("dari_session", cookie, path="/upload")
        return client

    first = server(TOKEN)
    assert sign_in(first).status_code == 303
    cookie = first.get_cookie("dari_session", path="/upload").value

    # the same token: every worker, and the server after a restart, reads the cookie
    assert upload_form(server(TOKEN, cookie), "kept.txt").status_code == 200
    changed = server("a-new-admin-token", cookie)
    assert 'id="sign-in-token"' in changed.get("/upload").get_data(as_text=True)
    assert upload_form(changed, "form-doc.txt").status_code == 401
    assert "kept.txt" in site.files() and "form-doc.txt" not in site.files()


def test_a_signed_in_session_is_not_refused_while_wrong_tokens_block_the_address(signed_in, clock):
    """The limit is on guessing tokens; a session, signed with the server's key, guesses nothing."""
    for _ in range(10):
        sign_in(signed_in.app.test_client(), "wrong")
    assert sign_in(signed_in.app.test_client()).status_code == 429
    assert upload_form(signed_in.client, "form-doc.txt").status_code == 200


# --- gaps found in review (issue 7) ----------------------------------------------------


def test_ipv6_clients_are_counted_by_their_64_network(site, clock):
    """A host may pick any address of its /64: rotating them must not reset the count."""
    for i in range(10):
        address = {"REMOTE_ADDR": f"2001:db8:1:2::{i + 1:x}"}
        site.client.post("/api/reindex", headers=WRONG, environ_base=address)
    same_network = {"REMOTE_ADDR": "2001:db8:1:2:ffff:ffff:ffff:ffff"}
    assert (
        site.client.post("/api/reindex", headers=AUTH, environ_base=same_network).status_code == 429
    )
    other_network = {"REMOTE_ADDR": "2001:db8:1:3::1"}
    assert (
        site.client.post("/api/reindex", headers=AUTH, environ_base=other_network).status_code
        == 200
    )
    assert site.client.post("/api/reindex", headers=AUTH).status_code == 200  # IPv4 unaffected


def test_client_keys():
    assert client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"  # an IPv4 client on a dual-stack socket
    assert client_key("2001:db8::1") == client_key("2001:db8::abcd") == "2001:db8::/64"
    assert client_key(None) == "unknown" and client_key("not-an-ip") == "not-an-ip"


@pytest.mark.parametrize(
    "given", [TOKEN, TOKEN[:-1], TOKEN + "x", "", "x", "x" * 10_000, "토큰", TOKEN.upper()]
)
def test_tokens_are_compared_as_digests_in_constant_time(monkeypatch, given):
    """Every comparison goes through hmac.compare_digest over equal-length digests."""
    compared: list[tuple[int, int]] = []
    real = admin_module.hmac.compare_digest

    def spy(a, b):
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(admin_module.hmac, "compare_digest", spy)
    assert admin_module._same_token(given, TOKEN) is (given == TOKEN)
    assert compared == [(32, 32)]


# --- changes that outlast the time limit ------------------------------------------------

#: Real text long enough that indexing it outlasts a 0.2 s limit: the seeds' texts, eight
#: times over (about 220 KB, one document), and a word found nowhere else.
LONG_TEXT = (
    "\n\n".join(p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))) * 8
    + "\n\nThis copy is marked by the word quodlibetarian."
).encode()


@pytest.fixture
def slow_site(pristine, tmp_path, monkeypatch) -> Site:
    """An app whose time limit (0.2 s) a long upload's indexing outlasts."""
    monkeypatch.delenv("DARI_ADMIN_TOKEN", raising=False)
    return make_site(pristine, tmp_path / "slow", {"ADMIN_TOKEN": TOKEN, "SEARCH_TIME_LIMIT": 0.2})


def follow(client, url: str, timeout: float = 120.0) -> dict:
    """The job at ``url`` once it is no longer running (or when ``timeout`` passes)."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url, headers=AUTH)
        assert response.status_code == 200
        state = response.get_json()
        if state["state"] != "running" or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


def test_an_upload_indexed_past_the_time_limit_answers_202_with_a_job_to_follow(
    slow_site, matches_openapi
):
    response = upload(slow_site.client, "long-copy.txt", LONG_TEXT)

    assert response.status_code == 202
    matches_openapi("/api/docs", response, "post")
    body = response.get_json()
    assert (body["doc_id"], body["file"], body["action"]) == ("long-copy", "long-copy.txt", "added")
    assert response.headers["Location"] == body["job"]["url"]
    state = follow(slow_site.client, body["job"]["url"])
    assert state["state"] == "done"
    assert state["reindex"]["added"] == ["long-copy"]
    assert found(slow_site.client, "quodlibetarian") == {"long-copy"}


def test_a_finished_job_reads_as_the_change_would_have_been_answered(slow_site, matches_openapi):
    url = upload(slow_site.client, "long-copy.txt", LONG_TEXT).get_json()["job"]["url"]
    follow(slow_site.client, url)

    response = slow_site.client.get(url, headers=AUTH)

    matches_openapi("/api/jobs/{job_id}", response)
    assert response.get_json()["file"] == "long-copy.txt"
    assert "Retry-After" not in response.headers  # nothing left to wait for


def test_jobs_are_read_with_the_admin_token_only(slow_site):
    url = upload(slow_site.client, "long-copy.txt", LONG_TEXT).get_json()["job"]["url"]
    assert slow_site.client.get(url).status_code == 401
    assert slow_site.client.get(url, headers=WRONG).status_code == 401
    follow(slow_site.client, url)


@pytest.mark.parametrize("job_id", ["abcdefghijklmnop", "..", "x" * 300])
def test_an_unknown_job_is_404_with_a_message(site, job_id):
    response = site.client.get(f"/api/jobs/{job_id}", headers=AUTH)
    assert response.status_code == 404
    assert "No job" in response.get_json()["error"]


def test_the_upload_form_says_when_indexing_goes_on_in_the_background(slow_site):
    sign_in(slow_site.client)
    response = upload_form(slow_site.client, "long-copy.txt", LONG_TEXT)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "goes on in the background" in body and "long-copy.txt" in body
    deadline = time.monotonic() + 120
    while not found(slow_site.client, "quodlibetarian") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert found(slow_site.client, "quodlibetarian") == {"long-copy"}


def test_an_upload_of_many_short_lines_is_accepted_whatever_the_parser_s_chunk_edges(site):
    # a line break every 11 bytes: one sits near the end of every 64 KB chunk the multipart
    # parser reads, which once made it answer 413 "larger than 5 MB" for a 220 KB file
    data = ("Short line\n" * 20_000 + "The word zwieback ends it.\n").encode()
    response = upload(site.client, "short-lines.txt", data)
    assert response.status_code == 201
    assert found(site.client, "zwieback") == {"short-lines"}


# --- every format -------------------------------------------------------------------------


def test_an_uploaded_pdf_is_searchable_at_once_with_its_page(site):
    from tests.files import STATEMENT_KO, pdf_bytes

    data = pdf_bytes([STATEMENT_KO[:1], ["The xylophonist played at the summit."]])
    response = upload(site.client, "summit.pdf", data=data)
    assert response.status_code == 201
    assert response.get_json()["doc_id"] == "summit"
    [hit] = site.client.get("/api/search", query_string={"q": "xylophonist"}).get_json()["results"]
    assert (hit["doc_id"], hit["page"]) == ("summit", 2)
    document = site.client.get("/api/docs/summit").get_json()
    assert [p["page"] for p in document["paragraphs"]] == [1, 2]
    assert (site.docs / "summit.pdf").read_bytes() == data


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("scan.pdf", "no text layer (scanned?)"),
        ("locked.pdf", "encrypted PDF"),
        ("report.docx", "not a DOCX file (it is a PDF): wrong ending?"),
    ],
)
def test_an_upload_that_cannot_be_read_is_400_with_the_reason_and_nothing_written(
    site, name, reason
):
    from tests.files import STATEMENT_KO, pdf_bytes, scanned_pdf_bytes

    data = {
        "scan.pdf": scanned_pdf_bytes,
        "locked.pdf": lambda: pdf_bytes([STATEMENT_KO], encrypt="secret"),
        "report.docx": lambda: pdf_bytes([STATEMENT_KO]),
    }[name]()
    before = site.tree()
    response = upload(site.client, name, data=data)
    assert response.status_code == 400
    assert reason in response.get_json()["error"]
    assert site.tree() == before


def test_a_document_in_another_format_replaces_it_only_with_replace_1(site):
    from tests.files import pdf_bytes

    assert upload(site.client, "memo.txt", data=b"Old memo about the xylophone.").status_code == 201
    data = pdf_bytes([["New memo about the marimba."]])
    refused = upload(site.client, "memo.pdf", data=data)
    assert refused.status_code == 409
    assert "memo.txt" in refused.get_json()["error"]
    response = upload(site.client, "memo.pdf", data=data, query="?replace=1")
    assert response.status_code == 200
    assert response.get_json()["reindex"]["updated"] == ["memo"]
    assert "memo.pdf" in site.files() and "memo.txt" not in site.files()
    assert found(site.client, "marimba") == {"memo"} and found(site.client, "xylophone") == set()


def test_deleting_a_document_removes_its_file_whatever_its_format(site):
    from tests.files import pdf_bytes

    upload(site.client, "memo.pdf", data=pdf_bytes([["A memo about the marimba."]]))
    response = site.client.delete("/api/docs/memo", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json()["file"] == "memo.pdf"
    assert "memo.pdf" not in site.files() and "memo" not in listed(site.client)


def test_the_pages_of_an_uploaded_pdf_show_where_each_page_starts(site):
    from tests.files import STATEMENT_EN, STATEMENT_KO, pdf_bytes

    upload(
        site.client,
        "summit.pdf",
        data=pdf_bytes([[STATEMENT_KO[0], STATEMENT_EN[0]], ["The xylophonist played."]]),
    )
    results = site.client.get("/search", query_string={"q": "xylophonist"}).get_data(as_text=True)
    assert '<span class="hit__page">p. 2</span>' in results
    document = site.client.get("/doc/summit")
    assert document.status_code == 200
    html = document.get_data(as_text=True)
    assert '<p class="page-mark" id="page-2">p. 2</p>' in html
    assert html.index('id="page-2"') < html.index('id="p3"')
    assert '<a href="#page-1">1</a>' in html and '<a href="#page-2">2</a>' in html


def test_a_background_job_that_fails_with_a_fixed_message_records_it(site, tmp_path):
    import json

    from search.errors import Busy
    from web import jobs

    job_id = "a" * 16
    with site.app.app_context():
        jobs._finish(tmp_path, job_id, {"action": "added"}, {"error": Busy("busy")}, dict)
    written = json.loads((tmp_path / f"{job_id}.json").read_text("utf-8"))
    assert written["state"] == "failed" and written["error"]["status"] == 409
    assert written["error"]["message"].startswith("Another indexing run is in progress")


def test_the_page_says_to_tick_replace_not_to_add_an_api_parameter(signed_in):
    upload_form(signed_in.client, "memo.txt", b"A memo about the marimba.")
    response = upload_form(signed_in.client, "memo.txt", b"Another memo about the marimba.")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tick “Replace a document with the same name”" in body and "replace=1" not in body


def test_turned_off_uploads_say_how_to_turn_them_on(closed_site):
    body = closed_site.client.get("/upload").get_data(as_text=True)
    assert "DARI_ADMIN_TOKEN=" in body and "dari serve" in body and "dari reindex" in body
