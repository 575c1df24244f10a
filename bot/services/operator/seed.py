"""Demo data that the README, demos and tests rely on. Seeds an empty database only.

张伟 13800138000 / 123456 and 李娜 13900139000 / 654321; see README "Demo accounts".
"""

import asyncio
import datetime as dt
from typing import Any, Dict, List, NamedTuple, Optional

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


def _product(code: str, name: str, kind: str, fee_fen: int, description: str, **extra: Any) -> Dict[str, Any]:
    product = {
        "code": code,
        "name": name,
        "kind": kind,
        "monthly_fee_fen": fee_fen,
        "data_mb": 0,
        "voice_min": 0,
        "description": description,
        "open_to_new": True,
        "contract_months": None,
        "family_slots": 0,
        "overage_fen_per_gb": None,
        "pack_type": None,
        "one_off": False,
    }
    unknown = set(extra) - set(product)
    assert not unknown, unknown
    return {**product, **extra}


# Main plans charge data beyond them at 5 yuan per GB (3 yuan on the big plan). 沃派校园套餐 is no longer
# offered: its subscribers keep it, nobody can change to it.
CATALOGUE: List[Dict[str, Any]] = [
    _product(
        "BJL129",
        "冰激凌套餐",
        "main",
        12900,
        "每月30GB全国流量、500分钟国内通话，可添加2名亲情副卡共享",
        data_mb=30 * GB,
        voice_min=500,
        contract_months=24,
        family_slots=2,
        overage_fen_per_gb=500,
    ),
    _product(
        "CY59",
        "畅越套餐",
        "main",
        5900,
        "每月10GB全国流量、200分钟国内通话",
        data_mb=10 * GB,
        voice_min=200,
        overage_fen_per_gb=500,
    ),
    _product(
        "DWK19",
        "大王卡",
        "main",
        1900,
        "腾讯系App定向免流，另含每月5GB全国流量、100分钟国内通话",
        data_mb=5 * GB,
        voice_min=100,
        overage_fen_per_gb=500,
    ),
    _product(
        "CX99",
        "5G畅享99套餐",
        "main",
        9900,
        "每月25GB全国流量、300分钟国内通话，可添加1名亲情副卡共享",
        data_mb=25 * GB,
        voice_min=300,
        contract_months=12,
        family_slots=1,
        overage_fen_per_gb=500,
    ),
    _product(
        "CX149",
        "5G畅享149套餐",
        "main",
        14900,
        "每月60GB全国流量、1000分钟国内通话，可添加2名亲情副卡共享",
        data_mb=60 * GB,
        voice_min=1000,
        contract_months=12,
        family_slots=2,
        overage_fen_per_gb=300,
    ),
    _product(
        "WP36",
        "沃派校园套餐",
        "main",
        3600,
        "每月15GB全国流量、100分钟国内通话（已停止新办理）",
        data_mb=15 * GB,
        voice_min=100,
        open_to_new=False,
        overage_fen_per_gb=500,
    ),
    _product(
        "SPHY20",
        "视频会员流量包",
        "addon",
        2000,
        "每月10GB定向视频流量，含一款视频会员",
        data_mb=10 * GB,
        pack_type="directional",
    ),
    _product("CL5", "彩铃", "addon", 500, "个性化彩铃，每月5元", pack_type="value_added"),
    _product("YK15", "优酷会员", "addon", 1500, "优酷视频VIP会员，每月15元", pack_type="value_added"),
    _product("YY100", "语音加油包", "addon", 1000, "每月100分钟国内通话", voice_min=100, pack_type="voice"),
    _product("LL5G", "5G流量加油包", "addon", 3000, "每月20GB全国流量", data_mb=20 * GB, pack_type="data"),
    _product(
        "DX9",
        "抖音快手定向流量包",
        "addon",
        900,
        "每月20GB抖音、快手定向流量",
        data_mb=20 * GB,
        pack_type="directional",
    ),
    _product(
        "LLB6",
        "6元1GB流量包",
        "addon",
        600,
        "1GB全国流量，办理后立即生效，当月有效",
        data_mb=1 * GB,
        pack_type="data",
        one_off=True,
    ),
    _product(
        "LLB20",
        "20元10GB流量包",
        "addon",
        2000,
        "10GB全国流量，办理后立即生效，当月有效",
        data_mb=10 * GB,
        pack_type="data",
        one_off=True,
    ),
    _product("KD200", "宽带200M", "broadband", 10000, "200M家庭宽带"),
]


class Item(NamedTuple):
    """A bill line."""

    description: str
    fen: int
    category: str
    subscription_id: Optional[int] = None


def overage_item(over_mb: int, fen_per_gb: int) -> str:
    """The bill line of data used beyond the plan."""
    return f"国内流量超出套餐{over_mb / GB:g}GB（{fen_per_gb / 100:g}元/GB）"


ZHANG_WEI = "13800138000"
LI_NA = "13900139000"
BROADBAND_ACCOUNT = "KD0755200001"


async def add_missing_products(db: Database) -> int:
    """Add the catalogue products a database seeded by an earlier release lacks; returns how many."""
    async with db.write() as conn:
        present = set((await conn.execute(select(packages.c.code))).scalars())
        missing = [product for product in CATALOGUE if product["code"] not in present]
        if missing:
            await conn.execute(packages.insert(), missing)
    return len(missing)


# How each seeded order was confirmed, as the channel recorded it.
AT_THE_SHOP = "营业厅办理，客户签署业务受理单"
IN_THE_APP = "手机营业厅App下单，客户输入短信验证码确认"
BY_SMS = "客户回复短信“Y”确认订购"


async def seed_demo(db: Database) -> bool:
    """Fill an empty database with the demo customers. Returns False if data was already there (the
    catalogue still gains the products a newer release added)."""
    async with db.read() as conn:
        seeded = (await conn.execute(select(func.count()).select_from(customers))).scalar_one()
    if seeded:
        await add_missing_products(db)
        return False
    hashes = await asyncio.gather(
        asyncio.to_thread(hash_password, "123456"), asyncio.to_thread(hash_password, "654321")
    )
    now = db.clock()
    today = clk.local_date(now)
    cycle = clk.cycle_of(today)
    month_1, month_2, month_3 = (clk.previous_cycle(cycle, n) for n in (1, 2, 3))
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

        async def subscribe(
            phone: str, code: str, started_on: dt.date, channel: str, confirmation: Any, **extra: Any
        ) -> int:
            values = {
                "phone": phone,
                "package_code": code,
                "started_on": started_on,
                "contract_end": None,
                "early_termination_fee_fen": 0,
                "broadband_account": None,
                "status": "active",
                "ordered_at": clk.to_db(clk.local_moment(started_on - dt.timedelta(days=3), 10, 20)),
                "order_channel": channel,
                "order_confirmation": confirmation,
                **extra,
            }
            return (await conn.execute(subscriptions.insert().values(**values))).inserted_primary_key[0]

        ice_cream = await subscribe(
            ZHANG_WEI,
            "BJL129",
            dt.date(2025, 7, 1),
            "营业厅",
            AT_THE_SHOP,
            contract_end=dt.date(2027, 6, 30),
            early_termination_fee_fen=20000,
        )
        video_pack = await subscribe(ZHANG_WEI, "SPHY20", dt.date(2026, 3, 1), "App", IN_THE_APP)
        broadband_line = await subscribe(
            ZHANG_WEI, "KD200", dt.date(2024, 5, 1), "营业厅", AT_THE_SHOP, broadband_account=BROADBAND_ACCOUNT
        )
        li_plan_id = await subscribe(LI_NA, "CY59", dt.date(2023, 1, 1), "营业厅", AT_THE_SHOP)
        # 李娜 says she never ordered 优酷会员: a third-party promotion put it on her line with no
        # confirmation on record. Her 彩铃 came the same month by SMS, and her "Y" reply is on record.
        promoted = clk.first_day(month_2)
        youku = await subscribe(
            LI_NA,
            "YK15",
            promoted,
            "第三方推广",
            None,
            ordered_at=clk.to_db(clk.local_moment(promoted, 14, 37)),
        )
        ring_tone = await subscribe(
            LI_NA, "CL5", promoted, "短信", BY_SMS, ordered_at=clk.to_db(clk.local_moment(promoted, 9, 5))
        )
        await conn.execute(family_shares.insert().values(subscription_id=ice_cream, member_phone=LI_NA))

        # 张伟: 40 GB a month in all (30 + 10); over it in two of the last three months (8 GB and 10 GB,
        # 5 yuan per GB), and 12.5 GB left this month. 500 minutes with 320 left.
        # 李娜: 10 GB a month, never over.
        await conn.execute(
            usage.insert(),
            [
                {"phone": ZHANG_WEI, "cycle": month_3, "data_used_mb": 38 * GB, "voice_used_min": 210},
                {"phone": ZHANG_WEI, "cycle": month_2, "data_used_mb": 48 * GB, "voice_used_min": 260},
                {"phone": ZHANG_WEI, "cycle": month_1, "data_used_mb": 50 * GB, "voice_used_min": 230},
                {"phone": ZHANG_WEI, "cycle": cycle, "data_used_mb": 40 * GB - 12800, "voice_used_min": 180},
                {"phone": LI_NA, "cycle": month_3, "data_used_mb": 6 * GB, "voice_used_min": 80},
                {"phone": LI_NA, "cycle": month_2, "data_used_mb": 8 * GB, "voice_used_min": 95},
                {"phone": LI_NA, "cycle": month_1, "data_used_mb": 7 * GB, "voice_used_min": 70},
                {"phone": LI_NA, "cycle": cycle, "data_used_mb": 3 * GB, "voice_used_min": 45},
            ],
        )

        async def bill(phone: str, bill_type: str, month: str, items: List[Item], paid: Any = None) -> None:
            """A month's bill, paid in full unless `paid` says how much was."""
            amount = sum(item.fen for item in items)
            paid = amount if paid is None else paid
            account = BROADBAND_ACCOUNT if bill_type == "宽带" else None
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
                [
                    {
                        "bill_id": bill_id,
                        "description": item.description,
                        "amount_fen": item.fen,
                        "category": item.category,
                        "subscription_id": item.subscription_id,
                    }
                    for item in items
                ],
            )

        zhang_monthly = [
            Item("冰激凌套餐月费", 12900, "fee", ice_cream),
            Item("视频会员流量包月费", 2000, "fee", video_pack),
        ]
        await bill(ZHANG_WEI, "话费", cycle, zhang_monthly)
        await bill(
            ZHANG_WEI,
            "话费",
            month_1,
            [
                *zhang_monthly,
                Item("国际及港澳台漫游通话", 1260, "roaming"),
                Item(overage_item(10 * GB, 500), 5000, "overage"),
            ],
        )
        await bill(
            ZHANG_WEI,
            "话费",
            month_2,
            [*zhang_monthly, Item("短信/彩信", 30, "usage"), Item(overage_item(8 * GB, 500), 4000, "overage")],
        )
        await bill(ZHANG_WEI, "话费", month_3, zhang_monthly)
        broadband = [Item("宽带200M月功能费", 10000, "fee", broadband_line)]
        await bill(ZHANG_WEI, "宽带", cycle, broadband, paid=0)
        await bill(ZHANG_WEI, "宽带", month_1, broadband)
        await bill(ZHANG_WEI, "宽带", month_2, broadband)
        # 李娜 paid 66.50 of last month's 79.00: 12.50 in arrears, matching her -12.50 balance.
        li_plan = Item("畅越套餐月费", 5900, "fee", li_plan_id)
        li_monthly = [li_plan, Item("优酷会员月费", 1500, "fee", youku), Item("彩铃月费", 500, "fee", ring_tone)]
        await bill(LI_NA, "话费", month_1, li_monthly, paid=6650)
        await bill(LI_NA, "话费", month_2, li_monthly)
        await bill(LI_NA, "话费", month_3, [li_plan])

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
