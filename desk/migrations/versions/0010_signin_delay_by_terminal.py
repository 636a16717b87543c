"""sign-in delay by terminal

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:00:00

Failed sign-ins are counted per terminal (host name + tty device), not per operator: after a
few, the next attempt from that terminal waits, longer each time. The operator's own
failed_attempts / locked_until columns stay, unused.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import desk.models.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signin_terminal",
        sa.Column("terminal", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("wait_until", desk.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("terminal"),
    )


def downgrade() -> None:
    op.drop_table("signin_terminal")
