"""Exact linear regions of ReLU MLPs 2 -> W x D -> 1 on [-2, 2]^2, against grid sampling.

Run: .venv/bin/python benchmarks/pwl_regions.py
Networks: torch float64, PyTorch's default init after torch.manual_seed(0), built as
nn.Sequential(Linear(2, W), ReLU, ..., Linear(W, 1)), last bias shifted so f(0) = 0.
Baseline in the same run: the distinct activation patterns on a 1001 x 1001 grid (a lower
bound on the region count). SplineCam's figures on this machine are printed for comparison.
Also times the exact engine on exam-sized programs (target: under 20 ms each).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")   # one core, as the targets are stated

import numpy as np
import torch

from dlexam.engines.pwl import program_pieces
from dlexam.engines.pwl_network import network_from_torch, network_pieces

torch.set_num_threads(1)

BOX = (-2.0, 2.0, -2.0, 2.0)
SIZES = [(10, 3), (50, 3), (100, 2), (64, 4)]
SPLINECAM = {(10, 3): (137, 0.6), (50, 3): (6248, 13.2), (100, 2): (11801, 16.1), (64, 4): (15898, 27.0)}
EXAM_PROGRAMS = [
    "h = max(0, x1); y = max(x2, h)",
    "a3 = max(0, x1 + x2); a4 = max(0, x1 - x2); y = a3 - a4",
    "h1 = max(0, x1 - x2 + 1); h2 = min(x1 + 2*x2, 1); h3 = max(h1, h2, -x1); y = h1 - h3 + abs(x2)",
]


def mlp(width: int, depth: int) -> torch.nn.Sequential:
    torch.manual_seed(0)
    layers: list[torch.nn.Module] = [torch.nn.Linear(2, width)]
    for _ in range(depth - 1):
        layers += [torch.nn.ReLU(), torch.nn.Linear(width, width)]
    layers += [torch.nn.ReLU(), torch.nn.Linear(width, 1)]
    model = torch.nn.Sequential(*layers).double()
    with torch.no_grad():
        model[-1].bias -= model(torch.zeros(1, 2, dtype=torch.float64))[0]
    return model


def grid_patterns(model: torch.nn.Sequential, n: int = 1001) -> int:
    """Distinct activation patterns of the hidden ReLUs at the n x n grid points of the box."""
    xs = torch.linspace(BOX[0], BOX[1], n, dtype=torch.float64)
    ys = torch.linspace(BOX[2], BOX[3], n, dtype=torch.float64)
    points = torch.cartesian_prod(xs, ys)
    chunks = []
    with torch.no_grad():
        for start in range(0, len(points), 100_000):   # in chunks: 1M x 100 doubles is 800 MB
            h, bits = points[start:start + 100_000], []
            for layer in list(model)[:-1]:
                h = layer(h)
                if isinstance(layer, torch.nn.Linear):
                    bits.append(np.packbits((h > 0).numpy(), axis=1))
            chunks.append(np.concatenate(bits, axis=1))
    packed = np.ascontiguousarray(np.concatenate(chunks))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    return len(np.unique(rows))


def best_time(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    print("ReLU MLP regions on [-2, 2]^2 (exact: float64 polygon splitting, best of 3; one thread)")
    header = f"{'net':>7} {'regions':>8} {'time s':>7} {'regions/s':>10} | {'grid 1001^2':>11} {'grid s':>7} | " \
             f"{'SplineCam':>9} {'SC s':>5} {'speed-up':>8}"
    print(header)
    print("-" * len(header))
    ok = True
    for width, depth in SIZES:
        model = mlp(width, depth)
        net = network_from_torch(model)
        seconds, part = best_time(lambda: network_pieces(net, BOX))
        start = time.perf_counter()
        sampled = grid_patterns(model)
        grid_seconds = time.perf_counter() - start
        sc_regions, sc_seconds = SPLINECAM[(width, depth)]
        ok &= len(part) >= sampled
        print(f"{f'{width}x{depth}':>7} {len(part):>8} {seconds:>7.3f} {len(part) / seconds:>10.0f} | "
              f"{sampled:>11} {grid_seconds:>7.2f} | {sc_regions:>9} {sc_seconds:>5.1f} {sc_seconds / seconds:>7.0f}x")
    print("exact count >= grid count for every network:", "yes" if ok else "NO")
    print()
    print("Exam-sized programs (exact Fractions, best of 20):")
    for text in EXAM_PROGRAMS:
        seconds, part = best_time(lambda: program_pieces(text, level=1), repeat=20)
        print(f"  {seconds * 1000:6.2f} ms  {len(part):>2} pieces  {text}")
    assert ok, "the exact engine found fewer regions than grid sampling"


if __name__ == "__main__":
    main()
