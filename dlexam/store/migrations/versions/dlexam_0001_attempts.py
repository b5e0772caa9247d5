"""The first store: one table of attempts, as dlexam/store.py wrote it with plain sqlite3.

A `practice.sqlite3` from that time has exactly this table (with TEXT for the JSON columns and
INTEGER for the seed, which SQLite stores alike); the store stamps such a file with this
revision and upgrades it in place.

Revision ID: dlexam_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "dlexam_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("family", sa.Text, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("variant", sa.JSON, nullable=False),
        sa.Column("answer", sa.JSON, nullable=False),
        sa.Column("grade", sa.JSON, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("max_points", sa.Float, nullable=False),
        sa.Column("seconds", sa.Float),
    )
    op.create_index("attempts_family", "attempts", ["family"])


def downgrade() -> None:
    op.drop_index("attempts_family", table_name="attempts")
    op.drop_table("attempts")
