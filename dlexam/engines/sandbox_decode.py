"""Reading a child's answer frame under a budget: nothing in it may cost the grader more than
a fraction of a second or more memory than the frame's own size allows.

A frame is a torch.save zip. Before anything is unpickled, `check_archive` looks at the zip's
directory: every entry stored (no compression, so no zip bomb), the pickle itself at most
`PICKLE_BYTES` (torch's weights-only unpickler is pure Python: its time grows with the pickle's
length), a bounded number of entries. After loading, `plain` walks the value once with a
budget of `MAX_NODES` visits and `MAX_DEPTH` levels, counting shared sub-lists at every
reference (a 3.7 KB frame of lists sharing one inner list holds k³ elements), and turns every
tensor into a fresh dense CPU tensor of an allowed dtype:

- float32, float64, the integer types up to 64 bits, uint8 and bool are kept;
- float16 and bfloat16 are widened to float32 (exactly);
- anything else (float8, bits8, complex, quantized, sparse, nested, meta, other devices,
  tensor subclasses that are not plain tensors) is refused with a reason naming it;
- `MAX_ELEMENTS` elements in all (a stride-0 view of one number can claim billions).

A refusal raises `Refused` with one sentence for the student; `decode_result` turns it into
a NO_RESULT, so the file scores 0 with the reason at once.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import torch

PICKLE_BYTES = 1 << 20          # the answer's pickle (tensors' bytes are stored beside it)
MAX_ENTRIES = 4096              # files in the zip (one per tensor storage, roughly)
MAX_NODES = 20_000              # values visited while reading an answer, shared ones counted again
MAX_DEPTH = 6                   # nesting of lists / dicts (the answer's own fields count as levels)
MAX_ELEMENTS = 1 << 25          # tensor elements in all (128 MB of float32)
KEPT = frozenset({torch.float32, torch.float64, torch.int64, torch.int32, torch.int16, torch.int8,
                  torch.uint8, torch.bool})
WIDENED = {torch.float16: torch.float32, torch.bfloat16: torch.float32}
SCALARS = (bool, int, float, str, type(None))


class Refused(ValueError):
    """The answer holds something the grader will not read; the message says what."""


def check_archive(frame: bytes) -> None:
    """Refuse a frame whose zip could cost more to read than its size (compression, a huge pickle)."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(frame)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise Refused(f"the answer is not a torch.save archive ({type(exc).__name__})") from None
    if len(entries) > MAX_ENTRIES:
        raise Refused(f"the answer holds {len(entries)} files, more than {MAX_ENTRIES}")
    for entry in entries:
        if entry.compress_type != zipfile.ZIP_STORED:
            raise Refused("the answer's archive is compressed (torch.save never compresses)")
        if entry.filename.endswith(".pkl") and entry.file_size > PICKLE_BYTES:
            raise Refused(f"the answer's pickle has {entry.file_size} bytes, more than {PICKLE_BYTES}")


class Budget:
    """What one answer may still cost: values visited, tensor elements."""

    def __init__(self, nodes: int = MAX_NODES, elements: int = MAX_ELEMENTS):
        self.nodes, self.elements = nodes, elements

    def visit(self) -> None:
        self.nodes -= 1
        if self.nodes < 0:
            raise Refused(f"the answer holds more than {MAX_NODES} values (lists sharing lists count each time)")

    def take(self, elements: int) -> None:
        self.elements -= elements
        if self.elements < 0:
            raise Refused(f"the answer's tensors hold more than {MAX_ELEMENTS} elements in all")


def tensor(value: torch.Tensor, budget: Budget) -> torch.Tensor:
    """A fresh dense CPU tensor of an allowed dtype, or Refused naming what is wrong."""
    if not (type(value) is torch.Tensor or type(value) is torch.nn.Parameter):
        raise Refused(f"the answer holds a {type(value).__name__}, not a plain tensor")
    if value.is_quantized or getattr(value, "is_nested", False):
        raise Refused("a tensor in the answer is quantized or nested (only dense tensors are read)")
    if value.layout is not torch.strided:
        raise Refused(f"a tensor in the answer has layout {value.layout} (only dense tensors are read)")
    if value.device.type != "cpu":
        raise Refused(f"a tensor in the answer is on device {value.device.type}, not the CPU")
    if value.dtype not in KEPT and value.dtype not in WIDENED:
        raise Refused(f"a tensor in the answer has dtype {value.dtype}, which the grader does not read "
                      f"(use float32)")
    budget.take(value.numel())
    plain = torch.Tensor(value.detach()) if type(value) is torch.nn.Parameter else value.detach()
    plain = plain.to(WIDENED.get(value.dtype, value.dtype), copy=True).contiguous()
    return plain.requires_grad_(False)


def plain(value: Any, budget: Budget, depth: int = 0) -> Any:
    """The value with every tensor made plain; containers only lists (from tuples too) and str-keyed dicts."""
    budget.visit()
    if isinstance(value, torch.Tensor):
        return tensor(value, budget)
    if type(value) in SCALARS:
        return value
    if depth >= MAX_DEPTH:
        raise Refused(f"the answer is nested more than {MAX_DEPTH} levels deep")
    if type(value) in (list, tuple):
        return [plain(v, budget, depth + 1) for v in value]
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            raise Refused("a dict in the answer has keys that are not strings")
        return {k: plain(v, budget, depth + 1) for k, v in value.items()}
    raise Refused(f"the answer holds a {type(value).__name__}, not plain tensors or numbers")
