"""The migrated schema is exactly what the models declare."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

import desk.models  # noqa: F401  (registers every table)
from desk.db import Database, make_engine
from desk.migrations import HEAD, current_revision, upgrade
from desk.migrations import HERE as MIGRATIONS
from desk.models import AuditEvent, Operator, Resident
from desk.services import repair, residents
from desk.services.repair import RepairCreate
from tests.conftest import NOW, Desk, verify_audit


def _not_fts(name: str | None, type_: str, _parent: object) -> bool:
    """The words' indexes are made by migrations, not models: FTS5 tables (and their shadow
    tables) on SQLite, search_token on PostgreSQL."""
    return not (
        type_ == "table" and name is not None and name.startswith(("search_fts", "search_token"))
    )


def test_migrated_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_name": _not_fts,
            },
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_database_is_at_head_and_upgrading_again_changes_nothing(db: Database) -> None:
    assert current_revision(db.engine) == HEAD
    upgrade(db.engine)
    assert current_revision(db.engine) == HEAD


def test_partial_indexes_have_the_conditions_the_queries_repeat(db: Database) -> None:
    """A partial index serves only a query repeating its condition word for word (the models'
    `sqlite_where`, written by the queries with `literal_in` / `literal_is`); the migration that
    made the index must have written the same condition."""
    if not db.is_sqlite:
        pytest.skip("SQLite keeps each index's CREATE statement")
    declared = {
        index.name: str(index.dialect_options["sqlite"]["where"])
        for table in SQLModel.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["sqlite"]["where"] is not None
    }
    assert len(declared) >= 10
    with db.engine.connect() as conn:
        made = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"
            ).all()
        )
    assert set(made) == set(declared)
    for name, condition in declared.items():
        assert made[name].split(" WHERE ", 1)[1] == condition, name


def test_rooms_typed_with_leading_zeros_become_one_unit_when_upgrading(tmp_path: Path) -> None:
    """A database of 0010 where 3-0301 and 3-301 were two units: after the upgrade they are one,
    with both residents; every register's rooms are written one way, and the lookup finds them
    as the clerk types them today."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0010")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO operator (id, name, role, pin_hash, active, failed_attempts,"
                " created_at) VALUES (1, '张伟', 'night', 'x', 1, 0, '2026-11-01 00:00:00')"
            )
        )
        for unit_id, building, room in ((1, "3", "0301"), (2, "3", "301"), (3, "03", "1202")):
            conn.execute(
                text(
                    "INSERT INTO unit (id, building, room, code, created_at)"
                    " VALUES (:id, :b, :r, :c, '2026-11-01 00:00:00')"
                ),
                {"id": unit_id, "b": building, "r": room, "c": f"{building}-{room}"},
            )
        for name, unit_id in (("王芳", 1), ("王强", 2), ("李明", 3)):
            conn.execute(
                text(
                    "INSERT INTO resident (unit_id, name, phone, kind, active, created_at)"
                    " VALUES (:u, :n, '', 'owner', 1, '2026-11-01 00:00:00')"
                ),
                {"u": unit_id, "n": name},
            )
        conn.execute(
            text(
                "INSERT INTO night_log_entry (logged_at, caller, room, phone, what, emergency,"
                " action_taken, state, transferred_to, close_reason, operator_id, created_at)"
                " VALUES ('2026-11-01 00:00:00', '王芳', '3-0301', '', '停电', 0, '',"
                " 'left_for_morning', '', '', 1, '2026-11-01 00:00:00')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        units = conn.execute(text("SELECT id, code FROM unit ORDER BY id")).all()
        assert [tuple(u) for u in units] == [(1, "3-301"), (3, "3-1202")]
        residents = conn.execute(text("SELECT name, unit_id FROM resident ORDER BY name")).all()
        assert sorted(tuple(r) for r in residents) == [("李明", 3), ("王强", 1), ("王芳", 1)]
        rooms = conn.execute(text("SELECT room FROM night_log_entry")).scalars().all()
        assert rooms == ["3-301"]
        indexed = conn.execute(text("SELECT room FROM search_doc WHERE room != ''")).scalars()
        assert "3-301" in set(indexed)
    engine.dispose()


def _as_an_old_desk_wrote_it(
    db: Database, register: str, table: str, row_id: int, **values: object
) -> None:
    """Change a row as a desk before 0011 would have stored it, with its event sealed: the
    audit trail verifies before the upgrade, as it does on a real older desk."""
    from desk.services.audit_chain import seal_unsealed

    sets = ", ".join(f"{name} = :{name}" for name in values)
    with db.engine.begin() as conn:
        conn.execute(text(f'UPDATE "{table}" SET {sets} WHERE id = :id'), {**values, "id": row_id})
        conn.execute(
            text(
                "INSERT INTO audit_event (at, register_name, record_id, action, data, reason)"
                " VALUES (:at, :register, :id, 'updated', '{}', '')"
            ),
            {"at": NOW, "register": register, "id": row_id},
        )
        seal_unsealed(conn)


def test_the_room_upgrade_leaves_an_audit_trail_that_verifies(
    db: Database, clerk: Operator
) -> None:
    """Rooms rewritten and units merged by the upgrade are on each record's history, sealed:
    verifying the trail afterwards finds nothing changed behind the desk's back."""
    desk = Desk(db, clerk)
    with desk.write() as ctx:
        first = residents.add_resident(ctx, "3", "301", "王芳", "13800000001", "owner")
        second = residents.add_resident(ctx, "3", "302", "王强", "13800000002", "tenant")
        order = repair.register(ctx, RepairCreate(room="3-301", description="漏水"))
    old_unit = second.unit_id
    _as_an_old_desk_wrote_it(db, "repairs", "repair_order", order.id or 0, room="03-0301")
    with db.engine.begin() as conn:  # 3-302 was typed 3-0301 by an older desk: a second unit
        conn.execute(
            text("UPDATE unit SET room = '0301', code = '3-0301' WHERE id = :id"), {"id": old_unit}
        )
    assert verify_audit(db).ok
    spec = importlib.util.spec_from_file_location(
        "m0011", MIGRATIONS / "versions" / "0011_loops_of_the_source_documents.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with db.engine.begin() as conn:
        module._one_way_rooms(conn)
    report = verify_audit(db)
    assert report.ok, [problem.text for problem in report.problems]
    with desk.read() as ctx:
        assert repair.get(ctx, order.id or 0).room == "3-301"
        moved = ctx.session.get(Resident, second.id)
        assert moved is not None and moved.unit_id == first.unit_id
        actions = ctx.session.exec(
            select(AuditEvent.register_name, AuditEvent.action).where(
                AuditEvent.action == "room_written_one_way"
            )
        ).all()
    assert sorted(actions) == [
        ("repairs", "room_written_one_way"),
        ("residents", "room_written_one_way"),
    ]
