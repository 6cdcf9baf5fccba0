"""Real document files for the tests, written by the libraries that write them.

PDFs come from ReportLab with its built-in Korean CID font (HYSMyeongJo-Medium),
so their text is extracted the way text of real Korean PDFs is; DOCX from
python-docx, HWPX and HWP 5 from python-hwpx.  Every builder returns bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

KOREAN_FONT = "HYSMyeongJo-Medium"

#: Paragraphs of a joint statement, Korean then English, as a press release has them.
STATEMENT_KO = [
    "한국과 미국은 양자 기술 분야에서 공동 연구를 확대하기로 합의하였다. 양국은 인공지능과 "
    "반도체 공급망 협력을 강화하고, 국제표준 협력을 위한 실무협의체를 정례화한다.",
    "양국 정상은 기후변화 대응을 위한 청정에너지 협력을 논의하였으며, 소형모듈원자로 공동 "
    "개발과 수소 경제 협력을 추진하기로 하였다.",
    "양국은 연구자 교류 프로그램을 두 배로 늘리고, 대학과 연구소 사이의 공동 연구 과제를 "
    "매년 선정하여 지원하기로 하였다.",
]
STATEMENT_EN = [
    "The two countries agreed to expand joint research in quantum technology and to "
    "strengthen cooperation on semiconductor supply chains and artificial intelligence.",
    "The leaders discussed clean energy cooperation to respond to climate change, including "
    "the joint development of small modular reactors and hydrogen economy projects.",
    "Both countries will double their researcher exchange programmes and select joint research "
    "projects between universities and institutes every year.",
]


def pdf_bytes(
    pages: Sequence[Sequence[str]],
    *,
    title: str = "",
    author: str = "",
    header: str = "",
    page_numbers: bool = True,
    encrypt: str | None = None,
) -> bytes:
    """A PDF with ``pages`` (each a list of paragraphs, Korean and English in one font),
    an optional running header, "- n -" page numbers and a user password."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_FONT))
    body = ParagraphStyle("body", fontName=KOREAN_FONT, fontSize=11, leading=16, spaceAfter=8)

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(KOREAN_FONT, 9)
        if header:
            canvas.drawString(72, A4[1] - 40, header)
        if page_numbers:
            canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")
        canvas.restoreState()

    story: list = []
    for i, paragraphs in enumerate(pages):
        if i:
            story.append(PageBreak())
        story.extend(Paragraph(text, body) for text in paragraphs)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author=author, encrypt=encrypt)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def lines_pdf_bytes(lines: Sequence[str], size: float = 11, pitch: float = 15) -> bytes:
    """A one-page PDF of ``lines`` drawn one under another, as a typesetter broke them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_FONT))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont(KOREAN_FONT, size)
    y = A4[1] - 100
    for line in lines:
        if line:
            c.drawString(72, y, line)
        y -= pitch
    c.showPage()
    c.save()
    return out.getvalue()


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF of images only, as a scanner writes it: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n in range(pages):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for y in range(60, 760, 24):
            draw.line((40, y, 560, y), fill=0, width=3)  # lines of "print"
        draw.text((40, 20), f"page {n + 1}", fill=0)
        c.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        c.showPage()
    c.save()
    return out.getvalue()


def docx_bytes(
    blocks: Sequence[tuple[str, str]],
    *,
    title: str = "",
    author: str = "",
    table: Sequence[Sequence[str]] = (),
) -> bytes:
    """A DOCX of ``(style, text)`` blocks ("Title", "Heading 1", "Normal") and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for style, text in blocks:
        if style.startswith("Heading"):
            document.add_heading(text, level=int(style.split()[-1]))
        else:
            document.add_paragraph(text, style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
        document.add_paragraph("표 다음 문단: 협력 사업은 매년 점검한다.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def hangul_bytes(
    paragraphs: Sequence[str],
    *,
    title: str = "",
    author: str = "",
    table: Sequence[Sequence[str]] = (),
    hwp5: bool = False,
    tmp_dir=None,
) -> bytes:
    """An HWPX file (or, with ``hwp5``, an HWP 5 binary file) of ``paragraphs`` and a table."""
    from hwpx import HwpxDocument

    document = HwpxDocument.new()
    document.package.set_document_metadata(title=title or None, creator=author or None)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(len(table), len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.set_cell_text(r, c, text)
    assert tmp_dir is not None, "python-hwpx saves to a path"
    path = tmp_dir / ("out.hwp" if hwp5 else "out.hwpx")
    document.save_to_path(str(path))
    return path.read_bytes()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


PRESS_PAGE = """<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8">
<title>한미 양자 협력 공동성명 | 외교부</title>
<meta name="author" content="외교부 대변인실">
<meta property="article:published_time" content="2024-05-02T10:00:00+09:00">
</head><body>
<a href="#content">본문 바로가기</a>
<header><nav><ul><li><a href="/">홈</a></li><li><a href="/news">뉴스</a></li>
<li><a href="/press">보도자료</a></li><li><a href="/policy">정책 브리핑</a></li></ul></nav>
<form class="search"><input name="q"><button>검색</button></form></header>
<div class="location">홈 &gt; 알림·소식 &gt; 보도자료</div>
<main id="content"><article>
<h1>한미 양자 협력 공동성명</h1>
<div class="share"><a href="#">페이스북 공유</a> <a href="#">트위터 공유</a> <a href="#">인쇄하기</a></div>
{body}
</article></main>
<aside><h3>많이 본 뉴스</h3><ul><li><a href="/a">장관 동정 일정 안내</a></li>
<li><a href="/b">재외국민 안전 공지사항</a></li></ul></aside>
<footer><p>(03172) 서울특별시 종로구 사직로8길 60 외교부 대표전화 02-2100-2114</p>
<p>Copyright © Ministry of Foreign Affairs. All rights reserved.</p></footer>
</body></html>
"""


def press_page(paragraphs: Sequence[str]) -> bytes:
    """A saved ministry press-release page: the paragraphs amid navigation, share buttons,
    a sidebar and a footer."""
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return PRESS_PAGE.format(body=body).encode("utf-8")


def dated_page(title: str, date: str, paragraphs: Sequence[str]) -> bytes:
    """A small saved web page that states its publication ``date`` (YYYY-MM-DD)."""
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{date}T09:00:00+09:00">'
        f"</head><body><main><article><h1>{title}</h1>{body}</article></main></body></html>"
    ).encode()


#: A word every document of :func:`write_dated_documents` holds.
DATED_WORD = "marimba"


def write_dated_documents(docs) -> None:
    """Documents stating different dates (and one without): for newest-first order."""
    words = "The marimba ensemble toured the provinces with new arrangements for the season."
    second = "After the tour the marimba players rested for a week in Daegu and in Busan."
    (docs / "a-old.html").write_bytes(dated_page("Old tour", "2021-03-04", [words, second]))
    (docs / "b-new.html").write_bytes(dated_page("New tour", "2024-11-02", [words]))
    (docs / "c-undated.txt").write_text(f"Undated notes\n\n{words}\n", "utf-8")
    (docs / "d-middle.html").write_bytes(dated_page("Middle tour", "2023-01-15", [words]))
