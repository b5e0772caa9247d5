"""The staff's pages over HTTP: a student gets 403 on every one; the item analysis page shows the
statistics numpy computes for a class built here; uploads refuse bad files with one sentence; a batch
is graded and its page reports each file; paper and exports download with the commands' functions."""

from __future__ import annotations

import html
import io
import re
import time
import zipfile

import pytest
from test_web_staff_analysis import EXAM_SEED, build_class, expected_place
from web_support import HTML, add_user, client, make_app, sign_in

from dlexam.exam.plan import plan

STAFF_PAGES = ["/staff", "/staff/items", "/staff/items?seed=3", "/staff/flagged", "/staff/uploads",
               "/staff/downloads", "/staff/attempts/1", "/staff/uploads/upload-20260101-000000-0123abcd",
               "/staff/uploads/upload-20260101-000000-0123abcd/progress", "/staff/paper?seed=1",
               "/staff/export?format=moodle&variants=1", "/staff/submissions/0123abcd"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("staff"))
    app.records = build_class(app.state.store, students=8)
    add_user(app, "prof", staff=True)
    add_user(app, "stu")
    return app


def _signed_in(app, name):
    http = client(app)
    http.__enter__()
    http.headers.update(HTML)
    http.csrf = sign_in(http, name)
    return http


@pytest.fixture
def prof(app):
    http = _signed_in(app, "prof")
    yield http
    http.__exit__(None, None, None)


@pytest.fixture
def stu(app):
    http = _signed_in(app, "stu")
    yield http
    http.__exit__(None, None, None)


def _paths(routes, prefix: str = "") -> set[str]:
    """Every route's path, into included routers too (FastAPI includes them lazily)."""
    out = set()
    for route in routes:
        if hasattr(route, "original_router"):
            out |= _paths(route.original_router.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif hasattr(route, "path"):
            out.add(prefix + route.path)
    return out


def test_every_staff_route_is_listed_here(app):
    """So that the 403 test below covers each page the staff router has."""
    paths = {p for p in _paths(app.routes) if p.startswith("/staff")}
    listed = {re.sub(r"\?.*", "", p) for p in STAFF_PAGES}
    listed = {re.sub(r"upload-[0-9a-f-]+", "{batch}", p).replace("/attempts/1", "/attempts/{attempt_id}")
              .replace("/submissions/0123abcd", "/submissions/{key}") for p in listed}
    assert paths == listed


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_student_gets_403_on_every_staff_page(stu, url):
    response = stu.get(url)
    assert response.status_code == 403
    assert "for the teaching staff" in response.text


def test_a_student_cannot_upload(stu):
    files = [("files", ("a.py", b"def attack(): pass\n", "text/x-python"))]
    response = stu.post("/staff/uploads", data={"csrf": stu.csrf, "family": "adversarial"}, files=files)
    assert response.status_code == 403


def test_signed_out_is_sent_to_sign_in(app):
    with client(app) as http:
        response = http.get("/staff/items", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_staff_sees_the_nav_link_and_a_student_does_not(prof, stu):
    assert 'href="/staff"' in prof.get("/").text
    assert 'href="/staff"' not in stu.get("/").text


def _cells(page: str, label: str) -> list[str]:
    row = re.search(rf'<tr data-label="{re.escape(label)}">(.*?)</tr>', page, re.S).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_item_analysis_page_shows_numpy_s_statistics(prof, app):
    page = prof.get(f"/staff/items?seed={EXAM_SEED}").text
    assert "8 handed in" in page
    for task in plan(EXAM_SEED).to_json()["tasks"]:
        mean, r, d = expected_place(app.records, task["label"])
        cells = _cells(page, task["label"])
        assert cells[2] == "8" and cells[3] == f"{100 * mean:.0f}%"
        assert cells[5] == f"{r:.2f}" and cells[6] == f"{d:.2f}"


def test_the_item_analysis_page_counts_the_options(prof, app):
    page = html.unescape(prof.get("/staff/items").text)
    task = plan(EXAM_SEED).to_json()["tasks"][1]
    from dlexam.tasks.registry import family

    fam = family(task["family"])
    variant = fam.generate(task["seed"])
    key = fam.solve(variant).answer_text
    chosen_key = sum(r[task["label"]][2] == key for r in app.records)
    text = variant.data["options"][ord(key) - ord("a")]
    assert re.search(rf"<tr class=\"correct\"><td>✓</td><td>{re.escape(text)}</td>\s*<td class=\"num\">{chosen_key}</td>",
                     page)


def test_a_bad_exam_seed_is_one_sentence(prof):
    response = prof.get("/staff/items?seed=abc")
    assert response.status_code == 400 and "The exam seed is a whole number, not &#39;abc&#39;." in response.text


def test_the_flagged_page_lists_the_unclear_answer_and_links_it(prof):
    page = prof.get("/staff/flagged").text
    assert "s00" in page and "both claimed and denied" in page
    link = re.search(r'href="(/staff/attempts/\d+)"', page).group(1)
    assert "both claimed and denied" in prof.get(link).text


def _upload(http, files, family="adversarial", seed=""):
    return http.post("/staff/uploads", data={"csrf": http.csrf, "family": family, "seed": seed},
                     files=[("files", f) for f in files], follow_redirects=False)


@pytest.mark.parametrize("files, sentence", [
    ([("notes.txt", b"hello", "text/plain")], "Only Python files (.py) are graded; 'notes.txt' is not one."),
    ([("big.py", b"#" * ((1 << 20) + 1), "text/x-python")], "'big.py' is larger than 1 MB; a submission is at most 1 MB."),
    ([(f"s{i}.py", b"x = 1\n", "text/x-python") for i in range(100)], "At most 100 files go in one upload; this one has 101."),
    ([("latin.py", "# café\n".encode("latin-1"), "text/x-python")], "'latin.py' is not UTF-8 text."),
    ([], "Choose at least one .py file to upload."),
])
def test_an_upload_with_a_bad_file_is_refused_whole(prof, app, files, sentence):
    from dlexam.store import classroom

    before = classroom.batches(app.state.store)
    response = _upload(prof, [("ok.py", b"x = 1\n", "text/x-python")] + files if files else files)
    assert response.status_code == 400
    assert html.unescape(re.search(r'<p class="error" role="alert">(.*?)</p>', response.text).group(1)) == sentence
    assert classroom.batches(app.state.store) == before


def test_an_upload_for_no_programming_task_is_refused(prof):
    response = _upload(prof, [("a.py", b"x = 1\n", "text/x-python")], family="pieces")
    assert response.status_code == 400 and "Pick a programming task: adversarial, colorize, inpaint." in response.text


def test_an_upload_is_graded_and_its_page_shows_each_file(prof):
    """Two files that cannot run (a syntax error, no attack function): graded at once without a sandbox."""
    files = [("broken.py", b"def attack(:\n", "text/x-python"), ("empty.py", b"x = 1\n", "text/x-python")]
    response = _upload(prof, files)
    assert response.status_code == 303
    url = response.headers["location"]
    deadline = time.monotonic() + 60
    while True:
        state = prof.get(f"{url}/progress").json()
        if state["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert state["finished"] and sum(state["counts"].values()) == 2
    assert [f["file"] for f in state["files"]] == ["broken.py", "empty.py"]
    assert all(f["score"] == 0 and f["max_score"] > 0 for f in state["files"]), state
    page = prof.get(url).text
    assert "broken.py" in page and "all graded" in page
    source = prof.get(f"/staff/submissions/{state['files'][0]['key']}").text
    assert "def attack(:" in html.unescape(source) and "does not parse" in source
    assert url.rsplit("/", 1)[1] in prof.get("/staff/uploads").text


def test_a_batch_is_finished_only_when_every_file_it_shows_is_graded(tmp_path, monkeypatch):
    """The progress poll stops at `finished`: the files it shows then must be their final state, even when a
    file finishes grading while the batch's state is being read (as happens on a loaded machine)."""
    from dlexam.queue.rows import engine
    from dlexam.store import submissions as rows
    from dlexam.web.staff_uploads import batch_state

    db = str(tmp_path / "batch.sqlite3")
    made = engine(db)
    now = time.time()
    rows.insert_all(made, [rows.Submission(key="late", family="adversarial", filename="late.py", source="(",
                                           status="queued", tries=0, batch="b", queued=now, enqueued=now)])
    read_rows = rows.many

    def grading_finishes_meanwhile(*args, **kwargs):
        seen = read_rows(*args, **kwargs)
        sub = rows.claim(made, "late", "h/1", now, now - 60, 3)
        rows.finish(made, sub, {"score": 0.0, "max_score": 10.0}, time.time())
        return seen

    monkeypatch.setattr(rows, "many", grading_finishes_meanwhile)
    state = batch_state(db, "b")
    shown = [f["status"] for f in state["files"]]
    assert state["finished"] == all(s in ("done", "failed") for s in shown), state
    assert state["counts"] == {s: shown.count(s) for s in ("done", "queued", "running", "failed")}, state
    monkeypatch.undo()
    assert batch_state(db, "b")["files"][0]["score"] == 0.0


def test_an_export_downloads_as_the_command_writes_it(prof, tmp_path):
    from dlexam.exam.export import export

    response = prof.get("/staff/export?format=moodle&family=parameters&variants=2&seed=4")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    export("moodle", ["parameters"], 2, 4, str(tmp_path / "bank.xml"))
    assert response.content == (tmp_path / "bank.xml").read_bytes()
    qti = prof.get("/staff/export?format=qti&family=concepts&variants=1")
    assert zipfile.ZipFile(io.BytesIO(qti.content)).namelist()


@pytest.mark.parametrize("query, sentence", [
    ("format=moodle&variants=0", "The number of variants is a whole number from 1 to 50, not 0."),
    ("format=moodle&family=nope", "There is no task family 'nope'."),
    ("format=pdf", "Export as Moodle XML (moodle) or a QTI 1.2 zip (qti)."),
])
def test_bad_export_parameters_are_one_sentence(prof, query, sentence):
    response = prof.get(f"/staff/export?{query}")
    assert response.status_code == 400 and sentence in html.unescape(response.text)


@pytest.mark.parametrize("query, sentence", [
    ("seed=", "The exam seed is a whole number from 0 to 4294967295, not ''."),
    ("seed=1&variants=11", "The number of exams is a whole number from 1 to 10, not 11."),
    ("seed=1&what=all", "Download the exam sheets, the answer keys, or both."),
])
def test_bad_paper_parameters_are_one_sentence(prof, query, sentence):
    response = prof.get(f"/staff/paper?{query}")
    assert response.status_code == 400 and sentence in html.unescape(response.text)


def test_an_exam_sheet_downloads_as_a_pdf(prof):
    response = prof.get("/staff/paper?seed=5&what=exam")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and 'filename="exam-5.pdf"' in response.headers["content-disposition"]


def test_every_staff_page_renders_on_an_empty_store(tmp_path):
    app = make_app(tmp_path)
    add_user(app, "boss", staff=True)
    with client(app) as http:
        http.headers.update(HTML)
        sign_in(http, "boss")
        for url in ("/staff", "/staff/items", "/staff/flagged", "/staff/uploads", "/staff/downloads"):
            response = http.get(url)
            assert response.status_code == 200, url
        assert "No mock exam handed in yet." in http.get("/staff/items").text
        assert "Nothing is flagged." in http.get("/staff/flagged").text
