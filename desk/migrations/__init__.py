"""Alembic migrations, applied whenever the desk or a CLI command opens a database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

HERE = Path(__file__).resolve().parent
# The newest revision in versions/; a test checks it against Alembic's own view of the scripts,
# so the common case (schema already current) is one cheap query and no Alembic import.
HEAD = "0020"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config() -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is already at HEAD."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = alembic_config()
    assert isinstance(config, Config)
    # One write transaction (BEGIN IMMEDIATE on SQLite): two desks opening a new file at once
    # migrate one after the other. On SQLite a table whose constraints change is rebuilt
    # (Alembic's batch mode), which foreign keys would refuse while other rows point at it:
    # they are off for the migration (a pragma only honoured outside a transaction) and every
    # reference is checked before it commits.
    with engine.execution_options(desk_write=True).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                command.upgrade(config, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the upgrade left a row pointing at no row")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
