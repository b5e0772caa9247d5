"""Parsing max/ReLU programs of two inputs into exact affine pieces of bookkeeping.

A program is a sequence of assignments over the inputs `x1`, `x2`, e.g.
`h = max(0, x1); y = max(x2, h)`. Every expression is affine in the inputs and in the
outputs of its nonlinear operations (`max`, `min`, `relu`, `abs`), so the program is kept
as a list of operations, each with affine arguments, and an affine output.
Parsing uses Python's `ast` on a whitelist of node types; nothing is ever evaluated.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from dlexam.engines.bounded import MAX_ARGUMENTS, check_text
from dlexam.engines.syntax import parse_quietly
from dlexam.errors import InputError

INPUTS = ("x1", "x2")
MAX_OPERATIONS = 200  # calls of max, min, relu and abs in one program


class OperationKind(StrEnum):
    """The nonlinear operations a program may call (a str, so `op.kind == "abs"` still holds)."""

    MAX = "max"
    MIN = "min"
    RELU = "relu"
    ABS = "abs"


# kind -> (fewest, most arguments; None for no limit)
FUNCTIONS = {OperationKind.MAX: (2, None), OperationKind.MIN: (2, None),
             OperationKind.RELU: (1, 1), OperationKind.ABS: (1, 1)}

# An atom is an input name ("x1", "x2") or the index of an operation (int).
Atom = str | int


@dataclass(frozen=True)
class Lin:
    """An affine combination of atoms: sum(coef * atom) + const, zero coefficients dropped."""

    terms: tuple[tuple[Atom, Fraction], ...] = ()
    const: Fraction = Fraction(0)

    @staticmethod
    def of(atom: Atom) -> "Lin":
        return Lin(((atom, Fraction(1)),))

    @staticmethod
    def constant(value: Fraction) -> "Lin":
        return Lin((), Fraction(value))

    @property
    def is_constant(self) -> bool:
        return not self.terms

    def plus(self, other: "Lin", sign: int = 1) -> "Lin":
        coef: dict[Atom, Fraction] = dict(self.terms)
        for atom, c in other.terms:
            coef[atom] = coef.get(atom, Fraction(0)) + sign * c
        return Lin(tuple((a, c) for a, c in coef.items() if c != 0), self.const + sign * other.const)

    def times(self, k: Fraction) -> "Lin":
        if k == 0:
            return Lin()
        return Lin(tuple((a, c * k) for a, c in self.terms), self.const * k)

    def atoms(self) -> list[Atom]:
        return [a for a, _ in self.terms]


@dataclass
class Operation:
    """One nonlinear operation: its output is its active argument (the largest for max, ...)."""

    kind: OperationKind
    args: list[Lin]           # relu(z) is max(0, z); abs(z) is max(z, -z)
    arg_texts: list[str]      # the arguments as written, for readable conditions
    text: str                 # the whole call as written

    @property
    def larger_wins(self) -> bool:
        return self.kind != OperationKind.MIN


@dataclass
class Program:
    """A parsed program: operations in evaluation order, named values, the output."""

    source: str
    operations: list[Operation] = field(default_factory=list)
    names: dict[str, Lin] = field(default_factory=dict)
    output: str = ""

    @property
    def output_lin(self) -> Lin:
        return self.names[self.output]

    def relevant(self) -> list[int]:
        """Indices of the operations the output depends on, in evaluation order."""
        seen: set[int] = set()
        stack = [a for a in self.output_lin.atoms() if isinstance(a, int)]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            for arg in self.operations[k].args:
                stack.extend(a for a in arg.atoms() if isinstance(a, int))
        return sorted(seen)


def parse_program(text: str) -> Program:
    """Parse a program; raise InputError with one sentence for anything outside the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The program is empty: give assignments such as `h = max(0, x1); y = max(x2, h)`.")
    check_text(text, "The program")
    source = _normalise(text)
    try:
        tree = parse_quietly(source, mode="exec")
    except SyntaxError as exc:
        raise InputError(f"The program has a syntax error near line {exc.lineno or 1}, "
                         f"column {exc.offset or 1}: {exc.msg}.") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise InputError(f"The program cannot be read: {exc}.") from None
    program = Program(source=text.strip())
    try:
        for statement in tree.body:
            _assign(program, statement)
    except RecursionError:
        raise InputError("The program is nested too deeply.") from None
    if not program.output:
        raise InputError("The program assigns nothing: give assignments such as `y = max(x2, x1)`.")
    return program


def _normalise(text: str) -> str:
    text = text.replace("−", "-").replace("·", "*").replace("×", "*").replace("\r", "\n")
    # x₁ / x_1 as written on exam sheets
    text = text.replace("₁", "1").replace("₂", "2")
    text = re.sub(r"\bx_([12])\b", r"x\1", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def _assign(program: Program, statement: ast.stmt) -> None:
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1 \
            or not isinstance(statement.targets[0], ast.Name):
        raise InputError(f"Each statement must be one assignment `name = expression`, "
                         f"not `{_src(statement)}`.")
    name = statement.targets[0].id
    if name in INPUTS:
        raise InputError(f"`{name}` is an input and cannot be assigned.")
    if name in FUNCTIONS:
        raise InputError(f"`{name}` is a function name and cannot be assigned.")
    program.names[name] = _expr(program, statement.value)
    program.output = name


def _expr(program: Program, node: ast.expr) -> Lin:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        try:
            return Lin.constant(Fraction(repr(node.value)))
        except (ValueError, OverflowError):
            raise InputError(f"The number `{_src(node)}` is not finite.") from None
    if isinstance(node, ast.Name):
        if node.id in INPUTS:
            return Lin.of(node.id)
        if node.id in program.names:
            return program.names[node.id]
        raise InputError(f"Unknown variable `{node.id}`: use x1, x2 or a name assigned before.")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _expr(program, node.operand)
        return inner.times(Fraction(-1)) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return _binop(program, node)
    if isinstance(node, ast.Call):
        return _call(program, node)
    raise InputError(f"`{_src(node)}` is not allowed: use numbers, x1, x2, names, + - * /, "
                     f"max, min, relu and abs.")


def _binop(program: Program, node: ast.BinOp) -> Lin:
    left, right = _expr(program, node.left), _expr(program, node.right)
    if isinstance(node.op, ast.Add):
        return left.plus(right)
    if isinstance(node.op, ast.Sub):
        return left.plus(right, -1)
    if isinstance(node.op, ast.Mult):
        if left.is_constant:
            return right.times(left.const)
        if right.is_constant:
            return left.times(right.const)
        raise InputError(f"`{_src(node)}` multiplies two non-constant expressions; "
                         f"only multiplication by a constant is allowed.")
    if isinstance(node.op, ast.Div):
        if not right.is_constant:
            raise InputError(f"`{_src(node)}` divides by a non-constant expression; "
                             f"only division by a constant is allowed.")
        if right.const == 0:
            raise InputError(f"`{_src(node)}` divides by zero.")
        return left.times(1 / right.const)
    raise InputError(f"The operator in `{_src(node)}` is not allowed: use + - * / only.")


def _call(program: Program, node: ast.Call) -> Lin:
    if not isinstance(node.func, ast.Name):
        raise InputError(f"`{_src(node)}` is not allowed: write a product with `*`, "
                         f"and call only max, min, relu or abs.")
    name = node.func.id
    kind = name.lower()
    if kind not in FUNCTIONS:
        raise InputError(f"Unknown function `{name}`: use max, min, relu or abs.")
    kind = OperationKind(kind)
    low, high = FUNCTIONS[kind]
    n = len(node.args)
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise InputError(f"`{_src(node)}` is not allowed: give `{name}` plain arguments only.")
    if n < low or (high is not None and n > high):
        wanted = f"exactly {low}" if low == high else f"at least {low}"
        raise InputError(f"`{name}` takes {wanted} argument{'s' if low > 1 else ''}, "
                         f"as in `{_src(node)}`.")
    if n > MAX_ARGUMENTS:
        raise InputError(f"`{name}` has {n} arguments, more than the {MAX_ARGUMENTS} allowed.")
    if len(program.operations) >= MAX_OPERATIONS:
        raise InputError(f"The program calls max, min, relu or abs more than {MAX_OPERATIONS} times.")
    args = [_expr(program, a) for a in node.args]
    texts = [_src(a) for a in node.args]
    if kind == OperationKind.RELU:
        args, texts = [Lin(), args[0]], ["0", texts[0]]
    elif kind == OperationKind.ABS:
        args, texts = [args[0], args[0].times(Fraction(-1))], [texts[0], f"-({texts[0]})"]
    program.operations.append(Operation(kind, args, texts, _src(node)))
    return Lin.of(len(program.operations) - 1)


def _src(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # unparse of odd trees; only used in messages
        return type(node).__name__
