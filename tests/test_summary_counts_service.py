"""The handover summary and the board count the same open items; what the summary lists besides
(passes to reconcile) is counted apart and named; a pass that expired unused is not listed as
used without a gate check; a resident's name reads the same (masked) in every section."""

from __future__ import annotations

from datetime import timedelta

from desk.i18n import set_language, t
from desk.printing.summary_html import summary_html
from desk.printing.summary_text import summary_lines
from desk.services import board, handover, passes, repair, residents
from desk.services.repair import RepairCreate
from tests.conftest import NOW, TZ, Desk
from tests.seed import deposit_key, lend_key, owner_pass, stock_cabinet


def test_summary_counts_what_the_board_counts_and_names_what_it_lists_besides(desk: Desk) -> None:
    with desk.write() as ctx:
        residents.add_resident(ctx, "3", "1202", "李明", "13812345678", "owner")
        repair.register(ctx, RepairCreate(description="厨房漏水", room="3-1202"))
    stock_cabinet(desk)
    lend_key(desk)
    deposit_key(desk)
    # yesterday: one pass used at the gate, its stub not back; one whose stub came back the same
    # day although the gate never checked it (used unchecked); one never used whose stub came
    # back only today, after it expired (expired unused, reconciled)
    desk.now = NOW - timedelta(days=1)
    with desk.write() as ctx:
        gone = passes.issue(ctx, owner_pass()).number
        same_day = passes.issue(ctx, owner_pass()).number
        late = passes.issue(ctx, owner_pass()).number
    desk.now = NOW - timedelta(days=1, hours=-1)
    with desk.write() as ctx:
        passes.gate_check(ctx, gone, "all_out", "老周")
        passes.return_stub(ctx, same_day)
    desk.now = NOW
    with desk.write() as ctx:
        passes.return_stub(ctx, late)
        today = passes.issue(ctx, owner_pass()).number
        record = handover.open_handover(ctx)
    with desk.read() as ctx:
        on_board = board.open_items(ctx)
        unchecked = [p.number for p in passes.used_without_gate_check(ctx)]
        summary = handover.build(ctx, record)
    # the summary's open figure is the board's; the difference is exactly the passes it names
    assert summary.open_count() == len(on_board) == 4  # repair, key loan, entrusted key, pass
    listed = {key: [i.number for i in items] for key, items in summary.sections.items() if items}
    assert listed["passes"] == [today]
    assert listed["pass_no_gate"] == unchecked == [same_day]
    assert listed["pass_stubs"] == [gone]
    assert summary.also_listed() == {"pass_no_gate": 1, "pass_stubs": 1}
    everything = sum(len(items) for items in summary.sections.values())
    assert everything - summary.open_count() == sum(summary.also_listed().values())
    assert late not in {number for numbers in listed.values() for number in numbers}
    # a resident's name: masked as on the board and every list (the entrusted key's owner too)
    names = [i.what for key in ("pass_no_gate", "pass_stubs") for i in summary.sections[key]]
    assert names == ["李*", "李*"]
    assert summary.sections["entrusted"][0].what.endswith("李*")
    for lang in ("zh_CN", "en"):
        set_language(lang)
        text = "\n".join(summary_lines(summary, TZ))
        page = summary_html(summary, TZ)
        assert "李明" not in text and "李明" not in page
        assert t("summary.open_items", count=4, overdue=summary.overdue_count()) in text
        besides = t("summary.section.pass_no_gate") + " 1"
        assert t("summary.also_listed") in text and besides in text and besides in page
        # used without a gate check reads so, not "expired unused" once its day has passed
        row = next(line for line in text.splitlines() if line.startswith(f"  {same_day} "))
        assert t("passes_ui.without_gate_check") in row
        assert t("pass_status.expired") not in row
