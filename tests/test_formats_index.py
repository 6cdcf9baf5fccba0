"""Every format through the whole pipeline: a folder of PDF, HWPX, HWP, DOCX, HTML and
Markdown files beside the seeds is indexed, searched (a PDF hit says its page),
reindexed and watched like text files; unreadable files are skipped with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search.documents import load_folder
from search.engine import Engine
from search.indexing import build_index
from search.indexing.reindex import reindex
from tests.files import (
    STATEMENT_EN,
    STATEMENT_KO,
    docx_bytes,
    hangul_bytes,
    pdf_bytes,
    press_page,
    scanned_pdf_bytes,
)

#: Words each test file alone holds, to find it by.
PDF_WORDS = "plutonium reprocessing safeguards"
HWPX_WORDS = "해양수산부 갯벌 복원"
HWP_WORDS = "문화재청 석굴암 보수"
DOCX_WORDS = "Antarctic krill quota"
HTML_WORDS = "재외동포 비자 간소화"
MD_WORDS = "Raspberry Pi cluster"


def write_formats(folder: Path, scratch: Path) -> None:
    (folder / "statement.pdf").write_bytes(
        pdf_bytes(
            [
                ["한미 원자력 협력 공동성명", STATEMENT_KO[0], STATEMENT_EN[0]],
                [STATEMENT_KO[1], f"Both sides reaffirmed {PDF_WORDS} under the agreement."],
            ],
            title="한미 원자력 협력 공동성명",
            header="외교부 보도자료",
        )
    )
    (folder / "tidal.hwpx").write_bytes(
        hangul_bytes(["갯벌 복원 계획", f"{HWPX_WORDS} 사업을 시작한다."], tmp_dir=scratch)
    )
    (folder / "heritage.hwp").write_bytes(
        hangul_bytes(["보수 공사 안내", f"{HWP_WORDS} 공사를 마쳤다."], hwp5=True, tmp_dir=scratch)
    )
    (folder / "krill.docx").write_bytes(
        docx_bytes([("Title", "Fisheries report"), ("Normal", f"The {DOCX_WORDS} was kept.")])
    )
    (folder / "visa.html").write_bytes(
        press_page([f"{HTML_WORDS} 방안을 발표하였다.", *STATEMENT_KO])
    )
    (folder / "lab.md").write_text(f"# Lab notes\n\nWe built a {MD_WORDS} for tests.\n", "utf-8")
    (folder / "scan.pdf").write_bytes(scanned_pdf_bytes())
    (folder / "locked.pdf").write_bytes(pdf_bytes([STATEMENT_KO], encrypt="secret"))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, seeds_dir) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("mixed")
    docs = base / "docs"
    shutil.copytree(seeds_dir, docs)
    scratch = base / "scratch"
    scratch.mkdir()
    write_formats(docs, scratch)
    root = base / "index"
    build_index(docs, root)
    return docs, root


@pytest.fixture(scope="module")
def mixed_engine(mixed) -> Engine:
    return Engine(mixed[1])


@pytest.mark.parametrize(
    ("words", "doc_id"),
    [
        (PDF_WORDS, "statement"),
        (HWPX_WORDS, "tidal"),
        (HWP_WORDS, "heritage"),
        (DOCX_WORDS, "krill"),
        (HTML_WORDS, "visa"),
        (MD_WORDS, "lab"),
    ],
)
def test_a_document_of_every_format_is_found_by_its_words(mixed_engine, words, doc_id):
    assert mixed_engine.search(words).results[0].doc_id == doc_id


def test_a_pdf_hit_says_the_page_it_is_on(mixed_engine):
    hit = mixed_engine.search(PDF_WORDS).results[0]
    assert (hit.paragraph, hit.page) == (5, 2)


def test_a_hit_in_a_format_without_pages_has_no_page(mixed_engine):
    assert mixed_engine.search(HWPX_WORDS).results[0].page is None


def test_the_document_view_knows_where_each_page_starts(mixed_engine):
    view = mixed_engine.document("statement")
    assert view.page_starts == {1: 1, 2: 4}
    assert view.pages == 2 and view.title == "한미 원자력 협력 공동성명"


def test_unreadable_files_are_skipped_with_their_reasons_and_the_rest_indexed(mixed):
    skipped = {s.name: s.reason for s in load_folder(mixed[0]) if not hasattr(s, "doc_id")}
    assert skipped["scan.pdf"].startswith("no text layer (scanned?)")
    assert skipped["locked.pdf"].startswith("encrypted PDF")
    assert "DOCX" in skipped["broken.docx"]
    ids = {d.doc_id for d in Engine(mixed[1]).documents()}
    assert {"statement", "tidal", "heritage", "krill", "visa", "lab"} <= ids
    assert not ids & {"scan", "locked", "broken"}


def test_the_document_list_tells_each_documents_file(mixed_engine):
    files = {d.doc_id: d.file for d in mixed_engine.documents()}
    assert files["statement"] == "statement.pdf" and files["heritage"] == "heritage.hwp"


# --- reindexing ---------------------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path, seeds_dir) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    shutil.copytree(seeds_dir, docs)
    root = tmp_path / "index"
    build_index(docs, root)
    return docs, root


def test_reindex_adds_a_new_pdf_and_finds_it_with_its_page(seeded):
    docs, root = seeded
    (docs / "statement.pdf").write_bytes(
        pdf_bytes([[STATEMENT_KO[0]], [f"Both sides reaffirmed {PDF_WORDS}."]])
    )
    report = reindex(docs, root)
    assert report.added == ["statement"]
    assert Engine(root).search(PDF_WORDS).results[0].page == 2


def test_a_text_document_replaced_by_a_pdf_of_the_same_name_is_reindexed_from_the_pdf(seeded):
    docs, root = seeded
    (docs / "memo.txt").write_text("Old memo about krill.", "utf-8")
    reindex(docs, root)
    (docs / "memo.txt").unlink()
    (docs / "memo.pdf").write_bytes(pdf_bytes([[f"New memo: {PDF_WORDS}."]]))
    report = reindex(docs, root)
    assert report.updated == ["memo"]
    engine = Engine(root)
    assert engine.search(PDF_WORDS).results[0].doc_id == "memo"
    assert engine.search("krill").total == 0


def test_of_two_files_with_one_name_the_word_processor_file_is_the_document(seeded, tmp_path):
    docs, root = seeded
    (docs / "release.pdf").write_bytes(pdf_bytes([[f"PDF version: {PDF_WORDS}."]]))
    (docs / "release.hwpx").write_bytes(hangul_bytes([f"한글 판: {HWPX_WORDS}."], tmp_dir=tmp_path))
    report = reindex(docs, root)
    assert report.added == ["release"]
    assert [(s.name, s.reason) for s in report.skipped] == [
        ("release.pdf", "same name as release.hwpx, which is indexed instead")
    ]
    assert Engine(root).search(HWPX_WORDS).results[0].doc_id == "release"


def test_the_watcher_picks_up_a_pdf_dropped_into_the_folder(seeded):
    import time

    from search.indexing.watch import FolderWatcher

    docs, root = seeded
    reports = []
    watcher = FolderWatcher(docs, root, settle=0.3, on_report=reports.append).start()
    try:
        time.sleep(1.0)
        (docs / "dropped.pdf").write_bytes(pdf_bytes([[f"Dropped: {PDF_WORDS}."]]))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(r.added == ["dropped"] for r in reports):
            time.sleep(0.1)
    finally:
        watcher.stop()
    assert any(r.added == ["dropped"] for r in reports)
    assert Engine(root).search(PDF_WORDS).results[0].doc_id == "dropped"


@pytest.mark.parametrize("ending", [".pdf", ".docx", ".hwpx"])
def test_an_agreement_in_any_format_has_the_same_paragraphs_and_aligned_clauses(
    ending, seeds_dir, tmp_path
):
    from xml.sax.saxutils import escape

    from search.bilingual.alignment import counterparts, find_alignments
    from search.documents import load_document, read_document

    seed = load_document(seeds_dir / "003_f33e5257b7cf7671.txt")  # a press release + agreement
    texts = [p.text for p in seed.paragraphs]
    data = {
        ".pdf": lambda: pdf_bytes([[escape(t) for t in texts]]),
        ".docx": lambda: docx_bytes([("Normal", t) for t in texts]),
        ".hwpx": lambda: hangul_bytes(texts, tmp_dir=tmp_path),
    }[ending]()
    doc = read_document("agreement", f"agreement{ending}", data)
    assert [p.text for p in doc.paragraphs] == texts
    assert counterparts(find_alignments(doc.paragraphs)) == counterparts(
        find_alignments(seed.paragraphs)
    )


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Path:
    from tests.files import write_dated_documents

    base = tmp_path_factory.mktemp("dated")
    docs = base / "docs"
    docs.mkdir()
    write_dated_documents(docs)
    build_index(docs, base / "index")
    return base / "index"


def test_results_can_come_newest_document_first(dated):
    results = Engine(dated).search("marimba", sort="date").results
    assert [r.doc_id for r in results] == ["b-new", "d-middle", "a-old", "a-old", "c-undated"]


def test_newest_first_pages_follow_on(dated):
    engine = Engine(dated)
    pages = [engine.search("marimba", sort="date", per_page=2, page=n).results for n in (1, 2, 3)]
    assert [r.doc_id for page in pages for r in page] == [
        r.doc_id for r in engine.search("marimba", sort="date").results
    ]


def test_the_reference_query_path_orders_by_date_the_same(dated):
    whoosh = Engine(dated, query_path="whoosh").search("marimba", sort="date").results
    columnar = Engine(dated).search("marimba", sort="date").results
    assert [(r.doc_id, r.paragraph) for r in whoosh] == [(r.doc_id, r.paragraph) for r in columnar]
