"""The word lists of the analysis: English stop words, Korean tags and morphemes kept or dropped."""

from __future__ import annotations

__all__ = ["ENGLISH_STOP_WORDS", "KOREAN_CONTENT_TAGS", "KOREAN_STOP_MORPHEMES"]

#: English function words dropped from the index.  Deliberately short and
#: without "us", "it", "may", "who", "can" and "so" (Korea–US, IT, May, WHO,
#: CAN, SO) which can be content.
ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "were",
        "which",
        "with",
        "its",
        "than",
        "then",
        # question and helper words, which only add noise to a question typed
        # as a sentence ("what problems of heat conduction have been solved")
        "what",
        "how",
        "why",
        "when",
        "where",
        "whom",
        "whose",
        "do",
        "does",
        "did",
        "could",
        "would",
        "should",
        "shall",
        "there",
        "any",
        "some",
        "been",
        "being",
        "if",
        "them",
        "also",
        "very",
        "about",
    ]
)

#: Kiwi part-of-speech tags kept as index terms: nouns, numerals, verb and
#: adjective stems, roots, numbers, foreign words, hanja and web tokens.
#: Particles (J*), endings (E*), suffixes (XS*), copulas, determiners,
#: pronouns (무엇, 누구 …), adverbs and punctuation are dropped.
KOREAN_CONTENT_TAGS = frozenset(
    [
        "NNG",
        "NNP",
        "NNB",
        "NR",
        "VV",
        "VA",
        "XR",
        "SN",
        "SL",
        "SH",
        "W_URL",
        "W_EMAIL",
        "W_HASHTAG",
        "W_MENTION",
        "W_SERIAL",
    ]
)

#: Bound nouns so common that they only add noise.
KOREAN_STOP_MORPHEMES = frozenset(
    ["것", "수", "등", "때", "데", "바", "뿐", "줄", "중", "듯", "만큼", "따름", "뿐", "터", "측"]
)
