"""The states in the shift-change summary (text, HTML, PDF lines, the F7 preview): every one in
words, and in the words its register's own list uses — never a stored value such as
`partly_returned` or `work_done`."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import timedelta
from enum import StrEnum

import pytest

from desk.i18n import set_language, t
from desk.models import (
    CardState,
    ComplaintState,
    EntrustedState,
    LoanState,
    NightLogState,
    PassState,
    ReceptionState,
    ReleasePass,
    RepairState,
)
from desk.printing.summary_html import summary_html
from desk.printing.summary_text import STATE_MAX, summary_lines
from desk.printing.text import cell_len
from desk.services import handover, keys, passes, residents
from desk.services.pass_queries import status_of
from desk.services.summary import Item, Summary
from tests.conftest import NOW, TZ, Desk
from tests.seed import deposit_key, lend_key, owner_pass, stock_cabinet

LANGS = ("zh_CN", "en")
# register (the board's name), section of the summary, its states, the labels its list uses
REGISTERS: tuple[tuple[str, str, type[StrEnum], str], ...] = (
    ("repairs", "repairs", RepairState, "repair_state"),
    ("complaints", "complaints", ComplaintState, "complaint_state"),
    ("reception", "reception", ReceptionState, "reception_state"),
    ("key_loans", "keys", LoanState, "key_loan_state"),
    ("entrusted_keys", "entrusted", EntrustedState, "entrusted_state"),
    ("nightlog", "nightlog", NightLogState, "nightlog_state"),
    ("cards", "cards_waiting", CardState, "card_state"),
)
PASS_SECTIONS = ("passes", "pass_no_gate", "pass_stubs")
RAW = sorted(
    {str(state) for _, _, states, _ in REGISTERS for state in states}
    | {str(state) for state in PassState}
)


def _raw_words(text: str) -> set[str]:
    """Every stored state value that stands as a word of `text`."""
    return {raw for raw in RAW if re.search(rf"(?<![A-Za-z_]){raw}(?![A-Za-z_])", text)}


def _item(number: str, state: str, register: str, *, overdue: bool = False) -> Item:
    return Item(
        number=number,
        room="3-1202",
        what="厨房漏水",
        state=state,
        opened_at=NOW - timedelta(hours=5),
        due_at=NOW + (timedelta(hours=-1) if overdue else timedelta(hours=2)),
        overdue=overdue,
        register=register,
    )


def _expected(item: Item, section: str = "") -> str:
    """The label the register's own list shows: the passes list goes by the pass's status (a
    pass used without a gate check reads so, whatever its status)."""
    if section == "pass_no_gate":
        return t("passes_ui.without_gate_check")
    if item.register == "passes":
        found = ReleasePass(state=item.state, valid_until=item.due_at)
        return t(f"pass_status.{status_of(found, NOW)}")
    labels = {register: labels for register, _, _, labels in REGISTERS}
    return t(f"{labels[item.register]}.{item.state}")


def _every_state() -> Summary:
    """One item in every state of every register (an issued pass both valid and expired)."""
    sections: dict[str, list[Item]] = {}
    for register, section, states, _ in REGISTERS:
        sections[section] = [_item(f"R-{n:03d}", state, register) for n, state in enumerate(states)]
    for section in PASS_SECTIONS:
        sections[section] = [
            _item(f"FX-{n:03d}", state, "passes")
            for n, state in enumerate(PassState)
            if state != PassState.issued
        ] + [
            _item("FX-100", PassState.issued, "passes"),
            _item("FX-101", PassState.issued, "passes", overdue=True),
        ]
    sections["callbacks"] = [
        _item("WX-001", RepairState.completed, "repairs", overdue=True),
        _item("TS-001", ComplaintState.resolved, "complaints", overdue=True),
    ]
    return Summary(
        site="翠湖花园",
        site_en="Emerald Lake",
        shift_key="day",
        shift_zh="白班",
        shift_en="Day",
        shift_start=NOW - timedelta(hours=1),
        shift_end=NOW + timedelta(hours=8),
        built_at=NOW,
        sections=sections,
    )


def _state_cells(page: str) -> list[str]:
    """The state cell of each item row of the HTML page (the fifth column)."""
    rows = re.findall(r"<tr[^>]*>((?:<td>.*?</td>)+)</tr>", page)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    return [html.unescape(row[4]) for row in cells if len(row) == 6]


@pytest.mark.parametrize("lang", LANGS)
def test_every_state_of_every_register_is_in_words(lang: str) -> None:
    set_language(lang)
    summary = _every_state()
    lines = summary_lines(summary, TZ)
    page = summary_html(summary, TZ)
    assert all(cell_len(line) <= 80 for line in lines)
    rows = {
        number: [line for line in lines if line.startswith(f"  {number} ")]
        for number in {item.number for items in summary.sections.values() for item in items}
    }
    for section, items in summary.sections.items():
        for item in items:
            label = _expected(item, section)
            assert cell_len(label) <= STATE_MAX
            # the whole label (not cut) on the item's row
            assert any(f" {label} " in f"{row} " for row in rows[item.number]), (item, label)
    assert sorted(_state_cells(page)) == sorted(
        _expected(item, section) for section, items in summary.sections.items() for item in items
    )
    if lang == "zh_CN":
        # no stored value anywhere: not in the text, the HTML or its state cells
        assert not _raw_words("\n".join(lines))
        assert not _raw_words(re.sub(r"<[^>]*>", " ", page))
        assert not any(re.search("[A-Za-z]", cell) for cell in _state_cells(page))
    else:
        # English labels may be the value itself ("out", "closed"); never a stored word
        joined = "\n".join(lines) + page
        assert not [raw for raw in _raw_words(joined) if "_" in raw]
        assert "issued" not in joined  # a pass shows its status, as on the passes list


@pytest.mark.parametrize("lang", LANGS)
def test_a_summary_frozen_before_items_knew_their_register_reads_the_same(lang: str) -> None:
    set_language(lang)
    summary = _every_state()
    raw = json.loads(summary.to_json())
    for items in raw["sections"].values():
        for item in items:
            del item["register"]
    frozen = Summary.from_json(json.dumps(raw))
    assert all(item.register == "" for items in frozen.sections.values() for item in items)
    assert summary_lines(frozen, TZ) == summary_lines(summary, TZ)
    assert summary_html(frozen, TZ) == summary_html(summary, TZ)


def test_keys_and_passes_of_a_real_shift_read_as_on_their_own_lists(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
    stock_cabinet(desk)
    loan_id = lend_key(desk, count=2)
    done_id = deposit_key(desk)
    deposit_key(desk, room="3-1202", description="阳台门钥匙")
    desk.now = NOW - timedelta(days=2)
    with desk.write() as ctx:
        expired = passes.issue(ctx, owner_pass()).number
    desk.now = NOW + timedelta(hours=1)
    with desk.write() as ctx:
        valid = passes.issue(ctx, owner_pass()).number
        keys.take_back(ctx, loan_id, 1, "赵师傅")
        keys.work_done(ctx, done_id, "")
        record = handover.open_handover(ctx)
    expected = {
        "zh_CN": ("部分归还", "已完工待领", "寄存中", "有效未用", "过期未用"),
        "en": ("partly returned", "work done", "deposited", "valid, unused", "expired unused"),
    }
    for lang in LANGS:
        set_language(lang)
        with desk.read() as ctx:
            summary = handover.build(ctx, record)
        states = {item.register: item for items in summary.sections.values() for item in items}
        assert set(states) == {"key_loans", "entrusted_keys", "passes"}
        text = "\n".join(summary_lines(summary, TZ))
        page = summary_html(summary, TZ)
        for words in expected[lang]:
            assert words in text and words in page, (lang, words)
        assert not [raw for raw in _raw_words(text + page) if "_" in raw or raw == "issued"]
        if lang == "zh_CN":
            assert not _raw_words(text)
            # the words the handover used to have of its own
            assert "保管中" not in text and "已开具" not in text
        row = {
            number: line
            for line in text.splitlines()
            for number in (valid, expired)
            if line.startswith(f"  {number} ")
        }
        assert expected[lang][3] in row[valid] and expected[lang][4] in row[expired]
        frozen = Summary.from_json(summary.to_json())
        assert [dataclasses.asdict(i) for i in frozen.sections["keys"]] == [
            dataclasses.asdict(i) for i in summary.sections["keys"]
        ]


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("zh_CN", ["59分钟", "47小时", "365天"]), ("en", ["59 min", "47 h", "365 d"])],
)
def test_how_long_open_reads_as_words_and_fits_its_column(lang: str, shown: list[str]) -> None:
    from desk.printing.summary_text import COLUMNS, age
    from desk.printing.text import cell_len

    set_language(lang)
    now = NOW
    ages = [
        age(now - timedelta(minutes=59), now),
        age(now - timedelta(hours=47), now),
        age(now - timedelta(days=365), now),
    ]
    assert ages == shown
    assert max(map(cell_len, ages)) <= dict(COLUMNS)["age"]
