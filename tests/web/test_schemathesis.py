"""Every operation of ``/api/openapi.json`` fuzzed with schemathesis: no 5xx, every
response as described (status code, content type, body schema, headers).

Three targets: the app in-process with an admin token over a copy of the seeds
(so uploads and deletions really run), the same without a token (the admin
operations answer 403), and a real ``dari serve`` (waitress) for the read-only
operations.  Schema-valid and -- where the description constrains something --
schema-invalid requests (which must be refused with a 4xx).

schemathesis's ``positive_data_acceptance`` check is left out: it expects every
schema-valid request to succeed, but a query of only common words, an unknown
``doc`` id or a ``.png`` file name are valid by the schema and rightly refused
with the described 400/404.
"""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from search.indexing import build_index
from web import create_app

REPO = Path(__file__).resolve().parents[2]
TOKEN = "schemathesis-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

OPERATIONS = [
    ("GET", "/api/search"),
    ("GET", "/api/docs"),
    ("POST", "/api/docs"),
    ("GET", "/api/docs/{doc_id}"),
    ("DELETE", "/api/docs/{doc_id}"),
    ("POST", "/api/reindex"),
    ("GET", "/api/openapi.json"),
    ("GET", "/healthz"),
]
#: operations with parameters or a body that the description constrains (the others
#: have nothing a request could get wrong: schemathesis cannot make an invalid one)
NEGATIVE = [("GET", "/api/search"), ("POST", "/api/docs")]
READ_ONLY = [(m, p) for m, p in OPERATIONS if m == "GET"]
ADMIN = [(m, p) for m, p in OPERATIONS if m != "GET"]

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _site(root: Path, token: str | None) -> schemathesis.BaseSchema:
    shutil.copytree(REPO / "seeds", root / "docs")
    for path in (root / "docs").iterdir():
        path.chmod(0o644)
    build_index(root / "docs", root / "index")
    app = create_app(
        root / "index",
        root / "docs",
        # schemathesis also sends wrong tokens on purpose; don't let them lock us out
        config={"ADMIN_TOKEN": token, "ADMIN_MAX_FAILURES": 10**9},
    )
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture(scope="module")
def open_schema(tmp_path_factory):
    """The app with an admin token, over its own copy of the seeds."""
    return _site(tmp_path_factory.mktemp("fuzz-open"), TOKEN)


@pytest.fixture(scope="module")
def closed_schema(tmp_path_factory):
    """The app without an admin token: uploads, deletions and reindexing are off."""
    return _site(tmp_path_factory.mktemp("fuzz-closed"), None)


@pytest.fixture(scope="module")
def live_schema(live_server):
    return schemathesis.openapi.from_url(live_server.url + "/api/openapi.json")


def _fresh_random() -> None:
    """Reseed the global random generator from the OS.

    Whoosh names new index segments with ``random.choice``, and Hypothesis seeds
    the global generator the same way for every example: two commits in one test
    would then name their segments alike and Whoosh's writer trips an assertion
    (a 500).  A server process seeds it once from the OS, as this does.
    """
    random.seed()


def _check(schema, method: str, path: str, mode: GenerationMode, data, **call) -> None:
    _fresh_random()
    case = data.draw(schema[path][method].as_strategy(generation_mode=mode), label="case")
    case.call_and_validate(excluded_checks=[positive_data_acceptance], **call)


@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS]
    + [(m, p, GenerationMode.NEGATIVE) for m, p in NEGATIVE],
    ids=lambda v: v.value if isinstance(v, GenerationMode) else v,
)
@FUZZ
@given(data=st.data())
def test_every_operation_with_an_admin_token(open_schema, method, path, mode, data):
    _check(open_schema, method, path, mode, data, headers=AUTH)


@pytest.mark.parametrize(("method", "path"), ADMIN)
@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_admin_operations_without_a_configured_token(closed_schema, method, path, data):
    _check(closed_schema, method, path, GenerationMode.POSITIVE, data, headers=AUTH)


@pytest.mark.parametrize(("method", "path"), READ_ONLY)
@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_read_only_operations_through_waitress(live_schema, live_server, method, path, data):
    with requests.Session() as session:
        _check(live_schema, method, path, GenerationMode.POSITIVE, data, session=session)


# schemathesis names every uploaded file after its content ("file.png"), so the upload
# itself is never reached; these requests use .txt names, good and hostile.
NAMES = st.one_of(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).map(lambda s: s + ".txt"),
    st.sampled_from(
        [
            "report.txt",
            "보고서 2025.txt",
            "Report (final), v2.txt",
            "../escape.txt",
            "..\\escape.txt",
            "a/b.txt",
            "/etc/passwd.txt",
            ".hidden.txt",
            "..txt",
            "x.TXT",
            "x.txt.exe",
            "nul\x00.txt",
            "x" * 200 + ".txt",
            "003_f33e5257b7cf7671.txt",
        ]
    ),
)
CONTENTS = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from(["양자 협력 공동성명서 보고서".encode("cp949"), b"", b"  \n\n ", b"a\x00b"]),
)


@settings(FUZZ, max_examples=120)
@given(name=NAMES, data=CONTENTS, replace=st.sampled_from([None, "0", "1", "true", "maybe"]))
def test_uploads_with_txt_names_answer_as_described(open_schema, name, data, replace):
    _fresh_random()
    client = open_schema.app.test_client()
    url = "/api/docs" + ("" if replace is None else f"?replace={replace}")
    response = client.post(
        url,
        data={"file": (io.BytesIO(data), name)},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert response.status_code < 500, (name, data, replace)
    open_schema["/api/docs"]["POST"].validate_response(response)
    if response.status_code in (200, 201):
        doc_id = response.get_json()["doc_id"]
        removed = client.delete(f"/api/docs/{doc_id}", headers=AUTH)
        assert removed.status_code == 200
        open_schema["/api/docs/{doc_id}"]["DELETE"].validate_response(removed)
