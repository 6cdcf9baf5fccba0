"""The fixed query mix of the benchmark: 36 queries over the NSMC movie reviews.

Each entry is (kind, q, options); options are the ``/api/search`` parameters
besides ``q`` (``lang``, ``doc``, ``match``).  The documents named by ``doc``
filters are among the first movies of the TSV, so they exist at every corpus
size (and on the seeds the filter answers "no such document", which counts as
an answer, not an error: the seed mix below is used there instead).
"""

from __future__ import annotations

__all__ = ["QUERY_MIX", "SEED_QUERY_MIX", "KINDS", "api_params", "anchor_terms"]

#: (kind, query, options)
QUERY_MIX: list[tuple[str, str, dict[str, str]]] = [
    # one Korean word: frequent (영화, 최고, 연기) to rare (결말, 눈물)
    ("ko-1", "영화", {}),
    ("ko-1", "최고", {}),
    ("ko-1", "연기", {}),
    ("ko-1", "감동", {}),
    ("ko-1", "스토리", {}),
    ("ko-1", "지루", {}),
    ("ko-1", "음악", {}),
    ("ko-1", "결말", {}),
    ("ko-1", "눈물", {}),
    # two Korean words
    ("ko-2", "배우 연기", {}),
    ("ko-2", "스토리 전개", {}),
    ("ko-2", "감독 연출", {}),
    ("ko-2", "가족 영화", {}),
    ("ko-2", "시간 아깝다", {}),
    ("ko-2", "원작 소설", {}),
    # phrases
    ("phrase", '"최고의 영화"', {}),
    ("phrase", '"연기력이 좋다"', {}),
    ("phrase", '"다시 보고 싶다"', {}),
    ("phrase", '"시간 낭비"', {}),
    # English (rare in this corpus: what Korean reviewers write in Latin letters)
    ("en", "OST", {}),
    ("en", "good", {}),
    ("en", "DVD", {}),
    ("en", "best actor", {}),
    # Korean and English together
    ("mixed", "OST 음악", {}),
    ("mixed", "DVD 소장", {}),
    ("mixed", "good 영화", {}),
    ("mixed", "EBS 방송", {}),
    # filters, operators and match=any
    ("filter", "영화", {"lang": "ko"}),
    ("filter", "연기 lang:ko", {}),
    ("filter", "연기", {"doc": "movie_10001"}),
    ("filter", "감동 doc:movie_100041", {}),
    ("filter", "OST", {"lang": "mixed"}),
    ("filter", "감동 -지루", {}),
    ("filter", "배우 OR 감독", {}),
    ("filter", '"최고의 영화" -lang:en', {}),
    ("filter", "배우 연기 감동 스토리 음악", {"match": "any"}),
]

#: The same kinds of query over the five seed documents.
SEED_QUERY_MIX: list[tuple[str, str, dict[str, str]]] = [
    ("ko-1", "양자", {}),
    ("ko-1", "협력", {}),
    ("ko-1", "다자협약체", {}),
    ("ko-1", "과학기술", {}),
    ("ko-2", "양자 협력", {}),
    ("ko-2", "공동 연구", {}),
    ("ko-2", "정상 회담", {}),
    ("phrase", '"공동 성명"', {}),
    ("phrase", '"신뢰받는 글로벌 시장"', {}),
    ("phrase", '"freedom of inquiry"', {}),
    ("en", "quantum", {}),
    ("en", "cooperation", {}),
    ("en", "quantum cooperation", {}),
    ("en", "Daejeon", {}),
    ("en", "supply chain", {}),
    ("mixed", "quantum 양자", {}),
    ("mixed", "Korea 한미", {}),
    ("mixed", "AI 인공지능", {}),
    ("filter", "quantum", {"lang": "en"}),
    ("filter", "협력 lang:ko", {}),
    ("filter", "quantum", {"doc": "003_f33e5257b7cf7671"}),
    ("filter", "quantum -Daejeon", {}),
    ("filter", "Gretchen OR Donelan", {}),
    ("filter", "(quantum OR 양자) 협력", {}),
    ("filter", "quantum research cooperation centre opening", {"match": "any"}),
]

KINDS = ("ko-1", "ko-2", "phrase", "en", "mixed", "filter")


def api_params(q: str, options: dict[str, str]) -> dict[str, str]:
    """The query string of ``GET /api/search`` for one entry of a mix."""
    return {"q": q, **options}


def anchor_terms(q: str) -> tuple[list[str], list[list[str]]]:
    """The analysed words and phrases of ``q`` for the anchors (filters and operators dropped).

    The anchors (raw Whoosh, tantivy) index the same pre-tokenized text and are
    asked for every word and phrase of the query at once: the core of the work
    without Dari's query language, ranking rules, facets or snippets.
    """
    from search.query import parse_query

    parsed = parse_query(q)
    phrase_terms = {t for p in parsed.phrases for t in p}
    terms = sorted(t for t in parsed.terms if t not in phrase_terms)
    negated = {t for t in _negated_words(q)}
    return [t for t in terms if t not in negated], [list(p) for p in parsed.phrases]


def _negated_words(q: str) -> list[str]:
    from search.analysis import analyze

    out: list[str] = []
    for word in q.split():
        if word.startswith("-") and ":" not in word:
            out += [t for t, *_ in analyze(word[1:], mode="query")]
    return out
