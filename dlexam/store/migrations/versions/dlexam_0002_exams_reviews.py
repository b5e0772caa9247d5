"""Exams (plan, answers as entered, hand-in, grade), FSRS review state, and a student on every row.

Existing attempts keep their ids and contents; they belong to the terminal's student ("").

Revision ID: dlexam_0002
Revises: dlexam_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "dlexam_0002"
down_revision = "dlexam_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("attempts", sa.Column("student", sa.String(64), nullable=False, server_default=""))
    op.add_column("attempts", sa.Column("exam_id", sa.Integer))
    op.create_index("attempts_student_family", "attempts", ["student", "family"])
    op.create_table(
        "exams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("student", sa.String(64), nullable=False, server_default=""),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("handed_in", sa.Float),
        sa.Column("total", sa.Float),
        sa.Column("german_grade", sa.Float),
    )
    op.create_index("exams_student_open", "exams", ["student", "handed_in"])
    op.create_table(
        "exam_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("exam_id", sa.Integer, sa.ForeignKey("exams.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(8), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("saved", sa.Float),
        sa.Column("grade", sa.JSON),
        sa.Column("points", sa.Float),
        sa.Column("max_points", sa.Float),
        sa.UniqueConstraint("exam_id", "label", name="exam_answers_exam_label"),
    )
    op.create_table(
        "review_states",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("student", sa.String(64), nullable=False, server_default=""),
        sa.Column("family", sa.Text, nullable=False),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("due", sa.Float, nullable=False),
        sa.Column("last_review", sa.Float),
        sa.Column("reviews", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
        sa.UniqueConstraint("student", "family", name="review_states_student_family"),
    )
    op.create_index("review_states_due", "review_states", ["student", "due"])


def downgrade() -> None:
    op.drop_index("review_states_due", table_name="review_states")
    op.drop_table("review_states")
    op.drop_table("exam_answers")
    op.drop_index("exams_student_open", table_name="exams")
    op.drop_table("exams")
    op.drop_index("attempts_student_family", table_name="attempts")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("exam_id")
        batch.drop_column("student")
