"""The layout of a statistics report: its sections and tables, shared by every renderer.

A `Report` (numbers) becomes `Section`s of `Table`s (labelled cells in the current language);
text, CSV, xlsx, HTML and the report screen all draw these same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desk.config import Settings
from desk.i18n import current_language, t
from desk.safe_text import printable
from desk.services.stats import PUBLIC, REGISTERS, ROOM_REGISTERS, Deadline, Rate, Report, top

Cell = str | int


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    # the column whose numbers are drawn as bars (scaled to its largest value)
    bar: int | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)


def yuan(fen: int) -> str:
    """Fen as yuan with two decimals: 12345 -> "123.45"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def percent(rate: Rate) -> str:
    value = rate.value
    return "-" if value is None else f"{value * 100:.1f}%"


def _rate_row(key: str, rate: Rate) -> list[Cell]:
    return [t(f"report.rate.{key}"), rate.done, rate.total, percent(rate)]


def _label(kind: str, key: str, settings: Settings) -> str:
    lang = current_language()
    found = settings.repair_category(key) if kind == "repair" else settings.complaint_category(key)
    return found.label(lang) if found else key


def _building(key: str) -> str:
    return t("report.public") if key == PUBLIC else t("report.building", name=key)


def _counts(title: str, label: str, names: dict[str, str], values: dict[str, int]) -> Table:
    rows: list[list[Cell]] = [[names.get(k, k), n] for k, n in values.items()]
    return Table(title, [label, t("report.col.count")], rows, bar=1)


def _overview(report: Report) -> Section:
    volume = Table(
        t("report.table.volume"),
        [t("report.col.register"), t("report.col.count")],
        [[t(f"registers.{name}"), report.volume.get(name, 0)] for name in REGISTERS],
        bar=1,
    )
    rates = Table(
        t("report.table.rates"),
        [t("report.col.figure"), t("report.col.done"), t("report.col.total"), t("report.col.rate")],
        [
            _rate_row("dispatch", report.repairs.dispatch_rate),
            _rate_row("timeliness", report.repairs.timeliness),
            _rate_row("pass", report.repairs.pass_rate),
            _rate_row("callbacks", report.callbacks),
            _rate_row("satisfaction", report.complaints.satisfaction),
        ],
    )
    return Section("overview", t("report.section.overview"), [volume, rates])


def _spread(
    title: str, label: str, rows: dict[str, dict[str, int]], name: Callable[[str], str]
) -> Table:
    headers = [label, *(t(f"registers.{r}") for r in ROOM_REGISTERS), t("report.col.total")]
    body: list[list[Cell]] = []
    for key, counts in rows.items():
        values = [counts.get(r, 0) for r in ROOM_REGISTERS]
        body.append([name(key), *values, sum(values)])
    return Table(title, headers, body, bar=len(headers) - 1)


def _where(report: Report) -> Section:
    channels = _spread(
        t("report.table.channels"),
        t("report.col.channel"),
        report.by_channel,
        lambda key: t(f"channel.{key}"),
    )
    buildings = _spread(
        t("report.table.buildings"), t("report.col.building"), report.by_building, _building
    )
    return Section("where", t("report.section.where"), [channels, buildings])


def _repairs(report: Report, settings: Settings) -> Section:
    r = report.repairs
    labels = {key: _label("repair", key, settings) for key in r.by_category}
    categories = _counts(
        t("report.table.repair_categories"), t("report.col.category"), labels, r.by_category
    )
    figures = Table(
        t("report.table.repair_figures"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.repair.{key}"), getattr(r, key)]
            for key in (
                "reported",
                "dispatched",
                "dispatched_in_time",
                "undispatched_overdue",
                "completed",
                "on_time",
                "called_back",
                "satisfied",
                "reopened",
            )
        ],
    )
    paid_rows: list[list[Cell]] = [
        [o.number, o.room, o.what, yuan(o.labour_fen), yuan(o.material_fen), yuan(o.total_fen)]
        for o in r.paid
    ]
    labour, material = sum(o.labour_fen for o in r.paid), sum(o.material_fen for o in r.paid)
    paid_rows.append(
        [t("report.col.total"), "", "", yuan(labour), yuan(material), yuan(labour + material)]
    )
    paid = Table(
        t("report.table.paid"),
        [t(f"report.col.{c}") for c in ("number", "room", "what", "labour", "material", "total")],
        paid_rows,
    )
    unpaid = Table(
        t("report.table.unpaid"),
        [t("report.unpaid.count"), t("report.unpaid.amount")],
        [[r.unpaid, yuan(r.unpaid_fen)]],
    )
    return Section("repairs", t("report.section.repairs"), [categories, figures, paid, unpaid])


def _complaints(report: Report, settings: Settings) -> Section:
    c = report.complaints
    labels = {key: _label("complaint", key, settings) for key in c.by_category}
    categories = _counts(
        t("report.table.complaint_categories"), t("report.col.category"), labels, c.by_category
    )
    severities = {s: c.by_severity.get(s, 0) for s in ("major", "important", "minor")}
    severity = _counts(
        t("report.table.severity"),
        t("report.col.severity"),
        {s: t(f"severity.{s}") for s in severities},
        severities,
    )
    validities = {
        v: c.by_validity.get(v, 0) for v in ("valid", "invalid", "out_of_scope", "pending")
    }
    validity = _counts(
        t("report.table.validity"),
        t("report.col.validity"),
        {v: t(f"validity.{v}") for v in validities},
        validities,
    )
    deadlines = Table(
        t("report.table.deadlines"),
        [t(f"report.col.{k}") for k in ("deadline", "met", "missed", "pending")],
        [
            [t(f"report.deadline.{kind}"), d.met, d.missed, d.pending]
            for kind, d in c.deadlines.items()
        ],
    )
    figures = Table(
        t("report.table.complaint_figures"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.complaint.{key}"), getattr(c, key)]
            for key in ("received", "reopened", "called_back", "satisfied")
        ],
    )
    return Section(
        "complaints",
        t("report.section.complaints"),
        [categories, severity, validity, deadlines, figures],
    )


def _repeats(report: Report, settings: Settings) -> Section:
    rows: list[list[Cell]] = [
        [
            t(f"registers.{r.register}"),
            r.room,
            _label("repair" if r.register == "repairs" else "complaint", r.category, settings),
            r.count,
        ]
        for r in report.repeats
    ]
    repeats = Table(
        t("report.table.repeats"),
        [t(f"report.col.{k}") for k in ("register", "room", "category", "count")],
        rows,
        bar=3,
    )
    problems = {
        b: counts.get("repairs", 0) + counts.get("complaints", 0)
        for b, counts in report.by_building.items()
    }
    busiest = Table(
        t("report.table.top_buildings"),
        [t("report.col.building"), t("report.col.count")],
        [[_building(b), n] for b, n in top(problems.items()) if n],
        bar=1,
    )
    categories = [
        (_label("repair", k, settings), n) for k, n in report.repairs.by_category.items()
    ] + [(_label("complaint", k, settings), n) for k, n in report.complaints.by_category.items()]
    merged: dict[str, int] = {}
    for label, n in categories:
        merged[label] = merged.get(label, 0) + n
    common = Table(
        t("report.table.top_categories"),
        [t("report.col.category"), t("report.col.count")],
        [[label, n] for label, n in top(merged.items())],
        bar=1,
    )
    return Section("repeats", t("report.section.repeats"), [repeats, busiest, common])


def _keys_passes(report: Report) -> Section:
    k, p = report.keys, report.passes
    keys = Table(
        t("report.table.keys"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.keys.{name}"), getattr(k, name)]
            for name in ("loans", "overdue", "returned_late", "out_overdue", "lost")
        ],
    )
    passes = Table(
        t("report.table.passes"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.passes.{name}"), getattr(p, name)]
            for name in (
                "issued",
                "used",
                "refused",
                "expired",
                "voided",
                "valid",
                "stubs_returned",
                "stubs_missing",
            )
        ],
    )
    return Section("keys_passes", t("report.section.keys_passes"), [keys, passes])


def _renovations(report: Report) -> Section:
    r = report.renovations
    figures = Table(
        t("report.table.renovations"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.renovation.{name}"), getattr(r, name)]
            for name in ("applications", "permits", "withheld")
        ],
    )
    deadlines = Table(
        t("report.table.renovation_deadlines"),
        [t(f"report.col.{k}") for k in ("deadline", "met", "missed", "pending", "rate")],
        [
            [t("report.renovation.approvals"), *_met(r.approvals), percent(r.approvals_on_time)],
            [t("report.renovation.refunds"), *_met(r.refunds), percent(r.refunds_on_time)],
        ],
    )
    return Section("renovations", t("report.section.renovations"), [figures, deadlines])


def _fees(report: Report) -> Section:
    from desk.services.stats_figures import AGE_BUCKETS

    f = report.fees
    figures = Table(
        t("report.table.fees"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t("report.fees.payments"), f.payments],
            [t("report.fees.collected"), yuan(f.collected_fen)],
            [t("report.fees.reminders"), f.reminders],
            [t("report.fees.letters"), f.letters],
            [t("report.fees.visits"), f.visits],
            [t("report.fees.legal"), f.legal],
        ],
    )
    ages = Table(
        t("report.table.fee_ages"),
        [t("report.fees.age"), t("report.fees.rooms"), t("report.fees.owing")],
        [
            [
                t(f"report.fees.age_{bucket}"),
                f.owing_rooms.get(bucket, 0),
                yuan(f.owing_fen.get(bucket, 0)),
            ]
            for bucket in AGE_BUCKETS
        ],
    )
    return Section("fees", t("report.section.fees"), [figures, ages])


def _met(deadline: Deadline) -> list[Cell]:
    return [deadline.met, deadline.missed, deadline.pending]


def _cards(report: Report) -> Section:
    c = report.cards
    names = ("applied", "issued", "renewed", "lost", "replaced", "returned", "cancelled")
    figures = Table(
        t("report.table.cards"),
        [t("report.col.figure"), t("report.col.count")],
        [[t(f"report.cards.{name}"), getattr(c, name)] for name in (*names, "gate_refused")],
    )
    return Section("cards", t("report.section.cards"), [figures])


def _owner_changes(report: Report) -> Section:
    o = report.owner_changes
    figures = Table(
        t("report.table.owner_changes"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t(f"report.owner_changes.{name}"), getattr(o, name)]
            for name in (
                "declared",
                "in_person",
                "by_phone",
                "applied",
                "sales",
                "rejected",
                "withdrawn",
                "waiting",
                "refused",
            )
        ],
    )
    on_time = Table(
        t("report.table.owner_changes_on_time"),
        [t("report.col.figure"), t("report.col.done"), t("report.col.total"), t("report.col.rate")],
        [_rate_row("owner_changes_on_time", o.on_time)],
    )
    return Section("owner_changes", t("report.section.owner_changes"), [figures, on_time])


def _incidents(report: Report, settings: Settings) -> Section:
    i = report.incidents
    lang = current_language()
    kinds = {k.key: k.label(lang) for k in settings.incidents.kinds}
    figures = Table(
        t("report.table.incidents"),
        [t("report.col.figure"), t("report.col.count")],
        [[t(f"report.incidents.{name}"), getattr(i, name)] for name in ("opened", "closed")],
    )
    by_kind = _counts(
        t("report.table.incidents_by_kind"), t("report.col.incident_kind"), kinds, i.by_kind
    )

    def minutes(value: int | None) -> Cell:
        return "-" if value is None else value

    steps = Table(
        t("report.table.incident_steps"),
        [
            t(f"report.col.{k}")
            for k in (
                "step",
                "step_done",
                "step_late",
                "step_not_needed",
                "step_pending",
                "avg_min",
                "max_min",
            )
        ],
        [
            [
                t(f"incident_step.{s.key}"),
                s.done,
                s.late,
                s.not_needed,
                s.pending,
                minutes(s.average_minutes),
                minutes(s.longest_minutes),
            ]
            for s in i.steps
        ],
    )
    return Section("incidents", t("report.section.incidents"), [figures, by_kind, steps])


def _findings(report: Report, settings: Settings) -> Section:
    """Patrol rounds and findings: by department, the hours to put them right, accepted first
    time (desk.services.stats_findings)."""
    f = report.findings
    lang = current_language()
    overall = Table(
        t("report.table.patrols"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t("report.findings.rounds"), f.rounds],
            [t("report.findings.rounds_done"), f.rounds_done],
            [t("report.findings.raised"), f.raised],
        ],
    )
    rows: list[list[Cell]] = []
    for d in f.by_department:
        rule = settings.findings.department(d.department)
        hours = d.average_hours
        rows.append(
            [
                rule.label(lang) if rule else d.department,
                d.raised,
                d.accepted,
                d.open,
                "-" if hours is None else f"{hours:.1f}",
                percent(d.first_time),
            ]
        )
    rows.append(
        [
            t("report.findings.total"),
            f.raised,
            sum(d.accepted for d in f.by_department),
            sum(d.open for d in f.by_department),
            "",
            percent(f.first_time),
        ]
    )
    keys = ("department", "raised", "accepted", "open", "hours", "first_time")
    by_department = Table(
        t("report.table.findings"), [t(f"report.findings.col_{k}") for k in keys], rows
    )
    return Section("findings", t("report.section.findings"), [overall, by_department])


def _move_ins(report: Report) -> Section:
    """Move-ins: booked, inspected, completed, problems per case, accepted first time, 托管."""
    m = report.move_ins
    per_case: Cell = "-" if m.per_case is None else f"{m.per_case:.2f}"
    figures = Table(
        t("report.table.move_ins"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t("report.move_ins.booked"), m.booked],
            [t("report.move_ins.inspected"), m.inspected],
            [t("report.move_ins.completed"), m.completed],
            [t("report.move_ins.problems"), m.problems],
            [t("report.move_ins.per_case"), per_case],
            [t("report.move_ins.custody"), m.custody],
            [t("report.move_ins.over_limit"), m.over_limit],
        ],
    )
    first = Table(
        t("report.table.move_ins_first_time"),
        [t("report.col.figure"), t("report.col.done"), t("report.col.total"), t("report.col.rate")],
        [_rate_row("move_ins_first_time", m.first_time)],
    )
    return Section("move_ins", t("report.section.move_ins"), [figures, first])


def _services(report: Report) -> Section:
    """Paid convenience services (desk.services.stats_services): bookings, work on time,
    accepted first time, revenue, callbacks."""
    s = report.services
    figures = Table(
        t("report.table.services"),
        [t("report.col.figure"), t("report.col.count")],
        [
            [t("report.services.bookings"), s.bookings],
            [t("report.services.cancelled"), s.cancelled],
            [t("report.services.paid"), s.paid],
            [t("report.services.revenue"), f"{s.revenue_fen // 100}.{s.revenue_fen % 100:02d}"],
            [t("report.services.satisfied"), s.satisfied],
        ],
    )
    rates = Table(
        t("report.table.service_rates"),
        [t(f"report.col.{k}") for k in ("figure", "done", "total", "rate")],
        [
            [t(f"report.services.{name}"), rate.done, rate.total, percent(rate)]
            for name, rate in (
                ("on_time", s.on_time),
                ("accepted_first", s.accepted_first),
                ("called_back", s.called_back),
            )
        ],
    )
    return Section("services", t("report.section.services"), [figures, rates])


def sections(report: Report, settings: Settings) -> list[Section]:
    """The report's sections in print order, labelled in the current language.

    Its text is printable (desk.safe_text): rooms, descriptions and category keys come from
    the database, and every renderer and the report screen draw these very cells.
    """
    built = [
        _overview(report),
        _where(report),
        _repairs(report, settings),
        _complaints(report, settings),
        _repeats(report, settings),
        _keys_passes(report),
        _renovations(report),
        _cards(report),
        _owner_changes(report),
        _incidents(report, settings),
        _findings(report, settings),
        _fees(report),
        _move_ins(report),
        _services(report),
    ]
    return [_printable(section) for section in built]


def _printable(section: Section) -> Section:
    def cell(value: Cell) -> Cell:
        return printable(value) if isinstance(value, str) else value

    tables = [
        Table(
            printable(table.title),
            [printable(header) for header in table.headers],
            [[cell(value) for value in row] for row in table.rows],
            table.bar,
        )
        for table in section.tables
    ]
    return Section(section.key, printable(section.title), tables)


def heading(report: Report, settings: Settings) -> list[str]:
    """Title lines: the site, the period and when the figures were counted."""
    site = settings.site.name if current_language() == "zh_CN" else settings.site.name_en
    built = report.built_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    return [
        t("report.title", site=site),
        t("report.period", period=report.period.label, built=built),
    ]
