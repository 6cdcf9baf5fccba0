"""Reindexing the cluster's index from the folder, and the web app over the cluster."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest

from search.engine import Engine
from search.indexing import IndexBusy, build_index
from search.indexing.reindex import reindex
from search.opensearch.backend import ClusterBackend
from search.opensearch.client import connect
from search.opensearch.indexing import build_cluster_index, cluster_lock
from search.opensearch.reindex import OUTDATED_SCORING, reindex_cluster
from search.settings import RankingSettings, Settings
from tests.opensearch.conftest import SEEDS
from web import create_app

TOKEN = "test-admin-token-cluster-5d4c"
NEW_TEXT = (
    "Xylophonist joins the Daejeon orchestra\n\n"
    "The xylophonist played with the Daejeon philharmonic in spring.\n\n"
    "대전 필하모닉 오케스트라에 실로폰 연주자가 합류했다."
)


def own_settings(cluster_settings: Settings, name: str) -> Settings:
    return dataclasses.replace(
        cluster_settings,
        opensearch_index_prefix=f"{cluster_settings.opensearch_index_prefix}-{name}",
        opensearch_shards=3,
    )


@pytest.fixture
def folder(tmp_path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)  # copy2: the same modification times
    return docs


def change_folder(docs: Path) -> None:
    """One document added, one cut short (fewer paragraphs), one removed."""
    (docs / "zz_xylophone.txt").write_text(NEW_TEXT, encoding="utf-8")
    first, second = sorted(docs.glob("*.txt"))[:2]
    paragraphs = first.read_text(encoding="utf-8").split("\n\n")
    first.write_text("\n\n".join(paragraphs[:3]), encoding="utf-8")
    second.unlink()


def test_a_reindex_brings_the_cluster_to_what_a_local_reindex_has(
    cluster, cluster_settings, folder, tmp_path
):
    settings = own_settings(cluster_settings, "reindex")
    build_cluster_index(folder, settings, procs=1)
    build_index(folder, tmp_path / "index")
    change_folder(folder)

    heard: list[str] = []
    report = reindex_cluster(folder, settings, on_change=heard.append)
    local = reindex(folder, tmp_path / "index")

    assert (report.added, report.updated, report.removed, report.unchanged) == (
        local.added,
        local.updated,
        local.removed,
        local.unchanged,
    )
    assert len(heard) == 3
    remote_engine = Engine(tmp_path / "cache", backend=ClusterBackend(settings))
    local_engine = Engine(tmp_path / "index")
    assert remote_engine.stats() == local_engine.stats()  # no paragraph past a new end is left
    assert remote_engine.documents() == local_engine.documents()
    for q in ("xylophonist", "대전 필하모닉", "양자 협력"):
        assert remote_engine.search(q).total == local_engine.search(q).total, q


def test_a_reindex_of_an_unchanged_folder_changes_nothing(cluster, cluster_settings, folder):
    settings = own_settings(cluster_settings, "unchanged")
    build_cluster_index(folder, settings, procs=1)
    report = reindex_cluster(folder, settings)
    assert not report.changed and report.unchanged == 5 and not report.full_build


def test_a_reindex_says_when_the_index_scores_with_another_ranking(
    cluster, cluster_settings, folder
):
    settings = own_settings(cluster_settings, "ranking")
    before_19 = RankingSettings(idf="whoosh", k1=1.2, field_k1={"bigrams": 1.2, "pairs": 1.2})
    build_cluster_index(folder, dataclasses.replace(settings, ranking=before_19), procs=1)
    said: list[str] = []
    report = reindex_cluster(folder, settings, on_change=said.append)
    assert report.warnings == [OUTDATED_SCORING] and said == [OUTDATED_SCORING]
    build_cluster_index(folder, settings, procs=1)  # built again: this version's ranking
    assert reindex_cluster(folder, settings).warnings == []


def test_a_reindex_without_an_index_builds_one(cluster, cluster_settings, folder):
    settings = own_settings(cluster_settings, "first")
    report = reindex_cluster(folder, settings)
    assert report.full_build and len(report.added) == 5


def test_a_second_reindex_while_one_runs_is_busy_or_waits(cluster, cluster_settings, folder):
    settings = own_settings(cluster_settings, "busy")
    build_cluster_index(folder, settings, procs=1)
    client = connect(settings)
    try:
        busy = pytest.raises(IndexBusy, match="Another reindex is writing the cluster's index")
        with cluster_lock(client, settings, wait=False), busy:
            reindex_cluster(folder, settings, wait=False)
    finally:
        client.close()
    assert not reindex_cluster(folder, settings, wait=False).changed  # the lock was let go


def test_dari_reindex_uses_the_cluster_when_it_is_set(
    cluster, cluster_settings, folder, monkeypatch, capsys
):
    from search.cli import main

    settings = own_settings(cluster_settings, "cli-reindex")
    build_cluster_index(folder, settings, procs=1)
    (folder / "zz_xylophone.txt").write_text(NEW_TEXT, encoding="utf-8")
    monkeypatch.setenv("DARI_OPENSEARCH_URL", str(settings.opensearch_url))
    monkeypatch.setenv("DARI_OPENSEARCH_INDEX_PREFIX", settings.opensearch_index_prefix)
    assert main(["reindex", "--docs", str(folder), "--index", str(folder.parent / "no")]) == 0
    captured = capsys.readouterr()
    assert "added zz_xylophone.txt" in captured.err
    assert "added 1, updated 0, removed 0, unchanged 5" in captured.out
    assert not (folder.parent / "no").exists()


@pytest.fixture
def cluster_app(cluster, cluster_settings, folder, tmp_path, monkeypatch):
    monkeypatch.delenv("DARI_ADMIN_TOKEN", raising=False)
    settings = own_settings(cluster_settings, "web")
    build_cluster_index(folder, settings, procs=1)
    return create_app(tmp_path / "cache", folder, config={"ADMIN_TOKEN": TOKEN}, settings=settings)


def test_the_pages_and_the_api_answer_from_the_cluster(cluster_app, seed_index):
    remote = cluster_app.test_client()
    local = create_app(seed_index, SEEDS, config={"ADMIN_TOKEN": None}).test_client()
    for path in ("/api/search?q=양자+협력", "/api/search?q=quantum+lang:en", "/api/docs"):
        mine, theirs = remote.get(path), local.get(path)
        assert mine.status_code == theirs.status_code == 200, path
        if path.startswith("/api/search"):
            assert mine.get_json()["total"] == theirs.get_json()["total"] > 0
            assert mine.get_json()["facets"] == theirs.get_json()["facets"]
        else:
            assert mine.get_json() == theirs.get_json()
    page = remote.get("/search?q=quantum+computng")
    assert page.status_code == 200 and "quantum computing" in page.get_data(as_text=True)
    assert remote.get("/healthz").get_json() == local.get("/healthz").get_json()


def test_an_upload_is_searchable_on_the_cluster(cluster_app, folder):
    client = cluster_app.test_client()
    typo = {"q": "xylophonst"}
    before = client.get("/api/search", query_string=typo).get_json()
    assert (before["expansions"], before["suggestion"]) == ([], None)
    response = client.post(
        "/api/docs",
        data={"file": (io.BytesIO(NEW_TEXT.encode()), "xylophone.txt")},
        headers={"Authorization": f"Bearer {TOKEN}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["reindex"]["added"] == ["xylophone"]
    assert (folder / "xylophone.txt").exists()
    found = client.get("/api/search", query_string={"q": "xylophonist"}).get_json()
    assert {r["doc_id"] for r in found["results"]} == {"xylophone"}
    # the corrections know the new words (what was worked out before the upload is not reused)
    after = client.get("/api/search", query_string=typo).get_json()
    assert after["expansions"] == [{"from": "xylophonst", "to": ["xylophonist"], "kind": "typo"}]
    assert {r["doc_id"] for r in after["results"]} == {"xylophone"}
    gone = client.delete("/api/docs/xylophone", headers={"Authorization": f"Bearer {TOKEN}"})
    assert gone.status_code == 200, gone.get_data(as_text=True)
    assert client.get("/api/search", query_string={"q": "xylophonist"}).get_json()["total"] == 0
    assert json.loads(client.get("/healthz").get_data())["documents"] == 5


def test_dari_serve_answers_from_the_cluster_with_several_workers(
    cluster, cluster_settings, seed_index, tmp_path
):
    from urllib.parse import quote

    from bench.live_server import start_server

    settings = own_settings(cluster_settings, "serve")
    build_cluster_index(SEEDS, settings, procs=1)
    env = {
        "DARI_OPENSEARCH_URL": str(settings.opensearch_url),
        "DARI_OPENSEARCH_INDEX_PREFIX": settings.opensearch_index_prefix,
    }
    local = create_app(seed_index, SEEDS, config={"ADMIN_TOKEN": None}).test_client()
    path = "/api/search?q=" + quote("양자 협력")
    with start_server(
        tmp_path / "cache",
        SEEDS,
        tmp_path / "serve.log",
        workers=2,
        threads=2,
        env=env,
        unset_env=("DARI_ADMIN_TOKEN",),
    ) as server:
        for _ in range(4):  # both workers, each with its own connection to the cluster
            status, body = server.request("GET", path)
            assert status == 200, body
            assert json.loads(body)["total"] == local.get(path).get_json()["total"] > 0
        assert "searching the cluster at" in server.log()
    assert not (tmp_path / "cache" / "CURRENT").exists()  # no local index was built
