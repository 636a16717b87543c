"""A realistic demo site built through the real services: three weeks of a front desk's work.

Deterministic for a seed: the simulated clock runs from three weeks before `now` up to `now`,
every action is done by the operator on duty at that moment, and actions are replayed in time
order so that record numbers follow the clock.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from desk.config import Settings
from desk.db import Database
from desk.models import (
    Complaint,
    Operator,
    ReceptionEntry,
    RepairLocation,
    RepairOrder,
    Resident,
    Role,
    Unit,
)
from desk.services import operators, reception, repair, replies, residents
from desk.services.calendar import WorkCalendar
from desk.services.context import Ctx
from desk.services.demo_complaints import plan_complaints
from desk.services.demo_keys import plan_keys
from desk.services.demo_passes import plan_passes
from desk.services.demo_shifts import plan_shifts
from desk.services.reception import ReceptionCreate
from desk.services.repair import CallbackResult, RepairCompletion, RepairCreate

# Listed in the README and printed by `desk demo`.
DEMO_OPERATORS = (
    ("王芳", Role.clerk, "1111"),
    ("刘洋", Role.clerk, "2222"),
    ("张伟", Role.night, "3333"),
    ("陈静", Role.supervisor, "9999"),
)
DAYS = 21
UNITS = 300
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
    "董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏方邹熊秦江薛"
)
_GIVEN = """
伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 华 红 文 斌 宇 浩 凯 鹏 晨 欣
怡 婷 雪 琳 佳 秀英 桂英 建华 玉兰 子涵 梓轩 思远 国庆 建国 志强 海燕 春梅 晓东 晓燕 丽华
德明 永红 俊杰 雨桐 一鸣 嘉怡 浩然 淑珍 振华 文静
"""
GIVEN = _GIVEN.split()
_PREFIXES = "133 135 136 137 138 139 150 151 152 158 159 177 180 181 186 187 188 189 199"
PHONE_PREFIXES = _PREFIXES.split()

# category | what was asked | what was done | department referred to (a reply is then owed)
ENQUIRIES = [
    line.split("|")
    for line in """
enquiry|咨询物业费缴费方式，能否按年缴纳|告知可在管理处或公众号缴纳，按年缴纳九五折|
enquiry|询问地下车位月租价格及是否还有空位|告知月租 300 元，空位数待安管部确认|security
enquiry|咨询装修申报需要哪些资料|告知需身份证、装修图纸、施工队资质及装修押金|
enquiry|询问本周停水时间|告知周三 9:00-15:00 清洗二次供水水箱，已张贴通知|
enquiry|询问停电检修的具体时间|告知周六 8:00-12:00 配电房检修，电梯暂停|
enquiry|咨询门禁卡补办费用|告知工本费 20 元，带身份证到管理处办理|
enquiry|询问物业费发票如何开具|已转财务部，开好后电话通知|finance
enquiry|询问装修垃圾清运收费标准|告知每车 150 元，需提前一天预约|
enquiry|咨询宠物登记和遛狗规定|告知需到社区登记，遛狗须牵绳|
enquiry|询问电梯年检时间|告知下周二起各栋依次年检，每部约半天|
enquiry|询问业主大会何时召开|已转管理处主任，定下时间后回复|head
application|申请亲友来访临时停车三天|已登记车牌，发放临时停车证|
application|申请装修施工人员出入证|资料齐全，已办理 3 张出入证|
application|申请周六下午使用会所活动室|待安管部确认场地后回复|security
suggestion|建议增设电动车充电桩|已记录，转管理处主任研究|head
suggestion|建议儿童游乐区加装遮阳棚|已记录并致谢|
complaint|反映楼上夜间装修噪音|已转安管部上门劝导|security
complaint|反映单元大堂保洁不及时|已转环境部整改|cleaning
other|捡到钥匙一串交前台|已登记，放失物柜|
other|寄存快递一件，家人下午来取|已登记寄存|
""".strip().splitlines()
]

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

Action = Callable[[Ctx], Any]
Room = tuple[str, str, str]  # room code, a resident's name, their phone


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    action: Action = field(compare=False)


@dataclass(frozen=True)
class DemoSummary:
    units: int
    residents: int
    reception: int
    repairs: int
    complaints: int = 0


class _Timeline:
    """Actions at moments of the simulated clock, replayed in time order as the operator on duty."""

    def __init__(self, settings: Settings, now: datetime, ops: dict[str, Operator]):
        self.settings, self.now, self.ops = settings, now, ops
        self.steps: list[_Step] = []
        self.ids: dict[str, int] = {}
        self.calendar = WorkCalendar()

    def at(self, moment: datetime, action: Action) -> datetime:
        """Schedule `action`; services refuse the future, so nothing goes past a minute ago."""
        moment = min(moment, self.now - timedelta(minutes=1))
        self.steps.append(_Step(moment, len(self.steps), action))
        return moment

    def keep(self, key: str, action: Callable[[Ctx], Any]) -> Action:
        """An action whose saved record's id is remembered under `key`."""

        def run(ctx: Ctx) -> None:
            self.ids[key] = action(ctx).id

        return run

    def by_supervisor(self, action: Action) -> Action:
        """An action only a supervisor may take (a cancellation, a dismissal): done by 陈静."""
        boss = self.ops["陈静"]
        return lambda ctx: action(Ctx(ctx.session, boss, ctx.settings, ctx.now, self.calendar))

    def on_duty(self, moment: datetime) -> Operator:
        local = moment.astimezone(self.settings.tz)
        if time(8, 30) <= local.time() < time(17, 30):
            return self.ops["王芳" if local.toordinal() % 2 else "刘洋"]
        return self.ops["张伟"]

    def run(self, session: Session) -> None:
        for step in sorted(self.steps):
            step.action(Ctx(session, self.on_duty(step.at), self.settings, step.at, self.calendar))


def has_data(database: Database) -> bool:
    with database.reading() as session:
        return session.exec(select(func.count()).select_from(Operator)).one() > 0


def is_demo(database: Database) -> bool:
    with database.reading() as session:
        names = set(session.exec(select(Operator.name)))
    return {name for name, _, _ in DEMO_OPERATORS} <= names


def summary(database: Database) -> DemoSummary:
    with database.reading() as session:
        counts = [
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Unit, Resident, ReceptionEntry, RepairOrder, Complaint)
        ]
    return DemoSummary(*counts)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _rooms(buildings: list[str]) -> list[tuple[str, str]]:
    """About UNITS rooms spread over the buildings: 3-1202 is building 3, floor 12, unit 02."""
    per_building = max(1, UNITS // len(buildings))
    floors = min(32, max(6, per_building // 2))
    per_floor = -(-per_building // floors)
    rooms: list[tuple[str, str]] = []
    for building in buildings:
        numbers = [f"{f}{u:02d}" for f in range(1, floors + 1) for u in range(1, per_floor + 1)]
        rooms += [(building, number) for number in numbers[:per_building]]
    return rooms


def _moment(rng: random.Random, line: _Timeline, day: int) -> datetime:
    """A moment on simulated day `day` (0 = three weeks ago): mostly office hours."""
    tz = line.settings.tz
    local_day = (line.now - timedelta(days=DAYS - day)).astimezone(tz).date()
    minute = rng.choice(
        (rng.randint(8 * 60, 18 * 60), rng.randint(8 * 60, 21 * 60), rng.randint(0, 1439))
    )
    return datetime.combine(local_day, time(0, 0), tzinfo=tz) + timedelta(minutes=minute)


def build_demo(database: Database, now: datetime, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the demo site, in one write transaction."""
    rng = random.Random(seed)
    settings = database.settings
    buildings = settings.buildings or ["1", "2", "3"]
    technicians = [s.name for s in settings.staff if s.department == "engineering"] or ["李建国"]
    with database.writing() as session:
        setup = Ctx(session, None, settings, now - timedelta(days=DAYS, hours=2))
        # the supervisor first (the one operator a database with none may get unasked), then
        # the others, added by her as every operator after the first is
        boss = next(entry for entry in DEMO_OPERATORS if entry[1] == Role.supervisor)
        setup.operator = operators.add_operator(setup, *boss)
        ops = {boss[0]: setup.operator} | {
            name: operators.add_operator(setup, name, role, pin)
            for name, role, pin in DEMO_OPERATORS
            if name != boss[0]
        }
        clerk_setup = Ctx(session, ops["王芳"], settings, setup.now)
        replies.seed_demo(clerk_setup, setup)
        directory: list[Room] = []
        rooms = _rooms(buildings)
        extra = set(rng.sample(range(len(rooms)), k=len(rooms) // 2))
        for index, (building, room) in enumerate(rooms):
            owner, phone = _person(rng), _phone(rng)
            residents.add_resident(setup, building, room, owner, phone, "owner")
            directory.append((f"{building}-{room}", owner, phone))
            if index in extra:
                tenant = rng.random() < 0.65
                other = _person(rng) if tenant else owner[0] + rng.choice(GIVEN)
                if other != owner:
                    kind = "tenant" if tenant else "owner"
                    residents.add_resident(setup, building, room, other, _phone(rng), kind)
        line = _Timeline(settings, now, ops)
        _plan_reception(line, rng, directory)
        for index, state in enumerate(PLAN):
            _plan_repair(line, rng, index, state, directory, technicians)
        plan_complaints(line, rng, directory)
        plan_keys(line, rng, directory)
        plan_shifts(line, rng, directory)
        plan_passes(line, rng, directory)
        line.run(session)
    return summary(database)


def _plan_reception(line: _Timeline, rng: random.Random, directory: list[Room]) -> None:
    """120 calls and visits; four replies overdue, four owed and still in time."""
    now = line.now
    choices = line.settings.reception.reply_choices or ["1wd"]
    for index in range(120):
        category, request, action, department = rng.choice(ENQUIRIES)
        spec = rng.choice(choices)
        if index < 4:  # referred a day or more ago and never answered
            received = now - timedelta(days=1 + index, hours=rng.randint(1, 6))
            department, spec = department or "service", "30m"
        elif index < 8:  # owed, not yet due
            received = now - timedelta(minutes=rng.randint(5, 25))
            department, spec = department or "engineering", "1wd"
        else:
            received = _moment(rng, line, rng.randint(0, DAYS - 2))
        code, name, phone = rng.choice(directory)
        data = ReceptionCreate(
            channel=rng.choice(("visit", "phone", "phone", "online")),
            person=name[0] + rng.choice(("先生", "女士")),
            room=code,
            phone=phone,
            category=category,
            request=request,
            action_taken=action,
            department=department,
        )

        def log(ctx: Ctx, data: ReceptionCreate = data, spec: str = spec) -> Any:
            if data.department:
                data.reply_due_at = ctx.due(ctx.now, spec)
            return reception.log(ctx, data)

        key = f"reception-{index}"
        received = line.at(received, line.keep(key, log))
        if department and index >= 8:
            reply = rng.choice(("已电话回复住户，住户认可", "已回复，住户表示满意"))

            def answer(ctx: Ctx, key: str = key, reply: str = reply) -> Any:
                return reception.answer(ctx, line.ids[key], reply)

            line.at(received + timedelta(minutes=rng.randint(10, 300)), answer)


def _plan_repair(
    line: _Timeline,
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
        reported = _moment(rng, line, DAYS - days_ago.get(state, rng.randint(2, DAYS - 1)))
    elif state in ("callback_overdue", "reopened"):
        reported = _moment(rng, line, DAYS - days_ago.get(state, 5))
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

    def register(ctx: Ctx) -> Any:
        if from_desk:
            data.reception_id = line.ids[f"{key}-desk"]
        return repair.register(ctx, data)

    at = line.at(reported, line.keep(key, register))
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
        return
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
