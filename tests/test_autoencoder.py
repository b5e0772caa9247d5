"""Exam task 5(b): the reference, the grader's model, and grading the corpus of real-style answers.

The corpus (tests/submissions/{colorize,inpaint}/*.py) is graded once per module, in parallel,
with the exam's task (SGD, 1000 iterations, lr 0.004, a centred 16×16 square) on fewer crops
than the real grader uses (`small_settings`); one test grades with the real exam settings.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import torch

from dlexam.engines.sandbox import Limits, SandboxPool
from dlexam.engines.threads import torch_threads
from dlexam.grading.code import message_of
from dlexam.tasks.autoencoder.checks import grade_source
from dlexam.tasks.autoencoder.input_check import find_square
from dlexam.tasks.autoencoder.grader_data import data
from dlexam.tasks.autoencoder.settings import small_settings
from dlexam.tasks.autoencoder.source_reading import read_input
from dlexam.tasks.registry import family
from dlexam.solutions.autoencoder import (
    grader_layers,
    grader_model,
    grey,
    identity_init,
    mask_square,
    reference_source,
    train_reference,
)

CORPUS = Path(__file__).parent / "submissions"

# file -> (lowest score, highest score, checks that must fail, error expected)
ALL_COLORIZE = {"runs", "grey input", "zero_grad", "SGD and lr", "iterations", "loss falls", "beats baseline"}
ALL_INPAINT = {"runs", "mask", "zero_grad", "SGD and lr", "iterations", "fills the hole"}
EXPECTED = {
    "colorize/correct_seed.py": (10, 10, set(), False),
    "colorize/correct_loop.py": (10, 10, set(), False),
    "colorize/prints_megabytes.py": (10, 10, set(), False),
    "colorize/luminance.py": (9, 9, {"grey input"}, False),
    "colorize/no_zero_grad.py": (5, 8, {"zero_grad"}, False),
    "colorize/wrong_lr.py": (8, 9, {"SGD and lr"}, False),
    "colorize/few_iterations.py": (6, 9, {"iterations"}, False),
    "colorize/sum_not_mean.py": (4, 6, {"grey input", "beats baseline"}, False),
    "colorize/crash_loss_fn.py": (0, 0, ALL_COLORIZE, True),
    "colorize/trains_on_X.py": (0, 0, ALL_COLORIZE, True),
    "colorize/infinite_loop.py": (0, 0, ALL_COLORIZE, True),
    "colorize/syntax_error.py": (0, 0, ALL_COLORIZE, True),
    "inpaint/correct_seed.py": (10, 10, set(), False),
    "inpaint/correct_mask_tensor.py": (10, 10, set(), False),
    "inpaint/seed_crash.py": (0, 0, ALL_INPAINT, True),
    "inpaint/wrong_position.py": (4, 4, {"mask", "fills the hole"}, False),   # the corner: 8 before the replay
    "inpaint/mask_not_applied.py": (4, 4, {"mask", "fills the hole"}, False),
    "inpaint/no_zero_grad.py": (7, 9, {"zero_grad"}, False),
    "inpaint/few_iterations.py": (7, 9, {"iterations"}, False),
    "inpaint/adam.py": (9, 9, {"SGD and lr"}, False),
}
MESSAGE_HAS = {  # words the failing check's message must contain (numbers observed, the mistake)
    ("colorize/luminance.py", "grey input"): ["luminance", "mean over RGB"],
    ("colorize/no_zero_grad.py", "zero_grad"): ["never called", "1000 steps"],
    ("colorize/wrong_lr.py", "SGD and lr"): ["0.04", "0.004"],
    ("colorize/few_iterations.py", "iterations"): ["100 optimizer steps", "1000"],
    ("colorize/sum_not_mean.py", "grey input"): ["sum over RGB"],
    ("colorize/crash_loss_fn.py", "grey input"): ["TypeError"],
    ("colorize/infinite_loop.py", "runs"): ["did not finish"],
    ("inpaint/wrong_position.py", "mask"): ["rows 0:16, columns 0:16"],
    ("inpaint/mask_not_applied.py", "mask"): ["first loss was 0"],
    ("inpaint/seed_crash.py", "mask"): ["TypeError"],
    ("inpaint/adam.py", "SGD and lr"): ["Adam"],
}


@pytest.fixture(scope="module")
def executor():
    # Lives as long as the pool: a sandbox started (as a refill) from a worker thread is killed
    # when that thread exits (bwrap --die-with-parent follows the thread), so the threads must
    # outlive the pool's sandboxes.
    with ThreadPoolExecutor(2) as workers:
        yield workers


@pytest.fixture(scope="module")
def pool(executor):
    with SandboxPool(size=2, limits=Limits(output_bytes=32 << 10)) as p:
        yield p


@pytest.fixture(scope="module")
def corpus(pool, executor):
    def grade(name):
        task = name.split("/")[0]
        settings = small_settings(task, timeout=6.0) if "infinite" in name else small_settings(task)
        return name, grade_source(settings, (CORPUS / name).read_text(), pool)

    return dict(executor.map(grade, sorted(EXPECTED)))


def test_corpus_files_are_all_listed():
    files = [p for task in ("colorize", "inpaint") for p in (CORPUS / task).glob("*.py")]
    assert sorted(str(p.relative_to(CORPUS)) for p in files) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_scores_and_messages(corpus, name):
    low, high, failing, error = EXPECTED[name]
    result = corpus[name]
    summary = "\n".join(f"{p.name}: {p.points}/{p.max_points} {p.feedback}" for p in result.parts)
    print(f"\n{name}: {result.points:g} ({', '.join(f'{p.name} {p.points:g}' for p in result.parts)})")
    assert low <= result.points <= high, summary
    assert result.max_points == 10
    assert {p.name for p in result.parts if not p.passed} >= failing, summary
    assert (result.error is not None) == error, result.error
    if not failing:
        assert all(p.passed for p in result.parts), summary
    for (file, check), words in MESSAGE_HAS.items():
        if file == name:
            message = next(message_of(p) for p in result.parts if p.name == check)
            assert all(w in message for w in words), message
    assert result.to_json()["points"] == result.points
    assert all(isinstance(p.evidence["passed"], bool) for p in result.parts)


def test_exam_settings_grade_the_seed_answer_fully(pool):
    """The real grading: 32 crops of 16 px (colorize), 1000 SGD steps at lr 0.004 in the sandbox."""
    source = (CORPUS / "colorize/correct_seed.py").read_text()
    result = family("colorize").grade_file(source, "seed.py", None, pool)
    assert result.points == 10, [p.feedback for p in result.parts]
    baseline = next(p for p in result.parts if p.name == "beats baseline")
    assert "reaches what the asked training reaches" in baseline.feedback
    assert baseline.evidence["held_out_mse"] < 0.95 * baseline.evidence["baseline_mse"]
    assert baseline.evidence["ratio_to_replay"] == pytest.approx(1, abs=1e-3)


def test_seed_crash_with_exam_settings_scores_zero_and_says_why(pool):
    source = (CORPUS / "inpaint/seed_crash.py").read_text()
    result = family("inpaint").grade_file(source, "seed.py", None, pool)
    assert result.error and "TypeError" in result.error
    assert result.points == 0 and result.max_points == 10


def test_untrained_grader_model_is_exactly_the_trivial_baseline():
    torch.manual_seed(0)
    X = torch.rand(4, 3, 24, 24)
    layers, state = grader_model("colorize")
    model = _build(layers)
    model.load_state_dict(state)
    expected = X.mean(dim=1, keepdim=True).repeat(1, 3, 1, 1)   # independent: repeat, not expand
    assert torch.equal(model(grey(X)), expected)
    model = identity_init(_build(grader_layers("inpaint")), "inpaint")
    masked = X.clone()
    masked[:, :, 4:20, 4:20] = 0
    assert torch.equal(model(mask_square(X)), masked)


def test_reference_training_beats_the_baseline_in_process():
    """The tuning: 200 of the exam's SGD steps (lr 0.004) already beat the grey copy on held-out photos."""
    settings = small_settings("colorize")
    X, X_test = data(settings)
    model = identity_init(_build(grader_layers("colorize", settings.hidden)), "colorize")
    with torch_threads(1):
        losses = train_reference("colorize", X, model, iterations=200, lr=0.004)
    assert losses[-1] < 0.85 * losses[0]
    with torch.no_grad():
        model_mse = torch.nn.functional.mse_loss(model(grey(X_test)), X_test)
    grey_copy = ((X_test - X_test.mean(dim=1, keepdim=True)) ** 2).mean()
    assert model_mse < 0.95 * grey_copy


def _build(layers):
    from dlexam.engines.sandbox import build_model
    return build_model(layers)


@pytest.mark.parametrize("line, fraction", [
    ("X_missing[:, :, start:start + 16, start:start + 16] = 0", 1.0),
    ("X_missing[:, :, 4:20, 4:20] = 0", 1.0),
    ("X_missing[:, :, S//2 - 8:S//2 + 8, S//2 - 8:S//2 + 8] = 0", 1.0),
    ("X_missing[:, :, 0:16, 0:16] = 0", 0.0),
    ("X_missing[:, :, start:start + 8, start:start + 8] = 0", 0.0),
    ("X_missing[:, :, f(start):20, 4:20] = 0", 0.5),
])
def test_mask_read_from_code(line, fraction):
    source = ("def train(X, model):\n    X_missing = X.clone()\n    S = X.shape[2]\n    start = S // 2 - 8\n"
              f"    {line}\n    loss_fn(out, out, X)\n")
    assert read_input(small_settings("inpaint"), source)[0] == fraction


def test_grey_read_from_code():
    settings = small_settings("colorize")
    assert read_input(settings, reference_source("colorize"))[0] == 1.0
    assert read_input(settings, "def train(X, model):\n    g = X.mean(1, keepdim=True)\n")[0] == 1.0
    assert read_input(settings, "def train(X, model):\n    g = X.mean(0)\n")[0] == 0.0
    assert read_input(settings, "def train(images, model):\n    g = X.mean(1)\n")[0] == 0.0


def test_zeroed_square_is_found_from_its_start_loss():
    torch.manual_seed(1)
    X = torch.rand(3, 3, 24, 24)
    for side, offset in ((16, (0, 0)), (16, (-4, -4)), (8, (3, -2))):
        loss = float(((mask_square(X, side, offset) - X) ** 2).mean())   # the identity model's loss
        assert find_square(X, loss, 24) == (side, *offset)


def test_verify_judges_other_code_in_the_sandbox():
    """Code the family did not write trains in the sandbox and is redone by hand; a wrong lr fails."""
    from dlexam.errors import VerificationError
    from dlexam.tasks.model import Answer, Solution

    fam = family("colorize")
    variant = next(fam.generate(s) for s in range(50) if fam.generate(s).data["iterations"] == 250)
    solution = fam.solve(variant)
    other = solution.answer.parts["code"].replace("optim.step()", "optim.step()  # mine")
    fam.verify(variant, Solution(Answer({"code": other, "limitations": ""}), solution.steps, other))
    wrong = other.replace("loss_fn(output, X)", "loss_fn(output, X) * 2")
    with pytest.raises(VerificationError):
        fam.verify(variant, Solution(Answer({"code": wrong, "limitations": ""}), solution.steps, wrong))


def test_points_are_the_code_checks_and_the_limitations():
    from dlexam.tasks.autoencoder.points import CODE_POINTS
    from dlexam.tasks.autoencoder.limitations import RUBRIC

    for name in ("colorize", "inpaint"):
        task = family(name).task
        assert family(name).points == sum(CODE_POINTS[task].values()) + len(RUBRIC) == 13


# ---------------------------------------------------------------- points rest on the replay, not on observations
MASKED = ("    X_missing = X.clone()\n    start = X.shape[2] // 2 - 8\n"
          "    X_missing[:, :, start:start + 16, start:start + 16] = 0\n")
HAND_WRITTEN_UPDATE = ("import torch\n\n\ndef train(X, model):\n"
                       "    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.004)\n"
                       "    loss_fn = torch.nn.MSELoss()\n" + MASKED +
                       "    for i in range(1000):\n        dummy.zero_grad()\n        model.zero_grad()\n"
                       "        loss = loss_fn(model(X_missing), X)\n        loss.backward()\n"
                       "        with torch.no_grad():\n            for p in model.parameters():\n"
                       "                p -= 0.04 * p.grad   # its own update, 10x the asked lr\n"
                       "        dummy.step()   # counted: SGD, lr 0.004, 1000 steps\n")


def _small_inpaint():
    return small_settings("inpaint")


def test_a_dummy_sgd_counting_the_steps_gets_no_procedural_points(pool):
    """The hooks see SGD, lr 0.004, 1000 steps and zero_grad; the weights are another training's."""
    settings = _small_inpaint()
    result = grade_source(settings, HAND_WRITTEN_UPDATE, pool)
    parts = {p.name: p for p in result.parts}
    assert parts["mask"].points == parts["SGD and lr"].points == parts["zero_grad"].points == 0, result.feedback
    assert parts["iterations"].points == 0
    assert "not those of the asked training" in parts["mask"].feedback
    assert parts["mask"].evidence["replay_distance"] > 0.01
    assert result.points <= 3


def test_forged_observations_cannot_award_points():
    """A result frame claiming the asked procedure (every hook as for the reference) with other weights."""
    from dlexam.engines.sandbox import Observations, RunResult
    from dlexam.tasks.autoencoder.checks import judge
    from dlexam.tasks.autoencoder.replay import ASKED, Procedure, replay

    settings = _small_inpaint()
    X, _ = data(settings)
    first = float(torch.nn.functional.mse_loss(mask_square(X), X))
    seen = Observations(zero_grad=1000, steps=1000, backward=1000, forward=1000, optimizers=["SGD"],
                        lrs=[0.004] * 1000, losses=[first], events="ZFBS" * 1000, tampered=[])
    other = replay(settings, Procedure(lr=0.02))
    forged = judge(settings, RunResult("ok", "", state_dict=other, observations=seen))
    parts = {p.name: p for p in forged.parts}
    assert all(parts[name].points == 0 for name in ("mask", "zero_grad", "SGD and lr", "iterations"))
    right = judge(settings, RunResult("ok", "", state_dict=replay(settings, ASKED), observations=seen))
    assert right.points == 10, right.feedback


def test_observations_say_which_step_differs_and_its_replay_establishes_the_rest():
    """lr 0.04 observed, the weights are those of the asked training at lr 0.04: only the lr point is lost."""
    from dlexam.engines.sandbox import Observations, RunResult
    from dlexam.tasks.autoencoder.checks import judge
    from dlexam.tasks.autoencoder.replay import Procedure, replay

    settings = small_settings("colorize")
    X, _ = data(settings)
    first = float(((grey(X) - X) ** 2).mean())
    seen = Observations(zero_grad=1000, steps=1000, backward=1000, optimizers=["SGD"], lrs=[0.04] * 1000,
                        losses=[first], events="ZFBS" * 1000)
    result = judge(settings, RunResult("ok", "", state_dict=replay(settings, Procedure(lr=0.04)), observations=seen))
    failing = {p.name for p in result.parts if not p.passed}
    assert failing == {"SGD and lr"}, result.feedback
    assert "0.04" in next(p.feedback for p in result.parts if p.name == "SGD and lr")


def test_the_family_grades_its_own_code_in_process_like_the_sandbox(pool):
    """The trusted in-process run of the reference and the sandboxed one get the same grade (the replay)."""
    from dlexam.tasks.autoencoder.checks import trusted_runner

    settings = _small_inpaint()
    source = reference_source("inpaint")
    trusted = grade_source(settings, source, runner=trusted_runner)
    boxed = grade_source(settings, source, pool)
    assert trusted.points == boxed.points == 10, (trusted.feedback, boxed.feedback)
    crash = source.replace("loss_fn(output, X)", "loss_fn(output, output, X)")
    assert grade_source(settings, crash, runner=trusted_runner).error.startswith("TypeError")


def test_the_corner_mask_fills_the_centre_worse_than_the_asked_training(corpus):
    hole = next(p for p in corpus["inpaint/wrong_position.py"].parts if p.name == "fills the hole")
    right = next(p for p in corpus["inpaint/correct_seed.py"].parts if p.name == "fills the hole")
    assert hole.evidence["ratio_to_replay"] > 1.2 and right.evidence["ratio_to_replay"] == pytest.approx(1, abs=0.01)
    for p in (hole, right):
        assert p.evidence["held_out_mse_whole"] < p.evidence["held_out_mse"]   # the hole is the hard part
        assert p.evidence["mean_colour_mse"] < p.evidence["baseline_mse"]


# ---------------------------------------------------------------- the limitations rubric
@pytest.mark.parametrize("text, points", [
    ("MSE averages all plausible colours, so results are blurry. Colour is ambiguous from grey. "
     "With 500 images it risks overfitting.", 3),
    ("MSE gives sharp results. The colour is uniquely determined by the grey value. "
     "500 images are enough to avoid overfitting.", 0),
    ("The output is not blurry.", 0),
    ("The mask is fixed, so the model only learns to fill the centre.", 1),
])
def test_limitations_claims_that_contradict_a_point_earn_nothing(text, points):
    from dlexam.tasks.autoencoder.limitations import grade_limitations

    graded = grade_limitations(text)
    assert graded.points == points, graded.feedback
    if points == 0 and "sharp" in text:
        assert len(graded.evidence["contradicted"]) == 3


# ---------------------------------------------------------------- the reference program
def test_reference_unet_fills_each_hole_from_its_photo_better_than_its_mean_colour():
    from dlexam.solutions.autoencoder import UNet, held_out_numbers
    from dlexam.solutions.data import image_crops

    X = torch.from_numpy(image_crops(128, 24, "train", seed=0))
    X_test = torch.from_numpy(image_crops(64, 24, "test", seed=1))
    torch.manual_seed(0)
    model = UNet(3)
    with torch_threads(1):
        train_reference("inpaint", X, model, 120, 0.002, batch=16, optimizer="Adam")
    numbers, _, filled = held_out_numbers("inpaint", model, X_test)
    assert numbers["hole_mse"] < 0.95 * numbers["mean_colour_hole_mse"] < numbers["zero_fill_hole_mse"]
    # fills follow each photo: the fill's colour correlates with the truth's across images
    r, c = 4, 4
    fill = filled[:, :, r:r + 16, c:c + 16].mean(dim=(2, 3))
    truth = X_test[:, :, r:r + 16, c:c + 16].mean(dim=(2, 3))
    for channel in range(3):
        assert torch.corrcoef(torch.stack([fill[:, channel], truth[:, channel]]))[0, 1] > 0.8


def test_the_reference_code_run_in_process_is_the_replay():
    """What lets the family grade its own reference by the replay: running it gives the replay's weights."""
    from dlexam.engines.sandbox import Job, ModelSpec
    from dlexam.tasks.autoencoder.checks import trusted_runner
    from dlexam.tasks.autoencoder.replay import distance
    from dlexam.tasks.autoencoder.grader_data import model_state

    for task in ("colorize", "inpaint"):
        settings = small_settings(task, iterations=250, lr=0.016)
        layers, state = model_state(settings)
        job = Job("train", ("X", "model"), {"X": data(settings)[0].clone()}, ModelSpec(layers, state), return_state=True)
        run = trusted_runner(reference_source(task, 250, 0.016), job, 0.0)
        assert distance(settings, run.state_dict) < 1e-6
