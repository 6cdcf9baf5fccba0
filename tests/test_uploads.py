"""Saving and deleting document files: names sanitised, nothing written on refusal."""

import pytest

from search.errors import Conflict, NotFound, TooLarge
from search.uploads import (
    MAX_UPLOAD_BYTES,
    UploadRejected,
    check_document_name,
    delete_document_file,
    save_document_file,
)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "a/b.txt",
        "..\\x.txt",
        ".hidden.txt",
        "notes.xlsx",
        "a..b.txt",
        "",
        "nul\x00.txt",
        "x" * 200 + ".txt",
    ],
)
def test_unsafe_or_wrong_names_are_refused(name):
    with pytest.raises(UploadRejected):
        check_document_name(name)


@pytest.mark.parametrize(
    "name", ["report.txt", "한미 공동성명서.txt", "UK-Korea deal (2023).txt", "Report.TXT"]
)
def test_ordinary_names_are_accepted(name):
    assert check_document_name(name).endswith(".txt")


def test_saved_file_lands_in_the_folder_with_its_bytes(tmp_path):
    saved = save_document_file(tmp_path, "new.txt", "양자 협력".encode())
    path = saved.path
    assert not saved.replaced
    assert path == tmp_path / "new.txt"
    assert path.read_text("utf-8") == "양자 협력"
    assert [p.name for p in tmp_path.iterdir()] == ["new.txt"]  # no temporary left behind


def test_existing_name_is_replaced_only_on_purpose(tmp_path):
    (tmp_path / "doc.txt").write_text("old", "utf-8")
    with pytest.raises(UploadRejected) as err:
        save_document_file(tmp_path, "doc.txt", b"new")
    assert isinstance(err.value, Conflict)  # the web answers 409
    assert (tmp_path / "doc.txt").read_text("utf-8") == "old"
    assert save_document_file(tmp_path, "doc.txt", b"new", replace=True).replaced
    assert (tmp_path / "doc.txt").read_text("utf-8") == "new"


def test_too_large_file_is_refused_with_413_and_nothing_written(tmp_path):
    with pytest.raises(UploadRejected) as err:
        save_document_file(tmp_path, "big.txt", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert isinstance(err.value, TooLarge)  # the web answers 413
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"", b"  \n\n "])
def test_binary_or_empty_file_is_refused(tmp_path, data):
    with pytest.raises(UploadRejected):
        save_document_file(tmp_path, "x.txt", data)
    assert list(tmp_path.iterdir()) == []


def test_delete_removes_the_file_and_refuses_unknown_ids(tmp_path):
    (tmp_path / "doc.txt").write_text("text", "utf-8")
    delete_document_file(tmp_path, "doc")
    assert not (tmp_path / "doc.txt").exists()
    with pytest.raises(UploadRejected) as err:
        delete_document_file(tmp_path, "doc")
    assert isinstance(err.value, NotFound)  # the web answers 404
    with pytest.raises(UploadRejected):
        delete_document_file(tmp_path, "../outside")


def test_a_name_over_255_bytes_is_refused_even_under_120_characters():
    name = "가" * 84 + ".txt"  # 88 characters, 256 bytes
    with pytest.raises(UploadRejected, match="255 bytes"):
        check_document_name(name)
    assert check_document_name("가" * 83 + ".txt")  # 253 bytes


def test_uploads_of_one_new_name_at_once_add_it_exactly_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    def upload(i: int) -> str:
        try:
            save_document_file(tmp_path, "race.txt", f"version {i}\n".encode())
        except Conflict:
            return "conflict"
        return f"version {i}\n"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(upload, range(10)))
    added = [o for o in outcomes if o != "conflict"]
    assert len(added) == 1
    assert (tmp_path / "race.txt").read_text() == added[0]  # the one told "added" is kept
    assert [p.name for p in tmp_path.iterdir()] == ["race.txt"]  # no temporary files left


def test_a_saved_file_has_the_permissions_of_any_new_file(tmp_path):
    import os

    by_hand = tmp_path / "by-hand.txt"
    umask = os.umask(0o027)
    try:
        path = save_document_file(tmp_path, "doc.txt", b"text\n").path
        by_hand.write_text("text\n")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == by_hand.stat().st_mode & 0o777 == 0o640


def test_deleting_a_file_that_another_request_removed_is_not_found(tmp_path):
    save_document_file(tmp_path, "gone.txt", b"text\n")
    delete_document_file(tmp_path, "gone")
    with pytest.raises(NotFound):
        delete_document_file(tmp_path, "gone")
