"""The queue's knobs, from the environment (every host of a deployment sets the same ones).

DLEXAM_BROKER_URL     redis://host:6379/0 — set: submissions go to Celery workers; unset: graded in-process
DLEXAM_DATABASE_URL   the store (PostgreSQL for several hosts), shared by submitters and workers
DLEXAM_JOB_SECONDS    a job's time limit (soft; the hard limit kills its process 30 s later), default 300
DLEXAM_JOB_TRIES      claims of one submission before it is failed (its graders kept dying), default 3
DLEXAM_SWEEP_SECONDS  how often a worker re-sends rows the broker lost, default 30

Derived: a row running for longer than the hard limit + 30 s is on a grader that is gone (`stale`), and
the broker's visibility timeout (an unacknowledged message returns to the queue) lies beyond that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

BROKER_VAR = "DLEXAM_BROKER_URL"


@dataclass(frozen=True)
class Settings:
    broker: str | None
    job_seconds: float = 300.0
    tries: int = 3
    sweep_seconds: float = 30.0

    @property
    def margin(self) -> float:
        """Slack between the limits: 30 s for the default 300 s, 2 s for a test's few seconds."""
        return max(2.0, min(30.0, self.job_seconds / 10))

    @property
    def hard_seconds(self) -> float:
        return self.job_seconds + self.margin

    @property
    def stale_seconds(self) -> float:
        """A row running longer than this was claimed by a grader that died."""
        return self.hard_seconds + self.margin

    @property
    def visibility_seconds(self) -> float:
        return self.stale_seconds + self.margin

    @property
    def resend_seconds(self) -> float:
        """A queued row not picked up for this long is sent again, even if the broker looks busy."""
        return max(1800.0, 3 * self.stale_seconds)


def _number(name: str, default: float, low: float) -> float:
    from dlexam.errors import InputError

    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name} must be a number, not {raw!r}.") from None
    if value < low:
        raise InputError(f"{name} must be at least {low:g}.")
    return value


def settings() -> Settings:
    """The environment's settings (InputError naming the variable for a bad value)."""
    return Settings(broker=os.environ.get(BROKER_VAR, "").strip() or None,
                    job_seconds=_number("DLEXAM_JOB_SECONDS", 300.0, 1.0),
                    tries=int(_number("DLEXAM_JOB_TRIES", 3, 1)),
                    sweep_seconds=_number("DLEXAM_SWEEP_SECONDS", 30.0, 0.5))
