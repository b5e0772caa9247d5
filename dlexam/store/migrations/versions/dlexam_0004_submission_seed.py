"""Submissions: the variant's seed (`grade-code --seed N` through the queue) and when the row was last
sent to the broker (`enqueued`; a worker re-sends rows the broker lost, e.g. after a restart).

Revision ID: dlexam_0004
Revises: dlexam_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "dlexam_0004"
down_revision = "dlexam_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("seed", sa.BigInteger))
        batch.add_column(sa.Column("enqueued", sa.Float))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("enqueued")
        batch.drop_column("seed")
