"""Estates (小区 / 项目): every register's rows belong to one; an operator works on some or all.

A desk is bound to one estate (or, the call-centre desk, to every estate its operator may work
on); the rows of the tables marked `InEstate` are filtered to it by the session (desk.estates).
A database made before estates holds one, the default (id 1), which every existing row is in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field

from desk.models.base import Record, when

DEFAULT_ESTATE = 1


class InEstate:
    """A table whose rows belong to an estate (its `estate_id` column, declared on the table
    itself, last, so the columns of today's tables keep their order)."""

    estate_id: int | None


def estate_column() -> Any:
    """The `estate_id` of an `InEstate` table: set by the session as a row is written; the
    rows written before estates are the default estate's."""
    return Field(default=None, nullable=False, sa_column_kwargs={"server_default": "1"})


class Estate(Record, table=True):
    """One estate of the company: its code (short, typed at the call centre: 3 letters or
    digits), its names, and the site settings that differ from the desk's site file (TOML)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(default="", max_length=60)
    name_en: str = Field(default="", max_length=60)
    # site.toml lines that differ for this estate (its timezone, limits, shifts ...)
    settings: str = Field(default="", sa_type=Text)
    active: bool = True
    created_at: datetime = when(nullable=False)


class OperatorEstate(Record, table=True):
    """An estate an operator may work on, for an operator not allowed on all of them."""

    __tablename__ = "operator_estate"
    __table_args__ = (UniqueConstraint("operator_id", "estate_id", name="uq_operator_estate"),)

    # a row of its own id: the audit chain follows it as part of its operator's record
    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id")
    estate_id: int = Field(foreign_key="estate.id")
