"""bot/load/longrun.py against a fake REST channel on port 0: messages in turn, paced, judged."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from bot.load.longrun import conversations_interleaved

ANSWERS = {
    "查一下话费余额": "请先提供您的11位手机号码",
    "13800138000": "请输入该号码的6位服务密码",
    "123456": "身份验证成功。您的话费余额为 58.30 元。",
    "流量还剩多少": "本月流量共 40GB，已用 27.5GB，剩余 12.5GB。",
    "通话还剩多少分钟": "本月通话共 500 分钟，已用 180 分钟，剩余 320 分钟。",
    "上个月话费账单多少": "2026年11月话费账单合计 211.60 元，已缴清。",
    "话费怎么交": "交话费的方式有……",
    "话费还有多少": "您的话费余额为 58.30 元。",
}


@pytest.fixture
def channel():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((body["sender"], body["message"], self.headers.get("Authorization")))
            text = "不对" if body["message"] == "话费还有多少" and len(received) > 21 else ANSWERS[body["message"]]
            reply = json.dumps([{"recipient_id": body["sender"], "text": text}]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/rest/webhook", received
    server.shutdown()


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_conversations_take_turns_paced_and_every_answer_is_judged(channel):
    url, received = channel
    running = SimpleNamespace(rest_url=url, rest_token="secret")
    counts = {}

    def count_events(sender):
        counts[sender] = counts.get(sender, 0) + 7
        return counts[sender]

    clock = FakeClock()
    runs = conversations_interleaved(running, 8, 3, count_events, [], spacing_s=2.0, clock=clock, sleep=clock.sleep)

    assert [len(run) for run in runs] == [8, 8, 8]
    senders = [sender for sender, _, _ in received]
    assert senders[:3] == sorted(set(senders[:3]), key=senders.index) and len(set(senders)) == 3
    assert senders[3:6] == senders[:3]  # message 2 of each, in the same order
    assert {auth for _, _, auth in received} == {"Bearer secret"}
    assert sum(clock.slept) == pytest.approx(7 * 2.0 + 0.2)  # 2 s between a customer's messages (time stands still)
    assert [row.position for row in runs[0]] == list(range(1, 9))
    assert [row.events for row in runs[1]] == [7 * n for n in range(1, 9)]
    assert all(row.cpu_ms == 0 for run in runs for row in run)
    wrong = [(number, row.position) for number, run in enumerate(runs) for row in run if row.error]
    assert wrong == [(0, 8), (1, 8), (2, 8)]  # message 8 (requests 22-24) was answered wrongly
    assert runs[0][7].error.startswith("unexpected reply '不对'")
