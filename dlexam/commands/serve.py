"""`dlexam serve [--host 127.0.0.1] [--port 8000]`: the web app (dlexam/web) with uvicorn, over the store
the environment names (DLEXAM_DATABASE_URL, DLEXAM_STORE or the default file). GET /healthz answers
{"ok": true}. Sessions are signed with DLEXAM_SECRET_KEY or a secret kept beside the store."""

from __future__ import annotations

import argparse

HELP = "Run the web app: practice, mock exams, results and progress in the browser."


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port between 1 and 65535")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=port, default=8000, help="the port (default 8000)")


def run(args: argparse.Namespace) -> dict:
    import socket

    import uvicorn

    from dlexam.errors import InputError
    from dlexam.web.app import create_app

    app = create_app()
    try:   # a clear sentence for a port in use, before uvicorn logs its own traceback-free error
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise InputError(f"Cannot listen on {args.host}:{args.port}: {exc.strerror or exc}.") from None
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return {"served": f"http://{args.host}:{args.port}/", "stopped": True}


def show(result: dict) -> str:
    return f"Stopped serving {result['served']}."
