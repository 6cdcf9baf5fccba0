"""`dari index` over one folder holding every kind of awkward file at once.

Binary files, invalid UTF-8 in the middle, CP949, a BOM, NFD Hangul, CRLF,
empty files, a file with one 1 MB line, symlinks out of the folder, a named
pipe, files deleted or rewritten while indexing (and, in the slow test, a
30 MB file): indexing ends with exit code 0, names each skipped file with its
reason on stderr, and every good document is found by a word of its own.
"""

from __future__ import annotations

import os
import signal
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

import search.documents as documents
from search.cli import main
from search.engine import Engine


@pytest.fixture(autouse=True)
def one_build_process(monkeypatch):
    """These tests patch search.documents in this process; the workers of a parallel
    build (fresh interpreters) would not see the patches.  Parallel builds, a skipped
    file among them, are covered by tests/test_parallel_build.py."""
    monkeypatch.setenv("DARI_BUILD_PROCS", "1")


@dataclass(frozen=True)
class Good:
    """A document that must be indexed: found by ``word`` (a query), as ``doc_id``."""

    doc_id: str
    word: str


#: skipped file → a piece of the reason that must be printed with its name
BAD = {
    "binary.txt": "not a text file (contains NUL bytes)",
    "empty.txt": "empty file",
    "blank.txt": "empty file",
    "garbage.txt": "not a text file (mostly undecodable bytes)",
    "link-out.txt": "symlink points outside the documents folder",
    "pipe.txt": "not a regular file",
    "vanishing.txt": "file disappeared before it could be read",
}
GOOD = [
    Good("plain", "zorblaxian"),
    Good("bom", "bommelfrost"),
    Good("crlf", "quibbleton"),
    Good("crlf", "crlfwinkel"),
    Good("cp949", "고슴도치"),
    Good("nfd", "두루미"),
    Good("invalid-utf8", "mangrovia"),  # after the bad bytes
    Good("invalid-utf8", "pelicanesque"),  # before them
    Good("one-line", "openingword"),
    Good("one-line", "terminusword"),  # a megabyte later, on the same line
    Good("link-in", "zorblaxian"),  # a symlink within the folder is a document
    Good("한글 이름", "너구리"),
    Good("rewritten", "afterthought"),  # rewritten between listing and reading
    Good("midread", "latecomer"),  # rewritten in place while being read
]
#: words that must not be found: what the files held before they were rewritten,
#: and what lies outside the folder
GONE = ["forethought", "earlybird", "exfiltrato"]


def write_folder(docs: Path, outside: Path) -> None:
    docs.mkdir()
    (docs / "plain.txt").write_text(
        "Zorblaxian delegation visits Daejeon\n\nThe zorblaxian delegation met researchers.",
        "utf-8",
    )
    (docs / "bom.txt").write_bytes(
        "\ufeffBommelfrost weather report for Seoul\n\nCold and bommelfrost everywhere.".encode()
    )
    (docs / "crlf.txt").write_bytes(
        b"Crlfwinkel meeting minutes of the council\r\n\r\nThe quibbleton item was tabled.\r\n"
    )
    (docs / "cp949.txt").write_bytes(
        "고슴도치 보호 협약에 관한 보고서\n\n정부는 고슴도치 서식지를 보호하기로 했다.".encode(
            "cp949"
        )
    )
    (docs / "nfd.txt").write_bytes(
        unicodedata.normalize(
            "NFD", "두루미 서식지 조사 결과\n\n두루미가 철원 평야에 돌아왔다."
        ).encode()
    )
    (docs / "invalid-utf8.txt").write_bytes(
        b"Pelicanesque coastline survey of the west sea\n\n"
        + b"The pelicanesque birds were counted along the coast. " * 20
        + b"\xff\xfe\xc3("
        + b" The mangrovia shrubs grew back."
    )
    sentence = "Openingword quantum cooperation keeps growing between partners. "
    line = sentence + "The research centres share data and people every year. " * 18_500
    (docs / "one-line.txt").write_text(line + "Terminusword ends it.", "utf-8")
    assert len(line) > 1_000_000 and "\n" not in line
    (docs / "한글 이름.txt").write_text(
        "너구리 관찰 일지를 공개한다\n\n너구리가 공원에 나타났다.", "utf-8"
    )
    (docs / "rewritten.txt").write_text("Forethought draft one of the plan", "utf-8")
    (docs / "midread.txt").write_text("Earlybird version of the memo", "utf-8")
    (docs / "vanishing.txt").write_text("Ephemeral text that is deleted before it is read", "utf-8")
    # the bad ones
    (docs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (docs / "empty.txt").write_bytes(b"")
    (docs / "blank.txt").write_bytes(b" \r\n\t\n\n   \n")
    (docs / "garbage.txt").write_bytes(bytes(range(128, 256)) * 8)
    outside.write_text("Exfiltrato secret outside the documents folder", "utf-8")
    os.symlink(outside, docs / "link-out.txt")
    os.symlink(docs / "plain.txt", docs / "link-in.txt")
    os.mkfifo(docs / "pipe.txt")
    (docs / "folder.txt").mkdir()  # a folder named like a document: ignored
    (docs / "notes.csv").write_text("Zorblaxian,notes,in,a,table,are,not,documents", "utf-8")


@pytest.fixture
def disturbances(monkeypatch):
    """Delete and rewrite files while `dari index` runs, at fixed moments.

    ``vanishing.txt`` is deleted and ``rewritten.txt`` rewritten after the
    folder was listed and just before each is read; ``midread.txt`` is
    rewritten in place just after its bytes were read (the loader notices
    and reads it again).
    """
    real_load = documents.load_document
    real_read = documents._read_bytes
    done: list[str] = []

    def load(path: Path, root: Path | None = None):
        if path.name == "vanishing.txt":
            path.unlink()
            done.append("deleted vanishing.txt")
        elif path.name == "rewritten.txt":
            path.write_text("Afterthought: the second draft of the plan, longer", "utf-8")
            done.append("rewrote rewritten.txt")
        return real_load(path, root)

    def read(fh, limit):
        data = real_read(fh, limit)
        path = Path(os.readlink(f"/proc/self/fd/{fh.fileno()}"))
        if path.name == "midread.txt" and b"Earlybird" in data:
            path.write_text("Latecomer version of the memo, rewritten", "utf-8")  # in place
            done.append("rewrote midread.txt while reading")
        return data

    monkeypatch.setattr(documents, "load_document", load)
    monkeypatch.setattr(documents, "_read_bytes", read)
    return done


@contextmanager
def at_most(seconds: int):
    """Fail instead of hanging (a named pipe once could block a reader forever)."""

    def expired(signum, frame):
        raise TimeoutError(f"dari index did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_index(docs: Path, index: Path, capsys, seconds: int = 300) -> tuple[int, str, str]:
    with at_most(seconds):
        code = main(["index", "--docs", str(docs), "--index", str(index)])
    out, err = capsys.readouterr()
    return code, out, err


def check_everything(
    docs: Path,
    index: Path,
    code: int,
    out: str,
    err: str,
    extra=(),
    bad: dict[str, str] = BAD,
    goods: list[Good] = GOOD,
    gone: list[str] = GONE,
) -> None:
    assert code == 0, err
    assert "Traceback" not in out + err
    for name, reason in bad.items():
        assert f"skipped {name}: {reason}" in err, (name, err)
    assert "invalid-utf8.txt: invalid UTF-8" in err  # a warning, and the file is indexed
    assert "notes.csv" not in err and "folder.txt" not in err
    goods = [*goods, *extra]
    doc_ids = {g.doc_id for g in goods}
    assert f"indexed {len(doc_ids)} documents" in out
    assert f"skipped {len(bad)} files" in out

    engine = Engine(index)
    assert {d.doc_id for d in engine.documents()} == doc_ids
    for good in goods:
        found = {r.doc_id for r in engine.search(good.word, per_page=100).results}
        assert good.doc_id in found, (good, found)
    for word in gone:
        assert engine.search(word).total == 0, word
    titles = {d.doc_id: d.title for d in engine.documents()}
    assert titles["bom"] == "Bommelfrost weather report for Seoul"  # no BOM left in it
    assert titles["nfd"] == "두루미 서식지 조사 결과"  # NFC
    assert not any("\r" in t for t in titles.values())


def test_index_of_a_folder_of_awkward_files_finishes_and_names_every_skipped_file(
    tmp_path, capsys, disturbances
):
    docs, index = tmp_path / "docs", tmp_path / "index"
    write_folder(docs, tmp_path / "outside.txt")
    code, out, err = run_index(docs, index, capsys)
    assert disturbances == [
        "rewrote midread.txt while reading",
        "rewrote rewritten.txt",
        "deleted vanishing.txt",
    ]
    check_everything(docs, index, code, out, err)


def test_a_parallel_build_of_the_same_folder(tmp_path, capsys, monkeypatch):
    """Worker processes meet the same files (undisturbed here: the patches stay in this
    process); the named pipe, the symlink out and the binaries are skipped in them too."""
    monkeypatch.setenv("DARI_BUILD_PROCS", "2")
    docs, index = tmp_path / "docs", tmp_path / "index"
    write_folder(docs, tmp_path / "outside.txt")
    code, out, err = run_index(docs, index, capsys)
    undisturbed = {"rewritten": "forethought", "midread": "earlybird"}
    goods = [g for g in GOOD if g.doc_id not in undisturbed]
    goods += [Good(doc_id, word) for doc_id, word in undisturbed.items()]
    goods.append(Good("vanishing", "ephemeral"))
    bad = {name: reason for name, reason in BAD.items() if name != "vanishing.txt"}
    check_everything(docs, index, code, out, err, bad=bad, goods=goods, gone=["exfiltrato"])


def test_a_file_replaced_while_it_is_read_is_caught_up_by_the_next_reindex(
    tmp_path, capsys, monkeypatch
):
    """Replaced by rename mid-read: the old bytes are indexed with the old file's time and size,
    so the next `dari reindex` sees the change and indexes the new text."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "memo.txt").write_text("Earlybird version of the memo", "utf-8")
    real_read = documents._read_bytes

    def read(fh, limit):
        data = real_read(fh, limit)
        if b"Earlybird" in data:
            fresh = docs / ".memo.tmp"
            fresh.write_text("Latecomer version of the memo, replaced atomically", "utf-8")
            os.replace(fresh, docs / "memo.txt")
        return data

    monkeypatch.setattr(documents, "_read_bytes", read)
    code, out, err = run_index(docs, index, capsys)
    assert code == 0 and "indexed 1 document," in out
    monkeypatch.setattr(documents, "_read_bytes", real_read)
    assert main(["reindex", "--docs", str(docs), "--index", str(index)]) == 0
    assert "updated 1" in capsys.readouterr().out
    engine = Engine(index)
    assert engine.search("latecomer").total == 1
    assert engine.search("earlybird").total == 0


def test_reindex_after_the_disturbed_run_has_nothing_left_to_do(tmp_path, capsys, disturbances):
    docs, index = tmp_path / "docs", tmp_path / "index"
    write_folder(docs, tmp_path / "outside.txt")
    assert run_index(docs, index, capsys)[0] == 0
    assert main(["reindex", "--docs", str(docs), "--index", str(index)]) == 0
    out, err = capsys.readouterr()
    # the bad files are named again; every good one is as it was indexed
    assert "added 0, updated 0, removed 0" in out
    for name in BAD.keys() - {"vanishing.txt"}:
        assert f"skipped {name}" in err


def test_a_file_over_the_size_limit_is_skipped_without_being_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "huge.txt").write_bytes(b"word " * 300_000)
    (docs / "small.txt").write_text("Small but searchable", "utf-8")
    real_read, read = documents._read_bytes, []

    def reading(fh, limit):
        read.append(os.readlink(f"/proc/self/fd/{fh.fileno()}"))
        return real_read(fh, limit)

    monkeypatch.setattr(documents, "_read_bytes", reading)
    code, out, err = run_index(docs, tmp_path / "index", capsys)
    assert code == 0 and "indexed 1 document," in out
    assert "skipped huge.txt: file too large (1.4 MB; the limit is 1 MB)" in err
    assert [Path(p).name for p in read] == ["small.txt"]


@pytest.mark.slow
def test_the_same_folder_with_a_30_mb_file_in_it(tmp_path, capsys, disturbances):
    """The whole folder plus a 30 MB document (about 45 s of indexing here)."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    write_folder(docs, tmp_path / "outside.txt")
    paragraph = (
        "Quantum cooperation between Korea and its partners covers research, supply chains "
        "and people. 양자 협력은 연구와 인력 교류를 포함한다. "
    ) * 4
    with open(docs / "big.txt", "w", encoding="utf-8") as fh:
        fh.write("Gigantesque annual archive of cooperation\n\n")
        while fh.tell() < 30 * 1024 * 1024:
            fh.write(paragraph + "\n\n")
        fh.write("The archive closes with the word finistère.\n")
    assert (docs / "big.txt").stat().st_size > 30 * 1024 * 1024
    code, out, err = run_index(docs, index, capsys, seconds=900)
    big = [Good("big", "gigantesque"), Good("big", "finistère")]
    check_everything(docs, index, code, out, err, extra=big)
