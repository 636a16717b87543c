"""the audit chain: every event sealed into one hash chain; phone numbers masked

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00

Adds audit_seal (append-only, as audit_event is), masks the phone numbers the events written so
far carry in their data (the only time events are changed: before the chain covers them), then
seals every event in the order it was written. Each record's row is sealed with its first event
sealed here: the chain starts from the registers as they stand at this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["audit_event.id"]),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("hash"),
    )
    protect_seals()
    mask_phones()
    from desk.services.audit_chain import seal_unsealed

    seal_unsealed(op.get_bind())


def protect_seals() -> None:
    """The database refuses to change or delete a seal, as it does an event."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_seal_no_{verb.lower()} BEFORE {verb} ON audit_seal "
                "BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_seal_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_seal is append-only'; END; $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER audit_seal_append_only BEFORE UPDATE OR DELETE ON audit_seal "
        "FOR EACH ROW EXECUTE FUNCTION audit_seal_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_seal_append_only()"
    )


def mask_phones() -> None:
    """Mask the phone numbers in the data of the events written before the chain."""
    import json

    from desk.services.audit_rows import masked

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, data FROM audit_event WHERE data LIKE '%phone%'"))
    changes = []
    for event_id, data in rows:
        try:
            loaded = json.loads(data or "{}")
        except ValueError:
            continue
        if not isinstance(loaded, dict):
            continue
        shown = json.dumps(masked(loaded), ensure_ascii=False)
        if shown != data:
            changes.append({"id": event_id, "data": shown})
    if not changes:
        return
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER audit_event_no_update")
    else:
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    bind.execute(sa.text("UPDATE audit_event SET data = :data WHERE id = :id"), changes)
    if sqlite:
        op.execute(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )
    else:
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")


def downgrade() -> None:
    raise NotImplementedError("the audit chain is not taken back")
