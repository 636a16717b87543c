"""the desk's mark on its database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:00:00

A desk database says it is one, so the desk never opens, migrates or restores over another
program's database (desk.db_file.check_sqlite_file, check_server_database): a one-row table
`desk_marker` on every backend, and on SQLite also `PRAGMA application_id` = "DESK" in the
file's header (readable without opening the file as a database).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here as literals: a migration must not change when desk.db does.
APPLICATION_ID = 0x4445534B  # b"DESK"
PRODUCT = "desk"


def upgrade() -> None:
    marker = op.create_table(
        "desk_marker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=False),
        sa.CheckConstraint("id = 1", name="desk_marker_one_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(marker, [{"id": 1, "product": PRODUCT}])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA application_id = 0")
    op.drop_table("desk_marker")
