"""Korean words that Kiwi reads differently alone than in the documents' sentences (#16).

A query word comes without context: 아이 alone is an interjection, 별 a
determiner, 감 and 섬 forms of the verbs 가다 and 서다, 해 of 하다.  The documents'
sentences hold the nouns; a query word must find them, and never vanish.
"""

from __future__ import annotations

import pytest

from search.engine import Engine
from search.indexing import build_index
from search.query import parse_query

#: word alone → the noun it is in the sentence below
SENTENCES = {
    "아이": "아이가 마당에서 놀았다.",
    "해": "해가 동쪽에서 떠올랐다.",
    "별": "밤하늘에 별이 가득했다.",
    "섬": "배를 타고 섬에 도착했다.",
    "감": "가을에 감을 땄다.",
    "씨": "밭에 씨를 뿌렸다.",
}


@pytest.fixture(scope="module")
def short_words_engine(tmp_path_factory) -> Engine:
    root = tmp_path_factory.mktemp("short-words")
    docs = root / "docs"
    docs.mkdir()
    for i, (word, sentence) in enumerate(SENTENCES.items()):
        (docs / f"{i:02d}.txt").write_text(f"문장 {word}\n\n{sentence}", encoding="utf-8")
    build_index(docs, root / "index")
    return Engine(root / "index")


@pytest.mark.parametrize("word", list(SENTENCES))
def test_a_short_word_alone_searches_the_noun(word):
    assert parse_query(word).terms == {word}


@pytest.mark.parametrize("word", list(SENTENCES))
def test_a_short_word_alone_finds_the_sentence_holding_the_noun(short_words_engine, word):
    found = short_words_engine.search(word)
    texts = [r.text for r in found.results]
    assert SENTENCES[word] in texts, (word, texts)


@pytest.mark.parametrize(("word", "stem"), [("먹다", "먹"), ("가다", "가"), ("갔다", "가")])
def test_a_verb_as_typed_stays_a_verb(word, stem):
    assert parse_query(word).terms == {stem}


def test_verb_forms_in_a_longer_query_stay_verbs():
    # the other words make it a sentence: 벌기 is the verb 벌다, 대한 the verb 대하다
    assert parse_query("돈을 벌기 위해").terms == {"돈", "벌", "위하"}
    assert "대한" not in parse_query("사회에 대한 분노").terms


def test_a_determiner_beside_a_noun_is_still_left_out():
    # 이 ("this") is read as a noun only when nothing else is left of the query
    assert parse_query("이 정책").terms == {"정책"}
    assert parse_query("이").terms == {"이"}


def test_a_word_without_any_noun_reading_is_searched_as_typed():
    parsed = parse_query("아")
    assert parsed.terms == {"아"} and parsed.query is not None
