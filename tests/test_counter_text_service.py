"""Text at the counter: control characters refused at the form and at import, emoji kept whole,
rooms read one way everywhere (desk.safe_text, desk.services.residents)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from sqlmodel import func, select

from desk.i18n import set_language, t
from desk.models import AuditEvent, ReceptionEntry, RepairOrder
from desk.safe_text import printable, refused_character
from desk.services import (
    audit_verify,
    keys_import,
    lookup,
    reception,
    repair,
    residents_csv,
    reveal,
)
from desk.services.errors import DeskError, FieldErrors
from desk.services.reception import ReceptionCreate
from desk.services.repair import RepairCreate
from tests.conftest import Desk

# what a copy from a chat or a web page may carry: an override that shows "王明gpj.exe" as
# "王明exe.jpg", an isolate, a right-to-left mark, a line separator, an escape sequence
ATTACKS = (
    "王\u202e明",
    "王\u2066明\u2069",
    "王明\u200f",
    "王\u2028明",
    "王\x1b[2J明",
    "王\u200b明",  # a zero-width space: one name would be two
    "王明\ufeff",
)
# emoji with a skin tone, a family joined by ZWJ, a flag, a text symbol shown as emoji
EMOJI = ("张👍🏽", "李👨\u200d👩\u200d👧", "赵🇨🇳", "钱☺\ufe0f")


def _count(desk: Desk, model: type) -> int:
    with desk.read() as ctx:
        return ctx.session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_control_character_pasted_into_a_name_is_refused_not_stored(
    desk: Desk, lang: str
) -> None:
    set_language(lang)
    for name in ATTACKS:
        with pytest.raises(DeskError) as refused, desk.write() as ctx:
            repair.register(
                ctx, RepairCreate(room="3-1202", resident_name=name, description="漏水")
            )
        errors = refused.value.errors if isinstance(refused.value, FieldErrors) else [refused.value]
        [error] = [e for e in errors if e.field == "resident_name"]
        assert error.key == "field.control_chars"
        mark = refused_character(name)
        assert mark is not None and mark in error.message, error.message
        assert "\x1b" not in error.message and "\u202e" not in error.message
        with pytest.raises(DeskError), desk.write() as ctx:
            reception.log(ctx, ReceptionCreate(person=name, request="咨询"))
    assert _count(desk, RepairOrder) == 0 and _count(desk, ReceptionEntry) == 0
    # emoji sequences are text, not controls: stored whole, two cells each as rich counts them
    for name in EMOJI:
        assert refused_character(name) is None and printable(name) == name
        assert cell_len(name) == 4, name
        with desk.write() as ctx:
            repair.register(
                ctx, RepairCreate(room="3-1202", resident_name=name, description="漏水")
            )
    assert _count(desk, RepairOrder) == len(EMOJI)


def test_imports_refuse_a_control_character_on_its_line(desk: Desk) -> None:
    text = "building,room,name,kind\n3,1202,王\u202e明,owner\n3,1203,张👍🏽,owner\n"
    with desk.read() as ctx:
        result = residents_csv.check(ctx, text)
    assert [line.name for line in result.good] == ["张👍🏽"]
    [bad] = result.bad
    assert bad.line == 2 and "<U+202E>" in bad.reason and "\u202e" not in bad.reason
    cabinet = keys_import.check("tag,opens,note\nK-1,天台门,备用\u2066钥匙\u2069\nK-2,水泵房,\n")
    assert [line.tag for line in cabinet.good] == ["K-2"]
    assert [b.line for b in cabinet.bad] == [2] and "<U+2066>" in cabinet.bad[0].reason


def test_a_reveal_shows_one_record_in_full_and_is_audited(desk: Desk) -> None:
    with desk.write() as ctx:
        order = repair.register(
            ctx,
            RepairCreate(
                room="3-1202", resident_name="王小明", phone="13812345678", description="漏水"
            ),
        )
    assert order.id is not None
    with desk.read() as ctx:
        [hit] = lookup.search(ctx, "3-1202", registers=["repairs"]).groups[0].hits
    assert hit.person == "王**"  # the list stays masked
    with desk.write() as ctx:
        shown = reveal.reveal(ctx, repair.REGISTER, order.id)
    assert (shown.name, shown.phone) == ("王小明", "13812345678")
    # the attack: no one signed in, a register without people, a record that is not there
    anonymous = Desk(desk.db, None)
    for who, register, record_id in (
        (anonymous, repair.REGISTER, order.id),
        (desk, "keys", 1),
        (desk, repair.REGISTER, order.id + 99),
    ):
        with pytest.raises(DeskError), who.write() as ctx:
            reveal.reveal(ctx, register, record_id)
    with desk.read() as ctx:
        events = ctx.session.exec(
            select(AuditEvent).where(AuditEvent.action == reveal.ACTION)
        ).all()
        assert [(e.register_name, e.record_id, e.operator_id) for e in events] == [
            (repair.REGISTER, order.id, desk.operator.id if desk.operator else None)
        ]
        assert audit_verify.verify(ctx).ok  # a view changes no record: the chain still holds


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_history_names_a_reveal_and_the_room_upgrade_in_words(lang: str) -> None:
    """A record's history shows each event by its words (`<section>.action.<action>`): a
    reveal or the upgrade's room rewrite must not show up as a catalogue key."""
    set_language(lang)
    revealable = {"repair_ui", "complaint_ui", "reception_detail", "passes_ui", "nightlog_ui"}
    for section in {*revealable, "keys_ui"}:
        actions = ["room_written_one_way", *(["revealed"] if section in revealable else [])]
        for action in actions:
            key = f"{section}.action.{action}"
            assert t(key) != key, key
