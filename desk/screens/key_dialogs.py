"""Dialogs of the keys register: lend, take back, cabinet entry, deposit, take out, done, collect,
count. Each saves with ctrl+s in one transaction; a refusal stays in the form beside its field."""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import Checkbox, Static

from desk.forms.dialogs import FormDialog, banner_form
from desk.forms.fields import (
    CheckField,
    ChoiceField,
    DeskForm,
    NameField,
    OptionalChoiceField,
    TextField,
    WhenField,
)
from desk.forms.key_form import CountField, KeyTagField
from desk.forms.room_field import PersonField, RoomField
from desk.i18n import t
from desk.models import (
    AuditEvent,
    EntrustedKey,
    EntrustedKeyUse,
    EntrustedState,
    Key,
    KeyCount,
    KeyKind,
    KeyLoan,
    KeyReturn,
    RepairOrder,
)
from desk.services import keys, keys_entrusted
from desk.services.context import Ctx
from desk.services.errors import DeskError
from desk.services.keys import EntrustedCreate, KeyLoanCreate
from desk.services.keys_entrusted import CountLine, expected_counts


class LendDialog(FormDialog[KeyLoan | None]):
    """Keys out to a member of staff; the due time defaults from the site's rule."""

    def __init__(self, tag: str = "") -> None:
        super().__init__()
        self.tag = tag

    def heading(self) -> str:
        return t("keys_ui.dialog.lend")

    def build_form(self) -> DeskForm:
        with self.reading() as ctx:
            held = keys.holdings(ctx)
            hints = {
                key.tag: t(
                    "keys_ui.dialog.key_hint",
                    tag=key.tag,
                    opens=key.opens,
                    available=key.copies - sum(held.get(key.id or 0, (0, 0))),
                )
                for key in keys.cabinet(ctx)
            }
            self.default_due = keys.default_due(ctx, ctx.now)
        staff = [member.name for member in self.desk.settings.staff]
        lang = self.desk.lang
        departments = [(d.label(lang), d.key) for d in self.desk.settings.departments]
        return banner_form(
            KeyTagField("key_ref", hints),
            NameField("borrower", staff, of=KeyLoan),
            OptionalChoiceField(
                "department", departments, "", label=t("keys_ui.dialog.department")
            ),
            TextField("reason", of=KeyLoan),
            TextField("room", of=KeyLoan),
            CountField("key_count", empty=1, placeholder="1"),
            WhenField("key_due_at"),
        )

    def prepare(self) -> None:
        if self.tag:
            self.query_one("#field-key_ref", KeyTagField).set_value(self.tag)
        due = self.desk.show_time(self.default_due)
        self.query_one("#field-key_due_at", WhenField).set_note(
            t("keys_ui.dialog.due_hint", due=due)
        )

    def submit(self, form: DeskForm) -> KeyLoan | DeskError:
        values = form.read()
        data = KeyLoanCreate(
            key=values["key_ref"],
            borrower=values["borrower"],
            department=values["department"],
            reason=values["reason"],
            room=values["room"],
            count=values["key_count"],
            due_at=values["key_due_at"],
        )
        return self.attempt(lambda ctx: keys.lend(ctx, data))


class TakeBackDialog(FormDialog[KeyLoan | None]):
    """Keys handed back against the loan; what is lost is recorded against the borrower."""

    def __init__(self, loan: KeyLoan, tag: str) -> None:
        super().__init__()
        self.loan, self.tag = loan, tag
        assert loan.id is not None
        self.loan_id: int = loan.id

    def heading(self) -> str:
        out = keys.outstanding(self.loan)
        return t(
            "keys_ui.dialog.take_back",
            number=self.loan.number,
            tag=self.tag,
            borrower=self.loan.borrower,
            out=out,
        )

    def build_form(self) -> DeskForm:
        staff = [member.name for member in self.desk.settings.staff]
        return banner_form(
            CountField("key_count"),
            NameField("returned_by", staff, of=KeyReturn),
            CountField("lost_count"),
            TextField("note", of=KeyReturn),
        )

    def prepare(self) -> None:
        self.query_one("#field-key_count", CountField).set_value(str(keys.outstanding(self.loan)))
        self.query_one("#field-returned_by", TextField).set_value(self.loan.borrower)
        self.query_one("#field-lost_count", CountField).set_note(t("keys_ui.dialog.lost_hint"))

    def submit(self, form: DeskForm) -> KeyLoan | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: keys.take_back(
                ctx,
                self.loan_id,
                values["key_count"],
                values["returned_by"],
                lost=values["lost_count"],
                note=values["note"],
            )
        )


class KeyEntryDialog(FormDialog[Key | None]):
    """Add a key to the cabinet, or edit an entry."""

    def __init__(self, key: Key | None = None) -> None:
        super().__init__()
        self.key = key

    def heading(self) -> str:
        if self.key is None:
            return t("keys_ui.dialog.add_key")
        return t("keys_ui.dialog.edit_key", tag=self.key.tag)

    def build_form(self) -> DeskForm:
        kinds = [(t(f"key_kind.{kind.value}"), kind.value) for kind in KeyKind]
        initial = self.key.kind if self.key else KeyKind.facility
        return banner_form(
            TextField("tag", of=Key, placeholder="K-3-1202"),
            TextField("opens", of=Key),
            ChoiceField("kind", kinds, str(initial)),
            TextField("room", of=Key),
            CountField("copies", empty=1, placeholder="1"),
            TextField("hook", of=Key),
            TextField("note", of=Key),
        )

    def prepare(self) -> None:
        if self.key is None:
            return
        for name in ("tag", "opens", "room", "hook", "note"):
            self.query_one(f"#field-{name}", TextField).set_value(getattr(self.key, name))
        self.query_one("#field-copies", CountField).set_value(str(self.key.copies))

    def submit(self, form: DeskForm) -> Key | DeskError:
        values = form.read()
        fields: dict[str, Any] = {
            name: values[name] for name in ("tag", "opens", "kind", "room", "copies", "hook")
        }
        note = values["note"]
        if self.key is None:
            return self.attempt(lambda ctx: keys.add_key(ctx, note=note, **fields))
        key_id = self.key.id or 0
        return self.attempt(lambda ctx: keys.update_key(ctx, key_id, note=note, **fields))


class RetireKeyDialog(FormDialog[Key | None]):
    """A supervisor takes an entry out of the cabinet, saying why (kept in its history)."""

    def __init__(self, key: Key) -> None:
        super().__init__()
        self.key = key

    def heading(self) -> str:
        return t("keys_ui.dialog.retire_key", tag=self.key.tag, opens=self.key.opens)

    def build_form(self) -> DeskForm:
        return banner_form(TextField("reason", of=AuditEvent))

    def submit(self, form: DeskForm) -> Key | DeskError:
        reason = form.read()["reason"]
        key_id = self.key.id or 0
        return self.attempt(lambda ctx: keys.retire_key(ctx, key_id, reason))


class DepositDialog(FormDialog[EntrustedKey | None]):
    """An owner's key left for rectification work; the room fills in the owner on file."""

    def heading(self) -> str:
        return t("keys_ui.dialog.deposit")

    def build_form(self) -> DeskForm:
        return banner_form(
            RoomField("room"),
            PersonField("key_owner", of=EntrustedKey, column="owner_name"),
            TextField("phone", of=EntrustedKey),
            TextField("description", of=EntrustedKey, label=t("keys_ui.dialog.key_description")),
            CountField("key_count", empty=1, placeholder="1"),
            TextField("reason", of=EntrustedKey),
            TextField("hook", of=EntrustedKey),
            TextField("repair_number", of=RepairOrder, column="number", placeholder="WX-"),
        )

    def prepare(self) -> None:
        self.query_one("#field-repair_number", TextField).set_note(t("keys_ui.dialog.repair_hint"))

    def on_room_field_resolved(self, event: RoomField.Resolved) -> None:
        owner = self.query_one("#field-key_owner", PersonField)
        owner.offer(event.match, self.query_one("#field-phone", TextField))

    def submit(self, form: DeskForm) -> EntrustedKey | DeskError:
        values = form.read()
        data = EntrustedCreate(
            owner_name=values["key_owner"],
            room=values["room"],
            phone=values["phone"],
            description=values["description"],
            count=values["key_count"],
            reason=values["reason"],
            hook=values["hook"],
            repair_order_number=values["repair_number"],
        )
        return self.attempt(lambda ctx: keys.deposit(ctx, data))


class EntrustedDialog(FormDialog[EntrustedKey | None]):
    """A step on one entrusted key; returns the saved record."""

    def __init__(self, entrusted: EntrustedKey) -> None:
        super().__init__()
        self.entrusted = entrusted
        assert entrusted.id is not None
        self.entrusted_id: int = entrusted.id

    def after(self, ctx: Ctx) -> EntrustedKey:
        return keys_entrusted.get(ctx, self.entrusted_id)


class TakeOutDialog(EntrustedDialog):
    def heading(self) -> str:
        e = self.entrusted
        return t("keys_ui.dialog.take_out", number=e.number, room=e.room)

    def build_form(self) -> DeskForm:
        staff = [member.name for member in self.desk.settings.staff]
        return banner_form(
            NameField("taken_by", staff, of=EntrustedKeyUse),
            TextField("purpose", of=EntrustedKeyUse),
        )

    def submit(self, form: DeskForm) -> EntrustedKey | DeskError:
        values = form.read()

        def run(ctx: Ctx) -> EntrustedKey:
            keys.take_out(ctx, self.entrusted_id, values["taken_by"], values["purpose"])
            return self.after(ctx)

        return self.attempt(run)


class WorkDoneDialog(EntrustedDialog):
    """Work done and the owner told to inspect, in one step (or the owner told again)."""

    @property
    def again(self) -> bool:
        return self.entrusted.state == EntrustedState.work_done

    def heading(self) -> str:
        key = "keys_ui.dialog.notify_again" if self.again else "keys_ui.dialog.work_done"
        return t(key, number=self.entrusted.number)

    def build_form(self) -> DeskForm:
        fields: list[Widget] = []
        if not self.again:
            fields.append(TextField("note", of=AuditEvent, column="reason"))
        fields += [
            CheckField("notified", True, label=t("keys_ui.dialog.notified")),
            TextField("notify_note", of=EntrustedKey, label=t("keys_ui.dialog.notify_note")),
        ]
        return banner_form(*fields)

    def first_focus(self) -> Widget | None:
        return super().first_focus() if not self.again else self.query_one("#notified", Checkbox)

    def submit(self, form: DeskForm) -> EntrustedKey | DeskError:
        values = form.read()

        def run(ctx: Ctx) -> EntrustedKey:
            if not self.again:
                keys.work_done(ctx, self.entrusted_id, values["note"])
            if values["notified"]:
                keys.notify_owner(ctx, self.entrusted_id, values["notify_note"])
            return self.after(ctx)

        return self.attempt(run)


class CollectDialog(EntrustedDialog):
    """The owner hands back the owner copy (its number is typed) and takes the key."""

    def heading(self) -> str:
        e = self.entrusted
        return t("keys_ui.dialog.collect", number=e.number, room=e.room, owner=e.owner_name)

    def build_form(self) -> DeskForm:
        return banner_form(
            TextField("slip_number", of=EntrustedKey, column="number", placeholder="WT-"),
            TextField("collected_by", of=EntrustedKey),
        )

    def prepare(self) -> None:
        self.query_one("#field-slip_number", TextField).set_note(t("keys_ui.dialog.slip_hint"))
        self.query_one("#field-collected_by", TextField).set_value(self.entrusted.owner_name)

    def submit(self, form: DeskForm) -> EntrustedKey | DeskError:
        values = form.read()
        return self.attempt(
            lambda ctx: keys.collect(
                ctx, self.entrusted_id, values["slip_number"], values["collected_by"]
            )
        )


class CountDialog(FormDialog[KeyCount | None]):
    """The periodic count: one line per key held, expected counts filled in."""

    DEFAULT_CSS = """
    CountDialog FormField .field-label { width: 48; }
    CountDialog FormField .field-note, CountDialog FormField .field-error { padding: 0 0 0 48; }
    CountDialog FormField .field-note.-empty { display: none; }
    """

    def heading(self) -> str:
        return t("keys_ui.dialog.count")

    def build_form(self) -> DeskForm:
        with self.reading() as ctx:
            # keys all out on loan are not on their hooks: nothing to count there
            self.lines: list[CountLine] = [c for c in expected_counts(ctx) if c.expected]
        fields: list[Widget] = [
            CountField(
                f"found_{index}",
                empty=None,  # a line left empty was not counted: not "none found"
                label=t(
                    "keys_ui.dialog.count_line",
                    ref=line.ref,
                    label=line.label,
                    expected=line.expected,
                ),
            )
            for index, line in enumerate(self.lines)
        ]
        if not self.lines:
            fields.append(Static(t("keys_ui.dialog.nothing_to_count"), classes="form-note"))
        return banner_form(*fields, TextField("note", of=KeyCount))

    def prepare(self) -> None:
        for index, line in enumerate(self.lines):
            self.query_one(f"#field-found_{index}", CountField).set_value(str(line.expected))

    def submit(self, form: DeskForm) -> KeyCount | DeskError:
        values = form.read()
        found = {line.ref: values[f"found_{i}"] for i, line in enumerate(self.lines)}
        return self.attempt(lambda ctx: keys.count(ctx, found, values["note"]))
