"""The status of the index, as a page and as JSON: what it holds, where, and what its last
build or reindex did."""

from __future__ import annotations

import shutil

from search.indexing import build_index
from search.indexing.reindex import reindex
from web.app import create_app


def test_the_api_status_counts_documents_paragraphs_and_languages(client, matches_openapi):
    response = client.get("/api/status")
    matches_openapi("/api/status", response)
    body = response.get_json()
    assert (body["documents"], body["paragraphs"]) == (5, 110)
    assert body["languages"] == {"en": 75, "ko": 34, "mixed": 1}
    assert sum(body["languages"].values()) == body["paragraphs"]


def test_the_status_names_the_index_but_shows_no_server_path(client):
    body = client.get("/api/status").get_json()
    assert body["backend"] == "local" and "/" not in body["location"]
    assert body["generation"].startswith("gen-") and body["size_bytes"] > 0


def test_the_status_tells_what_the_last_build_did(client):
    run = client.get("/api/status").get_json()["last_run"]
    assert run["kind"] == "build" and run["documents"] == 5 and run["skipped"]["count"] == 0
    assert run["finished"].endswith("Z") and run["seconds"] >= 0


def test_after_a_reindex_the_status_tells_what_changed(tmp_path, seeds_dir):
    docs = tmp_path / "docs"
    shutil.copytree(seeds_dir, docs)
    build_index(docs, tmp_path / "index")
    (docs / "memo.txt").write_text("A memo about the marimba.", "utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (docs / "004_5334acd3d0054ac8.txt").unlink()
    reindex(docs, tmp_path / "index")
    client = create_app(tmp_path / "index", docs).test_client()
    run = client.get("/api/status").get_json()["last_run"]
    assert run["kind"] == "reindex" and run["unchanged"] == 4
    assert run["added"] == {"count": 1, "names": ["memo"]}
    assert run["removed"] == {"count": 1, "names": ["004_5334acd3d0054ac8"]}
    assert run["skipped"]["files"][0]["file"] == "broken.pdf"
    page = client.get("/status").get_data(as_text=True)
    assert "Reindex, finished" in page and "added: 1 (memo)" in page and "broken.pdf" in page


def test_a_reindex_that_builds_from_scratch_leaves_the_build_s_own_record(tmp_path, seeds_dir):
    report = reindex(seeds_dir, tmp_path / "index")
    assert report.full_build
    run = create_app(tmp_path / "index", seeds_dir).test_client().get("/api/status")
    assert run.get_json()["last_run"]["kind"] == "build"
    assert run.get_json()["last_run"]["documents"] == 5


def test_the_status_page_shows_the_counts_in_the_interface_language(client):
    english = client.get("/status", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<dt>Paragraphs</dt><dd>110</dd>" in english and "Full build, finished" in english
    korean = client.get("/status", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert '<html lang="ko">' in korean and "<dd>110</dd>" in korean


def test_every_page_links_to_the_status(client):
    assert 'href="/status"' in client.get("/").get_data(as_text=True)
