"""A real Chromium (Debian's, driven by Playwright) against a real `dari serve`."""

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI a skipped browser test is a failure")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


def search_from_home(page, query: str) -> None:
    page.goto("/")
    box = page.locator("input[name=q]")
    assert box.evaluate("el => el === document.activeElement")  # autofocus
    box.fill(query)
    box.press("Enter")
    page.wait_for_url("**/search?**")


def test_korean_query_typed_in_the_box_shows_marked_results(page):
    search_from_home(page, "다자협약체")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["다자협약체"]
    assert page.locator("input[name=q]").input_value() == "다자협약체"
    marks = page.locator(".hit__snippet mark").all_inner_texts()
    assert "다자협약체" in marks
    assert page.locator(".summary__count").inner_text().startswith("3 paragraphs")
    assert page.problems == []


def test_english_phrase_results_click_through_to_the_highlighted_paragraph(page):
    search_from_home(page, '"freedom of inquiry"')
    assert page.locator(".hit__snippet mark").first.inner_text() == "freedom of inquiry"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

    page.locator(".hit__link").first.click()
    page.wait_for_url("**/doc/**")
    assert urlsplit(page.url).fragment == "p22"
    target = page.locator(":target")
    assert target.get_attribute("id") == "p22"
    assert target.get_attribute("lang") == "en"
    assert "freedom of inquiry" in target.locator("mark").all_inner_texts()
    # the targeted paragraph is visibly highlighted; the others are not
    style = "el => getComputedStyle(el).backgroundColor"
    highlighted = target.evaluate(style)
    plain = page.locator("#p21").evaluate(style)
    assert highlighted != plain and plain == "rgba(0, 0, 0, 0)"
    assert target.is_visible() and target.evaluate(
        "el => el.getBoundingClientRect().top < window.innerHeight"
    )
    assert page.problems == []


def test_language_facet_narrows_the_results_to_one_language(page):
    search_from_home(page, "QIST")  # in Korean and English paragraphs
    before = page.locator(".summary__count").inner_text()
    page.locator(".facets a", has_text="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert parse_qs(urlsplit(page.url).query) == {"q": ["QIST"], "lang": ["en"]}
    assert page.locator(".summary__count").inner_text() != before
    metas = page.locator(".hit__meta").all_inner_texts()
    assert metas and all(m.endswith("English") for m in metas)
    assert page.locator('.facets a[aria-current="true"]', has_text="English").count() == 1
    # the chip removes the filter again
    page.locator(".chip", has_text="Language").click()
    page.wait_for_url(re.compile(r"/search\?q=[^&]+$"))
    assert page.locator(".summary__count").inner_text() == before


def test_pagination_moves_through_the_results(page):
    search_from_home(page, "quantum")  # 58 paragraphs with quantum or 양자
    assert "1–10 of 58" in page.locator(".summary__meta").inner_text()
    first_page = page.locator(".hit__link").evaluate_all("links => links.map(a => a.href)")
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert "11–20 of 58" in page.locator(".summary__meta").inner_text()
    assert page.locator(".hit__rank").first.inner_text() == "#11"
    second_page = page.locator(".hit__link").evaluate_all("links => links.map(a => a.href)")
    assert len(second_page) == 10 and not set(first_page) & set(second_page)
    page.locator(".pagination a", has_text="6").click()
    page.wait_for_url(re.compile(r"page=6"))
    assert page.locator('.pagination a[aria-current="page"]').inner_text() == "6"
    assert page.locator("a[rel=next]").count() == 0


def test_did_you_mean_link_runs_the_corrected_query(page):
    page.goto("/search?q=%EC%96%91%EC%9E%90%EA%B8%B0%EC%8A%AC&typo=0")  # 양자기슬, as typed
    page.locator(".suggestion__link").click()
    page.wait_for_url(re.compile(r"q=%EC%96%91%EC%9E%90%EA%B8%B0%EC%88%A0"))
    assert page.locator("input[name=q]").input_value() == "양자기술"
    assert page.locator(".hit").count() > 0


def test_keyboard_first_tab_reaches_the_skip_link_then_the_search_box(page):
    page.goto("/search?q=quantum")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("class") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    assert skip.inner_text() == "Skip to results"
    page.keyboard.press("Enter")
    assert urlsplit(page.url).fragment == "results"
    # the next stop is the first result (the filters come after the results)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.get_attribute("class") in ("hit__link", None)
    assert focused.evaluate("el => !!el.closest('#results')")


def test_side_by_side_view_puts_a_clause_and_its_translation_on_one_line(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/doc/003_f33e5257b7cf7671?view=parallel#p25")
        english, korean = page.locator("#p25"), page.locator("#p46")
        en_box, ko_box = english.bounding_box(), korean.bounding_box()
        assert en_box["x"] + en_box["width"] <= ko_box["x"]  # English left, Korean right
        assert abs(en_box["y"] - ko_box["y"]) < 2  # on the same row
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "document-parallel.png"))
    finally:
        context.close()


@contextmanager
def phone(browser, live_server):
    """A page of a 390×844 phone (a mobile browser) on the live server."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def test_phone_width_pages_do_not_scroll_sideways(browser, live_server):
    with phone(browser, live_server) as page:
        for url in (
            "/",
            "/search?q=quantum+cooperation",
            "/search?q=다자협약체",
            "/doc/003_f33e5257b7cf7671?q=다자협약체#p7",
            "/doc/003_f33e5257b7cf7671?view=parallel#p25",
            "/doc/nope",
        ):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (url, width)
        page.goto("/search?q=quantum+cooperation")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "results-phone.png"))


def test_pages_load_no_outside_resources_and_break_no_csp_rule(page, live_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for url in (
        "/",
        "/search?q=quantum",
        "/doc/003_f33e5257b7cf7671?q=quantum#p3",
        "/doc/003_f33e5257b7cf7671?view=parallel&q=quantum",
    ):
        page.goto(url)
    assert requested and all(
        u.startswith(live_server.url) or u.startswith("data:") for u in requested
    )
    assert not [p for p in page.problems if "Content Security Policy" in p]
    css = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Sans KR" in css


def test_upload_page_adds_a_document_that_is_found_at_once(browser, server_on, tmp_path):
    token = "browser-test-token-1f2e3d"
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    server = server_on(tmp_path / "index", docs=docs, env={"DARI_ADMIN_TOKEN": token})
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/")
        page.locator(".site-footer a", has_text="Add documents").click()
        page.wait_for_url("**/upload")
        assert page.locator("#sign-in-token").get_attribute("type") == "password"
        page.locator("#sign-in-token").fill(token)
        page.locator("button", has_text="Sign in").click()
        page.locator("button", has_text="Sign out").wait_for()  # signed in once: no token below
        assert page.locator("input[type=password]").count() == 0
        text = "Theremin in Seoul\n\nA thereminist played in Seoul.\n\n서울에서 테레민 연주회가 열렸다."
        page.locator("#upload-file").set_input_files(
            files=[{"name": "theremin.txt", "mimeType": "text/plain", "buffer": text.encode()}]
        )
        page.locator("button", has_text="Upload and index").click()
        status = page.locator("[role=status]")
        assert "Added theremin.txt" in " ".join(status.inner_text().split())
        assert token not in page.content()  # the token is not sent back
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upload.png"), full_page=True)

        page.locator("input[name=q]").fill("thereminist")
        page.locator("input[name=q]").press("Enter")
        page.wait_for_url("**/search?**")
        assert page.locator(".hit__snippet mark").first.inner_text() == "thereminist"
        page.locator(".hit__link").first.click()
        page.wait_for_url("**/doc/theremin**")
    finally:
        context.close()
    assert (docs / "theremin.txt").read_text("utf-8") == text


def test_also_searched_link_turns_translations_off(page):
    search_from_home(page, "대전")
    assert "대전 → Daejeon" in page.locator(".expansions").inner_text()
    assert "Daejeon" in page.locator(".hit__snippet mark").all_inner_texts()
    page.locator(".expansions__off").click()
    page.wait_for_url(re.compile(r"xlang=0"))
    assert page.locator(".expansions").count() == 0
    assert page.locator(".summary__count").inner_text().startswith("No results")
    page.locator(".chip", has_text="No translations").click()
    page.wait_for_url(re.compile(r"/search\?q=[^&]+$"))
    assert page.locator(".hit").count() > 0
    assert page.problems == []


# --- search as you type (web/static/suggest.js) ---------------------------------------------


def type_in_box(page, text: str):
    """Type ``text`` key by key into the page's search box (as a person does)."""
    box = page.locator("input[name=q]").first
    box.click()
    box.press_sequentially(text, delay=30)
    return box


def test_typing_a_syllable_being_composed_suggests_the_word_and_shows_results(page):
    page.goto("/")
    box = type_in_box(page, "협ㄹ")
    words = page.locator(".suggest__item--word .suggest__text")
    words.first.wait_for()
    assert words.first.inner_text() == "협력"
    assert box.get_attribute("aria-expanded") == "true"
    result = page.locator(".suggest__item--result").first  # what 협력 finds, live
    result.wait_for()
    assert "협력" in result.locator("mark").all_inner_texts()
    assert page.problems == []


def test_arrow_keys_and_enter_search_the_chosen_suggestion(page):
    page.goto("/")
    box = type_in_box(page, "quan")
    page.locator(".suggest__item--word").first.wait_for()
    box.press("ArrowDown")
    active = page.locator(".suggest [aria-selected=true]")
    assert active.inner_text().startswith("quantum")
    assert box.get_attribute("aria-activedescendant") == active.get_attribute("id")
    box.press("Enter")
    page.wait_for_url("**/search?q=quantum")
    assert page.locator(".hit").count() > 0


def test_escape_closes_the_suggestions(page):
    page.goto("/")
    box = type_in_box(page, "quan")
    listbox = page.locator(".suggest").first
    listbox.wait_for(state="visible")
    box.press("Escape")
    listbox.wait_for(state="hidden")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "quan"


def test_choosing_a_live_result_opens_its_paragraph(page):
    page.goto("/")
    type_in_box(page, '"freedom of inquiry"')
    result = page.locator(".suggest__item--result").first
    result.wait_for()
    assert "freedom of inquiry" in result.locator("mark").all_inner_texts()
    result.click()
    page.wait_for_url("**/doc/**")
    assert urlsplit(page.url).fragment == "p22"


def test_slash_puts_the_cursor_in_the_search_box(page):
    page.goto("/doc/003_f33e5257b7cf7671")
    page.locator("main").click()
    page.keyboard.press("/")
    focused = page.locator(":focus")
    assert focused.get_attribute("name") == "q" and focused.input_value() == ""


def test_a_typo_is_searched_corrected_and_can_be_turned_off(page):
    search_from_home(page, "quantom")
    assert "quantom → quantum (typo)" in page.locator(".expansions").inner_text()
    assert "quantum" in [m.lower() for m in page.locator(".hit__snippet mark").all_inner_texts()]
    page.locator(".expansions__off", has_text="only as typed").click()
    page.wait_for_url(re.compile(r"typo=0"))
    assert page.locator(".summary__count").inner_text().startswith("No results")
    page.locator(".chip", has_text="Only as typed").click()
    page.wait_for_url(re.compile(r"/search\?q=[^&]+$"))
    assert page.locator(".hit").count() > 0
    assert page.problems == []


def test_without_javascript_the_search_box_works_as_a_plain_form(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/")
        box = page.locator("input[name=q]").first
        assert box.get_attribute("role") is None  # no combobox without the script
        box.fill("ㅇㅈ")
        box.press("Enter")
        page.wait_for_url("**/search?**")
        assert "ㅇㅈ → 양자" in page.locator(".expansions").inner_text()
        assert page.locator(".hit").count() > 0
        assert page.locator(".suggest").count() == 0
    finally:
        context.close()


def test_a_pdf_uploaded_on_the_page_is_found_with_its_page_and_opens_there(
    browser, server_on, tmp_path
):
    from tests.files import STATEMENT_EN, STATEMENT_KO, pdf_bytes

    token = "browser-test-token-pdf-77"
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    server = server_on(tmp_path / "index", docs=docs, env={"DARI_ADMIN_TOKEN": token})
    pdf = pdf_bytes(
        [[STATEMENT_KO[0], STATEMENT_EN[0]], ["The thereminist of Seoul played at the summit."]],
        title="Summit programme",
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/upload")
        page.locator("#sign-in-token").fill(token)
        page.locator("button", has_text="Sign in").click()
        page.locator("#upload-file").set_input_files(
            files=[{"name": "summit.pdf", "mimeType": "application/pdf", "buffer": pdf}]
        )
        page.locator("button", has_text="Upload and index").click()
        assert "Added summit.pdf" in " ".join(page.locator("[role=status]").inner_text().split())

        page.locator("input[name=q]").fill("thereminist")
        page.locator("input[name=q]").press("Enter")
        page.wait_for_url("**/search?**")
        hit = page.locator(".hit").first
        assert hit.locator(".hit__page").inner_text() == "p. 2"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pdf-hit.png"), full_page=True)
        hit.locator(".hit__link").click()
        page.wait_for_url(re.compile(r".*/doc/summit\?.*#p3$"))
        assert page.locator(".para:target").inner_text().endswith("played at the summit.")

        page.locator("nav.pages a", has_text="2").click()
        assert page.url.endswith("#page-2")
        assert page.locator(".page-mark:target").inner_text() == "p. 2"
        assert page.locator(".page-mark:target + .para").get_attribute("id") == "p3"
    finally:
        context.close()


def test_a_paragraph_s_link_can_be_copied(browser, live_server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/doc/003_f33e5257b7cf7671#p22")
        button = page.locator("#p22 .para__copy")
        assert button.is_visible()  # the targeted paragraph shows it without hovering
        page.bring_to_front()
        button.click()
        expect(button).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{live_server.url}/doc/003_f33e5257b7cf7671#p22"
    finally:
        context.close()


#: The README's screenshots: (name, address, interface language); taken at both sizes.
SCREENSHOTS = [
    ("results", "/search?q=양자+협력", "en"),
    ("results-ko", "/search?q=quantum+cooperation", "ko"),
    ("document", "/doc/003_f33e5257b7cf7671?q=양자+협력#p7", "en"),
    ("side-by-side", "/doc/003_f33e5257b7cf7671?view=parallel#side-by-side", "ko"),
    ("status", "/status", "en"),
]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
#: Where `DARI_SCREENSHOTS=docs` (read by this test only) writes them for the README.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_pages_at_desktop_and_phone_size_in_both_languages(browser, live_server, size):
    width, height = SIZES[size]
    folder = DOCS_SCREENSHOTS if os.environ.get("DARI_SCREENSHOTS") == "docs" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    for name, url, lang in SCREENSHOTS:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            base_url=live_server.url,
            is_mobile=size == "phone",
            locale="ko-KR" if lang == "ko" else "en-US",
        )
        try:
            page = context.new_page()
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == lang
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, size)
            if name.startswith("results"):
                # the first result is in the upper half of the first screen, before the filters
                top = page.locator(".hit").first.bounding_box()["y"]
                assert top < height / 2, (name, size, top)
            page.screenshot(path=str(folder / f"{name}-{size}.png"))
        finally:
            context.close()


def test_on_a_phone_the_filters_fold_into_one_line_above_the_results(browser, live_server):
    with phone(browser, live_server) as page:
        page.goto("/search?q=quantum+cooperation")
        summary = page.locator(".facets__summary")
        assert summary.is_visible()
        assert not page.locator(".facet__title").first.is_visible()  # folded
        first_hit = page.locator(".hit").first.bounding_box()["y"]
        assert summary.bounding_box()["y"] < first_hit < 844 / 2
        summary.click()
        assert page.locator(".facet__title").first.is_visible()
        page.locator(".facet__list a", has_text="English").first.click()
        page.wait_for_url("**lang=en**")


def test_on_a_wide_screen_the_filters_are_open_beside_the_results(page):
    page.goto("/search?q=quantum+cooperation")
    assert not page.locator(".facets__summary").is_visible()
    assert page.locator(".facet__title").first.is_visible()
    facets, results = (
        page.locator(".facets").bounding_box(),
        page.locator(".results").bounding_box(),
    )
    assert facets["x"] > results["x"] + results["width"] - 1  # to the right


def test_side_by_side_column_heads_stay_in_view_while_reading(page):
    page.goto("/doc/003_f33e5257b7cf7671?view=parallel#side-by-side")
    head = page.locator("#side-by-side")
    assert head.evaluate("el => getComputedStyle(el).position") == "sticky"
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(200)
    assert 0 <= head.bounding_box()["y"] < 5  # still at the top of the screen
