"""Quick lookup timings on synthetic search documents (prints figures; not a test).

    .venv/bin/python bench/lookup_quick.py [--docs 200000] [--db /tmp/lookup_bench.db]

Writes N documents straight into the index tables (search_doc + search_fts, the same tokens
the flush listener writes), then times `desk.services.lookup.search` for every query form:
median and p95 of the first page (20 per register), in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from desk.config import load_settings
from desk.db import open_database
from desk.models.search import SearchDoc
from desk.services import lookup
from desk.services.context import Ctx
from desk.services.search_index import compact_number, fts_row, reversed_digits
from desk.services.search_sources import REGISTERS
from desk.services.search_tokens import rank

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅志"
PHRASES = [
    "厨房水龙头漏水",
    "卫生间下水道堵塞",
    "客厅灯不亮",
    "门禁卡失灵",
    "楼道停电",
    "空调外机噪音",
    "电梯按钮失灵",
    "楼上漏水到天花板",
    "阳台地漏返水",
    "热水器不出热水",
    "窗户关不严漏风",
    "墙面开裂渗水",
    "车位被占用",
    "宠物扰民",
    "装修噪音",
    "垃圾未及时清运",
    "咨询停水通知",
    "物业费缴费方式",
    "快递柜故障",
    "监控录像调取",
    "消防通道堆放杂物",
    "绿化带浇水",
]
PREFIX = {"repairs": "WX", "complaints": "TS", "reception": "JD", "passes": "FX", "key_loans": "JY"}


def build(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    database = open_database(path, settings=load_settings())
    start = datetime(2016, 1, 1, tzinfo=UTC)
    step = timedelta(days=3650) / count
    docs, fts = [], []
    for i in range(1, count + 1):
        weights = [40, 25, 10, 8, 2, 8, 5, 2] + [1] * (len(REGISTERS) - 8)
        register = rng.choices(REGISTERS, weights=weights)[0]
        at = start + step * i
        number = f"{PREFIX[register]}-{at:%Y%m%d}-{i % 1000:03d}" if register in PREFIX else ""
        person = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        body = "，".join(rng.sample(PHRASES, rng.choice((1, 2, 3))))
        if rng.random() < 0.001:
            body += "，锅炉房阀门生锈"  # a rare word
        building, room = rng.randint(1, 30), f"{rng.randint(1, 33):02d}{rng.randint(1, 4):02d}"
        phone = f"1{rng.randint(30, 99)}{rng.randint(0, 99999999):08d}"
        docs.append(
            {
                "id": i,
                "register_name": register,
                "record_id": i,
                "number": number,
                "number_key": compact_number(number),
                "room": f"{building}-{room}",
                "room_no": room,
                "person": person,
                "phone_rev": reversed_digits(phone),
                "body": body,
                "state": "closed",
                "at": at,
                "due_at": None,
                "operator_id": None,
            }
        )
        docs[-1]["rank"] = rank(register, i, at)
        fts.append({"id": docs[-1]["rank"], **fts_row(register, person, body)})
    began = time.perf_counter()
    with database.engine.begin() as conn:
        conn.execute(insert(SearchDoc.__table__), docs)  # type: ignore[attr-defined]
        conn.execute(
            text(
                "INSERT INTO search_fts (rowid, reg, name, grams, unis) "
                "VALUES (:id, :reg, :name, :grams, :unis)"
            ),
            fts,
        )
    print(f"built {count} documents in {time.perf_counter() - began:.1f} s")
    database.dispose()


QUERIES = [
    ("room 3-1202 form", "12-1503"),
    ("room 3栋1202 form", "12栋1503"),
    ("room alone (all buildings)", "1503"),
    ("surname", "王"),
    ("full name", "王伟"),
    ("phone last 4", "5678"),
    ("record number", "WX-20200105"),
    ("3+ chars text", "水龙头漏水"),
    ("2-char common", "漏水"),
    ("2-char rare", "锅炉"),
    ("2-char absent", "电梯坏"),
    ("1-char common", "水"),
    ("1-char rare", "锈"),
]


def measure(path: Path, runs: int) -> None:
    database = open_database(path, settings=load_settings())
    size = path.stat().st_size / 1e6
    print(f"database {size:.0f} MB; {runs} runs each; first page = 20 per register")
    print(f"{'query form':28} {'query':12} {'hits':>5} {'median ms':>10} {'p95 ms':>8}")
    with database.reading() as session:
        ctx = Ctx(session, None, database.settings, datetime.now(UTC))
        for label, query in QUERIES:
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                found = lookup.search(ctx, query)
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{label:28} {query:12} {found.total:>5} "
                f"{statistics.median(times):>10.2f} {p95:>8.2f}"
            )
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/lookup_bench.db"))
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    build(args.db, args.docs)
    measure(args.db, args.runs)


if __name__ == "__main__":
    main()
