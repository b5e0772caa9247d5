"""Programs of assignments, their derivatives, and the chain rule as the exam writes it.

A program is what the exam gives: `h1 = tanh(x1*w + h0); h2 = tanh(x2*w + h1); y = h2;
E = (y - t)**2`. Every assigned name is a node; the other names are inputs and parameters.
`chain_rule` works backwards from the output like the exam's answer: the local partials
(dE/dy, dy/dh2, dh2/dh1, dh2/dw, ...), the recursion δ_n = Σ_c δ_c·∂c/∂n over the nodes c
that use n, and ∂E/∂w = Σ_n δ_n·∂n/∂w over the nodes that use w directly. Every step is data
(SymPy expressions) so task families can grade it, also against a student's own earlier
answers (`given`).

Derivatives come from `derivatives.diff`, the one differentiation used everywhere (with
`primed=True` tanh and sigmoid keep their derivative as the symbols tanh'(u), sigmoid'(u)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Mapping, Sequence

import sympy
from sympy.printing.latex import LatexPrinter

from dlexam.engines.bounded import check_text
from dlexam.engines.derivatives import Unknown, diff, known_primes_exact, loose_primes
from dlexam.engines.functions import CONSTANTS, LETTER_FUNCTIONS, known, symbol
from dlexam.engines.notation import parse_expression
from dlexam.engines.spelling import clean_text, plain_names, tokenize
from dlexam.errors import InputError

# `diff` and `loose_primes` live in `derivatives` (below `notation`, which needs `diff` too);
# they are re-exported here, where callers have always found them.
__all__ = [
    "Assignment", "ChainRule", "Program", "Step", "StepKind", "chain_rule", "derivative", "diff",
    "gradient", "hessian", "latex", "loose_primes", "parse_program", "show",
]

# ---------------------------------------------------------------- programs

MAX_ASSIGNMENTS = 100  # an exam's program has a handful; each one can double the derivative


@dataclass(frozen=True)
class Assignment:
    name: str
    expr: sympy.Expr  # in earlier assigned names and the inputs
    source: str


@dataclass(frozen=True)
class Program:
    """A straight-line program; each name is assigned once, before it is used."""

    assignments: tuple[Assignment, ...]
    source: str = ""
    written: frozenset[str] = frozenset()  # every variable name in the text, also one that cancels (0*x2)

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.assignments]

    @property
    def output(self) -> str:
        return self.assignments[-1].name

    @cached_property
    def inputs(self) -> list[str]:
        """Inputs and parameters: the names that are used but never assigned, sorted."""
        assigned = set(self.names)
        used = {s.name for a in self.assignments for s in a.expr.free_symbols}
        return sorted(used - assigned)

    def expr(self, name: str) -> sympy.Expr:
        """The right-hand side assigned to `name`."""
        return self._by_name[self._check_name(name)].expr

    @cached_property
    def _by_name(self) -> dict[str, Assignment]:
        return {a.name: a for a in self.assignments}

    @cached_property
    def substitutions(self) -> dict[sympy.Symbol, sympy.Expr]:
        """Each assigned name's symbol -> its value in the inputs (for `equivalence.check(inline=...)`)."""
        values: dict[sympy.Symbol, sympy.Expr] = {}
        for a in self.assignments:
            values[symbol(a.name)] = a.expr.xreplace(values)
        return values

    def value(self, name: str) -> sympy.Expr:
        """`name` written in the inputs only (every intermediate name substituted)."""
        return self.substitutions[symbol(self._check_name(name))]

    def inline(self, expr: sympy.Expr) -> sympy.Expr:
        """Substitute every assigned name in `expr` (e.g. a student's `2*(y - t)`)."""
        return expr.xreplace(self.substitutions)

    @cached_property
    def uses(self) -> dict[str, set[str]]:
        """Names each assignment uses directly."""
        return {a.name: {s.name for s in a.expr.free_symbols} for a in self.assignments}

    @cached_property
    def ancestors(self) -> dict[str, set[str]]:
        """Every name each assigned name depends on, directly or through others."""
        anc: dict[str, set[str]] = {}
        for a in self.assignments:
            anc[a.name] = set(self.uses[a.name]).union(*(anc.get(u, set()) for u in self.uses[a.name]))
        return anc

    def _check_name(self, name: str) -> str:
        if name not in self._by_name:
            raise InputError(f"{name!r} is never assigned in the program (assigned: {', '.join(self.names)}).")
        return name

    def check_variable(self, var: str) -> str:
        """A name the text mentions (its derivative may be 0, as for 0*x2); else an input error."""
        if var not in self.inputs and var not in self._by_name and var not in self.written:
            raise InputError(f"The variable {var!r} does not occur in the program.")
        return var


_LHS = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*(\([^()]*\))?\s*$")


def parse_program(text: str) -> Program:
    """Parse `name = formula` assignments separated by `;` or newlines."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The program is empty.")
    check_text(text, "The program")
    statements = [s for s in re.split(r"[;\n]", text) if s.strip()]
    if len(statements) > MAX_ASSIGNMENTS:
        raise InputError(f"The program has {len(statements)} assignments, more than the {MAX_ASSIGNMENTS} allowed.")
    lhs_rhs = []
    for stmt in statements:
        if "=" not in stmt:
            raise InputError(f"{stmt.strip()!r} is not an assignment of the form name = formula.")
        lhs, rhs = stmt.split("=", 1)
        m = _LHS.match(clean_text(lhs))
        if not m:
            raise InputError(f"The assignment {stmt.strip()!r} does not start with a name.")
        name = tokenize(m.group(1))[0][1]
        if (known(name) and name not in LETTER_FUNCTIONS) or name in CONSTANTS or "'" in name:
            raise InputError(f"{name!r} is a function name and cannot be assigned.")
        lhs_rhs.append((name, rhs, stmt.strip()))
    plain = set().union(*(plain_names(rhs) for _, rhs, _ in lhs_rhs)) | {n for n, _, _ in lhs_rhs}
    assignments: list[Assignment] = []
    for name, rhs, source in lhs_rhs:
        expr = parse_expression(rhs, plain=plain)
        assigned = {a.name for a in assignments}
        if name in assigned:
            raise InputError(f"{name!r} is assigned twice; use a new name for each step.")
        later = {n for n, _, _ in lhs_rhs} - assigned
        early = sorted(s.name for s in expr.free_symbols if s.name in later)
        if early:
            raise InputError(f"{early[0]!r} is used in {source!r} before it is assigned.")
        unknown_self = [f for f in expr.atoms(Unknown) if type(f).__name__ in assigned | {name}]
        if unknown_self:
            raise InputError(f"{type(unknown_self[0]).__name__!r} is assigned but used as a function.")
        assignments.append(Assignment(name, expr, source))
    return Program(tuple(assignments), text, frozenset(plain))


# ---------------------------------------------------------------- derivatives


def derivative(program: Program, wrt: str, of: str | None = None) -> sympy.Expr:
    """d(of)/d(wrt) in the inputs only, exact (tanh' written out, g' as a Partial)."""
    of = program._check_name(of or program.output)
    program.check_variable(wrt)
    if wrt in program.names:
        return chain_rule(program, wrt, of).derivative
    return diff(program.value(of), symbol(wrt))


def gradient(program: Program, wrt: Sequence[str], of: str | None = None) -> list[sympy.Expr]:
    return [derivative(program, v, of) for v in wrt]


def hessian(program: Program, wrt: Sequence[str], of: str | None = None) -> sympy.Matrix:
    """Second derivatives of `of` with respect to the inputs `wrt`."""
    f = program.value(program._check_name(of or program.output))
    for v in wrt:
        if v in program.names:
            raise InputError(f"Hessians are taken with respect to inputs, and {v!r} is assigned.")
        program.check_variable(v)
    first = [diff(f, symbol(v)) for v in wrt]
    return sympy.Matrix([[diff(d, symbol(v)) for v in wrt] for d in first])


# ---------------------------------------------------------------- the chain rule


class StepKind(StrEnum):
    """What a step of the chain rule states (a str, so `step.kind == "delta"` still holds)."""

    LOCAL = "local"    # a partial of one assignment, e.g. dh2/dh1
    DELTA = "delta"    # δ_n = Σ δ_c·∂c/∂n
    TOTAL = "total"    # d of/d wrt as a sum over the nodes using wrt


@dataclass(frozen=True)
class Step:
    """One line of the exam answer.

    expr is in exam notation (intermediate names, δ symbols, tanh'/g' kept); full has the
    δ's resolved; value is in the inputs only, exact, for comparing by value.
    """

    kind: StepKind
    label: str
    formula: str
    expr: sympy.Expr
    full: sympy.Expr
    value: sympy.Expr

    @property
    def text(self) -> str:
        parts = [self.label]
        resolved = [show(self.full)] if self.kind in (StepKind.DELTA, StepKind.TOTAL) else []
        shown = [self.formula, show(self.expr)] + resolved
        for s in shown:
            if s and s != parts[-1]:
                parts.append(s)
        return " = ".join(parts)


    @property
    def latex(self) -> str:
        """label = expr [= full] in LaTeX, e.g. \\frac{\\partial E}{\\partial y} = 2 \\left(y - t\\right)."""
        parts = [_latex_label(self.label), latex(sympy.factor_terms(self.expr))]
        if self.kind in (StepKind.DELTA, StepKind.TOTAL) and self.full != self.expr:
            parts.append(latex(sympy.factor_terms(self.full)))
        return " = ".join(parts)


class _LatexPrinter(LatexPrinter):
    def _print_Heaviside(self, e, exp=None):  # SymPy writes θ(x), easily read as the parameter θ
        tex = rf"H\left({self._print(e.args[0])}\right)"
        return f"{tex}^{{{exp}}}" if exp else tex


def latex(expr: sympy.Expr) -> str:
    """LaTeX with H(x) for Heaviside and the exam's tanh', σ', g'_k."""
    return _LatexPrinter().doprint(expr)


def _latex_label(label: str) -> str:
    m = re.fullmatch(r"d(\w+)/d(\w+)", label)
    if m:
        return f"\\frac{{\\partial {sympy.latex(symbol(m.group(1)))}}}{{\\partial {sympy.latex(symbol(m.group(2)))}}}"
    return sympy.latex(symbol(label))


@dataclass(frozen=True)
class ChainRule:
    of: str
    wrt: str
    steps: list[Step]
    deltas: dict[str, sympy.Symbol] = field(default_factory=dict)

    def step(self, label: str, kind: StepKind | str | None = None) -> Step:
        for s in self.steps:
            if s.label == label and (kind is None or s.kind == kind):
                return s
        raise KeyError(label)

    @property
    def total(self) -> Step:
        return self.step(f"d{self.of}/d{self.wrt}", StepKind.TOTAL)

    @property
    def derivative(self) -> sympy.Expr:
        return self.total.value

    @property
    def texts(self) -> list[str]:
        """The steps as printable lines (a total that only repeats the line before is left out)."""
        out: list[str] = []
        for s in self.steps:
            if not out or s.text != out[-1]:
                out.append(s.text)
        return out


def show(expr: sympy.Expr) -> str:
    """Printable, with common factors pulled out: 2*(y - t) rather than 2*y - 2*t."""
    return str(sympy.factor_terms(expr))


def chain_rule(program: Program, wrt: str, of: str | None = None,
               given: Mapping[str, sympy.Expr | str] | None = None,
               delta_names: Mapping[str, str] | None = None) -> ChainRule:
    """The multivariate chain rule from `of` back to `wrt`, step by step.

    given: overrides for steps by label, e.g. {"dE/dy": <a student's answer>} or
    {"delta_h1": ...}, so later steps are computed from them (error carried forward).
    delta_names: the δ symbol of each node, e.g. {"h1": "delta1"}; default "delta_<name>".
    """
    of = program._check_name(of or program.output)
    program.check_variable(wrt)
    given = {k: parse_expression(v) if isinstance(v, str) else sympy.sympify(v)
             for k, v in (given or {}).items()}
    # the nodes on some path from wrt to of, in program order
    nodes = [n for n in program.names if (n == of or n in program.ancestors[of]) and wrt in program.ancestors[n]]
    deltas = {n: symbol((delta_names or {}).get(n, f"delta_{n}")) for n in nodes if n != of}
    local, steps = _local_partials(program, nodes, wrt, given)
    delta_sym, full, delta_steps = _deltas(program, nodes, of, deltas, local, given)
    users = [] if wrt == of else [c for c in nodes if wrt in program.uses[c]]
    expr = sympy.Add(*[delta_sym[c] * local[c, wrt] for c in users]) if users else sympy.Integer(wrt == of)
    total = sympy.Add(*[full[c] * local[c, wrt] for c in users]) if users else expr
    formula = " + ".join(_term(delta_sym[c], f"d{c}/d{wrt}") for c in users)
    total_step = Step(StepKind.TOTAL, f"d{of}/d{wrt}", formula, expr, total, _value(program, total))
    return ChainRule(of, wrt, steps + delta_steps + [total_step], deltas)


def _value(program: Program, e: sympy.Expr) -> sympy.Expr:
    return known_primes_exact(program.inline(e))


def _local_partials(program: Program, nodes: list[str], wrt: str, given: dict):
    """∂c/∂p for every node c and each node (or wrt) p it uses directly, from the output back."""
    local: dict[tuple[str, str], sympy.Expr] = {}
    steps = []
    for c in reversed(nodes):
        parents = [n for n in reversed(nodes) if n in program.uses[c]] + ([wrt] if wrt in program.uses[c] else [])
        for p in parents:
            label = f"d{c}/d{p}"
            e = given.get(label, diff(program.expr(c), symbol(p), primed=True))
            local[c, p] = e
            steps.append(Step(StepKind.LOCAL, label, "", e, e, _value(program, e)))
    return local, steps


def _deltas(program: Program, nodes: list[str], of: str, deltas: dict, local: dict, given: dict):
    """δ_n = Σ_c δ_c·∂c/∂n over the nodes c using n, from the output back (δ_of = 1)."""
    full: dict[str, sympy.Expr] = {of: sympy.Integer(1)}
    delta_sym: dict[str, sympy.Expr] = {of: sympy.Integer(1)}
    resolve: dict[sympy.Symbol, sympy.Expr] = {}
    steps = []
    for n in reversed(nodes):
        if n == of:
            continue
        users = [c for c in nodes if n in program.uses[c]]
        formula = " + ".join(_term(delta_sym[c], f"d{c}/d{n}") for c in users)
        expr = sympy.Add(*[delta_sym[c] * local[c, n] for c in users])
        label = str(deltas[n])
        full[n] = given[label].xreplace(resolve) if label in given else \
            sympy.Add(*[full[c] * local[c, n] for c in users])
        delta_sym[n], resolve[deltas[n]] = deltas[n], full[n]
        chain = f"d{of}/d{n}" + ("" if formula == f"d{of}/d{n}" else f" = {formula}")
        steps.append(Step(StepKind.DELTA, label, chain, expr, full[n], _value(program, full[n])))
    return delta_sym, full, steps


def _term(delta: sympy.Expr, partial: str) -> str:
    return partial if delta == 1 else f"{delta}*{partial}"
