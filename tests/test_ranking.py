"""How paragraphs are scored: the idf, per-field BM25 parameters and the feedback models
(the settings are chosen in docs/quality.md; these tests pin what each one means)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from search.columnar.evaluate import Scoring
from search.engine import Engine
from search.feedback import RM3_MAX_DF, weigh_feedback
from search.scoring import idf
from search.settings import RankingSettings


def test_lucene_s_idf_is_robertson_sparck_jones_and_never_below_zero():
    assert idf("bm25", 1000, 1) == pytest.approx(math.log(1 + 999.5 / 1.5))
    assert idf("bm25", 1000, 1000) == pytest.approx(math.log(1 + 0.5 / 1000.5))
    assert idf("bm25", 1000, 1000) > 0
    assert idf("bm25", 1000, 1200) == idf("bm25", 1000, 1000)  # deleted entries counted too


def test_lucene_s_idf_counts_a_common_word_for_less_than_whoosh_s_does():
    rare, common = 3, 400
    bm25 = idf("bm25", 1000, rare) / idf("bm25", 1000, common)
    whoosh = idf("whoosh", 1000, rare) / idf("whoosh", 1000, common)
    assert bm25 > 1.5 * whoosh


def test_a_field_with_a_lower_k1_counts_a_repeated_term_for_less():
    ranking = RankingSettings(k1=0.9, field_k1={"bigrams": 0.3})
    scoring = Scoring(ranking, 100, {"text": 10.0, "bigrams": 10.0}, lambda f, t: 1)
    tf, lengths = np.array([1, 5]), np.array([10.0, 10.0])
    text = scoring.saturation("text", tf, lengths)
    pairs = scoring.saturation("bigrams", tf, lengths)
    assert pairs[1] / pairs[0] < text[1] / text[0]
    # at the average length one occurrence scores 1 whatever k1 is
    assert text[0] == pytest.approx(1.0) and pairs[0] == pytest.approx(1.0)


def test_the_product_ranks_with_lucene_s_idf_and_saturates_the_syllable_and_morpheme_pairs_sooner():
    ranking = RankingSettings()
    assert (ranking.idf, ranking.k1, ranking.b) == ("bm25", 0.9, 0.75)
    assert dict(ranking.field_k1) == {"bigrams": 0.3, "pairs": 0.3}


def test_the_ranking_before_19_scores_differently_and_finds_the_same_paragraphs(seed_index):
    before = RankingSettings(idf="whoosh", k1=1.2, field_k1={"bigrams": 1.2, "pairs": 1.2})
    now = Engine(seed_index).search("quantum cooperation", per_page=5)
    old = Engine(seed_index, ranking=before).search("quantum cooperation", per_page=5)
    assert now.total == old.total
    assert [r.score for r in now.results] != [r.score for r in old.results]


WORDS = {
    1: [("quantum", 2), ("sensor", 3), ("the", 1)],
    2: [("quantum", 1), ("sensor", 1), ("network", 4)],
}


def _feedback(model: str, df: dict[str, int]) -> dict[str, float]:
    ranking = RankingSettings(feedback_model=model)
    words = weigh_feedback(
        [(1, 10.0), (2, 5.0)],
        WORDS.__getitem__,
        df.__getitem__,
        100,
        frozenset({"quantum"}),
        ranking,
        terms=10,
        weight=0.5,
        size=2,
    )
    return dict(words)


def test_rm3_weighs_a_word_by_its_share_of_each_paragraph_times_the_paragraph_s_score():
    words = _feedback("rm3", {"sensor": 5, "network": 5, "the": 5})
    # P(w|D) × score: sensor 3/6·10 + 1/6·5, network 4/6·5, the 1/6·10
    raw = {"sensor": 30 / 6 + 5 / 6, "network": 20 / 6, "the": 10 / 6}
    total = sum(raw.values())
    assert words == pytest.approx({w: s / total * 0.5 * 2 for w, s in raw.items()})


def test_rm3_leaves_out_a_word_held_by_more_than_a_tenth_of_the_paragraphs():
    words = _feedback("rm3", {"sensor": 5, "network": 5, "the": int(RM3_MAX_DF * 100) + 1})
    assert set(words) == {"sensor", "network"}


def test_dari_s_feedback_weighs_a_rare_word_above_a_common_one_at_equal_counts():
    words = _feedback("dari", {"sensor": 2, "network": 2, "the": 90})
    assert words["sensor"] > words["the"]
    assert sum(words.values()) == pytest.approx(0.5 * 2)  # half a query word each, in all


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"idf": "lucene"}, "idf must be one of"), ({"feedback_model": "rm4"}, "feedback_model")],
)
def test_an_unknown_idf_or_feedback_model_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        RankingSettings(**changes)


def test_replace_adds_per_field_k1_and_b_to_the_current_ones():
    ranking = RankingSettings().replace(field_k1={"text": 0.5}, field_b={"title": 0.2})
    assert dict(ranking.field_k1) == {"bigrams": 0.3, "pairs": 0.3, "text": 0.5}
    assert dict(ranking.field_b) == {"title": 0.2}
    assert dict(RankingSettings().field_k1) == {"bigrams": 0.3, "pairs": 0.3}
