"""Reading an autoencoder answer's input lines from its source, without running it.

`read_input` finds the grey input (`X.mean(dim=1, ...)`) or the zeroing of the square
(`X_missing[:, :, r0:r1, c0:c1] = 0`, with simple integer names such as `S = X.shape[2]`
evaluated) and says whether it is the one the task asks for. `verify` uses it as a reading of
the code independent of running it.
"""

from __future__ import annotations

import ast

from dlexam.solutions.autoencoder_source import square_start
from dlexam.tasks.autoencoder.input_check import square_text
from dlexam.tasks.autoencoder.settings import Settings, Task


def read_input(settings: Settings, source: str) -> tuple[float, str]:
    """The input lines read from the source: 1 when they make the asked grey input / mask."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0.0, "the file does not parse."
    train = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "train"), None)
    if train is None or not train.args.args:
        return 0.0, "there is no train(X, model) function."
    x_name = train.args.args[0].arg
    if settings.task == Task.COLORIZE:
        for node in ast.walk(train):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "mean"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == x_name
                    and _is_one(node)):
                return 1.0, f"`{ast.unparse(node)}` is the grey input (mean over RGB)."
        return 0.0, "no grey input as the mean over the colour channel (dim 1) was found."
    return _read_mask(settings, train, x_name)


def _is_one(call: ast.Call) -> bool:
    values = list(call.args[:1]) + [k.value for k in call.keywords if k.arg in ("dim", "axis")]
    return any(isinstance(v, ast.Constant) and v.value == 1 for v in values)


def _read_mask(settings: Settings, train: ast.FunctionDef, x_name: str) -> tuple[float, str]:
    """Evaluate simple integer assignments (S = X.shape[2], start = S // 2 - 8) and find `A[:, :, r, c] = 0`."""
    names: dict[str, int] = {}
    for node in ast.walk(train):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                value = _int_value(node.value, names, x_name, settings.size)
                if value is not None:
                    names[target.id] = value
            elif (isinstance(target, ast.Subscript) and isinstance(node.value, ast.Constant)
                  and node.value.value == 0 and isinstance(target.slice, ast.Tuple) and len(target.slice.elts) == 4):
                rows, cols = (_slice_value(e, names, x_name, settings.size) for e in target.slice.elts[2:])
                if rows is None or cols is None:
                    return 0.5, f"`{ast.unparse(node)}` zeroes a square, but where could not be read."
                want = square_start(settings.size, settings.mask, settings.offset)
                right = (rows, cols) == ((want[0], want[0] + settings.mask), (want[1], want[1] + settings.mask))
                got = f"rows {rows[0]}:{rows[1]}, columns {cols[0]}:{cols[1]} for S = {settings.size}"
                if right:
                    return 1.0, f"`{ast.unparse(node)}` zeroes {got}: the right square."
                return 0.0, f"`{ast.unparse(node)}` zeroes {got}, not {square_text(settings, settings.mask, settings.offset)}."
    return 0.0, "no line zeroing a square of the images was found."


def _int_value(node: ast.AST, names: dict[str, int], x_name: str, size: int) -> int | None:
    match node:
        case ast.Constant(value=int() as v) if not isinstance(v, bool):
            return v
        case ast.Name(id=name):
            return names.get(name)
        case ast.Subscript(value=ast.Attribute(value=ast.Name(id=x), attr="shape")) if x == x_name:
            return size
        case ast.Call(func=ast.Attribute(value=ast.Name(id=x), attr="size"), args=[_]) if x == x_name:
            return size
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _int_value(left, names, x_name, size), _int_value(right, names, x_name, size)
            if a is None or b is None:
                return None
            ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__, ast.FloorDiv: int.__floordiv__}
            if type(op) in ops and not (type(op) is ast.FloorDiv and b == 0):
                return ops[type(op)](a, b)
    return None


def _slice_value(node: ast.AST, names: dict[str, int], x_name: str, size: int) -> tuple[int, int] | None:
    if not isinstance(node, ast.Slice) or node.step is not None:
        return None
    low = 0 if node.lower is None else _int_value(node.lower, names, x_name, size)
    high = size if node.upper is None else _int_value(node.upper, names, x_name, size)
    return None if low is None or high is None else (low, high)

