"""One resident card: every field, its history, and a key per step the card can take now."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from desk import commands
from desk.forms.dialogs import ConfirmDialog
from desk.i18n import t
from desk.models import AuditEvent, ResidentCard
from desk.screens.card_cells import status_cell, valid_cell
from desk.screens.card_dialogs import (
    CancelDialog,
    CardDialog,
    IssueDialog,
    LostDialog,
    ReadyDialog,
    ReplaceDialog,
    TakeBackDialog,
)
from desk.screens.history import HistoryTable
from desk.screens.new_here import NewRepairHere
from desk.screens.plain import field_grid, plain
from desk.services import audit, cards
from desk.services.card_queries import months_after
from desk.services.errors import DeskError
from desk.widgets.base import DeskFooter, RecordScreen


class CardDetailScreen(NewRepairHere, RecordScreen):
    """Read-only view of a card; each step opens its own dialog or asks yes or no."""

    BINDINGS: ClassVar[list[BindingType]] = commands.bindings("card_detail")
    DEFAULT_CSS = """
    CardDetailScreen #card-title { padding: 0 1; height: 1; text-style: bold; }
    CardDetailScreen #card-body { height: 1fr; padding: 0 1; }
    CardDetailScreen #card-fields { height: auto; }
    CardDetailScreen .section { height: 1; margin: 1 0 0 0; text-style: bold; }
    CardDetailScreen #card-history { height: auto; max-height: 100%; }
    """

    def __init__(self, card_id: int) -> None:
        super().__init__()
        self.card_id = card_id
        # `found`: the record F3 starts a new repair from (desk.screens.new_here)
        self.found: ResidentCard | None = None
        self.today = date.min
        self.linked: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="card-title")
        with VerticalScroll(id="card-body"):
            yield Static(id="card-fields")
            yield Static(t("cards_ui.history"), classes="section")
            yield HistoryTable(action_labels="cards_ui.action", id="card-history")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.refresh_detail()

    def reread(self) -> None:
        self.refresh_detail()

    def refresh_detail(self) -> None:
        with self.reading() as ctx:
            card = cards.get(ctx, self.card_id)
            today = cards.today(ctx)
            events, names = audit.named_history(ctx, cards.REGISTER, self.card_id, card.operator_id)
            linked: dict[int, str] = {}
            for other_id in (card.replaces_id, card.replaced_by_id):
                other = ctx.session.get(ResidentCard, other_id) if other_id else None
                if other is not None and other.id is not None:
                    linked[other.id] = other.number
        self.found, self.today, self.linked = card, today, linked
        title = Text(t("cards_ui.detail_title", number=card.number) + "  ")
        title.append(status_cell(card, today))
        self.query_one("#card-title", Static).update(plain(title))
        self.query_one("#card-fields", Static).update(self.fields_table(card, names))
        self.query_one(HistoryTable).show(events, names, self.event_detail)
        self.refresh_bindings()

    def fields_table(self, card: ResidentCard, names: dict[int, str]) -> Table:
        show = self.desk.show_time
        yes, no = t("app.yes"), t("app.no")
        rows: list[tuple[str, str | Text]] = [
            (t("fields.number"), card.number),
            (t("cards_ui.col_kind"), t(f"card_kind.{card.kind}")),
            (t("fields.room"), card.room),
            (
                t("fields.card_holder"),
                f"{card.holder}（{t(f'holder_relation.{card.holder_relation}')}）",
            ),
            (t("cards_ui.label_applicant"), card.applicant),
            (t("cards_ui.label_id"), f"{t(f'id_type.{card.id_type}')} ****{card.id_last4}"),
            (
                t("cards_ui.label_checks"),
                t(
                    "cards_ui.checks_line",
                    photos=yes if card.photos_given else no,
                    explained=yes if card.terms_explained else no,
                    signed=yes if card.owner_signed else no,
                ),
            ),
            (t("cards_ui.label_pickup"), card.pickup_on.isoformat()),
            (t("cards_ui.col_status"), status_cell(card, self.today)),
            (t("cards_ui.label_valid"), valid_cell(card, self.today)),
            (t("fields.operator"), f"{names.get(card.operator_id, '')}  {show(card.created_at)}"),
        ]
        if card.issued_at:
            rows.append((t("fields.collected_by"), f"{card.collected_by}  {show(card.issued_at)}"))
        if card.renewals:
            rows.append((t("cards_ui.label_renewals"), f"{card.renewals}  {show(card.renewed_at)}"))
        if card.lost_reported_at:
            line = t(
                "cards_ui.lost_line",
                at=show(card.lost_reported_at),
                via=t(f"lost_via.{card.lost_via}") if card.lost_via else "",
                who=card.lost_reported_by,
                note=card.lost_note,
            )
            rows.append((t("cards_ui.label_lost"), line.strip()))
        if card.replaces_id:
            rows.append((t("cards_ui.label_replaces"), self.linked.get(card.replaces_id, "")))
            fee = f"¥{card.replacement_fee_fen / 100:.2f}  {card.replacement_receipt}"
            rows.append((t("cards_ui.label_fee"), fee))
        if card.replaced_by_id:
            rows.append((t("cards_ui.label_replaced_by"), self.linked.get(card.replaced_by_id, "")))
        if card.returned_at:
            rows.append(
                (t("cards_ui.label_returned"), f"{card.returned_by}  {show(card.returned_at)}")
            )
        if card.cancelled_at:
            rows.append(
                (t("cards_ui.label_cancelled"), f"{show(card.cancelled_at)}  {card.cancel_reason}")
            )
        if card.gate_checks:
            line = t("cards_ui.gate_line", count=card.gate_checks, at=show(card.last_gate_check_at))
            rows.append((t("cards_ui.label_gate"), line))
        return field_grid((label, value) for label, value in rows if value)

    def event_detail(self, event: AuditEvent) -> str:
        data: dict[str, Any] = audit.event_data(event)
        parts: list[str] = []
        if event.action in ("issued", "replacement_issued"):
            parts.append(str(data.get("collected_by", "")))
        if event.action == "renewed":
            parts.append(f"{data.get('from', '')} -> {data.get('to', '')}")
        if event.action == "lost":
            parts += [t(f"lost_via.{data.get('via', 'phone')}"), str(data.get("reported_by", ""))]
        if event.action in ("replaced", "replacement_issued"):
            parts.append(str(data.get("by", data.get("replaces", ""))))
            parts.append(str(data.get("receipt", "")))
        if event.action == "gate_checked":
            guard = str(data.get("guard", ""))
            if data.get("valid"):
                parts.append(t("cards_ui.gate.valid_event"))
            else:
                why = t(f"cards_ui.refused.{data.get('refused', 'gate_unknown')}")
                parts.append(t("cards_ui.gate.refused_event", why=why))
            parts.append(guard)
        parts.append(event.reason)
        return "; ".join(part for part in parts if part)

    # --- keys -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The card's steps (one key each) as its service offers them now (footer follows)."""
        if action not in cards.LIFECYCLE.steps:
            return True
        if self.found is None:
            return False
        with self.reading() as ctx:
            return action in cards.allowed_actions(ctx, self.found)

    def action_refresh(self) -> None:
        self.refresh_detail()

    def action_back(self) -> None:
        self.dismiss()

    def done(self, saved: ResidentCard | None) -> None:
        self.refresh_detail()
        if saved is None:
            return
        if self.found is not None and saved.id != self.found.id:  # a replacement: the new card
            fee = f"{saved.replacement_fee_fen / 100:.2f}"
            self.notify(t("cards_ui.replaced", old=self.found.number, new=saved.number, fee=fee))
            return
        status = cards.status_of(saved, self.today)
        self.notify(t("cards_ui.done", number=saved.number, state=t(f"card_status.{status}")))

    def _open(self, dialog: CardDialog) -> None:
        self.app.push_screen(dialog, callback=self.done)

    def action_ready(self) -> None:
        if self.found is not None:
            self._open(ReadyDialog(self.found))

    def action_issue(self) -> None:
        if self.found is not None:
            self._open(IssueDialog(self.found))

    def action_lost(self) -> None:
        if self.found is not None:
            self._open(LostDialog(self.found))

    def action_replace(self) -> None:
        if self.found is not None:
            self._open(ReplaceDialog(self.found))

    def action_take_back(self) -> None:
        if self.found is not None:
            self._open(TakeBackDialog(self.found))

    def action_cancel(self) -> None:
        if self.found is not None:
            self._open(CancelDialog(self.found))

    def action_renew(self) -> None:
        card = self.found
        if card is None or card.valid_until is None:
            return
        months = self.desk.settings.cards.resident_months
        until = months_after(max(self.today, card.valid_until), months)
        question = t("cards_ui.confirm_renew", number=card.number, months=months, until=until)
        self._confirm(question, lambda ctx: cards.renew(ctx, self.card_id))

    def action_expire(self) -> None:
        if self.found is not None:
            question = t("cards_ui.confirm_expire", number=self.found.number)
            self._confirm(question, lambda ctx: cards.mark_expired(ctx, self.card_id))

    def _confirm(self, question: str, step: Any) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            outcome = self.attempt(step)
            if isinstance(outcome, DeskError):
                self.notify(outcome.message, severity="error")
                self.refresh_detail()
                return
            self.done(outcome)

        self.app.push_screen(ConfirmDialog(question), callback=answered)
