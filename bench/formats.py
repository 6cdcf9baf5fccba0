"""Reading PDF and HTML: the libraries Dari could use, compared on the seeds' own text.

``python -m bench.formats [--repeat 3] [--out bench/results]``

**PDF.** The seeds' paragraphs (40 characters or more; Korean and English) are
typeset by ReportLab with its Korean CID font into one PDF with a running header
and page numbers, as a ministry's press release is printed, and read back by
Dari's reader (PDFium through ``pypdfium2``, paragraphs rebuilt from lines), by
``pypdf`` and by ``pdfminer.six`` (its layout analysis).  For each: seconds per
page (best of ``--repeat``), the share of the source paragraphs found verbatim in
its text (whitespace aside: characters, Korean, reading order), the share found
as whole paragraphs, and how many headers and page numbers were left in.

**HTML.** Each seed's paragraphs are put into two saved-page layouts: one with
HTML5's ``<nav>``, ``<header>``, ``<aside>`` and ``<footer>``, and one built of
``<div>``s as Korean government and news sites' CMSs write them (a global menu, a
side menu, share buttons, related articles, a footer, none of them tagged as
such).  Compared: trafilatura (Dari's reader), rules over tag names (the
reader's fallback for fragments) and the whole text of the body.  For each: the
share of the paragraphs found, the share of the page furniture's lines left in,
and milliseconds per page.

``pypdf`` and ``pdfminer.six`` are benchmark anchors only (extra ``bench``), not
product dependencies.  Results go to ``bench/results/`` as JSON and markdown.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench.measure import loadavg
from bench.run import RESULTS, SEEDS, git_describe, log, machine, save_and_print
from search.documents import Document, load_folder, read_document
from tests.files import pdf_bytes

HEADER = "외교부 보도자료 Ministry of Foreign Affairs Press Release"
MIN_CHARS = 40


def seed_documents() -> list[Document]:
    return [d for d in load_folder(SEEDS) if isinstance(d, Document)]


def normalised(text: str) -> str:
    return "".join(text.split())


# --- PDF ---------------------------------------------------------------------------------


def read_dari(data: bytes) -> tuple[str, list[str]]:
    doc = read_document("bench", "bench.pdf", data)
    paragraphs = [p.text for p in doc.paragraphs]
    return " ".join(paragraphs), paragraphs


def read_pypdf(data: bytes) -> tuple[str, list[str]]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages), []


def read_pdfminer(data: bytes) -> tuple[str, list[str]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    boxes = [
        " ".join(element.get_text().split())
        for page in extract_pages(io.BytesIO(data))
        for element in page
        if isinstance(element, LTTextContainer)
    ]
    return "\n".join(boxes), boxes


PDF_READERS: dict[str, Callable[[bytes], tuple[str, list[str]]]] = {
    "Dari (pypdfium2, paragraphs rebuilt)": read_dari,
    "pypdf": read_pypdf,
    "pdfminer.six (layout analysis)": read_pdfminer,
}


def measure_pdf(docs: list[Document], repeat: int) -> dict[str, Any]:
    source = [p.text for d in docs for p in d.paragraphs if len(p.text) >= MIN_CHARS]
    data = pdf_bytes([[escape(t) for t in source]], header=HEADER)
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(data))
    wanted = [normalised(t) for t in source]
    rows = []
    for name, reader in PDF_READERS.items():
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            text, paragraphs = reader(data)
            best = min(best, time.perf_counter() - started)
        flat = normalised(text)
        whole = {normalised(p) for p in paragraphs}
        rows.append(
            {
                "reader": name,
                "ms_per_page": round(1000 * best / pages, 2),
                "verbatim": round(sum(w in flat for w in wanted) / len(wanted), 4),
                "whole_paragraphs": round(sum(w in whole for w in wanted) / len(wanted), 4)
                if paragraphs
                else None,
                "headers_left": flat.count(normalised(HEADER)),
                "page_numbers_left": sum(f"-{n}-" in flat for n in range(1, pages + 1)),
            }
        )
        log(f"pdf {name}: {rows[-1]}")
    return {"paragraphs": len(source), "pages": pages, "bytes": len(data), "rows": rows}


# --- HTML --------------------------------------------------------------------------------

FURNITURE = [
    "본문 바로가기",
    "주요 메뉴 보도자료 정책 브리핑 장관 동정 외교 일정",
    "통합 검색 검색어를 입력하세요",
    "홈 알림·소식 보도자료",
    "페이스북 공유 트위터 공유 카카오톡 공유 인쇄하기 URL 복사",
    "이 페이지에 대한 만족도를 평가해 주세요 매우 만족 만족 보통 불만족",
    "관련 기사 장관, 재외국민 안전 점검 회의 주재 제2차 한-아세안 협력 기금 공모 안내",
    "많이 본 뉴스 재외공관 민원 안내 여권 발급 절차 변경",
    "(03172) 서울특별시 종로구 사직로8길 60 외교부 대표전화 02-2100-2114",
    "Copyright © Ministry of Foreign Affairs. All rights reserved.",
    "개인정보처리방침 저작권 정책 이용약관 누리집 안내",
]


def semantic_page(title: str, paragraphs: list[str]) -> str:
    f = [escape(x) for x in FURNITURE]
    body = "\n".join(f"<p>{escape(t)}</p>" for t in paragraphs)
    return f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>{escape(title)} | 외교부</title></head><body>
<a href="#content" class="skip">{f[0]}</a>
<header><nav aria-label="주요 메뉴"><p>{f[1]}</p></nav>
<form role="search"><label>{f[2]}</label><input name="q"></form></header>
<nav class="breadcrumb"><p>{f[3]}</p></nav>
<main id="content"><article><h1>{escape(title)}</h1>
<div class="share"><a href="#">{f[4]}</a></div>
{body}
<section class="survey"><p>{f[5]}</p></section>
</article></main>
<aside><p>{f[6]}</p><p>{f[7]}</p></aside>
<footer><p>{f[8]}</p><p>{f[9]}</p><p>{f[10]}</p></footer></body></html>"""


def div_page(title: str, paragraphs: list[str]) -> str:
    f = [escape(x) for x in FURNITURE]
    body = "<br><br>\n".join(escape(t) for t in paragraphs)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(title)}</title></head><body>
<div id="skipNav"><a href="#contents">{f[0]}</a></div>
<div id="header"><div class="gnb"><ul><li><a href="#">{f[1]}</a></li></ul></div>
<div class="top_search"><span>{f[2]}</span><input type="text"></div></div>
<div id="container"><div class="snb"><ul><li><a href="#">{f[6]}</a></li></ul></div>
<div id="contents"><div class="location">{f[3]}</div>
<div class="board_view"><div class="view_tit">{escape(title)}</div>
<div class="sns_area"><a href="#">{f[4]}</a></div>
<div class="view_con">{body}</div>
<div class="satisfaction">{f[5]}</div></div>
<div class="best_news"><div class="tit">{f[7]}</div></div></div></div>
<div id="footer"><div class="addr">{f[8]}</div><div class="copy">{f[9]}</div>
<div class="policy">{f[10]}</div></div></body></html>"""


def html_trafilatura(data: bytes) -> str:
    doc = read_document("bench", "bench.html", data)
    return " ".join(p.text for p in doc.paragraphs)


def html_tag_rules(data: bytes) -> str:
    from search.formats.base import Extracted
    from search.formats.html import _fallback

    out = Extracted(blocks=[])
    _fallback(out, data)
    return " ".join(b.text for b in out.blocks)


def html_body_text(data: bytes) -> str:
    import lxml.html

    root = lxml.html.document_fromstring(data.decode("utf-8"))
    return root.find("body").text_content()


HTML_READERS: dict[str, Callable[[bytes], str]] = {
    "Dari (trafilatura)": html_trafilatura,
    "rules over tag names (the reader's fallback)": html_tag_rules,
    "whole body text": html_body_text,
}


def measure_html(docs: list[Document], repeat: int) -> dict[str, Any]:
    pages = []
    for doc in docs:
        paragraphs = [p.text for p in doc.paragraphs if len(p.text) >= MIN_CHARS]
        for layout in (semantic_page, div_page):
            pages.append((layout.__name__, paragraphs, layout(doc.title, paragraphs).encode()))
    furniture = [normalised(x) for x in FURNITURE]
    rows = []
    for name, reader in HTML_READERS.items():
        for layout in ("semantic_page", "div_page"):
            found = wanted = leaked = 0
            best = float("inf")
            chosen = [(p, d) for lay, p, d in pages if lay == layout]
            for _ in range(repeat):
                started = time.perf_counter()
                texts = [reader(data) for _, data in chosen]
                best = min(best, time.perf_counter() - started)
            for (paragraphs, _), text in zip(chosen, texts, strict=True):
                flat = normalised(text)
                found += sum(normalised(p) in flat for p in paragraphs)
                wanted += len(paragraphs)
                leaked += sum(f in flat for f in furniture)
            rows.append(
                {
                    "reader": name,
                    "layout": "HTML5 landmarks" if layout == "semantic_page" else "div-only CMS",
                    "paragraphs_found": round(found / wanted, 4),
                    "furniture_left": round(leaked / (len(furniture) * len(chosen)), 4),
                    "ms_per_page": round(1000 * best / len(chosen), 2),
                }
            )
            log(f"html {rows[-1]}")
    return {"pages": len(pages), "rows": rows}


def render(results: dict[str, Any]) -> str:
    pdf, html = results["pdf"], results["html"]
    lines = [
        f"# Reading PDF and HTML — {results['when']} at {results['commit']}",
        "",
        f"Machine: {results['machine']}; load average before: {results['load_before']}, "
        f"after: {results['load_after']}.",
        "",
        f"PDF: {pdf['paragraphs']} seed paragraphs on {pdf['pages']} pages "
        f"({pdf['bytes']:,} bytes), best of {results['repeat']}.",
        "",
        "| reader | ms per page | paragraphs verbatim | as whole paragraphs | headers left | page numbers left |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in pdf["rows"]:
        whole = "–" if r["whole_paragraphs"] is None else f"{r['whole_paragraphs']:.1%}"
        lines.append(
            f"| {r['reader']} | {r['ms_per_page']:.2f} | {r['verbatim']:.1%} | {whole} | "
            f"{r['headers_left']} | {r['page_numbers_left']} |"
        )
    lines += [
        "",
        f"HTML: {html['pages']} pages (each seed in two layouts), best of {results['repeat']}.",
        "",
        "| reader | layout | paragraphs found | furniture lines left | ms per page |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in html["rows"]:
        lines.append(
            f"| {r['reader']} | {r['layout']} | {r['paragraphs_found']:.1%} | "
            f"{r['furniture_left']:.1%} | {r['ms_per_page']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.formats", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    docs = seed_documents()
    results: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "commit": git_describe(),
        "machine": machine(),
        "repeat": args.repeat,
        "load_before": loadavg(),
    }
    results["pdf"] = measure_pdf(docs, args.repeat)
    results["html"] = measure_html(docs, args.repeat)
    results["load_after"] = loadavg()
    return save_and_print(args.out, "formats", results, render)


if __name__ == "__main__":
    raise SystemExit(main())
