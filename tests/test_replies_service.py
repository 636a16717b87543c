"""Standard replies: drafted by anyone, approved and retired by a supervisor, matched to text."""

from __future__ import annotations

import pytest

from desk.i18n import set_language
from desk.models import Operator, ReplyState
from desk.services import audit, replies
from desk.services.errors import DeskError, FieldErrors, Forbidden
from tests.conftest import Desk
from tests.seed import seed_replies


def _draft(desk: Desk, topic: str = "停水停电通知", keywords: str = "停水 停电") -> int:
    with desk.write() as ctx:
        reply = replies.draft(ctx, topic, keywords, "计划停水会提前 24 小时通知。")
        assert reply.id is not None
        return reply.id


def _approved(desk: Desk, boss: Desk, topic: str, keywords: str, body: str = "答复") -> int:
    with desk.write() as ctx:
        reply = replies.draft(ctx, topic, keywords, body)
        assert reply.id is not None
    with boss.write() as ctx:
        replies.approve(ctx, reply.id)
    return reply.id


def test_a_clerk_drafts_and_the_draft_is_not_offered(desk: Desk, clerk: Operator) -> None:
    reply_id = _draft(desk)
    with desk.read() as ctx:
        reply = replies.get(ctx, reply_id)
        assert reply.state == ReplyState.draft and reply.drafted_by == clerk.id
        assert replies.matching(ctx, "明天停水吗") == []
        (event,) = audit.history(ctx, "replies", reply_id)
    assert event.action == "drafted"


def test_keywords_are_normalised_and_topic_and_body_are_required(desk: Desk) -> None:
    with desk.write() as ctx:
        reply = replies.draft(ctx, " 车位租赁 ", "车位，停车、月卡  车位", "可按月租用。")
    assert (reply.topic, reply.keywords) == ("车位租赁", "车位 停车 月卡")
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        replies.draft(ctx, "", "x", "body")
    assert refused.value.field == "reply_topic"
    with pytest.raises(DeskError) as refused, desk.write() as ctx:
        replies.draft(ctx, "topic", "", "  ")
    assert refused.value.field == "reply_body"


def test_a_reply_without_topic_or_body_is_told_both_at_once(desk: Desk) -> None:
    with pytest.raises(FieldErrors) as refused, desk.write() as ctx:
        replies.draft(ctx, " ", "停车", "")
    assert [(e.field, e.key) for e in refused.value.errors] == [
        ("reply_topic", "field.required"),
        ("reply_body", "field.required"),
    ]
    with desk.read() as ctx:
        assert replies.all_replies(ctx) == []


def test_a_clerk_may_not_approve_and_is_told_why(desk: Desk) -> None:
    reply_id = _draft(desk)
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        replies.approve(ctx, reply_id)
    assert "only a supervisor may approve a standard reply" in refused.value.message
    assert "vetted by a supervisor" in refused.value.message
    set_language("zh_CN")
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        replies.approve(ctx, reply_id)
    assert "只有主管可以批准统一说辞" in refused.value.message
    with desk.read() as ctx:
        assert replies.get(ctx, reply_id).state == ReplyState.draft


def test_a_supervisor_approves(desk: Desk, boss: Desk, supervisor: Operator) -> None:
    reply_id = _draft(desk)
    with boss.write() as ctx:
        reply = replies.approve(ctx, reply_id)
    assert reply.state == ReplyState.approved
    assert (reply.approved_by, reply.approved_at) == (supervisor.id, boss.now)
    with pytest.raises(DeskError) as again, boss.write() as ctx:
        replies.approve(ctx, reply_id)
    assert again.value.key == "replies.bad_state"
    with desk.read() as ctx:
        actions = [e.action for e in audit.history(ctx, "replies", reply_id)]
    assert actions == ["drafted", "approved"]


def test_matching_finds_two_character_chinese_words_and_ranks_by_hits(
    desk: Desk, boss: Desk
) -> None:
    water = _approved(desk, boss, "停水停电通知", "停水 停电 断水")
    fee = _approved(desk, boss, "物业费缴费方式", "物业费 缴费")
    cards = _approved(desk, boss, "门禁卡补办", "门卡 补卡", body="带身份证到前台补办门禁卡")
    _draft(desk, "停水赔偿", "停水 赔偿")  # a draft is never offered
    with desk.read() as ctx:
        assert [r.id for r in replies.matching(ctx, "请问明天停水吗？")] == [water]
        # two hits (停水, 断水) rank above one
        both = replies.matching(ctx, "停水了还要交物业费吗，断水三天了")
        assert [r.id for r in both] == [water, fee]
        # the typed text occurring in the answer: a one-character word, a body word
        assert [r.id for r in replies.matching(ctx, "卡")] == [cards]
        assert [r.id for r in replies.matching(ctx, "身份证")] == [cards]
        assert replies.matching(ctx, "电梯坏了") == []
        assert len(replies.matching(ctx, "")) == 3
        assert len(replies.matching(ctx, "", limit=2)) == 2


def test_revising_an_approved_reply_sends_it_back_to_draft(desk: Desk, boss: Desk) -> None:
    reply_id = _approved(desk, boss, "快递代收", "快递 包裹", body="前台暂存 3 天")
    with desk.write() as ctx:
        same = replies.revise(ctx, reply_id, "快递代收", "快递 包裹", "前台暂存 3 天")
    assert same.state == ReplyState.approved  # nothing changed, still approved
    with desk.write() as ctx:
        revised = replies.revise(ctx, reply_id, "快递代收", "快递 包裹 取件", "前台暂存 5 天")
    assert revised.state == ReplyState.draft
    assert revised.approved_by is None and revised.approved_at is None
    with desk.read() as ctx:
        assert replies.matching(ctx, "快递") == []
        event = audit.history(ctx, "replies", reply_id)[-1]
    data = audit.event_data(event)
    assert event.action == "revised"
    assert data["was_body"] == "前台暂存 3 天" and data["body"] == "前台暂存 5 天"
    assert data["was_state"] == "approved" and "topic" not in data


def test_retire_needs_a_supervisor_and_a_reason(desk: Desk, boss: Desk) -> None:
    reply_id = _approved(desk, boss, "宠物管理", "宠物 狗")
    with pytest.raises(Forbidden) as refused, desk.write() as ctx:
        replies.retire(ctx, reply_id, "规定变了")
    assert "only a supervisor may retire" in refused.value.message
    with pytest.raises(DeskError) as no_reason, boss.write() as ctx:
        replies.retire(ctx, reply_id, " ")
    assert no_reason.value.field == "reason"
    with boss.write() as ctx:
        replies.retire(ctx, reply_id, "规定变了")
    with desk.read() as ctx:
        assert replies.get(ctx, reply_id).state == ReplyState.retired
        assert replies.matching(ctx, "宠物") == []
        assert replies.all_replies(ctx, include_retired=False) == []
        assert len(replies.all_replies(ctx)) == 1
        event = audit.history(ctx, "replies", reply_id)[-1]
    assert (event.action, event.reason) == ("retired", "规定变了")
    with pytest.raises(DeskError), desk.write() as ctx:
        replies.revise(ctx, reply_id, "宠物管理", "宠物", "x")


def test_seed_demo_approves_eight_and_leaves_one_draft(desk: Desk, boss: Desk) -> None:
    seed_replies(desk, boss.operator)
    with desk.read() as ctx:
        states = [reply.state for reply in replies.all_replies(ctx)]
        assert states.count(ReplyState.approved) == 8 and states.count(ReplyState.draft) == 1
        topics = [r.topic for r in replies.matching(ctx, "下周停水吗")]
        assert topics[0] == "停水停电通知"
        assert [r.topic for r in replies.matching(ctx, "楼上太吵了")] == ["噪音投诉处理口径"]
