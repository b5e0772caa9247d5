"""matplotlib figures without pyplot: `new_figure` makes a figure on the Agg canvas (no global
state, nothing to close, safe in threads and forked processes), `save` writes one.

The pictures lay themselves out (`layout="constrained"` or `tight_layout`), so they are saved at
their own size: `bbox_inches="tight"` would lay every picture out and draw it a second time only
to trim a few points of margin. A picture whose texts reach outside its axes asks for `tight`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def new_figure(**kwargs: Any) -> Any:
    """A matplotlib Figure (figsize, dpi, layout, …) with an Agg canvas attached."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Any, path: str | Path, tight: bool = False, **kwargs: Any) -> Path:
    """Write `fig` to `path` (.png or .svg, by its suffix); `tight` crops it to what is drawn."""
    path = Path(path)
    if tight or kwargs or path.suffix.lower() not in (".svg", ".png"):
        fig.savefig(path, bbox_inches="tight" if tight else None, **kwargs)
    else:   # the same file, drawn once: savefig first draws it without output only to lay it out
        _print(fig, path)
    return path


def _print(fig: Any, path: Path) -> None:
    """Draw with the format's canvas; the figure's layout engine (if any) runs within the draw."""
    if path.suffix.lower() == ".svg":
        from matplotlib.backends.backend_svg import FigureCanvasSVG

        FigureCanvasSVG(fig).print_svg(path)
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).print_png(path)
