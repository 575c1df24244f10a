"""The channels with per-process state, across replicas: socket.io rooms (Redis pub/sub) and
WeChat's retries and nonces (Redis)."""

import json
import queue
import time
import types
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.rasa.channels.sessions import sender_for
from tests.e2e.test_webchat import Widget
from tests.e2e.test_wechat import WeChatServer

pytestmark = pytest.mark.e2e


def on_replica(production, index):
    """Settings as a client sees them, with Rasa at replica `index` instead of nginx."""
    return types.SimpleNamespace(rasa_url=production.replica_url(index), site_url=production.settings.site_url)


def deliver(production, replica: int, body: dict) -> dict:
    request = urllib.request.Request(
        f"{production.replica_url(replica)}/webhooks/handoff/deliver",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {production.settings.secrets['HANDOFF_DELIVERY_TOKEN']}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_push_from_one_replica_reaches_a_widget_connected_to_the_other(production):
    widget = Widget(on_replica(production, 0))
    try:
        assert widget.say("你好", 1)[0]["text"].startswith("您好，我是智能客服小翼")
        conversation = sender_for(production.settings.secrets["WEBCHAT_SESSION_SECRET"], widget.session_id)
        reply = {
            "event": "message",
            "sender_id": conversation,
            "channel": "socketio",
            "text": "您好，我是人工客服王芳。",
            "agent_name": "王芳",
            "delivery_id": f"agent-message-{uuid.uuid4().hex[:8]}",
        }
        assert deliver(production, 1, reply) == {"pushed": True, "messages": [], "repeat": False}
        assert widget.replies.get(timeout=10) == {"text": "您好，我是人工客服王芳。", "agent_name": "王芳"}
        # The same delivery again, at the other replica (a retry after a lost answer): said once.
        assert deliver(production, 0, reply) == {"pushed": True, "messages": [], "repeat": True}
        with pytest.raises(queue.Empty):
            widget.replies.get(timeout=2)
    finally:
        widget.close()


def test_through_nginx_the_widget_talks_to_one_replica_for_its_whole_session(production):
    widget = Widget(production.settings)  # long-polling: every request of the session must reach one process
    try:
        assert widget.say("查一下话费余额", 1) == [{"text": "为了保护您的账户安全，请先提供您的11位手机号码。"}]
        assert widget.say("13800138000", 1) == [{"text": "请输入该号码的6位服务密码。"}]
    finally:
        widget.close()


def test_wechat_retries_reaching_both_replicas_are_handled_once(production):
    wechat = WeChatServer(types.SimpleNamespace(settings=production.settings), f"o_prod{uuid.uuid4().hex[:10]}")
    xml = wechat.text_xml("查一下话费余额")
    timestamp, nonce = int(time.time()), uuid.uuid4().hex[:10]
    urls = [f"{production.replica_url(index % 2)}/webhooks/wechat/webhook" for index in range(4)]

    def deliver_to(url):
        retry = WeChatServer(types.SimpleNamespace(settings=production.settings), wechat.openid)
        retry.url = url
        return retry.post(xml, timestamp=timestamp, nonce=nonce)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(deliver_to, urls))
    assert [status for status, _ in answers] == [200] * 4
    replies = [answer for _, answer in answers if answer != "success"]
    assert len(replies) == 1 and "11位手机号码" in replies[0], answers
    events = production.events(f"wx:{wechat.openid}")
    assert [event["text"] for event in events if event["event"] == "user"] == ["查一下话费余额"]
    # The same nonce with another message is a replay, whichever replica it reaches.
    other = WeChatServer(types.SimpleNamespace(settings=production.settings), wechat.openid)
    other.url = urls[1]
    assert other.post(other.text_xml("别的消息"), timestamp=timestamp, nonce=nonce)[0] == 403
