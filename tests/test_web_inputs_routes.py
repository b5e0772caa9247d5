"""POST /api/preview and the code routes: signed in, with the CSRF token, the student's own only."""

from __future__ import annotations

import time

import pytest
from web_support import add_user, client, make_app, sign_in


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    for name in ("alice", "bob"):
        add_user(app, name)
    return app


def signed_in(app, name: str):
    http = client(app)
    http.headers["X-CSRF-Token"] = sign_in(http, name)
    return http


def test_preview_typesets_a_formula_as_the_grader_reads_it(app):
    http = signed_in(app, "alice")
    res = http.post("/api/preview", json={"family": "rnn", "seed": 5, "part": "b", "text": "-t*Heaviside(-t*y)"})
    assert res.status_code == 200
    body = res.json()
    assert body["error"] is None and r"\operatorname{H}" in body["latex"] and "t" in body["latex"]


def test_preview_gives_the_parsers_own_error(app):
    from dlexam.errors import InputError
    from dlexam.tasks.formulas import read_formula

    text = "2*a1*w1*sign(c21 - x2"
    with pytest.raises(InputError) as parsed:
        read_formula(text)
    http = signed_in(app, "alice")
    body = http.post("/api/preview", json={"family": "gradient-bound", "seed": 1, "part": "a", "text": text}).json()
    assert body["error"] == str(parsed.value) and body["latex"] is None


def test_preview_of_a_bound_and_a_number_and_a_whole_answer(app):
    http = signed_in(app, "alice")
    bound = http.post("/api/preview", json={"family": "gradient-bound", "seed": 1, "part": "b",
                                              "text": "1/2*||w||_1"}).json()
    assert r"\|w\|_1" in bound["latex"]
    number = http.post("/api/preview", json={"family": "hessian", "seed": 1, "part": "c", "text": "1/4"}).json()
    assert number["error"] is None and number["text"]
    whole = http.post("/api/preview", json={"family": "concepts", "seed": 1, "text": "zz"}).json()
    assert whole["error"]


def test_preview_needs_sign_in_and_the_csrf_token(app):
    anonymous = client(app)
    res = anonymous.post("/api/preview", json={"family": "rnn", "seed": 5, "part": "b", "text": "y"},
                         follow_redirects=False)
    assert res.status_code in (401, 403, 303)
    http = signed_in(app, "alice")
    del http.headers["X-CSRF-Token"]
    res = http.post("/api/preview", json={"family": "rnn", "seed": 5, "part": "b", "text": "y"})
    assert res.status_code == 403


def test_code_submit_refuses_a_file_name_and_bad_python_before_queueing(app):
    http = signed_in(app, "alice")
    assert 'data-role="run"' in http.get("/practice/adversarial/1").text     # practice runs the checks
    res = http.post("/code/submit", json={"family": "adversarial", "seed": 1, "source": "/etc/passwd.py"})
    assert res.json()["key"] is None and "code itself" in res.json()["error"]
    res = http.post("/code/submit", json={"family": "adversarial", "seed": 1, "source": "def f(:\n  pass"})
    assert res.json()["key"] is None and "not valid Python" in res.json()["error"]
    assert http.post("/code/submit", json={"family": "rnn", "seed": 1, "source": "x = 1\ny = 2"}).status_code == 404


def test_a_submission_is_seen_only_by_its_student(app):
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import Submission, insert_all

    url = app.state.store.location.url.render_as_string(hide_password=False)
    now = time.time()
    insert_all(engine(url), [Submission(key="k" * 32, family="adversarial", filename="answer.py", source="x = 1",
                                        status="queued", tries=0, student="bob", seed=1, queued=now, enqueued=now)])
    assert signed_in(app, "bob").get("/code/" + "k" * 32).json() == {"status": "queued"}
    assert signed_in(app, "alice").get("/code/" + "k" * 32).status_code == 404
    assert signed_in(app, "alice").get("/code/nonexistent").status_code == 404


def test_preview_reads_a_pieces_function_as_the_pieces_grader(app):
    http = signed_in(app, "alice")
    ok = http.post("/api/preview", json={"family": "pieces", "seed": 0, "part": "function", "text": "y = 2x1 - x2"}).json()
    assert ok["error"] is None and ok["latex"] == "y = 2 x_{1} - x_{2}"
    bad = http.post("/api/preview", json={"family": "pieces", "seed": 0, "part": "function", "text": "max(x1, 0)"}).json()
    assert "affine" in bad["error"]


def test_a_student_has_at_most_two_runs_pending(app, monkeypatch):
    import dlexam.queue.submissions as submissions

    sent = []
    monkeypatch.setattr(submissions, "send", lambda keys, database, broker: sent.extend(keys))   # nobody grades
    http = signed_in(app, "alice")
    source = "import torch\n\ndef adversarial(x, t, model):\n    return x\n"
    answers = [http.post("/code/submit", json={"family": "adversarial", "seed": 1, "source": source}).json()
               for _ in range(3)]
    assert [a["key"] is not None for a in answers] == [True, True, False]
    assert "wait" in answers[2]["error"] and len(sent) == 2
    assert http.get("/code/" + answers[0]["key"]).json() == {"status": "queued"}
    other = signed_in(app, "bob").post("/code/submit", json={"family": "adversarial", "seed": 1, "source": source})
    assert other.json()["key"] is not None


def test_preview_shows_a_matrix_as_read(app):
    http = signed_in(app, "alice")
    body = http.post("/api/preview", json={"family": "hessian", "seed": 1, "part": "a",
                                             "text": "[[2, 4/3], [4/3, 8/3]]"}).json()
    assert body == {"latex": None, "text": "[[2, 4/3], [4/3, 8/3]]", "error": None}


def test_a_code_task_of_the_open_exam_is_not_run_before_hand_in(app):
    from dlexam.store import users as accounts

    http = signed_in(app, "alice")
    token = http.headers["X-CSRF-Token"]
    http.post("/exam/start", data={"seed": "7", "minutes": "30", "csrf": token})
    exam = accounts.as_student(app.state.store, "alice").open_exam()
    task = next(t for t in exam.plan["tasks"] if t["family"] in ("adversarial", "colorize", "inpaint"))
    source = "import torch\n\ndef adversarial(x, t, model):\n    return x\n"
    res = http.post("/code/submit", json={"family": task["family"], "seed": int(task["seed"]), "source": source})
    assert res.status_code == 404
    page = http.get(f"/exam/{exam.id}/task/{next(k for k in exam.labels if k.startswith('5'))}").text
    assert 'data-role="run"' not in page and "checked when you hand in" in page
