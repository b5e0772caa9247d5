"""The store's tables (SQLAlchemy Core), as the newest migration leaves them.

Times are seconds since the epoch (UTC) in FLOAT columns, as the first store wrote them;
JSON columns hold the same plain dicts that flow through the terminal, the browser and paper.
`student` names whose row it is: "" is the terminal's own student (no account); the
browser's accounts (`users`) use their names here.
"""

from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint, false)

from dlexam.store.quick import HEAD, LOCAL_STUDENT, REVISIONS  # noqa: F401  (the revisions live beside no SQLAlchemy)

metadata = MetaData()

attempts = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Float, nullable=False),
    Column("family", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("variant", JSON, nullable=False),
    Column("answer", JSON, nullable=False),
    Column("grade", JSON, nullable=False),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("seconds", Float),
    Column("student", String(64), nullable=False, server_default=""),
    Column("exam_id", Integer),               # set when the attempt comes from a handed-in exam
    Index("attempts_family", "family"),
    Index("attempts_student_family", "student", "family"),
)

exams = Table(
    "exams", metadata,
    Column("id", Integer, primary_key=True),
    Column("student", String(64), nullable=False, server_default=""),
    Column("seed", BigInteger, nullable=False),
    Column("plan", JSON, nullable=False),      # dlexam.exam.plan.plan(seed).to_json()
    Column("minutes", Integer, nullable=False),
    Column("points", Float, nullable=False),
    Column("started", Float, nullable=False),
    Column("handed_in", Float),                # null while the exam is open
    Column("total", Float),
    Column("german_grade", Float),             # 1.0 ... 5.0
    Index("exams_student_open", "student", "handed_in"),
)

exam_answers = Table(
    "exam_answers", metadata,
    Column("id", Integer, primary_key=True),
    Column("exam_id", Integer, ForeignKey("exams.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(8), nullable=False),  # where it stands on the sheet: "1.3", "2", "5b"
    Column("text", Text),                      # the answer as entered; null for a task graded unanswered
    Column("saved", Float),
    Column("grade", JSON),                     # the family's grade, set at hand-in
    Column("points", Float),                   # earned in this exam (share of the planned points)
    Column("max_points", Float),
    UniqueConstraint("exam_id", "label", name="exam_answers_exam_label"),
)

review_states = Table(
    "review_states", metadata,
    Column("id", Integer, primary_key=True),
    Column("student", String(64), nullable=False, server_default=""),
    Column("family", Text, nullable=False),
    Column("card", JSON, nullable=False),      # fsrs.Card.to_dict()
    Column("due", Float, nullable=False),
    Column("last_review", Float),
    Column("reviews", Integer, nullable=False),
    Column("lapses", Integer, nullable=False),  # reviews rated Again
    UniqueConstraint("student", "family", name="review_states_student_family"),
    Index("review_states_due", "student", "due"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),   # what `student` holds on the other tables
    Column("password_hash", Text, nullable=False),              # argon2, through pwdlib
    Column("staff", Boolean, nullable=False, server_default=false()),
    Column("created", Float, nullable=False),
)

submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),    # a redelivered job finds its row by this
    Column("student", String(64), nullable=False, server_default=""),
    Column("batch", String(64)),                                # a staff upload or one grade-code run
    Column("family", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("status", String(16), nullable=False),               # queued, running, done, failed
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("result", JSON),                                     # grade-code's JSON for this file
    Column("error", Text),                                      # why it failed, one sentence
    Column("worker", Text),
    Column("queued", Float, nullable=False),
    Column("started", Float),
    Column("finished", Float),
    Column("seed", BigInteger),                                 # the variant's settings; null: the exam's own
    Column("enqueued", Float),                                  # last sent to the broker (re-sent if lost)
    Index("submissions_batch", "batch", "status"),
    Index("submissions_student", "student", "queued"),
)

TABLES = frozenset(metadata.tables) | {"alembic_version"}
LEGACY_COLUMNS = frozenset({"id", "created", "family", "seed", "variant", "answer", "grade", "points",
                            "max_points", "seconds"})
