"""The shipped glossary (search/data/glossary.tsv) is well formed and unambiguous."""

from __future__ import annotations

from collections import defaultdict

from search.bilingual.glossary import DEFAULT_GLOSSARY, Glossary, analysed

#: Analysed forms of English spellings that are also everyday words, which a
#: lowercase, stemmed index cannot tell apart: US/U.S. (us), IT (it), WHO (who),
#: accord (according), import (important), openness (open), initiative (initially) …
AMBIGUOUS = {
    *("us", "it", "who", "may", "can", "so", "am", "do", "no", "won", "act", "base"),
    *("accord", "import", "open", "initi", "train", "equal", "access"),
}


def test_every_line_is_an_entry_a_comment_or_blank():
    lines = DEFAULT_GLOSSARY.read_text("utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#") or line.startswith("en\tko"):
            continue
        cells = line.split("\t")
        assert len(cells) == 3, f"line {number}: {line!r}"
        assert all(s.strip() == s and s for c in cells[:2] for s in c.split("|")), number
    glossary = Glossary.load(DEFAULT_GLOSSARY)
    assert len(glossary) >= 300


def test_every_spelling_analyses_to_at_least_one_term():
    glossary = Glossary.load(DEFAULT_GLOSSARY)
    empty = [
        (entry.source, spelling)
        for entry in glossary.entries
        for lang in ("en", "ko")
        for spelling in entry.spellings(lang)
        if not analysed(spelling)
    ]
    assert empty == []


def test_no_two_entries_share_a_spelling():
    # compared as analysed terms: "standard" and "standardization" stem alike, and
    # 산업화 analyses to 산업, so such pairs are one entry
    owners: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for entry in Glossary.load(DEFAULT_GLOSSARY).entries:
        for lang in ("en", "ko"):
            for spelling in entry.spellings(lang):
                owners[(lang, analysed(spelling))].add(entry.source)
    shared = {key: sorted(sources) for key, sources in owners.items() if len(sources) > 1}
    assert shared == {}


def test_no_english_spelling_is_an_everyday_word_in_disguise():
    glossary = Glossary.load(DEFAULT_GLOSSARY)
    found = [
        (entry.source, spelling)
        for entry in glossary.entries
        for spelling in entry.en
        if analysed(spelling) in {(word,) for word in AMBIGUOUS}
    ]
    assert found == []
