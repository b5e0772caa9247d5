"""Paper: Typst maths for every family, the exam sheet and its key as PDF, bad input refused."""

from __future__ import annotations

import pytest

typst = pytest.importorskip("typst")

from dlexam.tasks.document import Code, Math, latex_to_typst, plain_to_typst, render  # noqa: E402
from dlexam.tasks.registry import family, names  # noqa: E402

MATH_FONT = b"NewCMMath"     # Typst's bundled maths font: in the PDF only when maths is typeset


def _pdf(source: str) -> bytes:
    return typst.compile(("#set page(width: 16cm, height: auto)\n" + source).encode())


@pytest.mark.parametrize(("latex", "typst_math"), [
    (r"\text{Piece 1: } (x_2 > 0) \wedge (h > -x_2) \quad y = x_1",
     '"Piece 1: " ( x_(2) > 0 ) and ( h > - x_(2) ) quad y = x_(1)'),
    (r"\min_z \; \lVert x - z \rVert_2^2 + \max(0,\; t \cdot f(z))",
     "min_(z) thick || x - z ||_(2)^(2) + max ( 0 , thick t dot f ( z ) )"),
    (r"x_1 = 1 \quad \text{for } -4 < x_1 < -1/2", 'x_(1) = 1 quad "for " - 4 < x_(1) < - 1 \\/ 2'),
    (r"\frac{\partial E}{\partial w} = \sqrt{\alpha}", "(partial E)/(partial w) = sqrt(alpha)"),
])
def test_latex_the_families_write_becomes_typst_maths(latex, typst_math):
    assert latex_to_typst(latex) == typst_math
    assert MATH_FONT in _pdf(f"$ {typst_math} $")


@pytest.mark.parametrize(("plain", "expected"), [
    ("h1 = g(x1, h0, θ)", "h_(1)  =  g( x_(1) ,  h_(0) ,  θ )"),
    ("f = w1·x1 + b", "f  =  w_(1)  dot  x_(1)  +  b"),
    ("a1 = sigmoid(v11·x1)", 'a_(1)  =  op("sigmoid")( v_(11)  dot  x_(1) )'),
    ("E = (y − t)²", "E  = ( y  −  t ) ²"),
    ("Σ_j |x_i − c_ij|", "sum_(j) | x_(i) −  c_(i j)|"),
])
def test_plain_formulas_become_typst_maths(plain, expected):
    assert plain_to_typst(plain) == expected
    assert MATH_FONT in _pdf(f"$ {expected} $")


def test_latex_with_an_unbalanced_brace_is_refused():
    with pytest.raises(ValueError):
        latex_to_typst(r"x^{2")


@pytest.mark.parametrize("name", names())
def test_every_family_renders_typst_that_compiles_with_maths_as_maths(name):
    fam = family(name)
    for seed in (0, 1, 2):
        blocks = fam.document(fam.generate(seed))
        pdf = _pdf(render(blocks, "typst"))
        has_maths = any(isinstance(b, Math) or isinstance(b, Code) and b.language == "text" for b in blocks)
        assert (MATH_FONT in pdf) == has_maths, (name, seed)


# --- the sheet and the key ----------------------------------------------------------------

import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from dlexam.cli import main  # noqa: E402
from dlexam.exam.paper import write_papers  # noqa: E402
from dlexam.exam.paper_page import qr_payload  # noqa: E402
from dlexam.exam.paper_parts import split_parts  # noqa: E402
from dlexam.tasks.document import Text  # noqa: E402


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    out = tmp_path_factory.mktemp("paper")
    return write_papers(7, 1, out)[0]


def test_one_exam_and_its_key_are_pdfs_with_pages(paper):
    assert paper.exam.name == "exam-7.pdf" and paper.key.name == "key-7.pdf"
    assert paper.key.read_bytes().startswith(b"%PDF")
    assert paper.exam.read_bytes().startswith(b"%PDF") and MATH_FONT in paper.exam.read_bytes()
    assert paper.pages >= 6
    assert not [p for p in paper.exam.parent.iterdir() if p.name.startswith(".dlexam")]   # staging removed


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_every_page_renders_to_png(paper, tmp_path):
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(paper.exam), str(tmp_path / "exam")], check=True)
    assert len(list(tmp_path.glob("exam-*.png"))) == paper.pages


def test_qr_codes_name_the_seed_and_page():
    assert qr_payload("exam", 7, 3) == "dlexam exam seed=7 page=3"


def test_parts_are_split_at_their_letters_and_typing_hints_dropped():
    parts = split_parts([Text("Intro"), Text("(a) One."), Text("more"), Text("(b) Two."), Text("Answer with x.")])
    assert [(p.label, len(p.blocks)) for p in parts] == [("", 1), ("a", 2), ("b", 1)]


@pytest.mark.parametrize("args", [
    ["--variants", "0"], ["--variants", "100000"], ["--seed", "4294967295", "--variants", "2"],
])
def test_bad_requests_exit_2_with_one_sentence_and_write_nothing(args, tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["paper", "--seed", "1", "--out", str(out), *args, "--json"] if "--seed" not in args else \
        ["paper", "--out", str(out), *args, "--json"]
    assert main(argv) == 2
    assert re.fullmatch(r'\{"error": "[^"]+\."\}\n', capsys.readouterr().out)
    assert not out.exists()


def test_an_unwritable_out_exits_2(tmp_path, capsys):
    afile = tmp_path / "afile"
    afile.write_text("")
    assert main(["paper", "--seed", "1", "--out", str(afile), "--json"]) == 2
    assert main(["paper", "--seed", "1", "--out", "/proc/no/such", "--json"]) == 2
    assert "cannot be written" in capsys.readouterr().out


def test_pictures_drawn_side_by_side_are_those_drawn_one_by_one(tmp_path):
    from dlexam.exam import paper_pictures
    from dlexam.exam.paper_parts import paper_task
    from dlexam.exam.plan import plan

    tasks = [paper_task(t) for t in plan(7).tasks]
    drawn = {}
    for workers in (1, 2):
        root = tmp_path / str(workers)
        root.mkdir()
        drawn[workers] = paper_pictures.start(tasks, root, workers).wait()
        assert all((root / file).stat().st_size > 10_000 for file in drawn[workers].values())
    assert drawn[1] == drawn[2] and {"2", "3", "4"} <= set(drawn[2])


def test_a_picture_that_fails_fails_the_paper_and_leaves_nothing(tmp_path, monkeypatch):
    from dlexam.tasks.rnn.family import RNN

    def broken(self, variant, path):
        raise RuntimeError("no picture today")
    monkeypatch.setattr(RNN, "picture", broken)   # inherited by the forked drawing processes
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="no picture today"):
        write_papers(7, 1, out, workers=2)
    assert not out.exists()
