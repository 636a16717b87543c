"""A form's refusals: every field is read and every refusal shown at once, each beside its field,
with what was typed kept; a text field's length is its model's, the same the service holds to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widget import Widget
from textual.widgets import Input

from desk.app import make_app
from desk.forms.fields import TextField
from desk.i18n import t
from desk.models import Operator, RepairOrder
from desk.screens.handover_dialogs import IncomingDialog
from desk.screens.repair_dialogs import CompleteDialog
from desk.screens.repair_entry import RepairFormScreen
from desk.services import repair
from desk.services.errors import DeskError, FieldErrors
from desk.services.limits import max_length
from desk.services.repair import RepairCreate
from desk.services.submission import gather
from tests.conftest import NOW, Desk
from tests.pilot_support import field_error, settle, until, until_screen

SIZE = (120, 40)


def _refuse(key: str) -> DeskError:
    raise DeskError(key)


def test_gather_reads_every_field_and_raises_every_refusal() -> None:
    with pytest.raises(FieldErrors) as caught:
        gather(
            {
                "room": lambda: "3-1202",
                "phone": lambda: _refuse("field.bad_phone"),
                "description": lambda: _refuse("field.required"),
            }
        )
    errors = caught.value.errors
    assert [(e.field, e.key) for e in errors] == [
        ("phone", "field.bad_phone"),
        ("description", "field.required"),
    ]
    # read as one error it is the first: whoever shows one message shows the first
    assert (caught.value.field, caught.value.key) == ("phone", "field.bad_phone")


def test_gather_raises_a_single_refusal_as_itself_and_returns_the_values() -> None:
    with pytest.raises(DeskError) as caught:
        gather({"room": lambda: "1", "phone": lambda: _refuse("field.bad_phone")})
    assert not isinstance(caught.value, FieldErrors)
    assert caught.value.field == "phone"
    assert gather({"room": lambda: "1", "paid": lambda: True}) == {"room": "1", "paid": True}


@pytest.mark.parametrize("name", ["resident_name", "phone", "description"])
def test_a_text_field_takes_its_length_from_the_model(name: str) -> None:
    field = TextField(name, of=RepairOrder)
    assert field.max_length == max_length(RepairOrder, name) > 0
    (validator,) = field.validators()
    assert validator.validate("x" * field.max_length).is_valid
    assert not validator.validate("x" * (field.max_length + 1)).is_valid


@pytest.mark.parametrize("name", ["resident_name", "description"])
def test_the_service_holds_to_the_length_the_model_declares(desk: Desk, name: str) -> None:
    most = max_length(RepairOrder, name)
    data = RepairCreate(room="5-0301", description="漏水").model_copy(update={name: "字" * most})
    with desk.write() as ctx:
        repair.register(ctx, data)
    longer = data.model_copy(update={name: "字" * (most + 1)})
    with pytest.raises(DeskError) as caught, desk.write() as ctx:
        repair.register(ctx, longer)
    assert (caught.value.key, caught.value.field, caught.value.params) == (
        "field.too_long",
        name,
        {"max": most},
    )


def _error(screen: object, name: str) -> str:
    assert isinstance(screen, Widget)
    return field_error(screen, name).strip()


async def test_the_complete_dialog_shows_both_bad_amounts_at_once(
    db: object, clerk: Operator, desk: Desk
) -> None:
    with desk.write() as ctx:
        order = repair.register(
            ctx, RepairCreate(room="5-0301", description="门锁坏了", category="door", paid=True)
        )
        assert order.id is not None
        order = repair.dispatch(ctx, order.id, "王师傅")
    app = make_app(desk.db, lang="en", clock=lambda: NOW + timedelta(hours=1), operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CompleteDialog(order))
        await until_screen(pilot, CompleteDialog)
        screen = app.screen
        for name, typed in (("work_done", "换锁芯"), ("labour_fen", "abc"), ("material_fen", "x9")):
            screen.query_one(f"#{name}", Input).value = typed
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error(screen, "labour_fen"))
        assert app.screen is screen  # refused: the dialog stays
        assert _error(screen, "labour_fen") == t("field.bad_money", value="abc")
        assert _error(screen, "material_fen") == t("field.bad_money", value="x9")
        assert screen.query_one("#field-labour_fen").has_class("-invalid")
        assert screen.query_one("#field-material_fen").has_class("-invalid")
        assert not screen.query_one("#field-work_done").has_class("-invalid")
        # what was typed stays; the first refused field has the cursor
        assert [screen.query_one(f"#{n}", Input).value for n in ("labour_fen", "material_fen")] == [
            "abc",
            "x9",
        ]
        assert app.focused is screen.query_one("#labour_fen", Input)


async def test_the_new_repair_form_keeps_both_bad_times_said(
    db: object, clerk: Operator, desk: Desk
) -> None:
    app = make_app(desk.db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RepairFormScreen())
        await until_screen(pilot, RepairFormScreen)
        screen = app.screen
        for name, typed in (
            ("reported_at", "zz"),
            ("description", "漏水"),
            ("appointment_at", "qq"),
        ):
            screen.query_one(f"#{name}", Input).value = typed
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error(screen, "reported_at"))
        assert app.screen is screen
        assert _error(screen, "reported_at") == t("when.unreadable", value="zz")
        assert _error(screen, "appointment_at") == t("when.unreadable", value="qq")
        assert app.focused is screen.query_one("#reported_at", Input)


async def test_the_incoming_operator_is_told_every_missing_field_at_once(
    db: object, clerk: Operator, desk: Desk
) -> None:
    taken: list[tuple[str, str, str]] = []
    dialog = IncomingDialog(refusing=True, take=lambda *typed: taken.append(typed))
    app = make_app(desk.db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(dialog)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error(dialog, "pin"))
        assert app.screen is dialog
        for name in ("incoming", "pin", "refusal_reason"):
            assert _error(dialog, name) == t("field.required")
        assert taken == []
        dialog.query_one("#incoming", Input).value = "李四"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not dialog.query_one("#field-incoming").has_class("-invalid"))
        assert not dialog.query_one("#field-incoming").has_class("-invalid")
        assert _error(dialog, "pin") == t("field.required")
        assert app.focused is dialog.query_one("#pin", Input)


async def test_the_service_s_refusals_show_together_beside_their_fields(
    db: object, clerk: Operator, desk: Desk
) -> None:
    """A repair in a flat with no room and no description: the service refuses both at once,
    each beside its field, keeps what was typed, and saves nothing."""
    app = make_app(desk.db, lang="en", clock=lambda: NOW, operator=clerk)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(RepairFormScreen())
        await until_screen(pilot, RepairFormScreen)
        screen = app.screen
        screen.query_one("#phone", Input).value = "13812345678"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: _error(screen, "room"))
        assert app.screen is screen  # refused: the form stays, with what was typed
        for name in ("room", "description"):
            assert screen.query_one(f"#field-{name}").has_class("-invalid"), name
        assert not screen.query_one("#field-phone").has_class("-invalid")
        assert _error(screen, "room") == t("repair.room_required")
        assert screen.query_one("#phone", Input).value == "13812345678"
    with desk.read() as ctx:
        assert repair.open_orders(ctx) == []
