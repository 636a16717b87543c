"""The shift-change summary (交接班记录): built once as data, rendered to screen, text, HTML, PDF.

`gather(ctx, ...)` pulls in from every register what is open at this moment and what was logged
during the shift. A `Summary` is plain data (JSON round trip), so a handover stores it frozen
and later changes to the records never change what was handed over.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from desk.models import (
    Complaint,
    FeePayment,
    Finding,
    Incident,
    KeyLoan,
    MoveIn,
    NightLogEntry,
    NightLogState,
    PatrolRound,
    ReceptionEntry,
    ReleasePass,
    Renovation,
    RepairOrder,
    ServiceBooking,
)
from desk.services.context import Ctx
from desk.services.lookup import state_key
from desk.services.pass_queries import status_for
from desk.services.residents import mask_name

if TYPE_CHECKING:
    from desk.services.open_item import OpenItem

# The sections of open items, in the order they are printed.
SECTIONS = (
    # a running incident (001 突发事故) leads, with its steps; those closed in the shift follow
    "incidents",
    "incidents_closed",
    "callbacks",
    "repairs",
    "complaints",
    "residents_to_tell",
    "reception",
    "keys",
    "entrusted",
    "passes",
    "pass_no_gate",
    "pass_stubs",
    "cards_waiting",
    "cards_expiring",
    "worker_passes",
    "worker_revoked",
    "nightlog",
    "night_repairs",
    "owner_changes",
    "renovations",
    "fees",
    "services",
    "patrol_rounds",
    "findings_open",
    "findings_recheck",
    "move_ins",
    "unpaid",
)
# The sections listed besides, of records the board does not carry (passes to reconcile; worker
# passes revoked in the last day, for the gate to know; unpaid
# bills, which may be on a closed order or on an open one already listed under repairs), counted
# apart. Every other section is made of the board's open items (desk.services.board.open_items,
# each once): what those hold together is the board's "open" figure, and the summary's.
LISTED_APART = ("incidents_closed", "pass_no_gate", "pass_stubs", "worker_revoked", "unpaid")
BOARD_SECTIONS = tuple(key for key in SECTIONS if key not in LISTED_APART)
# complaint duties listed apart: a late notice owed (002), a department's answer to tell (004)
TELL_RESIDENT = ("late_notice", "told")
# What is counted per register over the shift: (register, table, time column).
COUNTED: tuple[tuple[str, type[SQLModel], str], ...] = (
    ("reception", ReceptionEntry, "received_at"),
    ("repairs", RepairOrder, "reported_at"),
    ("complaints", Complaint, "received_at"),
    ("keys", KeyLoan, "out_at"),
    ("passes", ReleasePass, "created_at"),
    ("nightlog", NightLogEntry, "logged_at"),
    ("renovations", Renovation, "created_at"),
    ("fees", FeePayment, "created_at"),
    ("services", ServiceBooking, "created_at"),
    ("incidents", Incident, "created_at"),
    ("patrols", PatrolRound, "started_at"),
    ("findings", Finding, "raised_at"),
    ("move_ins", MoveIn, "created_at"),
)


@dataclass
class Item:
    """One thing still open, as printed: number, room, what, state, since, due.

    `state` is the record's stored state and `register` the register it is a state of (the
    board's names: repairs, key_loans, entrusted_keys, passes ...); a summary frozen before
    items knew their register has "" there.
    """

    number: str
    room: str
    what: str
    state: str
    opened_at: datetime | None
    due_at: datetime | None = None
    due_kind: str = ""
    overdue: bool = False
    register: str = ""


@dataclass
class Check:
    """One checklist line: a tool counted at handover, and who has what is missing."""

    key: str
    zh_CN: str
    en: str
    expected: int
    counted: int | None = None
    holder: str = ""

    @property
    def missing(self) -> int:
        return 0 if self.counted is None else max(self.expected - self.counted, 0)

    @property
    def discrepancy(self) -> bool:
        return self.counted is None or self.counted != self.expected

    def label(self, lang: str) -> str:
        return self.zh_CN if lang == "zh_CN" else self.en


@dataclass
class Summary:
    """Everything the printed page of a handover carries."""

    site: str
    site_en: str
    shift_key: str
    shift_zh: str
    shift_en: str
    shift_start: datetime
    shift_end: datetime
    built_at: datetime
    handover_id: int | None = None
    state: str = "open"
    outgoing: str = ""
    incoming: str = ""
    holders: list[str] = field(default_factory=list)
    opened_at: datetime | None = None
    signed_off_at: datetime | None = None
    acknowledged_at: datetime | None = None
    refused_at: datetime | None = None
    refusal_reason: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    sections: dict[str, list[Item]] = field(default_factory=dict)
    checklist: list[Check] = field(default_factory=list)
    desk_cleaned: bool = False
    log_read: bool = False
    notes: str = ""
    watch: str = ""
    # the audit chain's last link when the page was printed (desk.services.audit_verify.anchor)
    audit_head: str = ""
    # visits moved during the shift with the resident's consent (not open items: not counted)
    rescheduled: list[Item] = field(default_factory=list)

    def shift_label(self, lang: str) -> str:
        return self.shift_zh if lang == "zh_CN" else self.shift_en

    def site_name(self, lang: str) -> str:
        return self.site if lang == "zh_CN" else self.site_en

    def open_count(self) -> int:
        """The open items, as the board counts them (its "open" figure): the board's sections."""
        return sum(len(self.sections.get(key, [])) for key in BOARD_SECTIONS)

    def overdue_count(self) -> int:
        return sum(
            1 for key in BOARD_SECTIONS for item in self.sections.get(key, []) if item.overdue
        )

    def also_listed(self) -> dict[str, int]:
        """The sections listed besides the board's open items (not in its count), with theirs."""
        return {
            key: len(items)
            for key, items in self.sections.items()
            if key not in BOARD_SECTIONS and items
        }

    def discrepancies(self) -> list[Check]:
        return [check for check in self.checklist if check.discrepancy]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, default=_iso)

    @classmethod
    def from_json(cls, text: str) -> Summary:
        raw = json.loads(text)
        raw["sections"] = {
            key: [Item(**_times(Item, item)) for item in items]
            for key, items in raw.get("sections", {}).items()
        }
        raw["checklist"] = [Check(**check) for check in raw.get("checklist", [])]
        raw["rescheduled"] = [Item(**_times(Item, item)) for item in raw.get("rescheduled", [])]
        return cls(**_times(cls, raw))


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def _times(kind: type, raw: dict[str, Any]) -> dict[str, Any]:
    """Read back the datetimes of a dataclass's fields from their ISO text."""
    out = dict(raw)
    for spec in fields(kind):
        value = out.get(spec.name)
        if isinstance(value, str) and "datetime" in str(spec.type):
            out[spec.name] = datetime.fromisoformat(value)
    return out


# --- gathering ---------------------------------------------------------------------------


def counts(ctx: Ctx, start: datetime, end: datetime) -> dict[str, int]:
    """How many records of each register were logged between `start` and `end`."""
    out: dict[str, int] = {}
    for register, table, column in COUNTED:
        moment = col(getattr(table, column))
        statement = select(func.count()).select_from(table).where(moment >= start, moment < end)
        out[register] = ctx.session.exec(statement).one()
    return out


def open_item(item: OpenItem, now: datetime) -> Item:
    """An open item of the board as a summary item."""
    return Item(
        number=item.number,
        room=item.room,
        what=item.summary,
        state=str(item.state),
        opened_at=item.opened_at,
        due_at=item.due_at,
        due_kind=item.due_kind,
        overdue=item.overdue(now),
        register=item.register,
    )


def pass_item(found: ReleasePass, now: datetime) -> Item:
    """A pass to reconcile (stub missing, or back without a gate check) as a summary item; its
    applicant masked, as every list and the board show a resident's name."""
    return Item(
        number=found.number,
        room=found.room,
        what=mask_name(found.applicant),
        state=str(found.state),
        opened_at=found.created_at,
        due_at=found.valid_until,
        overdue=found.valid_until is not None and found.valid_until < now,
        register="passes",
    )


def worker_revoked_item(row: Any) -> Item:
    """A worker pass revoked in the last day (a renovation_workers.Row) as a summary item: the
    worker masked, the reason (the gate keeps the pass if it is shown)."""
    found = row.worker_pass
    return Item(
        number=found.number,
        room=row.room,
        what=f"{mask_name(found.name)} ****{found.id_last4} {found.revoke_reason}",
        state=str(found.state),
        opened_at=found.revoked_at,
        register="worker_passes",
    )


def unpaid_item(order: RepairOrder) -> Item:
    """A bill owed (billed, not paid) as a summary item: the amount before what was done."""
    amount = (order.labour_fen + order.material_fen) / 100
    return Item(
        number=order.number,
        room=order.room,
        what=f"¥{amount:.2f} {order.work_done or order.description}",
        state=str(order.state),
        opened_at=order.billed_at,
        register="repairs",
    )


def rescheduled(ctx: Ctx, start: datetime, end: datetime) -> list[Item]:
    """The visits moved between `start` and `end`, each with its new on-site due time."""
    from desk.services import repair_visits

    return [
        Item(
            number=order.number,
            room=order.room,
            what=order.description,
            state=str(order.state),
            opened_at=order.reported_at,
            due_at=order.on_site_due_at,
            overdue=order.on_site_due_at is not None and order.on_site_due_at < ctx.now,
            register="repairs",
        )
        for order in repair_visits.rescheduled_during(ctx, start, end)
    ]


def _sorted(items: list[Item], now: datetime) -> list[Item]:
    # overdue first, then what falls due soonest, then the oldest
    far = datetime.max.replace(tzinfo=now.tzinfo)
    items.sort(key=lambda i: (not i.overdue, i.due_at or far, i.opened_at or far))
    return items


# register of a board item -> its section of the summary
_SECTION_OF = {
    "repairs": "repairs",
    "complaints": "complaints",
    "reception": "reception",
    "key_loans": "keys",
    "entrusted_keys": "entrusted",
    "passes": "passes",
    "nightlog": "nightlog",
    "renovations": "renovations",
    "fees": "fees",
    # paid services: to send to the head, work due today or late, to accept, pay, close (their
    # callbacks overdue go with the others)
    "services": "services",
    "worker_passes": "worker_passes",
    "owner_changes": "owner_changes",
    "incidents": "incidents",
    # the patrol: rounds due or missed, rounds under way; findings (a rectified one awaiting its
    # re-inspection has a section of its own)
    "patrol_due": "patrol_rounds",
    "patrols": "patrol_rounds",
    "findings": "findings_open",
    "move_ins": "move_ins",
}


# section of the summary -> the register its items come from (callbacks: repairs or complaints)
_REGISTER_OF = {section: register for register, section in _SECTION_OF.items()} | {
    "pass_no_gate": "passes",
    "pass_stubs": "passes",
    "cards_waiting": "cards",
    "cards_expiring": "cards",
    "worker_revoked": "worker_passes",
    "residents_to_tell": "complaints",
    "night_repairs": "nightlog",
    "incidents_closed": "incidents",
    "findings_recheck": "findings",
}


def state_keys(section: str, item: Item) -> tuple[str, ...]:
    """The catalogue keys that may name an item's state, best first: the label the register's
    own list shows it with (a pass: its status, valid / expired / used ..., as on the passes
    list; a pass used without a gate check: that). An item of a summary frozen before items
    knew their register goes by its section.
    """
    if section == "pass_no_gate":
        # used, its stub back, never checked at the gate: not "expired unused", as its status
        # alone would read once its day has passed
        return ("passes_ui.without_gate_check",)
    register = item.register or _REGISTER_OF.get(section, "")
    if register == "passes":
        return (f"pass_status.{status_for(item.state, expired=item.overdue)}",)
    if register:
        return (state_key(register, item.state),)
    return tuple(state_key(each, item.state) for each in ("repairs", "complaints"))


def incident_item(ctx: Ctx, found: Incident, now: datetime) -> Item:
    """An incident with its nine steps' marks (x done, - not needed, . to do) and next step."""
    from desk.services import incident_queries

    steps = incident_queries.steps_of(ctx, found.id or 0)
    following = incident_queries.next_step(steps)
    marks = incident_queries.step_marks(steps)
    place = incident_queries.place_text(found)
    return Item(
        number=found.number,
        room=found.room,
        what=f"[{marks}] {place if not found.room else ''} {found.what}".replace("  ", " "),
        state=str(found.state),
        opened_at=found.created_at,
        due_at=following.due_at if following is not None and found.state == "open" else None,
        due_kind=incident_queries.due_kind(following) if found.state == "open" else "",
        overdue=following is not None and found.state == "open" and following.due_at < now,
        register="incidents",
    )


def open_sections(ctx: Ctx, since: datetime | None = None) -> dict[str, list[Item]]:
    """Everything open at this moment, from every register, by section; and, given the shift's
    start, the incidents closed since (every incident of the shift is handed over).

    One pass over the board's open items (callbacks overdue get their own section), then the
    passes to reconcile.
    """
    from desk.services import (
        board,
        incident_queries,
        pass_queries,
        renovation_workers,
        repair_billing,
    )

    now = ctx.now
    sections: dict[str, list[Item]] = {key: [] for key in SECTIONS}
    for found in board.open_items(ctx):
        section = _SECTION_OF.get(found.register, found.register)
        if found.register == "nightlog" and found.state == NightLogState.handled:
            section = "night_repairs"  # repaired at night: no order, so no callback, yet
        if found.due_kind == "callback" and found.overdue(now) and section != "reception":
            section = "callbacks"
        if found.register == "cards":
            # cards being made or waiting to be picked up; resident cards running out
            section = "cards_expiring" if found.due_kind == "card_expiry" else "cards_waiting"
        if found.register == "findings" and found.due_kind == "recheck":
            section = "findings_recheck"
        if found.due_kind in TELL_RESIDENT and section == "complaints":
            section = "residents_to_tell"  # late notices owed, departments' answers to pass on
        if found.register == "incidents":
            continue  # with their steps, below
        sections.setdefault(section, []).append(open_item(found, now))
    for found_incident in incident_queries.listing(ctx, limit=200):
        sections["incidents"].append(incident_item(ctx, found_incident, now))
    if since is not None:
        sections["incidents_closed"] = [
            incident_item(ctx, each, now)
            for each in incident_queries.of_shift(ctx, since, now)
            if each.state == "closed"
        ]
    sections["pass_no_gate"] = [
        pass_item(p, now) for p in pass_queries.used_without_gate_check(ctx)
    ]
    sections["pass_stubs"] = [pass_item(p, now) for p in pass_queries.missing_stubs(ctx)]
    sections["worker_revoked"] = [
        worker_revoked_item(row) for row in renovation_workers.recently_revoked(ctx)
    ]
    sections["unpaid"] = [unpaid_item(order) for order in repair_billing.unpaid(ctx)]
    return {key: _sorted(sections[key], now) for key in SECTIONS}
