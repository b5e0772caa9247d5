"""`dlexam hessian`: a student's own error function, its Hessian, eigenvalues, κ and the largest
stable learning rate — checked against matrices the test builds and against gradient descent."""

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy


def hessian(*args):
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "hessian", *args, "--json"],
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def quadratic(h: np.ndarray, b: np.ndarray) -> str:
    """½ wᵀHw + bᵀw written out, as an exercise sheet would."""
    n = len(b)
    terms = [f"({h[i, j]})*w{i + 1}*w{j + 1}/2" for i in range(n) for j in range(n)]
    terms += [f"({b[i]})*w{i + 1}" for i in range(n)]
    return " + ".join(terms)


def test_the_contract_example():
    rc, out = hessian("((w1*1 + w2*0 - 2)**2 + (w1*0 + w2*3 + 2)**2)/2", "--wrt", "w1,w2")
    assert rc == 0
    assert out["hessian"] == [[1, 0], [0, 9]] and out["eigenvalues"] == [1, 9]
    assert out["condition_number"] == 9 and out["max_learning_rate"] == pytest.approx(2 / 9)
    assert out["exact"]["max_learning_rate"] == "2/9" and out["steps"]


@pytest.mark.parametrize("seed", range(4))
def test_random_quadratics_match_the_matrix_they_were_built_from(seed):
    rng = np.random.default_rng(seed)
    n = 2 + seed % 2
    a = rng.integers(-3, 4, size=(n, n))
    h = a.T @ a + np.eye(n, dtype=int)            # positive definite by construction
    rc, out = hessian(quadratic(h, rng.integers(-5, 6, size=n)), "--wrt", ",".join(f"w{i + 1}" for i in range(n)))
    assert rc == 0
    assert np.allclose(out["hessian"], h)
    lam = np.linalg.eigvalsh(h)
    assert np.allclose(out["eigenvalues"], lam)
    assert out["condition_number"] == pytest.approx(lam[-1] / lam[0])
    # the learning-rate limit, by running gradient descent just below and just above it
    lr, w0 = out["max_learning_rate"], rng.normal(size=n)
    for factor, converges in ((0.98, True), (1.02, False)):
        w = w0.copy()
        for _ in range(3000):
            w = w - factor * lr * (h @ w)
        assert (np.linalg.norm(w) < 1e-3 * np.linalg.norm(w0)) == converges


def test_exact_eigenvalues_are_radicals_that_equal_the_numbers():
    rc, out = hessian("w1**2/2 + w1*w2 + 2*w2**2", "--wrt", "w1,w2")     # H = [[1, 1], [1, 4]]
    assert rc == 0
    exact = [float(sympy.sympify(x)) for x in out["exact"]["eigenvalues"]]
    assert np.allclose(exact, [(5 - 13 ** 0.5) / 2, (5 + 13 ** 0.5) / 2])
    assert np.allclose(exact, out["eigenvalues"])


def test_a_non_quadratic_error_at_a_point_matches_finite_differences():
    rc, out = hessian("log(1 + exp(-(2*w1 - w2))) + (w1**2 + w2**2)/10", "--wrt", "w1,w2", "--at", "w1=1,w2=0.5")
    assert rc == 0

    def error(w):
        return np.log1p(np.exp(-(2 * w[0] - w[1]))) + (w[0] ** 2 + w[1] ** 2) / 10

    point, eps = np.array([1.0, 0.5]), 1e-4
    numeric = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            di, dj = np.eye(2)[i] * eps, np.eye(2)[j] * eps
            numeric[i, j] = (error(point + di + dj) - error(point + di - dj) - error(point - di + dj)
                             + error(point - di - dj)) / (4 * eps * eps)
    assert np.allclose(out["hessian"], numeric, atol=1e-5)


def test_a_saddle_has_no_condition_number_and_no_stable_learning_rate():
    rc, out = hessian("w1**2 - w2**2", "--wrt", "w1,w2")
    assert rc == 0 and out["eigenvalues"] == [-2, 2]
    assert out["condition_number"] is None and out["max_learning_rate"] is None


@pytest.mark.parametrize("args", [
    ["w1 +", "--wrt", "w1"],                        # does not parse
    ["w1*x", "--wrt", "w1"],                        # a symbol without a value
    ["g(w1)", "--wrt", "w1"],                       # an unknown function
    ["abs(w1)", "--wrt", "w1"],                     # a kink at the point
    ["1/w1", "--wrt", "w1"],                        # a pole at the point
    ["w1**2", "--wrt", "w1", "--at", "w3=1"],       # a point outside --wrt
    ["w1**2", "--wrt", "w1", "--at", "w1=abc"],     # not a number
    ["w1**1000000000", "--wrt", "w1", "--at", "w1=3"],   # a billion-digit integer
    ["w1**2", "--wrt", ""],
])
def test_bad_input_is_one_sentence_and_exit_2(args):
    rc, out = hessian(*args)
    assert rc == 2 and out["error"].endswith(".") and "\n" not in out["error"]
