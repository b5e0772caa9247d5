"""`dlexam pieces`: the linear pieces of a max/ReLU program or network, and its level set."""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_time_limit, bounded
from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Linear pieces and the boundary f = C of a max/ReLU program of x1, x2 (or a ReLU network)."

SHOWN_NETWORK_PIECES = 20


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)
    parser.add_argument("program", nargs="?", metavar="PROGRAM",
                        help='assignments over x1, x2, e.g. "h = max(0, x1); y = max(x2, h)"')
    parser.add_argument("--network", metavar="FILE",
                        help='a ReLU network as JSON: {"weights": [W1, ...], "biases": [b1, ...]}')
    parser.add_argument("--level", metavar="C", help="draw and list the boundary f = C")
    parser.add_argument("--box", nargs=4, metavar=("X1MIN", "X1MAX", "X2MIN", "X2MAX"),
                        help="the region to look at (default -5 5 -5 5)")
    parser.add_argument("--plot", metavar="FILE", help="write a picture (.png or .svg)")
    add_time_limit(parser, 20.0)


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError

    if (args.program is None) == (args.network is None):
        raise InputError("Give either a PROGRAM or --network FILE, not both or neither.")
    if args.plot is not None and not args.plot.lower().endswith((".png", ".svg")):
        raise InputError(f"The picture must be a .png or .svg file, not {args.plot!r}.")
    from dlexam.engines import pwl_network  # noqa: F401  (imported before the fork: not in the time limit)
    if args.plot:
        from dlexam.engines import pwl_plot  # noqa: F401
    return bounded(_pieces, args.program, args.network, args.box, args.level, args.plot,
                   seconds=args.time_limit, what="Finding the pieces")


def _pieces(program: str | None, network: str | None, box, level, plot: str | None) -> dict:
    from dlexam.engines import pwl, pwl_network

    if network is not None:
        partition = pwl_network.network_pieces(pwl_network.read_network(network), box, level)
    else:
        partition = pwl.program_pieces(program, box, level)
    result = partition.to_json()
    if plot:
        from dlexam.engines import pwl_plot
        result["plot"] = str(pwl_plot.draw(partition, plot))
    return result


def show(result: dict) -> str:
    lines = [f"{result['count']} linear pieces of {result['output']} in the box "
             f"{' '.join(_n(v) for v in result['box'])}"]
    network = result.get("kind") == "network"
    rows = result["pieces"][:SHOWN_NETWORK_PIECES] if network else result["pieces"]
    header = ("#", "pattern" if network else "condition", "function", "boundary")
    table = [header]
    for i, piece in enumerate(rows, start=1):
        function = piece.get("function_text") or _affine(piece["function"])
        if piece["at_level"]:
            level = f"all of it ({result['output']} = {_n(result['level'])})"
        elif result["level"] is None:
            level = ""
        else:
            level = "; ".join(piece.get("boundary_text") or [_seg(s) for s in piece["boundary"]]) or "-"
        table.append((str(i), piece["condition"], f"{result['output']} = {function}", level))
    if result["level"] is None:
        table = [row[:3] for row in table]
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    for row in table:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if network and len(result["pieces"]) > len(rows):
        lines.append(f"... and {len(result['pieces']) - len(rows)} more (use --json for all)")
    if result["level"] is not None:
        segments = result.get("boundary_text") or [_seg(s) for s in result["boundary"]]
        lines.append(f"Boundary {result['output']} = {_n(result['level'])}: "
                     + ("never reached in the box" if not segments else f"{len(segments)} segment(s)"))
        if not network or len(segments) <= SHOWN_NETWORK_PIECES:
            lines += [f"  {s}" for s in segments]
    if result.get("plot"):
        lines.append(f"Picture written to {result['plot']}")
    return "\n".join(lines)


def _n(v) -> str:
    return str(int(v)) if float(v) == int(v) else f"{v:.6g}"


def _affine(f: dict) -> str:
    parts = []
    for name in ("x1", "x2"):
        c = f[name]
        if c:
            body = name if abs(c) == 1 else f"{abs(c):.4g}*{name}"
            parts.append(("- " if c < 0 else "+ ") + body)
    if f["const"] or not parts:
        parts.append(("- " if f["const"] < 0 else "+ ") + f"{abs(f['const']):.4g}")
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def _seg(s) -> str:
    (a, b), (c, d) = s
    return f"({a:.4g}, {b:.4g}) to ({c:.4g}, {d:.4g})"
