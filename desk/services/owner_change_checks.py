"""An owner record change's fields as the desk checks them (desk.services.owner_changes).

What is declared: the room; the kind of change; the resident it is about (amend, remove); who
asked (an owner of the room on record; a sale's new owner); how they were identified; the new
values; the sale's document; the owner's signature. Each reader checks one field and names it
in its refusal, so that a form shows every refusal at once beside its field.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from desk import estates as binding
from desk.i18n import listed
from desk.models import (
    ChangeKind,
    IdentityCheck,
    IdKind,
    OwnerChange,
    Resident,
    ResidentKind,
    Unit,
)
from desk.services import id_numbers, limits
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.residents import clean_text, find_unit, mainland_phone, residents_of
from desk.services.submission import Submission
from desk.services.when import happened


class OwnerChangeCreate(Submission):
    """A declaration as the form gives it (texts as typed; the service reads each)."""

    room: str = ""
    change: ChangeKind = ChangeKind.amend
    # the resident whose record changes (amend, remove), by name as on record
    resident: str = ""
    # who asked: an owner of the room on record, or (a sale) the new owner
    asked_by: str = ""
    identity: IdentityCheck = IdentityCheck.in_person
    id_kind: IdKind = IdKind.id_card
    # the whole number, or in person its last 4 characters; never stored
    id_number: str = Field(default="", repr=False)
    # the new values: amend leaves "" unchanged; add and sale name the person
    new_name: str = ""
    new_phone: str = ""
    new_kind: str = ""
    evidence: str = ""
    signed: bool = False
    signed_at: datetime | None = None
    note: str = ""


def unit(ctx: Ctx, typed: str) -> Unit:
    """The room, on record: a change is made to the directory, so its room must be in it; at
    the call-centre desk, in the estate of the call (3-1202 may be a room of several)."""
    if not typed.strip():
        raise DeskError("field.required", field="room")
    if binding.estate_of(ctx.session) is None:
        raise binding.EstateNotChosen()
    found = find_unit(ctx, typed)
    if found is None:
        raise DeskError("owner_change_error.unknown_room", field="room", room=typed.strip())
    return found


def text_of(value: str, column: str, *, field: str, required: bool = False) -> str:
    return clean_text(value, limits.max_length(OwnerChange, column), field=field, required=required)


def resident(people: list[Resident], room: str, typed: str) -> Resident:
    """The room's active resident of that name."""
    name = typed.strip()
    if not name:
        raise DeskError("field.required", field="resident")
    found = next((person for person in people if person.name == name), None)
    if found is None:
        names = listed(person.name for person in people)
        raise DeskError(
            "owner_change_error.not_a_resident",
            field="resident",
            room=room,
            name=name,
            names=names or "-",
        )
    return found


def owners(people: list[Resident]) -> list[Resident]:
    return [person for person in people if person.kind == ResidentKind.owner]


def asker(people: list[Resident], room: str, typed: str) -> Resident:
    """Who asked, when it must be an owner of the room on record (every change but a sale)."""
    name = typed.strip()
    if not name:
        raise DeskError("field.required", field="asked_by")
    found = next((person for person in owners(people) if person.name == name), None)
    if found is None:
        names = listed(person.name for person in owners(people))
        raise DeskError(
            "owner_change_error.not_an_owner",
            field="asked_by",
            room=room,
            name=name,
            names=names or "-",
        )
    return found


def kind(typed: str, *, required: bool) -> ResidentKind | None:
    value = typed.strip()
    if not value:
        if required:
            raise DeskError("field.required", field="new_kind")
        return None
    try:
        return ResidentKind(value)
    except ValueError as exc:
        raise DeskError("owner_change_error.bad_kind", field="new_kind", value=value) from exc


def phone(typed: str) -> str:
    return mainland_phone(typed, field="new_phone")


def id_typed(data: OwnerChangeCreate) -> str:
    """What was typed of the ID, normalised: required; in person its last 4 characters will do.
    Whether a whole number is right is the identity check's (desk.services.owner_changes)."""
    typed = id_numbers.normalise(data.id_number)
    if not typed:
        raise DeskError("field.required", field="id_number")
    if data.identity == IdentityCheck.phone:
        return typed  # checked, and a failure recorded, by the identity check
    if len(typed) == 4:
        if not typed.isalnum() or not typed.isascii():
            raise DeskError("owner_change_error.bad_last4", field="id_number")
        return typed
    if IdKind(data.id_kind) == IdKind.id_card:
        return id_numbers.check_id_card(typed)
    return id_numbers.check_other(typed)


def by_phone(data: OwnerChangeCreate) -> None:
    """By phone the desk changes a phone number only, checked against an ID card number on
    record: a name, who lives in the room, and a sale need the owner in person, signing."""
    if data.identity != IdentityCheck.phone:
        return
    only_phone = (
        data.change == ChangeKind.amend
        and not data.new_name.strip()
        and not data.new_kind.strip()
        and bool(data.new_phone.strip())
    )
    if not only_phone:
        raise DeskError("owner_change_error.phone_only_phone", field="identity")
    if IdKind(data.id_kind) != IdKind.id_card:
        raise DeskError("owner_change_error.phone_needs_id_card", field="id_kind")


def signature(ctx: Ctx, data: OwnerChangeCreate) -> datetime | None:
    """In person, the owner signs the declaration (001 ⑷) before it is made: when."""
    if data.identity == IdentityCheck.phone:
        return None
    if not data.signed:
        raise DeskError("owner_change_error.not_signed", field="signed")
    return happened(data.signed_at, ctx.now, "signed_at")


def people_of(ctx: Ctx, found: Unit) -> list[Resident]:
    assert found.id is not None
    return residents_of(ctx, found.id)
