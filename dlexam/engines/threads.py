"""Run a block of torch code on a fixed number of threads.

Grading and reference runs use tiny tensors: extra threads only add overhead, contend with the
other sandboxes on a busy machine and make float sums depend on the thread count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
