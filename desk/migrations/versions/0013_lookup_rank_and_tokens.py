"""the lookup's one order (rank) and PostgreSQL's word index (search_token)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:00:00

Every search document gets its rank (desk.services.search_tokens.rank: its time to the second,
then its record), the lookup's one order on both engines; the room indexes end with it, and a
second pair has the estate before it (a room's newest rows in every estate, and in one estate,
are each an index range). On SQLite the FTS5 table is made again with the document's estate
(`est`) and the rank as rowid; on PostgreSQL the words go into `search_token` (token, rank,
estate_id) behind a b-tree on (token, rank): a word's newest matches are an index range read
backwards. Plain b-trees: no extension is needed. The index is rebuilt from the registers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from desk.services.search_index import reindex

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.add_column(
        "search_doc", sa.Column("rank", sa.BigInteger(), nullable=False, server_default="0")
    )
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.drop_index("ix_search_doc_room")
        batch_op.drop_index("ix_search_doc_room_no")
    if not postgres:
        # the FTS5 table gets the document's estate (a lookup within one estate of several
        # reads that estate's matches only); its rowid becomes the rank
        op.execute("DROP TABLE search_fts")
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "reg, est, name, grams, unis, content='', columnsize=0, tokenize='ascii')"
        )
    if postgres:
        op.execute("ALTER TABLE search_doc ALTER COLUMN rank DROP DEFAULT")
        # COLLATE "C": tokens are compared byte by byte (equality only), faster than a locale's
        op.execute(
            'CREATE TABLE search_token (token text COLLATE "C" NOT NULL, '
            "rank bigint NOT NULL, estate_id integer NOT NULL)"
        )
    reindex(bind)  # the table's rows are written before its index: one sort, not a million
    if postgres:
        op.execute(
            "ALTER TABLE search_token ADD CONSTRAINT search_token_pkey "
            "PRIMARY KEY (token, rank) INCLUDE (estate_id)"
        )
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.create_index("ix_search_doc_rank", ["rank"], unique=True)
        for column in ("room", "room_no"):
            batch_op.create_index(f"ix_search_doc_{column}", [column, "register_name", "rank"])
            batch_op.create_index(
                f"ix_search_doc_estate_{column}", [column, "register_name", "estate_id", "rank"]
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_token")
    else:
        op.execute("DROP TABLE search_fts")
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "reg, name, grams, unis, content='', columnsize=0, tokenize='ascii')"
        )
    with op.batch_alter_table("search_doc", schema=None) as batch_op:
        batch_op.drop_index("ix_search_doc_rank")
        for column in ("room", "room_no"):
            batch_op.drop_index(f"ix_search_doc_{column}")
            batch_op.drop_index(f"ix_search_doc_estate_{column}")
        batch_op.create_index("ix_search_doc_room", ["room", "register_name", "at"])
        batch_op.create_index("ix_search_doc_room_no", ["room_no", "register_name", "at"])
        batch_op.drop_column("rank")
