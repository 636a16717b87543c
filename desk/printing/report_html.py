"""The statistics report as one self-contained HTML page: tables and CSS bar charts."""

from __future__ import annotations

from desk.config import Settings
from desk.i18n import current_language
from desk.printing.report import Cell, Table, heading, sections
from desk.safe_text import escape_html as escape
from desk.services.stats import Report

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0; }
p.period { color: #555; margin-top: .3em; }
h2 { border-bottom: 2px solid #4a7; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; min-width: 24em; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; }
th { background: #eef5f0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.bar { width: 14em; }
div.bar { background: #4a7; height: .9em; }
@media print { h2 { page-break-after: avoid; } table { page-break-inside: avoid; } }
"""


def _cell(cell: Cell) -> str:
    kind = ' class="n"' if isinstance(cell, int) else ""
    return f"<td{kind}>{escape(str(cell))}</td>"


def _table(table: Table) -> list[str]:
    peak = max((int(row[table.bar]) for row in table.rows), default=0) if table.bar else 0
    out = ["<table>", f"<caption>{escape(table.title)}</caption>", "<tr>"]
    out += [f"<th>{escape(h)}</th>" for h in table.headers]
    out += ["<th></th>" if table.bar is not None else "", "</tr>"]
    for row in table.rows:
        out.append("<tr>" + "".join(_cell(cell) for cell in row))
        if table.bar is not None:
            share = 100 * int(row[table.bar]) / peak if peak else 0
            out.append(f'<td class="bar"><div class="bar" style="width:{share:.0f}%"></div></td>')
        out.append("</tr>")
    out.append("</table>")
    return out


def render(report: Report, settings: Settings) -> str:
    title, period = heading(report, settings)
    lang = "zh-CN" if current_language() == "zh_CN" else "en"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(title)} {escape(report.period.label)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="period">{escape(period)}</p>',
    ]
    for section in sections(report, settings):
        out.append(f'<section id="{section.key}"><h2>{escape(section.title)}</h2>')
        for table in section.tables:
            out += _table(table)
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
