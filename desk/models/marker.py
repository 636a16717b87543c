"""The desk's mark on its database: one row saying "this is a desk" (migration 0009).

On SQLite the file's header also carries it (PRAGMA application_id); desk.db reads both before
it opens, migrates or restores anything, so another program's database is never touched.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from desk.models.base import Record


class DeskMarker(Record, table=True):
    __tablename__ = "desk_marker"
    __table_args__ = (CheckConstraint("id = 1", name="desk_marker_one_row"),)

    id: int = Field(primary_key=True)
    product: str = Field(max_length=20)
