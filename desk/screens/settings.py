"""The site's settings as the desk reads them, and the working calendar a supervisor edits."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import FormDialog
from desk.forms.dialogs import banner_form as _form
from desk.forms.fields import ChoiceField, DeskForm, TextField
from desk.i18n import label_or, listed, t
from desk.models import CalendarDay, DayKind
from desk.screens.plain import plain
from desk.screens.tones import WARNING_BOLD
from desk.services import calendar, roles, shifts
from desk.services.context import Ctx
from desk.services.deadlines import in_words
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, DeskScreen

CLEAR = "clear"


class CalendarDayDialog(FormDialog[str | None]):
    """Mark a date closed or working at this site, or clear the mark; returns what was done."""

    def heading(self) -> str:
        return t("settings.dialog_title")

    def build_form(self) -> DeskForm:
        kinds = [(t(f"calendar.kind.{kind.value}"), kind.value) for kind in DayKind]
        kinds.append((t("settings.kind_clear"), CLEAR))
        return _form(
            TextField("day", max_length=10, placeholder="YYYY-MM-DD"),
            ChoiceField("day_kind", kinds, DayKind.holiday.value),
            TextField("day_note", of=CalendarDay, column="note"),
        )

    def submit(self, form: DeskForm) -> str | DeskError:
        values = form.read()
        typed, kind, note = str(values["day"]).strip(), values["day_kind"], values["day_note"]
        try:
            day = calendar.parse_day(typed, field="day")
        except DeskError as error:
            return error

        def run(ctx: Ctx) -> str:
            shown = day.isoformat()
            if kind != CLEAR:
                calendar.set_site_day(ctx, day, kind, note.strip())
                return t(f"settings.marked_{kind}", day=shown)
            if not calendar.clear_site_day(ctx, day):
                raise DeskError("calendar.not_marked", field="day", day=shown)
            return t("settings.cleared", day=shown)

        return self.attempt(run)


class SettingsScreen(DeskScreen):
    """Read-only but for the site's own calendar days, which a supervisor marks (ctrl+e).

    site.toml is edited as a file by whoever runs the machine; its path is shown here.
    """

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("settings")
    DEFAULT_CSS = """
    SettingsScreen VerticalScroll { padding: 0 1; }
    SettingsScreen Static { margin: 0 0 1 0; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(id="settings-site")
            yield Static(id="settings-calendar")
            yield Static(id="settings-shifts")
            yield Static(id="settings-deadlines")
            yield Static(id="settings-complaints")
        yield DeskFooter()

    def on_mount(self) -> None:
        settings, lang = self.desk.settings, self.desk.lang
        now = self.desk.now()
        site = Table.grid(padding=(0, 2))
        site.add_row(
            t("settings.site"), settings.site.name if lang == "zh_CN" else settings.site.name_en
        )
        site.add_row(t("settings.file"), str(settings.source or ""))
        site.add_row(t("settings.printer"), settings.site.printer or t("app.none"))
        site.add_row(t("settings.buildings"), listed(settings.buildings))
        self.query_one("#settings-site", Static).update(site)
        self.query_one("#settings-calendar", Static).update(self._calendar(now))
        self.query_one("#settings-shifts", Static).update(self._shifts(now))
        self.query_one("#settings-deadlines", Static).update(self._deadlines())
        self.query_one("#settings-complaints", Static).update(self._complaints())

    def action_edit_calendar(self) -> None:
        if self.refused(roles.CALENDAR_EDIT.require):
            return

        def done(message: str | None) -> None:
            if message is not None:
                self.notify(message)
                now = self.desk.now()
                self.query_one("#settings-calendar", Static).update(self._calendar(now))

        self.app.push_screen(CalendarDayDialog(), callback=done)

    def _calendar(self, now: datetime) -> Table:
        table = Table(title=t("settings.calendar"), title_justify="left", expand=False)
        table.add_column(t("settings.col_day"))
        table.add_column(t("settings.col_kind"))
        table.add_column(t("settings.col_note"))
        year = now.astimezone(self.desk.settings.tz).year
        for each in calendar.calendar_years(year):
            if calendar.is_estimated(each):
                table.add_row(
                    str(each), Text(t("calendar.estimated", year=each), style=WARNING_BOLD), ""
                )
            else:
                table.add_row(str(each), t("calendar.official", year=each), "")
        if (last := calendar.estimated_after(year)) is not None:
            later = Text(t("calendar.estimated_later", year=last), style=WARNING_BOLD)
            table.add_row(f"{last + 1}-", later, "")
        with self.desk.database.reading() as session:
            days = calendar.site_days(session, since=now.astimezone(self.desk.settings.tz).date())
        for row in days:
            table.add_row(row.day.isoformat(), t(f"calendar.kind.{row.kind}"), plain(row.note))
        return table

    def _shifts(self, now: datetime) -> Table:
        settings = self.desk.settings
        table = Table(title=t("settings.shifts"), title_justify="left")
        for key in ("name", "start", "end"):
            table.add_column(t(f"settings.col_{key}"))
        today = now.astimezone(settings.tz).date()
        for shift in settings.shifts:
            start, end = shifts.bounds(settings, shift, today)
            table.add_row(
                shift.label(self.desk.lang), start.strftime("%H:%M"), end.strftime("%H:%M")
            )
        return table

    def _deadlines(self) -> Table:
        settings = self.desk.settings
        table = Table(title=t("settings.deadlines"), title_justify="left")
        table.add_column(t("settings.col_name"))
        table.add_column(t("settings.col_rule"))
        table.add_row(t("settings.dispatch_within"), in_words(settings.repair.dispatch_within))
        for category in settings.repair_categories:
            after = t("settings.after_leak_test") if category.callback_from == "leak_test" else ""
            table.add_row(
                t("settings.callback_of", category=category.label(self.desk.lang)),
                f"{in_words(category.callback)} {after}".strip(),
            )
        table.add_row(t("settings.arrival_grace"), in_words(settings.repair.arrival_grace))
        for category in settings.repair_categories:
            table.add_row(
                t("settings.on_site_of", category=category.label(self.desk.lang)),
                in_words(category.on_site_within),
            )
        table.add_row(t("settings.max_reply"), in_words(settings.reception.max_reply))
        table.add_row(t("settings.complaint_callback"), in_words(settings.complaints.callback))
        return table

    def _complaints(self) -> Table:
        settings = self.desk.settings
        chosen = label_or(
            f"deadline_table.{settings.complaints.deadline_table}",
            settings.complaints.deadline_table,
        )
        rules = settings.complaints
        minimum = t(
            "settings.same_day_minimum",
            minimum=in_words(rules.same_day_minimum),
            opens=rules.office_opens.strftime("%H:%M"),
            closes=rules.office_closes.strftime("%H:%M"),
        )
        table = Table(
            title=t("settings.complaint_table", table=chosen),
            title_justify="left",
            caption=minimum,
            caption_justify="left",
        )
        for key in ("severity", "escalate", "reply", "resolve", "resolve_max"):
            table.add_column(t(f"settings.col_{key}"))
        for severity in ("major", "important", "minor"):
            rule = settings.complaint_rule(severity)
            role = settings.escalation_role(rule.escalate_to) if rule.escalate_to else None
            whom = role.label(self.desk.lang) if role else rule.escalate_to
            escalate = f"{in_words(rule.escalate)} → {whom}" if rule.escalate else "-"
            table.add_row(
                t(f"settings.severity_{severity}"),
                escalate,
                in_words(rule.reply) if rule.reply else "-",
                in_words(rule.resolve),
                in_words(rule.resolve_max) if rule.resolve_max else "-",
            )
        return table
