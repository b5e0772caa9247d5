"""Exam task 5(a): the classifier, the reference attacks, the grader on its corpus, the family.

The corpus (tests/submissions/adversarial/) is graded once, in parallel, with one warm sandbox
pool shared by the module; each test then asserts the score a careful human would give and that
the message names the failing check.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import torch

from dlexam.engines.sandbox import Limits, SandboxPool
from dlexam.errors import InputError
from dlexam.errors import VerificationError
from dlexam.grading.code import message_of, run_trusted
from dlexam.tasks.adversarial.checks import POINTS, grade_source
from dlexam.tasks.adversarial.reference import EXAM, Settings, reference
from dlexam.solutions.attack import (
    binary_margin,
    posed_attack,
    posed_objective,
    posed_source,
    strong_attack,
)
from dlexam.solutions.classifier import binary_classifier
from dlexam.tasks.model import Answer, Solution
from dlexam.tasks.registry import family

CORPUS = Path(__file__).parent / "submissions" / "adversarial"
TIMEOUT = 8.0


def grade(task: str, source: str, file: str, seed: int | None, pool, timeout: float = TIMEOUT):
    """What `dlexam grade-code` runs for one file: the family's code checks."""
    return family(task).grade_file(source, file, seed, pool, timeout)


def numpy_scores(settings: Settings, x: torch.Tensor, t: torch.Tensor) -> np.ndarray:
    """t·f(x) by a float64 NumPy forward pass: a second method, independent of torch."""
    w1, b1, w2, b2 = (v.numpy().astype(np.float64)
                      for v in binary_classifier(settings.positive, settings.negative).spec.state_dict.values())
    hidden = np.maximum(0, x.numpy().astype(np.float64) @ w1.T + b1)
    return ((hidden @ w2.T + b2) * t.numpy()).ravel()


# ---------------------------------------------------------------- classifier and reference attacks
def test_binary_classifier_is_accurate_and_deterministic():
    classifier = binary_classifier(3, 8)
    assert classifier.test_accuracy >= 0.95
    again = binary_classifier.__wrapped__(3, 8)
    for name, value in classifier.spec.state_dict.items():
        assert torch.equal(value, again.spec.state_dict[name])
    scores = numpy_scores(EXAM, torch.from_numpy(classifier.x_test), torch.from_numpy(classifier.t_test)[:, None])
    assert np.mean(scores > 0) == pytest.approx(classifier.test_accuracy)


def test_posed_attack_reaches_the_boundary_and_lowers_the_objective():
    ref = reference(EXAM)
    x, t = ref.x[:8], ref.t[:8]
    model = binary_classifier(3, 8).build()
    z = posed_attack(x, t, model)
    before, after = numpy_scores(EXAM, x, t), numpy_scores(EXAM, z, t)
    assert (before > 0).all()
    assert np.mean(after < 0) >= 0.75                      # flipped, most of them
    assert (after <= 0.1 * before).all()                   # all at least on the boundary
    objective = ((x - z) ** 2).sum(1).numpy() + np.maximum(0, after)
    assert (objective < np.maximum(0, before)).all()
    assert torch.allclose(posed_objective(x, z, t, model), torch.from_numpy(objective).float(), atol=1e-4)


def test_posed_source_is_the_posed_attack():
    ref = reference(EXAM)
    model = binary_classifier(3, 8).build()
    namespace: dict = {}
    exec(posed_source(), namespace)  # noqa: S102 - the project's own reference code
    z = namespace["adversarial"](ref.x[:4].clone(), ref.t[:4].clone(), model)
    assert torch.allclose(z, posed_attack(ref.x[:4], ref.t[:4], model), atol=1e-5)


def test_strong_attack_flips_everything_with_smaller_perturbations_in_the_box():
    ref = reference(EXAM)
    x, t = ref.x[:8], ref.t[:8]
    model = binary_classifier(3, 8).build()
    result = strong_attack(x, model, binary_margin(t))
    after = numpy_scores(EXAM, result.z, t)
    assert result.success.all() and (after < 0).all()
    assert ((result.z >= 0) & (result.z <= 1)).all()
    assert torch.allclose(result.distance, (result.z - x).norm(dim=1), atol=1e-5)
    posed = (ref.z[:8] - x).norm(dim=1)
    assert result.distance.mean() <= posed.mean()


# ---------------------------------------------------------------- the corpus
@pytest.fixture(scope="module")
def pool():
    with SandboxPool(size=2, limits=Limits(output_bytes=32 << 10)) as p:
        yield p


@pytest.fixture(scope="module")
def graded(pool):
    reference(EXAM)
    files = sorted(CORPUS.glob("*.py"))

    def one(path: Path):
        return path.stem, grade("adversarial", path.read_text(), path.name, None, pool, timeout=TIMEOUT)

    with ThreadPoolExecutor(2) as workers:
        return dict(workers.map(one, files))


def failing(result) -> dict[str, str]:
    return {p.name: message_of(p) for p in result.parts if not p.passed}


@pytest.mark.parametrize("name", ["clean_sgd", "clamped", "seed_student_corrected", "prints_megabytes"])
def test_correct_submissions_get_full_marks(graded, name):
    result = graded[name]
    assert result.max_points == 10
    assert result.points == 10, failing(result)
    assert result.error is None


def test_sheet_alias_and_name_typo_cost_nothing_but_are_mentioned(graded):
    messages = " ".join(p.feedback for p in graded["seed_student_corrected"].parts)
    assert "torch.nn.SGD" in messages and "advesarial()" in messages


def test_printing_megabytes_is_truncated_not_penalised(graded):
    assert "truncated" in graded["prints_megabytes"].parts[0].feedback


def test_adam_where_sgd_is_asked_loses_only_the_optimiser_point(graded):
    result = graded["adam"]
    assert result.points == 9
    assert set(failing(result)) == {"optimiser and iterations"}
    assert "Adam" in failing(result)["optimiser and iterations"]


@pytest.mark.parametrize("name, low, high, failed, words", [
    ("optimises_model", 2, 4, "model unchanged", "optimise z, not the model"),
    ("no_requires_grad", 3, 5, "decision flipped", "nothing was attacked"),
    ("returns_x", 3, 5, "decision flipped", "nothing was attacked"),
    ("wrong_sign", 3, 5, "decision flipped", "nothing was attacked"),
    ("no_zero_grad", 5, 8.5, "perturbation small", "the posed reference's"),
    ("no_distance", 6.5, 8.5, "objective minimised", "of its decrease"),
    ("modifies_x", 5.5, 7.5, "x not modified", "changed x in place"),
])
def test_classic_mistakes_lose_the_right_points(graded, name, low, high, failed, words):
    result = graded[name]
    assert low <= result.points <= high, (result.points, failing(result))
    assert result.error is None
    assert failed in failing(result)
    assert words in failing(result)[failed]


def test_no_zero_grad_overshoots(graded):
    message = failing(graded["no_zero_grad"])["perturbation small"]
    ratio = float(message.split("(")[1].split("×")[0])
    assert ratio > 3


def test_fakes_are_seen_through(graded):
    result = graded["fakes_result"]
    assert result.points == 0 and "replaced torch's own functions" in result.error
    assert "Module.__call__" in result.error


@pytest.mark.parametrize("name, words", [
    ("seed_student_as_written", "does not parse"),
    ("torch_max_misuse", "TypeError"),
    ("sys_exit", "sys.exit(0)"),
    ("reads_grader_files", "No such file"),
    ("fork_bomb", "starting a process: os.fork"),  # refused at once: a blocked attempt
    ("allocates_20gb", "memory"),
    ("opens_socket", "Error"),
    ("writes_outside", "Error"),
    ("kills_parent", "PermissionError"),
])
def test_broken_and_hostile_files_get_zero_with_every_check_listed(graded, name, words):
    result = graded[name]
    assert result.points == 0 and result.max_points == 10
    assert [p.name for p in result.parts] == list(POINTS)
    assert result.error and words in result.error
    assert "\n" not in result.error


def test_a_hanging_submission_scores_zero_and_says_why(graded):
    result = graded["infinite_loop"]
    assert result.points == 0 and "did not finish within" in result.error   # CPU or wall limit (sandbox)


def test_the_pool_still_serves_after_the_hostile_corpus(graded, pool):
    source = (CORPUS / "clean_sgd.py").read_text()
    assert grade("adversarial", source, "again.py", None, pool, timeout=TIMEOUT).points == 10


def test_a_variant_asking_for_adam_accepts_the_adam_submission(pool):
    fam = family("adversarial")
    seed = next(s for s in range(500) if fam.generate(s).data == {
        **fam.generate(s).data, "optimizer": "Adam", "steps": 1000, "kappa": 0.0})
    result = grade("adversarial", (CORPUS / "adam.py").read_text(), "adam.py", seed, pool, timeout=TIMEOUT)
    assert result.points == 10, failing(result)


def test_code_checks_carry_their_numbers_as_evidence(graded):
    flip = next(p for p in graded["no_zero_grad"].parts if p.name == "decision flipped")
    assert flip.evidence["inputs"] == 16 and 0 <= flip.evidence["attacked"] <= 16
    size = next(p for p in graded["no_zero_grad"].parts if p.name == "perturbation small")
    assert size.evidence["passed"] is False and size.evidence["ratio"] > 3


# ---------------------------------------------------------------- the task family
def test_family_grades_the_same_in_the_sandbox_as_in_process(pool):
    fam = family("adversarial")
    variant = fam.generate(3)
    settings = fam.settings(variant)
    solution = fam.solve(variant).answer.parts["code"]
    wrong = fam.perturb(variant, Answer({"code": solution}), random.Random(1)).parts["code"]
    for code in (solution, wrong):
        trusted = grade_source(code, settings, runner=run_trusted)
        boxed = grade_source(code, settings, pool, timeout=TIMEOUT)
        assert trusted.points == pytest.approx(boxed.points, abs=0.5), (trusted.to_json(), boxed.to_json())
    assert grade_source(solution, settings, pool, timeout=TIMEOUT).points == 10


def test_verify_judges_other_code_in_the_sandbox():
    """A correct attack the family did not write runs in the sandbox and passes; returning x does not."""
    fam = family("adversarial")
    variant = next(fam.generate(s) for s in range(100) if fam.generate(s).data["optimizer"] == "SGD"
                   and fam.generate(s).data["steps"] == 200)
    solution = fam.solve(variant)
    other = solution.answer.parts["code"].replace("optim.step()", "optim.step()  # mine")
    fam.verify(variant, Solution(Answer({"code": other}), solution.steps, other))
    with pytest.raises(VerificationError):
        wrong = other.replace("return z.detach()", "return x.clone()")
        fam.verify(variant, Solution(Answer({"code": wrong}), solution.steps, wrong))


def test_family_reads_a_file_path_and_refuses_garbage(tmp_path):
    fam = family("adversarial")
    variant = fam.generate(0)
    path = tmp_path / "mine.py"
    path.write_text((CORPUS / "clean_sgd.py").read_text())
    assert "def adversarial" in fam.parse_answer(variant, str(path)).parts["code"]
    for text in ("def f(:", "x = 1", str(tmp_path / "missing.py")):
        with pytest.raises(InputError):
            fam.parse_answer(variant, text)


def test_family_skeleton_keeps_the_sheets_slip():
    fam = family("adversarial")
    exam_like = next(fam.generate(s) for s in range(100) if fam.generate(s).data["optimizer"] == "SGD")
    assert "torch.nn.SGD" in fam.render(exam_like, "text")


def test_attack_picture_is_written(tmp_path):
    from dlexam.solutions.attack import attack_picture

    path = tmp_path / "attack.png"
    attack_picture(str(path), count=2)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- points rest on facts read outside
@pytest.mark.parametrize("line, written", [
    ("z = x.clone().detach().requires_grad_(True)", False),
    ("z = x.detach().clone().requires_grad_(True)", False),
    ("z = x.detach().requires_grad_(True)", True),        # detach() shares x's storage: SGD steps change x
    ("z = torch.nn.Parameter(x)", True),
    ("z = x", True),
])
def test_writing_into_x_is_read_from_the_source(line, written):
    from dlexam.tasks.adversarial.running import x_written

    source = (f"import torch\n\ndef adversarial(x, t, model):\n    {line}\n"
              f"    optim = torch.optim.SGD([z], lr=0.01)\n    return z\n")
    assert (x_written(source, "adversarial") is not None) == written


def test_an_x_reported_unchanged_does_not_earn_the_point_when_the_source_writes_into_x():
    """The run says x is unchanged after the call (as a frame trick can make it say); the source shows
    that every step of the optimiser writes into x: the point is not given."""
    from dlexam.engines.sandbox import Observations, RunResult
    from dlexam.tasks.adversarial import running
    from dlexam.tasks.adversarial.checks import judge

    source = (CORPUS / "modifies_x.py").read_text()
    ref = reference(EXAM)
    seen = Observations(steps=2000, forward=2000, zero_grad=2000, backward=2000, optimizers=["SGD", "SGD"])
    returned = {"z": ref.z.clone(), "x_after": ref.x.clone(), "probe_z": ref.probe_x.clone()}
    state = binary_classifier(EXAM.positive, EXAM.negative).spec.state_dict
    result = judge(EXAM, ref, running.read_source(source), RunResult("ok", "", returned=returned, state_dict=state,
                                                                      observations=seen))
    x_part = next(p for p in result.parts if p.name == "x not modified")
    assert x_part.points == 0 and "read from the source" in x_part.feedback


def test_a_home_made_sgd_counting_steps_does_not_earn_the_optimiser_point():
    from dlexam.engines.sandbox import Observations, RunResult
    from dlexam.tasks.adversarial import running
    from dlexam.tasks.adversarial.checks import judge

    source = ("import torch\n\nclass SGD(torch.optim.SGD):\n    pass\n\n"
              "def adversarial(x, t, model):\n    z = x.clone().requires_grad_(True)\n"
              "    optim = SGD([z], lr=0.0)\n    return z.detach()\n")
    ref = reference(EXAM)
    seen = Observations(steps=2000, forward=2000, optimizers=["SGD", "SGD"])
    returned = {"z": ref.z.clone(), "x_after": ref.x.clone(), "probe_z": ref.probe_x.clone()}
    state = binary_classifier(EXAM.positive, EXAM.negative).spec.state_dict
    result = judge(EXAM, ref, running.read_source(source), RunResult("ok", "", returned=returned, state_dict=state,
                                                                      observations=seen))
    part = next(p for p in result.parts if p.name == "optimiser and iterations")
    assert part.points == 0 and "defines its own" in part.feedback


def test_the_answer_text_is_graded_in_process_and_once():
    """The solution as typed (stripped by parse_answer) is the family's own code: no sandbox, one grade."""
    from dlexam.tasks.adversarial import family as module

    fam = family("adversarial")
    variant = fam.generate(5)
    typed = fam.parse_answer(variant, fam.solve(variant).answer_text)
    assert typed.parts["code"] != fam.solve(variant).answer.parts["code"]   # not byte-identical
    before = len(module._cache)
    assert fam.grade(variant, typed).points == 10
    assert fam.grade(variant, fam.solve(variant).answer).points == 10
    assert len(module._cache) - before <= 2


def test_the_reference_grade_is_the_grade_of_running_the_reference():
    from dlexam.tasks.adversarial.checks import grade_reference

    settings = Settings(steps=200)
    ran = grade_source(posed_source(200), settings, runner=run_trusted)
    graded = grade_reference(settings)
    assert [p.points for p in graded.parts] == [p.points for p in ran.parts] and graded.points == 10
    for mine, theirs in zip(graded.parts, ran.parts):   # the same numbers, up to float noise of the batch size
        for key, value in mine.evidence.items():
            if isinstance(value, float):
                assert value == pytest.approx(theirs.evidence[key], rel=1e-3, abs=1e-5), (mine.name, key)
