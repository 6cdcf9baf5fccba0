"""The engine over the cluster answers as over the local index."""

from __future__ import annotations

import dataclasses
import json

import pytest

from search.engine import Engine
from search.errors import QueryError
from search.opensearch.backend import ClusterBackend
from search.opensearch.client import ClusterUnavailable
from search.opensearch.indexing import build_cluster_index
from search.settings import Settings
from tests.opensearch.conftest import SEEDS
from tests.test_columnar import SEED_QUERIES, misspelled


@pytest.fixture(scope="module")
def cluster_engine(cluster, cluster_settings, tmp_path_factory) -> Engine:
    settings = dataclasses.replace(
        cluster_settings,
        opensearch_index_prefix=f"{cluster_settings.opensearch_index_prefix}-engine",
        opensearch_shards=3,
    )
    build_cluster_index(SEEDS, settings, procs=1)
    return Engine(tmp_path_factory.mktemp("cluster-engine"), backend=ClusterBackend(settings))


@pytest.mark.parametrize("match", ["all", "any"])
def test_the_seed_queries_find_as_many_paragraphs_with_the_same_facets(
    cluster_engine, engine, match
):
    for q in SEED_QUERIES:
        local = engine.search(q, match=match, facets=True)
        remote = cluster_engine.search(q, match=match, facets=True)
        assert (remote.total, remote.facets, remote.fallback) == (
            local.total,
            local.facets,
            local.fallback,
        ), q
        # a paragraph found by both is shown and marked the same
        shown = {(r.doc_id, r.paragraph): r for r in local.results}
        for r in remote.results:
            if (r.doc_id, r.paragraph) in shown:
                mine = shown[(r.doc_id, r.paragraph)]
                assert (r.snippet, r.title, r.lang, r.counterpart) == (
                    mine.snippet,
                    mine.title,
                    mine.lang,
                    mine.counterpart,
                ), q


@pytest.mark.parametrize("match", ["all", "any"])
def test_the_seed_queries_put_the_same_document_first(cluster_engine, engine, match):
    # Lucene keeps a paragraph's length in one byte with 4 bits of precision, Whoosh with
    # 3: long paragraphs' scores differ slightly, so equal-looking paragraphs may swap;
    # the document a search leads with stays the same.
    for q in SEED_QUERIES:
        local = engine.search(q, match=match).results
        remote = cluster_engine.search(q, match=match).results
        assert [r.doc_id for r in remote[:1]] == [r.doc_id for r in local[:1]], q


def test_the_cluster_scores_paragraphs_as_the_local_index_does(cluster_engine, engine):
    """Lengths are counted alike (overlapping terms included) and rounded to the lengths
    Whoosh keeps: most scores are the same to 1e-4; the others are paragraphs longer than
    Lucene keeps exactly (23 terms), within its length precision."""
    same = shared = 0
    for match in ("all", "any"):
        for q in SEED_QUERIES:
            local = {
                (r.doc_id, r.paragraph): r.score for r in engine.search(q, match=match).results
            }
            remote = cluster_engine.search(q, match=match).results
            for r in remote:
                mine = local.get((r.doc_id, r.paragraph))
                if mine is None:
                    continue
                shared += 1
                same += r.score == pytest.approx(mine, rel=1e-4)
                assert r.score == pytest.approx(mine, rel=0.05), (q, match, r.doc_id, r.paragraph)
    assert shared > 400 and same >= 0.7 * shared


def test_did_you_mean_proposes_the_same_corrections(cluster_engine, engine):
    queries = misspelled(SEED_QUERIES) + ["quantim", "quantum computng", "양자기슬", "정상회당"]
    proposed = 0
    for q in queries:
        expected = engine.suggest(q, typo=False)  # what the speller proposes, as typed
        assert cluster_engine.suggest(q, typo=False) == expected, q
        proposed += expected is not None
    assert proposed >= 10  # real corrections, not only None == None


def test_misspelt_queries_search_the_same_corrections(cluster_engine, engine):
    queries = misspelled(SEED_QUERIES) + [
        "quantom cooperaton",
        "협렵",
        "혈벽",
        "공동성멍서",
        "didwk",
        "벼무셔ㅡ",
        "ㄱㄷㅅㅁㅅ",
        "ㅇㅈ 협력",
    ]
    corrected = 0
    for q in queries:
        try:
            local = engine.search(q)
        except QueryError:
            continue
        remote = cluster_engine.search(q)
        assert (remote.expansions, remote.total) == (local.expansions, local.total), q
        corrected += any(e.get("kind") for e in local.expansions)
    assert corrected >= 10  # real corrections, not only none == none


@pytest.mark.parametrize("typed", ["협ㄹ", "협", "quan", "cooperat", "ㅇㅈ", "공동성", "양자 기"])
def test_suggestions_while_typing_are_the_same(cluster_engine, engine, typed):
    local = [s.to_dict() for s in engine.complete(typed)]
    assert local and [s.to_dict() for s in cluster_engine.complete(typed)] == local


def test_documents_and_stats_are_the_same(cluster_engine, engine):
    assert cluster_engine.stats() == engine.stats()
    assert cluster_engine.documents() == engine.documents()
    doc = engine.documents()[0].doc_id
    assert cluster_engine.document(doc, q="협력") == engine.document(doc, q="협력")


def test_a_cluster_that_does_not_answer_is_a_clear_unavailable_error(tmp_path):
    settings = Settings(opensearch_url="http://127.0.0.1:9")  # nothing listens there
    engine = Engine(tmp_path, backend=ClusterBackend(settings))
    with pytest.raises(ClusterUnavailable, match=r"http://127.0.0.1:9 does not answer"):
        engine.search("협력")


def test_a_cluster_without_dari_s_index_says_how_to_make_one(cluster_settings, tmp_path):
    settings = dataclasses.replace(cluster_settings, opensearch_index_prefix="never-built")
    engine = Engine(tmp_path, backend=ClusterBackend(settings))
    with pytest.raises(ClusterUnavailable, match="no Dari index yet: build one with `dari index`"):
        engine.search("협력")


def test_dari_index_and_dari_search_use_the_cluster_when_it_is_set(
    cluster_settings, seed_index, monkeypatch, capsys, tmp_path
):
    from search.cli import main

    prefix = f"{cluster_settings.opensearch_index_prefix}-cli"
    monkeypatch.setenv("DARI_OPENSEARCH_URL", str(cluster_settings.opensearch_url))
    monkeypatch.setenv("DARI_OPENSEARCH_INDEX_PREFIX", prefix)
    monkeypatch.setenv("DARI_OPENSEARCH_REPLICAS", "0")
    assert main(["index", "--docs", str(SEEDS), "--index", str(tmp_path / "unused")]) == 0
    assert "indexed 5 documents, 110 paragraphs" in capsys.readouterr().out
    assert not (tmp_path / "unused").exists()  # nothing written locally
    assert main(["search", "--json", "--index", str(tmp_path / "cache"), "양자 협력"]) == 0
    remote = json.loads(capsys.readouterr().out)
    monkeypatch.delenv("DARI_OPENSEARCH_URL")
    assert main(["search", "--json", "--index", str(seed_index), "양자 협력"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert remote["total"] == local["total"] > 0
    assert all("<mark" in r["snippet"] for r in remote["results"])  # typed or translated


def test_a_pdf_on_the_cluster_is_found_with_its_page(cluster, cluster_settings, tmp_path):
    from tests.files import STATEMENT_KO, pdf_bytes

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "summit.pdf").write_bytes(pdf_bytes([STATEMENT_KO[:1], ["The xylophonist played."]]))
    prefix = f"{cluster_settings.opensearch_index_prefix}-pdf"
    settings = dataclasses.replace(
        cluster_settings, opensearch_index_prefix=prefix, opensearch_replicas=0
    )
    build_cluster_index(docs, settings, procs=1)
    engine = Engine(tmp_path / "cache", backend=ClusterBackend(settings))
    [hit] = engine.search("xylophonist").results
    assert (hit.doc_id, hit.paragraph, hit.page) == ("summit", 2, 2)
    view = engine.document("summit")
    assert view.page_starts == {1: 1, 2: 2} and view.pages == 2


def test_the_status_on_the_cluster_is_the_local_one_s_with_its_own_place(cluster_engine, engine):
    remote, local = cluster_engine.status(), engine.status()
    assert (remote.documents, remote.paragraphs, remote.languages) == (
        local.documents,
        local.paragraphs,
        local.languages,
    )
    assert remote.backend == "opensearch" and remote.location.endswith("-paragraphs")
    assert remote.size_bytes and remote.last_run["kind"] == "build"
    assert remote.last_run["documents"] == 5


def test_document_order_on_the_cluster_is_the_local_one(cluster_engine, engine):
    remote = cluster_engine.search("quantum", per_page=100, sort="document").results
    local = engine.search("quantum", per_page=100, sort="document").results
    assert [(r.doc_id, r.paragraph) for r in remote] == [(r.doc_id, r.paragraph) for r in local]


def test_newest_first_on_the_cluster_is_the_local_order(cluster, cluster_settings, tmp_path):
    from search.indexing import build_index
    from tests.files import DATED_WORD, write_dated_documents

    docs = tmp_path / "docs"
    docs.mkdir()
    write_dated_documents(docs)
    settings = dataclasses.replace(
        cluster_settings,
        opensearch_index_prefix=f"{cluster_settings.opensearch_index_prefix}-dated",
        opensearch_replicas=0,
    )
    build_cluster_index(docs, settings, procs=1)
    remote = Engine(tmp_path / "cache", backend=ClusterBackend(settings))
    build_index(docs, tmp_path / "local")
    local = Engine(tmp_path / "local")
    for per_page, page in ((10, 1), (2, 1), (2, 2), (2, 3)):
        keys = [
            [
                (r.doc_id, r.paragraph)
                for r in engine.search(
                    DATED_WORD, sort="date", per_page=per_page, page=page
                ).results
            ]
            for engine in (remote, local)
        ]
        assert keys[0] == keys[1], (per_page, page)
    assert keys[0]  # the last page is not empty either
