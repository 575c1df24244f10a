"""bot/ml/trainers/mistakes.py: what the customer did after a confident answer."""

import pytest

from bot.ml.trainers.mistakes import confident_mistakes, similar
from bot.ml.trainers.review import flag_conversation


def user(text, intent, confidence=0.95):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent, "confidence": confidence}}}


def bot(text):
    return {"event": "bot", "text": text}


HOTLINE = bot("客服热线是10010，24小时服务。")


def texts(events, flagged):
    return {events[index]["text"]: reasons for index, reasons in flagged.items()}


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("这个月电话还能打多久", "这个月电话还能打多久啊", True),  # the same words again
        ("这个月电话还能打多久", "这个月电话还能打几分钟", True),  # mostly the same
        ("我的流量还剩多少", "流量还剩多少", True),  # one inside the other
        ("查话费", "我要交话费，用微信", False),
        ("嗯", "嗯", False),  # too short to say
        ("宽带断网了", "帮我查下余额", False),
    ],
)
def test_the_same_request_again_is_recognised(first, second, expected):
    assert similar(first, second) is expected


def test_a_correction_flags_the_message_that_was_answered_wrongly():
    events = [user("这个月电话还能打多久", "faq"), HOTLINE, user("不对 我问的是通话分钟还剩多少", "check_balance"),
              bot("您本月通话剩余 320 分钟。"), user("好的谢谢", "thank")]  # fmt: skip
    assert texts(events, confident_mistakes(events)) == {"这个月电话还能打多久": {"corrected"}}


def test_the_same_request_again_and_a_human_at_once_are_flagged():
    events = [user("电话还能打多久", "faq"), HOTLINE, user("电话还能打多久啊", "faq"), HOTLINE,
              user("转人工", "request_human"), {"event": "action", "name": "action_handoff"}]  # fmt: skip
    assert texts(events, confident_mistakes(events)) == {
        "电话还能打多久": {"repeated"},
        "电话还能打多久啊": {"human_after_answer"},
    }


def test_leaving_right_after_an_answer_flags_the_last_messages():
    events = [user("你好", "greet"), bot("您好，我是智能客服。"), user("快手流量包可以取消吗", "faq"),
              bot("流量包的退订方式……"), user("哦", "inform"), bot("请问还有什么可以帮您？")]  # fmt: skip
    assert texts(events, confident_mistakes(events)) == {"快手流量包可以取消吗": {"left"}, "哦": {"left"}}


@pytest.mark.parametrize(
    "ending",
    [
        [user("谢谢", "thank"), bot("不客气")],  # thanks: the answer helped
        [{"event": "slot", "name": "satisfaction_task", "value": "balance"}, bot("请打分")],  # a task completed
        [{"event": "action", "name": "action_handoff"}, {"event": "pause"}],  # handed off: its own reason
    ],
)
def test_no_leaving_when_the_conversation_ended_well_or_went_to_an_agent(ending):
    events = [user("查话费", "check_balance"), bot("您的话费余额为 12.50 元"), *ending]
    assert "left" not in set().union(*confident_mistakes(events).values())


def test_nothing_is_flagged_when_no_answer_came_between_the_messages():
    events = [user("电话还能打多久", "faq"), user("电话还能打多久啊", "faq"), user("不对", "deny")]
    assert confident_mistakes(events) == {}


def test_review_reports_the_mistakes_beside_its_other_reasons():
    events = [user("这个月电话还能打多久", "faq", 0.97), HOTLINE, user("不是这个", "deny", 0.9),
              bot("请问您要咨询什么？"), user("再见", "goodbye")]  # fmt: skip
    flagged = {event["text"]: reasons for event, reasons in flag_conversation(events, 0.5)}
    assert flagged == {"这个月电话还能打多久": {"corrected"}}
