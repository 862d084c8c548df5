"""Alembic's entry point: migrate the connection that :func:`dhti.store.api.open_store` hands in."""

from __future__ import annotations

from alembic import context

from dhti.store.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    # Offline mode (``alembic upgrade --sql``): print the SQL for the URL in the config.
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
else:
    context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
