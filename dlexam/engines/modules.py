"""`torch.nn` constructors as students write them, parsed safely and built without eval.

`parse_module("nn.Conv2d(3, 20, 5)")` walks Python's syntax tree and accepts only a call
of an `nn.` class with literal arguments (numbers, booleans, None, strings, tuples,
lists, and nested `nn.` calls for containers). Class names match case-insensitively,
since students write `nn.maxPool2d` (resolving a name imports torch.nn to know its classes).
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from typing import Any

from dlexam.engines.bounded import MAX_DEPTH, bracket_depth
from dlexam.engines.syntax import parse_quietly
from dlexam.errors import InputError

_PREFIXES = ("nn", "torch.nn")
_MAX_LENGTH = 2000


@dataclass(frozen=True)
class ModuleSpec:
    """A constructor call: class name as torch spells it, literal args, nested specs."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        items = [_literal(a) for a in self.args] + [f"{k}={_literal(v)}" for k, v in self.kwargs.items()]
        return f"nn.{self.name}({', '.join(items)})"

    @property
    def children(self) -> list[ModuleSpec]:
        return [a for a in (*self.args, *self.kwargs.values()) if isinstance(a, ModuleSpec)]


def _literal(value: Any) -> str:
    if isinstance(value, ModuleSpec):
        return str(value)
    if isinstance(value, tuple):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def parse_module(text: str) -> ModuleSpec:
    """Parse one constructor such as `nn.AvgPool2d(2, stride=4)`; InputError if not one."""
    text = text.strip()
    if not text:
        raise InputError("The module is empty; write a constructor such as nn.Conv2d(3, 20, 5).")
    if len(text) > _MAX_LENGTH:
        raise InputError(f"The module text is longer than {_MAX_LENGTH} characters.")
    if bracket_depth(text) > MAX_DEPTH:
        raise InputError(f"The module nests brackets more than {MAX_DEPTH} deep.")
    try:
        tree = parse_quietly(text, mode="eval")
        return _call(tree.body)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{text!r} is not a well-formed constructor call such as nn.Conv2d(3, 20, 5).") from None


def _call(node: ast.AST) -> ModuleSpec:
    if not isinstance(node, ast.Call):
        raise InputError("Only a call of a torch.nn class, such as nn.Linear(4, 8), is accepted.")
    name = _class_name(node.func)
    args = tuple(_value(a) for a in node.args)
    kwargs = {}
    for kw in node.keywords:
        if kw.arg is None:
            raise InputError("Argument unpacking (**kwargs) is not accepted; write the arguments out.")
        kwargs[kw.arg] = _value(kw.value)
    return ModuleSpec(name, args, kwargs)


def _class_name(node: ast.AST) -> str:
    dotted = _dotted(node)
    prefix, _, name = dotted.rpartition(".")
    if prefix not in _PREFIXES:
        raise InputError(f"{dotted!r} is not a torch.nn class; write it as nn.ClassName(...).")
    return resolve_class_name(name)


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise InputError("Only a call of a torch.nn class, such as nn.Linear(4, 8), is accepted.")


def _value(node: ast.AST) -> Any:
    if isinstance(node, ast.Call):
        return _call(node)
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(e) for e in node.elts)
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        raise InputError(f"The argument {ast.unparse(node)!r} is not a literal value.") from None
    if not isinstance(value, (int, float, bool, str, type(None))):
        raise InputError(f"The argument {ast.unparse(node)!r} is not a number, string, boolean or None.")
    return value


# Classes spelled exactly as torch spells them that every question names: known without importing
# torch.nn, so posing a question needs no torch (a student's spelling is looked up in torch.nn).
_WELL_KNOWN = frozenset({"Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose2d", "BatchNorm2d", "LSTM", "GRU",
                         "RNN", "Embedding", "MaxPool2d", "AvgPool2d", "Sequential", "ReLU"})


def resolve_class_name(name: str) -> str:
    """Return torch's spelling of an `nn` module class, matched case-insensitively."""
    if name in _WELL_KNOWN:
        return name
    known = _module_classes()
    try:
        return known[name.lower()]
    except KeyError:
        raise InputError(f"nn.{name} is not a torch.nn module class.") from None


_CLASSES: dict[str, str] | None = None


def _module_classes() -> dict[str, str]:
    global _CLASSES
    if _CLASSES is None:
        import torch.nn as nn
        _CLASSES = {n.lower(): n for n in dir(nn)
                    if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)}
    return _CLASSES


def build_module(spec: ModuleSpec, device: str = "meta"):
    """Construct the torch module in eval mode (on the meta device: shapes and counts only)."""
    import torch
    import torch.nn as nn

    cls = getattr(nn, spec.name)
    args = tuple(_torch_arg(a, device) for a in spec.args)
    kwargs = {k: _torch_arg(v, device) for k, v in spec.kwargs.items()}
    try:
        with torch.device(device), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. TransformerEncoder's advice on nested tensors
            module = cls(*args, **kwargs)
    except Exception as exc:  # torch reports bad arguments with many exception types
        raise InputError(f"{spec} cannot be constructed: {first_sentence(exc)}.") from None
    if any(nn.parameter.is_lazy(p) for p in module.parameters()):
        raise InputError(f"{spec} is a lazy module: its sizes are only known after a first input; "
                         f"use nn.{spec.name.removeprefix('Lazy')} with the input size written out.")
    return module.eval()


def _torch_arg(value: Any, device: str) -> Any:
    """A literal as torch wants it: nested constructors built, lists of them kept as lists."""
    if isinstance(value, ModuleSpec):
        return build_module(value, device)
    if isinstance(value, tuple):
        items = [_torch_arg(v, device) for v in value]
        return items if any(isinstance(v, ModuleSpec) for v in value) else tuple(items)
    return value


def first_sentence(exc: Exception) -> str:
    """An exception's message as one clause (torch's run to several sentences), without a full stop."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".").replace(". ", "; ")
