"""A real OpenSearch cluster for the cluster backend's tests.

``bash .ci/test`` starts one (``bash .ci/opensearch up 3``) and names it in
``DARI_TEST_OPENSEARCH_URL``; without it these tests are skipped, and under
``CI=true`` a skipped cluster test is a failure.  The tests never read
``DARI_OPENSEARCH_URL``: a developer's own cluster is not written to.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.documents import Document, load_folder
from search.opensearch.documents import cluster_document
from search.opensearch.mapping import index_body
from search.records import document_fields
from search.settings import Settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="session")
def cluster_settings() -> Settings:
    url = os.environ.get("DARI_TEST_OPENSEARCH_URL", "").strip()
    if not url:
        message = "no test cluster: DARI_TEST_OPENSEARCH_URL is not set (bash .ci/opensearch up)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI a skipped cluster test is a failure")
        pytest.skip(message)
    return Settings(opensearch_url=url, opensearch_index_prefix=f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def cluster(cluster_settings: Settings) -> Iterator[Any]:
    from search.opensearch.client import connect

    client = connect(cluster_settings)
    health = client.cluster.health(wait_for_status="yellow", request_timeout=60)
    assert health["status"] in ("yellow", "green"), health
    yield client
    client.indices.delete(index=f"{cluster_settings.opensearch_index_prefix}-*")
    client.close()


@pytest.fixture(scope="session")
def seed_entries() -> list[dict]:
    docs = [d for d in load_folder(SEEDS) if isinstance(d, Document)]
    return [entry for doc in docs for entry in document_fields(doc)]


@pytest.fixture(scope="session")
def seeded(cluster, cluster_settings, seed_entries) -> str:
    name = f"{cluster_settings.opensearch_index_prefix}-documents"
    cluster.indices.create(index=name, body=index_body(shards=3, replicas=1))
    lines: list[dict] = []
    for entry in seed_entries:
        lines += [{"index": {"_index": name, "_id": entry["key"]}}, cluster_document(entry)]
    answer = cluster.bulk(body=lines, refresh=True)
    assert not answer["errors"], [i for i in answer["items"] if i["index"].get("error")][:3]
    return name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that kill the cluster's nodes run after every other test."""
    items.sort(key=lambda item: item.get_closest_marker("cluster_faults") is not None)
