"""The `dlexam` command: parses arguments, runs one command, prints JSON or text.

Each command lives in `dlexam/commands/<name>.py` with `HELP`, `configure(parser)`,
`run(args) -> dict | None` and `show(result) -> str` (and `status(result) -> int` where the
exit status depends on the result). Command modules import only the
standard library at the top, so `dlexam --help` never pays for torch or sympy.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from types import ModuleType

from dlexam.errors import InputError

COMMANDS = [
    "practice", "families", "question", "grade", "progress",
    "layer", "pieces", "derive", "equiv", "grade-code", "solution", "hessian", "exam", "paper", "export", "check",
    "worker", "serve", "user",
]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become InputError (exit 2, JSON if asked)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{message[0].upper()}{message[1:]} (see `{self.prog} --help`).")


def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"dlexam.commands.{name.replace('-', '_')}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("dlexam.commands."):
            return None  # a command of the contract that is not built yet
        raise


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, ModuleType]]:
    parser = _Parser(prog="dlexam", description="Practise and grade the deep-learning exam.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    modules = {}
    for name in COMMANDS:
        module = _load(name)
        if module is None:
            continue
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(command)
        command.add_argument("--json", action="store_true", help="print one JSON object")
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    as_json = "--json" in argv
    try:
        parser, modules = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        module = modules[args.command]
        result = module.run(args)
    except InputError as exc:
        _fail(str(exc), as_json)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _pipe_closed()
    except RecursionError:  # a parser that missed its own depth check: still bad input, not a bug
        _fail("The input is nested too deeply to read.", as_json)
        return 2
    except Exception as exc:  # a bug or a broken machine, not bad input: one sentence, status 1
        _fail(f"dlexam failed unexpectedly ({type(exc).__name__}: {exc}); please report this.", as_json)
        if os.environ.get("DLEXAM_DEBUG"):
            raise
        return 1
    if result is not None:
        try:
            print(json.dumps(result) if as_json else module.show(result))
            sys.stdout.flush()
        except BrokenPipeError:
            return _pipe_closed()
    return module.status(result) if hasattr(module, "status") else 0


def _pipe_closed() -> int:
    """The reader went away (`dlexam ... | head`): stop quietly, as Unix tools do, with the
    status a shell reports for SIGPIPE (128 + 13), and no complaint at exit about stdout."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
    return 141


def _fail(message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"error": message}))
    else:
        print(f"dlexam: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
