"""The baselines of ``dari eval``: plain one-field Whoosh indexes over other tokenizations.

Each baseline (:data:`BASELINES`) tokenizes documents and questions its own
way, indexes the tokens as one Whoosh field (BM25F, k1 = 1.2, b = 0.75) and is
queried with an OR of the question's distinct tokens (:func:`run_baseline`).
None of them can cross languages, so they do not apply to xlang.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from search.evaluation.datasets import Benchmark, EvalQuery

__all__ = [
    "BASELINES",
    "Tokenize",
    "bigram_tokens",
    "kiwi_tokens",
    "run_baseline",
    "whitespace_tokens",
]

Tokenize = Callable[[list[str]], list[list[str]]]

_WORD_RE = re.compile(r"\w+")
_CJK_RUN_RE = re.compile(
    "[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"  # Hangul
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"  # Han
)


def whitespace_tokens(texts: list[str]) -> list[list[str]]:
    """``\\w+`` lowercased: Korean words keep their particles (협력을 ≠ 협력)."""
    return [_WORD_RE.findall(t.lower()) for t in texts]


def bigram_tokens(texts: list[str]) -> list[list[str]]:
    """Lucene CJK-style: overlapping bigrams over each Hangul/CJK run (a single
    character alone is a unigram), ``\\w+`` lowercased words for everything else."""
    out = []
    for text in texts:
        tokens: list[str] = []
        for word in _WORD_RE.findall(text.lower()):
            pos = 0
            for m in _CJK_RUN_RE.finditer(word):
                tokens.extend(_split_digits_latin(word[pos : m.start()]))
                run = m.group(0)
                if len(run) == 1:
                    tokens.append(run)
                else:
                    tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
                pos = m.end()
            tokens.extend(_split_digits_latin(word[pos:]))
        out.append(tokens)
    return out


def _split_digits_latin(text: str) -> list[str]:
    return [t for t in text.split("_") if t] if text else []


def kiwi_tokens(texts: list[str]) -> list[list[str]]:
    """Kiwi morphemes with Dari's content tags, lowercased.

    One call per text: Dari's Kiwi has no threads of its own (so that ``dari serve``
    can fork), and Kiwi's batch calls need them.
    """
    from search.analysis import KOREAN_CONTENT_TAGS, kiwi

    out = []
    for tokens in map(kiwi().tokenize, texts):
        out.append(
            [
                t.form.lower().replace(" ", "_")
                for t in tokens
                if t.tag.split("-", 1)[0] in KOREAN_CONTENT_TAGS
            ]
        )
    return out


def _whoosh_tokens(analyzer_factory: Callable[[], Any]) -> Tokenize:
    def tokenize(texts: list[str]) -> list[list[str]]:
        analyzer = analyzer_factory()
        return [[t.text for t in analyzer(text)] for text in texts]

    return tokenize


def _standard() -> Any:
    from whoosh.analysis import StandardAnalyzer

    return StandardAnalyzer()


def _stemming() -> Any:
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer()


#: name → (tokenizer, description); each is indexed as one Whoosh field with BM25F defaults.
BASELINES: dict[str, tuple[Tokenize, str]] = {
    "whitespace": (whitespace_tokens, "\\w+ words, lowercased"),
    "bigrams": (bigram_tokens, "character bigrams over Hangul/CJK runs, words otherwise"),
    "kiwi": (kiwi_tokens, "Kiwi morphemes, content tags only"),
    "standard": (_whoosh_tokens(_standard), "Whoosh StandardAnalyzer (stop words)"),
    "stemming": (_whoosh_tokens(_stemming), "Whoosh StemmingAnalyzer (Porter)"),
}


def run_baseline(
    tokenize: Tokenize, bench: Benchmark, queries: Sequence[EvalQuery]
) -> dict[int, list[str]]:
    """Rankings from a one-field Whoosh index of ``tokenize``'s tokens (BM25F defaults)."""
    from whoosh import fields, scoring
    from whoosh import query as wq
    from whoosh.analysis import SpaceSeparatedTokenizer
    from whoosh.filedb.filestore import RamStorage

    tokens_analyzer: Any = SpaceSeparatedTokenizer()  # a tokenizer is an analyzer to Whoosh
    schema = fields.Schema(id=fields.ID(stored=True), text=fields.TEXT(tokens_analyzer))
    ix = RamStorage().create_index(schema)
    doc_ids = list(bench.documents)
    writer = ix.writer()
    for doc_id, tokens in zip(doc_ids, tokenize([bench.text_of(d) for d in doc_ids]), strict=True):
        writer.add_document(id=doc_id, text=" ".join(tokens))
    writer.commit()
    rankings: dict[int, list[str]] = {}
    query_tokens = tokenize([q.text for q in queries])
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        for q, tokens in zip(queries, query_tokens, strict=True):
            terms = list(dict.fromkeys(tokens))
            if not terms:
                rankings[q.number] = []
                continue
            wquery = wq.Or([wq.Term("text", t) for t in terms])
            hits = searcher.search(wquery, limit=bench.depth)
            rankings[q.number] = [hit["id"] for hit in hits]
    return rankings
