"""The glossary file format and matching by analysed terms."""

from __future__ import annotations

import pytest

from search.bilingual.glossary import Glossary, GlossaryError, default_glossary, positions_of


def _names(glossary: Glossary, text: str) -> list[str]:
    return [glossary.entries[i].en[0] for _, _, i, _ in glossary.find(positions_of(text))]


def test_the_shipped_glossary_loads():
    assert len(default_glossary()) > 0


def test_an_entry_matches_inflected_and_joined_spellings():
    g = default_glossary()
    assert "cooperation center" in _names(g, "워싱턴 협력센터에서")
    assert "cooperation" in _names(g, "the co-operation of both sides")
    assert "joint statement" in _names(g, "한미 공동성명서를")


def test_the_longest_spelling_wins(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("cooperation\t협력\tterm\ncooperation center\t협력센터\tterm\n", "utf-8")
    assert _names(Glossary.load(path), "the cooperation center opened") == ["cooperation center"]


def test_a_line_without_a_korean_side_is_a_clear_error(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("quantum\t양자\nsensor\n", "utf-8")
    with pytest.raises(GlossaryError, match=r"g.tsv:2"):
        Glossary.load(path)
