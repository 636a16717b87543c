"""Site settings: read data/site.toml (or the site's own copy) into validated models."""

from __future__ import annotations

import os
import re
import tomllib
from datetime import time
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_SITE_FILE = REPO_DATA / "site.toml"


class Strict(BaseModel):
    """Settings refuse keys they do not know, so a misplaced line is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Labelled(Strict):
    """A configurable choice with a stable key and a label in each language."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    key: str
    zh_CN: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh_CN if lang == "zh_CN" else self.en


class RepairCategory(Labelled):
    callback: str = "2d"
    callback_from: str = "completed"
    # on site by, when no visit was agreed with the resident: this long after dispatch
    on_site_within: str = "2h"


class Shift(Labelled):
    start: time
    end: time
    summer_start: time | None = None
    summer_end: time | None = None
    # a cover inside another shift (lunch cover by the clerk on rotation): shown on the board,
    # but it has no handover of its own
    cover: bool = False


class StaffMember(Strict):
    name: str
    department: str = ""
    skill: str = ""


class SiteInfo(Strict):
    name: str = "desk"
    name_en: str = "desk"
    timezone: str = "Asia/Shanghai"
    language: str = "auto"
    printer: str = ""
    # the estate this desk works in (its code; "*" for the call-centre desk); empty: the only
    # estate of the database (`desk --estate CODE` or DESK_ESTATE choose otherwise)
    estate: str = ""


class SignInRules(Strict):
    max_failures: int = 5
    lockout_minutes: int = 15


class RepairRules(Strict):
    dispatch_within: str = "30m"
    arrival_grace: str = "10m"


class ReceptionRules(Strict):
    reply_choices: list[str] = Field(default_factory=lambda: ["30m", "1wd", "3wd"])
    max_reply: str = "3wd"


class ComplaintRule(Strict):
    """Deadlines of one severity: durations such as "1h", "2d", "5wd", "same_day"."""

    escalate: str | None = None
    escalate_to: str = ""
    reply: str | None = None
    resolve: str = "2d"
    resolve_max: str | None = None
    resident_deadline: bool = False


# 000 第二篇: a major complaint goes to the office head, an important one to the department head
ESCALATION_ROLES = (
    Labelled(key="office_head", zh_CN="管理处主任", en="Office head"),
    Labelled(key="department_head", zh_CN="部门负责人", en="Department head"),
)


class ComplaintRules(Strict):
    deadline_table: str = "standard"
    callback: str = "2d"
    # "the same day" leaves at least this much time (m or h) inside office hours: a complaint
    # received later is due at the next opening plus it
    same_day_minimum: str = "1h"
    office_opens: time = time(8, 30)
    office_closes: time = time(17, 30)

    @field_validator("same_day_minimum")
    @classmethod
    def _minutes_or_hours(cls, value: str) -> str:
        if not value.strip().endswith(("m", "h")) or not value.strip()[:-1].isdigit():
            raise ValueError(f"same_day_minimum: minutes or hours (30m, 1h), not {value!r}")
        return value


class KeyRules(Strict):
    # when a loan is due back: a duration ("4h", "1d") or "shift_end" (the end of the shift
    # the keys went out in)
    loan_return: str = "shift_end"
    # how often the keys in custody are counted
    count_every: str = "7d"


class PassRules(Strict):
    # how long a release pass is valid: "same_day" (until midnight) or a duration
    valid_for: str = "same_day"


class CardRules(Strict):
    """Resident cards (001 业主卡办理): the documents give the resident card's 3 months; the
    rest are the desk's defaults."""

    # a resident card (住户卡: a tenant's, a family member's) is valid this many months from its
    # issue, and each renewal adds as many; an owner card (业主卡) has no expiry
    resident_months: int = Field(default=3, ge=1, le=60)
    # resident cards shown on the board and the handover this many days before they expire
    expiring_within_days: int = Field(default=14, ge=0, le=92)
    # the fee for a card replacing a lost one (补办工本费), in yuan
    replacement_fee: Decimal = Field(default=Decimal("20"), ge=0, le=10000, decimal_places=2)


# the works an application may touch that need the engineering department's special approval
# and a signed undertaking (Renovation.touches_<key>)
SPECIAL_WORKS = ("structure", "walls", "lines", "facade")
_DURATION = re.compile(r"^\s*\d+\s*(m|h|d|wd)\s*$")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class RenovationRules(Strict):
    """Renovation (装修办理): the documents say 3 working days for the approval and the deposit
    back without interest 3 months after the first inspection that passed; the amounts, the
    hours and which works need a special approval are the site's own (these are defaults)."""

    # yuan: the deposit (装修保证金) and the debris removal fee (装修垃圾清运费) asked by default
    deposit: int = Field(default=3000, ge=0, le=1_000_000)
    debris_fee: int = Field(default=300, ge=0, le=1_000_000)
    # the engineering department's approval is due this long after the papers reach it
    approval_within: str = "3wd"
    # the deposit is due back this many months after the first inspection that passed
    refund_months: int = Field(default=3, ge=0, le=36)
    # and is paid "on time" when paid within this long after that day
    refund_within: str = "5wd"
    # when works may make noise, as local "HH:MM-HH:MM" windows
    permitted_hours: list[str] = Field(default_factory=lambda: ["08:00-12:00", "14:00-18:00"])
    # which of the works need the special approval and a signed undertaking
    special_approval: list[str] = Field(default_factory=lambda: list(SPECIAL_WORKS))
    # a renovation worker's temporary pass (施工人员临时出入证): its fee in fen (1000 = ¥10.00;
    # 0: free), the default the desk offers when a pass is issued
    worker_pass_fee_fen: int = Field(default=1000, ge=0, le=1_000_000)
    # worker passes ending within this many days are listed on the board and the handover
    worker_pass_warn_days: int = Field(default=7, ge=0, le=90)

    @field_validator("approval_within", "refund_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"not a duration such as 3wd or 5d: {value!r}")
        return value

    @field_validator("permitted_hours")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        for window in value:
            found = _HOURS.match(window.strip())
            if found is None or found.group(1, 2) >= found.group(3, 4):
                raise ValueError(f"permitted_hours: not a window such as 08:00-12:00: {window!r}")
        return [window.strip() for window in value]

    @field_validator("special_approval")
    @classmethod
    def _works(cls, value: list[str]) -> list[str]:
        unknown = [work for work in value if work not in SPECIAL_WORKS]
        if unknown:
            raise ValueError(f"special_approval: {unknown} (known: {', '.join(SPECIAL_WORKS)})")
        return value

    def windows(self) -> list[tuple[time, time]]:
        """The permitted hours as (start, end) local times."""
        out = []
        for window in self.permitted_hours:
            start, end = window.split("-")
            out.append((time.fromisoformat(start), time.fromisoformat(end)))
        return out


class OwnerChangeRules(Strict):
    """Owner record changes (001 业主资料更改): where the documents are silent, these defaults."""

    # a declaration is applied to the directory within this (the board shows it due)
    apply_within: str = "2wd"
    # failed identity checks by phone for one room within a day, after which that room's
    # changes are taken in person only until the day is over
    phone_refusals_per_day: int = Field(default=3, ge=1)

    @field_validator("apply_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not re.fullmatch(r"\s*[1-9][0-9]*\s*(m|h|d|wd)\s*", value):
            raise ValueError(f"apply_within: a duration (2wd, 1d, 4h), not {value!r}")
        return value


# 001 「突发事故」 names no kinds: water, electricity, gas, fire, lift, flood, security, other
INCIDENT_KINDS = (
    Labelled(key="water", zh_CN="水", en="Water"),
    Labelled(key="electricity", zh_CN="电", en="Electricity"),
    Labelled(key="gas", zh_CN="燃气", en="Gas"),
    Labelled(key="fire", zh_CN="火警", en="Fire"),
    Labelled(key="lift", zh_CN="电梯", en="Lift"),
    Labelled(key="flood", zh_CN="水浸", en="Flood"),
    Labelled(key="security", zh_CN="治安", en="Security"),
    Labelled(key="other", zh_CN="其他", en="Other"),
)
INCIDENT_STEPS = 9


class IncidentSeverity(Labelled):
    """A severity of incident: how many minutes after the incident is opened each of the nine
    steps of 001 is due (in 001's order)."""

    due_minutes: list[int]

    @field_validator("due_minutes")
    @classmethod
    def _nine(cls, value: list[int]) -> list[int]:
        if len(value) != INCIDENT_STEPS or any(not 0 <= m <= 60 * 24 * 30 for m in value):
            raise ValueError(f"due_minutes: nine minutes (0..43200), one a step: {value!r}")
        return value


# The documents say "紧接" (at once) and no minutes: these are a site's to change.
INCIDENT_SEVERITIES = (
    IncidentSeverity(
        key="minor", zh_CN="一般", en="Minor", due_minutes=[10, 15, 30, 30, 60, 60, 120, 1440, 1440]
    ),
    IncidentSeverity(
        key="serious", zh_CN="严重", en="Serious", due_minutes=[5, 10, 15, 20, 20, 30, 60, 720, 60]
    ),
    IncidentSeverity(
        key="major", zh_CN="重大", en="Major", due_minutes=[2, 5, 10, 10, 10, 15, 30, 480, 30]
    ),
)


class FindingDepartment(Labelled):
    """A department a finding is sent to: how many working days it has to put it right, and
    whether a finding sent to it becomes a repair order (the repairs department)."""

    rectify_within: str = "3wd"
    repair_order: bool = False


FINDING_DEPARTMENTS = (
    FindingDepartment(
        key="repairs",
        zh_CN="工程维修部",
        en="Engineering & repairs",
        rectify_within="3wd",
        repair_order=True,
    ),
    FindingDepartment(key="cleaning", zh_CN="环境部", en="Cleaning", rectify_within="1wd"),
    FindingDepartment(key="security", zh_CN="安管部", en="Security", rectify_within="1wd"),
    FindingDepartment(key="landscaping", zh_CN="绿化", en="Landscaping", rectify_within="3wd"),
    FindingDepartment(key="service", zh_CN="客服中心", en="Customer service", rectify_within="2wd"),
)


class FindingRules(Strict):
    """Findings (整改) of every register: 001 says only "sent to the department, rectified,
    re-inspected, accepted or redone"; every time here is the desk's default."""

    # a finding raised is sent to its department within this
    send_within: str = "4h"
    # a rectified finding is re-inspected within this
    recheck_within: str = "1wd"
    departments: list[FindingDepartment] = Field(default_factory=lambda: list(FINDING_DEPARTMENTS))

    @field_validator("send_within", "recheck_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"not a duration such as 4h or 1wd: {value!r}")
        return value

    @field_validator("departments")
    @classmethod
    def _departments(cls, value: list[FindingDepartment]) -> list[FindingDepartment]:
        for department in value:
            if not _DURATION.match(department.rectify_within):
                raise ValueError(
                    f"findings.departments.{department.key}.rectify_within: "
                    f"not a duration such as 3wd: {department.rectify_within!r}"
                )
        if len({d.key for d in value}) != len(value):
            raise ValueError("findings.departments: a key is listed twice")
        return value

    def department(self, key: str) -> FindingDepartment | None:
        return next((d for d in self.departments if d.key == key), None)


# how often a route is walked: every day, every week (Monday to Sunday), when heavy rain is
# forecast or has fallen (before and after it), or as needed (a renovation's supervision visit):
# the last two are started by the desk when called for, never "missed"
PATROL_EVERY = ("daily", "weekly", "heavy_rain", "as_needed")
UNSCHEDULED = ("heavy_rain", "as_needed")


class Checkpoint(Labelled):
    """A checkpoint of a route, and the department its findings go to by default."""

    department: str = "repairs"


class PatrolRoute(Labelled):
    every: str = "daily"
    checkpoints: list[Checkpoint] = Field(default_factory=list)

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        if value not in PATROL_EVERY:
            raise ValueError(f"patrol route every: one of {', '.join(PATROL_EVERY)}, not {value!r}")
        return value


def _cp(key: str, zh: str, en: str, department: str = "repairs") -> Checkpoint:
    return Checkpoint(key=key, zh_CN=zh, en=en, department=department)


# 001 日常巡查 ⑴: the building itself, its facilities, security, cleaning, landscaping, residents'
# renovations, fire equipment, the estate's signs, the car park; ⑵ equipment in use
ESTATE_CHECKPOINTS = (
    _cp("fabric", "建筑物本体", "Building fabric"),
    _cp("facilities", "附属设施", "Facilities"),
    _cp("equipment", "设施设备运行", "Equipment running"),
    _cp("security", "安全防范", "Security", "security"),
    _cp("cleaning", "环境卫生", "Cleaning", "cleaning"),
    _cp("landscaping", "园林绿化", "Landscaping", "landscaping"),
    _cp("renovations", "住户装修", "Renovations", "service"),
    _cp("fire", "消防设施设备", "Fire equipment"),
    _cp("signs", "小区标识", "Signs", "service"),
    _cp("car_park", "停车场", "Car park", "security"),
)
PATROL_ROUTES = (
    PatrolRoute(
        key="estate",
        zh_CN="全区日常巡查",
        en="Daily estate round",
        every="daily",
        checkpoints=list(ESTATE_CHECKPOINTS),
    ),
    PatrolRoute(
        key="fire",
        zh_CN="消防设施周检",
        en="Weekly fire equipment round",
        every="weekly",
        checkpoints=[
            _cp("hydrants", "消火栓", "Hydrants"),
            _cp("extinguishers", "灭火器", "Extinguishers"),
            _cp("exits", "疏散通道及应急灯", "Exits and emergency lights", "security"),
        ],
    ),
    PatrolRoute(
        key="custody",
        zh_CN="托管房每周巡查",
        en="Weekly round of rooms in custody",
        every="weekly",
        checkpoints=[
            _cp("doors_windows", "门窗", "Doors and windows"),
            _cp("meters", "水电表", "Meters"),
            _cp("leaks", "渗漏", "Leaks"),
        ],
    ),
    PatrolRoute(
        key="custody_rain",
        zh_CN="托管房暴雨巡查",
        en="Heavy-rain round of rooms in custody",
        every="heavy_rain",
        checkpoints=[
            _cp("doors_windows", "门窗关闭", "Doors and windows shut"),
            _cp("drains", "地漏及排水", "Drains"),
            _cp("leaks", "渗漏", "Leaks"),
        ],
    ),
    # a renovation's supervision visit (001 装修办理 ⑺) is a round of this route, linked to the
    # renovation (desk.services.renovation.visit)
    PatrolRoute(
        key="renovation",
        zh_CN="装修巡查",
        en="Renovation supervision",
        every="as_needed",
        checkpoints=[_cp("works", "装修现场", "The works", "service")],
    ),
)


class IncidentRules(Strict):
    """Emergency incidents (001 突发事故): their kinds and severities (the site's table)."""

    kinds: list[Labelled] = Field(default_factory=lambda: list(INCIDENT_KINDS))
    severities: list[IncidentSeverity] = Field(default_factory=lambda: list(INCIDENT_SEVERITIES))

    def kind(self, key: str) -> Labelled | None:
        return next((k for k in self.kinds if k.key == key), None)

    def severity(self, key: str) -> IncidentSeverity | None:
        return next((s for s in self.severities if s.key == key), None)


class MoveInRules(Strict):
    """Move-in (入伙) and 托管: 000 四.1 ⑥ sets the 托管 limits (water 5, electricity 20 units)
    and weekly and heavy-rain patrols; the fee, the re-inspection's timing and how soon a reading
    over its limit is told to the owner are the site's own (these are defaults)."""

    # units used since 托管 began over which a patrol's reading is flagged
    custody_water_limit: float = Field(default=5.0, ge=0, le=100_000)
    custody_electricity_limit: float = Field(default=20.0, ge=0, le=100_000)
    # the patrol routes a 托管 patrol is a round of (the weekly round is the one that falls due)
    custody_route: str = "custody"
    custody_rain_route: str = "custody_rain"
    # a 托管 patrol is due this long after the last (or after 托管 began)
    custody_patrol_every: str = "7d"
    # the fee asked by default at the move-in, in fen (0: finance's schedule, typed each time)
    fee_fen: int = Field(default=0, ge=0, le=100_000_000)
    # a problem found at the inspection goes to this department of [findings] by default
    department: str = "repairs"
    # the owner is to be told of a reading over its limit within this long
    tell_owner_within: str = "1d"

    @field_validator("custody_patrol_every", "tell_owner_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"not a duration such as 3wd or 5d: {value!r}")
        return value


class PatrolRules(Strict):
    """Daily patrol (001 日常巡查): the routes, their checkpoints and how often each is walked."""

    routes: list[PatrolRoute] = Field(default_factory=lambda: list(PATROL_ROUTES))
    # missed rounds are counted back this many days at most (and never before a route's first)
    missed_within_days: int = Field(default=7, ge=1, le=92)
    # a round is written down within this many hours of its start, or not at all: a missed
    # round stays missed (a round typed in days later would clear it)
    record_within_hours: int = Field(default=24, ge=1, le=24 * 7)
    # the route a renovation's supervision visit is a round of ("": visits make no round)
    renovation_route: str = "renovation"

    @field_validator("routes")
    @classmethod
    def _routes(cls, value: list[PatrolRoute]) -> list[PatrolRoute]:
        if len({r.key for r in value}) != len(value):
            raise ValueError("patrol.routes: a key is listed twice")
        for route in value:
            if not route.checkpoints:
                raise ValueError(f"patrol.routes.{route.key}: no checkpoints")
            if len({c.key for c in route.checkpoints}) != len(route.checkpoints):
                raise ValueError(f"patrol.routes.{route.key}: a checkpoint is listed twice")
        return value

    def route(self, key: str) -> PatrolRoute | None:
        return next((r for r in self.routes if r.key == key), None)

    @model_validator(mode="after")
    def _renovation_route(self) -> PatrolRules:
        if self.renovation_route and self.route(self.renovation_route) is None:
            raise ValueError(f"patrol.renovation_route: no route {self.renovation_route!r}")
        return self


class ChecklistItem(Labelled):
    """A tool or piece of equipment counted at every handover (对讲机 2, 手电筒 2 ...)."""

    expected: int = 1


class HandoverRules(Strict):
    """What is checked when a shift is handed over."""

    checklist: list[ChecklistItem] = Field(default_factory=list)
    # the desk must be cleaned and the previous shift's log read before the incoming accepts
    require_desk_cleaned: bool = True
    require_log_read: bool = True


class Summer(Strict):
    start: str = "05-01"
    end: str = "09-30"

    @field_validator("start", "end")
    @classmethod
    def _month_day(cls, value: str) -> str:
        month, day = (int(part) for part in value.split("-"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ValueError(f"not a month-day: {value}")
        return value


FEE_KINDS = (
    Labelled(key="management", zh_CN="物业管理费", en="Management fee"),
    Labelled(key="water", zh_CN="代收水费", en="Water (collected for the utility)"),
    Labelled(key="electricity", zh_CN="代收电费", en="Electricity (collected for the utility)"),
    Labelled(key="parking", zh_CN="车位管理费", en="Parking space fee"),
)


class FeeRules(Strict):
    """The fee desk (交纳物业管理费 / 催缴, 000 篇四.2(4)): the documents give the ladder (phone or
    SMS reminder, a letter by express mail when a reminder is 3 months old and unpaid, a home
    visit, legal) and the 70% management fee of a room in 托管; the rest is the site's own."""

    # the fee kinds finance's file may name: the management fee (key "management") and the
    # 代收代办 items the site collects for others
    kinds: list[Labelled] = Field(default_factory=lambda: list(FEE_KINDS))
    # the share of the management fee a room in 托管 is charged
    custody_share: float = Field(default=0.70, gt=0, le=1)
    # a room is due a reminder once its oldest unpaid month is this many months old
    remind_after_months: int = Field(default=1, ge=0, le=24)
    # a letter by express mail is due this many months after the first reminder still unpaid
    letter_after_months: int = Field(default=3, ge=1, le=24)
    # a home visit is due this many days after the letter, legal this many after the visit
    visit_after_days: int = Field(default=30, ge=1, le=365)
    legal_after_days: int = Field(default=30, ge=1, le=365)
    # the SMS gateway: a command given the phone and the text as its last two arguments
    # ("" — the desk sends no SMS: a reminder by SMS is recorded only)
    sms_command: str = ""
    # the letter's text, a file the site edits ({owner} {room} {amount} {months} {site} {date}
    # {kinds}), relative to site.toml; "" or a missing file: the desk's own text
    letter_template: str = "fee_letter.txt"

    def kind(self, key: str) -> Labelled | None:
        return next((k for k in self.kinds if key in (k.key, k.zh_CN, k.en)), None)


class ServiceItem(Labelled):
    """A paid convenience service of the site's published list (便民服务 / 有偿服务): its unit
    in each language, its price per unit in fen, and the department that does it."""

    unit_zh_CN: str
    unit_en: str
    price_fen: int = Field(ge=0, le=100_000_000)
    department: str

    def unit(self, lang: str) -> str:
        return self.unit_zh_CN if lang == "zh_CN" else self.unit_en


def _si(key: str, zh: str, en: str, unit: tuple[str, str], fen: int, dept: str) -> ServiceItem:
    return ServiceItem(
        key=key, zh_CN=zh, en=en, unit_zh_CN=unit[0], unit_en=unit[1], price_fen=fen,
        department=dept,
    )  # fmt: skip


_M2 = ("平方米", "m²")
_EACH = ("次", "visit")
# 004 家政保洁 lists ten services and 000 五 the convenience services; the documents give no
# prices: these are the desk's defaults, the site publishes its own in site.toml
SERVICE_ITEMS = (
    _si("move_in_clean", "开荒清洁", "Move-in deep clean", _M2, 500, "housekeeping"),
    _si("carpet_wash", "地毯清洗", "Carpet washing", _M2, 800, "housekeeping"),
    _si("carpet_care", "地毯保养", "Carpet care", _M2, 600, "housekeeping"),
    _si("floor_wax", "地板打蜡", "Floor waxing", _M2, 600, "housekeeping"),
    _si("sofa_clean", "沙发清洁保养", "Sofa cleaning", ("座", "seat"), 5000, "housekeeping"),
    _si("furniture_care", "家具保养", "Furniture care", ("件", "piece"), 3000, "housekeeping"),
    _si("glass_clean", "玻璃清洁", "Window cleaning", _M2, 400, "housekeeping"),
    _si("stone_crystal", "石材地面结晶", "Stone floor crystallising", _M2, 1500, "housekeeping"),
    _si("unblock_drain", "疏通管道", "Unblocking a drain", _EACH, 8000, "engineering"),
    _si("lock_core", "换锁芯", "Changing a lock core", _EACH, 12000, "engineering"),
)


class ServiceRules(Strict):
    """Paid convenience services (000 五; 004 增值服务回访): the documents say the details are
    agreed, the department head sends someone at the agreed time, the resident accepts, pays
    and is called back; every time and price here is the site's own (these are defaults)."""

    # an agreed booking is sent to the department head within this
    send_within: str = "2h"
    # the work is "on time" when done no later than the agreed time plus this
    late_after: str = "30m"
    # a paid booking is called back (增值服务回访) within this
    callback_within: str = "2wd"
    items: list[ServiceItem] = Field(default_factory=lambda: list(SERVICE_ITEMS))

    @field_validator("send_within", "late_after", "callback_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"not a duration such as 2h or 2wd: {value!r}")
        return value

    @field_validator("items")
    @classmethod
    def _unique(cls, value: list[ServiceItem]) -> list[ServiceItem]:
        if len({item.key for item in value}) != len(value):
            raise ValueError("services.items: two services with one key")
        return value

    def item(self, key: str) -> ServiceItem | None:
        return next((i for i in self.items if i.key == key), None)


class Settings(Strict):
    """Everything a site may change, as read from its site.toml."""

    site: SiteInfo = Field(default_factory=SiteInfo)
    signin: SignInRules = Field(default_factory=SignInRules)
    buildings: list[str] = Field(default_factory=list)
    departments: list[Labelled] = Field(default_factory=list)
    repair_categories: list[RepairCategory] = Field(default_factory=list)
    repair: RepairRules = Field(default_factory=RepairRules)
    reception: ReceptionRules = Field(default_factory=ReceptionRules)
    summer: Summer = Field(default_factory=Summer)
    shifts: list[Shift] = Field(default_factory=list)
    staff: list[StaffMember] = Field(default_factory=list)
    complaint_categories: list[Labelled] = Field(default_factory=list)
    complaints: ComplaintRules = Field(default_factory=ComplaintRules)
    keys: KeyRules = Field(default_factory=KeyRules)
    passes: PassRules = Field(default_factory=PassRules)
    cards: CardRules = Field(default_factory=CardRules)
    renovation: RenovationRules = Field(default_factory=RenovationRules)
    fees: FeeRules = Field(default_factory=FeeRules)
    services: ServiceRules = Field(default_factory=ServiceRules)
    owner_changes: OwnerChangeRules = Field(default_factory=OwnerChangeRules)
    incidents: IncidentRules = Field(default_factory=IncidentRules)
    findings: FindingRules = Field(default_factory=FindingRules)
    patrol: PatrolRules = Field(default_factory=PatrolRules)
    move_ins: MoveInRules = Field(default_factory=MoveInRules)
    handover: HandoverRules = Field(default_factory=HandoverRules)
    complaint_tables: dict[str, dict[str, ComplaintRule]] = Field(default_factory=dict)
    # whom a complaint is escalated to (a severity's escalate_to names one by key or label)
    escalation_roles: list[Labelled] = Field(default_factory=lambda: list(ESCALATION_ROLES))
    source: Path | None = Field(default=None, exclude=True)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    def department(self, key: str) -> Labelled | None:
        return next((d for d in self.departments if d.key == key), None)

    def repair_category(self, key: str) -> RepairCategory | None:
        return next((c for c in self.repair_categories if c.key == key), None)

    def complaint_category(self, key: str) -> Labelled | None:
        return next((c for c in self.complaint_categories if c.key == key), None)

    def escalation_role(self, name: str) -> Labelled | None:
        """The listed role or person `name` is the key or a label of (None: not on the list)."""
        name = name.strip()
        return next((r for r in self.escalation_roles if name in (r.key, r.zh_CN, r.en)), None)

    def complaint_rule(self, severity: str, table: str | None = None) -> ComplaintRule:
        """The deadlines of a severity in the site's chosen table (or the one named)."""
        chosen = self.complaint_tables.get(table or self.complaints.deadline_table, {})
        return chosen.get(severity, ComplaintRule())

    @model_validator(mode="after")
    def _deadline_table_exists(self) -> Settings:
        if self.complaint_tables and self.complaints.deadline_table not in self.complaint_tables:
            raise ValueError(
                f"complaints.deadline_table: no table {self.complaints.deadline_table!r}"
            )
        if self.departments:
            for item in self.services.items:
                if self.department(item.department) is None:
                    raise ValueError(
                        f"services.items.{item.key}.department: "
                        f"{item.department!r} is not in departments"
                    )
        for route in self.patrol.routes:
            for point in route.checkpoints:
                if self.findings.department(point.department) is None:
                    raise ValueError(
                        f"patrol.routes.{route.key}.{point.key}.department: "
                        f"{point.department!r} is not in findings.departments"
                    )
        for name, table in self.complaint_tables.items():
            for severity, rule in table.items():
                if rule.escalate_to and self.escalation_role(rule.escalate_to) is None:
                    raise ValueError(
                        f"complaint_tables.{name}.{severity}.escalate_to: "
                        f"{rule.escalate_to!r} is not in escalation_roles"
                    )
        return self


def site_file_for(db_path: Path | None) -> Path:
    """Where the site's settings live: DESK_SITE, beside the database, or the shipped default."""
    explicit = os.environ.get("DESK_SITE")
    if explicit:
        return Path(explicit)
    if db_path is not None:
        beside = db_path.parent / "site.toml"
        if beside.exists():
            return beside
    return DEFAULT_SITE_FILE


def with_overrides(settings: Settings, overrides: str, *, where: str = "estate") -> Settings:
    """`settings` with an estate's own lines (TOML) on top: a table's keys replace the same
    keys, a list replaces the list. A bad text raises ValueError naming `where`."""
    if not overrides.strip():
        return settings
    try:
        merged = _merged(settings.model_dump(exclude={"source"}), tomllib.loads(overrides))
        found = Settings.model_validate(merged)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    found.source = settings.source
    return found


def _merged(base: dict[str, object], top: dict[str, object]) -> dict[str, object]:
    out = dict(base)
    for key, value in top.items():
        below = out.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            out[key] = _merged(below, value)
        else:
            out[key] = value
    return out


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate a site.toml; a bad file raises ValueError naming the file."""
    path = path or DEFAULT_SITE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        settings = Settings.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc
    settings.source = path
    return settings
