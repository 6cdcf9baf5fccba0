"""Loading documents: decoding, paragraphs, languages, titles and bad files."""

import os
import unicodedata

import pytest

from search.documents import (
    Document,
    Skipped,
    decode_bytes,
    detect_language,
    load_folder,
    split_paragraphs,
)

SEED_TITLES = {
    "000_04ba2ab33a6fa034": "Korea-US Quantum Technology Cooperation is beginning… Center opens in Washington, DC",
    "001_dc24151964aacdd8": "'Quantum Korea 2025' Emerges as a Global Quantum Cooperation Hub",
    # every line of 002 is a sentence and its first line a repeated caption: the
    # first real sentence, shortened, is the best the text offers
    "002_1f3f6e6e2c6619e0": "Daejeon is quickly becoming the hub of Korea's quantum industry and a globally competitive city for technology, in part…",
    "003_f33e5257b7cf7671": "한미 정상회담, 양자(Quantum) 과학기술 선도국가 도약의 발판 마련",
    "004_5334acd3d0054ac8": "Republic of Korea deal adds to UK quantum momentum",
}


def load(folder) -> tuple[dict[str, Document], dict[str, str]]:
    docs, skipped = {}, {}
    for item in load_folder(folder):
        if isinstance(item, Skipped):
            skipped[item.name] = item.reason
        else:
            docs[item.doc_id] = item
    return docs, skipped


@pytest.mark.parametrize("doc_id", sorted(SEED_TITLES))
def test_seed_title_is_the_first_line_that_reads_like_a_title(seeds_dir, doc_id):
    docs, _ = load(seeds_dir)
    assert docs[doc_id].title == SEED_TITLES[doc_id]


def test_every_seed_loads_with_its_file_name_as_id(seeds_dir):
    docs, skipped = load(seeds_dir)
    assert sorted(docs) == sorted(SEED_TITLES)
    assert skipped == {}


def test_paragraphs_are_numbered_from_one_and_whitespace_is_collapsed(tmp_path):
    (tmp_path / "a.txt").write_text("First  line\nsame paragraph\n\n\n  Second\tone  \n", "utf-8")
    docs, _ = load(tmp_path)
    paragraphs = docs["a"].paragraphs
    assert [(p.n, p.text) for p in paragraphs] == [
        (1, "First line same paragraph"),
        (2, "Second one"),
    ]


def test_paragraph_languages_come_from_hangul_and_latin_shares(seeds_dir):
    docs, _ = load(seeds_dir)
    press = docs["003_f33e5257b7cf7671"]
    assert press.paragraphs[0].lang == "ko"  # a Korean title with "(Quantum)" in it
    assert {p.lang for p in press.paragraphs} >= {"ko", "en"}
    assert detect_language("Quantum Korea 2025와 양자 협력") == "mixed"


def test_crlf_and_cr_line_ends_separate_paragraphs():
    text, _ = decode_bytes(b"one\r\n\r\ntwo\r\rthree")
    assert split_paragraphs(text) == ["one", "two", "three"]


def test_utf8_bom_is_removed():
    text, warnings = decode_bytes("\ufeff협력".encode())
    assert text == "협력" and warnings == []


def test_cp949_files_are_decoded():
    text, warnings = decode_bytes("양자 협력 공동성명서".encode("cp949"))
    assert text == "양자 협력 공동성명서"
    assert warnings == ["decoded as CP949/EUC-KR"]


def test_invalid_utf8_in_the_middle_is_replaced_with_a_warning():
    text, warnings = decode_bytes(b"quantum cooperation " * 20 + b"\xff\xfe" + b" center")
    assert text.endswith("\ufffd\ufffd center")
    assert "invalid UTF-8" in warnings[0]


def test_nfd_files_are_normalised_to_nfc():
    text, _ = decode_bytes(unicodedata.normalize("NFD", "공동성명서").encode())
    assert text == "공동성명서"


def test_over_long_blocks_are_cut_at_sentence_ends():
    block = "This is one sentence about quantum cooperation. " * 300
    parts = split_paragraphs(block)
    assert len(parts) > 1
    assert all(len(p) <= 4000 for p in parts)
    assert all(p.endswith(".") for p in parts)


def test_bad_files_are_skipped_with_a_reason_and_loading_goes_on(tmp_path):
    (tmp_path / "good.txt").write_text("Quantum cooperation center opens", "utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("\n  \n\t\n", "utf-8")
    (tmp_path / "garbage.txt").write_bytes(bytes(range(128, 256)) * 4)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret", "utf-8")
    os.symlink(outside, tmp_path / "link.txt")
    docs, skipped = load(tmp_path)
    assert list(docs) == ["good"]
    assert set(skipped) == {"binary.txt", "empty.txt", "blank.txt", "garbage.txt", "link.txt"}
    assert "NUL" in skipped["binary.txt"]
    assert "outside" in skipped["link.txt"]
    assert "empty" in skipped["empty.txt"]


def test_symlink_inside_the_folder_is_a_document(tmp_path):
    (tmp_path / "real.txt").write_text("Quantum cooperation", "utf-8")
    os.symlink(tmp_path / "real.txt", tmp_path / "alias.txt")
    docs, skipped = load(tmp_path)
    assert set(docs) == {"alias", "real"} and skipped == {}


def test_only_txt_files_directly_in_the_folder_are_documents(tmp_path):
    (tmp_path / "a.txt").write_text("alpha", "utf-8")
    (tmp_path / "notes.md").write_text("beta", "utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("gamma", "utf-8")
    docs, _ = load(tmp_path)
    assert list(docs) == ["a"]
