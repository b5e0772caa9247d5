"""Alembic migrations of the store, run by `dlexam.store.database.migrate` when a store is opened.

Users need no alembic.ini. A new revision (a developer's step):

    .venv/bin/python -c "from dlexam.store.database import revision; revision('what changes')"

then add its id to `dlexam.store.quick.REVISIONS`.
"""
