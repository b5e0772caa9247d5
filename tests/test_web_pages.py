"""The pages over HTTP: practice (question, grade, result), the mock exam (save as entered, resume, hand
in), results and progress — and that a student sees only their own, and no key before hand-in."""

from __future__ import annotations

import html
import re

import pytest
from web_support import HTML, add_user, client, csrf_of, make_app, sign_in

from dlexam.tasks.registry import family

EXAM_SEED = 7


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("web"))
    add_user(app, "ann")
    add_user(app, "bob")
    return app


@pytest.fixture
def ann(app):
    with client(app) as http:
        http.headers.update(HTML)
        http.csrf = sign_in(http, "ann")
        yield http


@pytest.fixture
def bob(app):
    with client(app) as http:
        http.headers.update(HTML)
        http.csrf = sign_in(http, "bob")
        yield http


def _key(name: str, seed: int) -> str:
    fam = family(name)
    return fam.solve(fam.generate(seed)).answer_text


def _leaks(name: str, seed: int, page: str) -> list[str]:
    """What of the worked solution stands on `page`: its answer as typed (unless a bare option letter,
    which any page holds) and its explaining steps."""
    fam = family(name)
    solution = fam.solve(fam.generate(seed))
    shown = html.unescape(page)
    secrets = [solution.answer_text] * (len(solution.answer_text) > 3) + [s for s in solution.steps if len(s) > 25]
    return [secret for secret in secrets if secret in shown]


def _answer(http, name: str, seed: int, text: str):
    return http.post(f"/practice/{name}/{seed}", data={"csrf": http.csrf, "answer": text}, follow_redirects=False)


@pytest.mark.parametrize("name", ["pieces", "rnn", "gradient-bound", "hessian"])
def test_the_question_page_holds_no_key(ann, name):
    seed = 11
    page = ann.get(f"/practice/{name}/{seed}")
    assert page.status_code == 200 and family(name).title in html.unescape(page.text)
    assert _key(name, seed) not in page.text and _leaks(name, seed, page.text) == []


def test_the_key_graded_full_marks_and_the_result_page_explains(ann):
    response = _answer(ann, "pieces", 5, _key("pieces", 5))
    assert response.status_code == 303
    result = ann.get(response.headers["location"])
    points = family("pieces").points
    assert f"{points:g} of {points:g} points" in result.text
    assert "Worked solution" in result.text and '<img src="/attempts/' in result.text
    picture = ann.get(re.search(r'<img src="(/attempts/\d+/picture)"', result.text).group(1))
    assert picture.status_code == 200 and picture.headers["content-type"] in ("image/png", "image/svg+xml")


def test_a_wrong_choice_earns_less_and_says_why(ann):
    fam = family("parameters")
    variant = fam.generate(3)
    right = fam.solve(variant).answer_text
    wrong = next(letter for letter in "abcd" if letter != right)
    result = ann.get(_answer(ann, "parameters", 3, wrong).headers["location"])
    assert "0 of 1 points" in result.text
    assert "<td>choice</td>" in result.text


def test_an_unreadable_answer_is_said_and_kept(ann):
    page = _answer(ann, "pieces", 5, "nonsense")
    assert page.status_code == 400 and "nonsense" in page.text and 'class="error"' in page.text


def test_someone_elses_attempt_is_not_found(ann, bob):
    location = _answer(ann, "parameters", 4, "a").headers["location"]
    assert ann.get(location).status_code == 200
    theirs, missing = bob.get(location), bob.get("/attempts/999999")
    assert theirs.status_code == missing.status_code == 404
    assert bob.get(location + "/picture").status_code == 404
    assert location not in bob.get("/results").text and location in ann.get("/results").text
    assert "No attempts yet" in bob.get("/progress").text and "parameters" in ann.get("/progress").text


def test_progress_page_and_plot(ann):
    _answer(ann, "parameters", 8, "a")
    page = ann.get("/progress")
    assert page.status_code == 200 and "parameters" in page.text and "/progress/plot.svg" in page.text
    plot = ann.get("/progress/plot.svg")
    assert plot.status_code == 200 and plot.text.lstrip().startswith("<?xml") and "<svg" in plot.text


def test_practice_choices(ann):
    page = ann.get("/practice")
    assert "/practice/next?task=2" in page.text and "/practice/next?topic=" in page.text
    by_task = ann.get("/practice/next?task=2", follow_redirects=False)
    assert re.fullmatch(r"/practice/pieces/\d+", by_task.headers["location"])
    topic = re.search(r'/practice/next\?topic=([^"]+)"', page.text).group(1)
    on_topic = ann.get(f"/practice/next?topic={topic}", follow_redirects=False).headers["location"]
    seed = int(on_topic.rsplit("/", 1)[1])
    from urllib.parse import unquote
    assert family("concepts").generate(seed).data["subject"] == unquote(topic)
    due = ann.get("/practice/next", follow_redirects=False)
    assert due.headers["location"].startswith("/practice/")


def test_the_mock_exam(app, ann, bob):
    from dlexam.exam.plan import plan

    start = ann.post("/exam/start", data={"csrf": ann.csrf, "seed": str(EXAM_SEED), "minutes": "30"},
                     follow_redirects=False)
    first = start.headers["location"]
    exam_id = int(first.split("/")[2])
    tasks = plan(EXAM_SEED).tasks
    assert first == f"/exam/{exam_id}/task/{tasks[0].label}"

    # Every task's page: the question, and never its key.
    for task in tasks:
        page = ann.get(f"/exam/{exam_id}/task/{task.label}")
        assert page.status_code == 200 and f"Task {task.label}" in page.text
        assert _leaks(task.family, task.seed, page.text) == [], task.label
    # A question of the open exam cannot be practised (its key would show after grading).
    assert ann.get(f"/practice/{tasks[1].family}/{tasks[1].seed}").status_code == 404

    # Saved as entered (fetch with the CSRF header), then resumed from another session.
    right = _key(tasks[0].family, tasks[0].seed)
    saved = ann.post(f"/exam/{exam_id}/answer", json={"label": tasks[0].label, "text": right},
                     headers={"X-CSRF-Token": ann.csrf})
    assert saved.status_code == 200 and saved.json()["saved"] and saved.json()["problem"] is None
    ann.post(f"/exam/{exam_id}/task/{tasks[1].label}", data={"csrf": ann.csrf, "answer": "z", "go": "next"})
    with client(app) as again:
        again.headers.update(HTML)
        sign_in(again, "ann")
        resumed = again.get(f"/exam/{exam_id}", follow_redirects=False).headers["location"]
        assert resumed == f"/exam/{exam_id}/task/{tasks[2].label}"        # the first unanswered
        shown = again.get(f"/exam/{exam_id}/task/{tasks[0].label}").text
        assert f'value="{right}"' in shown

    # Nobody else's, and no results (with keys) before the hand-in.
    other_token = bob.csrf
    for url in (f"/exam/{exam_id}", f"/exam/{exam_id}/task/{tasks[0].label}", f"/exam/{exam_id}/results",
                f"/exam/{exam_id}/picture/2"):
        assert bob.get(url, follow_redirects=False).status_code == 404, url
    assert bob.post(f"/exam/{exam_id}/answer", json={"label": tasks[0].label, "text": "b"},
                    headers={"X-CSRF-Token": other_token}).status_code == 404
    assert bob.post(f"/exam/{exam_id}/hand-in", data={"csrf": other_token}).status_code == 404
    assert ann.get(f"/exam/{exam_id}/results").status_code == 404

    done = ann.post(f"/exam/{exam_id}/hand-in", data={"csrf": ann.csrf}, follow_redirects=False)
    assert done.headers["location"] == f"/exam/{exam_id}/results"
    results = ann.get(done.headers["location"]).text
    exam = app.state.store.exam(exam_id)
    assert exam.grades[tasks[0].label]["points"] == tasks[0].points        # the key earned the full points
    assert exam.grades[tasks[1].label]["points"] == 0
    assert f"{exam.total:g} of {exam.points:g} points — grade {exam.german_grade:.1f}" in results
    assert _key(tasks[3].family, tasks[3].seed) in html.unescape(results)  # keys after the hand-in
    assert bob.get(f"/exam/{exam_id}/results").status_code == 404
    after = ann.post(f"/exam/{exam_id}/answer", json={"label": tasks[0].label, "text": "b"},
                     headers={"X-CSRF-Token": ann.csrf})
    assert after.status_code == 409 and app.state.store.exam(exam_id).answers[tasks[0].label] == right


def test_code_answers_are_typed_not_file_names(app, ann):
    start = ann.post("/exam/start", data={"csrf": ann.csrf, "seed": "3", "minutes": "30"}, follow_redirects=False)
    exam_id = int(start.headers["location"].split("/")[2])
    from dlexam.exam.plan import plan
    code = next(t for t in plan(3).tasks if t.task == 5)
    response = ann.post(f"/exam/{exam_id}/answer", json={"label": code.label, "text": __file__},
                        headers={"X-CSRF-Token": ann.csrf})
    assert response.status_code == 400 and "code itself" in response.json()["problem"]
    typed = ann.post(f"/exam/{exam_id}/answer", json={"label": code.label, "text": "import torch\n"},
                     headers={"X-CSRF-Token": ann.csrf})
    assert typed.json()["saved"]
    # Saved as typed, not yet sent to the sandbox (that waits for the student to move on or hand in).
    assert app.state.exams[exam_id].code_state(code.label) == "none"
    assert app.state.store.exam(exam_id).answers[code.label] == "import torch\n"
    ann.post(f"/exam/{exam_id}/hand-in", data={"csrf": ann.csrf})     # graded at hand-in (it does not parse)


def test_csrf_token_is_on_every_form(ann):
    for url in ("/", "/practice", "/practice/concepts/2", "/exam", "/results", "/progress"):
        text = ann.get(url).text
        forms = text.count("<form")
        assert forms and text.count(f'name="csrf" value="{csrf_of(text)}"') == forms, url


def test_at_the_deadline_the_exam_is_handed_in(app, ann):
    from datetime import timedelta

    start = ann.post("/exam/start", data={"csrf": ann.csrf, "seed": "5", "minutes": "1"}, follow_redirects=False)
    task_url = start.headers["location"]
    exam_id = int(task_url.split("/")[2])
    label = task_url.rsplit("/", 1)[1]
    assert ann.post(f"/exam/{exam_id}/answer", json={"label": label, "text": "a"},
                    headers={"X-CSRF-Token": ann.csrf}).json()["saved"]
    session = app.state.exams[exam_id]
    later = session.exam.deadline + timedelta(seconds=1)
    session.store.clock = lambda: later                      # a minute and a second on
    late = ann.post(f"/exam/{exam_id}/answer", json={"label": label, "text": "b"},
                    headers={"X-CSRF-Token": ann.csrf})
    assert late.status_code == 409 and late.json()["handed_in"]
    exam = app.state.store.exam(exam_id)
    assert exam.handed_in is not None and exam.answers[label] == "a"
    assert ann.get(task_url, follow_redirects=False).headers["location"] == f"/exam/{exam_id}/results"


@pytest.mark.parametrize("name", ["adversarial", "colorize"])
def test_practice_code_is_never_read_from_a_server_file(ann, name, tmp_path):
    secret = tmp_path / "server_secret.py"
    secret.write_text("def adversarial(x, t, model):\n    return x  # SERVER SECRET\n")
    page = _answer(ann, name, 1, str(secret))
    assert page.status_code == 400 and "code itself" in page.text and "SERVER SECRET" not in page.text


def test_an_answer_too_long_is_refused_unsaved(ann):
    page = _answer(ann, "pieces", 6, "x" * 200_001)
    assert page.status_code == 413 and "at most" in page.text


@pytest.mark.slow
def test_practice_code_is_queued_then_graded(ann, bob):
    import time

    source = "def adversarial(x, t, model):\n    raise ValueError('not yet')\n"
    queued = _answer(ann, "adversarial", 2, source)
    waiting = queued.headers["location"]
    assert queued.status_code == 303 and waiting.startswith("/practice/code/")
    assert bob.get(waiting).status_code == 404
    deadline = time.monotonic() + 240
    while (step := ann.get(waiting, follow_redirects=False)).status_code == 200:
        assert "Grading your code" in step.text and time.monotonic() < deadline
        time.sleep(1)
    result = ann.get(step.headers["location"])
    assert result.status_code == 200 and "of 10 points" in result.text and "ValueError" in html.unescape(result.text)
    again = ann.get(waiting, follow_redirects=False).headers["location"]
    assert again == step.headers["location"]                  # one attempt per submission


def test_two_hand_ins_at_once_hand_in_once(app, ann):
    from concurrent.futures import ThreadPoolExecutor

    start = ann.post("/exam/start", data={"csrf": ann.csrf, "seed": "9", "minutes": "30"}, follow_redirects=False)
    exam_id = int(start.headers["location"].split("/")[2])
    ann.get(start.headers["location"])
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: ann.post(f"/exam/{exam_id}/hand-in", data={"csrf": ann.csrf},
                                                   follow_redirects=False), range(2)))
    assert [a.status_code for a in answers] == [303, 303]
    assert {a.headers["location"] for a in answers} == {f"/exam/{exam_id}/results"}
