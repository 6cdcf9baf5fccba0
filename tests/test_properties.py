"""Property-based checks: the analyzer and the query parser never fail on any text."""

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis import analyze
from search.query import QueryError, parse_query

# Text that mixes the scripts and the awkward characters users and files bring.
awkward = st.sampled_from(
    [
        "\ud800",  # lone surrogate
        "\x00",
        "\u200b",  # zero-width space
        "\u200f",  # right-to-left mark
        "\u0301",  # combining acute
        "\u1100\u1161",  # conjoining jamo (NFD 가)
        "ㅋㅋ",
        "שלום",
        "مرحبا",
        "全文",
        "😀",
        "-",
        '"',
        "(",
        ")",
        " OR ",
        "lang:",
        "doc:",
        "R&D",
        "한-미",
        "co-operation",
    ]
)
mixed_text = st.lists(
    st.one_of(
        st.text(max_size=20), awkward, st.sampled_from(["양자정보과학기술", "협력을", "quantum"])
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_analyzer_offsets_lie_inside_the_text_and_slice_to_a_word(text):
    last_start = -1
    for term, _, start, end in analyze(text):
        assert term
        assert 0 <= start < end <= len(text)
        surface = text[start:end]
        assert surface.strip() == surface and surface.strip()
        assert start >= last_start
        last_start = start


@settings(max_examples=100, deadline=None)
@given(mixed_text)
def test_analyzer_finds_the_same_terms_in_nfd_text(text):
    text = text.encode("utf-8", "replace").decode("utf-8")
    nfc = unicodedata.normalize("NFC", text)
    assert [t[0] for t in analyze(unicodedata.normalize("NFD", nfc))] == [
        t[0] for t in analyze(nfc)
    ]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_query_parser_returns_a_query_or_a_clear_message(text):
    try:
        parsed = parse_query(text)
    except QueryError as err:
        assert str(err).strip()
        return
    assert parsed.query is not None or parsed.langs or parsed.docs
    assert all(isinstance(n, str) and n for n in parsed.notes)


def test_analyzer_copes_with_100k_characters():
    text = ("양자정보과학기술 협력 공동성명서 quantum cooperation R&D " * 2000)[:100_000]
    tokens = analyze(text)
    assert len(tokens) > 10_000
    assert tokens[-1][3] <= len(text)
