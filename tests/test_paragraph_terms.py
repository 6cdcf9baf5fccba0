"""A build analyses a paragraph once for all its fields: the same terms as the fields' analyzers."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import bigram_analyzer, bilingual_analyzer, pair_analyzer
from search.analysis.paragraphs import index_terms
from search.documents import Document, load_folder

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

pieces = st.sampled_from(
    [
        "양자정보과학기술을",
        "한-미",
        "한·미 ",
        "공동 성명서",
        "ㅋㅋ",
        "R&D",
        "co-operation",
        "Entanglementexchange.org",
        "the",
        "café",
        "e\u0301",  # NFD é
        "\u1100\u1161\u11a8",  # NFD 각
        "123",
        "4G",
        "全文",
        "–",
        " ",
        ", ",
        "\n",
    ]
)
texts = st.lists(st.one_of(pieces, st.text(max_size=8)), max_size=25).map("".join)


def chains(text: str) -> tuple[list, list, list]:
    words = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in bilingual_analyzer()(text, positions=True, chars=True, mode="index")
    ]
    bigrams = [t.text for t in bigram_analyzer()(text, mode="index")]
    pairs = [t.text for t in pair_analyzer()(text, mode="index")]
    return words, bigrams, pairs


def one_pass(text: str) -> tuple[list, list, list]:
    terms = index_terms(text)
    return terms.words, terms.bigrams, terms.pairs


def test_every_seed_paragraph_and_title_has_the_terms_of_the_field_analyzers():
    docs = [d for d in load_folder(SEEDS) if isinstance(d, Document)]
    texts = [d.title for d in docs] + [p.text for d in docs for p in d.paragraphs]
    assert len(texts) > 100
    for text in texts:
        assert one_pass(text) == chains(text), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_mixed_text_has_the_terms_of_the_field_analyzers(text):
    assert one_pass(text) == chains(text)


def test_joined_words_share_a_position_and_korean_pairs_stay_within_a_run():
    terms = index_terms("한-미 공동 연구 R&D 양자 협력")
    positions = {term: pos for term, pos, _s, _e in terms.words}
    assert positions["한미"] == positions["한"] == positions["미"]
    assert positions["rd"] == positions["연구"] + 1
    assert "연구_양자" not in terms.pairs  # "R&D" stands between them
    assert "양자_협력" in terms.pairs
