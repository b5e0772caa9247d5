"""Alembic's entry point: runs the migrations on the connection the store hands over, inside
the store's own transaction (so a migration is applied whole or not at all)."""

from alembic import context

from dlexam.store.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
