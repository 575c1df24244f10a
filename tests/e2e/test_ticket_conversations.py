"""Fault reports and complaints through Rasa's REST channel; 查工单 finds what was opened."""

import re

import pytest

pytestmark = pytest.mark.e2e


def verify(chat, first_message):
    assert chat.say(first_message) == ["为了保护您的账户安全，请先提供您的11位手机号码。"]
    assert chat.say("13800138000") == ["请输入该号码的6位服务密码。"]
    return chat.say("123456")


def test_fault_report_then_the_ticket_is_found(chat, running):
    assert verify(chat, "家里宽带断网了，光猫红灯一直闪") == [
        "张伟您好，身份验证成功。",
        "请提供故障地址或宽带账号，方便装维人员联系和上门。",
    ]
    reply = chat.say("深圳市南山区科技园路1号3栋1201")
    assert len(reply) == 1, reply
    match = re.fullmatch(
        r"已为您登记故障报修工单，单号 (T\d{11})。我们会立即安排处理（最晚 [\d\- :]{16}），"
        r"可随时发送“查工单”了解进度。",
        reply[0],
    )
    assert match, reply
    ticket_id = match.group(1)
    stored = running.backend_get(f"/v1/tickets/{ticket_id}")
    assert (stored["phone"], stored["kind"], stored["category"], stored["address"]) == (
        "13800138000",
        "故障报修",
        "断网",
        "深圳市南山区科技园路1号3栋1201",
    )
    status = chat.say(f"帮我查下工单{ticket_id}的进度")
    assert len(status) == 1, status
    assert re.fullmatch(
        rf"工单 {ticket_id}（故障报修·断网）当前状态：待处理。最新进展：工单已创建（[\d\- :]{{16}}）。", status[0]
    ), status


def test_complaint_opens_a_72_hour_ticket(chat, running):
    replies = verify(chat, "你们上个月乱扣我话费，我要投诉")
    assert replies[0] == "张伟您好，身份验证成功。"
    assert re.fullmatch(
        r"已为您登记投诉工单，单号 T\d{11}。我们将在72小时内回复您（最晚 [\d\- :]{16}），可随时发送“查工单”了解进度。",
        replies[1],
    )
