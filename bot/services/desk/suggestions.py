"""What the agent could answer to the customer's last message: the bot's FAQ answer or next step (pure)."""

from typing import Any, Dict, Optional

# Agent-facing hints for task intents: the bot can do these itself once handed back.
NEXT_STEPS = {
    "check_balance": ("查询余额", "您可以回复“查余额”，智能客服会为您实时查询话费、流量和通话余额。"),
    "query_bill": ("查询账单", "您可以回复“查账单”，智能客服会为您列出本月或指定月份的账单明细。"),
    "pay_bill": ("缴费", "您可以回复“交话费”，智能客服会引导您用微信、支付宝或银行卡完成缴费。"),
    "query_package": ("查询套餐", "您可以回复“查套餐”，智能客服会为您说明主套餐、合约期和已订业务。"),
    "cancel_package": ("退订业务", "退订前会向您说明生效日期、违约金和流量清零等影响，确认后办理。"),
    "report_fault": ("故障报修", "已为您记录故障情况，我们会安排装维人员尽快联系您。"),
    "complain": ("投诉", "非常抱歉给您带来不便，我已记录您的问题，会尽快核实并给您答复。"),
    "query_ticket": ("查询工单", "您可以回复“查工单”并提供工单号，智能客服会为您查询处理进度。"),
}


def suggestion(parse: Optional[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    """A one-click reply for the agent from Rasa's parse of the customer's message, or None."""
    if not parse:
        return None
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        selected = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        responses = selected.get("responses") or []
        topic = (selected.get("intent_response_key") or "faq/").split("/", 1)[-1]
        if responses and responses[0].get("text"):
            return {"label": f"FAQ：{topic}", "text": responses[0]["text"]}
        return None
    if intent in NEXT_STEPS:
        label, text = NEXT_STEPS[intent]
        return {"label": f"下一步：{label}", "text": text}
    return None
