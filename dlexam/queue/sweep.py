"""Re-sending what the broker lost: every worker, at start and then every DLEXAM_SWEEP_SECONDS, sends again
the rows still queued that the broker no longer holds, and the rows running on a grader that is gone.

"No longer holds": the broker's queue is empty (a restart without persistence lost it all) and the row
was sent more than a few seconds ago, or the row has waited far longer than any backlog would explain
(Settings.resend_seconds). Each row is re-sent by one worker only (`to_resend` marks it in the same
UPDATE), and a duplicate message is harmless anyway: the claim lets one job grade.
"""

from __future__ import annotations

import logging
import threading
import time

RECENT = 3.0   # seconds: a row sent this recently may still be on its way to a worker
log = logging.getLogger("dlexam.queue")


def sweep_once() -> list[str]:
    """One sweep; the keys sent again."""
    from dlexam.queue.app import config, publish, queue_length
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import to_resend

    conf = config()
    now = time.time()
    waited = RECENT if queue_length() == 0 else conf.resend_seconds
    keys = to_resend(engine(), now, now - waited, now - conf.stale_seconds)
    publish(keys)
    if keys:
        log.warning("sent %d submissions again that the broker had lost or whose grader is gone", len(keys))
    return keys


def _loop(every: float) -> None:
    while True:
        try:
            sweep_once()
        except Exception as exc:  # noqa: BLE001 - the broker or the database is down: try again later
            log.warning("could not sweep for lost submissions: %s", exc)
        time.sleep(every)


def start() -> None:
    """Sweep now and then periodically, in a daemon thread of the worker's main process."""
    from dlexam.queue.app import config

    threading.Thread(target=_loop, args=(config().sweep_seconds,), name="dlexam-sweep", daemon=True).start()
