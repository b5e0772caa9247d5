"""`dlexam worker [--concurrency N] [--hostname NAME]`: grade code submissions from the queue.

Needs DLEXAM_BROKER_URL (Redis) and the store every submitter uses (DLEXAM_DATABASE_URL, PostgreSQL
for several hosts). Runs a Celery worker in the foreground until stopped (SIGTERM or Ctrl-C: the jobs
running finish first). Each of its N pool processes grades one submission at a time in its own warm
sandbox; N defaults to the host's cores capped by memory (768 MB per job, as grade-code caps --jobs).
At start and every DLEXAM_SWEEP_SECONDS it re-sends rows the broker lost (a restart without
persistence) and rows whose grader died.
"""

from __future__ import annotations

import argparse

HELP = "Grade code submissions from the queue (DLEXAM_BROKER_URL), as one of any number of hosts."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, help="submissions graded at once (default: cores, capped "
                                                         "by memory)")
    parser.add_argument("--hostname", help="this worker's name in the rows (default: dlexam@<host name>)")
    parser.add_argument("--loglevel", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError
    from dlexam.queue.rows import engine
    from dlexam.queue.settings import BROKER_VAR, settings

    config = settings()
    if config.broker is None:
        raise InputError(f"{BROKER_VAR} is not set: a worker grades from a broker, e.g. "
                         f"{BROKER_VAR}=redis://127.0.0.1:6379/0 (without it, grade-code grades in-process).")
    if args.concurrency is not None and not 1 <= args.concurrency <= 512:
        raise InputError("--concurrency must be between 1 and 512.")
    from dlexam.queue.app import check_broker
    from dlexam.queue.worker import default_concurrency, run as run_worker

    check_broker()
    engine()                      # the store is reachable and migrated before any job arrives
    concurrency = args.concurrency or default_concurrency()
    run_worker(concurrency, args.hostname, args.loglevel)
    return {"stopped": True, "concurrency": concurrency}


def show(result: dict) -> str:
    return "The worker stopped."
