"""Filters a supervisor keeps: predefined kinds (open complaints by severity, overdue anything,
repairs by technician, keys out, passes not reconciled), saved under a name per operator."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import col, select

from desk.models import (
    OPEN_COMPLAINT_STATES,
    OPEN_LOAN_STATES,
    OPEN_REPAIR_STATES,
    Complaint,
    KeyLoan,
    PassState,
    ReleasePass,
    RepairOrder,
    Severity,
)
from desk.models.search import SavedFilter, SearchDoc
from desk.services.context import Ctx
from desk.services.errors import DeskError, NotFound
from desk.services.limits import clean_column
from desk.services.lookup import ORDER, Group, hit_of
from desk.services.residents import clean_text

FILTER_LIMIT = 200


class FilterKind(StrEnum):
    open_complaints = "open_complaints"  # parameter: a severity, or "" for all
    overdue = "overdue"
    repairs_by_technician = "repairs_by_technician"  # parameter: the technician's name
    keys_out = "keys_out"
    passes_unreconciled = "passes_unreconciled"


@dataclass(frozen=True)
class FilterSpec:
    kind: FilterKind
    param: str = ""


def check(spec: FilterSpec) -> FilterSpec:
    """The spec with its parameter cleaned, or a DeskError saying what is wrong."""
    kind = FilterKind(spec.kind)
    param = clean_text(spec.param, 60, field="filter_param")
    if kind == FilterKind.open_complaints and param and param not in set(Severity):
        raise DeskError("lookup.bad_severity", field="filter_param", value=param)
    if kind == FilterKind.repairs_by_technician and not param:
        raise DeskError("field.required", field="filter_param")
    return FilterSpec(kind, param)


def spec_of(saved: SavedFilter) -> FilterSpec:
    params: dict[str, Any] = json.loads(saved.params or "{}")
    return FilterSpec(FilterKind(saved.kind), str(params.get("param", "")))


def saved(ctx: Ctx) -> list[SavedFilter]:
    """The signed-in operator's filters, by name."""
    statement = (
        select(SavedFilter)
        .where(SavedFilter.operator_id == ctx.acting())
        .order_by(col(SavedFilter.name))
    )
    return list(ctx.session.exec(statement))


def save(ctx: Ctx, name: str, spec: FilterSpec) -> SavedFilter:
    """Keep `spec` under `name` for the signed-in operator (the same name is replaced)."""
    operator_id = ctx.acting()
    name = clean_column(name, SavedFilter, "name", field="filter_name", required=True)
    spec = check(spec)
    found = ctx.session.exec(
        select(SavedFilter).where(SavedFilter.operator_id == operator_id, SavedFilter.name == name)
    ).first()
    row = found or SavedFilter(
        operator_id=operator_id, name=name, kind=spec.kind.value, created_at=ctx.now
    )
    row.kind = spec.kind.value
    row.params = json.dumps({"param": spec.param}, ensure_ascii=False)
    ctx.session.add(row)
    ctx.session.flush()
    return row


def delete(ctx: Ctx, filter_id: int) -> None:
    row = ctx.session.get(SavedFilter, filter_id)
    if row is None or row.operator_id != ctx.acting():
        raise NotFound("record.not_found", id=filter_id)
    ctx.session.delete(row)


def _ids(ctx: Ctx, statement: Any) -> list[int]:
    return [int(value) for value in ctx.session.exec(statement)]


def _matches(ctx: Ctx, spec: FilterSpec, limit: int) -> Iterable[tuple[str, list[int]]]:
    if spec.kind == FilterKind.open_complaints:
        query = select(Complaint.id).where(col(Complaint.state).in_(OPEN_COMPLAINT_STATES))
        if spec.param:
            query = query.where(Complaint.severity == spec.param)
        yield (
            "complaints",
            _ids(ctx, query.order_by(col(Complaint.received_at).desc()).limit(limit)),
        )
    elif spec.kind == FilterKind.repairs_by_technician:
        query = select(RepairOrder.id).where(
            col(RepairOrder.state).in_(OPEN_REPAIR_STATES), RepairOrder.technician == spec.param
        )
        yield "repairs", _ids(ctx, query.order_by(col(RepairOrder.reported_at).desc()).limit(limit))
    elif spec.kind == FilterKind.keys_out:
        query = select(KeyLoan.id).where(col(KeyLoan.state).in_(OPEN_LOAN_STATES))
        yield "key_loans", _ids(ctx, query.order_by(col(KeyLoan.out_at).desc()).limit(limit))
    elif spec.kind == FilterKind.passes_unreconciled:
        query = select(ReleasePass.id).where(
            col(ReleasePass.stub_returned_at).is_(None), ReleasePass.state != PassState.voided
        )
        yield "passes", _ids(ctx, query.order_by(col(ReleasePass.created_at).desc()).limit(limit))


def run_filter(ctx: Ctx, spec: FilterSpec | SavedFilter, limit: int = FILTER_LIMIT) -> list[Group]:
    """The records a filter selects, in the lookup's shape: grouped by register, newest first."""
    spec = check(spec_of(spec) if isinstance(spec, SavedFilter) else spec)
    docs: list[SearchDoc] = []
    if spec.kind == FilterKind.overdue:
        statement = (
            select(SearchDoc)
            .where(col(SearchDoc.due_at) < ctx.now)
            .order_by(col(SearchDoc.due_at))
            .limit(limit)
        )
        docs = list(ctx.session.exec(statement))
    for register, ids in _matches(ctx, spec, limit):
        if ids:
            docs.extend(
                ctx.session.exec(
                    select(SearchDoc).where(
                        SearchDoc.register_name == register, col(SearchDoc.record_id).in_(ids)
                    )
                )
            )
    groups = []
    for register in ORDER:
        mine = sorted(
            (doc for doc in docs if doc.register_name == register),
            key=lambda d: (d.at, d.id or 0),
            reverse=True,
        )
        if mine:
            groups.append(Group(register, [hit_of(ctx, doc) for doc in mine]))
    return groups
