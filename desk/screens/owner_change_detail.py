"""One owner record change: who asked and how they were identified, each field from → to, what a
sale leaves to settle, its history, and its steps (apply, turn down, withdraw)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog, FormDialog, banner_form
from desk.forms.fields import DeskForm, TextField
from desk.i18n import listed, t
from desk.models import AuditEvent, OwnerChange
from desk.screens.history import HistoryTable
from desk.screens.owner_change_cells import state_cell
from desk.screens.plain import field_grid, plain
from desk.services import audit, owner_changes
from desk.services.errors import DeskError
from desk.services.owner_changes import SettleLine
from desk.services.residents import mask_phone
from desk.widgets.base import DeskFooter, RecordScreen


class ReasonDialog(FormDialog[OwnerChange | None]):
    """Turn a declaration down (a reason, required) or withdraw it (a reason, if any)."""

    def __init__(self, found: OwnerChange, step: str) -> None:
        super().__init__()
        assert found.id is not None
        self.found, self.step, self.change_id = found, step, found.id

    def heading(self) -> str:
        return t(f"owner_change_ui.dialog.{self.step}", number=self.found.number)

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=OwnerChange))

    def submit(self, form: DeskForm) -> OwnerChange | DeskError:
        reason = form.read()["reason"]
        step = owner_changes.reject if self.step == "reject" else owner_changes.withdraw
        return self.attempt(lambda ctx: step(ctx, self.change_id, reason))


class OwnerChangeDetailScreen(RecordScreen):
    """Read-only view of a declaration; each step its own key, offered as the service says."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("owner_change_detail")
    DEFAULT_CSS = """
    OwnerChangeDetailScreen #oc-title { padding: 0 1; height: 1; text-style: bold; }
    OwnerChangeDetailScreen #oc-body { height: 1fr; padding: 0 1; }
    OwnerChangeDetailScreen #oc-fields, OwnerChangeDetailScreen #oc-changes { height: auto; }
    OwnerChangeDetailScreen #oc-settle { height: auto; }
    OwnerChangeDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    OwnerChangeDetailScreen #oc-history { height: auto; max-height: 100%; }
    """

    def __init__(self, change_id: int) -> None:
        super().__init__()
        self.change_id = change_id
        self.found: OwnerChange | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="oc-title")
        with VerticalScroll(id="oc-body"):
            yield Static(id="oc-fields")
            yield Static(t("owner_change_ui.changes_title"), classes="section")
            yield Static(id="oc-changes")
            yield Static(t("owner_change_ui.settle_title"), classes="section", id="oc-settle-title")
            yield Static(id="oc-settle")
            yield Static(t("owner_change_ui.history"), classes="section")
            yield HistoryTable(action_labels="owner_change_ui.action", id="oc-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            found = owner_changes.get(ctx, self.change_id)
            people = {found.operator_id, found.applied_by, found.closed_by}
            events, names = audit.named_history(
                ctx, owner_changes.REGISTER, self.change_id, *people
            )
            sale = found.change == "sale"
            settle = owner_changes.to_settle(ctx, found.room) if sale else []
            others = owner_changes.others_on_record(ctx, found.unit_id) if sale else []
        self.found = found
        title = Text(t("owner_change_ui.detail_title", number=found.number) + "  ")
        title.append(state_cell(found))
        self.query_one("#oc-title", Static).update(plain(title))
        self.query_one("#oc-fields", Static).update(self.fields_table(found, names))
        self.query_one("#oc-changes", Static).update(self.changes_table(found))
        self.query_one("#oc-settle-title").display = sale
        self.query_one("#oc-settle", Static).display = sale
        if sale:
            self.query_one("#oc-settle", Static).update(self.settle_text(settle, others))
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(self, found: OwnerChange, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        identity = f"{t(f'identity_check.{found.channel}')}  "
        identity += f"{t(f'owner_id_kind.{found.id_kind}')} ****{found.id_last4}"
        if found.id_number_checked:
            identity += f"  ({t('owner_change_ui.label_checked')})"
        if found.channel == "phone":
            signed = t("owner_change_ui.not_signed_by_phone")
        else:
            signed = f"{t('app.yes') if found.signed else t('app.no')}  {show(found.signed_at)}"
        rows: list[tuple[str, str | Text]] = [
            (t("fields.number"), found.number),
            (t("fields.room"), found.room),
            (t("owner_change_ui.label_change"), t(f"owner_change_kind.{found.change}")),
            (t("owner_change_ui.label_asked_by"), found.asked_by),
            (t("owner_change_ui.label_identity"), identity),
            (t("owner_change_ui.label_signed"), signed),
            (t("owner_change_ui.label_evidence"), found.evidence),
            (t("owner_change_ui.label_old_owners"), found.old_owners),
            (t("owner_change_ui.label_note"), found.note),
            (
                t("owner_change_ui.label_declared"),
                f"{names.get(found.operator_id, '')}  {show(found.created_at)}",
            ),
        ]
        if found.state == "declared":
            rows.append((t("owner_change_ui.label_due"), show(found.apply_due_at)))
        if found.applied_at:
            applier = names.get(found.applied_by or 0, "")
            rows.append(
                (t("owner_change_ui.label_applied"), f"{applier}  {show(found.applied_at)}")
            )
        if found.closed_at:
            closer = names.get(found.closed_by or 0, "")
            line = f"{t(f'owner_change_state.{found.state}')}  {closer}  {show(found.closed_at)}"
            rows.append((t("owner_change_ui.label_closed"), f"{line}  {found.reason}".strip()))
        if found.refusal:
            rows.append(
                (t("owner_change_ui.label_refusal"), t(f"owner_change_refusal.{found.refusal}"))
            )
        return field_grid((label, value) for label, value in rows if value)

    def changes_table(self, found: OwnerChange) -> Table:
        """Each field of the change, from → to (phones masked: the directory shows them whole)."""
        table = Table(box=None, padding=(0, 1), show_edge=False)
        for key in ("field", "from", "to"):
            table.add_column(t(f"owner_change_ui.col_{key}"))

        def kind(value: str | None) -> str:
            return t(f"resident_kind.{value}") if value else ""

        phone_to = mask_phone(found.phone_to) if found.phone_to is not None else None
        kind_to = kind(found.kind_to) if found.kind_to is not None else None
        rows = [
            ("field_name", found.name_from, found.name_to),
            ("field_phone", mask_phone(found.phone_from), phone_to),
            ("field_kind", kind(found.kind_from), kind_to),
        ]
        for label, before, after in rows:
            if after is None and found.change != "remove":
                continue
            if found.change == "remove":
                after = t("owner_change_ui.removed") if label == "field_name" else ""
            table.add_row(t(f"owner_change_ui.{label}"), plain(before or ""), plain(after or ""))
        return table

    def settle_text(self, settle: list[SettleLine], others: list[Any]) -> Text:
        lines = [
            t(
                "owner_change_ui.settle_line",
                register=t(f"registers.{line.register}"),
                count=line.count,
                numbers=" ".join(line.numbers),
            )
            for line in settle
        ]
        if others:
            lines.append(t("owner_change_ui.others_line", names=listed(p.name for p in others)))
        return plain("\n".join(lines) or t("owner_change_ui.settle_none"))

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        if event.action == "refused":
            return t(f"owner_change_refusal.{data.get('refusal', '')}")
        if event.action == "declared":
            return "; ".join(
                f"{name}: {values[0]} → {values[1]}"
                for name, values in data.get("fields", {}).items()
                if isinstance(values, list) and len(values) == 2
            )
        return event.reason

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The declaration's steps (one key each) as its service offers them now."""
        if action not in owner_changes.LIFECYCLE.steps:
            return True
        if self.found is None:
            return False
        with self.reading() as ctx:
            return action in owner_changes.allowed_actions(ctx, self.found)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def _done(self, saved: OwnerChange | None) -> None:
        self.refresh_detail()
        if saved is not None:
            state = t(f"owner_change_state.{saved.state}")
            self.notify(t("owner_change_ui.done", number=saved.number, state=state))

    def _may(self, step: str) -> bool:
        who = owner_changes.LIFECYCLE.who(step)
        return self.found is not None and not (who and self.refused(who.require))

    def action_apply(self) -> None:
        if not self._may("apply"):
            return
        found = self.found
        assert found is not None
        key = "owner_change_ui.ask_sale" if found.change == "sale" else "owner_change_ui.ask_apply"
        question = t(key, number=found.number, room=found.room)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(lambda ctx: owner_changes.apply(ctx, self.change_id))
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error", timeout=10)
                self.refresh_detail()
                return
            self.notify(t("owner_change_ui.applied_done", number=outcome.number))
            self.refresh_detail()

        self.app.push_screen(ConfirmDialog(question), callback=answered)

    def action_reject(self) -> None:
        if self._may("reject") and self.found is not None:
            self.app.push_screen(ReasonDialog(self.found, "reject"), callback=self._done)

    def action_withdraw(self) -> None:
        if self._may("withdraw") and self.found is not None:
            self.app.push_screen(ReasonDialog(self.found, "withdraw"), callback=self._done)
