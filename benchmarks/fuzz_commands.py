"""Fuzz every command's parser: no traceback, no exit status but 0 or 2, nothing over its time limit.

Not for CI: it runs for minutes. Hypothesis generates argument lists per command, from three
sources mixed: formula-like text (names, numbers, operators, brackets, the exam's functions,
LaTeX and Unicode spellings), structured nesting (st.recursive), and hostile shapes (a token
repeated thousands of times, long names, deep brackets, huge numbers). Each input runs in this
process through `dlexam.cli.main`, as the user's shell would, with --json.

    .venv/bin/python benchmarks/fuzz_commands.py [--minutes 4] [--commands equiv,derive,...] [--seed 0]

Prints, per command: inputs tried, exit statuses seen, the slowest input and its time, and
every problem (a status other than 0/2, a traceback, output that is not one JSON object, an
error that is not one sentence, or a run longer than the time limit plus GRACE).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

os.environ.setdefault("DLEXAM_STORE", os.path.join(tempfile.mkdtemp(prefix="dlexam-fuzz-"), "store.db"))

from dlexam import cli  # noqa: E402

GRACE = 3.0  # seconds beyond a command's limit (process work outside the limit, a loaded machine)
LIMITS = {"equiv": 1.0, "derive": 5.0, "pieces": 5.0, "hessian": 5.0, "layer": 5.0}
UNLIMITED = 20.0  # commands without --time-limit: question, grade, exam --plan

# ---------------------------------------------------------------- strategies

NAMES = ["x", "y", "t", "w", "b", "x1", "x2", "h0", "h1", "theta", "w1", "w2", "e", "pi", "z", "g", "H", "σ"]
FUNCTIONS = ["tanh", "sigmoid", "relu", "exp", "log", "abs", "max", "min", "sign", "sqrt", "g", "f", "softplus",
             "Heaviside", "tanh'", "g'", "sigmoid'", "g'_2", "Derivative", "Subs", "diff", "logcosh", "sech"]
TOKENS = NAMES + FUNCTIONS + ["+", "-", "*", "/", "**", "^", "(", ")", "[", "]", "{", "}", ",", " ", "=", ";",
                              "<", ">", "<=", "1", "0", "2", "0.5", "1e9", "10**18", "\\frac{", "\\cdot", "\\tanh",
                              "|", "·", "−", "²", "1[", "if", "else", "and", "'", "_", "\n", "nan", "inf", "-1e999"]
SHORT_ATOMS = st.sampled_from(NAMES + ["1", "2", "0", "0.5", "3/2", "-1", "1e300", "10**100"])


def formula(atoms=SHORT_ATOMS, functions=FUNCTIONS) -> st.SearchStrategy[str]:
    def grow(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(functions), st.lists(children, min_size=1, max_size=4)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"),
        )
    return st.recursive(atoms, grow, max_leaves=30)


WEIGHTS = formula(st.sampled_from(["w1", "w2", "1", "2", "0.5", "-3", "1e300", "w1**50"]),
                  ["exp", "tanh", "sigmoid", "log", "abs", "relu", "max", "sqrt", "softplus", "cosh"])


def token_soup() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


def hostile() -> st.SearchStrategy[str]:
    """A short pattern repeated: long sums, names, chains, brackets; nested calls."""
    pattern = st.sampled_from(["x+", "(", "-", "a", "tanh(", "\\frac{1}{", "[", "max(x,", "**x", "1", "ab", "g(",
                               "Derivative(", "{", "|x|", "h=x;", "x1*"])
    return st.tuples(pattern, st.integers(1, 30_000), st.sampled_from(["", "x", ")", "x" + ")" * 200])).map(
        lambda t: t[0] * t[1] + t[2])


def text() -> st.SearchStrategy[str]:
    return st.one_of(formula(), token_soup(), hostile(), st.text(max_size=80))


def program() -> st.SearchStrategy[str]:
    lines = st.lists(st.one_of(formula(), formula(), token_soup()), min_size=1, max_size=6)
    named = lines.map(lambda es: "; ".join(f"{n} = {e} + w*x" if n == "h1" else f"{n} = {e}"
                                           for n, e in zip(["h1", "h2", "y", "E", "a", "b"], es)))
    return st.one_of(named, named, hostile(), token_soup())


def pwl_program() -> st.SearchStrategy[str]:
    atom = st.sampled_from(["x1", "x2", "0", "1", "-2", "0.5", "h", "1e999", "1/3"])

    def grow(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(["+", "-"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["2", "-1", "0.5", "1e-300"]), children).map(lambda t: f"{t[0]}*{t[1]}"),
            st.tuples(st.sampled_from(["max", "min", "relu", "abs"]), st.lists(children, min_size=1, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"))
    expr = st.recursive(atom, grow, max_leaves=12)
    lines = st.lists(expr, min_size=1, max_size=8).map(
        lambda es: "; ".join(f"h = {e}" if i == 0 else f"y{i} = {e.replace('h', 'h' if i == 1 else f'y{i - 1}')}"
                             for i, e in enumerate(es)))
    return st.one_of(lines, hostile(), token_soup())


NUMBER = st.one_of(st.sampled_from(["1", "0", "-1", "1/2", "1e999", "nan", "inf", "-inf", "1e-300", "x", "", "1" * 80]),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))
MODULES = st.sampled_from(["Linear", "Conv2d", "LazyLinear", "MaxPool2d", "AvgPool2d", "LSTM", "Embedding",
                           "Sequential", "ReLU", "BatchNorm1d", "Conv1d", "Flatten", "Transformer", "Os", "eval"])
LITERAL = st.one_of(st.integers(-3, 10**7).map(str), st.sampled_from(["(2, 3)", "True", "None", "'a'", "1e999", "[1]",
                                                                       "stride=2", "x", "10**100", "-0"]))


def module_text() -> st.SearchStrategy[str]:
    call = st.tuples(MODULES, st.lists(LITERAL, max_size=4)).map(lambda t: f"nn.{t[0]}({', '.join(t[1])})")
    nested = st.lists(call, min_size=1, max_size=4).map(lambda cs: f"nn.Sequential({', '.join(cs)})")
    return st.one_of(call, nested, hostile(), token_soup())


SHAPE = st.one_of(st.lists(st.integers(0, 300), min_size=1, max_size=5).map(lambda ns: "x".join(map(str, ns))),
                  st.sampled_from(["1x" * 500 + "1", "99999999999x99999999", "x", "1e9"]))
FAMILIES = ["concepts", "loss-properties", "parameters", "output-shape", "unused-inputs", "receptive-field",
            "pieces", "gradient-bound", "hessian", "rnn", "nope"]
SEED = st.one_of(st.integers(0, 2**32 - 1).map(str), st.sampled_from(["-1", "4294967296", "1e3", "x", ""]))


def argv(command: str) -> st.SearchStrategy[list[str]]:
    limit = ["--time-limit", str(LIMITS[command])] if command in LIMITS else []
    if command == "equiv":
        return st.tuples(text(), text(), st.one_of(st.just([]), st.just(["--vars", "x,y,w"]))).map(
            lambda t: ["equiv", t[0], t[1], *t[2], *limit])
    if command == "derive":
        return st.tuples(program(), st.sampled_from(["w", "x", "h", "t", "zz"])).map(
            lambda t: ["derive", t[0], "--wrt", t[1], *limit])
    if command == "pieces":
        return st.tuples(pwl_program(), st.one_of(st.just([]), NUMBER.map(lambda n: ["--level", n])),
                         st.one_of(st.just([]), st.lists(NUMBER, min_size=4, max_size=4).map(lambda b: ["--box", *b]))).map(
            lambda t: ["pieces", t[0], *t[1], *t[2], *limit])
    if command == "hessian":
        return st.tuples(st.one_of(WEIGHTS, WEIGHTS, text()), st.sampled_from(["w1,w2", "w1,w2", "w1", "w1,w1", ",,"]),
                         st.one_of(st.just([]), NUMBER.map(lambda n: ["--at", f"w1={n}"]))).map(
            lambda t: ["hessian", t[0], "--wrt", t[1], *t[2], *limit])
    if command == "layer":
        return st.tuples(module_text(), st.one_of(st.just([]), SHAPE.map(lambda s: ["--input", s]))).map(
            lambda t: ["layer", t[0], *t[1], *limit])
    if command == "question":
        return st.tuples(st.sampled_from(FAMILIES), SEED).map(lambda t: ["question", t[0], "--seed", t[1], "--solution"])
    if command == "grade":
        answer = st.one_of(text(), st.sampled_from(['{"a": 1}', '{"choice": ["a"]}', "[]", "{", "a, c", "{a, c}"]),
                           st.integers(1, 50_000).map(lambda n: '{"a": ' + "[" * n + "]" * n + "}"))
        return st.tuples(st.sampled_from(FAMILIES), SEED, answer).map(
            lambda t: ["grade", t[0], "--seed", t[1], "--answer", t[2], "--no-record"])
    if command == "exam":
        return SEED.map(lambda s: ["exam", "--seed", s, "--plan"])
    raise ValueError(command)


COMMANDS = ["equiv", "derive", "pieces", "hessian", "layer", "question", "grade", "exam"]

# ---------------------------------------------------------------- running


@dataclass
class Record:
    tried: int = 0
    statuses: Counter = field(default_factory=Counter)
    slowest: tuple[float, list[str]] = (0.0, [])
    problems: list[tuple[str, list[str]]] = field(default_factory=list)


def run_one(args: list[str], record: Record) -> None:
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.main([*args, "--json"])
    except BaseException:  # noqa: BLE001 - an escaped exception is exactly what we look for
        status = "exception"
        err.write(traceback.format_exc())
    seconds = time.monotonic() - start
    record.tried += 1
    record.statuses[status] += 1
    if seconds > record.slowest[0]:
        record.slowest = (seconds, args)
    limit = LIMITS.get(args[0], UNLIMITED)
    problem = ""
    if status not in (0, 2):
        problem = f"exit {status}"
    elif "Traceback" in err.getvalue() or "Traceback" in out.getvalue():
        problem = "traceback"
    elif seconds > limit + GRACE:
        problem = f"{seconds:.1f} s over a limit of {limit:g} s"
    else:
        try:
            data = json.loads(out.getvalue())
            if status == 2 and (set(data) != {"error"} or "\n" in data["error"]):
                problem = "an error that is not one sentence"
        except ValueError:
            problem = "output that is not one JSON object"
    if problem:
        tail = (err.getvalue() or out.getvalue()).strip().splitlines()[-1:] or [""]
        record.problems.append((f"{problem}: {tail[0][:300]}", args))


class Done(Exception):
    pass


WARM_UP = {"equiv": ["equiv", "x", "x"], "derive": ["derive", "y = w*x", "--wrt", "w"],
           "pieces": ["pieces", "y = max(x1, x2)"], "hessian": ["hessian", "w1**2", "--wrt", "w1"],
           "layer": ["layer", "nn.Linear(2, 3)", "--input", "1x2"], "question": ["question", "rnn", "--seed", "1"],
           "grade": ["grade", "concepts", "--seed", "1", "--answer", "a", "--no-record"],
           "exam": ["exam", "--seed", "1", "--plan"]}


def fuzz(command: str, seconds: float, seed: int) -> Record:
    run_one(WARM_UP[command], Record())   # imports happen before a command's limit starts; not timed here
    record = Record()
    end = time.monotonic() + seconds

    @settings(max_examples=10**6, deadline=None, phases=[Phase.generate], database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(argv(command))
    def one(args):
        if time.monotonic() > end:
            raise Done
        run_one(args, record)

    with contextlib.suppress(Done):
        one()
    return record


def shorten(args: list[str]) -> str:
    text = " ".join(json.dumps(a) if " " in a or not a else a for a in args)
    return text if len(text) < 160 else text[:120] + f" ... ({len(text):,} chars)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    commands = args.commands.split(",")
    share = args.minutes * 60 / len(commands)
    problems = 0
    print(f"{'command':<10} {'inputs':>6}  {'statuses':<22} {'slowest s':>9}  slowest input")
    for command in commands:
        record = fuzz(command, share, args.seed)
        statuses = ", ".join(f"{k}:{v}" for k, v in sorted(record.statuses.items(), key=str))
        print(f"{command:<10} {record.tried:>6}  {statuses:<22} {record.slowest[0]:>9.2f}  {shorten(record.slowest[1])}",
              flush=True)
        for problem, argv_ in record.problems[:10]:
            print(f"    PROBLEM {problem}\n        {shorten(argv_)}", flush=True)
        problems += len(record.problems)
    print(f"{problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
