"""Posing a task, its key and the exam's plan need neither torch nor SymPy (README: start-up).

Each test runs a fresh interpreter, so a module anywhere on the way that imports torch (about 2 s)
or SymPy (about 0.3 s) at its top makes it fail; the variants themselves are held to their seeds by
the conformance checks.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from dlexam.engines.layers import windows
from dlexam.engines.modules import build_module, parse_module
from dlexam.tasks.layer_windows import spec_receptive_field, spec_windows
from dlexam.tasks.registry import family

SEEDS = 12   # enough to meet every kind of variant: each cell and loss of the RNN, each layer kind


def heavy_modules_after(code: str) -> list[str]:
    """Which of torch, SymPy and SQLAlchemy a fresh interpreter has imported after `code`."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json, sys
        print(json.dumps(sorted(m for m in ("torch", "sympy", "sqlalchemy") if m in sys.modules)))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_questions_and_plans_import_neither_torch_nor_sympy():
    assert heavy_modules_after(f"""
        import contextlib, io
        from dlexam.cli import main
        from dlexam.tasks.registry import names
        with contextlib.redirect_stdout(io.StringIO()):
            for seed in range(3):
                assert main(["exam", "--seed", str(seed), "--plan", "--json"]) == 0
            for name in names():
                for seed in range({SEEDS}):
                    for fmt in ("text", "typst"):
                        assert main(["question", name, "--seed", str(seed), "--format", fmt, "--json"]) == 0
    """) == []


def test_solutions_import_no_torch():
    """The key of every family is written without torch (SymPy may do the algebra)."""
    assert "torch" not in heavy_modules_after(f"""
        from dlexam.tasks.registry import family, names
        for name in names():
            fam = family(name)
            for seed in range({SEEDS}):
                fam.solve(fam.generate(seed))
    """)


def test_sheets_and_keys_are_written_without_torch():
    """The Typst source of sheet and key (points tables, solutions) for exams holding every family."""
    assert "torch" not in heavy_modules_after("""
        from dlexam.exam import paper_key, paper_sheet
        from dlexam.exam.paper_parts import paper_task
        from dlexam.exam.plan import plan
        families = set()
        for seed in range(8):
            exam = plan(seed)
            tasks = [paper_task(t) for t in exam.tasks]
            paper_sheet.sheet(exam, tasks), paper_key.key(exam, tasks, {})
            families |= {t.family for t in exam.tasks}
        assert {"adversarial", "colorize", "inpaint", "hessian", "gradient-bound"} <= families, families
    """)


LAYERS = ["nn.AvgPool2d(2, stride=4)", "nn.MaxPool2d(3)", "nn.MaxPool2d(3, 2, 1, 2)", "nn.AvgPool2d(3, 2, 1, True)",
          "nn.MaxPool2d(2, ceil_mode=True)", "nn.Conv2d(3, 8, 5, 2, 2, 3)", "nn.Conv2d(1, 1, 3, padding='same', dilation=2)",
          "nn.Conv1d(2, 4, 4, stride=3, padding='valid')", "nn.Conv2d(1, 1, (3, 5), stride=(1, 2))",
          "nn.Conv2d(1, 1, 3, padding=1, padding_mode='reflect')", "nn.Conv3d(1, 2, 3)", "nn.Linear(4, 8)"]


@pytest.mark.parametrize("layer", LAYERS)
def test_windows_read_from_the_constructor_are_torchs(layer):
    spec = parse_module(layer)
    assert spec_windows(spec) == windows(build_module(spec))


@pytest.mark.parametrize("name", ["unused-inputs", "output-shape", "receptive-field"])
def test_windows_of_every_posed_layer_are_torchs(name):
    """What the questions compute from the constructor as written is what torch's module holds."""
    from dlexam.engines.layers import receptive_field, sequence

    fam = family(name)
    for seed in range(60):
        spec = parse_module(fam.generate(seed).data["layer"])
        module = build_module(spec)
        layers = list(spec.args) if spec.name == "Sequential" else [spec]
        assert [spec_windows(layer) for layer in layers] == [windows(m) for m in sequence(module)]
        if name == "receptive-field":
            assert spec_receptive_field(spec) == receptive_field(module)


@pytest.mark.parametrize("name", ["rnn", "gradient-bound", "adversarial", "colorize"])
def test_prepare_loads_what_grading_needs(name):
    """`practice` calls `prepare` while the student reads: afterwards grading imports nothing heavy
    (for code, torch is loaded; its grade runs in the sandbox and is tested elsewhere)."""
    fam = family(name)
    answer = fam.solve(fam.generate(5)).answer_text
    grade = "" if fam.topic.startswith("Task 5") else f"""
        before = {{m.split(".")[0] for m in sys.modules}}
        grade = fam.grade(variant, fam.parse_answer(variant, {answer!r}))
        assert grade.full_marks, grade.feedback
        assert not {{m.split(".")[0] for m in sys.modules}} - before & {{"torch", "sympy", "scipy", "matplotlib"}}
    """
    loaded = heavy_modules_after(f"""
        import sys
        from dlexam.tasks.registry import family
        fam = family({name!r})
        variant = fam.generate(5)
        fam.prepare()
    """ + grade)
    assert ("torch" if fam.topic.startswith("Task 5") else "sympy") in loaded


def test_a_pieces_question_is_posed_without_numpy():
    """pieces poses and words its question in exact fractions; NumPy waits for grading, which its
    `prepare` loads while the student reads."""
    script = textwrap.dedent(f"""
        import contextlib, io, sys
        from dlexam.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            for seed in range({SEEDS}):
                assert main(["question", "pieces", "--seed", str(seed), "--json"]) == 0
        print("numpy" in sys.modules)
        from dlexam.tasks.registry import family
        family("pieces").prepare()
        print("numpy" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True"]
