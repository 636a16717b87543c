"""The shift-change summary as lines of at most 80 cells: Chinese columns aligned, no
East-Asian ambiguous characters in labels or rules. The HTML and PDF renderings share these
labels and (for PDF) these very lines."""

from __future__ import annotations

from datetime import datetime, tzinfo

from desk.i18n import catalogue, current_language, t
from desk.printing.text import cell_len, centre, label_value, pad, page_text, two_columns
from desk.services.summary import SECTIONS, Item, Summary, state_keys

WIDTH = 80
BLANK = "_" * 16
# item columns: number, room, what, since, state, due (cells); what takes the rest
COLUMNS = (("number", 16), ("room", 8), ("what", 0), ("age", 6), ("state", 10), ("due", 16))
# the state column widens, up to this, so that no state's label is cut (English ones are long)
STATE_MAX = 16


def at(moment: datetime | None, tz: tzinfo, *, year: bool = True) -> str:
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M" if year else "%m-%d %H:%M")


def state_label(section: str, item: Item) -> str:
    """An item's state in the current language, as its register's own list names it."""
    messages = catalogue()
    for key in state_keys(section, item):
        if key in messages:
            return t(key)
    return item.state


def age(since: datetime | None, now: datetime) -> str:
    """How long an item has been open: 45 min, 5 h, 3 d / 45分钟, 5小时, 3天 (6 cells at most)."""
    if since is None:
        return ""
    minutes = max(int((now - since).total_seconds() // 60), 0)
    if minutes < 60:
        return t("summary.age_m", n=minutes)
    if minutes < 48 * 60:
        return t("summary.age_h", n=minutes // 60)
    return t("summary.age_d", n=minutes // (24 * 60))


def due_text(item: Item, tz: tzinfo) -> str:
    if item.due_at is None:
        return ""
    shown = at(item.due_at, tz, year=False)
    return f"{shown} {t('summary.overdue')}" if item.overdue else shown


def column_widths(summary: Summary | None = None) -> dict[str, int]:
    """The cells of each item column: the state column as wide as the longest state label of
    the summary's items (up to STATE_MAX), the item's text what is left of the line (each
    column is followed by a space)."""
    widths = dict(COLUMNS)
    if summary is not None:
        labels = [
            state_label(section, item)
            for section, items in summary.sections.items()
            for item in items
        ]
        longest = max([cell_len(t("summary.col.state")), *map(cell_len, labels)])
        widths["state"] = min(max(widths["state"], longest), STATE_MAX)
    fixed = sum(width + 1 for key, width in widths.items() if key != "what")
    widths["what"] = WIDTH - 2 - fixed
    return widths


def item_line(
    item: Item, section: str, now: datetime, tz: tzinfo, widths: dict[str, int] | None = None
) -> str:
    widths = widths or column_widths()
    values = {
        "number": item.number,
        "room": item.room,
        "what": " ".join(item.what.split()),
        "age": age(item.opened_at, now),
        "state": state_label(section, item),
        "due": due_text(item, tz),
    }
    cells = [pad(values[key], widths[key]) + " " for key, _ in COLUMNS]
    cells[-1] = values["due"]
    return ("  " + "".join(cells)).rstrip()


def _header_line(widths: dict[str, int]) -> str:
    cells = [pad(t(f"summary.col.{key}"), widths[key]) + " " for key, _ in COLUMNS]
    return ("  " + "".join(cells)).rstrip()


def summary_lines(summary: Summary, tz: tzinfo, printed_at: datetime | None = None) -> list[str]:
    """The whole page, in the current language (ages as at the time it was built)."""
    lang = current_language()
    now = summary.built_at
    heads = [
        "shift",
        "state",
        "outgoing",
        "incoming",
        "signed_off_at",
        "acknowledged_at",
        "holders",
        "refused_at",
        "refusal_reason",
        "notes",
        "watch",
        "desk_cleaned",
        "log_read",
        "counts",
        "outgoing_signature",
        "incoming_signature",
    ]
    width = max(cell_len(t(f"summary.{key}")) for key in heads)

    def pair(key: str, value: str) -> tuple[str, str]:
        return (t(f"summary.{key}"), value)

    def row(left: tuple[str, str], right: tuple[str, str] | None) -> str:
        return two_columns(left, right, label_width=width, width=WIDTH)

    shift = f"{summary.shift_label(lang)} {at(summary.shift_start, tz, year=False)}"
    shift += f" - {at(summary.shift_end, tz, year=False)}"
    lines = [centre(f"{summary.site_name(lang)}  {t('summary.title')}", WIDTH), "=" * WIDTH]
    lines += label_value(t("summary.shift"), shift, label_width=width, width=WIDTH)
    state = t(f"handover_ui.state.{summary.state}")
    lines.append(row(pair("state", state), pair("holders", ", ".join(summary.holders))))
    lines.append(row(pair("outgoing", summary.outgoing), pair("incoming", summary.incoming)))
    lines.append(
        row(
            pair("signed_off_at", at(summary.signed_off_at, tz)),
            pair("acknowledged_at", at(summary.acknowledged_at, tz)),
        )
    )
    if summary.refused_at:
        lines.append(row(pair("refused_at", at(summary.refused_at, tz)), None))
        lines += label_value(
            t("summary.refusal_reason"), summary.refusal_reason, label_width=width, width=WIDTH
        )
    lines.append("-" * WIDTH)
    counted = "  ".join(f"{t(f'summary.count.{k}')} {n}" for k, n in summary.counts.items())
    lines += label_value(t("summary.counts"), counted, label_width=width, width=WIDTH)
    lines.append("-" * WIDTH)
    lines.append(
        t("summary.open_items", count=summary.open_count(), overdue=summary.overdue_count())
    )
    widths = column_widths(summary)
    lines.append(_header_line(widths))
    for section in SECTIONS:
        items = summary.sections.get(section, [])
        if not items:
            continue
        lines.append(f"[{t(f'summary.section.{section}')}] {len(items)}")
        lines += [item_line(item, section, now, tz, widths) for item in items]
    if not summary.open_count():
        lines.append("  " + t("summary.nothing_open"))
    if summary.rescheduled:
        lines.append(f"[{t('summary.section.rescheduled')}] {len(summary.rescheduled)}")
        lines += [item_line(item, "repairs", now, tz, widths) for item in summary.rescheduled]
    lines.append("-" * WIDTH)
    lines += checklist_lines(summary, width)
    lines.append("-" * WIDTH)
    lines += label_value(
        t("summary.notes"), summary.notes or t("app.none"), label_width=width, width=WIDTH
    )
    lines += label_value(
        t("summary.watch"), summary.watch or t("app.none"), label_width=width, width=WIDTH
    )
    lines.append("=" * WIDTH)
    lines += signature_lines(summary, tz, width)
    lines.append("")
    lines.append(t("summary.printed_at", at=at(printed_at or summary.built_at, tz)))
    if summary.audit_head:
        lines.append(t("audit_chain.head", head=summary.audit_head))
    return lines


def checklist_lines(summary: Summary, width: int) -> list[str]:
    lang = current_language()
    label_w = max(
        [cell_len(t("summary.col.item"))] + [cell_len(c.label(lang)) for c in summary.checklist]
    )
    lines = [t("summary.checklist")]
    heads = ("expected", "counted", "missing")
    # a number column is at least 8 cells, and a space wider than its heading
    number_w = {h: max(8, cell_len(t(f"summary.col.{h}")) + 1) for h in heads}
    lines.append(
        "  "
        + pad(t("summary.col.item"), label_w + 2)
        + "".join(pad(t(f"summary.col.{h}"), number_w[h]) for h in heads)
        + t("summary.col.holder")
    )
    for check in summary.checklist:
        counted = "" if check.counted is None else str(check.counted)
        missing = str(check.missing) if check.missing else ""
        mark = t("summary.not_counted") if check.counted is None else check.holder
        lines.append(
            (
                "  "
                + pad(check.label(lang), label_w + 2)
                + pad(str(check.expected), number_w["expected"])
                + pad(counted, number_w["counted"])
                + pad(missing, number_w["missing"])
                + mark
            ).rstrip()
        )
    yes, no = t("app.yes"), t("app.no")
    lines.append(
        two_columns(
            (t("summary.desk_cleaned"), yes if summary.desk_cleaned else no),
            (t("summary.log_read"), yes if summary.log_read else no),
            label_width=width,
            width=WIDTH,
        )
    )
    return lines


def signature_lines(summary: Summary, tz: tzinfo, width: int) -> list[str]:
    out_signed = f"{summary.outgoing} {at(summary.signed_off_at, tz)}".strip()
    in_signed = f"{summary.incoming} {at(summary.acknowledged_at, tz)}".strip()
    acknowledged = summary.acknowledged_at is not None
    return [
        "",
        two_columns(
            (t("summary.outgoing_signature"), out_signed if summary.signed_off_at else BLANK),
            (t("summary.incoming_signature"), in_signed if acknowledged else BLANK),
            label_width=width,
            width=WIDTH,
        ),
    ]


def summary_text(summary: Summary, tz: tzinfo, printed_at: datetime | None = None) -> str:
    return page_text(summary_lines(summary, tz, printed_at))
