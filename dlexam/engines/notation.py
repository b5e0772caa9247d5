"""Reading the formulas students and exam sheets write into SymPy, safely.

Text goes through three small stages: LaTeX-ish and Unicode spellings become plain ASCII,
a tokenizer inserts the multiplications people leave out (`2x`, `2(y - t)`, `(a)(b)`), and
Python's `ast` parses the result, which is walked with a whitelist (numbers, names,
+ - * / ** and calls of names). Nothing is ever evaluated as Python.

The functions of the exam map to SymPy objects; two kinds of function are our own:
`sigmoid` (kept as one symbol so it prints as the exam writes it) and `Partial`, the
derivative of an unknown function `g` in one argument slot (`g'`), which prints as `g'(z)`
or `g'_2(a, b, c)` and converts to SymPy's `Derivative`/`Subs` for output.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

import sympy

from dlexam.engines.syntax import parse_quietly
from dlexam.errors import InputError

# ---------------------------------------------------------------- function classes


class sigmoid(sympy.Function):  # noqa: N801 - the exam's own name
    """The logistic function 1 / (1 + exp(-z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sympy.exp(-z))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer) -> str:
        return f"\\sigma\\left({printer._print(self.args[0])}\\right)"


class Unknown(sympy.Function):
    """Base of unknown differentiable functions such as g(x1, h0, theta)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return partial(type(self).__name__, (argindex,))(*self.args)


class Partial(sympy.Function):
    """A partial derivative of an unknown function; `slots` are 1-based argument indices.

    `slots == ()` with `order > 0` is the loose exam notation `g'` whose slot is not said.
    """

    base: str = ""
    slots: tuple[int, ...] = ()
    order: int = 0

    def _sympystr(self, printer) -> str:
        # one argument: g'(z), g''(z); several: g'_2(a, b, c), or the exam's loose g'(a, b, c)
        name = self.base + "'" * self.order
        if self.slots and len(self.args) > 1:
            name += "".join(f"_{s}" for s in self.slots)
        return f"{name}({', '.join(printer._print(a) for a in self.args)})"

    def _latex(self, printer) -> str:
        primes = "'" * self.order
        sub = "_{" + ",".join(map(str, self.slots)) + "}" if self.slots and len(self.args) > 1 else ""
        args = ", ".join(printer._print(a) for a in self.args)
        return f"{self.base}{primes}{sub}\\left({args}\\right)"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        if not self.slots:
            return loose_prime(self.base, self.order + 1)(*self.args)
        return partial(self.base, self.slots + (argindex,))(*self.args)


@lru_cache(maxsize=None)
def unknown(name: str) -> type[Unknown]:
    """The class of the unknown function `name` (one class per name, so g(x) == g(x))."""
    return type(name, (Unknown,), {})


@lru_cache(maxsize=None)
def partial(base: str, slots: tuple[int, ...]) -> type[Partial]:
    """∂^k g / ∂slot...; named g', g'' for one argument and g'_2, g''_2_3 otherwise."""
    name = base + "'" * len(slots) + "".join(f"_{s}" for s in slots)
    return type(name, (Partial,), {"base": base, "slots": tuple(slots), "order": len(slots)})


@lru_cache(maxsize=None)
def loose_prime(base: str, order: int = 1) -> type[Partial]:
    """The exam's `g'` of a function of several arguments, slot unspecified (opaque)."""
    return type(base + "'" * order, (Partial,), {"base": base, "slots": (), "order": order})


def known_primes_exact(expr: sympy.Expr) -> sympy.Expr:
    """Replace the exam's tanh'(z), sigmoid'(z) (KnownPrime) by their values."""
    return expr.replace(lambda e: isinstance(e, KnownPrime), lambda e: e.exact())


class KnownPrime(sympy.Function):
    """f'(z) for a known f kept as a symbol (the exam's `tanh'`), see `known_prime_fn`."""

    base: str = ""
    order: int = 1
    nargs = 1

    def exact(self) -> sympy.Expr:
        return known_prime(self.base, self.order, self.args[0])

    def _latex(self, printer) -> str:
        name = {"sigmoid": "\\sigma", "sigma": "\\sigma"}.get(self.base, "\\" + self.base)
        return f"{name}{chr(39) * self.order}\\left({printer._print(self.args[0])}\\right)"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return known_prime_fn(self.base, self.order + 1)(self.args[0])


@lru_cache(maxsize=None)
def known_prime_fn(base: str, order: int = 1) -> type[KnownPrime]:
    return type(base + "'" * order, (KnownPrime,), {"base": base, "order": order})


def single_prime(base: str, order: int, nargs: int) -> type[Partial]:
    """What `g'` means for an unknown g: exact for one argument, loose otherwise."""
    return partial(base, (1,) * order) if nargs == 1 else loose_prime(base, order)


@lru_cache(maxsize=None)
def symbol(name: str) -> sympy.Symbol:
    """All variables are real (so |x|' = sign(x) and max' = Heaviside)."""
    return sympy.Symbol(name, real=True)


def _relu(z):
    return sympy.Max(0, z)


# name -> (constructor, number of arguments or None for two or more)
FUNCTIONS: dict[str, tuple[object, int | None]] = {
    "tanh": (sympy.tanh, 1), "sigmoid": (sigmoid, 1), "sigma": (sigmoid, 1),
    "relu": (_relu, 1), "ReLU": (_relu, 1), "exp": (sympy.exp, 1), "log": (sympy.log, 1),
    "ln": (sympy.log, 1), "abs": (sympy.Abs, 1), "Abs": (sympy.Abs, 1),
    "max": (sympy.Max, None), "Max": (sympy.Max, None), "min": (sympy.Min, None),
    "Min": (sympy.Min, None), "sign": (sympy.sign, 1), "sgn": (sympy.sign, 1),
    "Heaviside": (sympy.Heaviside, 1), "sqrt": (sympy.sqrt, 1), "sin": (sympy.sin, 1),
    "cos": (sympy.cos, 1), "cosh": (sympy.cosh, 1), "sinh": (sympy.sinh, 1),
}
CONSTANTS = {"pi": sympy.pi, "E_euler": sympy.E}
SPECIAL = {"Derivative", "Subs", "diff"}


def known_prime(name: str, order: int, z: sympy.Expr) -> sympy.Expr:
    """tanh'(z) = 1 - tanh(z)**2 and friends: the order-th derivative of a known function."""
    make, nargs = FUNCTIONS[name]
    if nargs != 1:
        raise InputError(f"{name}' is not defined: {name} takes several arguments.")
    d, u = _known_prime(name, order)
    return d.xreplace({u: z})


@lru_cache(maxsize=None)
def _known_prime(name: str, order: int) -> tuple[sympy.Expr, sympy.Symbol]:
    from dlexam.engines.calculus import diff  # the one place derivatives are defined

    u = sympy.Dummy("u", real=True)
    d = FUNCTIONS[name][0](u)
    for _ in range(order):
        d = diff(d, u)
    return d, u


# ---------------------------------------------------------------- text clean-up

_UNICODE = {
    "·": "*", "⋅": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "′": "'", "’": "'", "ʹ": "'",
    "²": "^2", "³": "^3", "σ": "sigma", "θ": "theta", "δ": "delta", "η": "eta", "λ": "lambda_",
    "α": "alpha", "β": "beta", "γ": "gamma_", "ω": "omega", "ε": "epsilon", "∑": "sum", "√": "sqrt",
}


def _replace_braced(text: str, command: str, arity: int, build) -> str:
    """Replace `\\command{a}{b}` (balanced braces) by build(a, b)."""
    while True:
        start = text.find(command)
        if start < 0:
            return text
        pos, groups = start + len(command), []
        for _ in range(arity):
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos >= len(text) or text[pos] != "{":
                raise InputError(f"{command} needs {arity} braced argument(s), as in \\frac{{a}}{{b}}.")
            depth, end = 0, pos
            for end in range(pos, len(text)):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                if depth == 0:
                    break
            if depth:
                raise InputError("Unbalanced braces in the LaTeX input.")
            groups.append(text[pos + 1:end])
            pos = end + 1
        text = text[:start] + build(*groups) + text[pos:]


def clean_text(text: str) -> str:
    """LaTeX-ish and Unicode spellings to plain ASCII: \\frac, \\cdot, \\tanh, x_{1}, e^{x}."""
    for a, b in _UNICODE.items():
        text = text.replace(a, b)
    text = re.sub(r"\\(\||[lr]vert\b|mid\b)", "|", text)
    text = re.sub(r"\|([^|]+)\|", r"abs(\1)", text)  # |u| (not nested)
    if "\\" in text or "{" in text or "$" in text:
        text = text.replace("$", "")
        text = re.sub(r"\\(left|right|big|Big|bigg|Bigg)\b", "", text)
        text = re.sub(r"\\[,;:! ]", " ", text)
        text = re.sub(r"\\(cdot|times|ast)\b", "*", text)
        text = re.sub(r"\\operatorname\{(\w+)\}", r"\1", text)
        text = re.sub(r"\\mathrm\{(\w+)\}", r"\1", text)
        text = _replace_braced(text, "\\frac", 2, lambda a, b: f"(({a})/({b}))")
        text = _replace_braced(text, "\\dfrac", 2, lambda a, b: f"(({a})/({b}))")
        text = _replace_braced(text, "\\sqrt", 1, lambda a: f"sqrt({a})")
        text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
        text = re.sub(r"_\{\s*(\w+)\s*\}", r"_\1", text)
        text = text.replace("{", "(").replace("}", ")")
    return text


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+(?![A-Za-z_]))?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*(?:'+(?:_\d+)*)?)
  | (?P<op>\*\*|\^|[-+*/(),=\[\]])
""", re.VERBOSE)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise InputError(f"Unexpected character {text[pos]!r} in {text.strip()!r}.")
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            continue
        value = m.group()
        if kind == "name":
            value = _normal_name(value)
        elif value == "^":
            value = "**"
        elif value in "[]":
            value = "(" if value == "[" else ")"
        tokens.append((kind, value))
    return tokens


def _normal_name(name: str) -> str:
    """x_1 -> x1 (students and sheets write both); primes and other underscores stay."""
    head, primes = re.match(r"([A-Za-z_0-9]*)(.*)", name).groups()
    head = re.sub(r"(?<=[A-Za-z])_(\d+)$", r"\1", head)
    if head == "lambda":
        head += "_"  # a weight decay, not Python's lambda
    if "__" in head:
        raise InputError(f"Names with a double underscore such as {name!r} are not allowed.")
    return head + primes


def _split_name(name: str, variables: frozenset[str]) -> list[str] | None:
    """Split `wx1` into ['w', 'x1'] when every part is a declared variable."""
    if not variables or name in variables:
        return None
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(name) + 1):
        for start in range(end):
            if start in best and name[start:end] in variables:
                best[end] = best[start] + [name[start:end]]
                break
    return best.get(len(name))


def _is_function_name(name: str, plain: frozenset[str]) -> bool:
    """Is `name(` a call? Known functions always; other names unless used as plain variables."""
    if "'" in name or name in FUNCTIONS or name in SPECIAL:
        return True
    return name not in plain


def plain_names(text: str) -> set[str]:
    """Names used somewhere without a following `(`: these are variables, not functions."""
    tokens = tokenize(clean_text(text))
    names = set()
    for i, (kind, value) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "name" and nxt != "(":
            names.add(value)
    return names


def to_python(text: str, variables: frozenset[str] = frozenset(),
              plain: frozenset[str] = frozenset()) -> str:
    """Student text -> Python expression text, with the implicit multiplications written out."""
    tokens = _power_of_function(tokenize(clean_text(text)))
    out: list[tuple[str, str]] = []
    for i, (kind, value) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "name" and value == "e" and nxt == "**" and "e" not in variables:
            value = "E_euler"  # e^x is Euler's number unless e is a declared variable
        splittable = kind == "name" and "'" not in value and nxt != "(" and value not in FUNCTIONS \
            and value not in SPECIAL and value not in CONSTANTS
        parts = _split_name(value, variables) if splittable else None
        for part in parts or [value]:
            if out and _implicit_product(out[-1], (kind, part), plain | variables):
                out.append(("op", "*"))
            out.append((kind, part))
    _check_brackets(text, [v for _, v in out])
    return " ".join(_python_name(v) if k == "name" else v for k, v in out)


def _power_of_function(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """tanh^2(z) -> (tanh(z))**2, as in LaTeX's \\tanh^2(z)."""
    i = 0
    while i + 3 < len(tokens):
        (k, f), (_, op), (nk, n), (_, br) = tokens[i:i + 4]
        if k == "name" and f in FUNCTIONS and op == "**" and nk == "number" and br == "(":
            depth, j = 0, i + 3
            for j in range(i + 3, len(tokens)):
                depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
                if depth == 0:
                    break
            call = [tokens[i]] + tokens[i + 3:j + 1]
            tokens = tokens[:i] + [("op", "(")] + call + [("op", ")"), ("op", "**"), (nk, n)] + tokens[j + 1:]
        i += 1
    return tokens


def _implicit_product(left: tuple[str, str], right: tuple[str, str], plain: frozenset[str]) -> bool:
    lk, lv = left
    rk, rv = right
    left_ends = lk in ("number", "name") or lv == ")"
    right_starts = rk in ("number", "name") or rv == "("
    if not (left_ends and right_starts):
        return False
    if lk == "name" and rv == "(":
        return not _is_function_name(lv, plain)
    if lk == "number" and rk == "number":
        return False
    return True


def _check_brackets(text: str, values: list[str]) -> None:
    depth = 0
    for v in values:
        depth += {"(": 1, ")": -1}.get(v, 0)
        if depth < 0:
            break
    if depth:
        raise InputError(f"Unbalanced brackets in {text.strip()!r}.")


def _python_name(name: str) -> str:
    """Primes are not Python: g'_2 -> g__p1_s2 (double underscores are reserved for this)."""
    if "'" not in name:
        return name
    m = re.fullmatch(r"(\w+?)('+)((?:_\d+)*)", name)
    slots = "".join(f"_s{s}" for s in m.group(3).split("_") if s)
    return f"{m.group(1)}__p{len(m.group(2))}{slots}"


# ---------------------------------------------------------------- the whitelist walk


class _Builder:
    """Turns a parsed Python expression into SymPy, allowing only what formulas need."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, what: str) -> InputError:
        return InputError(f"{what} is not allowed in {self.source.strip()!r}.")

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
        raise self.fail(f"The construct {type(node).__name__}")

    def name(self, name: str) -> sympy.Expr:
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS or "__p" in name or name in SPECIAL:
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
                raise InputError(f"Division by zero in {self.source.strip()!r}.")
            return a / b
        if op is ast.Pow:
            if a.is_Number and b.is_Number and abs(a) not in (0, 1) and abs(b) * abs(sympy.log(abs(a), 10)) > 400:
                raise InputError(f"The number ({a})**({b}) in {self.source.strip()!r} has too many digits to work with.")
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
        args = [self.build(a) for a in node.args]
        if not args:
            raise InputError(f"{name.split('__')[0]}() needs an argument.")
        if "__p" in name:
            return self.prime(name, args)
        if name in FUNCTIONS:
            make, nargs = FUNCTIONS[name]
            if nargs is None and len(args) < 2:
                raise InputError(f"{name} needs at least two arguments, as in {name}(0, z).")
            if nargs is not None and len(args) != nargs:
                raise InputError(f"{name} takes {nargs} argument(s), not {len(args)}.")
            return make(*args)
        return unknown(name)(*args)

    def prime(self, name: str, args: list[sympy.Expr]) -> sympy.Expr:
        m = re.fullmatch(r"(\w+?)__p(\d+)((?:_s\d+)*)", name)
        base, order = m.group(1), int(m.group(2))
        slots = tuple(int(s) for s in m.group(3).split("_s") if s)
        if base in FUNCTIONS:
            if slots or len(args) != 1:
                raise InputError(f"{base}' takes one argument.")
            return known_prime(base, order, args[0])
        if slots:
            if len(slots) != order or any(not 1 <= s <= len(args) for s in slots):
                raise InputError(f"The slots of {base}{chr(39) * order} do not match its {len(args)} argument(s).")
            return partial(base, slots)(*args)
        return single_prime(base, order, len(args))(*args)

    def derivative(self, node: ast.Call) -> sympy.Expr:
        from dlexam.engines.calculus import diff

        if len(node.args) < 2:
            raise InputError("Derivative needs an expression and a variable, as in Derivative(g(x), x).")
        expr = self.build(node.args[0])
        for spec in node.args[1:]:
            var, times = spec, 1
            if isinstance(spec, ast.Tuple) and len(spec.elts) == 2:
                var, times = spec.elts[0], self.build(spec.elts[1])
            var = self.build(var)
            if not isinstance(var, sympy.Symbol) or not (isinstance(times, int) or getattr(times, "is_Integer", False)):
                raise InputError("Derivative takes variables (or (variable, count) pairs) after the expression.")
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


def parse_expression(text: str, variables: frozenset[str] | set[str] = frozenset(),
                     plain: frozenset[str] | set[str] | None = None) -> sympy.Expr:
    """Parse one formula as students write it; raises InputError if it does not parse.

    `variables` are declared variable names (they allow splitting `wx` into w*x);
    `plain` are names known to be variables, so `y(1 - y)` means y*(1 - y).
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("The expression is empty.")
    variables = frozenset(variables)
    plain = frozenset(plain_names(text) if plain is None else plain) | variables
    source = to_python(text, variables, plain)
    if "=" in source.split():
        raise InputError(f"Expected a formula, not an assignment: {text.strip()!r}.")
    try:
        tree = parse_quietly(source, mode="eval")
    except SyntaxError:
        raise InputError(f"Cannot read the formula {text.strip()!r}.") from None
    try:
        return _Builder(text).build(tree.body)
    except (TypeError, ValueError, RecursionError, ZeroDivisionError, AttributeError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"Cannot read the formula {text.strip()!r}.") from None


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
