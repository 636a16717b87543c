"""Estates: the company's estates, who may work on which, and a desk working in one.

A desk works in one estate (desk.estates binds its sessions); the call-centre desk works in
every estate its operator may work on, choosing one per call (`enter`). An operator is allowed
on every estate (`Operator.all_estates`, the default, and what an operator made before estates
is) or on those of its `operator_estate` rows. Adding an estate and deciding who may work where
is a supervisor's who may work on every estate. Record numbers of an estate other than the
default one start with its code (HG-WX-20261207-001), so a number is one record in the company.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from sqlmodel import col, select

from desk import estates as binding
from desk.config import Settings, with_overrides
from desk.models import DEFAULT_ESTATE, Estate, Operator, OperatorEstate
from desk.services import audit, roles
from desk.services.context import Ctx
from desk.services.errors import DeskError, Forbidden

CODE = re.compile(r"^[A-Z0-9]{2,8}$")


def listed(ctx: Ctx) -> list[Estate]:
    """The active estates, in the order they were added."""
    statement = select(Estate).where(col(Estate.active)).order_by(col(Estate.id))
    return list(ctx.session.exec(statement))


def by_code(ctx: Ctx, code: str) -> Estate | None:
    wanted = code.strip().upper()
    return next((estate for estate in listed(ctx) if estate.code.upper() == wanted), None)


def name_of(estate: Estate, settings: Settings, lang: str) -> str:
    """An estate's name in `lang`; the default estate, unnamed, is the site's own."""
    name = estate.name if lang == "zh_CN" else (estate.name_en or estate.name)
    if not name and estate.id == DEFAULT_ESTATE:
        return settings.site.name if lang == "zh_CN" else settings.site.name_en
    return name


def code_of(ctx: Ctx, estate_id: int | None) -> str:
    """An estate's code ("" for none); read once per session."""
    if estate_id is None:
        return ""
    codes: dict[int, str] = ctx.session.info.setdefault("desk_estate_codes", {})
    if estate_id not in codes:
        estate = ctx.session.get(Estate, estate_id)
        codes[estate_id] = estate.code if estate else ""
    return codes[estate_id]


def chosen(ctx: Ctx) -> bool:
    """Whether the session works in one estate (not the call centre's "every estate")."""
    return binding.estate_of(ctx.session) is not None


def number_prefix(ctx: Ctx) -> str:
    """What goes before a record number written now: nothing in the default estate (today's
    numbers), the estate's code and a dash in any other."""
    estate = binding.estate_of(ctx.session)
    if estate is None:
        raise DeskError("estate.not_chosen")
    if estate == DEFAULT_ESTATE:
        return ""
    return f"{code_of(ctx, estate)}-"


def desk_mark(ctx: Ctx) -> dict[str, str]:
    """What a sign-in's audit event says of the desk it was made at: the estate's code ("*" at
    the call-centre desk); nothing at the default estate's, like every sign-in before estates."""
    estate = binding.estate_of(ctx.session)
    if estate == DEFAULT_ESTATE:
        return {}
    return {"estate": "*" if estate is None else code_of(ctx, estate)}


def signed_in_here(ctx: Ctx, data: str) -> bool:
    """Whether a sign-in event (its data) was made at a desk of this session's estate."""
    try:
        said = json.loads(data or "{}")
    except ValueError:
        said = {}
    where = said.get("estate") if isinstance(said, dict) else None
    return where == desk_mark(ctx).get("estate")


# --- who may work where ------------------------------------------------------------------


def allowed(ctx: Ctx, operator: Operator) -> tuple[int, ...] | None:
    """The estates `operator` may work on (None: every one), as the database says now."""
    current = ctx.session.get(Operator, operator.id) if operator.id is not None else None
    if current is None or current.all_estates:
        return None
    rows = ctx.session.exec(
        select(OperatorEstate.estate_id).where(OperatorEstate.operator_id == current.id)
    )
    return tuple(sorted(int(row) for row in rows))


def may_work_on(ctx: Ctx, operator: Operator, estate_id: int) -> bool:
    found = allowed(ctx, operator)
    return found is None or estate_id in found


def admit(ctx: Ctx, operator: Operator) -> tuple[int, ...] | None:
    """At sign-in: the estates the operator's desk reads from now on (None: every one).

    A desk bound to one estate admits only an operator allowed on it; the call-centre desk
    admits anyone allowed on some estate and reads only theirs.
    """
    found = allowed(ctx, operator)
    desk_estate = binding.estate_of(ctx.session)
    desk_estates = binding.estates_of(ctx.session)
    if desk_estates is not None and desk_estate is not None:
        if found is not None and desk_estate not in found:
            raise DeskError(
                "estate.not_allowed", name=operator.name, code=code_of(ctx, desk_estate)
            )
        return desk_estates
    if found is not None and not found:
        raise DeskError("estate.none_allowed", name=operator.name)
    return found


def check_reach(ctx: Ctx, acting: Operator, target: Operator) -> None:
    """A supervisor of some estates manages the operators of those estates only: a PIN reset,
    a role or a disabling of anyone working beyond them (every estate, or another) is refused."""
    mine = allowed(ctx, acting)
    if mine is None:
        return
    theirs = allowed(ctx, target)
    if theirs is None or not set(theirs) <= set(mine):
        raise Forbidden("estate.beyond_reach", name=target.name)


def confine(ctx: Ctx, acting: Operator | None, made: Operator) -> str:
    """An operator added by a supervisor of some estates works on those only; what the
    "created" event says of it ("" when the operator may work on every estate)."""
    mine = allowed(ctx, acting) if acting is not None else None
    if mine is None or made.id is None:
        return ""
    made.all_estates = False
    ctx.session.add(made)
    for estate_id in mine:
        ctx.session.add(OperatorEstate(operator_id=made.id, estate_id=estate_id))
    return ",".join(code_of(ctx, estate_id) for estate_id in mine)


def enter(ctx: Ctx, estate_id: int, site: Settings) -> Ctx:
    """The call-centre desk working on one call in `estate_id`: new rows go there and its own
    settings (deadlines, calendar) count; refused outside the operator's estates."""
    readable = binding.estates_of(ctx.session)
    if ctx.operator is not None and not may_work_on(ctx, ctx.operator, estate_id):
        raise Forbidden("estate.outside")
    if readable is not None and estate_id not in readable:
        raise Forbidden("estate.outside")
    estate = ctx.session.get(Estate, estate_id)
    if estate is None or not estate.active:
        raise DeskError("estate.outside")
    binding.choose(ctx.session, estate_id)
    return replace(ctx, settings=with_overrides(site, estate.settings), _calendar=None)


def take_up(ctx: Ctx, record: object) -> None:
    """Every step on a record at the call-centre desk, no estate chosen (the record read by
    `fetch.get`): this unit of work is in the record's estate from now on — its new rows go
    there, its settings and calendar count — as at that estate's own desk."""
    estate = getattr(record, "estate_id", None)
    if estate is None or binding.estate_of(ctx.session) is not None:
        return
    found = ctx.session.get(Estate, int(estate))
    if found is None:
        return
    binding.choose(ctx.session, int(estate))
    ctx.settings = with_overrides(ctx.settings, found.settings)
    ctx._calendar = None


def in_estate_of(ctx: Ctx, record: object) -> Ctx:
    """A step at the call-centre desk, no estate chosen, on a record of one estate: taken in
    that estate, with its own settings and calendar, as its own desk would take it."""
    estate = getattr(record, "estate_id", None)
    if binding.estate_of(ctx.session) is not None or estate is None:
        return ctx
    return enter(ctx, int(estate), ctx.settings)


# --- the company's supervisor ---------------------------------------------------------------


def _company_supervisor(ctx: Ctx) -> Operator:
    """The acting operator, a supervisor allowed on every estate; Forbidden otherwise."""
    roles.ESTATES_MANAGE.require(ctx)
    acting = ctx.session.get(Operator, ctx.acting())
    if acting is None or not acting.all_estates:
        raise Forbidden(
            "role.denied_because",
            action=roles.ESTATES_MANAGE.action,
            because=roles.ESTATES_MANAGE.because,
        )
    return acting


def add(ctx: Ctx, code: str, name: str = "", name_en: str = "", settings: str = "") -> Estate:
    """A new estate (a supervisor allowed on every estate); its own settings must read."""
    acting = _company_supervisor(ctx)
    code = code.strip().upper()
    if not CODE.match(code):
        raise DeskError("estate.bad_code", field="code")
    if by_code(ctx, code) is not None:
        raise DeskError("estate.taken", field="code", code=code)
    try:
        with_overrides(ctx.settings, settings, where=code)
    except ValueError as exc:
        raise DeskError("estate.bad_settings", field="settings", code=code, error=str(exc)) from exc
    estate = Estate(
        code=code,
        name=name.strip()[:60],
        name_en=name_en.strip()[:60],
        settings=settings,
        created_at=ctx.now,
    )
    ctx.session.add(estate)
    ctx.session.flush()
    data = {"code": code, "name": estate.name, "name_en": estate.name_en}
    audit.record(replace(ctx, operator=acting), "estates", estate.id, "created", data)
    return estate


def allow(ctx: Ctx, operator_name: str, codes: list[str] | None) -> Operator:
    """Which estates an operator may work on: `codes`, or every one (None)."""
    acting = _company_supervisor(ctx)
    target = ctx.session.exec(
        select(Operator).where(Operator.name == operator_name.strip())
    ).first()
    if target is None or target.id is None:
        raise DeskError("operator.not_found", field="name", name=operator_name)
    chosen: list[Estate] = []
    for code in codes or []:
        estate = by_code(ctx, code)
        if estate is None:
            known = ", ".join(e.code for e in listed(ctx))
            raise DeskError("estate.unknown", field="estates", code=code, codes=known)
        chosen.append(estate)
    if codes is not None and not chosen:
        raise DeskError("estate.none_allowed", field="estates", name=target.name)
    for row in ctx.session.exec(
        select(OperatorEstate).where(OperatorEstate.operator_id == target.id)
    ):
        ctx.session.delete(row)
    target.all_estates = codes is None
    for estate in chosen:
        assert estate.id is not None
        ctx.session.add(OperatorEstate(operator_id=target.id, estate_id=estate.id))
    ctx.session.add(target)
    data = {"estates": "*" if codes is None else ",".join(e.code for e in chosen)}
    audit.record(replace(ctx, operator=acting), "operator", target.id, "estates_allowed", data)
    return target
