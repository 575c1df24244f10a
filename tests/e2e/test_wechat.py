"""The WeChat Official Account channel with every process running, a fake WeChat API behind it and
a client that signs and encrypts like WeChat (wechatpy)."""

import asyncio
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.ops.stack import rasa_api_headers
from bot.rasa.wechat.protocol import parse_xml, signature
from tests.e2e.test_handoff_conversations import Console

pytestmark = pytest.mark.e2e


class WeChatServer:
    """What WeChat's servers do towards the Official Account's URL."""

    def __init__(self, running, openid: str) -> None:
        settings = running.settings
        self.url = f"{settings.rasa_url}/webhooks/wechat/webhook"
        self.token = settings.secrets["WECHAT_TOKEN"]
        self.app_id = settings.wechat_app_id
        self.crypto = WeChatCrypto(self.token, settings.secrets["WECHAT_AES_KEY"][:43], self.app_id)
        self.openid = openid
        self.msg_id = int(time.time() * 1000)

    def text_xml(self, text: str, msg_id=None) -> str:
        self.msg_id += 1
        return (
            f"<xml><ToUserName><![CDATA[gh_operator]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
            f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id or self.msg_id}</MsgId></xml>"
        )

    def post(self, xml: str, *, safe=True, timestamp=None, nonce=None, sign=True):
        """Safe mode (AES) unless `safe=False`: the product has an EncodingAESKey, so it refuses plain."""
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        params = {
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.openid,
            "signature": signature(self.token, timestamp, nonce) if sign else "0" * 40,
        }
        body = xml
        if safe:
            body = self.crypto.encrypt_message(xml, nonce, timestamp)
            params.update(encrypt_type="aes", msg_signature=parse_xml(body.encode())["MsgSignature"])
        request = urllib.request.Request(
            f"{self.url}?{urllib.parse.urlencode(params)}", data=body.encode(), headers={"Content-Type": "text/xml"}
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                answer = response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, ""
        if safe and answer != "success":
            fields = parse_xml(answer.encode())
            answer = self.crypto.decrypt_message(answer, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"])
        return 200, answer

    def say(self, text: str, **kwargs) -> str:
        status, answer = self.post(self.text_xml(text), **kwargs)
        assert status == 200, status
        return "" if answer == "success" else parse_xml(answer.encode())["Content"]


@pytest.fixture
def wechat(product, running, request):
    return WeChatServer(running, f"o_{request.node.name[-20:]}")


def test_url_verification(wechat):
    timestamp, nonce = str(int(time.time())), "n1"
    good = {
        "signature": signature(wechat.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": "echo-123",
    }
    with urllib.request.urlopen(f"{wechat.url}?{urllib.parse.urlencode(good)}", timeout=10) as response:
        assert response.read().decode() == "echo-123"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{wechat.url}?{urllib.parse.urlencode({**good, 'signature': '0' * 40})}", timeout=10)
    assert refused.value.code == 403


def test_safe_mode_conversation_and_plain_messages_refused(wechat):
    assert wechat.say("查一下话费余额") == "为了保护您的账户安全，请先提供您的11位手机号码。"
    # With an EncodingAESKey configured, a plain message (signed without its body) is refused.
    assert wechat.post(wechat.text_xml("13800138000"), safe=False)[0] == 403
    assert wechat.say("13800138000") == "请输入该号码的6位服务密码。"


def test_four_identical_deliveries_make_one_message(wechat, running):
    xml = wechat.text_xml("查一下话费余额")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: wechat.post(xml), range(4)))
    assert all(status == 200 for status, _ in answers)
    replies = [answer for _, answer in answers if answer != "success"]
    assert len(replies) == 1 and "11位手机号码" in replies[0]
    url = urllib.request.Request(
        f"{running.settings.rasa_url}/conversations/wx:{wechat.openid}/tracker",
        headers=rasa_api_headers(running.settings),
    )
    with urllib.request.urlopen(url, timeout=10) as response:
        events = json.loads(response.read())["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["查一下话费余额"]


def test_forged_stale_replayed_and_malformed_requests_are_refused(wechat):
    assert wechat.post(wechat.text_xml("你好"), sign=False)[0] == 403
    assert wechat.post(wechat.text_xml("你好"), timestamp=int(time.time()) - 3600)[0] == 403
    assert wechat.post("<xml><Content>broken", sign=True)[0] == 400
    assert wechat.post("this is not xml at all")[0] == 400
    assert wechat.post(wechat.text_xml("你好"), nonce="same-nonce")[0] == 200
    assert wechat.post(wechat.text_xml("别的消息"), nonce="same-nonce")[0] == 403  # a nonce reused for another body


def test_new_followers_and_other_message_types(wechat):
    subscribe = (
        f"<xml><ToUserName>gh_operator</ToUserName><FromUserName>{wechat.openid}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    )
    status, answer = wechat.post(subscribe)
    assert status == 200 and parse_xml(answer.encode())["Content"].startswith("您好，我是智能客服小翼")
    image = (
        f"<xml><ToUserName>gh_operator</ToUserName><FromUserName>{wechat.openid}</FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl>"
        f"<MsgId>{wechat.msg_id + 1000}</MsgId></xml>"
    )
    status, answer = wechat.post(image)
    assert status == 200 and parse_xml(answer.encode())["Content"].startswith("抱歉，目前只能处理文字消息")


async def test_an_agent_reply_reaches_the_customer_through_the_wechat_api(wechat, running):
    async with Console(running.settings.agent_url) as agent:
        queued = await asyncio.to_thread(wechat.say, "转人工")
        assert queued.startswith("正在为您转接人工客服")
        event = await agent.wait_for("queue", lambda e: e["queued"])
        case = event["queued"][0]
        assert (case["channel"], case["sender_id"]) == ("wechat", f"wx:{wechat.openid}")
        await agent.session.post(f"/api/cases/{case['id']}/take")
        assert await asyncio.to_thread(wechat.say, "我家宽带断网了") == ""  # paused: nothing from the bot
        relayed = await agent.wait_for("message", lambda e: e["message"]["role"] == "customer")
        assert relayed["message"]["text"] == "我家宽带断网了"
        await agent.session.post(f"/api/cases/{case['id']}/reply", json={"text": "您好，我是客服王芳。"})
        await agent.session.post(f"/api/cases/{case['id']}/handback")
    for _ in range(50):
        if len(running.wechat_api.texts_to(wechat.openid)) >= 3:
            break
        await asyncio.sleep(0.1)
    # WeChat text names the agent in the message itself.
    assert running.wechat_api.texts_to(wechat.openid)[:3] == [
        "客服 王芳 已接入，正在为您服务。",
        "【客服 王芳】您好，我是客服王芳。",
        "人工服务已结束，智能客服小翼继续为您服务。",
    ]
