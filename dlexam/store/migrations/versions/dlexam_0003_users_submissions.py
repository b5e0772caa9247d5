"""Accounts for the browser, and code submissions graded by the in-process pool or the queue's workers.

`users.name` is what `student` holds on attempts, exams and review states. A submission is keyed by
`key` (unique): a redelivered job finds its row and never writes a second result.

Revision ID: dlexam_0003
Revises: dlexam_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "dlexam_0003"
down_revision = "dlexam_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("staff", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("student", sa.String(64), nullable=False, server_default=""),
        sa.Column("batch", sa.String(64)),
        sa.Column("family", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.Text),
        sa.Column("worker", sa.Text),
        sa.Column("queued", sa.Float, nullable=False),
        sa.Column("started", sa.Float),
        sa.Column("finished", sa.Float),
    )
    op.create_index("submissions_batch", "submissions", ["batch", "status"])
    op.create_index("submissions_student", "submissions", ["student", "queued"])


def downgrade() -> None:
    op.drop_index("submissions_student", table_name="submissions")
    op.drop_index("submissions_batch", table_name="submissions")
    op.drop_table("submissions")
    op.drop_table("users")
