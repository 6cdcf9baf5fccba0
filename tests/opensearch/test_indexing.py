"""A build on the cluster: every entry there, then the alias moved in one step."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from search.documents import Document, load_folder
from search.opensearch import indexing
from search.opensearch.client import index_names
from search.opensearch.indexing import ClusterBuildError, build_cluster_index
from search.records import document_fields

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def settings(cluster_settings, request):
    # an alias of its own per test: builds of different tests do not meet
    prefix = f"{cluster_settings.opensearch_index_prefix}-{request.node.name[:20].lower()}"
    prefix = "".join(c if c.isalnum() or c in "-_" else "-" for c in prefix)
    return dataclasses.replace(
        cluster_settings, opensearch_index_prefix=prefix, opensearch_shards=3
    )


def seed_keys() -> set[str]:
    docs = [d for d in load_folder(SEEDS) if isinstance(d, Document)]
    return {entry["key"] for doc in docs for entry in document_fields(doc)}


def alias_target(cluster, settings) -> list[str]:
    alias, _ = index_names(settings)
    return sorted(cluster.indices.get_alias(name=alias))


def keys_behind_alias(cluster, settings) -> set[str]:
    alias, _ = index_names(settings)
    answer = cluster.search(index=alias, body={"size": 1000, "_source": False})
    return {hit["_id"] for hit in answer["hits"]["hits"]}


def test_a_build_puts_every_entry_behind_the_alias(cluster, settings):
    seen: list[str] = []
    report = build_cluster_index(SEEDS, settings, lambda name, _: seen.append(name), procs=1)
    assert (report.documents, report.paragraphs) == (5, 110)
    assert sorted(seen) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert alias_target(cluster, settings) == [report.generation]
    assert keys_behind_alias(cluster, settings) == seed_keys()
    replicas = cluster.indices.get_settings(index=report.generation)
    assert replicas[report.generation]["settings"]["index"]["number_of_replicas"] == "1"


def test_two_processes_send_the_same_entries(cluster, settings):
    report = build_cluster_index(SEEDS, settings, procs=2)
    assert (report.documents, report.paragraphs) == (5, 110)
    assert keys_behind_alias(cluster, settings) == seed_keys()


def test_a_rebuild_moves_the_alias_and_drops_the_old_index(cluster, settings):
    first = build_cluster_index(SEEDS, settings, procs=1)
    second = build_cluster_index(SEEDS, settings, procs=1)
    assert alias_target(cluster, settings) == [second.generation]
    assert not cluster.indices.exists(index=first.generation)
    assert keys_behind_alias(cluster, settings) == seed_keys()


def test_a_failed_build_leaves_the_alias_on_the_last_good_index(cluster, settings, monkeypatch):
    good = build_cluster_index(SEEDS, settings, procs=1)
    real = indexing.cluster_document

    def refused(entry):
        doc = real(entry)
        doc["unknown_field"] = 1  # the index's mapping is strict: the cluster refuses it
        return doc

    monkeypatch.setattr(indexing, "cluster_document", refused)
    with pytest.raises(ClusterBuildError, match="refused entry"):
        build_cluster_index(SEEDS, settings, procs=1)
    assert alias_target(cluster, settings) == [good.generation]
    _, stem = index_names(settings)
    assert sorted(cluster.indices.get(index=f"{stem}*")) == [good.generation]
    assert keys_behind_alias(cluster, settings) == seed_keys()
