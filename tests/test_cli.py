"""The task commands as a user runs them: question, grade, practice, progress, families."""

import json
import os
import subprocess
import sys

import pytest


def run(*args, stdin=None, env=None):
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", *args], capture_output=True, text=True,
                          input=stdin, env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def run_json(*args, **kw):
    proc = run(*args, "--json", **kw)
    return proc.returncode, json.loads(proc.stdout)


def key_letters(family, seed):
    _, out = run_json("question", family, "--seed", str(seed), "--solution")
    return ",".join(out["solution"]["answer"]["parts"]["choice"])


def test_help_lists_the_commands():
    out = run("--help").stdout
    for command in ("practice", "question", "grade", "progress", "families", "layer"):
        assert command in out


def test_question_hides_the_solution_unless_asked():
    rc, out = run_json("question", "concepts", "--seed", "11")
    assert rc == 0 and out["text"].strip() and "solution" not in out
    rc, out = run_json("question", "concepts", "--seed", "11", "--format", "html", "--solution")
    assert out["text"].startswith("<p>") and out["solution"]["steps"]


def test_grading_the_key_earns_full_marks_and_is_recorded():
    letters = key_letters("parameters", 42)
    rc, graded = run_json("grade", "parameters", "--seed", "42", "--answer", letters)
    assert rc == 0 and graded["points"] == graded["max_points"] == 1
    rc, progress = run_json("progress")
    assert progress["families"][0]["family"] == "parameters" and progress["families"][0]["attempts"] == 1


def test_a_json_answer_is_accepted():
    letters = key_letters("concepts", 8).split(",")
    rc, graded = run_json("grade", "concepts", "--seed", "8", "--answer", json.dumps({"choice": letters}))
    assert rc == 0 and graded["points"] == graded["max_points"]


@pytest.mark.parametrize("args", [
    ["grade", "nope", "--seed", "1", "--answer", "a"],
    ["grade", "concepts", "--seed", "-1", "--answer", "a"],
    ["grade", "concepts", "--seed", str(2**32), "--answer", "a"],
    ["grade", "concepts", "--seed", "x", "--answer", "a"],
    ["grade", "concepts", "--seed", "1", "--answer", "q"],
    ["grade", "concepts", "--seed", "1", "--answer", "{oops"],
    ["grade", "concepts", "--seed", "1", "--answer", '{"choice": "a"}'],
    ["grade", "concepts", "--seed", "1"],
    ["question", "concepts", "--seed", "1", "--format", "pdf"],
    ["practice", "--family", "nope"],
    ["no-such-command"],
])
def test_bad_input_is_one_sentence_and_exit_2(args):
    rc, out = run_json(*args)
    assert rc == 2
    assert out["error"].endswith(".") and "\n" not in out["error"]
    proc = run(*args)
    assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1


def test_practice_asks_grades_and_records():
    seedless = run("practice", "--family", "concepts", "--count", "2", "--json",
                   stdin="zz\na\nb\n")
    summary = json.loads(seedless.stdout)
    assert summary["answered"] == 2 and len(summary["attempts"]) == 2
    assert "Answer with option letters" in seedless.stderr  # the garbage answer was asked again
    rc, progress = run_json("progress")
    assert progress["families"][0]["attempts"] == 2


def test_practice_quits_and_skips_cleanly():
    proc = run("practice", "--task", "1", stdin="s\nq\n")
    assert proc.returncode == 0 and "0 answered" in proc.stdout


def test_practice_and_help_do_not_import_torch_or_sympy():
    for args, stdin in ((["--help"], None), (["practice", "--family", "concepts"], "q\n")):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "dlexam.cli", *args],
                              capture_output=True, text=True, input=stdin)
        imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()}
        assert not {"torch", "sympy"} & imported


def test_solution_runs_the_reference_attack_and_draws_it(tmp_path):
    picture = tmp_path / "attack.png"
    rc, out = run_json("solution", "adversarial", "--quick", "--picture", str(picture))
    assert rc == 0 and out["strong"]["success"] == 1.0 and out["posed"]["success"] > 0.5
    assert picture.stat().st_size > 10_000 and out["limitations"]


def test_solution_refuses_a_picture_in_a_missing_folder(tmp_path):
    rc, out = run_json("solution", "colorize", "--picture", str(tmp_path / "nope" / "x.png"))
    assert rc == 2 and "does not exist" in out["error"]


def test_grade_code_gives_results_for_a_folder_even_of_one_file(tmp_path):
    (tmp_path / "only.py").write_text("def adversarial(x, t, model):\n    return x.clone()\n")
    rc, out = run_json("grade-code", "adversarial", str(tmp_path))
    assert rc == 0 and [r["file"] for r in out["results"]] == [str(tmp_path / "only.py")]
    assert out["results"][0]["score"] < out["results"][0]["max_score"] == 10


def test_grade_code_scores_an_unreadable_file_zero_with_an_error(tmp_path):
    rc, out = run_json("grade-code", "colorize", str(tmp_path / "missing.py"))
    assert rc == 0 and out["score"] == 0 and out["max_score"] == 10 and "cannot be read" in out["error"]
