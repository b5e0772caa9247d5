"""The computed solution: the unrolled graph's edges, ∂E/∂y, ∂E/∂w by the engine's chain rule
(with δ_t = ∂E/∂h_t), and its value at the given numbers."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dlexam.tasks.formulas import evaluate_at, program
from dlexam.tasks.rnn.data import Cell, RNNData, delta_names, forward
from dlexam.tasks.multipart import solved_per_variant

if TYPE_CHECKING:
    from dlexam.engines.calculus import ChainRule, Program


@dataclass(frozen=True)
class Solved:
    edges: list[tuple[str, str]]
    dedy: str
    total: str
    value: float
    chain_texts: list[str]
    total_value_expr: Any          # ∂E/∂w in the inputs (SymPy)
    last_term: str                 # only the path through the last step (a typical slip)
    forward: dict[str, float]


def sym(param: str) -> str:
    return "θ" if param == "theta" else param


def num(x: float) -> str:
    return f"{x:.6g}"


@lru_cache(maxsize=256)
def chain(source: str, param: str, steps: int, dedy: str | None = None) -> ChainRule:
    """The chain rule back to the weight; with `dedy`, from a student's own ∂E/∂y (carried forward)."""
    from dlexam.engines.calculus import chain_rule

    given = {f"d{program(source).output}/dy": dedy} if dedy is not None else None
    return chain_rule(program(source), param, given=given, delta_names=delta_names(steps))


@solved_per_variant
def solved(d: RNNData) -> Solved:
    from dlexam.engines.calculus import show

    p = program(d["program"])
    cr = chain(d["program"], d["param"], d["steps"])
    err, w, steps = d["error"], d["param"], d["steps"]
    last = cr.step(f"delta{steps}", "delta").full * cr.step(f"dh{steps}/d{w}", "local").expr
    n = d["numbers"]
    if d["cell"] == Cell.G:   # the δ-form with the given δ_t and ∂h_t/∂θ
        value, values = sum(n[f"delta{t}"] * n[f"dh{t}"] for t in range(1, steps + 1)), {}
    else:
        value, values = float(evaluate_at(cr.derivative, n)), forward(p, n)
    return Solved(graph_edges(p, steps), show(cr.step(f"d{err}/dy", "local").expr), show(cr.total.full),
                  round(value, 10), cr.texts, cr.derivative, show(last), values)


def graph_edges(p: Program, steps: int) -> list[tuple[str, str]]:
    """The data-flow edges, with y and h_T one node (y = h_T)."""
    rename = {"y": f"h{steps}"}
    edges = []
    for a in p.assignments:
        for u in sorted(p.uses[a.name]):
            e = (rename.get(u, u), rename.get(a.name, a.name))
            if e[0] != e[1] and e not in edges:
                edges.append(e)
    return edges


def answer(d: RNNData) -> dict[str, Any]:
    s = solved(d)
    return {"a": ", ".join(f"{u}->{v}" for u, v in s.edges), "b": s.dedy, "c": s.total, "d": s.value}


def steps(d: RNNData) -> list[str]:
    s, e, p, w = solved(d), d["error"], d["param"], sym(d["param"])
    out = [f"(a) Unrolled graph: every h_t gets x_t, h_(t-1) and the shared {p}; y = h{d['steps']} "
           f"feeds {e}, with the target t. Edges: {answer(d)['a']}.",
           f"(b) ∂{e}/∂y = {s.dedy}.",
           f"(c) The weight {w} is used by every step, so ∂{e}/∂{w} sums over the steps: "
           f"∂{e}/∂{w} = Σ_t δ_t·∂h_t/∂{w} with δ_t = ∂{e}/∂h_t = δ_(t+1)·∂h_(t+1)/∂h_t:",
           *[f"    {line}" for line in s.chain_texts],
           f"    so ∂{e}/∂{w} = {s.total}."]
    if d["cell"] == Cell.G:
        n = d["numbers"]
        terms = " + ".join(f"({num(n[f'delta{t}'])})·({num(n[f'dh{t}'])})" for t in range(1, d["steps"] + 1))
        out.append(f"(d) ∂{e}/∂θ = Σ_t δ_t·∂h_t/∂θ = {terms} = {num(s.value)}.")
    else:
        values = ", ".join(f"{k} = {v:.4g}" for k, v in s.forward.items())
        out.append(f"(d) Forward pass: {values}; then ∂{e}/∂{p} = {s.value:.4g}.")
    return out
