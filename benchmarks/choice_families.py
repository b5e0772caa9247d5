"""Generate, solve and verify 1000 variants of every multiple-choice family (exam task 1).

Torch is imported before timing. The baseline in the same run builds every module
on the CPU (real weight initialisation) and without the per-layer cache, as a naive
implementation would; dlexam builds on the meta device (shapes and counts only).

    .venv/bin/python benchmarks/choice_families.py [N]
"""

import sys
import time

import torch

from dlexam.engines.modules import build_module, parse_module
from dlexam.tasks import layer_questions
from dlexam.tasks.registry import FAMILIES, family

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
CHOICE = [name for name, (task, _) in FAMILIES.items() if task == 1]   # exam task 1


def timed(name: str, n: int = N) -> float:
    fam = family(name)
    start = time.perf_counter()
    for seed in range(n):
        variant = fam.generate(seed)
        fam.verify(variant, fam.solve(variant))
    return time.perf_counter() - start


def main() -> None:
    torch.set_num_threads(1)
    print(f"{N} variants each: generate + solve + verify (torch already imported, 1 thread)")
    print(f"{'family':<18} {'dlexam s':>9} {'baseline s':>11}")
    for name in CHOICE:  # first-use costs (lazy imports, the loss table, the bank) are not timed
        timed(name, 20)
    fast = {name: timed(name) for name in CHOICE}
    cached = layer_questions._module
    layer_questions._module = lambda layer: build_module(parse_module(layer), device="cpu")
    slow = {name: timed(name) for name in CHOICE}
    layer_questions._module = cached
    for name in CHOICE:
        print(f"{name:<18} {fast[name]:>9.2f} {slow[name]:>11.2f}")
    print(f"{'total':<18} {sum(fast.values()):>9.2f} {sum(slow.values()):>11.2f}")


if __name__ == "__main__":
    main()
