"""The migrated schema is exactly what the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import desk.models  # noqa: F401  (registers every table)
from desk.db import Database
from desk.migrations import HEAD, current_revision, upgrade


def _not_fts(name: str | None, type_: str, _parent: object) -> bool:
    """FTS5 tables (and their shadow tables) are made by migrations, not models."""
    return not (type_ == "table" and name is not None and name.startswith("search_fts"))


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
