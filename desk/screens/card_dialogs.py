"""Dialogs on one resident card: made ready, issued, reported lost, replaced, handed back,
cancelled. Each returns the card it saved (for a replacement: the new card)."""

from __future__ import annotations

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import CheckField, ChoiceField, DeskForm, TextField, WhenField
from desk.i18n import t
from desk.models import LostVia, ResidentCard
from desk.services import cards
from desk.services.errors import DeskError


class CardDialog(FormDialog[ResidentCard | None]):
    """A step on one card; returns the saved card."""

    title_key = ""

    def __init__(self, card: ResidentCard) -> None:
        super().__init__()
        self.card = card
        assert card.id is not None
        self.card_id: int = card.id

    def heading(self) -> str:
        return t(self.title_key, number=self.card.number)


class ReadyDialog(CardDialog):
    """The card is made: the holder's photos, when not given with the application, now."""

    title_key = "cards_ui.dialog.ready"

    def build_form(self) -> DeskForm:
        photos = CheckField("photos_given", self.card.photos_given)
        return banner_form(photos)

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        given = bool(form.read()["photos_given"])
        return self.attempt(lambda ctx: cards.make_ready(ctx, self.card_id, photos_given=given))


class IssueDialog(CardDialog):
    """Who took the card (the owner, or the holder)."""

    title_key = "cards_ui.dialog.issue"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("collected_by", of=ResidentCard))

    def prepare(self) -> None:
        field = self.query_one("#field-collected_by", TextField)
        field.set_value(self.card.holder)

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        who = form.read()["collected_by"]
        return self.attempt(lambda ctx: cards.issue(ctx, self.card_id, who))


class LostDialog(CardDialog):
    """Who reported the loss, how (phone, in person) and when (now unless typed)."""

    title_key = "cards_ui.dialog.lost"

    def build_form(self) -> DeskForm:
        via = [(t(f"lost_via.{v.value}"), v.value) for v in LostVia]
        return banner_form(
            TextField("lost_reported_by", of=ResidentCard),
            ChoiceField("lost_via", via, LostVia.phone.value),
            WhenField("lost_reported_at"),
            TextField("lost_note", of=ResidentCard),
        )

    def prepare(self) -> None:
        self.query_one("#field-lost_reported_at", WhenField).set_note(
            t("repair_ui.dialog.now_hint")
        )

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: cards.report_lost(
                ctx,
                self.card_id,
                values["lost_reported_by"],
                values["lost_via"],
                values["lost_note"],
                values["lost_reported_at"],
            )
        )


class ReplaceDialog(CardDialog):
    """The fee's receipt and who took the new card; the fee is the site's."""

    title_key = "cards_ui.dialog.replace"

    def heading(self) -> str:
        fee = self.desk.settings.cards.replacement_fee
        return t(self.title_key, number=self.card.number, fee=f"{fee:.2f}")

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("replacement_receipt", of=ResidentCard),
            TextField("collected_by", of=ResidentCard),
        )

    def prepare(self) -> None:
        self.query_one("#field-collected_by", TextField).set_value(self.card.holder)

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: cards.replace(
                ctx, self.card_id, values["replacement_receipt"], values["collected_by"]
            )
        )


class TakeBackDialog(CardDialog):
    title_key = "cards_ui.dialog.take_back"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("returned_by", of=ResidentCard))

    def prepare(self) -> None:
        self.query_one("#field-returned_by", TextField).set_value(self.card.holder)

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        who = form.read()["returned_by"]
        return self.attempt(lambda ctx: cards.take_back(ctx, self.card_id, who))


class CancelDialog(CardDialog):
    title_key = "cards_ui.dialog.cancel"

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=ResidentCard, column="cancel_reason"))

    def submit(self, form: DeskForm) -> ResidentCard | DeskError:
        reason = form.read()["reason"]
        return self.attempt(lambda ctx: cards.cancel(ctx, self.card_id, reason))
