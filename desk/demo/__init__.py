"""A realistic demo site built through the real services: three weeks of a front desk's work.

Deterministic for a seed: the simulated clock runs from three weeks before `now` up to `now`,
every action is done by the operator on duty at that moment, and actions are replayed in time
order so that record numbers follow the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from desk.db import Database
from desk.demo.cards import plan_cards
from desk.demo.complaints import plan_complaints
from desk.demo.fees import plan_fees
from desk.demo.incidents import plan_incidents
from desk.demo.keys import plan_keys
from desk.demo.move_ins import plan_move_ins
from desk.demo.owner_changes import plan_owner_changes
from desk.demo.paid_services import plan_paid_services
from desk.demo.passes import plan_passes
from desk.demo.patrols import plan_patrols
from desk.demo.renovations import plan_renovations
from desk.demo.repairs import PLAN, plan_repair
from desk.demo.shifts import plan_shifts
from desk.demo.timeline import DAYS, Room, Timeline, moment
from desk.demo.worker_passes import plan_worker_passes
from desk.models import (
    Complaint,
    Operator,
    ReceptionEntry,
    RepairOrder,
    Resident,
    Role,
    Unit,
)
from desk.services import estates, operators, reception, replies, residents
from desk.services.context import Ctx
from desk.services.reception import ReceptionCreate

# Listed in the README and printed by `desk demo`.
DEMO_OPERATORS = (
    ("王芳", Role.clerk, "1111"),
    ("刘洋", Role.clerk, "2222"),
    ("张伟", Role.night, "3333"),
    ("陈静", Role.supervisor, "9999"),
)
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


@dataclass(frozen=True)
class DemoSummary:
    units: int
    residents: int
    reception: int
    repairs: int
    complaints: int = 0


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


# the demo's other estates (a company's; on PostgreSQL the demo builds the first of them too)
OTHER_ESTATES = (("HG", "和谷园", "Hegu Garden"), ("LX", "绿溪苑", "Luxi Court"))


def build_demo(
    database: Database, now: datetime, seed: int = 2026, estates_count: int = 1
) -> DemoSummary:
    """Fill an empty database with the demo site, in one write transaction per estate: the
    default estate, and `estates_count - 1` more, each with every register."""
    rng = random.Random(seed)
    settings = database.settings
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
        _fill(setup, ops, rng, now)
    for code, name, name_en in OTHER_ESTATES[: max(0, estates_count - 1)]:
        with database.writing() as session:
            added = estates.add(
                Ctx(session, ops[boss[0]], settings, setup.now), code, name, name_en
            )
        assert added.id is not None
        other = Database(
            url=database.url,
            engine=database.engine,
            settings=settings,
            estate_id=added.id,
            estates=(added.id,),
            site_settings=database.site_settings or settings,
        )
        with other.writing() as session:
            _fill(Ctx(session, ops[boss[0]], settings, setup.now), ops, rng, now)
    return summary(database)


def _fill(setup: Ctx, ops: dict[str, Operator], rng: random.Random, now: datetime) -> None:
    """One estate's residents and every register's records, in `setup`'s session."""
    settings, session = setup.settings, setup.session
    buildings = settings.buildings or ["1", "2", "3"]
    technicians = [s.name for s in settings.staff if s.department == "engineering"] or ["李建国"]
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
    line = Timeline(settings, now, ops)
    _plan_reception(line, rng, directory)
    for index, state in enumerate(PLAN):
        plan_repair(line, rng, index, state, directory, technicians)
    plan_complaints(line, rng, directory)
    plan_keys(line, rng, directory)
    plan_shifts(line, rng, directory)
    plan_passes(line, rng, directory)
    plan_renovations(line, rng, directory)
    plan_cards(line, rng, directory)
    plan_worker_passes(line, directory)
    plan_owner_changes(line, rng, directory)  # the registers before keep their demo data
    plan_patrols(line, rng, directory)  # its own copy of the random state, as the last one's
    plan_incidents(line, rng, directory)  # its own random state too: the others draw as before
    plan_fees(line, rng, directory)  # the fee desk: its own random state
    plan_move_ins(line, rng, directory)  # the same: its own copy of the random state
    plan_paid_services(line, rng, directory)  # its own random state as well
    line.run(session)


def _plan_reception(line: Timeline, rng: random.Random, directory: list[Room]) -> None:
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
            received = moment(rng, line, rng.randint(0, DAYS - 2))
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
