"""Demo data that the README, demos and tests rely on. Seeds an empty database only.

张伟 13800138000 / 123456 and 李娜 13900139000 / 654321; see README "Demo accounts".
"""

import asyncio
import datetime as dt
from typing import Any, Dict, List

from sqlalchemy import func, select

from bot.core import clock as clk
from bot.core.db import Database
from bot.core.passwords import hash_password
from bot.services.operator.tables import (
    bill_items,
    bills,
    customers,
    family_shares,
    lines,
    packages,
    subscriptions,
    ticket_events,
    tickets,
    usage,
    verification_attempts,
)

GB = 1024

CATALOGUE: List[Dict[str, Any]] = [
    {
        "code": "BJL129",
        "name": "冰激凌套餐",
        "kind": "main",
        "monthly_fee_fen": 12900,
        "data_mb": 30 * GB,
        "voice_min": 500,
        "description": "每月30GB全国流量、500分钟国内通话，可添加2名亲情副卡共享",
    },
    {
        "code": "CY59",
        "name": "畅越套餐",
        "kind": "main",
        "monthly_fee_fen": 5900,
        "data_mb": 10 * GB,
        "voice_min": 200,
        "description": "每月10GB全国流量、200分钟国内通话",
    },
    {
        "code": "SPHY20",
        "name": "视频会员流量包",
        "kind": "addon",
        "monthly_fee_fen": 2000,
        "data_mb": 10 * GB,
        "voice_min": 0,
        "description": "每月10GB定向视频流量，含一款视频会员",
    },
    {
        "code": "CL5",
        "name": "彩铃",
        "kind": "addon",
        "monthly_fee_fen": 500,
        "data_mb": 0,
        "voice_min": 0,
        "description": "个性化彩铃，每月5元",
    },
    {
        "code": "YY100",
        "name": "语音加油包",
        "kind": "addon",
        "monthly_fee_fen": 1000,
        "data_mb": 0,
        "voice_min": 100,
        "description": "每月100分钟国内通话",
    },
    {
        "code": "LL5G",
        "name": "5G流量加油包",
        "kind": "addon",
        "monthly_fee_fen": 3000,
        "data_mb": 20 * GB,
        "voice_min": 0,
        "description": "每月20GB全国流量",
    },
    {
        "code": "KD200",
        "name": "宽带200M",
        "kind": "broadband",
        "monthly_fee_fen": 10000,
        "data_mb": 0,
        "voice_min": 0,
        "description": "200M家庭宽带",
    },
]

ZHANG_WEI = "13800138000"
LI_NA = "13900139000"
BROADBAND_ACCOUNT = "KD0755200001"


async def seed_demo(db: Database) -> bool:
    """Fill an empty database with the demo customers. Returns False if data was already there."""
    async with db.read() as conn:
        if (await conn.execute(select(func.count()).select_from(customers))).scalar_one():
            return False
    hashes = await asyncio.gather(
        asyncio.to_thread(hash_password, "123456"), asyncio.to_thread(hash_password, "654321")
    )
    now = db.clock()
    today = clk.local_date(now)
    cycle = clk.cycle_of(today)
    last_cycle, cycle_before = clk.previous_cycle(cycle), clk.previous_cycle(cycle, 2)
    stamp = clk.to_db(now)
    async with db.write() as conn:
        await conn.execute(packages.insert(), CATALOGUE)
        zhang = (await conn.execute(customers.insert().values(name="张伟", created_at=stamp))).inserted_primary_key[0]
        li = (await conn.execute(customers.insert().values(name="李娜", created_at=stamp))).inserted_primary_key[0]
        await conn.execute(
            lines.insert(),
            [
                {
                    "phone": ZHANG_WEI,
                    "customer_id": zhang,
                    "password_hash": hashes[0],
                    "balance_fen": 5830,
                    "status": "active",
                    "created_at": stamp,
                },
                {
                    "phone": LI_NA,
                    "customer_id": li,
                    "password_hash": hashes[1],
                    "balance_fen": -1250,
                    "status": "active",
                    "created_at": stamp,
                },
            ],
        )
        await conn.execute(
            verification_attempts.insert(),
            [{"phone": phone, "failures": 0, "locked_until": None} for phone in (ZHANG_WEI, LI_NA)],
        )

        async def subscribe(phone: str, code: str, **extra: Any) -> int:
            values = {
                "phone": phone,
                "package_code": code,
                "started_on": dt.date(2025, 7, 1),
                "contract_end": None,
                "early_termination_fee_fen": 0,
                "broadband_account": None,
                "status": "active",
                **extra,
            }
            return (await conn.execute(subscriptions.insert().values(**values))).inserted_primary_key[0]

        ice_cream = await subscribe(
            ZHANG_WEI, "BJL129", contract_end=dt.date(2027, 6, 30), early_termination_fee_fen=20000
        )
        await subscribe(ZHANG_WEI, "SPHY20", started_on=dt.date(2026, 3, 1))
        await subscribe(ZHANG_WEI, "KD200", broadband_account=BROADBAND_ACCOUNT, started_on=dt.date(2024, 5, 1))
        await subscribe(LI_NA, "CY59", started_on=dt.date(2023, 1, 1))
        await conn.execute(family_shares.insert().values(subscription_id=ice_cream, member_phone=LI_NA))

        # 40 GB in all (30 + 10) with 12.5 GB left; 500 minutes with 320 left.
        await conn.execute(
            usage.insert(),
            [
                {"phone": ZHANG_WEI, "cycle": cycle, "data_used_mb": 40 * GB - 12800, "voice_used_min": 180},
                {"phone": LI_NA, "cycle": cycle, "data_used_mb": 3 * GB, "voice_used_min": 45},
            ],
        )

        async def bill(
            phone: str, bill_type: str, month: str, items: List[tuple], paid: int, account: Any = None
        ) -> None:
            amount = sum(fen for _, fen in items)
            bill_id = (
                await conn.execute(
                    bills.insert().values(
                        phone=phone,
                        bill_type=bill_type,
                        month=month,
                        account=account,
                        amount_fen=amount,
                        paid_fen=paid,
                        status="paid" if paid == amount else "unpaid",
                    )
                )
            ).inserted_primary_key[0]
            await conn.execute(
                bill_items.insert(),
                [{"bill_id": bill_id, "description": text, "amount_fen": fen} for text, fen in items],
            )

        zhang_monthly = [("冰激凌套餐月费", 12900), ("视频会员流量包月费", 2000)]
        await bill(ZHANG_WEI, "话费", cycle, zhang_monthly, 14900)
        await bill(ZHANG_WEI, "话费", last_cycle, [*zhang_monthly, ("国际及港澳台漫游通话", 1260)], 16160)
        await bill(ZHANG_WEI, "话费", cycle_before, [*zhang_monthly, ("短信/彩信", 30)], 14930)
        broadband = [("宽带200M月功能费", 10000)]
        await bill(ZHANG_WEI, "宽带", cycle, broadband, 0, BROADBAND_ACCOUNT)
        await bill(ZHANG_WEI, "宽带", last_cycle, broadband, 10000, BROADBAND_ACCOUNT)
        await bill(ZHANG_WEI, "宽带", cycle_before, broadband, 10000, BROADBAND_ACCOUNT)
        # 李娜 paid 46.50 of last month's 59.00: 12.50 in arrears, matching her -12.50 balance.
        await bill(LI_NA, "话费", last_cycle, [("畅越套餐月费", 5900)], 4650)
        await bill(LI_NA, "话费", cycle_before, [("畅越套餐月费", 5900)], 5900)

        opened = clk.to_db(dt.datetime(2026, 11, 20, 9, 30, tzinfo=clk.CHINA))
        await conn.execute(
            tickets.insert().values(
                id="T20261120001",
                phone=ZHANG_WEI,
                kind="故障报修",
                category="断网",
                description="家里宽带从昨晚开始断网，光猫LOS灯红色闪烁",
                address="深圳市南山区科技园路1号3栋1201",
                priority="urgent",
                status="处理中",
                created_at=opened,
                sla_due=clk.to_db(dt.datetime(2026, 11, 20, 10, 30, tzinfo=clk.CHINA)),
            )
        )
        await conn.execute(
            ticket_events.insert(),
            [
                {"ticket_id": "T20261120001", "at": opened, "status": "待处理", "note": "工单已创建"},
                {
                    "ticket_id": "T20261120001",
                    "at": clk.to_db(dt.datetime(2026, 11, 20, 10, 5, tzinfo=clk.CHINA)),
                    "status": "处理中",
                    "note": "已派单装维人员，预约上门检修",
                },
            ],
        )
    return True
