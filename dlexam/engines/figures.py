"""Saving a matplotlib figure: one place that writes it tightly cropped and always closes it
(pyplot keeps every open figure alive otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save(fig: Any, path: str | Path) -> Path:
    """Write `fig` to `path` (.png or .svg, by its suffix) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    try:
        fig.savefig(path, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
