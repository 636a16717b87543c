"""lookup tokens carry their register

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 14:30:00

The quick lookup's FTS5 tokens now start with their register's prefix (search_index.fts_row),
so the index is rebuilt from the registers.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from desk.services.search_index import reindex

    reindex(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("the lookup tokens of 0006 are not rebuilt")
