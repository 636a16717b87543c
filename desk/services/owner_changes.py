"""Register 11: owner record changes (业主资料更改, 001) — declare, apply, reject, withdraw.

A change to a resident's record goes through a declaration (《业主资料更改声明》): who asked,
how their identity was checked, what changes from what to what, the owner's signature. The
identity check (`_identity`):

- in person: the ID shown, its kind and number typed (or only its last 4 characters); when the
  directory already holds that owner's ID, what was typed must match it;
- by phone: only a phone number is changed, and only after the caller's ID card number passes
  its check character (GB 11643) and matches the one on record (seen in person before). A
  caller whose number fails either is refused, and the refusal is recorded (a declaration in
  the state `refused`: 001 核对身份证号无误后方可办理，并作好记录) although nothing is declared;
  after the site's number of such refusals for a room in a day, its changes are taken in person
  only until the day is over.

A declaration is applied by the records clerk or a supervisor (roles.OWNER_CHANGE_APPLY), never
by the clerk who declared it unless a supervisor. Applying writes the directory through
desk.services.resident_records — the same writing, audit events and lookup documents as the
residents import — and the declaration keeps the old and the new values. A sale makes the
room's owners inactive and puts the new owner on record; what is still open for the room is
listed for the clerk to settle (owner_change_queries.to_settle).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from desk import estates as binding
from desk.i18n import t
from desk.models import (
    ChangeKind,
    IdentityCheck,
    IdKind,
    Operator,
    OwnerChange,
    OwnerChangeState,
    Refusal,
    Resident,
    ResidentKind,
    Role,
    Unit,
)
from desk.services import audit, cards, id_numbers, resident_records, roles
from desk.services import owner_change_checks as checks
from desk.services.context import Ctx
from desk.services.errors import DeskError, FieldErrors, Forbidden, LastingRefusal
from desk.services.lifecycle import Lifecycle, Step
from desk.services.numbering import next_number
from desk.services.owner_change_checks import OwnerChangeCreate
from desk.services.owner_change_queries import (
    PREFIX,
    REGISTER,
    SettleLine,
    canonical_number,
    find,
    get,
    listing,
    of_room,
    open_items,
    others_on_record,
    refused_by_phone_since,
    summary,
    to_settle,
)
from desk.services.residents import clean_text
from desk.services.submission import gather

__all__ = [
    "LIFECYCLE",
    "PREFIX",
    "REGISTER",
    "OwnerChangeCreate",
    "SettleLine",
    "allowed_actions",
    "apply",
    "canonical_number",
    "declare",
    "find",
    "get",
    "listing",
    "of_room",
    "open_items",
    "others_on_record",
    "reject",
    "summary",
    "to_settle",
    "withdraw",
]

S = OwnerChangeState
LIFECYCLE: Lifecycle[OwnerChangeState] = Lifecycle(
    "owner_change_error.cannot",
    {
        "apply": Step((S.declared,), to=S.applied, who=roles.OWNER_CHANGE_APPLY),
        "reject": Step((S.declared,), to=S.rejected, who=roles.OWNER_CHANGE_APPLY),
        "withdraw": Step((S.declared,), to=S.withdrawn),
    },
    state_words="owner_change_state",
)


def allowed_actions(_ctx: Ctx, found: OwnerChange | None) -> frozenset[str]:
    """The steps (LIFECYCLE's names) a screen offers for this declaration now."""
    return LIFECYCLE.offered(found)


# --- declaring ----------------------------------------------------------------------------


def _readers(ctx: Ctx, data: OwnerChangeCreate, held: dict[str, Any]) -> dict[str, Any]:
    """Every field's reader, in the form's order; those that need the room skip when it is not
    on record (its own refusal says so)."""
    change = ChangeKind(data.change)

    def room() -> Unit:
        found = checks.unit(ctx, data.room)
        held["unit"], held["people"] = found, checks.people_of(ctx, found)
        return found

    def on_room(read: Callable[[list[Resident], str], Any]) -> Callable[[], Any]:
        def reader() -> Any:
            if "unit" not in held:
                return None
            return read(held["people"], held["unit"].code)

        return reader

    readers: dict[str, Callable[[], Any]] = {"room": room}
    if change in (ChangeKind.amend, ChangeKind.remove):
        readers["resident"] = on_room(
            lambda people, code: checks.resident(people, code, data.resident)
        )
    if change == ChangeKind.sale:
        readers["asked_by"] = lambda: checks.text_of(
            data.asked_by or data.new_name, "asked_by", field="asked_by", required=True
        )
    else:
        readers["asked_by"] = on_room(
            lambda people, code: checks.asker(people, code, data.asked_by)
        )
    readers["identity"] = lambda: checks.by_phone(data)
    readers["id_number"] = lambda: checks.id_typed(data)
    needs_name = change in (ChangeKind.add, ChangeKind.sale)
    if change != ChangeKind.remove:
        readers["new_name"] = lambda: checks.text_of(
            data.new_name, "name_to", field="new_name", required=needs_name
        )
        readers["new_phone"] = lambda: checks.phone(data.new_phone)
    if change in (ChangeKind.amend, ChangeKind.add):
        readers["new_kind"] = lambda: checks.kind(data.new_kind, required=change == ChangeKind.add)
    readers["evidence"] = lambda: checks.text_of(
        data.evidence, "evidence", field="evidence", required=change == ChangeKind.sale
    )
    readers["signed_at"] = lambda: checks.signature(ctx, data)
    readers["note"] = lambda: checks.text_of(data.note, "note", field="note")
    return readers


def _values(
    data: OwnerChangeCreate, checked: dict[str, Any], people: list[Resident]
) -> dict[str, Any]:
    """The declaration's from → to values, or every refusal of them at once."""
    change = ChangeKind(data.change)
    subject: Resident | None = checked.get("resident")
    name: str = checked.get("new_name") or ""
    phone: str = checked.get("new_phone") or ""
    kind: ResidentKind | None = checked.get("new_kind")
    refused: list[DeskError] = []
    others = [person for person in people if subject is None or person.id != subject.id]
    owners = checks.owners(people)
    values: dict[str, Any] = {}
    if change == ChangeKind.amend and subject is not None:
        values = {
            "name_from": subject.name,
            "phone_from": subject.phone,
            "kind_from": str(subject.kind),
            "name_to": name if name and name != subject.name else None,
            "phone_to": phone if phone and phone != subject.phone else None,
            "kind_to": kind.value if kind and kind != subject.kind else None,
        }
        if all(values[f"{field}_to"] is None for field in ("name", "phone", "kind")):
            refused.append(DeskError("owner_change_error.nothing_changes", field="new_name"))
        if values["name_to"] and values["name_to"] in {person.name for person in others}:
            refused.append(DeskError("owner_change_error.name_taken", field="new_name", name=name))
        leaves_owners = subject.kind == ResidentKind.owner and values["kind_to"] is not None
        if leaves_owners and len(owners) <= 1:
            refused.append(DeskError("owner_change_error.last_owner", field="new_kind"))
    elif change == ChangeKind.remove and subject is not None:
        values = {
            "name_from": subject.name,
            "phone_from": subject.phone,
            "kind_from": str(subject.kind),
        }
        if subject.kind == ResidentKind.owner and len(owners) <= 1:
            refused.append(DeskError("owner_change_error.last_owner", field="resident"))
    elif change == ChangeKind.add:
        values = {"name_to": name, "phone_to": phone, "kind_to": kind.value if kind else None}
        if name in {person.name for person in people}:
            refused.append(
                DeskError("owner_change_error.already_resident", field="new_name", name=name)
            )
    elif change == ChangeKind.sale:
        values = {
            "name_to": name,
            "phone_to": phone,
            "kind_to": ResidentKind.owner.value,
            "old_owners": "、".join(person.name for person in owners)[:200],
        }
        if name and name in {person.name for person in owners}:
            refused.append(
                DeskError("owner_change_error.already_owner", field="new_name", name=name)
            )
        if name and checked.get("asked_by") != name:
            refused.append(DeskError("owner_change_error.sale_by_new_owner", field="asked_by"))
    if refused:
        raise FieldErrors.of(refused)
    return values


def declare(ctx: Ctx, data: OwnerChangeCreate) -> OwnerChange:
    """Declare a change, the asker's identity checked; every field refused at once, and a
    failed identity check recorded although nothing is declared (see the module)."""
    ctx.acting()
    held: dict[str, Any] = {}
    checked = gather(_readers(ctx, data, held))
    unit: Unit = checked["room"]
    people: list[Resident] = held["people"]
    values = _values(data, checked, people)
    change = ChangeKind(data.change)
    channel = IdentityCheck(data.identity)
    asker: Resident | None = checked["asked_by"] if change != ChangeKind.sale else None
    subject: Resident | None = checked.get("resident")
    row: dict[str, Any] = {
        "unit_id": unit.id,
        "room": unit.code,
        "change": change,
        "resident_id": subject.id if subject else None,
        "asked_by": asker.name if asker else checked["asked_by"],
        "asker_id": asker.id if asker else None,
        "channel": channel,
        "id_kind": IdKind(data.id_kind),
        "id_last4": id_numbers.last4(checked["id_number"]),
        "evidence": checked["evidence"],
        "note": checked["note"],
        **values,
    }
    proof = _identity(ctx, data, unit, asker, checked["id_number"], row)
    found = OwnerChange(
        **row,
        number=next_number(ctx, PREFIX),
        id_number_checked=len(checked["id_number"]) > 4,
        id_proof=proof,
        signed=channel == IdentityCheck.in_person,
        signed_at=checked["signed_at"],
        apply_due_at=ctx.due(ctx.now, ctx.settings.owner_changes.apply_within),
        operator_id=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(found)
    ctx.session.flush()
    audit.record(ctx, REGISTER, found.id, "declared", _declared_data(found))
    return found


def _declared_data(found: OwnerChange) -> dict[str, Any]:
    """What a declaration says, for its audit event (phones masked by the trail itself)."""
    fields = {
        name: [getattr(found, f"{name}_from"), getattr(found, f"{name}_to")]
        for name in ("name", "phone", "kind")
        if getattr(found, f"{name}_to") is not None or found.change == ChangeKind.remove
    }
    return {
        "room": found.room,
        "change": found.change,
        "asked_by": found.asked_by,
        "channel": found.channel,
        "id_kind": found.id_kind,
        "id_last4": found.id_last4,
        "id_number_checked": found.id_number_checked,
        "fields": fields,
        "signed_at": found.signed_at,
    }


def _identity(
    ctx: Ctx,
    data: OwnerChangeCreate,
    unit: Unit,
    asker: Resident | None,
    typed: str,
    row: dict[str, Any],
) -> str:
    """Check who asked; the proof of their number to keep on the declaration ("" when none is
    to be recorded), or a recorded refusal."""
    kind = IdKind(data.id_kind)
    whole = len(typed) > 4
    if data.identity == IdentityCheck.phone:
        assert asker is not None and unit.id is not None
        since = ctx.now - timedelta(days=1)
        if (
            refused_by_phone_since(ctx, unit.id, since)
            >= ctx.settings.owner_changes.phone_refusals_per_day
        ):
            raise _refusal(ctx, Refusal.too_many, row, unit)
        if not id_numbers.valid_id_card(typed):
            raise _refusal(ctx, Refusal.check_digit, row, unit)
        if not asker.id_proof or asker.id_kind != IdKind.id_card:
            raise _refusal(ctx, Refusal.no_record, row, unit)
        if not id_numbers.matches(ctx, kind, typed, asker.id_proof):
            raise _refusal(ctx, Refusal.no_match, row, unit)
        return ""
    if asker is not None and asker.id_kind == kind:
        if whole and asker.id_proof and not id_numbers.matches(ctx, kind, typed, asker.id_proof):
            raise _refusal(ctx, Refusal.no_match, row, unit)
        if asker.id_last4 and asker.id_last4 != id_numbers.last4(typed):
            raise _refusal(ctx, Refusal.no_match, row, unit)
    # a number seen whole in person is recorded on application, for the owner's later calls:
    # the asker's when the directory has none of theirs yet, a sale's new owner's
    if whole and (asker is None or not asker.id_proof):
        return id_numbers.proof(ctx, kind, typed)
    return ""


def _refusal(ctx: Ctx, refusal: Refusal, row: dict[str, Any], unit: Unit) -> LastingRefusal:
    """The refusal the clerk is told; the failed check is recorded although the declaration's
    own transaction is rolled back (desk.db.Database.writing)."""
    operator, settings, now = ctx.operator, ctx.settings, ctx.now
    estate = unit.estate_id
    acting = ctx.acting()

    def record(session: Session) -> None:
        if estate is not None:
            binding.choose(session, estate)
        trace = Ctx(session, operator, settings, now)
        kept = OwnerChange(
            **row,
            number=next_number(trace, PREFIX),
            state=S.refused,
            refusal=refusal,
            operator_id=acting,
            created_at=now,
        )
        session.add(kept)
        session.flush()
        data = {
            "room": kept.room,
            "change": kept.change,
            "asked_by": kept.asked_by,
            "channel": kept.channel,
            "id_kind": kept.id_kind,
            "id_last4": kept.id_last4,
            "refusal": refusal,
        }
        audit.record(trace, REGISTER, kept.id, "refused", data)

    return LastingRefusal(
        f"owner_change_error.refused_{refusal}", lasting=record, field="id_number"
    )


# --- applying -----------------------------------------------------------------------------


def _not_their_own(ctx: Ctx, found: OwnerChange) -> None:
    """The clerk who declared a change does not apply it too, unless a supervisor (who answers
    for it): a second person reads every declaration before the directory changes."""
    if found.operator_id != ctx.acting():
        return
    current = ctx.session.get(Operator, found.operator_id)
    if current is None or current.role != Role.supervisor:
        raise Forbidden("owner_change_error.own_declaration", number=found.number)


class _Application:
    """What applying one declaration writes to its room's residents: one edit per resident
    (the fields that change), and the people to put on record."""

    def __init__(self, ctx: Ctx, found: OwnerChange) -> None:
        self.found = found
        unit = ctx.session.get(Unit, found.unit_id)
        assert unit is not None and unit.id is not None
        self.unit, self.unit_id = unit, unit.id
        self.people = checks.people_of(ctx, unit)  # active, owners first
        statement = select(Resident).where(Resident.unit_id == unit.id).order_by(col(Resident.id))
        self.every = list(ctx.session.exec(statement))  # active or not, oldest first
        self.edits: dict[int, tuple[Any, dict[str, Any]]] = {}
        self.new: list[resident_records.NewResident] = []

    def edit(self, person: Resident, values: dict[str, Any]) -> None:
        assert person.id is not None
        row, had = self.edits.get(person.id, (resident_records.stored(person), {}))
        had.update(
            {name: value for name, value in values.items() if getattr(person, name) != value}
        )
        self.edits[person.id] = (row, had)

    def as_declared(self) -> Resident:
        """The resident the declaration is about, still of the room and as it was declared."""
        found = self.found
        subject = next((person for person in self.people if person.id == found.resident_id), None)
        if subject is None:
            raise DeskError("owner_change_error.resident_gone", number=found.number)
        now = {"name": subject.name, "phone": subject.phone, "kind": str(subject.kind)}
        was = {"name": found.name_from, "phone": found.phone_from, "kind": found.kind_from}
        if now != was:
            raise DeskError("owner_change_error.changed_since", number=found.number)
        return subject

    def keeps_an_owner(self, leaving: Resident) -> None:
        if not any(p.kind == ResidentKind.owner and p.id != leaving.id for p in self.people):
            raise DeskError("owner_change_error.last_owner_now", number=self.found.number)

    def put_on_record(self, kind: str, proof: dict[str, Any]) -> None:
        """The declaration's person on the room's record: one who left comes back (as the
        import does, by room and name), anyone else is created."""
        found = self.found
        name = found.name_to or ""
        active = next((person for person in self.people if person.name == name), None)
        if active is not None and kind != ResidentKind.owner:
            raise DeskError(
                "owner_change_error.already_resident_now", number=found.number, name=name
            )
        existing = active or next((person for person in self.every if person.name == name), None)
        values: dict[str, Any] = {"active": True, "kind": kind, **proof}
        if found.phone_to:
            values["phone"] = found.phone_to
        if existing is not None:
            self.edit(existing, values)
            return
        self.new.append(
            resident_records.NewResident(
                self.unit_id,
                self.unit.code,
                name,
                found.phone_to or "",
                kind,
                proof.get("id_kind", ""),
                proof.get("id_last4", ""),
                proof.get("id_proof", ""),
            )
        )


def _proof_values(found: OwnerChange) -> dict[str, Any]:
    """The ID seen in person, for the record (none when only its last 4 were typed)."""
    if not found.id_proof:
        return {}
    return {"id_kind": str(found.id_kind), "id_last4": found.id_last4, "id_proof": found.id_proof}


def apply(ctx: Ctx, change_id: int) -> OwnerChange:
    """The records clerk or a supervisor applies a declaration to the directory, through the
    import's own writing (desk.services.resident_records): the same audited change."""
    LIFECYCLE.permit(ctx, "apply")
    found = get(ctx, change_id, for_update=True)
    LIFECYCLE.require(found, "apply")
    _not_their_own(ctx, found)
    work = _Application(ctx, found)
    change = ChangeKind(found.change)
    if change == ChangeKind.amend:
        subject = work.as_declared()
        others = {person.name for person in work.people if person.id != subject.id}
        if found.name_to and found.name_to in others:
            raise DeskError("owner_change_error.name_taken", name=found.name_to)
        if found.kind_to and subject.kind == ResidentKind.owner:
            work.keeps_an_owner(subject)
        values = {"name": found.name_to, "phone": found.phone_to, "kind": found.kind_to}
        work.edit(subject, {name: value for name, value in values.items() if value is not None})
    elif change == ChangeKind.remove:
        subject = work.as_declared()
        if subject.kind == ResidentKind.owner:
            work.keeps_an_owner(subject)
        work.edit(subject, {"active": False})
    elif change == ChangeKind.add:
        work.put_on_record(found.kind_to or ResidentKind.family, {})
    else:
        _sale(work)
    if change != ChangeKind.sale and found.asker_id is not None and found.id_proof:
        asker = next((person for person in work.people if person.id == found.asker_id), None)
        if asker is not None and not asker.id_proof:
            work.edit(asker, _proof_values(found))  # the asker's ID, seen in person, on record
    rooms = {work.unit_id: work.unit.code}
    written = resident_records.change(ctx, list(work.edits.values()), rooms, by=found.number)
    made = resident_records.create(ctx, work.new, by=found.number)
    cancelled: list[str] = []
    if change == ChangeKind.sale:
        # the old owners' cards (and those they applied for, the room's tenants' and family's)
        # end with the sale, in this transaction: the one place a sale reaches into the cards
        reason = t("owner_changes.sale_cancels_card", number=found.number)
        cancelled = [card.number for card in cards.cancel_for_sale(ctx, work.unit.code, reason)]
    if found.resident_id is None:  # an addition's or a sale's person
        back = (row.id for row in written if row.name == found.name_to and row.active)
        found.resident_id = made[0].id if made else next(back, None)
    found.state = S.applied
    found.applied_at = ctx.now
    found.applied_by = ctx.acting()
    found.id_proof = ""  # recorded on the resident (or not needed): the declaration drops it
    ctx.session.add(found)
    residents_changed = sorted(row.id for row in written + made)
    data: dict[str, Any] = {"residents": residents_changed, "old_owners": found.old_owners}
    if cancelled:
        data["cards_cancelled"] = cancelled
    audit.record(ctx, REGISTER, found.id, "applied", data)
    return found


def _sale(work: _Application) -> None:
    """The room moves to its new owner: the owners on record made inactive (kept, as every
    resident who leaves is), the new owner on record with the ID seen in person."""
    found = work.found
    old = [person for person in checks.owners(work.people) if person.name != found.name_to]
    for person in old:
        work.edit(person, {"active": False})
    found.old_owners = "、".join(person.name for person in old)[:200]
    work.put_on_record(ResidentKind.owner, _proof_values(found))


# --- closing without applying -------------------------------------------------------------


def reject(ctx: Ctx, change_id: int, reason: str) -> OwnerChange:
    """The records clerk or a supervisor turns a declaration down, saying why."""
    LIFECYCLE.permit(ctx, "reject")
    found = get(ctx, change_id, for_update=True)
    LIFECYCLE.require(found, "reject")
    return _close(ctx, found, S.rejected, clean_text(reason, 500, field="reason", required=True))


def withdraw(ctx: Ctx, change_id: int, reason: str = "") -> OwnerChange:
    """The owner no longer asks for the change (or the desk made a mistake): at the desk."""
    LIFECYCLE.permit(ctx, "withdraw")
    found = get(ctx, change_id, for_update=True)
    LIFECYCLE.require(found, "withdraw")
    return _close(ctx, found, S.withdrawn, clean_text(reason, 500, field="reason"))


def _close(ctx: Ctx, found: OwnerChange, state: OwnerChangeState, reason: str) -> OwnerChange:
    found.state = state
    found.closed_at = ctx.now
    found.closed_by = ctx.acting()
    found.reason = reason
    found.id_proof = ""  # never recorded on anyone: not kept
    ctx.session.add(found)
    audit.record(ctx, REGISTER, found.id, str(state), reason=reason)
    return found
