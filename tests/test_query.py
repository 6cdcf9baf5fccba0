"""The query language: parsing, repairs and clear errors (no index needed)."""

import pytest

from search.query import MAX_QUERY_CHARS, QueryError, parse_query


def test_words_are_all_required():
    parsed = parse_query("quantum cooperation")
    assert str(parsed.query).count("AND") == 1
    assert parsed.terms == {"quantum", "cooper"}


def test_quoted_phrase_becomes_a_phrase_query_and_a_highlight_phrase():
    parsed = parse_query('"freedom of inquiry"')
    assert parsed.phrases == [["freedom", "inquiri"]]
    assert '"freedom inquiri"' in str(parsed.query)


def test_minus_word_and_minus_phrase_are_exclusions_not_highlights():
    parsed = parse_query('quantum -korea -"joint statement"')
    assert "ANDNOT" in str(parsed.query)
    assert parsed.terms == {"quantum"}
    assert parsed.phrases == []


def test_hyphen_inside_a_word_is_not_an_exclusion():
    parsed = parse_query("Korea-US")
    assert "ANDNOT" not in str(parsed.query)
    assert parsed.terms == {"koreaus"}


def test_or_joins_the_words_beside_it():
    parsed = parse_query("quantum OR 양자 cooperation")
    assert str(parsed.query).startswith("(((title:quantum OR text:quantum) OR (title:양자")


def test_lang_and_doc_filters_are_taken_out_of_the_text():
    parsed = parse_query("quantum lang:ko doc:003_f33e5257b7cf7671 -lang:mixed")
    assert parsed.langs == {"ko"}
    assert parsed.docs == {"003_f33e5257b7cf7671"}
    assert parsed.not_langs == {"mixed"}
    assert parsed.terms == {"quantum"}


def test_unknown_language_filter_is_a_clear_error():
    with pytest.raises(QueryError, match="Unknown language 'xx'"):
        parse_query("quantum lang:xx")


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ('"freedom of inquiry', "missing closing quote"),
        ("(quantum cooperation", "missing ')'"),
        ("quantum)", "unmatched ')'"),
        ("OR quantum", "OR with nothing before"),
        ("quantum OR", "OR with nothing after"),
        ("quantum -", "'-' or NOT with nothing after"),
    ],
)
def test_broken_syntax_is_repaired_and_said(text, note):
    parsed = parse_query(text)
    assert parsed.query is not None
    assert any(note in n for n in parsed.notes)


@pytest.mark.parametrize("text", ["", "   ", '""', "AND", "OR", "NOT", "-", "()", "the of and"])
def test_queries_with_nothing_to_search_for_give_a_message(text):
    with pytest.raises(QueryError) as err:
        parse_query(text)
    assert str(err.value)


def test_too_long_query_is_refused_with_the_limit():
    with pytest.raises(QueryError, match=f"limit is {MAX_QUERY_CHARS:,}"):
        parse_query("quantum " * 200)


def test_too_many_words_are_refused():
    with pytest.raises(QueryError, match="too many words"):
        parse_query(" ".join(f"w{i}" for i in range(100)))


def test_nfd_query_is_normalised_to_nfc():
    import unicodedata

    parsed = parse_query(unicodedata.normalize("NFD", "협력을"))
    assert parsed.terms == {"협력"}


def test_control_characters_and_lone_surrogates_are_ignored():
    parsed = parse_query("quan\x00tum \ud800 협력")
    assert parsed.terms >= {"협력"}


def test_fallback_is_possible_only_with_several_words():
    assert parse_query("quantum cooperation").can_fall_back
    assert not parse_query("quantum").can_fall_back


def test_parentheses_nested_too_deeply_are_refused_in_one_sentence():
    with pytest.raises(QueryError, match=r"too deeply \(more than 32 levels\)"):
        parse_query("(" * 327 + "x")


def test_exclusions_count_as_nesting_too():
    with pytest.raises(QueryError, match="too deeply"):
        parse_query("-(" * 17 + "x")
    assert parse_query("-(" * 16 + "x y").query is not None
