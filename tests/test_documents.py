"""Loading documents: decoding, paragraphs, languages, titles and bad files."""

import os
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import search.documents as documents
from search.analysis import script_of
from search.documents import (
    Document,
    DocumentError,
    Skipped,
    decode_bytes,
    detect_language,
    load_document,
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


def test_only_files_of_the_formats_read_directly_in_the_folder_are_documents(tmp_path):
    (tmp_path / "a.txt").write_text("alpha", "utf-8")
    (tmp_path / "notes.md").write_text("# beta", "utf-8")
    (tmp_path / "table.csv").write_text("gamma,delta", "utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("gamma", "utf-8")
    docs, _ = load(tmp_path)
    assert list(docs) == ["a", "notes"]


# --- reading files safely (see also test_hostile_documents.py) ------------------------


def test_a_named_pipe_is_skipped_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would wait for a writer
    (tmp_path / "good.txt").write_text("Quantum cooperation", "utf-8")
    docs, skipped = load(tmp_path)
    assert list(docs) == ["good"]
    assert skipped == {"pipe.txt": "not a regular file"}


def test_a_folder_named_like_a_document_is_not_read(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError, match="not a regular file"):
        load_document(tmp_path / "folder.txt", tmp_path)


def test_a_symlink_swapped_in_after_the_check_is_refused(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Quantum cooperation", "utf-8")
    (tmp_path / "secret.txt").write_text("Secret outside", "utf-8")
    real_open = os.open

    def swap_then_open(path, flags, *args):
        if str(path).endswith("a.txt"):  # between the symlink check and the opening
            os.remove(docs / "a.txt")
            os.symlink(tmp_path / "secret.txt", docs / "a.txt")
        return real_open(path, flags, *args)

    monkeypatch.setattr(documents.os, "open", swap_then_open)
    with pytest.raises(DocumentError, match="outside the documents folder"):
        load_document(docs / "a.txt", docs)


def test_a_file_that_keeps_changing_is_recorded_as_it_was_before_the_last_read(
    tmp_path, monkeypatch
):
    path = tmp_path / "log.txt"
    path.write_text("line 0\n", "utf-8")
    real_read, reads = documents._read_bytes, []

    def read_then_append(fh, limit):
        data = real_read(fh, limit)
        reads.append(data)
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"line {len(reads)}\n")
        return data

    monkeypatch.setattr(documents, "_read_bytes", read_then_append)
    doc = load_document(path, tmp_path)
    assert len(reads) == documents.READ_ATTEMPTS
    assert doc.size == len(reads[-1]) < path.stat().st_size
    # a reindex compares size and time with the file: it will read the newer version
    assert doc.mtime <= path.stat().st_mtime and doc.size != path.stat().st_size


def test_a_file_that_stops_changing_is_read_again_until_it_is_stable(tmp_path, monkeypatch):
    path = tmp_path / "memo.txt"
    path.write_text("Draft one", "utf-8")
    real_read = documents._read_bytes

    def read_then_rewrite_once(fh, limit):
        data = real_read(fh, limit)
        if data == b"Draft one":
            path.write_text("Draft two, final", "utf-8")
        return data

    monkeypatch.setattr(documents, "_read_bytes", read_then_rewrite_once)
    doc = load_document(path, tmp_path)
    assert doc.paragraphs[0].text == "Draft two, final"
    assert (doc.size, doc.mtime) == (path.stat().st_size, path.stat().st_mtime)


def _detect_language_one_char_at_a_time(text: str) -> str:
    """The definition that :func:`detect_language` computes faster."""
    hangul = latin = 0
    for char in text:
        if char.isalpha():
            script = script_of(char)
            hangul += 2 if script == "hangul" else 0
            latin += 1 if script == "latin" else 0
    letters = hangul + latin
    if not letters:
        return "mixed"
    share = hangul / letters
    return "ko" if share >= 0.8 else "en" if share <= 0.2 else "mixed"


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("abcXYZé 양자협력ㅋ가1 .\u0301\u1100\u1161ß漢") | st.characters()))
def test_detect_language_agrees_with_its_definition(text):
    assert detect_language(text) == _detect_language_one_char_at_a_time(text)
