"""The columnar query path gives the answers of Whoosh's own per-posting path.

Whoosh's collectors (``Engine(query_path="whoosh")``) are the reference: the
same totals and facet counts, the same top 10 with the same scores (to 1e-4
relative; paragraphs whose scores are that close may swap).  Checked on the
seed query set and on 10,000 real reviews (with a reindex, so that several
segments and deletions are in play), with queries that never repeat.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.corpus import default_nsmc, iter_reviews, write_corpus
from bench.queries import QUERY_MIX, SEED_QUERY_MIX
from search.columnar import store
from search.columnar.searcher import Hits, kth_bound
from search.engine import Engine
from search.errors import QueryError
from search.indexing import build_index, current_generation
from search.indexing.reindex import reindex
from search.settings import RankingSettings
from search.spelling import IndexLexicon, suggest_query

SEED_QUERIES = [
    *[q for _, q, _ in SEED_QUERY_MIX],
    '"freedom of inquiry"',
    "다자협약체",
    "Gretchen Campbell",
    "quantum -Korea",
    "Daejeon OR 대전",
    "협력을",
    "co-operation",
    'quantum -"joint statement"',
    "워싱턴 협력센터",
    '"intellectual property"',
    "-lang:en 양자",
    "(a OR -quantum) Korea",
]


def answers(engine: Engine, q: str, **options: object) -> tuple:
    r = engine.search(q, per_page=10, facets=True, **options)  # type: ignore[arg-type]
    top = [(x.doc_id, x.paragraph, x.score) for x in r.results]
    snippets = {(x.doc_id, x.paragraph): x.snippet for x in r.results}
    return r.total, r.facets, r.fallback, top, snippets


def assert_same(reference: tuple, columnar: tuple, label: str) -> None:
    total, facets, fallback, top, snippets = reference
    assert (columnar[0], columnar[1], columnar[2]) == (total, facets, fallback), label
    assert len(columnar[3]) == len(top), label
    for (_, _, expected), (_, _, got) in zip(top, columnar[3], strict=True):
        assert got == pytest.approx(expected, rel=1e-4), label
    # the same paragraphs, in the same order unless their scores tie (to 1e-4)
    if [x[:2] for x in top] != [x[:2] for x in columnar[3]]:
        by_score = sorted(top, key=lambda x: (-x[2], x[:2]))
        assert sorted(x[:2] for x in top) == sorted(x[:2] for x in columnar[3]) or all(
            a[2] == pytest.approx(b[2], rel=1e-4)
            for a, b in zip(by_score, columnar[3], strict=True)
        ), label
    # highlighted from the offsets stored at index time, as re-analysing the text does
    for key, snippet in columnar[4].items():
        if key in snippets:
            assert snippet == snippets[key], label


@pytest.mark.parametrize("match", ["all", "any"])
def test_the_seed_queries_get_the_same_answers_on_both_paths(seed_index, match):
    reference, columnar = Engine(seed_index, query_path="whoosh"), Engine(seed_index)
    for q in SEED_QUERIES:
        if match == "any" and ("lang:" in q or "doc:" in q):
            continue  # see test_feedback_also_counts_under_a_filter
        assert_same(answers(reference, q, match=match), answers(columnar, q, match=match), q)


@pytest.mark.parametrize(
    "ranking",
    [
        RankingSettings(idf="whoosh", k1=1.2, field_k1={"bigrams": 1.2, "pairs": 1.2}),
        RankingSettings(field_b={"text": 0.3, "title": 0.0}, field_k1={"text": 2.0}),
    ],
    ids=["whoosh-idf", "per-field-b-and-k1"],
)
def test_both_paths_score_alike_under_any_idf_and_per_field_parameters(seed_index, ranking):
    reference = Engine(seed_index, query_path="whoosh", ranking=ranking)
    columnar = Engine(seed_index, ranking=ranking)
    for q in SEED_QUERIES:
        if "lang:" in q or "doc:" in q:
            continue  # see test_feedback_also_counts_under_a_filter
        assert_same(answers(reference, q, match="any"), answers(columnar, q, match="any"), q)


def test_misspelt_seed_queries_get_the_same_corrections_on_both_paths(seed_index):
    reference, columnar = Engine(seed_index, query_path="whoosh"), Engine(seed_index)
    corrected = 0
    for q in misspelled(SEED_QUERIES):
        try:
            expected = reference.search(q)
        except QueryError:
            continue
        got = columnar.search(q)
        assert got.expansions == expected.expansions, q
        assert_same(answers(reference, q), answers(columnar, q), q)
        corrected += any(e.get("kind") == "typo" for e in expected.expansions)
    assert corrected >= 5  # about real corrections, not only none == none


def test_the_seed_filters_get_the_same_answers_on_both_paths(seed_index):
    reference, columnar = Engine(seed_index, query_path="whoosh"), Engine(seed_index)
    for _, q, options in SEED_QUERY_MIX:
        if options and options.get("match") != "any":
            label = f"{q} {options}"
            assert_same(answers(reference, q, **options), answers(columnar, q, **options), label)


@pytest.fixture(scope="module")
def reviews_index(tmp_path_factory) -> Path:
    """10,000 NSMC reviews, then one movie's reviews changed and reindexed (two segments, deletions)."""
    tsv = default_nsmc()
    if not tsv.exists():
        pytest.skip(f"{tsv} is not here")
    base = tmp_path_factory.mktemp("reviews")
    docs, root = base / "docs", base / "index"
    write_corpus(tsv, docs, limit=10_000)
    build_index(docs, root)
    changed = sorted(docs.glob("*.txt"))[3]
    changed.write_text(
        changed.read_text("utf-8") + "\n\n연기 최고의 영화 다시 보고 싶다\n", "utf-8"
    )
    assert reindex(docs, root).updated == [changed.stem]
    return root


def review_queries() -> list[str]:
    """The benchmark's mix, real reviews that are not in the corpus, and word pairs."""
    queries = [q for _, q, _ in QUERY_MIX]
    unseen = [text for _, text in iter_reviews(default_nsmc(), limit=20_040)][20_000:]
    queries += [text[:200] for text in unseen]
    words = [
        "영화",
        "배우",
        "연기",
        "감동",
        "스토리",
        "음악",
        "결말",
        "눈물",
        "감독",
        "연출",
        "가족",
        "시간",
        "원작",
        "최고",
        "재미",
        "OST",
        "DVD",
        "드라마",
        "장면",
    ]
    rnd = random.Random(14)
    queries += [" ".join(rnd.sample(words, 2)) for _ in range(20)]
    return queries


def test_ten_thousand_reviews_get_the_same_answers_on_both_paths(reviews_index):
    reference, columnar = Engine(reviews_index, query_path="whoosh"), Engine(reviews_index)
    assert len(columnar.searcher().reader().leaf_readers()) > 1  # several segments
    assert columnar.searcher().reader().has_deletions()
    # typo=False: ranking is compared; the reference path's corrections walk Whoosh's term
    # files with an automaton, seconds per review (the seeds' test compares them)
    for q in review_queries():
        for match in ("all", "any"):
            if match == "any" and ("lang:" in q or "doc:" in q):
                continue  # see test_feedback_also_counts_under_a_filter
            label = f"{q} ({match})"
            assert_same(
                answers(reference, q, match=match, typo=False),
                answers(columnar, q, match=match, typo=False),
                label,
            )
    for _, q, options in QUERY_MIX:
        if options and options.get("match") != "any":
            label = f"{q} {options}"
            assert_same(answers(reference, q, **options), answers(columnar, q, **options), label)


def test_feedback_also_counts_under_a_filter(reviews_index):
    # Whoosh drops the feedback words of a match=any query once a filter joins it
    # (its AndMaybe matcher inside an intersection): there the columnar path
    # differs on purpose.  Filtered, each paragraph scores what it scores
    # unfiltered, plus the filter's own 1.
    engine = Engine(reviews_index)
    filtered = engine.search("연기 lang:ko", match="any", per_page=20).results
    plain = {
        (r.doc_id, r.paragraph): r.score
        for r in engine.search("연기", match="any", per_page=100).results
    }
    both = [r for r in filtered if (r.doc_id, r.paragraph) in plain]
    assert len(both) >= 10
    for r in both:
        assert r.score == pytest.approx(plain[(r.doc_id, r.paragraph)] + 1.0, abs=1e-3)


def test_an_updated_document_is_found_once_and_in_its_new_version(reviews_index):
    engine = Engine(reviews_index)
    results = engine.search('"다시 보고 싶다" 연기 최고의', per_page=100).results
    assert [r.text for r in results].count("연기 최고의 영화 다시 보고 싶다") == 1


def test_the_cache_is_written_beside_the_segments_and_reused(seed_index):
    Engine(seed_index).search("quantum")
    folder = current_generation(seed_index) / store.COLUMNAR_DIR
    segments = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert segments and all((p / store.META_FILE).is_file() for p in segments)
    meta = json.loads((segments[0] / store.META_FILE).read_text("utf-8"))
    assert meta["version"] == store.FORMAT_VERSION and meta["arrays"]


@pytest.mark.parametrize(
    "damage",
    ["missing", "truncated data", "other version", "garbage meta", "half-written folder"],
)
def test_a_damaged_cache_is_rebuilt_never_trusted(seeds_dir, tmp_path, damage):
    root = tmp_path / "index"
    build_index(seeds_dir, root, procs=1)
    expected = answers(Engine(root, query_path="whoosh"), "quantum cooperation")
    Engine(root).search("quantum")  # writes the cache
    store._loaded.clear()  # as a new process would
    folder = current_generation(root) / store.COLUMNAR_DIR
    [segment] = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if damage == "missing":
        shutil.rmtree(segment)
    elif damage == "truncated data":
        data = segment / store.DATA_FILE
        data.write_bytes(data.read_bytes()[:100])
    elif damage == "other version":
        meta = json.loads((segment / store.META_FILE).read_text("utf-8"))
        meta["version"] = -1
        (segment / store.META_FILE).write_text(json.dumps(meta), "utf-8")
    elif damage == "garbage meta":
        (segment / store.META_FILE).write_text("{not json", "utf-8")
    else:  # a crash after the data and before its table of contents
        (segment / store.META_FILE).unlink()
    assert_same(expected, answers(Engine(root), "quantum cooperation"), damage)
    doc_count = Engine(root).searcher().doc_count_all()
    assert store.load(current_generation(root), segment.name, doc_count) is not None  # rewritten


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.text(min_size=1, max_size=12), max_size=60),
    st.lists(st.text(min_size=1, max_size=12), max_size=20),
)
def test_a_term_table_finds_every_term_it_holds_and_no_other(terms, others):
    ordered = sorted(t.encode("utf-8") for t in terms)
    blob = np.frombuffer(b"".join(ordered), dtype=np.uint8)
    offsets = np.cumsum([0, *(len(t) for t in ordered)]).astype(np.int64)
    table = store.TermTable(blob, offsets, store.term_prefixes(blob, offsets))
    for i, term in enumerate(ordered):
        assert table.find(term) == i
    for other in others:
        if other not in terms:
            assert table.find(other.encode("utf-8")) == -1


def test_an_index_without_stored_offsets_is_highlighted_by_analysing_the_text(seeds_dir, tmp_path):
    from whoosh import fields

    import search.indexing.build as build_module

    new_schema = build_module.make_schema

    def schema_before_offsets():
        schema = new_schema()
        schema.remove("text")
        schema.add("text", fields.TEXT(analyzer=schema["title"].analyzer, stored=True))
        return schema

    root = tmp_path / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "make_schema", schema_before_offsets)
        build_index(seeds_dir, root, procs=1)
    engine = Engine(root)
    docnum = engine.searcher().document_number(key="003_f33e5257b7cf7671#22")
    assert engine.columnar().highlight(docnum, {"freedom"}) is None  # nothing stored
    [hit] = engine.search('"freedom of inquiry"').results
    assert "<mark>freedom of inquiry</mark>" in hit.snippet


def misspelled(queries: list[str]) -> list[str]:
    """Each query with one Hangul syllable or Latin letter changed (a typo a user makes)."""
    rnd = random.Random(7)
    out = []
    for q in queries:
        spots = [i for i, c in enumerate(q) if "가" <= c <= "힣" or c.isascii() and c.isalpha()]
        if not spots:
            continue
        i = rnd.choice(spots)
        c = q[i]
        typo = chr(ord(c) + rnd.choice((-28, 28, -1, 1))) if "가" <= c <= "힣" else "xq"[c == "x"]
        out.append(q[:i] + typo + q[i + 1 :])
    return out


def assert_same_suggestions(index: Path, queries: list[str]) -> None:
    engine = Engine(index)
    searcher = engine.searcher()
    columns = engine.columnar(searcher)
    proposed = 0
    for q in queries:
        expected = suggest_query(IndexLexicon(searcher), q)
        assert suggest_query(IndexLexicon(searcher, columns), q) == expected, q
        proposed += expected is not None
    assert proposed >= 10  # the comparison is about real suggestions, not only None == None


def test_did_you_mean_proposes_the_same_from_the_columnar_terms(seed_index):
    assert_same_suggestions(seed_index, misspelled(SEED_QUERIES + review_queries()[-60:]))


def test_did_you_mean_proposes_the_same_over_several_segments(reviews_index):
    assert_same_suggestions(reviews_index, misspelled(review_queries()))


# --- choosing the best k --------------------------------------------------------------------

# Matches of up to 40,000 documents with few distinct scores (ties at the k-th place), so
# that both ways of bounding the k-th best are used: selection, and blocks' maxima.
MATCHES = st.tuples(
    st.integers(min_value=0, max_value=2**32 - 1),  # seed
    st.integers(min_value=1, max_value=40_000),  # documents matched
    st.integers(min_value=1, max_value=50),  # distinct scores
    st.integers(min_value=1, max_value=25),  # k
)


def random_match(seed: int, n: int, distinct: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    docs = rng.permutation(n * 3)[:n].astype(np.int64)
    return docs, rng.integers(1, distinct + 1, size=n) / 7


@settings(max_examples=150, deadline=None)
@given(MATCHES)
def test_top_k_is_the_k_best_by_score_then_document_number(match):
    seed, n, distinct, k = match
    docs, scores = random_match(seed, n, distinct)
    expected = sorted(zip(docs.tolist(), scores.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
    assert Hits(docs, scores).top(k) == expected[:k]


@settings(max_examples=150, deadline=None)
@given(MATCHES)
def test_the_kth_bound_is_reached_by_k_scores_and_by_every_one_of_the_k_best(match):
    seed, n, distinct, k = match
    _, scores = random_match(seed, n, distinct)
    bound = kth_bound(scores, k)
    assert (scores >= bound).sum() >= min(k, n)
    assert bound <= np.sort(scores)[::-1][min(k, n) - 1]
