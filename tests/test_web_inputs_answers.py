"""The strings the browser inputs produce are answers the families read and grade as in the terminal:
the pieces drawing (its regions found by the browser's own arrangement.js, run in node), the RNN graph's edge list,
the parts joined into one line. And the inputs carry nothing of the key."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dlexam.tasks.registry import family, names
from dlexam.tasks.typed_answer import read_answer
from dlexam.web.inputs import input_context, input_kind

ARRANGEMENT_JS = Path(__file__).resolve().parents[1] / "dlexam/web/static/js/arrangement.js"
NODE = shutil.which("node")


def test_every_family_has_an_input_and_its_context_holds_no_key():
    kinds = {}
    for name in names():
        fam = family(name)
        variant = fam.generate(3)
        kinds[name] = input_kind(fam)
        context = input_context(fam, variant)
        assert context.pop("hint") == fam.answer_hint(variant)   # the terminal's prompt, nothing more
        text = json.dumps(context)
        solution = fam.solve(variant) if kinds[name] != "code" else None
        if kinds[name] in ("rnn_graph", "formula"):
            assert solution.answer_text not in text
            assert "->" not in text          # no edge of the graph
            shown = [str(v) for v in solution.answer.parts.values() if len(str(v)) > 2]
            assert not [v for v in shown if v in text], name
    assert kinds["concepts"] == kinds["parameters"] == "choice"
    assert (kinds["pieces"], kinds["rnn"], kinds["hessian"], kinds["adversarial"]) == \
        ("pieces", "rnn_graph", "formula", "code")


def test_pieces_context_shows_only_the_given_piece():
    from dlexam.tasks.pieces.data import solved

    fam = family("pieces")
    variant = fam.generate(11)
    partition, given = solved(variant.data)
    context = input_context(fam, variant)
    assert context["given"]["polygon"] == [[float(x), float(y)] for x, y in partition.pieces[given].polygon]
    others = [p for i, p in enumerate(partition.pieces) if i != given]
    assert all([[float(x), float(y)] for x, y in p.polygon] != context["given"]["polygon"] for p in others)
    assert set(context) == {"kind", "family", "seed", "hint", "box", "level", "count", "grid", "given"}


# --- the pieces drawing, through the browser's own arrangement code (arrangement.js) ------------------

def _faces(segments):
    """arrangement.js's faces() on these segments, run in node (the code the browser runs)."""
    script = (f"require({json.dumps(str(ARRANGEMENT_JS))});"
              f"process.stdout.write(JSON.stringify(globalThis.dlexamArrangement.faces({json.dumps(segments)})));")
    out = subprocess.run([NODE, "-e", script], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)


def _edges(polygon):
    pts = [[float(x), float(y)] for x, y in polygon]
    return [[a, b] for a, b in zip(pts, pts[1:] + pts[:1])]


def _inside(point, polygon) -> bool:
    from dlexam.engines.pwl_geometry import contains

    return contains(polygon, point)


def _drawing(variant, lines, boundary):
    """The JSON answer pieces.js sends for these lines and boundary segments, each region labelled with the
    function the student types there (here: y on the true piece at the region's centre)."""
    from fractions import Fraction

    from dlexam.tasks.pieces.data import solved

    partition, given = solved(variant.data)
    b = [float(v) for v in partition.box]
    frame = _edges([(b[0], b[2]), (b[1], b[2]), (b[1], b[3]), (b[0], b[3])])
    faces = _faces(frame + _edges(partition.pieces[given].polygon) + lines)
    pieces = []
    for face in faces:
        centre = (Fraction(sum(p[0] for p in face) / len(face)), Fraction(sum(p[1] for p in face) / len(face)))
        true = next(p for p in partition.pieces if _inside(centre, p.polygon))
        if true is not partition.pieces[given]:
            pieces.append({"polygon": face, "function": "y = " + true.function.text().replace("·", "*")})
    return json.dumps({"pieces": pieces, "boundary": boundary})


@pytest.mark.skipif(NODE is None, reason="needs node to run arrangement.js")
@pytest.mark.parametrize("seed", [0, 1, 4])
def test_the_solution_drawn_as_lines_gets_full_marks(seed):
    from dlexam.tasks.pieces.data import solved

    fam = family("pieces")
    variant = fam.generate(seed)
    partition, given = solved(variant.data)
    lines = [e for i, p in enumerate(partition.pieces) if i != given for e in _edges(p.polygon)]
    boundary = [_edges(s)[0] for i, p in enumerate(partition.pieces) if i != given for s in p.boundary]
    text = _drawing(variant, lines, boundary)
    grade = fam.grade(variant, read_answer(fam, variant, text))
    assert grade.points == grade.max_points == fam.points


@pytest.mark.skipif(NODE is None, reason="needs node to run arrangement.js")
def test_a_drawing_missing_a_line_gets_a_counterexample_in_the_merged_region():
    from dlexam.tasks.pieces.data import solved

    fam = family("pieces")
    variant = fam.generate(0)
    partition, given = solved(variant.data)
    inner = [e for i, p in enumerate(partition.pieces) if i != given for e in _edges(p.polygon)]
    b = [float(v) for v in partition.box]
    on_frame = lambda e: (e[0][0] == e[1][0] and e[0][0] in b[:2]) or (e[0][1] == e[1][1] and e[0][1] in b[2:])  # noqa: E731
    given_edges = [sorted(e) for e in _edges(partition.pieces[given].polygon)]
    cut = next(e for e in inner if not on_frame(e) and sorted(e) not in given_edges)
    lines = [e for e in inner if sorted(e) != sorted(cut)]
    grade = fam.grade(variant, read_answer(fam, variant, _drawing(variant, lines, [])))
    pieces = grade.parts[0]
    assert pieces.points < pieces.max_points
    points = [e["point"] for e in pieces.evidence["pieces"] if e["point"]]
    assert points, pieces.feedback


def test_the_rnn_graph_and_parts_line_grades_full_marks():
    from dlexam.tasks.multipart import answer_line

    fam = family("rnn")
    for seed in (1, 5):
        variant = fam.generate(seed)
        parts = fam.solve(variant).answer.parts
        # what rnn_graph.js and formula.js send: the clicked edges `u->v, ...`, then each typed part
        text = answer_line({"a": parts["a"], "b": parts["b"], "c": parts["c"], "d": repr(parts["d"])})
        grade = fam.grade(variant, read_answer(fam, variant, text))
        assert grade.points == grade.max_points == 8.0


def test_the_rnn_graph_with_y_as_its_own_node_is_the_same_graph():
    fam = family("rnn")
    variant = fam.generate(5)
    edges = fam.solve(variant).answer.parts["a"]
    last = f"h{variant.data['steps']}"
    drawn = edges.replace(f"{last}->E", f"{last}->y, y->E")
    grade = fam.grade(variant, read_answer(fam, variant, f"a) {drawn}"))
    assert grade.parts[0].points == grade.parts[0].max_points


def test_choice_letters_as_the_boxes_join_them():
    fam = family("loss-properties")
    for seed in range(6):
        variant = fam.generate(seed)
        letters = fam.solve(variant).answer.parts["choice"]
        grade = fam.grade(variant, read_answer(fam, variant, ",".join(letters)))
        assert grade.points == fam.points


@pytest.mark.parametrize("name", ["gradient-bound", "hessian"])
def test_parts_joined_as_formula_js_joins_them_grade_full_marks(name):
    from dlexam.tasks.parts import split_parts
    from dlexam.web.inputs import PARTS

    fam = family(name)
    variant = fam.generate(2)
    typed = split_parts(fam.solve(variant).answer_text, fam.labels)     # what a student types in each field
    assert [label for label, _, _ in PARTS[name]] == list(fam.labels)   # one field per part, in order
    text = " ; ".join(f"{label}) {typed[label]}" for label, _, _ in PARTS[name] if typed.get(label))
    grade = fam.grade(variant, read_answer(fam, variant, text))
    assert grade.points == grade.max_points == fam.points
