"""The demo's repair orders: 80 work orders, each taken from the call to the end state PLAN
gives it (desk.demo)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from desk.demo.timeline import DAYS, Room, Timeline, moment
from desk.models import RepairLocation
from desk.services import corrections, reception, repair, repair_billing
from desk.services.context import Ctx
from desk.services.reception import ReceptionCreate
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate
from desk.services.repair_visits import VisitReschedule

# category | location | what is broken | what was done
REPAIR_JOBS = [
    line.split("|")
    for line in """
water|unit|厨房水龙头关不紧，一直滴水|更换水龙头阀芯
water|unit|卫生间下水道堵塞|疏通下水管，清出毛发杂物
water|unit|马桶水箱不停进水|更换进水阀
water|unit|洗手盆下水管松脱漏水|重新紧固下水管并打胶
electric|unit|客厅灯不亮，开关有烧焦味|更换开关面板，检查线路正常
electric|unit|卫生间插座一用就跳闸|更换漏电保护插座
electric|unit|入户配电箱空开频繁跳闸|更换空气开关，测试负载正常
leak|unit|卫生间天花板渗水，疑楼上防水层损坏|楼上卫生间重做防水，闭水 48 小时无渗漏
leak|unit|外墙窗边渗水|窗框外侧重新打胶，淋水试验无渗漏
leak|unit|阳台顶板渗漏|楼上阳台地面补做防水
safety|public|楼道消防栓玻璃破损|更换消防栓箱玻璃
safety|public|应急照明灯不亮|更换应急灯电池
safety|public|烟感报警器误报|清洁烟感探头并测试
door|unit|入户门锁芯卡死|更换锁芯
door|unit|铝合金窗合页断裂|更换合页并调整窗扇
door|unit|阳台推拉门滑轮损坏|更换滑轮
public|public|电梯按钮失灵|电梯维保单位更换按钮
public|public|地下车库照明灯不亮|更换 LED 灯管 6 支
public|public|东门道闸抬杆故障|调整道闸限位，更换电机电容
other|unit|空调冷凝水管脱落|重新固定冷凝水管
other|unit|晾衣架升降绳断|更换钢丝绳
""".strip().splitlines()
]
CATEGORIES = ("water", "electric", "leak", "safety", "door", "public", "other")
REFERRALS = (
    ("燃气热水器打不着火", "燃气公司客服 96777", "燃气设施由燃气公司维护"),
    ("家里宽带断网", "中国电信客服 10000", "宽带线路属运营商维护"),
)

# The end state of each of the 80 repair orders.
PLAN = (
    ["closed"] * 45
    + ["callback_due"] * 8
    + ["callback_overdue"] * 5
    + ["on_site"] * 3
    + ["dispatched"] * 8
    + ["late_dispatch"] * 4
    + ["fresh"] * 2
    + ["reopened", "cancelled", "cancelled", "referred_out", "referred_out", "closed"]
)

# the order whose room the clerk corrects (a water repair in a unit, dispatched)
CORRECTED_ROOM = 63


def _correct_room(line: Timeline, written: datetime, key: str, room: str) -> Any:
    """The clerk who wrote the order corrects its room, saying why (desk.services.corrections)."""

    def correct(ctx: Ctx) -> Any:
        writer = Ctx(ctx.session, line.on_duty(written), ctx.settings, ctx.now, line.calendar)
        changes = {"room": room}
        return corrections.correct(writer, "repairs", line.ids[key], changes, "住户回电核对房号")

    return correct


def plan_repair(
    line: Timeline,
    rng: random.Random,
    index: int,
    state: str,
    directory: list[Room],
    technicians: list[str],
) -> None:
    """One work order, from the call to the state PLAN gives it."""
    now, key = line.now, f"repair-{index}"
    category = CATEGORIES[index % len(CATEGORIES)]
    jobs = [job for job in REPAIR_JOBS if job[0] == category]
    _, location, description, work = rng.choice(jobs)
    code, name, phone = rng.choice(directory)
    if location == "public":
        description = f"{code.split('-')[0]}栋{description}"
        code = ""
    referred_to, reason = "", ""
    if state == "referred_out":
        description, referred_to, reason = REFERRALS[index % len(REFERRALS)]
        category, location = "other", "unit"
    paid = location == "unit" and category != "leak" and rng.random() < 0.45
    warranty = not paid and location == "unit" and rng.random() < 0.2
    from_desk = rng.random() < 0.3
    days_ago = {"closed": rng.randint(4, DAYS - 1), "callback_overdue": rng.randint(5, 8)}
    hours_ago = {
        "callback_due": rng.randint(6, 30),
        "on_site": rng.randint(2, 6),
        "dispatched": rng.randint(1, 20),
    }
    if state in ("closed", "cancelled", "referred_out"):
        reported = moment(rng, line, DAYS - days_ago.get(state, rng.randint(2, DAYS - 1)))
    elif state in ("callback_overdue", "reopened"):
        reported = moment(rng, line, DAYS - days_ago.get(state, 5))
    elif state == "late_dispatch":
        reported = now - timedelta(minutes=rng.randint(45, 200))
    elif state == "fresh":
        reported = now - timedelta(minutes=rng.randint(3, 15))
    else:
        reported = now - timedelta(hours=hours_ago[state], minutes=rng.randint(0, 59))
    appointment = None
    if state == "dispatched" and location == "unit":
        ahead = rng.choice((-1, 3, 20))  # -1: the agreed time has passed with nobody there
        appointment = (now + timedelta(hours=ahead)).replace(minute=0, second=0, microsecond=0)
    data = RepairCreate(
        channel="visit" if from_desk else rng.choice(("phone", "phone", "online")),
        resident_name=name,
        room=code,
        phone=phone,
        description=description,
        location=RepairLocation(location),
        category=category,
        paid=paid,
        warranty=warranty,
        appointment_at=appointment,
    )
    if from_desk:
        entry = ReceptionCreate(
            channel="visit",
            person=name,
            room=code,
            phone=phone,
            category="repair",
            request=description,
            action_taken="已开维修单",
        )
        line.at(
            reported - timedelta(minutes=2),
            line.keep(f"{key}-desk", lambda c: reception.log(c, entry)),
        )

    if index == CORRECTED_ROOM and code:  # the room misheard on the phone, put right
        right, data.room = code, code[:-1] + ("2" if code[-1] == "1" else "1")

    def register(ctx: Ctx) -> Any:
        if from_desk:
            data.reception_id = line.ids[f"{key}-desk"]
        return repair.register(ctx, data)

    at = line.at(reported, line.keep(key, register))
    if index == CORRECTED_ROOM and code:
        line.at(at + timedelta(minutes=3), _correct_room(line, at, key, right))
    if state in ("late_dispatch", "fresh"):
        return
    if state == "cancelled":
        reason = "住户已自行修好，取消报修"
        cancel = line.by_supervisor(lambda ctx: repair.cancel(ctx, line.ids[key], reason))
        line.at(at + timedelta(minutes=40), cancel)
        return
    if state == "referred_out":
        line.at(
            at + timedelta(minutes=15),
            lambda ctx: repair.refer_out(ctx, line.ids[key], referred_to, reason),
        )
        return
    technician = rng.choice(technicians)
    late = rng.random() < 0.1
    at = line.at(
        at + timedelta(minutes=rng.randint(35, 70) if late else rng.randint(5, 25)),
        lambda ctx: repair.dispatch(ctx, line.ids[key], technician),
    )
    if state == "dispatched":
        if appointment is not None and appointment > now:
            # the resident asked for a later visit, and agreed to it before it was due (003)
            move = VisitReschedule(appointment_at=appointment + timedelta(hours=2), agreed_by=name)
            line.at(
                max(at + timedelta(minutes=10), now - timedelta(minutes=30)),
                lambda ctx: repair.reschedule(ctx, line.ids[key], move),
            )
        return
    if paid:  # the price told on the phone and agreed before the technician goes (003)
        line.at(
            at + timedelta(minutes=1),
            lambda ctx: repair_billing.agree_price(ctx, line.ids[key], 8000, name),
        )
    at = line.at(
        at + timedelta(minutes=rng.randint(20, 150)),
        lambda ctx: repair.arrive(ctx, line.ids[key]),
    )
    if state == "on_site":
        return
    done = at + timedelta(minutes=rng.randint(30, 120))
    completion = RepairCompletion(
        work_done=work,
        labour_fen=rng.choice((3000, 5000, 8000, 12000)) if paid else 0,
        material_fen=rng.choice((0, 1500, 3500, 6800)) if paid else 0,
        resident_materials="业主自备配件，验收合格" if paid and rng.random() < 0.2 else "",
        resident_signed=location == "unit",
        leak_test_at=done - timedelta(hours=1) if category == "leak" else None,
    )
    at = line.at(done, lambda ctx: repair.complete(ctx, line.ids[key], completion))
    if paid:  # the third copy to finance; paid (with a receipt) by the orders since closed
        billed = line.at(
            at + timedelta(minutes=30), lambda ctx: repair_billing.bill(ctx, line.ids[key])
        )
        if state == "closed":
            receipt = f"SF{index + 1:06d}"
            line.at(
                billed + timedelta(days=1),
                lambda ctx: repair_billing.pay(ctx, line.ids[key], receipt),
            )
    if state in ("callback_due", "callback_overdue"):
        return
    later = at + timedelta(hours=rng.randint(3, 40))
    if state == "reopened":
        unhappy = CallbackResult(satisfied=False, note="住户反映修好后第二天又开始滴水")
        at = line.at(later, lambda ctx: repair.call_back(ctx, line.ids[key], unhappy))
        line.at(
            at + timedelta(minutes=20),
            lambda ctx: repair.dispatch(ctx, line.ids[key], technician),
        )
        return
    note = rng.choice(("住户表示满意", "已修好，住户满意", "电话回访，满意"))
    happy = CallbackResult(satisfied=True, note=note)
    line.at(later, lambda ctx: repair.call_back(ctx, line.ids[key], happy))
