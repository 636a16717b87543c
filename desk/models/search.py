"""The lookup index (one search document per record of every register) and saved filters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field

from desk.models.base import Record, text, when
from desk.models.estate import InEstate, estate_column


class SearchDoc(InEstate, Record, table=True):
    """What the quick lookup finds of one record; written by desk.services.search_index.

    The words of `person` and `body` are also in an index made by the migrations and kept out
    of the models on purpose: on SQLite the FTS5 table `search_fts` (rowid = rank), on
    PostgreSQL the table `search_token` (token, rank, estate_id; see
    desk.services.search_tokens). `rank` is the lookup's order, newest first.
    """

    __tablename__ = "search_doc"
    __table_args__ = (
        UniqueConstraint("register_name", "record_id", name="uq_search_doc_record"),
        Index("ix_search_doc_rank", "rank", unique=True),
        # a room's newest first, in every estate (the call-centre desk) and in one estate
        Index("ix_search_doc_room", "room", "register_name", "rank"),
        Index("ix_search_doc_room_no", "room_no", "register_name", "rank"),
        Index("ix_search_doc_estate_room", "room", "register_name", "estate_id", "rank"),
        Index("ix_search_doc_estate_room_no", "room_no", "register_name", "estate_id", "rank"),
        Index("ix_search_doc_phone_rev", "phone_rev"),
        Index("ix_search_doc_number_key", "number_key"),
        Index("ix_search_doc_register_at", "register_name", "at"),
        Index("ix_search_doc_due", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    register_name: str = Field(max_length=20)
    record_id: int
    number: str = text(30)
    # the number in capitals without dashes: WX20261123007 (a prefix range finds it)
    number_key: str = text(30)
    room: str = text(45)
    # the room without its building (1202 of 3-1202): "1202" finds it in every building
    room_no: str = text(20)
    person: str = text(60)
    # the phone's digits reversed: the last four digits become an indexed prefix
    phone_rev: str = text(30)
    body: str = text(4000)
    state: str = text(20)
    at: datetime = when(nullable=False)
    due_at: datetime | None = when()
    operator_id: int | None = None
    estate_id: int | None = estate_column()
    # the lookup's order: the time to the second, then the record (search_tokens.rank)
    rank: int = Field(sa_type=BigInteger, nullable=False)


class SavedFilter(Record, table=True):
    """A filter an operator keeps under a name: a predefined kind and its parameter."""

    __tablename__ = "saved_filter"
    __table_args__ = (UniqueConstraint("operator_id", "name", name="uq_saved_filter_name"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", index=True)
    name: str = Field(max_length=60)
    kind: str = Field(max_length=30)
    params: str = text(1000, default="{}")
    created_at: datetime = when(nullable=False)
