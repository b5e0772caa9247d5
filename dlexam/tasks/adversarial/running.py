"""Running a student's `adversarial(x, t, model)`: what the source says, and how it is called.

The sandbox calls the function twice through a small wrapper appended to the file: once on the
test digits with the grader's classifier f, once on the probe (f scaled down, built inside the
sandbox from a copy of f). The source is also read with `ast`, never run, for the name of the
function (a near-miss spelling is graded, and said) and, when the run gave no observations,
for the optimiser and the loop bound.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

import torch

from dlexam.engines.sandbox import Job
from dlexam.solutions.classifier import binary_classifier
from dlexam.tasks.adversarial.settings import FUNCTION, Settings

CALL = "_dlexam_call"
WRAPPER = '''


def _dlexam_call(x, t, model, px, pt, probe_scale):
    import copy as _dlexam_copy
    import torch as _dlexam_torch
    _dlexam_probe = _dlexam_copy.deepcopy(model)
    _dlexam_last = _dlexam_torch.nn.Linear(1, 1, bias=False)
    _dlexam_last.weight.data.fill_(float(probe_scale))
    _dlexam_probe = _dlexam_torch.nn.Sequential(_dlexam_probe, _dlexam_last)
    _dlexam_z = {name}(x, t, model)
    _dlexam_out = {{"z": _dlexam_z, "x_after": x}}
    try:
        _dlexam_out["probe_z"] = {name}(px, pt, _dlexam_probe)
    except Exception as _dlexam_error:
        _dlexam_out["probe_error"] = type(_dlexam_error).__name__ + ": " + str(_dlexam_error)
    return _dlexam_out
'''
OPTIMIZERS = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "LBFGS", "NAdam", "RAdam", "Adamax"}


@dataclass
class Static:
    """What the source says, read with `ast` (never run)."""

    function: str | None       # the function to call: adversarial, or a near-miss spelling
    optimizers: set[str]       # names of called optimisers, e.g. {"SGD"}
    ranges: set[int]           # constant loop bounds: range(N), while i < N
    writes_x: str | None = None   # where the function writes into x's storage (`x_written`)
    defines: frozenset[str] = frozenset()   # classes and functions the file defines (a home-made `SGD`)


def read_source(source: str) -> Static:
    """Raise SyntaxError for a file that does not parse."""
    tree = ast.parse(source)
    functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    function = FUNCTION if FUNCTION in functions else next(
        iter(difflib.get_close_matches(FUNCTION, functions, n=1, cutoff=0.8)), None)
    optimizers, ranges = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in OPTIMIZERS:
                optimizers.add(name)
            if name == "range" and node.args:
                bound = node.args[1] if len(node.args) > 1 else node.args[0]
                if isinstance(bound, ast.Constant) and type(bound.value) is int:
                    ranges.add(bound.value)
        if isinstance(node, ast.Compare) and all(isinstance(c, ast.Constant) and type(c.value) is int
                                                  for c in node.comparators):
            ranges |= {c.value for c in node.comparators}
    defines = frozenset(n.name for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef)))
    return Static(function, optimizers, ranges, x_written(source, function) if function else None, defines)


def wrapped(source: str, function: str) -> str:
    """The source with the wrapper that calls `function` on the digits and on the probe."""
    return source + WRAPPER.format(name=function)


def job(settings: Settings, x: torch.Tensor, t: torch.Tensor, px: torch.Tensor, pt: torch.Tensor,
        scale: float) -> Job:
    """The sandbox job calling the wrapper: the digits, the probe's digits and scale, the classifier."""
    spec = binary_classifier(settings.positive, settings.negative).spec
    return Job(CALL, ("x", "t", "model", "px", "pt", "probe_scale"),
               {"x": x.clone(), "t": t.clone(), "px": px.clone(), "pt": pt.clone(), "probe_scale": scale},
               spec, return_state=True)


def clean_message(message: str) -> str:
    """One line: the first of the exception's message, the wrapper's name replaced."""
    first = message.replace(f"{CALL}()", f"{FUNCTION}()").strip().splitlines()[0] if message.strip() else message
    return first[:300].rstrip(" :,")


# Expressions that share x's storage (a view or x itself) and ones that copy it.
_SHARING = {"detach", "view", "view_as", "reshape", "requires_grad_", "detach_", "squeeze", "unsqueeze", "flatten",
            "expand", "expand_as", "t", "transpose", "permute", "data", "float", "to", "contiguous", "type_as"}
_WRAPPERS = {"Parameter", "Variable", "as_tensor"}    # nn.Parameter(x), Variable(x): the same storage
_KEEPS_VALUES = {"requires_grad_", "retain_grad", "register_hook", "detach_", "share_memory_"}


def x_written(source: str, function: str) -> str | None:
    """Where `function` writes into its first argument's storage, read from the source (never run):
    an in-place method (`x.add_`), an item or augmented assignment (`x[...] = `, `x += `), or an
    optimiser handed x or a name sharing x's storage (`z = x`, `z = x.detach()`, `nn.Parameter(x)`).
    None when no such write is found."""
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == function), None)
    if node is None or not node.args.args:
        return None
    sharing = {node.args.args[0].arg}
    for statement in sorted((n for n in ast.walk(node) if isinstance(n, ast.stmt)), key=lambda n: n.lineno):
        if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
            names = {t.id for t in statement.targets}
            sharing = sharing | names if _shares(statement.value, sharing) else sharing - names
    for n in ast.walk(node):
        found = _write(n, sharing)
        if found:
            return f"`{ast.unparse(n).splitlines()[0][:80]}` {found}"
    return None


def _shares(value: ast.AST, sharing: set[str]) -> bool:
    match value:
        case ast.Name(id=name):
            return name in sharing
        case ast.Attribute(value=inner, attr=attr):
            return attr in _SHARING and _shares(inner, sharing)
        case ast.Call(func=ast.Attribute(value=inner, attr=attr)) if attr in _SHARING:
            return _shares(inner, sharing)
        case ast.Call(func=func, args=[first, *_]):
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            return name in _WRAPPERS and _shares(first, sharing)
        case ast.Subscript(value=inner):
            return _shares(inner, sharing)
    return False


def _write(n: ast.AST, sharing: set[str]) -> str | None:
    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute):
        attr = n.func.attr
        if attr.endswith("_") and not attr.startswith("_") and attr not in _KEEPS_VALUES and _shares(n.func.value, sharing):
            return "changes x in place"
        if attr in OPTIMIZERS and n.args and _names_shared(n.args[0], sharing):
            return "optimises a tensor that shares x's storage, so every step changes x"
    if isinstance(n, ast.Call) and getattr(n.func, "id", "") in OPTIMIZERS and n.args and _names_shared(n.args[0], sharing):
        return "optimises a tensor that shares x's storage, so every step changes x"
    if isinstance(n, ast.AugAssign) and _shares(n.target, sharing):
        return "changes x in place"
    if isinstance(n, (ast.Assign, ast.AugAssign)):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        if any(isinstance(t, (ast.Subscript, ast.Attribute)) and _shares(t.value, sharing) for t in targets):
            return "writes into x"
    return None


def _names_shared(arg: ast.AST, sharing: set[str]) -> bool:
    items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
    return any(_shares(item, sharing) for item in items)
