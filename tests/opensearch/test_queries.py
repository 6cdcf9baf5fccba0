"""A query compiled for the cluster matches the same paragraphs as on the local index."""

from __future__ import annotations

import pytest

from search.engine import Engine, _restrict
from search.opensearch.queries import compile_query
from search.opensearch.search import search_page
from search.query import parse_query
from tests.test_columnar import SEED_QUERIES


def local_keys(engine: Engine, q) -> set[str]:
    searcher = engine.searcher()
    hits = engine.columnar(searcher).hits(q, None, None)
    return {searcher.stored_fields(int(d))["key"] for d in hits.docs}


def cluster_keys(cluster, index: str, q) -> set[str]:
    body = {
        "query": compile_query(q),
        "size": 10_000,
        "_source": False,
        "track_total_hits": True,
    }
    answer = cluster.search(index=index, body=body, search_type="dfs_query_then_fetch")
    assert answer["hits"]["total"] == {"value": len(answer["hits"]["hits"]), "relation": "eq"}
    return {hit["_id"] for hit in answer["hits"]["hits"]}


@pytest.mark.parametrize("q", SEED_QUERIES)
def test_a_seed_query_matches_the_same_paragraphs_on_the_cluster(cluster, seeded, seed_index, q):
    engine = Engine(seed_index)
    parsed = parse_query(q, engine.expander)
    for wanted in (parsed.query, parsed.any_query.child if parsed.any_query else None):
        if wanted is None:
            continue
        final = _restrict(wanted, parsed)
        assert cluster_keys(cluster, seeded, final) == local_keys(engine, final), q


@pytest.mark.parametrize("q", SEED_QUERIES)
def test_a_seed_query_has_the_same_total_and_facet_counts_on_the_cluster(
    cluster, seeded, seed_index, q
):
    engine = Engine(seed_index)
    parsed = parse_query(q, engine.expander)
    final = _restrict(parsed.query, parsed)
    local = engine.columnar().hits(final, None, None)
    got = search_page(cluster, seeded, compile_query(final), 1, 10, facets=True, source=False)
    assert not got.partial
    assert (got.total, got.facets) == (local.total, local.facets()), q
    assert len(got.hits) == min(10, local.total)
