"""The answer inputs driven in Chromium as a student uses them: the pieces and the boundary drawn with
the mouse, the RNN graph clicked together, formulas previewed, options ticked, code run in the sandbox.
Screenshots go to $DLEXAM_SCREENSHOTS (default: the test's temporary directory)."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from web_support import CHROMIUM, add_user, browser_sign_in, chromium, make_app, screenshots, served

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("web"))
    add_user(app, "alice")
    with served(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
    pg.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and r.request.method == "GET"
          and "favicon" not in r.url else None)     # a refused answer (400 to its POST) is a page, not an error
    browser_sign_in(pg, server, "alice")
    pg.base = server
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture
def shots(tmp_path) -> Path:
    return screenshots(tmp_path)


def _score(pg) -> tuple[float, float]:
    text = pg.locator("p.score strong").inner_text()
    got, of = re.match(r"([\d.]+) of ([\d.]+) points", text).groups()
    return float(got), float(of)


# --- the pieces drawing -------------------------------------------------------------------------

def _on_grid(value, step=Fraction(1, 2)) -> bool:
    return (Fraction(value) / step).denominator == 1


def _drawable_seed():
    """A generated variant whose corners and boundary ends all lie on the drawing's 0.5 grid
    (a student clicks those exactly; other corners are reached by snapping to crossings)."""
    from dlexam.tasks.pieces.data import solved
    from dlexam.tasks.registry import family

    fam = family("pieces")
    for seed in range(200):
        partition, given = solved(fam.generate(seed).data)
        points = [p for piece in partition.pieces for p in piece.polygon]
        points += [p for piece in partition.pieces for s in piece.boundary for p in s]
        if all(_on_grid(x) and _on_grid(y) for x, y in points):
            return seed, partition, given
    pytest.skip("no variant on the grid among the first 200")


def _inner_edges(partition, given):
    """The edges between pieces (not on the box's frame, not the given piece's: those are drawn)."""
    box = [float(v) for v in partition.box]
    given_edges = {frozenset(e) for e in _edges(partition.pieces[given].polygon)}
    out = set()
    for i, piece in enumerate(partition.pieces):
        for a, c in _edges(piece.polygon):
            frame = (a[0] == c[0] and a[0] in (box[0], box[1])) or (a[1] == c[1] and a[1] in (box[2], box[3]))
            if not frame and frozenset((a, c)) not in given_edges:
                out.add(frozenset((a, c)))
    return [tuple(e) for e in out]


def _edges(polygon):
    pts = [(float(x), float(y)) for x, y in polygon]
    return list(zip(pts, pts[1:] + pts[:1]))


def _click(pg, field, x, y):
    sx, sy = pg.evaluate(f"window.dlexamPieces[{field!r}].screen({x}, {y})")
    pg.mouse.click(sx, sy)


def _draw_segment(pg, field, a, b):
    _click(pg, field, *a)
    _click(pg, field, *b)


def _inside(polygon):
    from dlexam.engines.pwl_geometry import centroid

    c = centroid(polygon)
    return float(c[0]), float(c[1])


def _draw_pieces(pg, partition, given, *, skip_boundary: int | None = None):
    field = "practice"
    pg.wait_for_function(f"window.dlexamPieces && window.dlexamPieces[{field!r}]")
    pg.locator("[data-role=board]").scroll_into_view_if_needed()
    pg.click("button[data-mode=line]")
    for a, b in _inner_edges(partition, given):
        _draw_segment(pg, field, a, b)
    pg.click("button[data-mode=region]")
    for i, piece in enumerate(partition.pieces):
        if i == given:
            continue
        _click(pg, field, *_inside(piece.polygon))
        pg.fill(f"#{field}-function", piece.function.text().replace("·", "*"))
        pg.keyboard.press("Enter")
    pg.click("button[data-mode=boundary]")
    segments = [s for i, p in enumerate(partition.pieces) if i != given for s in p.boundary]
    for k, (a, b) in enumerate(segments):
        if k == skip_boundary:
            continue
        _draw_segment(pg, field, (float(a[0]), float(a[1])), (float(b[0]), float(b[1])))
    return segments


def test_pieces_drawn_with_the_mouse_get_full_marks(page, shots):
    seed, partition, given = _drawable_seed()
    page.goto(f"{page.base}/practice/pieces/{seed}")
    _draw_pieces(page, partition, given)
    assert page.locator(".pieces-status .input-error").count() == 0
    page.screenshot(path=str(shots / "input-pieces.png"), full_page=True)
    page.click("form#answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    got, of = _score(page)
    assert (got, of) == (of, 6.0)


def test_a_wrong_drawing_gets_its_counterexample_marked(page, shots):
    seed, partition, given = _drawable_seed()
    page.goto(f"{page.base}/practice/pieces/{seed}")
    _draw_pieces(page, partition, given, skip_boundary=0)
    page.click("form#answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    got, of = _score(page)
    assert got < of
    marked = page.locator(".pieces-points li")
    assert marked.count() >= 1
    # the marked point is the grader's: it lies on the boundary segment left out
    x, y = (float(v) for v in marked.first.get_attribute("data-point").split(","))
    from dlexam.engines import pwl

    assert abs(float(pwl.evaluate(partition.program, (Fraction(x), Fraction(y)))) - float(partition.level)) < 1e-6
    page.screenshot(path=str(shots / "input-pieces-feedback.png"), full_page=True)


def test_a_saved_drawing_is_drawn_again(page):
    """A page shown again with the answer (an unreadable function here; a resumed exam likewise) redraws
    the regions, their functions and the boundary from the answer's JSON."""
    seed, partition, given = _drawable_seed()
    page.goto(f"{page.base}/practice/pieces/{seed}")
    _draw_pieces(page, partition, given)
    page.click("button[data-mode=region]")
    other = next(p for i, p in enumerate(partition.pieces) if i != given)
    _click(page, "practice", *_inside(other.polygon))
    page.fill("#practice-function", "max(x1, 0)")
    page.keyboard.press("Enter")
    sent = page.input_value("#practice-answer")
    page.click("form#answer-form button[type=submit]")
    page.wait_for_selector("p.error")
    assert "affine" in page.locator("p.error").inner_text()
    page.wait_for_function("window.dlexamPieces && window.dlexamPieces.practice")
    again = page.evaluate("(() => { const p = window.dlexamPieces.practice; "
                          "return {labels: p.labels.length, boundary: p.boundary.length, answer: p.answer().text}; })()")
    assert again["labels"] == len(partition.pieces) - 1
    assert again["boundary"] == len([s for i, p in enumerate(partition.pieces) if i != given for s in p.boundary])
    import json

    assert json.loads(again["answer"]) == json.loads(sent)


def test_the_pieces_answer_may_be_typed_instead(page):
    from dlexam.tasks.registry import family

    fam, seed = family("pieces"), 3
    typed = fam.solve(fam.generate(seed)).answer_text      # what a terminal user types
    page.goto(f"{page.base}/practice/pieces/{seed}")
    page.click("[data-role=typed-box] summary")
    page.fill("#practice-typed", typed)
    assert page.input_value("#practice-answer") == typed
    page.click("form#answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    assert _score(page) == (6.0, 6.0)


def test_a_line_through_the_whole_box(page):
    page.goto(f"{page.base}/practice/pieces/0")
    page.wait_for_function("window.dlexamPieces && window.dlexamPieces.practice")
    page.locator("[data-role=board]").scroll_into_view_if_needed()
    page.check("[data-role=extend]")
    _draw_segment(page, "practice", (-1, -1), (1, 1))
    assert page.evaluate("window.dlexamPieces.practice.lines") == [[[-5, -5], [5, 5]]]


def test_a_typed_function_is_shown_as_text_not_markup(page):
    page.goto(f"{page.base}/practice/pieces/0")
    page.wait_for_function("window.dlexamPieces && window.dlexamPieces.practice")
    page.locator("[data-role=board]").scroll_into_view_if_needed()
    page.click("button[data-mode=region]")
    _click(page, "practice", -4, -4)
    page.fill("#practice-function", "<b id=injected>x1</b>")
    page.keyboard.press("Enter")
    assert page.locator("#injected").count() == 0
    assert page.locator("[data-role=board] text", has_text="<b id=injected>").count() == 1


# --- the RNN graph --------------------------------------------------------------------------------

def test_rnn_graph_drawn_by_clicking_gets_full_marks(page, shots):
    from dlexam.tasks.registry import family

    fam, seed = family("rnn"), 5
    variant = fam.generate(seed)
    p = fam.solve(variant).answer.parts
    page.goto(f"{page.base}/practice/rnn/{seed}")
    page.wait_for_selector("[data-node=h0]")
    last = f"h{variant.data['steps']}"
    page.fill("[data-role=new-node]", "y")          # the output drawn as a node of its own
    page.click("[data-role=add-node]")
    edges = p["a"].replace(f"{last}->{variant.data['error']}", f"{last}->y, y->{variant.data['error']}")
    assert edges != p["a"]
    for edge in edges.split(", "):
        u, v = edge.split("->")
        page.click(f"[data-node={u}]")
        page.click(f"[data-node={v}]")
    page.fill("#practice-part-b", p["b"])
    page.fill("#practice-part-c", p["c"])
    page.fill("#practice-part-d", repr(p["d"]))
    page.wait_for_selector("[data-part=c] .part-preview .katex")
    assert page.locator("[data-part=b] .input-error").count() == 0
    page.screenshot(path=str(shots / "input-rnn.png"), full_page=True)
    page.click("form#answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    got, of = _score(page)
    assert got == of == 8.0


def test_formula_preview_shows_the_parse_error(page, shots):
    page.goto(f"{page.base}/practice/gradient-bound/1")
    page.fill("#practice-part-a", "2*a1*w1*sign(c21 - x2")
    error = page.locator("[data-part=a] .part-preview.input-error")
    error.wait_for()
    assert error.inner_text().strip()
    page.fill("#practice-part-b", "2*||w||_1")
    page.locator("[data-part=b] .part-preview .katex").wait_for()
    page.screenshot(path=str(shots / "input-formula.png"), full_page=True)
    # sent as it is, refused by the grader's parser, and shown again part by part
    page.click("form#answer-form button[type=submit]")
    page.wait_for_selector("p.error")
    assert page.input_value("#practice-part-a") == "2*a1*w1*sign(c21 - x2"
    assert page.input_value("#practice-part-b") == "2*||w||_1"


def test_choice_boxes_answer_a_question(page, shots):
    from dlexam.tasks.registry import family

    fam, seed = family("concepts"), 1
    right = fam.solve(fam.generate(seed)).answer.parts["choice"]
    page.goto(f"{page.base}/practice/concepts/{seed}")
    for letter in right:
        page.check(f"[data-input=choice] input[value={letter}]")
    page.screenshot(path=str(shots / "input-choice.png"), full_page=True)
    page.click("form#answer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/attempts/\d+"))
    assert _score(page) == (1.0, 1.0)


@pytest.mark.slow
def test_code_runs_in_the_sandbox_and_shows_its_checks(page, shots):
    from dlexam.tasks.registry import family

    fam, seed = family("adversarial"), 1
    source = fam.solve(fam.generate(seed)).answer_text
    page.goto(f"{page.base}/practice/adversarial/{seed}")
    page.wait_for_selector(".CodeMirror")
    page.evaluate("src => document.querySelector('[data-input=code]').dlexamCode.editor.setValue(src)", source)
    page.click("[data-input=code] [data-role=run]")
    page.wait_for_selector("[data-input=code] [data-role=checks]:not([hidden]) tbody tr", timeout=240_000)
    rows = page.locator("[data-input=code] tbody tr")
    assert rows.count() >= 2
    assert page.locator("[data-input=code] tbody tr.check-failed").count() == 0
    page.screenshot(path=str(shots / "input-code.png"), full_page=True)
