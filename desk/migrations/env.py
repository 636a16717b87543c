"""Alembic environment: runs on the connection the desk hands over (see desk.migrations)."""

from alembic import context
from sqlmodel import SQLModel

import desk.models  # noqa: F401  (registers every table on the metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("desk migrations run through desk.migrations.upgrade()")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
