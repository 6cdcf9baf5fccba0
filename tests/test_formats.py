"""The format layer: every format read gives paragraphs, a title and languages; bad files
are refused with the reason.  The files are real ones, written by the libraries that
write them (tests/files.py)."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.documents import read_document
from search.errors import DocumentError
from search.formats import archives
from tests.files import (
    STATEMENT_EN,
    STATEMENT_KO,
    docx_bytes,
    hangul_bytes,
    lines_pdf_bytes,
    pdf_bytes,
    press_page,
    scanned_pdf_bytes,
    zip_bytes,
)


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


# --- PDF --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def statement_pdf() -> bytes:
    return pdf_bytes(
        [
            ["한미 양자 협력 공동성명", STATEMENT_KO[0], STATEMENT_EN[0]],
            [STATEMENT_KO[1], STATEMENT_EN[1]],
            [STATEMENT_KO[2], STATEMENT_EN[2]],
        ],
        title="한미 양자 협력 공동성명",
        author="외교부",
        header="외교부 보도자료 Ministry of Foreign Affairs",
    )


def test_a_pdf_gives_its_paragraphs_in_reading_order(statement_pdf):
    doc = read_document("statement", "statement.pdf", statement_pdf)
    assert texts(doc) == [
        "한미 양자 협력 공동성명",
        STATEMENT_KO[0],
        STATEMENT_EN[0],
        STATEMENT_KO[1],
        STATEMENT_EN[1],
        STATEMENT_KO[2],
        STATEMENT_EN[2],
    ]


def test_a_pdf_paragraph_keeps_the_page_it_is_on(statement_pdf):
    doc = read_document("statement", "statement.pdf", statement_pdf)
    assert [p.page for p in doc.paragraphs] == [1, 1, 1, 2, 2, 3, 3]


def test_running_headers_and_page_numbers_of_a_pdf_are_dropped(statement_pdf):
    doc = read_document("statement", "statement.pdf", statement_pdf)
    assert not any("Ministry of Foreign Affairs" in t or t.startswith("-") for t in texts(doc))


def test_a_pdf_paragraph_gets_its_language(statement_pdf):
    doc = read_document("statement", "statement.pdf", statement_pdf)
    assert [p.lang for p in doc.paragraphs[1:3]] == ["ko", "en"]


def test_a_pdf_states_its_title_author_and_date(statement_pdf):
    doc = read_document("statement", "statement.pdf", statement_pdf)
    assert (doc.title, doc.author) == ("한미 양자 협력 공동성명", "외교부")
    assert len(doc.date) == 10 and doc.date[4] == "-"


def test_a_pdf_without_a_title_takes_its_first_heading():
    data = pdf_bytes([["Quantum cooperation between the two countries", *STATEMENT_EN]])
    assert (
        read_document("q", "q.pdf", data).title == "Quantum cooperation between the two countries"
    )


def test_a_paragraph_running_over_a_page_break_stays_one_paragraph_on_its_first_page():
    long = " ".join(STATEMENT_EN * 8)  # starts halfway down page 1, ends on page 2
    doc = read_document("long", "long.pdf", pdf_bytes([[*STATEMENT_KO, long]]))
    assert texts(doc) == [*STATEMENT_KO, long]
    assert [p.page for p in doc.paragraphs] == [1, 1, 1, 1]


def test_a_word_hyphenated_at_a_line_end_is_joined():
    lines = [
        "The delegations of both countries discussed the draft of the new inter-",
        "governmental agreement on research and the exchange of their scientists.",
    ]
    doc = read_document("h", "h.pdf", lines_pdf_bytes(lines))
    assert texts(doc) == [
        "The delegations of both countries discussed the draft of the new "
        "intergovernmental agreement on research and the exchange of their scientists."
    ]


def test_a_blank_line_gap_in_a_pdf_starts_a_new_paragraph():
    lines = [
        "양국은 연구자 교류 프로그램을 두 배로 늘리고, 대학과 연구소 사이의 공동",
        "연구 과제를 매년 선정하여 지원하기로 하였다. 양국은 연구자 교류 프로그램을",
        "",
        "양국 정상은 기후변화 대응을 위한 청정에너지 협력을 논의하였으며, 소형모듈",
        "원자로 공동 개발과 수소 경제 협력을 추진하기로 하였다. 양국 정상은 기후",
    ]
    assert len(read_document("g", "g.pdf", lines_pdf_bytes(lines)).paragraphs) == 2


def test_bullets_in_a_pdf_start_paragraphs():
    lines = [
        "□ 추진 배경 양국은 연구자 교류 프로그램을 두 배로 늘리고, 대학과 연구소",
        "○ 주요 내용 양국 정상은 기후변화 대응을 위한 청정에너지 협력을 논의",
        "- 세부 과제 소형모듈원자로 공동 개발과 수소 경제 협력을 추진하기로 하",
    ]
    assert texts(read_document("b", "b.pdf", lines_pdf_bytes(lines))) == lines


def test_a_scanned_pdf_is_skipped_as_having_no_text_layer():
    with pytest.raises(DocumentError, match=r"no text layer \(scanned\?\)"):
        read_document("scan", "scan.pdf", scanned_pdf_bytes())


def test_an_encrypted_pdf_is_refused_as_encrypted():
    data = pdf_bytes([STATEMENT_KO], encrypt="secret")
    with pytest.raises(DocumentError, match="encrypted PDF"):
        read_document("locked", "locked.pdf", data)


def test_a_damaged_pdf_is_refused(statement_pdf):
    with pytest.raises(DocumentError, match="not a readable PDF"):
        read_document("cut", "cut.pdf", statement_pdf[:400])


def test_a_file_named_pdf_that_is_a_zip_is_refused_with_what_it_is():
    with pytest.raises(DocumentError, match="not a PDF file .it is a zip archive"):
        read_document("x", "x.pdf", zip_bytes({"a.txt": b"hello"}))


# --- DOCX -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def statement_docx() -> bytes:
    return docx_bytes(
        [
            ("Title", "한미 양자 협력 공동성명"),
            ("Heading 1", "1. 연구 협력"),
            ("Normal", STATEMENT_KO[0]),
            ("Heading 1", "2. Research"),
            ("Normal", STATEMENT_EN[0]),
        ],
        title="Joint Statement on Quantum Cooperation",
        author="Ministry of Science and ICT",
        table=[["구분", "내용"], ["양자", "공동 연구 확대"]],
    )


def test_a_docx_gives_headings_paragraphs_and_table_rows_in_order(statement_docx):
    doc = read_document("s", "s.docx", statement_docx)
    assert texts(doc) == [
        "한미 양자 협력 공동성명",
        "1. 연구 협력",
        STATEMENT_KO[0],
        "2. Research",
        STATEMENT_EN[0],
        "구분 내용",
        "양자 공동 연구 확대",
        "표 다음 문단: 협력 사업은 매년 점검한다.",
    ]


def test_a_docx_states_its_title_and_author(statement_docx):
    doc = read_document("s", "s.docx", statement_docx)
    assert (doc.title, doc.author) == (
        "Joint Statement on Quantum Cooperation",
        "Ministry of Science and ICT",
    )


def test_a_docx_without_a_stated_title_takes_its_title_style():
    data = docx_bytes([("Title", "청정에너지 협력 계획"), ("Normal", STATEMENT_KO[1])])
    assert read_document("s", "s.docx", data).title == "청정에너지 협력 계획"


def test_a_corrupt_docx_is_refused(statement_docx):
    with pytest.raises(DocumentError, match="DOCX"):
        read_document("s", "s.docx", statement_docx[: len(statement_docx) // 2])


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_bytes({"word/document.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(DocumentError, match="zip bomb"):
        read_document("bomb", "bomb.docx", bomb)


def test_an_archive_unpacking_past_the_limit_is_refused(monkeypatch, statement_docx):
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 10_000)
    with pytest.raises(DocumentError, match="over the limit"):
        read_document("s", "s.docx", statement_docx)


def test_a_zip_member_larger_than_it_says_is_refused():
    data = bytearray(zip_bytes({"word/document.xml": b"<w:document/>" * 100}))
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # the central directory's stated size (offset 24 in the entry) made smaller
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (info.file_size // 2).to_bytes(4, "little")
    archive = archives.open_zip(bytes(data), "DOCX")
    with pytest.raises(DocumentError, match="damaged DOCX"):
        archives.read_member(archive, "word/document.xml", "DOCX")


# --- HWPX and HWP 5 ---------------------------------------------------------------------


@pytest.mark.parametrize("hwp5", [False, True], ids=["hwpx", "hwp5"])
def test_a_hangul_file_gives_its_paragraphs_and_table_rows(tmp_path, hwp5):
    data = hangul_bytes(
        ["한미 양자 협력 공동성명", STATEMENT_KO[0], STATEMENT_EN[0]],
        title="한미 양자 협력 공동성명",
        author="외교부",
        table=[["구분", "내용"], ["양자", "공동 연구 확대"]],
        hwp5=hwp5,
        tmp_dir=tmp_path,
    )
    name = "s.hwp" if hwp5 else "s.hwpx"
    doc = read_document("s", name, data)
    assert texts(doc) == [
        "한미 양자 협력 공동성명",
        STATEMENT_KO[0],
        STATEMENT_EN[0],
        "구분 내용",
        "양자 공동 연구 확대",
    ]
    assert [p.lang for p in doc.paragraphs[1:3]] == ["ko", "en"]
    assert doc.title == "한미 양자 협력 공동성명"


def test_an_hwpx_states_its_author(tmp_path):
    data = hangul_bytes(
        [STATEMENT_KO[0]], title="협력 계획", author="과학기술정보통신부", tmp_dir=tmp_path
    )
    assert read_document("s", "s.hwpx", data).author == "과학기술정보통신부"


def test_an_hwpx_file_named_hwp_is_refused_with_the_right_ending(tmp_path):
    data = hangul_bytes([STATEMENT_KO[0]], tmp_dir=tmp_path)
    with pytest.raises(DocumentError, match="rename it to .hwpx"):
        read_document("s", "s.hwp", data)


def test_a_corrupt_hwp_file_is_refused(tmp_path):
    data = hangul_bytes([STATEMENT_KO[0]], hwp5=True, tmp_dir=tmp_path)
    with pytest.raises(DocumentError, match="HWP"):
        read_document("s", "s.hwp", data[:1500])


def test_a_corrupt_hwpx_zip_is_refused():
    with pytest.raises(DocumentError, match="not a HWPX file|not a readable HWPX"):
        read_document("s", "s.hwpx", b"PK\x03\x04" + b"\x00" * 200)


# --- HTML -------------------------------------------------------------------------------


def test_a_web_page_gives_its_article_without_menus_share_buttons_or_footer():
    doc = read_document("p", "p.html", press_page(STATEMENT_KO + STATEMENT_EN))
    assert texts(doc) == ["한미 양자 협력 공동성명", *STATEMENT_KO, *STATEMENT_EN]


def test_a_web_page_states_its_title_author_and_date():
    doc = read_document("p", "p.html", press_page(STATEMENT_KO))
    assert (doc.title, doc.author, doc.date) == (
        "한미 양자 협력 공동성명",
        "외교부 대변인실",
        "2024-05-02",
    )


def test_a_page_fragment_without_an_article_still_gives_its_text():
    doc = read_document("f", "f.htm", "<p>양자 협력 <b>회의</b> 결과</p>".encode())
    assert texts(doc) == ["양자 협력 회의 결과"]


# --- Markdown ---------------------------------------------------------------------------

NOTES_MD = """\
# 양자 협력 회의 메모

첫 회의에서 양국은 공동 연구를 논의하였다.
줄이 바뀌어도 한 문단이다.

## Action items

- draft the joint statement
- invite the research institutes

| 기관 | 역할 |
| --- | --- |
| 과기정통부 | 총괄 |

```
dari search 양자
```
"""


def test_markdown_gives_headings_paragraphs_lists_tables_and_code():
    doc = read_document("m", "m.md", NOTES_MD.encode())
    assert texts(doc) == [
        "양자 협력 회의 메모",
        "첫 회의에서 양국은 공동 연구를 논의하였다. 줄이 바뀌어도 한 문단이다.",
        "Action items",
        "draft the joint statement invite the research institutes",
        "기관 역할",
        "과기정통부 총괄",
        "dari search 양자",
    ]
    assert doc.title == "양자 협력 회의 메모"


def test_markdown_front_matter_gives_the_title():
    data = "---\ntitle: 회의 결과\ndate: 2024-05-02\n---\n\n본문 문단이다.\n".encode()
    doc = read_document("m", "m.markdown", data)
    assert doc.title == "회의 결과" and texts(doc) == ["본문 문단이다."]


# --- what every format shares ------------------------------------------------------------


def test_a_format_without_pages_has_no_page_numbers():
    doc = read_document("p", "p.html", press_page(STATEMENT_KO))
    assert {p.page for p in doc.paragraphs} == {None}


def test_an_empty_file_of_any_format_is_refused():
    for name in ("e.pdf", "e.docx", "e.hwpx", "e.html", "e.md", "e.txt"):
        with pytest.raises(DocumentError, match="empty"):
            read_document("e", name, b"  \n")


def test_a_file_of_an_ending_dari_does_not_read_is_refused():
    with pytest.raises(DocumentError, match="not a format Dari reads"):
        read_document("x", "x.xlsx", b"PK\x03\x04")


# --- any bytes: a document or a DocumentError, never anything else ----------------------

_NAMES = ["x.txt", "x.md", "x.html", "x.pdf", "x.docx", "x.hwpx", "x.hwp"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(_NAMES), data=st.binary(max_size=2000))
def test_any_bytes_under_any_ending_give_a_document_or_a_reason(name, data):
    try:
        doc = read_document("x", name, data)
    except DocumentError as exc:
        assert str(exc)
    else:
        assert doc.paragraphs


@pytest.fixture(scope="module")
def real_files(tmp_path_factory) -> dict[str, bytes]:
    scratch = tmp_path_factory.mktemp("real")
    return {
        "x.pdf": pdf_bytes([STATEMENT_KO, STATEMENT_EN], title="제목"),
        "x.docx": docx_bytes([("Title", "제목"), ("Normal", STATEMENT_KO[0])]),
        "x.hwpx": hangul_bytes(STATEMENT_KO, tmp_dir=scratch),
        "x.hwp": hangul_bytes(STATEMENT_KO, hwp5=True, tmp_dir=scratch),
        "x.html": press_page(STATEMENT_KO),
    }


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(["x.pdf", "x.docx", "x.hwpx", "x.hwp", "x.html"]),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=4),
)
def test_a_damaged_real_file_gives_a_document_or_a_reason(real_files, name, cuts):
    data = bytearray(real_files[name])
    for where, junk in cuts:
        at = int(where * (len(data) - 1))
        data[at : at + len(junk)] = junk
    try:
        read_document("x", name, bytes(data))
    except DocumentError as exc:
        assert str(exc)
