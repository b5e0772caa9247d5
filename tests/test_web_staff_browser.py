"""The staff's pages in Debian's Chromium (Playwright, headless): staff opens the class results from the
nav, sees the item analysis with numpy's statistics, the flagged answer, uploads a batch of code and
watches it graded live, and opens the downloads page. Screenshots of every staff page go to
$DLEXAM_SCREENSHOTS (default: the test's temporary folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_staff_analysis import EXAM_SEED, build_class, expected_place
from web_support import CHROMIUM, add_user, browser_sign_in, chromium, make_app, screenshots, served

from dlexam.tasks.registry import family

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

SUBMISSIONS = Path(__file__).resolve().parent / "submissions"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("staff-browser")
    app = make_app(folder)
    records = build_class(app.state.store, students=8)
    add_user(app, "prof", staff=True)
    shots = screenshots(folder / "shots")
    with served(app) as base, chromium() as browser:
        yield base, browser, shots, records


@pytest.fixture
def page(site):
    base, browser, _, _ = site
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text else None)
    page.on("response", lambda response: page.errors.append(f"{response.status} {response.url}")
            if response.status > 400 and not response.url.endswith("/favicon.ico") else None)
    browser_sign_in(page, base, "prof")
    yield page
    assert page.errors == []          # no script error, no CSP violation, no missing file
    context.close()


def _shot(site, page, name: str) -> None:
    page.screenshot(path=str(site[2] / f"staff_{name}.png"), full_page=True)


def test_staff_sees_the_class_results_and_the_item_analysis(site, page):
    base, _, _, records = site
    page.click("header.top nav >> text=Staff")
    page.wait_for_url(f"{base}/staff")
    assert page.locator("h1").inner_text() == "Class results"
    assert "8 handed in by 8 students" in page.locator("main").inner_text()
    _shot(site, page, "class_results")
    page.click(".staff-nav >> text=Item analysis")
    page.select_option("select[name=seed]", str(EXAM_SEED))
    page.click("form.actions button")
    page.wait_for_url(f"{base}/staff/items?seed={EXAM_SEED}")
    for label in ("1.1", "2", "4"):
        _, r, d = expected_place(records, label)
        row = page.locator(f'#places tr[data-label="{label}"]')
        assert row.locator("td.r").inner_text() == f"{r:.2f}"
        assert row.locator("td.d").inner_text() == f"{d:.2f}"
    page.click("details.place-options summary >> nth=1")      # place 1.2's options
    assert page.locator("details.place-options").nth(1).locator("tr.correct").is_visible()
    _shot(site, page, "item_analysis")


def test_staff_sees_the_answer_that_needs_a_human_look(site, page):
    base = site[0]
    page.goto(f"{base}/staff/flagged")
    assert "both claimed and denied" in page.locator("table.flagged").inner_text()
    _shot(site, page, "flagged")
    page.click("table.flagged a[href^='/staff/attempts/']")
    page.wait_for_url(f"{base}/staff/attempts/*")
    assert "s00" in page.locator("h1").inner_text()
    _shot(site, page, "flagged_answer")


def test_staff_uploads_a_batch_and_watches_it_graded(site, page):
    """A .txt is refused with one sentence (400, the page again); then two fast-failing files (a syntax error; a file without
    the attack function) are queued, and the batch's page fills in as they are graded."""
    base = site[0]
    page.goto(f"{base}/staff/uploads")
    page.set_input_files("input[name=files]", files=[{"name": "notes.txt", "mimeType": "text/plain",
                                                     "buffer": b"not code"}])
    page.click("text=Upload and grade")
    assert page.locator("p.error").inner_text() == "Only Python files (.py) are graded; 'notes.txt' is not one."
    _shot(site, page, "upload_refused")
    page.select_option("select[name=family]", "adversarial")
    page.set_input_files("input[name=files]", [str(SUBMISSIONS / "colorize" / "syntax_error.py"),
                                               str(SUBMISSIONS / "inpaint" / "seed_crash.py")])
    page.click("text=Upload and grade")
    page.wait_for_url(f"{base}/staff/uploads/upload-*")
    page.wait_for_selector('#batch[data-finished="yes"]', timeout=120_000)
    assert page.locator(".state").inner_text() == "all graded"
    rows = page.locator("table.files tbody tr")
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())] == \
        ["syntax_error.py", "seed_crash.py"]
    for i in range(2):
        assert rows.nth(i).locator(".points").inner_text() == f"0 / {family('adversarial').points:g}"
        assert rows.nth(i).locator(".status").inner_text() == "done"
    assert "does not parse" in rows.nth(0).locator(".note").inner_text()
    assert page.locator('[data-count="done"]').inner_text() == "2"
    assert page.locator('[data-count="queued"]').inner_text() == "0"
    _shot(site, page, "upload_batch")
    page.click("table.files >> text=syntax_error.py")
    page.wait_for_url(f"{base}/staff/submissions/*")
    assert "does not parse" in page.locator("p.error").inner_text()
    assert "def train(X, model)" in page.locator("pre").inner_text()
    _shot(site, page, "submission")
    page.goto(f"{base}/staff/uploads")
    _shot(site, page, "uploads")


def test_staff_sees_the_downloads_page_and_a_bad_parameter(site, page):
    base = site[0]
    page.goto(f"{base}/staff/downloads")
    assert page.locator("h1").inner_text() == "Paper sheets and exports"
    _shot(site, page, "downloads")
    page.fill("form[action='/staff/paper'] input[name=seed]", "twelve")
    page.click("form[action='/staff/paper'] button")
    assert page.locator("p.error").inner_text() == \
        "The exam seed is a whole number from 0 to 4294967295, not 'twelve'."
    assert page.input_value("form[action='/staff/paper'] input[name=seed]") == "twelve"     # kept to correct
    _shot(site, page, "downloads_error")
