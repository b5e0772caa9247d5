"""How fast and how right is `equivalence.check` on exam-sized answers?

Pairs come from derivatives of random RNN/loss programs (tanh, sigmoid, relu and unknown-g
cells; squared, perceptron, log and absolute losses): the expected answer is the engine's
derivative in the inputs; the answer is the exam's own form (intermediate names, tanh', g'),
read through the program, either as is (equal) or mutated (factor 2, sign flip, swapped
variables, kink shift, a missing path). Function pairs: for every class of function the engine
knows (hyperbolic, softplus, log/exp variants, activations, indicators and step notations), an
equal form of a random argument (sech² vs 1 − tanh², softplus' vs σ, logcosh' vs tanh, 1[z < 0]
vs Heaviside(−z)), and the same answer doubled or with its argument shifted. Baseline in the same run: plain
`sympy.simplify(expected - answer) == 0`, no numbers, run in a killed-at-deadline child.

    .venv/bin/python benchmarks/equivalence.py [--pairs 300] [--function-pairs 150] [--baseline 60] [--seed 0]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import time

import sympy

from dlexam.engines import calculus, notation
from dlexam.engines.equivalence import check

CELLS = {
    "tanh": "tanh({x}*w + {h}*u + b)",
    "sigmoid": "sigmoid({x}*w + {h}*u)",
    "relu": "relu({x}*w + {h}*u + b)",
    "g": "g({x}, {h}, w)",
}
LOSSES = ["(y - t)**2", "max(0, -y*t)", "log(1 + exp(-y*t))", "abs(y - t)"]


def random_program(rng: random.Random) -> str:
    cell, steps = rng.choice(list(CELLS)), rng.choice([2, 3])
    lines = [f"h{i} = " + CELLS[cell].format(x=f"x{i}", h=f"h{i - 1}") for i in range(1, steps + 1)]
    return "; ".join(lines + [f"y = h{steps}", f"E = {rng.choice(LOSSES)}"])


SHIFT = sympy.Rational(1, 50)


def mutations(e: sympy.Expr, rng: random.Random) -> dict[str, sympy.Expr]:
    s = notation.symbol
    out = {"factor 2": 2 * e, "sign flip": -e, "swapped x1, x2": e.xreplace({s("x1"): s("x2"), s("x2"): s("x1")})}
    kinks = list(e.atoms(sympy.Heaviside, sympy.Max, sympy.sign))
    if kinks:
        k = rng.choice(kinks)
        shifted = k.func(k.args[0] - SHIFT, *k.args[1:]) if not isinstance(k, sympy.Max) \
            else sympy.Max(*[a - SHIFT if a.free_symbols else a for a in k.args])
        out["kink shift"] = e.xreplace({k: shifted})
    if e.is_Add and len(e.args) > 1:
        out["missing path"] = sympy.Add(*e.args[1:])
    return {k: v for k, v in out.items() if v != e}


def make_pairs(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        program = calculus.parse_program(random_program(rng))
        wrt = rng.choice(["w", "u", "b", "h0", "x1"])
        if wrt not in program.inputs:
            continue
        chain = calculus.chain_rule(program, wrt)
        expected = chain.derivative
        if expected == 0:
            continue
        exam = chain.total.full  # intermediate names, tanh'/g' kept: what a student writes
        pairs.append(dict(program=program, expected=expected, answer=calculus.show(exam), equal=True, kind="equal"))
        for kind, wrong in mutations(sympy.expand(exam) if rng.random() < 0.5 else exam, rng).items():
            pairs.append(dict(program=program, expected=expected, answer=str(wrong), equal=False, kind=kind))
    rng.shuffle(pairs)
    return pairs[:n]


# class -> (expected, answer) templates in a random argument {z}
FUNCTION_CLASSES = {
    "hyperbolic": [("1 - tanh({z})^2", "sech({z})^2"), ("tanh'({z})", "sech^2({z})"),
                   ("1/sinh({z})", "csch({z})"), ("cosh({z})/sinh({z})", "coth({z})"),
                   ("log({z} + sqrt(({z})^2 + 1))", "arcsinh({z})")],
    "softplus": [("sigmoid({z})", "softplus'({z})"), ("log(1 + exp({z}))", "softplus({z})"),
                 ("{z}", "softplus({z}) - softplus(-({z}))"), ("({z})/(1 + abs({z}))", "softsign({z})")],
    "log/exp": [("tanh({z})", "logcosh'({z})"), ("log(1 + ({z})^2)", "log1p(({z})^2)"),
                ("exp({z}) - 1", "expm1({z})"), ("log(cosh({z}))", "logcosh({z})"),
                ("log(1 + ({z})^2)/log(2)", "log2(1 + ({z})^2)")],
    "activations": [("max({z}, 0.01*({z}))", "leaky_relu({z})"), ("({z})*sigmoid({z})", "swish({z})"),
                    ("max(0, {z}) + min(0, exp({z}) - 1)", "elu({z})"), ("Heaviside({z})", "relu'({z})"),
                    ("max(-1, min(1, {z}))", "hardtanh({z})"), ("({z})*(1 + erf(({z})/sqrt(2)))/2", "gelu({z})")],
    "indicators": [("Heaviside(-({z}))", "1[{z} < 0]"), ("-t*Heaviside(-({z}))", "-t if {z} < 0 else 0"),
                   ("Heaviside({z})", "step({z})"), ("Heaviside({z})", "H({z})"),
                   ("-t*Heaviside(-({z}))", "-t·𝟙[{z} < 0]"), ("Heaviside({z})", "1 if {z} > 0 else 0")],
}


def random_argument(rng: random.Random) -> str:
    a, b, c = (round(rng.uniform(-2, 2), 1) or 0.5 for _ in range(3))
    return f"{a}*x + {b}*u + {c}"


def function_pairs(n: int, seed: int) -> list[dict]:
    """Equal forms of every function class, and the answer doubled or with its argument shifted."""
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        for name, templates in FUNCTION_CLASSES.items():
            expected, answer = rng.choice(templates)
            z = random_argument(rng)
            e, a = expected.format(z=z), answer.format(z=z)
            shifted = answer.format(z=f"{z} + 0.02")
            pairs += [dict(program=None, expected=e, answer=a, equal=True, kind=f"{name}: equal"),
                      dict(program=None, expected=e, answer=f"2*({a})", equal=False, kind=f"{name}: factor 2"),
                      dict(program=None, expected=e, answer=shifted, equal=False, kind=f"{name}: shifted")]
    return pairs[:n]


def run_engine(pairs: list[dict]) -> list[tuple[float, bool | None]]:
    out = []
    for p in pairs:
        start = time.perf_counter()
        inline = p["program"].substitutions if p["program"] else None
        verdict = check(p["expected"], p["answer"], inline=inline)
        out.append(((time.perf_counter() - start) * 1000, verdict.equivalent))
    return out


def _baseline_child(expected, answer, conn):
    conn.send(sympy.simplify(expected - answer) == 0)


def run_baseline(pairs: list[dict], limit: float) -> list[tuple[float, bool | None]]:
    ctx = multiprocessing.get_context("fork")
    out = []
    for p in pairs:
        answer = notation.known_primes_exact(notation.parse_expression(p["answer"]))
        answer = p["program"].inline(answer) if p["program"] else answer
        expected = notation.parse_expression(p["expected"]) if isinstance(p["expected"], str) else p["expected"]
        start = time.perf_counter()
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_baseline_child, args=(expected, answer, send), daemon=True)
        child.start()
        result = receive.recv() if receive.poll(limit) else None
        child.kill()
        child.join()
        out.append(((time.perf_counter() - start) * 1000, result))
    return out


def summary(name: str, pairs: list[dict], results: list[tuple[float, bool | None]]) -> str:
    times = sorted(t for t, _ in results)
    right = sum(v == p["equal"] for p, (_, v) in zip(pairs, results))
    undecided = sum(v is None for _, v in results)
    false_equal = sum(v is True and not p["equal"] for p, (_, v) in zip(pairs, results))
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return (f"{name:<34}{len(times):>6}{statistics.median(times):>10.1f}{p95:>10.1f}{times[-1]:>10.1f}"
            f"{right:>8}{undecided:>8}{false_equal:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--function-pairs", type=int, default=150, help="pairs of the function classes")
    parser.add_argument("--baseline", type=int, default=60, help="pairs for the (slow) baseline")
    parser.add_argument("--baseline-limit", type=float, default=10.0, help="seconds per baseline pair")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shift", type=float, default=0.02, help="how far a kink is moved")
    args = parser.parse_args()
    global SHIFT
    SHIFT = sympy.Rational(str(args.shift))
    pairs = make_pairs(args.pairs, args.seed) + function_pairs(args.function_pairs, args.seed)
    random.Random(args.seed).shuffle(pairs)
    check("x", "x + 1")  # warm-up: first-call imports are not part of a decision
    engine = run_engine(pairs)
    kinds = sorted({p["kind"] for p in pairs})
    print(f"{len(pairs)} pairs: " + ", ".join(f"{k} {sum(p['kind'] == k for p in pairs)}" for k in kinds))
    print(f"{'method':<34}{'pairs':>6}{'median':>10}{'p95':>10}{'max ms':>10}{'right':>8}{'undec.':>8}{'false=':>8}")
    print(summary("engine check (numbers first)", pairs, engine))
    for k in kinds:
        sel = [i for i, p in enumerate(pairs) if p["kind"] == k]
        print(summary(f"  {k}", [pairs[i] for i in sel], [engine[i] for i in sel]))
    sub = pairs[:args.baseline]
    if not sub:
        return
    print(summary("engine, baseline's pairs", sub, engine[:len(sub)]))
    print(summary(f"baseline simplify(a-b)==0 (<{args.baseline_limit:g}s)", sub, run_baseline(sub, args.baseline_limit)))


if __name__ == "__main__":
    main()
