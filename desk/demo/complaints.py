"""The demo complaints: every severity, validity and state, some overdue, some awaiting callback.

Planned on the demo's timeline (`desk.demo.timeline`), so each step is done through the real
services by the operator on duty at that moment.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, time, timedelta
from typing import Any

from desk.demo.timeline import Room, Timeline
from desk.services import complaint, complaint_steps
from desk.services.complaint import ComplaintCreate
from desk.services.context import Ctx
from desk.services.repair import CallbackResult

# category | severity | department concerned | person | what happened | resident asks | answer |
# result
CASES = [
    line.split("|")
    for line in """
facilities|major|engineering||3栋2号电梯两天内两次困人，老人被困二十分钟才救出|要求彻底检修电梯并给出书面说明|已报管理处主任，电梯公司明早到场全面检修|电梯公司更换门机控制板，检测合格，书面报告已送住户
building|major|head||新交房外墙大面积开裂，下雨时往卧室渗水|要求开发商和物业给出维修方案和时间|已报管理处主任并联系开发商，三日内给出方案|开发商完成外墙修补，淋水试验合格
environment|major|cleaning||二次供水水箱清洗后自来水发黄，家里老人孩子不敢喝|要求检测水质并公示结果|已停用该水箱并安排第三方检测|水箱重新清洗消毒，检测报告合格并在大堂公示
service|important|security|南门值班保安|晚上十点回小区，南门保安态度恶劣，迟迟不开门|要求保安当面道歉，加强培训|安管部主管已电话致歉|当事保安书面检讨并调岗，安管部组织全员礼仪培训
decoration|important|engineering|隔壁装修队|隔壁装修周末早上七点就开始电钻施工|要求严格按装修规定时间施工|已通知装修队停工整改|对装修队书面警告并扣押金，施工时间已按规定执行
building|important|engineering||卫生间顶棚渗水，怀疑楼上防水层破损|要求尽快查明原因并维修|工程部已上门查看，确认楼上防水层破损|协调楼上业主重做防水，闭水试验四十八小时合格
historical|important|head||地下车库车位产权不清，被他人长期占用|要求管理处出面解决|已报管理处主任，正在核对开发商移交资料|核对资料后与占用人协商，车位已腾出
facilities|important|engineering||地下车库照明一半不亮，晚上很黑，担心安全|尽快修复照明|工程部今天下午检修|更换灯管三十二支，车库照明恢复
repairs|important|engineering||上周修好的水管又漏水，把楼下天花板泡了|要求彻底维修并赔偿楼下损失|工程部已重新维修，赔偿事宜由主任协调|更换整段水管，楼下损失已协商赔偿
environment|minor|security||楼上住户每晚十一点后拖动家具，噪音扰民|请管理处上门劝导|安管部今晚上门劝导|已与楼上住户沟通，承诺晚十点后不再发出噪音
environment|minor|cleaning||单元大堂和电梯轿厢两天没有拖地，地面都是泥印|请安排保洁及时清洁|已通知环境部，今天下午前完成清洁|环境部加派保洁，电梯轿厢每天清洁两次
repairs|minor|engineering|维修工李师傅|报修厨房下水道堵塞，约好上午来，下午才到也没打电话|要求维修人员守时|已向住户致歉并说明原因|已对维修人员进行教育，预约上门须提前电话确认
facilities|minor|engineering||5栋单元门禁刷卡经常失灵，进不了门|请尽快维修门禁|工程部已安排今天检修|更换门禁读卡器，测试正常
environment|minor|cleaning||垃圾桶满溢，周边气味很大|请增加清运次数|已通知环境部|垃圾清运调整为每天三次，周边已消毒
service|minor|service|前台客服|打电话到管理处，响了很久没人接|希望电话能及时接听|已向住户致歉|前台增设分机转接，午间安排专人值守
environment|minor|cleaning||楼下绿化带被人种菜，还施粪肥|要求清除恢复绿化|已通知环境部处理|已劝导当事住户，绿化已恢复
other|minor|security||电动车乱停，堵住消防通道|要求加强管理|安管部已加强巡查|设置电动车集中停放区，消防通道划线禁停
service|minor|finance|财务部|物业费发票开错抬头，跑了两次还没改好|尽快重开发票|财务部今天重开|发票已重开并送到住户家中
facilities|minor|engineering||儿童游乐区滑梯有裂口，容易划伤孩子|尽快维修|已拉警戒线，工程部安排维修|更换滑梯护板
decoration|minor|engineering||楼道里堆放装修材料，影响通行|要求清理|已通知装修户限期清理|材料已清理，装修户签署文明装修承诺书
""".strip().splitlines()
]
INVALID = (
    (
        "other",
        "要求物业赔偿被小区外流浪猫抓伤的医药费",
        "事发地点在小区红线外，不属物业管理区域；已按统一说辞解释并建议报警备案",
    ),
    (
        "service",
        "认为物业费太贵，要求马上降价",
        "物业费标准经业主大会表决并在物价部门备案，管理处无权单方调整；已按统一说辞解释",
    ),
)
OUT_OF_SCOPE = (
    (
        "facilities",
        "家里燃气表读数不对，怀疑多收了燃气费",
        "已指引住户拨打燃气公司客服 96777 申请校表",
    ),
    ("environment", "小区外马路夜间施工噪音大", "已指引住户拨打 12345 市民热线向城管部门反映"),
)
# The end state of each planned complaint (CASES give their text by severity).
PLAN = (
    ["closed"] * 14
    + ["callback_due"] * 4
    + ["callback_overdue"] * 2
    + ["replied"] * 3
    + ["assigned"] * 4
    + ["judged"] * 2
    + ["fresh"] * 2
    + ["resolve_overdue"] * 2
    + ["no_escalation", "late_escalation", "reopened", "closed_unhappy", "merged"]
)
SEVERITIES = {"no_escalation": "major", "late_escalation": "important", "resolve_overdue": "minor"}


def plan_complaints(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """About 45 complaints over the demo's three weeks, in every state."""
    for index, state in enumerate(PLAN):
        severity = SEVERITIES.get(state) or ("major", "important", "minor", "minor")[index % 4]
        cases = [c for c in CASES if c[1] == severity]
        _plan_one(line, rng, f"complaint-{index}", state, cases[index % len(cases)], directory)
    for index, (category, what, answer) in enumerate(INVALID):
        _plan_verdict(line, rng, f"complaint-invalid-{index}", "invalid", (category, what, answer))
    for index, (category, what, answer) in enumerate(OUT_OF_SCOPE):
        case = (category, what, answer)
        _plan_verdict(line, rng, f"complaint-outside-{index}", "out_of_scope", case)
    # its own generator, so the complaints above stay as they were
    _plan_late_notice(line, random.Random(17), directory)


def _plan_late_notice(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
    """A leak taken under the desk's service-time table (002): the harm stopped first, escalated
    to the department head, dispatched, the department's answer told to the resident the same
    day, and past the normal working day a late notice sent (overdue only past "at most")."""
    code, name, phone = rng.choice(directory)
    data = ComplaintCreate(
        channel="phone",
        complainant=name,
        room=code,
        phone=phone,
        category="repairs",
        department="engineering",
        what_happened="楼上卫生间漏水，水顺着灯线往下滴，已经两天了",
        resident_asks="先止水，再彻底修好",
        severity="important",
        harm_ongoing=True,
    )
    rules = line.settings.complaints.model_copy(update={"deadline_table": "desk_service"})
    desk_table = line.settings.model_copy(update={"complaints": rules})

    def register(ctx: Ctx) -> Any:
        return complaint.register(dataclasses.replace(ctx, settings=desk_table), data)

    key, ids = "complaint-late-notice", line.ids
    received = line.now - timedelta(days=1, hours=6)
    at = line.at(received, line.keep(key, register))
    steps = (
        (20, lambda c: complaint_steps.harm_stopped(c, ids[key])),
        (10, lambda c: complaint.judge(c, ids[key], "valid", "经核实楼上住户卫生间防水破损")),
        (15, lambda c: complaint.escalate(c, ids[key], "department_head")),
        (10, lambda c: complaint.assign(c, ids[key], "engineering")),
        (40, lambda c: complaint.reply(c, ids[key], "已关闭楼上进水阀，工程部今天查明原因")),
        (180, lambda c: complaint_steps.answered(c, ids[key], "工程部：防水层破损，需订材料")),
        (30, lambda c: complaint_steps.told(c, ids[key], "已电话告知住户工程部的答复")),
    )
    for minutes, step in steps:
        at = line.at(at + timedelta(minutes=minutes), step)
    notice = "防水材料需从厂家订货，预计两个工作日内修好，已向住户致歉"
    line.at(
        line.now - timedelta(hours=1), lambda c: complaint_steps.late_notice(c, ids[key], notice)
    )


def _received(line: Timeline, rng: random.Random, state: str) -> datetime:
    now, tz = line.now, line.settings.tz
    if state == "fresh":
        return now - timedelta(minutes=rng.randint(5, 25))
    hours = {"judged": (1, 3), "assigned": (3, 20), "late_escalation": (3, 20), "replied": (20, 30)}
    hours["callback_due"] = (30, 60)
    if state in hours:
        return now - timedelta(hours=rng.randint(*hours[state]), minutes=rng.randint(0, 59))
    if state == "no_escalation":  # yesterday afternoon, never reported up
        day = (now - timedelta(days=1)).astimezone(tz).date()
        return datetime.combine(day, time(15, rng.randint(0, 59)), tzinfo=tz)
    days = {"callback_overdue": (6, 8), "resolve_overdue": (4, 5), "reopened": (5, 6)}
    low, high = days.get(state, (5, 19))
    day = (now - timedelta(days=rng.randint(low, high))).astimezone(tz).date()
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=tz)


def _person(rng: random.Random, name: str) -> str:
    return name if rng.random() < 0.6 else name[0] + rng.choice(("先生", "女士"))


def _plan_one(
    line: Timeline,
    rng: random.Random,
    key: str,
    state: str,
    case: list[str],
    directory: list[Room],
) -> None:
    category, severity, department, person, what, asks, answer, result = case
    code, name, phone = rng.choice(directory)
    data = ComplaintCreate(
        channel=rng.choice(("visit", "phone", "phone", "online")),
        complainant=_person(rng, name),
        room=code,
        phone=phone,
        category=category,
        department=department,
        person_complained=person,
        what_happened=what,
        resident_asks=asks,
        severity=severity,
    )
    ids = line.ids
    at = line.at(_received(line, rng, state), line.keep(key, lambda c: complaint.register(c, data)))
    if state == "merged":  # the same resident calls again two hours later
        again = data.model_copy(update={"what_happened": f"再次反映：{what}"})

        def repeat(ctx: Ctx) -> Any:
            saved = complaint.register(ctx, again)
            return complaint.merge(ctx, saved.id or 0, ids[key], "同一房号同类问题的重复投诉")

        line.at(at + timedelta(hours=2), repeat)
    if state == "fresh":
        return
    at = line.at(
        at + timedelta(minutes=rng.randint(5, 20)),
        lambda c: complaint.judge(c, ids[key], "valid", "经核实情况属实"),
    )
    if state in ("judged", "no_escalation"):
        return
    rule = line.settings.complaint_rule(severity)
    if rule.escalate:
        delay = rng.randint(70, 150) if state == "late_escalation" else rng.randint(10, 40)
        to_whom = rule.escalate_to
        at = line.at(
            at + timedelta(minutes=delay), lambda c: complaint.escalate(c, ids[key], to_whom)
        )
    at = line.at(
        at + timedelta(minutes=rng.randint(10, 30)),
        lambda c: complaint.assign(c, ids[key], department or "service"),
    )
    if state in ("assigned", "late_escalation"):
        return
    at = line.at(
        at + timedelta(hours=rng.randint(1, 6)), lambda c: complaint.reply(c, ids[key], answer)
    )
    if state in ("replied", "resolve_overdue", "merged"):
        return
    if state == "callback_due":
        done = line.now - timedelta(hours=rng.randint(2, 20))
    else:
        done = at + timedelta(hours=rng.randint(6, 40))
    at = line.at(done, lambda c: complaint.resolve(c, ids[key], result))
    if state in ("callback_due", "callback_overdue"):
        return
    later = at + timedelta(hours=rng.randint(4, 30))
    if state in ("reopened", "closed_unhappy"):
        unhappy = CallbackResult(satisfied=False, note="住户表示问题仍未解决，要求再次处理")
        at = line.at(later, lambda c: complaint.call_back(c, ids[key], unhappy))
        if state == "closed_unhappy":
            reason = "已再次协调处理，住户保留意见，经主管同意结案"
            close = line.by_supervisor(lambda c: complaint.close(c, ids[key], reason))
            line.at(at + timedelta(days=1), close)
        return
    note = rng.choice(("住户表示满意", "电话回访，住户满意", "上门回访，住户认可处理结果"))
    happy = CallbackResult(satisfied=True, note=note)
    line.at(later, lambda c: complaint.call_back(c, ids[key], happy))


def _plan_verdict(
    line: Timeline, rng: random.Random, key: str, verdict: str, case: tuple[str, str, str]
) -> None:
    """A complaint judged invalid (answered with the standard reply) or out of scope."""
    category, what, answer = case
    received = _received(line, rng, "closed")
    data = ComplaintCreate(
        channel=rng.choice(("visit", "phone")),
        complainant=rng.choice(("张", "刘", "陈", "杨")) + rng.choice(("先生", "女士")),
        category=category,
        what_happened=what,
    )
    at = line.at(received, line.keep(key, lambda c: complaint.register(c, data)))
    line.at(
        at + timedelta(minutes=rng.randint(5, 30)),
        line.by_supervisor(lambda c: complaint.judge(c, line.ids[key], verdict, answer)),
    )
