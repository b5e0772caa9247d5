"""The Celery app behind DLEXAM_BROKER_URL: one task, `dlexam.grade(key)`, whose only argument is the
submission's key; the row (store database) holds the source and receives the result.

Reliability, in Celery's own terms:
- acks_late + prefetch multiplier 1: a message is acknowledged only after its job wrote the row, and a
  worker process holds one message at a time, so a worker killed mid-job loses nothing;
- reject_on_worker_lost: a pool process killed mid-job (kill -9, out of memory) sends its message back;
  `LostAwareRequest` first puts its row back to queued so the redelivery may claim it at once;
- a whole host gone: its unacknowledged messages return after the broker's visibility timeout, and its
  rows look dead once `started` is older than the hard time limit (Settings.stale_seconds);
- a per-job soft time limit (then the row fails with that reason) and a hard one that kills the process;
- bounded tries: the claim counts them; a submission whose graders died `tries` times is failed.
The row's conditional UPDATEs (dlexam.store.submissions) make any duplicate delivery a no-op.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.worker.request import Request

from dlexam.queue.settings import Settings, settings

TASK = "dlexam.grade"
QUEUE = "dlexam"
_apps: dict[Settings, Celery] = {}


def config() -> Settings:
    return settings()


def make_app(conf: Settings) -> Celery:
    made = Celery("dlexam", broker=conf.broker, set_as_current=False)
    made.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_soft_time_limit=conf.job_seconds, task_time_limit=conf.hard_seconds,
        task_ignore_result=True, task_default_queue=QUEUE, task_serializer="json", accept_content=["json"],
        broker_transport_options={"visibility_timeout": conf.visibility_seconds},
        broker_connection_retry_on_startup=True, broker_connection_timeout=3,
        worker_proc_alive_timeout=120,       # a pool process imports the graders (torch) before its first job
        worker_send_task_events=False, worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
    )
    made.task(name=TASK, bind=True, Request=LostAwareRequest)(grade)
    return made


def app() -> Celery:
    """The app for the environment's settings (made once per settings in this process)."""
    conf = config()
    if conf not in _apps:
        _apps[conf] = make_app(conf)
    return _apps[conf]


def grade(task, key: str) -> str:
    """The task: grade the submission `key` in this pool process's warm sandbox pool."""
    from dlexam.queue.child import child_pool
    from dlexam.queue.jobs import process, time_out
    from dlexam.queue.rows import engine

    worker = f"{task.request.hostname}/{os.getpid()}"
    try:
        return process(engine(), key, worker, config(), child_pool())
    except SoftTimeLimitExceeded:
        time_out(engine(), key, worker, config())
        return "failed"
    except Exception:  # noqa: BLE001 - the grader itself broke (students' faults are grades): this process
        import logging  # may be left half-broken, so it ends; the main process requeues the job (a try)

        logging.getLogger("dlexam.queue").exception("grading %s broke its process; it is replaced", key)
        os._exit(70)


class LostAwareRequest(Request):
    """Runs in the worker's main process: when a pool process dies mid-job, its row goes back to queued
    before Celery sends the message back; when a job hits the hard limit, its row fails with that reason."""

    def _claim_of(self) -> str:
        return f"{self.hostname}/{self.worker_pid}"

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        from billiard.exceptions import WorkerLostError

        exc = getattr(exc_info.exception, "exc", exc_info.exception)
        if isinstance(exc, (WorkerLostError, SystemExit, KeyboardInterrupt)) and self.worker_pid:
            quietly(lambda: _release(self.id, self._claim_of()))
        return super().on_failure(exc_info, send_failed_event, return_ok)

    def on_timeout(self, soft, timeout):
        if not soft and self.worker_pid:
            quietly(lambda: _timed_out(self.id, self._claim_of()))
        return super().on_timeout(soft, timeout)


def _release(key: str, worker: str) -> None:
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import release

    release(engine(), key, worker)


def _timed_out(key: str, worker: str) -> None:
    from dlexam.queue.jobs import time_out
    from dlexam.queue.rows import engine

    time_out(engine(), key, worker, config())


def quietly(action) -> None:
    """The worker's main process must keep serving: a database hiccup here is logged, the sweep repairs it."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001
        import logging

        logging.getLogger("dlexam.queue").warning("could not update a submission's row: %s", exc)


def publish(keys: list[str]) -> None:
    """Send one task per key (its task id is the key); InputError if the broker cannot be reached."""
    if not keys:
        return
    made = app()
    task = made.tasks[TASK]
    try:
        with made.producer_or_acquire() as producer:
            for key in keys:
                task.apply_async((key,), task_id=key, producer=producer, retry=False)
    except Exception as exc:  # noqa: BLE001 - kombu, redis-py and socket errors alike
        raise broker_error(exc) from None


def check_broker() -> None:
    """InputError in one sentence unless the broker answers within a few seconds."""
    try:
        with app().connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001
        raise broker_error(exc) from None


def broker_error(exc: BaseException):
    from dlexam.errors import InputError
    from dlexam.queue.settings import BROKER_VAR

    detail = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__
    detail = detail.replace(". ", ": ")     # redis-py says "connecting to host:port. Connection refused"
    where = _without_password(config().broker or "")
    return InputError(f"The broker {where} cannot be reached ({detail}); start it or check {BROKER_VAR}.")


def _without_password(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return maybe_sanitize_url(url)


def queue_length() -> int:
    """Messages waiting in the broker's queue (0 when it has none, e.g. after a restart that lost them)."""
    with app().connection_for_read() as conn:
        try:
            return conn.default_channel.queue_declare(QUEUE, passive=True).message_count
        except Exception:  # noqa: BLE001 - a queue that does not exist holds nothing
            return 0
