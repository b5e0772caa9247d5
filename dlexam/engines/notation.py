"""Reading the formulas students and exam sheets write into SymPy, safely.

Text goes through three small stages: LaTeX-ish and Unicode spellings become plain ASCII,
a tokenizer inserts the multiplications people leave out (`2x`, `2(y - t)`, `(a)(b)`) (both
in `spelling`), and Python's `ast` parses the result, which is walked here with a whitelist
(numbers, names, + - * / ** and calls of names). Nothing is ever evaluated as Python.

The functions of the exam map to SymPy objects (`functions`); the exam's derivative notation,
tanh'(z) and g'(z) or g'_2(a, b, c), is `derivatives`' `KnownPrime` and `Partial`, which
`sympy_text` converts to SymPy's `Derivative`/`Subs` for output. Those modules' names are
re-exported here, where callers have always found them.
"""

from __future__ import annotations

import ast
import re

import sympy

from dlexam.engines.bounded import MAX_ARGUMENTS, MAX_ORDER, check_text
from dlexam.engines.derivatives import (
    KnownPrime,
    Partial,
    Unknown,
    diff,
    known_prime,
    known_prime_fn,
    known_primes_exact,
    loose_prime,
    partial,
    single_prime,
    unknown,
)
from dlexam.engines.functions import (
    CONSTANTS,
    FUNCTIONS,
    INDICATOR,
    LETTER_FUNCTIONS,
    SPECIAL,
    Known,
    known,
    sigmoid,
    symbol,
)
from dlexam.engines.spelling import clean_text, plain_names, to_python, tokenize
from dlexam.engines.syntax import parse_quietly
from dlexam.errors import InputError

__all__ = [
    "CONSTANTS", "FUNCTIONS", "SPECIAL", "KnownPrime", "Partial", "Unknown", "clean_text",
    "known_prime", "known_prime_fn", "known_primes_exact", "loose_prime", "parse_expression",
    "partial", "plain_names", "sigmoid", "single_prime", "symbol", "sympy_text", "to_python",
    "tokenize", "unknown",
]

# ---------------------------------------------------------------- the whitelist walk


class _Builder:
    """Turns a parsed Python expression into SymPy, allowing only what formulas need."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, what: str) -> InputError:
        return InputError(f"{what} is not allowed in {_short(self.source)}.")

    def build(self, node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.fail(f"The constant {node.value!r}")
            return sympy.Rational(repr(node.value)) if isinstance(node.value, float) else sympy.Integer(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.IfExp):  # a if cond else b, with the indicator of cond
            on = self.condition(node.test)
            return self.build(node.body) * on + self.build(node.orelse) * (1 - on)
        if isinstance(node, (ast.Compare, ast.BoolOp)) or isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            raise InputError(f"A comparison is a number only inside an indicator: write 1[y*t < 0] or "
                             f"`a if y*t < 0 else b` in {_short(self.source)}.")
        raise self.fail(f"The construct {type(node).__name__}")

    def condition(self, node: ast.AST) -> sympy.Expr:
        """The indicator of a condition, almost everywhere: 1[a < b] = Heaviside(b - a)."""
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            if isinstance(node.op, ast.And):
                return sympy.Mul(*parts)
            return 1 - sympy.Mul(*[1 - p for p in parts])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return 1 - self.condition(node.operand)
        if not isinstance(node, ast.Compare):
            raise InputError(f"An indicator needs a comparison such as y*t < 0 in {_short(self.source)}.")
        sides = [self.build(node.left)] + [self.build(c) for c in node.comparators]
        out = sympy.Integer(1)
        for op, a, b in zip(node.ops, sides, sides[1:]):
            if isinstance(op, (ast.Lt, ast.LtE)):
                out *= sympy.Heaviside(b - a)
            elif isinstance(op, (ast.Gt, ast.GtE)):
                out *= sympy.Heaviside(a - b)
            else:
                raise InputError(f"Indicators compare with <, <=, > or >=; an equality holds almost nowhere "
                                 f"(in {_short(self.source)}).")
        return out

    def name(self, name: str) -> sympy.Expr:
        if name in CONSTANTS:
            return CONSTANTS[name]
        if (known(name) and name not in LETTER_FUNCTIONS) or "__p" in name or name in SPECIAL:
            raise InputError(f"The function {name.split('__')[0]} needs an argument in brackets, as in {name.split('__')[0]}(z).")
        return symbol(name)

    def binop(self, node: ast.BinOp) -> sympy.Expr:
        a, b = self.build(node.left), self.build(node.right)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            if b == 0:
                raise InputError(f"Division by zero in {_short(self.source)}.")
            return a / b
        if op is ast.Pow:
            if a.is_Number and b.is_Number and abs(a) not in (0, 1) and abs(b) * abs(sympy.log(abs(a), 10)) > 400:
                raise InputError(f"The number ({a})**({b}) in {_short(self.source)} has too many digits to work with.")
            return a ** b
        raise self.fail(f"The operator {op.__name__}")

    def call(self, node: ast.Call) -> sympy.Expr:
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise self.fail("This kind of call")
        name = node.func.id
        if name in ("Derivative", "diff"):
            return self.derivative(node)
        if name == "Subs":
            return self.subs(node)
        if name == INDICATOR:
            if len(node.args) != 1:
                raise InputError(f"An indicator holds one condition, as in 1[y*t < 0], in {_short(self.source)}.")
            return self.condition(node.args[0])
        if len(node.args) > MAX_ARGUMENTS:
            raise InputError(f"{name.split('__')[0]}(...) has {len(node.args)} arguments, more than the "
                             f"{MAX_ARGUMENTS} allowed.")
        args = [self.build(a) for a in node.args]
        if not args:
            raise InputError(f"{name.split('__')[0]}() needs an argument.")
        if "__p" in name:
            return self.prime(name, args)
        function = known(name)
        if function is None:
            return unknown(name)(*args)
        if not function.least <= len(args) <= (function.most or len(args)):
            raise InputError(f"{name} {_arity(function)}, not {len(args)}.")
        return function.make(*args)

    def prime(self, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        m = re.fullmatch(r"(\w+?)__p(\d+)((?:_s\d+)*)", name)
        base, order = m.group(1), int(m.group(2))
        slots = tuple(int(s) for s in m.group(3).split("_s") if s)
        if known(base):
            if slots or len(args) != 1:
                raise InputError(f"{base}' takes one argument.")
            return known_prime(base, order, args[0])
        if slots:
            if len(slots) != order or any(not 1 <= s <= len(args) for s in slots):
                raise InputError(f"The slots of {base}{chr(39) * order} do not match its {len(args)} argument(s).")
            return partial(base, slots)(*args)
        return single_prime(base, order, len(args))(*args)

    def derivative(self, node: ast.Call) -> sympy.Expr:
        if len(node.args) < 2:
            raise InputError("Derivative needs an expression and a variable, as in Derivative(g(x), x).")
        expr, order = self.build(node.args[0]), 0
        for spec in node.args[1:]:
            var, times = spec, 1
            if isinstance(spec, ast.Tuple) and len(spec.elts) == 2:
                var, times = spec.elts[0], self.build(spec.elts[1])
            var = self.build(var)
            if not isinstance(var, sympy.Symbol) or not (isinstance(times, int) or getattr(times, "is_Integer", False)):
                raise InputError("Derivative takes variables (or (variable, count) pairs) after the expression.")
            order += int(times)
            if not 0 <= int(times) or order > MAX_ORDER:
                raise InputError(f"Derivatives of order above {MAX_ORDER} (or negative) are not supported.")
            for _ in range(int(times)):
                expr = diff(expr, var)
        return expr

    def subs(self, node: ast.Call) -> sympy.Expr:
        if len(node.args) != 3:
            raise InputError("Subs takes an expression, the variables and their values.")
        expr = self.build(node.args[0])
        olds = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
        news = node.args[2].elts if isinstance(node.args[2], ast.Tuple) else [node.args[2]]
        olds, news = [self.build(o) for o in olds], [self.build(n) for n in news]
        if len(olds) != len(news) or not all(isinstance(o, sympy.Symbol) for o in olds):
            raise InputError("Subs needs as many values as variables.")
        return expr.xreplace(dict(zip(olds, news)))


def _arity(function: Known) -> str:
    if function.most is None:
        return f"needs at least {function.least} arguments"
    if function.most == function.least:
        return f"takes {function.least} argument(s)"
    return f"takes {function.least} to {function.most} arguments"


def parse_expression(text: str, variables: frozenset[str] | set[str] = frozenset(),
                     plain: frozenset[str] | set[str] | None = None) -> sympy.Expr:
    """Parse one formula as students write it; raises InputError if it does not parse.

    `variables` are declared variable names (they allow splitting `wx` into w*x);
    `plain` are names known to be variables, so `y(1 - y)` means y*(1 - y).
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("The expression is empty.")
    check_text(text)
    variables = frozenset(variables)
    plain = frozenset(plain_names(text) if plain is None else plain) | variables
    source = to_python(text, variables, plain)
    if "=" in source.split():
        raise InputError(f"Expected a formula, not an assignment: {text.strip()!r}.")
    try:
        tree = parse_quietly(source, mode="eval")
    except SyntaxError:
        raise InputError(f"Cannot read the formula {_short(text)}.") from None
    except (RecursionError, MemoryError):   # CPython's parser on very long chains
        raise InputError(f"The formula {_short(text)} chains too many terms or nests too deeply to read.") from None
    try:
        return _Builder(text).build(tree.body)
    except (TypeError, ValueError, RecursionError, ZeroDivisionError, AttributeError, MemoryError) as exc:
        if isinstance(exc, InputError):
            raise
        if isinstance(exc, (RecursionError, MemoryError)):
            raise InputError(f"The formula {_short(text)} chains too many terms or nests too deeply to read.") from None
        raise InputError(f"Cannot read the formula {_short(text)}.") from None


def _short(text: str) -> str:
    """A formula quoted in a sentence, cut to a readable length."""
    text = text.strip()
    return repr(text if len(text) <= 80 else text[:60] + " ... " + text[-15:])


# ---------------------------------------------------------------- output for SymPy


def sympy_text(expr: sympy.Expr) -> str:
    """A string `sympy.parse_expr` reads with its own names (Derivative, Subs, Heaviside...)."""
    expr = known_primes_exact(expr)
    dummies: list[sympy.Symbol] = []

    def to_derivative(e: Partial) -> sympy.Expr:
        if not e.slots:
            raise InputError("A primed function of several arguments, such as g'(x, w), does not say which "
                             "argument it is taken by; write g'_2(x, w) or Derivative(g(x, w), w).")
        g = sympy.Function(e.base)
        args = list(e.args)
        pairs = []
        for slot in sorted(set(e.slots)):
            a = args[slot - 1]
            alone = isinstance(a, sympy.Symbol) and sum(x.has(a) for x in args) == 1
            if not alone:
                while len(dummies) < slot:
                    dummies.append(sympy.Symbol(f"_u{len(dummies) + 1}"))
                pairs.append((dummies[slot - 1], a))
                args[slot - 1] = dummies[slot - 1]
        counts = [(args[s - 1], e.slots.count(s)) for s in sorted(set(e.slots))]
        d = sympy.Derivative(g(*args), *counts)
        if pairs:
            d = sympy.Subs(d, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
        return d

    expr = expr.replace(lambda e: isinstance(e, Partial), to_derivative)
    expr = expr.replace(lambda e: isinstance(e, Unknown), lambda e: sympy.Function(type(e).__name__)(*e.args))
    return str(expr)
