"""`dlexam user add NAME [--staff]`: an account for the web app; the password is read from standard
input (its first line; typed without echo at a terminal) and stored as an argon2 hash."""

from __future__ import annotations

import argparse
import sys

HELP = "Manage the web app's accounts: `user add NAME [--staff]` (password from standard input)."


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an account; the password is read from standard input")
    add.add_argument("name", help="the user name (what the store's `student` columns hold)")
    add.add_argument("--staff", action="store_true", help="a staff account (class results, uploads, papers)")
    add.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object")


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError
    from dlexam.store import Store, users
    from dlexam.web.auth import check_password, hash_password

    users.check_name(args.name)
    password = _password()
    problem = check_password(password)
    if problem:
        raise InputError(problem)
    with Store() as store:
        if users.find(store, args.name) is not None:
            raise InputError(f"The user name {args.name!r} is taken.")
        user = users.add(store, args.name, hash_password(password), staff=args.staff)
        where = store.where
    return {"user": user.name, "staff": user.staff, "store": where}


def _password() -> str:
    if sys.stdin.isatty():
        import getpass
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def show(result: dict) -> str:
    return f"Added {'staff account' if result['staff'] else 'account'} {result['user']} (store: {result['store']})."
