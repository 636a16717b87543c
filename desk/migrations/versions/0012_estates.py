"""estates: every register's rows belong to one (issue 18)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:00:00

A table of estates, with the default one (id 1, code "main") that every existing row is in;
`estate_id` on every register's table (added with a constant default: on PostgreSQL 11 and
later and on SQLite this writes no row, so it takes no time at a million records); the operators
an estate allows. A unit's code, a key's tag and a site calendar day are now once per estate;
their tables are small and rebuilt. Record numbers stay unique in the whole company: an estate
other than the default one puts its code before them (HG-WX-20261207-001).
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import desk.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every table whose rows belong to an estate (desk.models.estate.InEstate)
IN_ESTATE = (
    "unit",
    "resident",
    "reception_entry",
    "repair_order",
    "repair_completion",
    "complaint",
    "key",
    "key_loan",
    "key_return",
    "entrusted_key",
    "entrusted_key_use",
    "key_count",
    "release_pass",
    "pass_item",
    "night_log_entry",
    "handover",
    "handover_print",
    "search_doc",
)
# SQLite names a table's unnamed constraints by this, so they can be dropped
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"}


def _estate_id() -> sa.Column:
    return sa.Column("estate_id", sa.Integer(), nullable=False, server_default="1")


def upgrade() -> None:
    op.create_table(
        "estate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", desk.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    estate = sa.table(
        "estate",
        sa.column("id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("name", sa.String()),
        sa.column("name_en", sa.String()),
        sa.column("settings", sa.Text()),
        sa.column("active", sa.Boolean()),
        sa.column("created_at", desk.models.base.UTCDateTime(timezone=True)),
    )
    op.bulk_insert(
        estate,
        [
            {
                "id": 1,
                "code": "main",
                "name": "",
                "name_en": "",
                "settings": "",
                "active": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('estate_id_seq', (SELECT max(id) FROM estate))")
    op.create_table(
        "operator_estate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("estate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["estate_id"], ["estate.id"]),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("operator_id", "estate_id", name="uq_operator_estate"),
    )
    op.add_column(
        "operator",
        sa.Column("all_estates", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    for table in IN_ESTATE:
        op.add_column(table, _estate_id())
    sqlite = op.get_bind().dialect.name == "sqlite"
    # The small tables whose uniqueness is now per estate.
    with op.batch_alter_table("unit", naming_convention=_NAMES) as batch:
        batch.drop_constraint("uq_unit_building" if sqlite else "unit_building_room_key", "unique")
        batch.drop_constraint("uq_unit_code" if sqlite else "unit_code_key", "unique")
        batch.create_unique_constraint("uq_unit_room", ["estate_id", "building", "room"])
        batch.create_unique_constraint("uq_unit_code", ["estate_id", "code"])
    with op.batch_alter_table("key", naming_convention=_NAMES) as batch:
        batch.drop_constraint("uq_key_tag" if sqlite else "key_tag_key", "unique")
        batch.create_unique_constraint("uq_key_tag", ["estate_id", "tag"])
    op.add_column(
        "calendar_day",
        sa.Column(
            "estate_id", sa.Integer(), nullable=False, server_default="1", autoincrement=False
        ),
    )
    with op.batch_alter_table("calendar_day", naming_convention=_NAMES) as batch:
        batch.drop_constraint("pk_calendar_day" if sqlite else "calendar_day_pkey", "primary")
        batch.create_primary_key("pk_calendar_day", ["day", "estate_id"])
    _default_estate_on_the_trail(op.get_bind())


def _default_estate_on_the_trail(bind: sa.engine.Connection) -> None:
    """The default estate's row is on the audit trail like every estate added later: verifying
    the trail catches its settings changed behind the desk's back."""
    from desk.models import AuditEvent
    from desk.services.audit_chain import seal_events

    op.bulk_insert(
        AuditEvent.__table__,  # type: ignore[attr-defined]
        [
            {
                "at": datetime.now(UTC),
                "operator_id": None,
                "register_name": "estates",
                "record_id": 1,
                "action": "created",
                "data": '{"code": "main"}',
                "reason": "upgrade 0012: the default estate",
            }
        ],
    )
    # only this event: finding every unsealed one walks the whole trail (1.3 s at a million
    # events, with every register's table locked meanwhile; bench/migrate_timing.py)
    event_id = bind.execute(
        sa.text("SELECT max(id) FROM audit_event WHERE register_name = 'estates' AND record_id = 1")
    ).scalar_one()
    seal_events(bind, [int(event_id)])


def downgrade() -> None:
    """Back to one estate: only a database that never had a second one can go back."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("calendar_day", naming_convention=_NAMES) as batch:
        batch.drop_constraint("pk_calendar_day", "primary")
        batch.create_primary_key("pk_calendar_day" if sqlite else "calendar_day_pkey", ["day"])
        batch.drop_column("estate_id")
    with op.batch_alter_table("key", naming_convention=_NAMES) as batch:
        batch.drop_constraint("uq_key_tag", "unique")
        batch.create_unique_constraint("uq_key_tag" if sqlite else "key_tag_key", ["tag"])
    with op.batch_alter_table("unit", naming_convention=_NAMES) as batch:
        batch.drop_constraint("uq_unit_room", "unique")
        batch.drop_constraint("uq_unit_code", "unique")
        batch.create_unique_constraint(
            "uq_unit_building" if sqlite else "unit_building_room_key", ["building", "room"]
        )
        batch.create_unique_constraint("uq_unit_code" if sqlite else "unit_code_key", ["code"])
    for table in reversed(IN_ESTATE):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("estate_id")
    with op.batch_alter_table("operator") as batch:
        batch.drop_column("all_estates")
    op.drop_table("operator_estate")
    op.drop_table("estate")
