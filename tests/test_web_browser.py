"""The core pages driven in Debian's Chromium (Playwright, headless): sign in, answer a multiple-choice
question and see the grade, take a short mock exam, close the page, resume and hand in. One browser for
the module. Screenshots of every page go to $DLEXAM_SCREENSHOTS (default: the test's temporary folder)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from web_support import CHROMIUM, add_user, browser_sign_in, chromium, make_app, screenshots, served

from dlexam.tasks.registry import family

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
EXAM_SEED = 7


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    app = make_app(folder)
    add_user(app, "ann")
    shots = screenshots(folder / "shots")
    with served(app) as base, chromium() as browser:
        yield base, browser, shots, app


@pytest.fixture
def page(site):
    base, browser, _, _ = site
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    browser_sign_in(page, base, "ann")
    yield page
    context.close()


def _shot(site, page, name: str) -> None:
    page.screenshot(path=str(site[2] / f"{name}.png"), full_page=True)


def test_sign_in(site, page):
    base = site[0]
    assert page.locator("h1").inner_text() == "Hello, ann"
    _shot(site, page, "home")
    page.click("text=Sign out")
    page.wait_for_url(f"{base}/signin")
    page.fill("input[name=name]", "ann")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "do not match" in page.locator(".error").inner_text()
    _shot(site, page, "signin")


def test_multiple_choice(site, page):
    base, seed = site[0], 3
    fam = family("parameters")
    right = fam.solve(fam.generate(seed)).answer_text
    page.goto(f"{base}/practice")
    _shot(site, page, "practice")
    page.goto(f"{base}/practice/parameters/{seed}")
    _shot(site, page, "question")
    page.check(f"form#answer-form input[type=radio][value={right}]")
    page.click("text=Grade my answer")
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    assert page.locator(".score").inner_text() == "1 of 1 points"
    assert page.locator("table.grade td.feedback").first.inner_text().startswith("Right")
    _shot(site, page, "result")
    page.goto(f"{base}/progress")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.progress").inner_text().count("parameters") == 1
    _shot(site, page, "progress")


def test_mock_exam_close_and_resume(site, page):
    from dlexam.exam.plan import plan

    base, _, _, app = site
    tasks = plan(EXAM_SEED).tasks
    first = tasks[0]
    right = family(first.family).solve(family(first.family).generate(first.seed)).answer_text
    page.goto(f"{base}/exam")
    _shot(site, page, "exam-start")
    page.fill("input[name=seed]", str(EXAM_SEED))
    page.fill("input[name=minutes]", "30")
    page.click("text=Start the exam")
    page.wait_for_url(re.compile(rf".*/exam/\d+/task/{re.escape(first.label)}$"))
    exam_id = int(page.url.split("/")[-3])
    assert re.fullmatch(r"(29|30):\d\d left", page.locator("#exam-clock").inner_text())
    for letter in right.split(","):
        page.check(f"form#answer-form input[value={letter}]")
    page.wait_for_selector("#save-status >> text=Saved at")              # saved as entered, no button
    for _ in range(50):                                                  # the last change's save, too
        if app.state.store.exam(exam_id).answers.get(first.label) == right:
            break
        page.wait_for_timeout(100)
    assert app.state.store.exam(exam_id).answers[first.label] == right
    _shot(site, page, "exam-task")

    context = page.context
    page.close()                                                         # the tab is closed
    page = context.new_page()
    page.goto(f"{base}/exam")
    page.click("text=Continue it")
    page.wait_for_url(re.compile(rf".*/task/{re.escape(tasks[1].label)}$"))   # the first unanswered
    assert "answered" in page.locator(f'.exam-bar a[data-label="{first.label}"]').get_attribute("class")
    page.click(f'.exam-bar a[data-label="{first.label}"]')
    assert all(page.locator(f"form#answer-form input[value={letter}]").is_checked() for letter in right.split(","))

    page.click('.exam-bar a[data-label="4"]')                           # the RNN task, for the README
    page.wait_for_load_state("networkidle")
    _shot(site, page, "exam-rnn")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#hand-in-form button")
    page.wait_for_url(f"{base}/exam/{exam_id}/results")
    exam = app.state.store.exam(exam_id)
    assert page.locator(".score").inner_text().startswith(
        f"{exam.total:g} of {exam.points:g} points — grade {exam.german_grade:.1f}")
    assert exam.grades[first.label]["points"] == first.points
    _shot(site, page, "exam-results")
