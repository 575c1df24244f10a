"""Agent assist: for a verified customer's task question, the bot's own answer computed from the
operator backend, ready for the agent to insert (pure: builds the text from the backend's JSON).

The handoff service asks the backend (bot/services/desk/service.py `HandoffService.answer_for`)
with the verified number the bot handed over; the number itself is never shown on the console.
"""

from typing import Any, Dict, List, Optional

ANSWERED = {"check_balance": "查询余额", "query_bill": "查询账单", "query_package": "查询套餐"}
KINDS = {"main": "主套餐", "addon": "附加业务", "broadband": "宽带"}
BILL_TYPES = ("话费", "宽带")


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def _gb(mb: int) -> str:
    return f"{mb / 1024:.1f}".rstrip("0").rstrip(".") + " GB"


def balance_answer(balance: Dict[str, Any]) -> str:
    """您的话费余额为 58.30 元；本月流量剩余 12.5 GB（共 30 GB），通话剩余 300 分钟（共 500 分钟）。"""
    if balance.get("in_arrears"):
        money = f"您目前欠费 {yuan(int(balance['arrears_fen']))} 元，请及时缴费以免停机"
    else:
        money = f"您的话费余额为 {yuan(int(balance['balance_fen']))} 元"
    parts = []
    data, voice = balance.get("data_mb") or {}, balance.get("voice_min") or {}
    if data.get("total"):
        parts.append(f"本月流量剩余 {_gb(int(data['left']))}（共 {_gb(int(data['total']))}）")
    if voice.get("total"):
        parts.append(f"通话剩余 {int(voice['left'])} 分钟（共 {int(voice['total'])} 分钟）")
    return money + ("；" + "，".join(parts) if parts else "") + "。"


def _month(text: str) -> str:
    year, month = text.split("-")
    return f"{year}年{int(month)}月"


def bill_answer(bills: List[Dict[str, Any]], bill_type: Optional[str] = None) -> Optional[str]:
    """The latest month's bill of each type asked for (both when none is named): 2026年11月话费账单
    100.00 元，未缴（待缴 100.00 元）。 None when there is no bill."""
    wanted = [bill_type] if bill_type in BILL_TYPES else list(BILL_TYPES)
    lines = []
    for kind in wanted:
        of_kind = [bill for bill in bills if bill.get("bill_type") == kind]
        if not of_kind:
            continue
        latest = max(of_kind, key=lambda bill: bill["month"])
        owed = int(latest.get("outstanding_fen", 0))
        state = f"未缴（待缴 {yuan(owed)} 元）" if owed > 0 else "已缴清"
        lines.append(f"{_month(latest['month'])}{kind}账单 {yuan(int(latest['amount_fen']))} 元，{state}")
    return "；".join(lines) + "。" if lines else None


def package_answer(subscriptions: List[Dict[str, Any]]) -> Optional[str]:
    """您目前的业务：主套餐 畅享129元套餐（129.00 元/月，合约至 2027-06-30）；附加业务 视频定向流量包
    （20.00 元/月）。"""
    lines = []
    for item in subscriptions:
        terms = [f"{yuan(int(item.get('monthly_fee_fen') or 0))} 元/月"]
        if item.get("in_contract") and item.get("contract_end"):
            terms.append(f"合约至 {item['contract_end']}")
        if item.get("status") == "cancel_pending" and item.get("cancel_effective"):
            terms.append(f"已申请退订，{item['cancel_effective']} 生效")
        lines.append(f"{KINDS.get(item.get('kind') or '', '业务')} {item.get('name')}（{'，'.join(terms)}）")
    return "您目前的业务：" + "；".join(lines) + "。" if lines else None


def bill_type_of(parse: Dict[str, Any]) -> Optional[str]:
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "bill_type" and entity.get("value") in BILL_TYPES:
            return str(entity["value"])
    return None


def label(intent: str) -> str:
    return f"机器人答案：{ANSWERED[intent]}（实时数据）"
