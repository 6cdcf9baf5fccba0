"""Faults on the real test cluster: a node killed while a reindex writes, the whole cluster down.

These tests stop nodes of the cluster that ``.ci/test`` started, with
``.ci/opensearch`` (``DARI_TEST_CLUSTER_CONTROL``), and bring them back; they
run after every other cluster test.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from search.documents import Document, load_folder
from search.opensearch.indexing import build_cluster_index
from search.opensearch.reindex import reindex_cluster
from search.records import PARAGRAPH_KIND, document_fields
from search.settings import Settings
from tests.opensearch.conftest import SEEDS
from web import create_app

pytestmark = pytest.mark.cluster_faults
ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-admin-token-faults-8e1f"
#: Copies of each seed file the reindex writes: a few thousand paragraphs, some seconds
COPIES = 30


@pytest.fixture(scope="module")
def control(cluster) -> str:
    script = os.environ.get("DARI_TEST_CLUSTER_CONTROL", "").strip()
    if not script:
        message = (
            "DARI_TEST_CLUSTER_CONTROL is not set: the test cluster's nodes are not ours to kill"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI a skipped cluster test is a failure")
        pytest.skip(message)
    return script


def cluster_command(control: str, *args: str) -> None:
    subprocess.run(["bash", control, *args], cwd=ROOT, check=True, capture_output=True, timeout=600)


def source_counts(docs: Path) -> dict[str, int]:
    documents = [d for d in load_folder(docs) if isinstance(d, Document)]
    paragraphs = sum(
        1 for d in documents for e in document_fields(d) if e["kind"] == PARAGRAPH_KIND
    )
    return {"documents": len(documents), "paragraphs": paragraphs}


@pytest.fixture
def site(cluster, cluster_settings, tmp_path, monkeypatch):
    monkeypatch.delenv("DARI_ADMIN_TOKEN", raising=False)
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    # every node's address, as .ci/opensearch numbers them: a request that node 0 does
    # not answer goes to another
    url = urlsplit(str(cluster_settings.opensearch_url))
    nodes = ",".join(f"{url.scheme}://{url.hostname}:{(url.port or 9200) + i}" for i in range(3))
    settings: Settings = dataclasses.replace(
        cluster_settings,
        opensearch_url=nodes,
        opensearch_index_prefix=f"{cluster_settings.opensearch_index_prefix}-faults",
        opensearch_shards=3,
        opensearch_replicas=1,
    )
    build_cluster_index(docs, settings, procs=1)
    app = create_app(tmp_path / "cache", docs, config={"ADMIN_TOKEN": TOKEN}, settings=settings)
    return docs, settings, app.test_client()


def test_a_node_killed_during_a_reindex_loses_no_search_and_no_paragraph(site, control, cluster):
    docs, settings, client = site
    for path in sorted(SEEDS.glob("*.txt")):
        for i in range(COPIES):
            shutil.copy(path, docs / f"{path.stem}_copy{i:02d}.txt")
    heard: list[str] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            reindex_cluster(docs, settings, wait=True, on_change=heard.append)
        except BaseException as exc:  # seen by the test
            failed.append(exc)

    writer = threading.Thread(target=run)
    writer.start()
    while len(heard) < 40 and writer.is_alive():  # the first bulk requests are sent
        time.sleep(0.05)
    assert writer.is_alive(), "the reindex ended before a node could be killed"
    cluster_command(control, "kill", "0")  # the node of DARI_TEST_OPENSEARCH_URL
    statuses, notes = [], []
    while writer.is_alive():
        answer = client.get("/api/search", query_string={"q": "양자 협력"})
        statuses.append(answer.status_code)
        notes += answer.get_json().get("notes", [])
        time.sleep(0.1)
    writer.join()
    try:
        assert not failed, failed
        assert statuses and set(statuses) == {200}, statuses  # no 5xx while it happened
        assert client.get("/healthz").get_json() == {
            "status": "ok",
            **source_counts(docs),
        }  # as many documents and paragraphs as the folder has
        partial = [n for n in notes if "did not answer" in n]
        assert all("shards" in n for n in partial)  # a partial page says so
    finally:
        cluster_command(control, "up", "3")
        cluster.cluster.health(wait_for_status="green", request_timeout=300)


def test_the_whole_cluster_down_is_a_503_and_dari_recovers_by_itself(site, control, cluster):
    docs, settings, client = site
    before = client.get("/api/search", query_string={"q": "양자 협력"}).get_json()["total"]
    cluster_command(control, "down")
    try:
        answer = client.get("/api/search", query_string={"q": "양자 협력"})
        assert answer.status_code == 503
        body = answer.get_json()
        assert "search cluster is not answering" in body["error"]
        assert "127.0.0.1" not in answer.get_data(as_text=True)  # no internal address shown
        page = client.get("/search", query_string={"q": "양자 협력"})
        assert page.status_code == 503 and "try again" in page.get_data(as_text=True)
        assert client.get("/healthz").status_code == 503
        files = sorted(p.name for p in docs.iterdir())
        upload = client.post(
            "/api/docs",
            data={"file": (io.BytesIO(b"Xylophone\n\nA xylophonist."), "x.txt")},
            headers={"Authorization": f"Bearer {TOKEN}"},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 503
        assert sorted(p.name for p in docs.iterdir()) == files  # the upload was taken back
    finally:
        cluster_command(control, "up", "3")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        answer = client.get("/api/search", query_string={"q": "양자 협력"})
        if answer.status_code == 200:
            break
        time.sleep(1)
    assert answer.status_code == 200  # the same app, not restarted
    assert answer.get_json()["total"] == before
    cluster.cluster.health(wait_for_status="green", request_timeout=300)
