"""The conversations simulated customers hold (pure data): each turn is what the customer says and a
pattern the bot's answer must contain. An answer that does not match counts as an error."""

import random
import re
from dataclasses import dataclass
from typing import List, Sequence, Tuple


@dataclass(frozen=True)
class Scenario:
    name: str
    weight: int
    turns: Tuple[Tuple[str, "re.Pattern[str]"], ...]


def _turns(*pairs: Tuple[str, str]) -> Tuple[Tuple[str, "re.Pattern[str]"], ...]:
    return tuple((text, re.compile(pattern)) for text, pattern in pairs)


ASK_PHONE = "请先提供您的11位手机号码"
ASK_PASSWORD = "请输入该号码的6位服务密码"
RATED = "感谢您的评价"

SCENARIOS: Sequence[Scenario] = (
    Scenario(
        "balance",
        3,
        _turns(
            ("查一下话费余额", ASK_PHONE),
            ("13800138000", ASK_PASSWORD),
            ("123456", r"身份验证成功[\s\S]*您的话费余额为 -?[\d,]+\.\d\d 元"),
            ("流量还剩多少", r"本月流量共 40GB，已用 [\d.]+GB，剩余 [\d.]+GB"),
            ("5分", RATED),
        ),
    ),
    Scenario(
        "payment",
        2,
        _turns(
            ("给13900139000充五十块话费", "请选择支付方式"),
            ("支付宝", r"请确认：为 139\*\*\*\*9000 缴纳话费 50\.00 元，支付方式：支付宝"),
            ("确认", r"缴费成功！已为 139\*\*\*\*9000 缴纳话费 50\.00 元（支付宝）"),
            ("5分", RATED),
        ),
    ),
    Scenario(
        "faq",
        3,
        _turns(
            ("你好", "我是智能客服"),
            ("话费怎么交", "交话费的方式"),
            ("电子发票怎么下载", "发票管理"),
            ("再见", "祝您生活愉快，再见"),
        ),
    ),
    Scenario(
        "ticket",
        2,
        _turns(
            ("家里宽带断网了，光猫红灯一直闪", ASK_PHONE),
            ("13800138000", ASK_PASSWORD),
            ("123456", "请提供故障地址或宽带账号"),
            ("深圳市南山区科技园路1号3栋1201", r"已为您登记(故障报修)工单，单号 T\d{11}"),
        ),
    ),
)


def pick(rng: random.Random, scenarios: Sequence[Scenario] = SCENARIOS) -> Scenario:
    return rng.choices(list(scenarios), weights=[s.weight for s in scenarios])[0]


def reply_text(replies: List[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies if isinstance(reply, dict))
