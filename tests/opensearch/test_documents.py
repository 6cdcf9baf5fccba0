"""The cluster holds Dari's own analysis: the same terms, positions and frequencies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.analysis.paragraphs import index_terms
from search.opensearch.documents import MARKER, cluster_document, position_tokens, tokens_of
from search.opensearch.mapping import SIMILARITY, index_body
from search.results import highlight_spans, spans_of_words
from search.settings import RankingSettings


def test_a_text_field_round_trips_through_its_token_string(seed_entries):
    for entry in seed_entries:
        if "text" in entry:
            words = index_terms(entry["text"]).words
            assert tokens_of(*position_tokens(words)) == words


@given(st.text(alphabet=st.sampled_from("한국협력 quantumQ-2대전\n,."), max_size=60))
def test_any_mixed_text_round_trips_through_its_token_string(text):
    words = index_terms(text).words
    assert tokens_of(*position_tokens(words)) == words


def test_every_seed_entry_is_on_the_cluster(cluster, seeded, seed_entries):
    assert cluster.count(index=seeded)["count"] == len(seed_entries)


@pytest.mark.parametrize("field", ["text", "title"])
def test_the_cluster_indexes_each_paragraphs_terms_at_dari_s_positions(
    cluster, seeded, seed_entries, field
):
    paragraphs = [e for e in seed_entries if e.get(field)]
    assert paragraphs
    for entry in paragraphs:
        expected: dict[str, list[int]] = {}
        for term, pos, _, _ in index_terms(entry[field]).words:
            expected.setdefault(term, []).append(pos)
        vectors = cluster.termvectors(
            index=seeded, id=entry["key"], fields=[field], positions=True, offsets=False
        )
        got = {
            term: [t["position"] for t in info["tokens"]]
            for term, info in vectors["term_vectors"][field]["terms"].items()
        }
        last = max((p for ps in expected.values() for p in ps), default=-1)
        assert got.pop(MARKER) == [last + 1], entry["key"]  # once, after the terms
        assert got == {t: sorted(p) for t, p in expected.items()}, entry["key"]


@pytest.mark.parametrize("field", ["bigrams", "pairs"])
def test_the_cluster_counts_each_paragraphs_pairs_as_dari_does(
    cluster, seeded, seed_entries, field
):
    # bigrams and pairs are indexed but not kept in _source: their term vectors are made
    # from the document as sent, with the field's analyzer; that each is in the index,
    # a search for one of its terms restricted to its id shows
    entries = [e for e in seed_entries if getattr(index_terms(e.get(field, "")), field)]
    assert entries
    searches = []
    for entry in entries:
        sent = cluster_document(entry)
        expected: dict[str, int] = {}
        for term in getattr(index_terms(entry[field]), field):
            expected[term] = expected.get(term, 0) + 1
        vectors = cluster.termvectors(index=seeded, body={"doc": {field: sent[field]}})
        terms = vectors["term_vectors"][field]["terms"]
        assert {t: info["term_freq"] for t, info in terms.items()} == {**expected, MARKER: 1}
        rarest = min(expected, key=lambda t: (expected[t], t))
        query = {
            "bool": {"filter": [{"ids": {"values": [entry["key"]]}}, {"term": {field: rarest}}]}
        }
        searches += [{"index": seeded}, {"query": query, "size": 0, "track_total_hits": True}]
    answers = cluster.msearch(body=searches)["responses"]
    assert [a["hits"]["total"]["value"] for a in answers] == [1] * len(entries)


def test_a_phrase_matches_across_a_joined_word_and_its_parts(cluster, seeded, seed_entries):
    # a phrase of Dari's terms at neighbouring positions finds its paragraph on the cluster
    entry = next(e for e in seed_entries if len(index_terms(e.get("text", "")).words) > 3)
    words = index_terms(entry["text"]).words
    first, second = words[0][0], next(w[0] for w in words if w[1] == words[0][1] + 1)
    query = {
        "span_near": {
            "clauses": [{"span_term": {"text": first}}, {"span_term": {"text": second}}],
            "slop": 0,
            "in_order": True,
        }
    }
    found = cluster.search(index=seeded, body={"query": query, "size": 200})
    assert entry["key"] in {hit["_id"] for hit in found["hits"]["hits"]}


def test_a_paragraph_is_highlighted_from_its_kept_tokens_as_from_its_text(seed_entries):
    queries = [
        ({"협력", "양자"}, []),
        ({"quantum"}, [["joint", "statement"]]),
        (set(), [["공동", "성명"]]),
    ]
    for entry in [e for e in seed_entries if e.get("text")]:
        source = cluster_document(entry)
        kept = tokens_of(source["text"], source["stored"]["text_offsets"])
        for terms, phrases in queries:
            expected = highlight_spans(entry["text"], terms, phrases)
            assert spans_of_words(kept, terms, phrases) == expected, entry["key"]


def test_a_field_with_its_own_bm25_parameters_gets_a_similarity_of_its_own():
    ranking = RankingSettings(k1=0.9, b=0.75, field_k1={"bigrams": 0.3}, idf="bm25")
    body = index_body(ranking)
    fields = body["mappings"]["properties"]
    similarities = body["settings"]["similarity"]
    assert fields["text"]["similarity"] == fields["title"]["similarity"] == SIMILARITY
    own = fields["bigrams"]["similarity"]
    assert own != SIMILARITY
    assert "0.3" in similarities[own]["script"]["source"]
    assert "0.9" in similarities[SIMILARITY]["script"]["source"]
    # Lucene's idf: log(1 + (N - df + 0.5) / (df + 0.5))
    assert "(df + 0.5)" in similarities[own]["weight_script"]["source"]
