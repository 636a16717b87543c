"""The figures of a statistics report: plain frozen data, built once and rendered many ways."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desk.services.stats_period import Period


@dataclass(frozen=True)
class Rate:
    done: int
    total: int

    @property
    def value(self) -> float | None:
        return self.done / self.total if self.total else None


@dataclass(frozen=True)
class Deadline:
    met: int = 0
    missed: int = 0
    pending: int = 0


@dataclass(frozen=True)
class PaidOrder:
    number: str
    room: str
    what: str
    labour_fen: int
    material_fen: int

    @property
    def total_fen(self) -> int:
        return self.labour_fen + self.material_fen


@dataclass(frozen=True)
class Repeat:
    register: str  # "repairs" | "complaints"
    room: str
    category: str
    count: int


@dataclass(frozen=True)
class RepairFigures:
    reported: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    dispatched: int = 0
    dispatched_in_time: int = 0
    undispatched_overdue: int = 0
    completed: int = 0
    on_time: int = 0
    called_back: int = 0
    satisfied: int = 0
    reopened: int = 0
    paid: tuple[PaidOrder, ...] = ()
    # billed and not paid at the end of the period (or now): how many, how much
    unpaid: int = 0
    unpaid_fen: int = 0

    @property
    def dispatch_rate(self) -> Rate:
        return Rate(self.dispatched_in_time, self.dispatched + self.undispatched_overdue)

    @property
    def timeliness(self) -> Rate:
        return Rate(self.on_time, self.completed)

    @property
    def pass_rate(self) -> Rate:
        return Rate(self.satisfied, self.called_back)


@dataclass(frozen=True)
class ComplaintFigures:
    received: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_validity: dict[str, int] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    reopened: int = 0
    called_back: int = 0
    satisfied: int = 0

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.satisfied, self.called_back)


@dataclass(frozen=True)
class KeyFigures:
    loans: int = 0
    returned_late: int = 0
    out_overdue: int = 0
    lost: int = 0

    @property
    def overdue(self) -> int:
        return self.returned_late + self.out_overdue


@dataclass(frozen=True)
class PassFigures:
    issued: int = 0
    used: int = 0
    refused: int = 0
    expired: int = 0
    voided: int = 0
    valid: int = 0
    stubs_returned: int = 0
    stubs_missing: int = 0


@dataclass(frozen=True)
class RenovationFigures:
    """Applications received in the period; the approvals of those sent to engineering in it
    (due the site's `approval_within` later); the refunds falling due in it (paid on time:
    by the site's `refund_within` after their day)."""

    applications: int = 0
    permits: int = 0
    approvals: Deadline = field(default_factory=Deadline)
    refunds: Deadline = field(default_factory=Deadline)
    withheld: int = 0

    @property
    def approvals_on_time(self) -> Rate:
        return Rate(self.approvals.met, self.approvals.met + self.approvals.missed)

    @property
    def refunds_on_time(self) -> Rate:
        return Rate(self.refunds.met, self.refunds.met + self.refunds.missed)


@dataclass(frozen=True)
class CardFigures:
    """Resident cards in the period: applied for and issued (first cards, not replacements),
    renewals, losses reported, replacements issued, cards handed back and cancelled, and the
    gate's refusals of a card on file (lost, cancelled, expired ...)."""

    applied: int = 0
    issued: int = 0
    renewed: int = 0
    lost: int = 0
    replaced: int = 0
    returned: int = 0
    cancelled: int = 0
    gate_refused: int = 0


@dataclass(frozen=True)
class OwnerChangeFigures:
    """Owner record changes declared in the period (an identity check refused is no
    declaration: counted apart), as they stand now."""

    declared: int = 0
    applied: int = 0
    applied_on_time: int = 0
    rejected: int = 0
    withdrawn: int = 0
    waiting: int = 0
    in_person: int = 0
    by_phone: int = 0
    sales: int = 0
    refused: int = 0

    @property
    def on_time(self) -> Rate:
        return Rate(self.applied_on_time, self.applied)


@dataclass(frozen=True)
class StepTiming:
    """One of the nine steps over the incidents opened in the period: how many were done (and
    how many of those late), marked not needed or still to do, and the minutes from the
    incident's opening to the call (the average, and the longest)."""

    key: str
    done: int = 0
    late: int = 0
    not_needed: int = 0
    pending: int = 0
    average_minutes: int | None = None
    longest_minutes: int | None = None


@dataclass(frozen=True)
class IncidentFigures:
    """Incidents opened in the period: how many, closed since, by kind, and time to each step."""

    opened: int = 0
    closed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    steps: tuple[StepTiming, ...] = ()


@dataclass(frozen=True)
class FindingsByDepartment:
    """One department's findings raised in the period (desk.services.stats_findings)."""

    department: str
    raised: int = 0
    accepted: int = 0
    accepted_first: int = 0
    open: int = 0
    rectified: int = 0
    # hours from sent to the first "rectified", summed over the `rectified` ones
    rectify_hours: float = 0.0

    @property
    def first_time(self) -> Rate:
        return Rate(self.accepted_first, self.accepted)

    @property
    def average_hours(self) -> float | None:
        return self.rectify_hours / self.rectified if self.rectified else None


@dataclass(frozen=True)
class FindingFigures:
    """Patrol rounds started in the period (and of them finished) and the findings raised in
    it, by department."""

    rounds: int = 0
    rounds_done: int = 0
    by_department: tuple[FindingsByDepartment, ...] = ()

    @property
    def raised(self) -> int:
        return sum(d.raised for d in self.by_department)

    @property
    def first_time(self) -> Rate:
        return Rate(
            sum(d.accepted_first for d in self.by_department),
            sum(d.accepted for d in self.by_department),
        )


AGE_BUCKETS = ("0_3", "3_6", "6_12", "over_12")


@dataclass(frozen=True)
class FeeFigures:
    """The fee desk: what was collected at the counter in the period; what is owed at its end
    (or now) by how long it has been owed (months since its first unpaid month: 0–3, 3–6, 6–12,
    more than 12), in fen and rooms; the reminders and letters sent in the period."""

    payments: int = 0
    collected_fen: int = 0
    owing_fen: dict[str, int] = field(default_factory=dict)
    owing_rooms: dict[str, int] = field(default_factory=dict)
    reminders: int = 0
    letters: int = 0
    visits: int = 0
    legal: int = 0


@dataclass(frozen=True)
class MoveInFigures:
    """Move-ins (desk.services.stats_move_ins): booked, inspected and completed in the period,
    the problems found at the inspection (and per case inspected), the cases completed with
    every problem accepted at its first re-inspection, 托管 begun, readings over their limit."""

    booked: int = 0
    inspected: int = 0
    completed: int = 0
    problems: int = 0
    per_case: float | None = None
    first_time: Rate = field(default_factory=lambda: Rate(0, 0))
    custody: int = 0
    over_limit: int = 0


@dataclass(frozen=True)
class ServiceFigures:
    """Paid convenience services (desk.services.stats_services): bookings made in the period
    (and cancelled of them); the first rounds of work done in it, on time against the agreed
    time; the bookings accepted in it, first time (one round); the money taken in it (fen); and
    of those paid in it, the callbacks that reached the resident (satisfied of them)."""

    bookings: int = 0
    cancelled: int = 0
    on_time: Rate = field(default_factory=lambda: Rate(0, 0))
    accepted_first: Rate = field(default_factory=lambda: Rate(0, 0))
    paid: int = 0
    revenue_fen: int = 0
    called_back: Rate = field(default_factory=lambda: Rate(0, 0))
    satisfied: int = 0


@dataclass(frozen=True)
class Report:
    """The figures of one period; renderers turn it into text, CSV, xlsx, HTML and the screen."""

    period: Period
    built_at: datetime
    volume: dict[str, int]
    by_channel: dict[str, dict[str, int]]  # channel -> register -> count
    by_building: dict[str, dict[str, int]]  # building -> register -> count
    repairs: RepairFigures
    complaints: ComplaintFigures
    callbacks: Rate
    repeats: tuple[Repeat, ...]
    keys: KeyFigures
    passes: PassFigures
    renovations: RenovationFigures = field(default_factory=RenovationFigures)
    cards: CardFigures = field(default_factory=CardFigures)
    owner_changes: OwnerChangeFigures = field(default_factory=OwnerChangeFigures)
    incidents: IncidentFigures = field(default_factory=IncidentFigures)
    findings: FindingFigures = field(default_factory=FindingFigures)
    fees: FeeFigures = field(default_factory=FeeFigures)
    move_ins: MoveInFigures = field(default_factory=MoveInFigures)
    services: ServiceFigures = field(default_factory=ServiceFigures)
