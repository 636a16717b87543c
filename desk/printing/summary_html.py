"""The shift-change summary as one self-contained HTML page (for a browser or e-mail)."""

from __future__ import annotations

from datetime import tzinfo

from desk.i18n import current_language, t
from desk.printing.summary_text import age, at, due_text, state_label
from desk.safe_text import escape_html as escape
from desk.services.summary import SECTIONS, Summary

_STYLE = """
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif; margin: 2em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #999; padding: .2em .5em; text-align: left; vertical-align: top; }
.overdue { color: #b00; font-weight: bold; } .missing { background: #fee; }
"""


def _row(cells: list[str], tag: str = "td", cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<tr{attr}>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>"


def summary_html(summary: Summary, tz: tzinfo) -> str:
    lang = current_language()
    title = f"{summary.site_name(lang)} {t('summary.title')}"
    shift = (
        f"{summary.shift_label(lang)} {at(summary.shift_start, tz)} - {at(summary.shift_end, tz)}"
    )
    head = [
        ("shift", shift),
        ("state", t(f"handover_ui.state.{summary.state}")),
        ("outgoing", summary.outgoing),
        ("signed_off_at", at(summary.signed_off_at, tz)),
        ("incoming", summary.incoming),
        ("acknowledged_at", at(summary.acknowledged_at, tz)),
        ("holders", ", ".join(summary.holders)),
    ]
    if summary.refused_at:
        head += [
            ("refused_at", at(summary.refused_at, tz)),
            ("refusal_reason", summary.refusal_reason),
        ]
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh_CN" else "en"}">',
        f'<head><meta charset="utf-8"><title>{escape(title)}</title><style>{_STYLE}</style></head>',
        f"<body><h1>{escape(title)}</h1><table>",
        *(_row([t(f"summary.{key}"), value]) for key, value in head),
        "</table>",
        f"<h2>{escape(t('summary.counts'))}</h2><table>",
        _row([t(f"summary.count.{k}") for k in summary.counts], "th"),
        _row([str(n) for n in summary.counts.values()]),
        "</table>",
        "<h2>"
        + escape(
            t("summary.open_items", count=summary.open_count(), overdue=summary.overdue_count())
        )
        + "</h2>",
    ]
    columns = [t(f"summary.col.{k}") for k in ("number", "room", "what", "age", "state", "due")]
    for section in SECTIONS:
        items = summary.sections.get(section, [])
        if not items:
            continue
        parts.append(f"<h3>{escape(t(f'summary.section.{section}'))} ({len(items)})</h3><table>")
        parts.append(_row(columns, "th"))
        for item in items:
            cells = [
                item.number,
                item.room,
                item.what,
                age(item.opened_at, summary.built_at),
                state_label(section, item),
                due_text(item, tz),
            ]
            parts.append(_row(cells, cls="overdue" if item.overdue else ""))
        parts.append("</table>")
    if summary.rescheduled:
        moved = summary.rescheduled
        parts.append(f"<h3>{escape(t('summary.section.rescheduled'))} ({len(moved)})</h3><table>")
        parts.append(_row(columns, "th"))
        for item in moved:
            cells = [item.number, item.room, item.what, age(item.opened_at, summary.built_at)]
            cells += [state_label("repairs", item), due_text(item, tz)]
            parts.append(_row(cells, cls="overdue" if item.overdue else ""))
        parts.append("</table>")
    parts.append(f"<h2>{escape(t('summary.checklist'))}</h2><table>")
    heads = ("item", "expected", "counted", "missing", "holder")
    parts.append(_row([t(f"summary.col.{h}") for h in heads], "th"))
    for check in summary.checklist:
        counted = t("summary.not_counted") if check.counted is None else str(check.counted)
        cells = [
            check.label(lang),
            str(check.expected),
            counted,
            str(check.missing or ""),
            check.holder,
        ]
        parts.append(_row(cells, cls="missing" if check.discrepancy else ""))
    yes, no = t("app.yes"), t("app.no")
    parts += [
        "</table><table>",
        _row([t("summary.desk_cleaned"), yes if summary.desk_cleaned else no]),
        _row([t("summary.log_read"), yes if summary.log_read else no]),
        _row([t("summary.notes"), summary.notes or t("app.none")]),
        _row([t("summary.watch"), summary.watch or t("app.none")]),
        _row(
            [t("summary.outgoing_signature"), f"{summary.outgoing} {at(summary.signed_off_at, tz)}"]
        ),
        _row(
            [
                t("summary.incoming_signature"),
                f"{summary.incoming} {at(summary.acknowledged_at, tz)}",
            ]
        ),
        "</table>",
        f"<p>{escape(t('summary.printed_at', at=at(summary.built_at, tz)))}</p>",
        f"<p>{escape(t('audit_chain.head', head=summary.audit_head))}</p>"
        if summary.audit_head
        else "",
        "</body></html>\n",
    ]
    return "\n".join(parts)
