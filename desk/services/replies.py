"""Standard replies (统一说辞): a clerk drafts an answer, a supervisor approves, the desk reuses."""

from __future__ import annotations

import re

from sqlmodel import col, select

from desk.models import ReplyState, StandardReply
from desk.services import audit, fetch, roles
from desk.services.context import Ctx
from desk.services.lifecycle import Lifecycle, Step
from desk.services.limits import clean_column
from desk.services.residents import clean_text
from desk.services.submission import gather

REGISTER = "replies"
# Keywords may be typed with spaces or any of the commas and enumeration marks a clerk uses.
_SEPARATORS = re.compile(r"[\s,，、;；/]+")
# The library is small (tens of answers); matching reads it whole, bounded all the same.
LIBRARY_LIMIT = 1000


def get(ctx: Ctx, reply_id: int) -> StandardReply:
    return fetch.get(ctx, StandardReply, reply_id)


def keyword_list(keywords: str) -> list[str]:
    """The separate words of a keywords field, in order, without repeats."""
    seen: list[str] = []
    for word in _SEPARATORS.split(keywords):
        if word and word not in seen:
            seen.append(word)
    return seen


def _clean(topic: str, keywords: str, body: str) -> tuple[str, str, str]:
    """The three fields cleaned; every refusal among them raised at once, each beside its field."""
    checked = gather(
        {
            "reply_topic": lambda: clean_column(
                topic, StandardReply, "topic", field="reply_topic", required=True
            ),
            "reply_keywords": lambda: " ".join(
                keyword_list(
                    clean_column(keywords, StandardReply, "keywords", field="reply_keywords")
                )
            ),
            "reply_body": lambda: clean_column(
                body, StandardReply, "body", field="reply_body", required=True
            ),
        }
    )
    return checked["reply_topic"], checked["reply_keywords"], checked["reply_body"]


S = ReplyState
# The lifecycle of an answer: drafted by anyone, approved by a supervisor, revised (back to
# draft when the wording changes), retired by a supervisor; a retired answer is read only.
LIFECYCLE: Lifecycle[ReplyState] = Lifecycle(
    "replies.bad_state",
    {
        "revise": Step((S.draft, S.approved)),
        "approve": Step((S.draft,), to=S.approved, who=roles.REPLY_APPROVE),
        "retire": Step((S.draft, S.approved), to=S.retired, who=roles.REPLY_RETIRE),
    },
    state_words="reply_state",
)


def allowed_actions(reply: StandardReply | None) -> frozenset[str]:
    """The lifecycle steps (LIFECYCLE's names) a screen offers for this answer."""
    return LIFECYCLE.offered(reply)


def draft(ctx: Ctx, topic: str, keywords: str, body: str) -> StandardReply:
    """Any operator may draft an answer; it is not offered to the desk until approved."""
    topic, keywords, body = _clean(topic, keywords, body)
    reply = StandardReply(
        topic=topic,
        keywords=keywords,
        body=body,
        state=ReplyState.draft,
        drafted_by=ctx.acting(),
        created_at=ctx.now,
    )
    ctx.session.add(reply)
    ctx.session.flush()
    audit.record(
        ctx, REGISTER, reply.id, "drafted", {"topic": topic, "keywords": keywords, "body": body}
    )
    return reply


def revise(ctx: Ctx, reply_id: int, topic: str, keywords: str, body: str) -> StandardReply:
    """Change the wording; a changed approved answer goes back to draft and needs approval again.

    Saving without a change changes nothing (an approved answer stays approved).
    """
    reply = get(ctx, reply_id)
    LIFECYCLE.require(reply, "revise")
    topic, keywords, body = _clean(topic, keywords, body)
    before = {"topic": reply.topic, "keywords": reply.keywords, "body": reply.body}
    after = {"topic": topic, "keywords": keywords, "body": body}
    if before == after:
        return reply
    was = reply.state
    reply.topic, reply.keywords, reply.body = topic, keywords, body
    reply.state = ReplyState.draft
    reply.drafted_by = ctx.acting()
    reply.approved_by = None
    reply.approved_at = None
    ctx.session.add(reply)
    changed = {key: value for key, value in after.items() if before[key] != value}
    previous = {f"was_{key}": before[key] for key in changed}
    audit.record(ctx, REGISTER, reply.id, "revised", {**changed, **previous, "was_state": was})
    return reply


def approve(ctx: Ctx, reply_id: int) -> StandardReply:
    """A supervisor approves a draft; from then on the desk offers it."""
    LIFECYCLE.permit(ctx, "approve")
    reply = get(ctx, reply_id)
    LIFECYCLE.require(reply, "approve")
    reply.state = ReplyState.approved
    reply.approved_by = ctx.acting()
    reply.approved_at = ctx.now
    ctx.session.add(reply)
    audit.record(ctx, REGISTER, reply.id, "approved", {"topic": reply.topic})
    return reply


def retire(ctx: Ctx, reply_id: int, reason: str) -> StandardReply:
    """A supervisor withdraws an answer that no longer holds (a draft may be rejected this way)."""
    LIFECYCLE.permit(ctx, "retire")
    reply = get(ctx, reply_id)
    LIFECYCLE.require(reply, "retire")
    why = clean_text(reason, 500, field="reason", required=True)
    was = reply.state
    reply.state = ReplyState.retired
    ctx.session.add(reply)
    audit.record(ctx, REGISTER, reply.id, "retired", {"was_state": was}, reason=why)
    return reply


def all_replies(ctx: Ctx, *, include_retired: bool = True) -> list[StandardReply]:
    """The library: approved first, then drafts awaiting approval, then retired; by topic."""
    statement = select(StandardReply).order_by(col(StandardReply.topic)).limit(LIBRARY_LIMIT)
    if not include_retired:
        statement = statement.where(StandardReply.state != ReplyState.retired)
    order = {ReplyState.approved: 0, ReplyState.draft: 1, ReplyState.retired: 2}
    return sorted(ctx.session.exec(statement), key=lambda reply: order[ReplyState(reply.state)])


def _score(reply: StandardReply, text: str) -> tuple[int, int]:
    """(topic and keyword hits in the text, whether the text occurs in the answer)."""
    hits = sum(
        1 for word in [reply.topic, *keyword_list(reply.keywords)] if word.casefold() in text
    )
    fields = (reply.topic, reply.keywords, reply.body)
    contained = int(bool(text) and any(text in value.casefold() for value in fields))
    return hits, contained


def matching(ctx: Ctx, text: str, limit: int = 5) -> list[StandardReply]:
    """Approved answers for what a resident asked, best first.

    An answer matches when its topic or one of its keywords occurs in `text` (so 停水 matches
    "明天停水吗"), or when `text` occurs in its topic, keywords or body (so a clerk can filter by
    typing a word). Substring matching needs no word segmentation and works for one- and
    two-character Chinese words. More keyword hits rank higher. Empty text lists every answer.
    """
    wanted = text.strip().casefold()
    statement = (
        select(StandardReply)
        .where(StandardReply.state == ReplyState.approved)
        .order_by(col(StandardReply.topic))
        .limit(LIBRARY_LIMIT)
    )
    scored: list[tuple[int, int, StandardReply]] = []
    for reply in ctx.session.exec(statement):
        hits, contained = _score(reply, wanted)
        if hits or contained or not wanted:
            scored.append((hits, contained, reply))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    return [reply for _, _, reply in scored[:limit]]


DEMO_REPLIES = (
    (
        "物业费缴费方式",
        "物业费 缴费 交费 管理费 收费",
        "物业费可在服务中心前台刷卡或现金缴纳，也可通过银行代扣或物业公众号在线缴纳；"
        "按季度预交，每季度首月 15 日前缴清。如需发票，请带缴费凭证到前台开具。",
    ),
    (
        "停水停电通知",
        "停水 停电 断水 断电 供水 供电",
        "计划停水、停电会提前 24 小时在各楼栋大堂和电梯内张贴通知，并在业主群发布；"
        "突发停水停电时工程部已在抢修，恢复时间以现场通知为准。请关好水龙头和电器开关。",
    ),
    (
        "装修申请流程",
        "装修 申请 施工 装修押金 动工",
        "装修前请业主持房产证明和装修图纸到服务中心填写装修申请表，缴纳装修押金；"
        "3 个工作日内审批，审批后领取施工许可证方可动工。施工时间为工作日 8:00-12:00、"
        "14:00-18:00，首次验收 3 个月后退还押金。",
    ),
    (
        "门禁卡补办",
        "门禁卡 门卡 补卡 丢失 业主卡 住户卡",
        "门禁卡遗失请本人带身份证到服务中心办理补卡，工本费 20 元，当场可取。"
        "业主卡长期有效，住户卡有效期 3 个月，到期请带租赁合同续期。",
    ),
    (
        "车位租赁",
        "车位 停车 租车位 月卡 停车场",
        "地下车位可按月或按年租用，请带行驶证和身份证到服务中心登记；"
        "暂无空位时先登记排队，有空位按登记顺序电话通知。临时停车按停车场公示标准收费。",
    ),
    (
        "宠物管理",
        "宠物 狗 猫 遛狗 犬",
        "饲养犬只须办理犬证并按时免疫；出门请牵绳，及时清理粪便，不得进入儿童游乐区。"
        "对他人造成影响的，管理处将上门劝导，屡劝不改的报相关部门处理。",
    ),
    (
        "快递代收",
        "快递 包裹 代收 取件 外卖",
        "服务中心不代收贵重物品和生鲜；普通包裹可存放于大堂智能快递柜，"
        "超大件可在前台登记暂存 3 天，取件时请出示取件码或身份证。",
    ),
    (
        "噪音投诉处理口径",
        "噪音 吵 扰民 装修噪音 噪声",
        "感谢您的反映。我们会马上安排安管员到现场了解并劝导；装修噪音超出规定施工时间的，"
        "将要求立即停工。处理结果我们会在 2 小时内回复您。",
    ),
)
DEMO_DRAFT = (
    "电梯故障求助",
    "电梯 困人 故障 停运",
    "如被困电梯，请按紧急呼叫按钮并保持冷静，值班人员 5 分钟内到场，维保单位 30 分钟内到场。",
)


def seed_demo(ctx_clerk: Ctx, ctx_supervisor: Ctx) -> list[StandardReply]:
    """Demo library: eight approved answers drafted by a clerk, and one draft awaiting approval.

    Both contexts must share one session (the supervisor approves what the clerk just drafted).
    """
    made: list[StandardReply] = []
    for topic, keywords, body in DEMO_REPLIES:
        reply = draft(ctx_clerk, topic, keywords, body)
        assert reply.id is not None
        made.append(approve(ctx_supervisor, reply.id))
    made.append(draft(ctx_clerk, *DEMO_DRAFT))
    return made
