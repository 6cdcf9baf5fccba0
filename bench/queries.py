"""The benchmark's queries: the fixed mix (36 queries over the NSMC movie reviews,
25 over the seeds) and the distinct queries, which are never sent twice in a run.

Each entry is (kind, q, options); options are the ``/api/search`` parameters
besides ``q`` (``lang``, ``doc``, ``match``).  The documents named by ``doc``
filters are among the first movies of the TSV, so they exist at every corpus
size (and on the seeds the filter answers "no such document", which counts as
an answer, not an error: the seed mix below is used there instead).

The distinct queries (:class:`DistinctQueries`) are of two kinds, so that no
cache of answers can help them:

- ``review-any``: real NSMC reviews that no corpus holds (the held-out end of
  the TSV, see :func:`bench.corpus.held_out_reviews`), each cut to about
  :data:`REVIEW_CHARS` characters at a space and asked once with ``match=any``;
- ``pair``: two different words of a fixed list of frequent nouns
  (:data:`PAIR_WORDS`, :data:`SEED_PAIR_WORDS`), the pairs in a seeded random
  order, no pair twice (in either order) and none that is a query of the fixed mix.
"""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterable, Sequence

__all__ = [
    "DISTINCT_KINDS",
    "KINDS",
    "NOTHING_LEFT",
    "PAIR_WORDS",
    "QUERY_MIX",
    "REVIEW_CHARS",
    "SEED_PAIR_WORDS",
    "SEED_QUERY_MIX",
    "DistinctQueries",
    "anchor_terms",
    "api_params",
    "review_question",
]

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

#: The kinds of :class:`DistinctQueries`: no query of these is sent twice in a run.
DISTINCT_KINDS = ("review-any", "pair")

#: The start of the answer (a 400) to a query that has only common words or operators:
#: for a ``review-any`` question an answer, counted apart, not an error.
NOTHING_LEFT = "Nothing left to search for"

#: A review is cut to at most this many characters (at a space) to make a question.
REVIEW_CHARS = 200

#: The 120 most frequent nouns (NNG, NNP; two syllables or more; by the number of reviews
#: holding them) of the 10k corpus, as Kiwi finds them, each its own single query term:
#: the words of the ``pair`` queries on the NSMC corpora (every size holds the 10k one).
PAIR_WORDS: tuple[str, ...] = (
    "영화", "최고", "명작", "생각", "연기", "감동", "스토리", "액션", "작품", "사람", "마지막", "시리즈",
    "재미", "배우", "장면", "정도", "사랑", "평점", "내용", "이야기", "감독", "당시", "필요", "시대",
    "시간", "드라마", "기대", "기억", "전쟁", "록키", "느낌", "연출", "음악", "인생", "공포", "매력",
    "처음", "요즘", "마음", "가슴", "람보", "주인공", "이상", "이해", "자체", "옛날", "추억", "모습",
    "긴장감", "남자", "시절", "고전", "캐릭터", "인간", "시작", "개봉", "미국", "역사", "전개", "타임",
    "여자", "소재", "한국", "극장", "걸작", "눈물", "부족", "몰입", "부분", "현실", "전설", "쓰레기",
    "스릴러", "슈퍼맨", "추천", "완벽", "표현", "충격", "친구", "개인", "가족", "아버지", "배경", "원작",
    "인상", "연기력", "여운", "대사", "전편", "결말", "코미디", "흥미", "수작", "반전", "스타워즈", "소름",
    "일본", "분위기", "스릴", "엔딩", "구성", "재난", "감정", "진심", "오락", "킬링", "초반", "아놀드",
    "대작", "오랜만", "의미", "제목", "기분", "수준", "속편", "비교", "모험", "명화", "애니", "터미네이터",
)  # fmt: skip

#: The same for the seeds: their 60 most frequent nouns (by paragraphs holding them).
SEED_PAIR_WORDS: tuple[str, ...] = (
    "과학", "기술", "양자", "협력", "공동", "분야", "연구", "정보", "다자", "성명서", "정부", "미국",
    "글로벌", "교류", "참여", "기회", "중요", "서명", "추진", "개발", "국가", "선도", "이종호", "국민",
    "확대", "핵심", "부문", "기반", "동맹", "국제", "가치", "민간", "양국", "강화", "노력", "이해",
    "활용", "상호", "발판", "도약", "프로그램", "신규", "중심", "협약", "대통령", "장관", "계기", "워싱턴",
    "과기", "정통부", "창출", "촉진", "바탕", "학계", "구축", "생태", "포함", "가속", "공유", "대한민국",
)  # fmt: skip


def review_question(review: str, limit: int = REVIEW_CHARS) -> str:
    """``review`` cut to at most ``limit`` characters, at the last space if there is one
    in its second half."""
    text = " ".join(review.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


class DistinctQueries:
    """The distinct queries of one corpus: every :meth:`take` hands out queries never handed
    out before (nor in ``sent``, the fixed mix's queries).

    ``reviews`` are asked in their order (cut by :func:`review_question`; a question
    equal to an earlier one is skipped); ``words`` make the pairs, in an order drawn
    with ``seed``.  When the reviews or the pairs run out, :meth:`take` gives fewer.
    """

    def __init__(
        self,
        reviews: Iterable[str],
        words: Sequence[str],
        *,
        seed: int = 14,
        sent: Iterable[str] = (),
    ) -> None:
        self._sent = {" ".join(q.split()) for q in sent}
        rng = random.Random(seed)
        pairs = list(itertools.combinations(dict.fromkeys(words), 2))
        rng.shuffle(pairs)
        self._pairs = deque(p if rng.random() < 0.5 else (p[1], p[0]) for p in pairs)
        self._reviews = deque(reviews)

    def _review(self) -> str | None:
        while self._reviews:
            q = review_question(self._reviews.popleft())
            if q and q not in self._sent:
                self._sent.add(q)
                return q
        return None

    def _pair(self) -> str | None:
        while self._pairs:
            a, b = self._pairs.popleft()
            if f"{a} {b}" not in self._sent and f"{b} {a}" not in self._sent:
                self._sent.update((f"{a} {b}", f"{b} {a}"))
                return f"{a} {b}"
        return None

    def take(self, per_kind: int) -> list[tuple[str, str, dict[str, str]]]:
        """``per_kind`` new queries of each kind (fewer when they run out), kinds alternating."""
        out: list[tuple[str, str, dict[str, str]]] = []
        for _ in range(per_kind):
            review = self._review()
            if review is not None:
                out.append(("review-any", review, {"match": "any"}))
            pair = self._pair()
            if pair is not None:
                out.append(("pair", pair, {}))
        return out

    def left(self) -> tuple[int, int]:
        """(reviews, pairs) not handed out yet (reviews before cutting and skipping)."""
        return len(self._reviews), len(self._pairs)


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
