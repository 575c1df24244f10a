"""The end-to-end fuzz suite: over a thousand generated hostile inputs (tests/e2e/hostile.py, seeded)
through every channel of the running product (REST, WeChat plain and safe mode, socket.io) and at
the other services' doors, some of them inside the conversation states where they matter most (the
payment summary, the amount question, the cancellation terms).

One run (the module fixture `fuzz`) sends everything, bounded concurrency, and records each input's
channel, case, status and time; the tests then check one property each and name every input that
breaks it:
- no 5xx, and every input refused or answered as its case expects;
- no typed intent payload acted on;
- no money moved and no package cancelled without a summary that was shown and confirmed;
- every process answers its health check within 1 s afterwards.
FUZZ_SEED replays a run (the seed and the counts per channel are printed).
"""

import asyncio
import json
import os
import secrets
import sqlite3
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple

import aiohttp
import pytest
import socketio
from wechatpy.crypto import WeChatCrypto

from tests.e2e import hostile
from tests.e2e.hostile import ANSWERED, ANY, REFUSED

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("FUZZ_SEED", "16"))
CONCURRENCY = 6
MESSAGES_PER_SENDER = 12  # under the guard's 30 messages a minute per conversation
REST_TEXTS, WECHAT_TEXTS, SOCKETIO_TEXTS = 300, 300, 120
HEALTH_LIMIT_S = 1.0
REPLY_TIMEOUT_S = 30.0

PAY_PHONE = "13900139000"
CUSTOMER, PASSWORD = "13800138000", "123456"
# Replies that mean something was done: never the effect of a single typed payload.
DONE_MARKERS = ("缴费成功", "已为您退订", "身份验证成功")


@dataclass
class Outcome:
    channel: str
    case: str
    sent: str  # what was sent, shortened for the report
    status: Any  # HTTP status, or for socket.io: "reply" | "no reply" | "disconnected"; "closed" | "error: ..."
    expect: str
    seconds: float
    replies: List[str] = field(default_factory=list)
    ended: float = field(default_factory=time.monotonic)

    @property
    def started(self) -> float:
        return self.ended - self.seconds

    def problem(self) -> Optional[str]:
        status = self.status
        if isinstance(status, int) and status >= 500:
            return f"{status} (server error)"
        if self.expect == ANSWERED and status not in (200, 201, "reply"):
            return f"{status}, expected an answer"
        if self.expect == REFUSED and not ((isinstance(status, int) and 400 <= status < 500) or status == "closed"):
            return f"{status}, expected a 4xx refusal"
        if self.expect == ANY and not isinstance(status, int) and status not in ("reply",):
            return f"{status}, expected a response"
        return None

    def line(self) -> str:
        return f"[{self.channel}] {self.case}: sent {self.sent} -> {self.status} in {self.seconds:.2f} s"


def shorten(value: Any, limit: int = 90) -> str:
    text = value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)
    shown = ascii(text) if len(text) <= limit else ascii(text[:limit]) + f"...({len(text)} chars)"
    return shown


@dataclass
class Report:
    seed: int
    outcomes: List[Outcome] = field(default_factory=list)
    # Every text the bot showed, by conversation (sender id as Rasa knows it), and overall.
    shown: Dict[str, List[str]] = field(default_factory=lambda: defaultdict(list))
    acted_on: List[str] = field(default_factory=list)  # typed payloads that had an effect
    setup_failures: List[str] = field(default_factory=list)  # states that could not be reached
    control: Dict[str, Any] = field(default_factory=dict)
    before: Dict[str, Any] = field(default_factory=dict)
    after: Dict[str, Any] = field(default_factory=dict)
    health_during: Dict[str, float] = field(default_factory=dict)  # worst health latency per process
    # Processes that stopped answering during the run: (last answer, first failure), monotonic times.
    went_down: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    harness_errors: List[str] = field(default_factory=list)  # what went wrong in the suite itself
    health_after: Dict[str, Any] = field(default_factory=dict)
    wall_s: float = 0.0

    def add(self, outcome: Outcome) -> Outcome:
        self.outcomes.append(outcome)
        return outcome

    def counts(self) -> Counter:
        return Counter(outcome.channel for outcome in self.outcomes)

    def in_flight(self, start: float, end: float) -> List[Outcome]:
        """The inputs being handled at some moment between `start` and `end`."""
        return [outcome for outcome in self.outcomes if outcome.started <= end and outcome.ended >= start]

    def downtime_causes(self) -> List[str]:
        lines = []
        for name, (last_ok, first_down) in self.went_down.items():
            suspects = self.in_flight(last_ok, first_down)
            lines.append(
                f"{name} stopped answering; inputs in flight just before:\n"
                + "\n".join(f"    {outcome.line()}" for outcome in suspects[:15])
            )
        return lines


# ---------------------------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------------------------


class Fuzzer:
    def __init__(self, running, report: Report, session: aiohttp.ClientSession) -> None:
        self.running = running
        self.settings = running.settings
        self.report = report
        self.session = session
        self.gate = asyncio.Semaphore(CONCURRENCY)
        secrets_ = self.settings.secrets
        self.rest_url = f"{self.settings.rasa_url}/webhooks/rest/webhook"
        self.rest_token = secrets_["REST_CHANNEL_TOKEN"]
        self.wechat_url = f"{self.settings.rasa_url}/webhooks/wechat/webhook"
        self.wechat_token = secrets_["WECHAT_TOKEN"]
        self.aes_key = secrets_["WECHAT_AES_KEY"][:43]
        self.app_id = self.settings.wechat_app_id
        self.crypto = WeChatCrypto(self.wechat_token, self.aes_key, self.app_id)
        self.msg_id = int(time.time() * 1000)
        self.run_id = secrets.token_hex(3)

    # -- raw HTTP ---------------------------------------------------------------------------

    async def http(
        self,
        channel: str,
        case: str,
        sent: Any,
        method: str,
        url: str,
        body: bytes,
        headers: Dict[str, str],
        expect: str,
    ) -> Tuple[Outcome, bytes]:
        started = time.monotonic()
        answer = b""
        try:
            async with self.session.request(
                method, url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
            ) as response:
                answer = await response.read()
                status: Any = response.status
        except (
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientOSError,
            aiohttp.ClientPayloadError,
            ConnectionError,
        ):  # aiohttp's "Connection lost": the server closed while the body was sent
            status = "closed"
        except asyncio.TimeoutError:
            status = f"error: no response within {REPLY_TIMEOUT_S:.0f} s"
        except (aiohttp.ClientError, ValueError) as error:
            status = f"error: {type(error).__name__}: {error}"
        outcome = Outcome(channel, case, shorten(sent), status, expect, time.monotonic() - started)
        return self.report.add(outcome), answer

    # -- REST -------------------------------------------------------------------------------

    async def rest_say(
        self, sender: str, text: str, case: str = "conversation", expect: str = ANSWERED, ascii_only: bool = True
    ) -> List[str]:
        body = json.dumps({"sender": sender, "message": text}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"}
        outcome, answer = await self.http("rest", case, text, "POST", self.rest_url, body, headers, expect)
        if outcome.status == 200:
            try:
                outcome.replies = [reply.get("text", "") for reply in json.loads(answer) if isinstance(reply, dict)]
            except ValueError:
                outcome.replies = []
            self.report.shown[sender].extend(outcome.replies)
        return outcome.replies

    async def rest_texts(self, texts: List[hostile.Text]) -> None:
        async def run(group: int, chunk: List[hostile.Text]) -> None:
            sender = f"fuzz-{self.run_id}-rest-{group}"
            async with self.gate:
                for index, message in enumerate(chunk):
                    expect = ANY if message.category in ("long", "lone_surrogate", "mixed") else ANSWERED
                    replies = await self.rest_say(
                        sender, message.text, f"text/{message.category}", expect, ascii_only=index % 2 == 0
                    )
                    self.check_not_acted_on(message, "rest", replies)

        await asyncio.gather(
            *(
                run(group, texts[start : start + MESSAGES_PER_SENDER])
                for group, start in enumerate(range(0, len(texts), MESSAGES_PER_SENDER))
            )
        )

    def check_not_acted_on(self, message: hostile.Text, channel: str, replies: List[str]) -> None:
        done = [reply for reply in replies if any(marker in reply for marker in DONE_MARKERS)]
        if message.typed_payload and done:
            self.report.acted_on.append(f"[{channel}] typed {ascii(message.text)} -> {done}")

    async def http_cases(
        self, channel: str, url: str, cases: List[hostile.HttpCase], auth: Callable[[str], Dict[str, str]]
    ) -> None:
        async def run(case: hostile.HttpCase) -> None:
            headers = {**auth(case.auth), **dict(case.headers)}
            async with self.gate:
                await self.http(
                    channel,
                    f"{case.category}/{case.name}",
                    case.body,
                    case.method,
                    url,
                    case.body,
                    headers,
                    case.expect,
                )

        await asyncio.gather(*(run(case) for case in cases))

    # -- WeChat -----------------------------------------------------------------------------

    async def wechat_send(self, case: hostile.WeChatCase, openid: str) -> Tuple[Outcome, str]:
        self.msg_id += 1
        now, nonce = int(time.time()), secrets.token_hex(8)
        params, body = hostile.wechat_request(
            case,
            token=self.wechat_token,
            aes_key=self.aes_key,
            app_id=self.app_id,
            openid=openid,
            msg_id=self.msg_id,
            now=now,
            nonce=nonce,
            random_prefix=os.urandom(16),
        )
        url = f"{self.wechat_url}?{urllib.parse.urlencode(params)}"
        sent = case.text if case.text is not None else (case.xml or case.encrypt or "")
        outcome, answer = await self.http(
            "wechat", f"{case.category}/{case.name}", sent, "POST", url, body, {"Content-Type": "text/xml"}, case.expect
        )
        text = ""
        if outcome.status == 200 and answer and answer != b"success":
            text = self.wechat_reply_text(answer, params)
            outcome.replies = [text]
            self.report.shown[f"wx:{openid}"].append(text)
        return outcome, text

    def wechat_reply_text(self, answer: bytes, params: Dict[str, str]) -> str:
        from bot.rasa.wechat.protocol import parse_xml  # the reply's XML, as WeChat would read it

        try:
            fields = parse_xml(answer)
            if "Encrypt" in fields:
                plain = self.crypto.decrypt_message(
                    answer.decode(), fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
                )
                fields = parse_xml(plain.encode() if isinstance(plain, str) else plain)
            return fields.get("Content", "")
        except Exception as error:  # noqa: BLE001 - reported, not raised: one odd reply must not end the run
            return f"<unreadable reply: {error}>"

    async def wechat_cases(self, cases: List[hostile.WeChatCase]) -> None:
        async def run(group: int, chunk: List[hostile.WeChatCase]) -> None:
            openid = f"o_fuzz_{self.run_id}_{group}"
            async with self.gate:
                for case in chunk:
                    _, text = await self.wechat_send(case, openid)
                    if case.text is not None:
                        self.check_not_acted_on(
                            hostile.Text(case.category, case.text, case.typed_payload), "wechat", [text]
                        )

        await asyncio.gather(
            *(
                run(group, cases[start : start + MESSAGES_PER_SENDER])
                for group, start in enumerate(range(0, len(cases), MESSAGES_PER_SENDER))
            )
        )

    # -- socket.io --------------------------------------------------------------------------

    async def widget(self) -> Tuple[socketio.AsyncClient, "asyncio.Queue[dict]", str]:
        replies: "asyncio.Queue[dict]" = asyncio.Queue()
        sessions: "asyncio.Queue[str]" = asyncio.Queue()
        client = socketio.AsyncClient(reconnection=False)
        client.on("bot_uttered", replies.put)
        client.on("session_confirm", sessions.put)
        await client.connect(
            self.settings.rasa_url,
            socketio_path="/socket.io",
            transports=["polling"],
            headers={"Origin": self.settings.site_url},
        )
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(sessions.get(), 10)
        return client, replies, session_id

    def webchat_sender(self, session_id: str) -> str:
        from bot.rasa.channels.sessions import sender_for

        return sender_for(self.settings.secrets["WEBCHAT_SESSION_SECRET"], session_id) or session_id

    async def socketio_say(self, client, replies, sender: str, text: str, case: str, quiet_s: float = 0.0) -> List[str]:
        while not replies.empty():
            replies.get_nowait()
        started = time.monotonic()
        got: List[str] = []
        if not client.connected:
            status: Any = "disconnected"
        else:
            await client.emit("user_uttered", {"message": text, "session_id": "ignored"})
            try:
                got.append((await asyncio.wait_for(replies.get(), REPLY_TIMEOUT_S)).get("text", ""))
                status = "reply"
                while quiet_s:
                    got.append((await asyncio.wait_for(replies.get(), quiet_s)).get("text", ""))
            except asyncio.TimeoutError:
                status = "reply" if got else "no reply"
        outcome = Outcome("socketio", case, shorten(text), status, ANSWERED, time.monotonic() - started, got)
        self.report.add(outcome)
        self.report.shown[sender].extend(got)
        return got

    async def socketio_texts(self, texts: List[hostile.Text]) -> None:
        async def run(chunk: List[hostile.Text]) -> None:
            async with self.gate:
                started = time.monotonic()
                try:
                    client, replies, session_id = await self.widget()
                except (socketio.exceptions.ConnectionError, asyncio.TimeoutError, aiohttp.ClientError) as error:
                    for message in chunk:
                        self.report.add(
                            Outcome(
                                "socketio",
                                f"text/{message.category}",
                                shorten(message.text),
                                f"error: no connection: {error}",
                                ANSWERED,
                                time.monotonic() - started,
                            )
                        )
                    return
                try:
                    sender = self.webchat_sender(session_id)
                    for message in chunk:
                        got = await self.socketio_say(client, replies, sender, message.text, f"text/{message.category}")
                        self.check_not_acted_on(message, "socketio", got)
                finally:
                    await client.disconnect()

        await asyncio.gather(
            *(run(texts[start : start + MESSAGES_PER_SENDER]) for start in range(0, len(texts), MESSAGES_PER_SENDER))
        )

    async def socketio_packets(self) -> None:
        """Odd Socket.IO packets over Engine.IO long-polling, each on a fresh genuine connection."""
        base = f"{self.settings.rasa_url}/socket.io/?EIO=4&transport=polling"
        origin = {"Origin": self.settings.site_url}

        async def run(name: str, body: bytes) -> None:
            async with self.gate:
                started = time.monotonic()
                try:
                    async with self.session.get(base, headers=origin) as response:
                        handshake = await response.text()
                    sid = json.loads(handshake[handshake.index("{") :])["sid"]
                    url = f"{base}&sid={sid}"
                    async with self.session.post(url, data=b"40", headers=origin) as response:
                        await response.read()
                except (aiohttp.ClientError, ConnectionError, ValueError, KeyError) as error:
                    self.report.add(
                        Outcome(
                            "socketio",
                            f"packet/{name}",
                            shorten(body),
                            f"error: no handshake: {error}",
                            ANY,
                            time.monotonic() - started,
                        )
                    )
                    return
                await self.http(
                    "socketio",
                    f"packet/{name}",
                    body,
                    "POST",
                    url,
                    body,
                    {**origin, "Content-Type": "text/plain;charset=UTF-8"},
                    ANY,
                )

        await asyncio.gather(*(run(name, body) for name, body in hostile.socketio_packets()))
        huge = {**origin, "X-Junk": "a" * 100_000}
        await self.http(
            "socketio", "headers/100 KB header on the handshake", "GET handshake", "GET", base, b"", huge, REFUSED
        )

    # -- inside conversation states ---------------------------------------------------------

    async def at_payment_summary(self, item: hostile.StateInput, index: int) -> None:
        sender = f"fuzz-{self.run_id}-summary-{index}"
        async with self.gate:
            asked = await self.rest_say(sender, f"给{PAY_PHONE}充50元话费", "state/payment summary: setup")
            shown = await self.rest_say(sender, "微信", "state/payment summary: setup")
            if not any(reply.startswith("请确认") and "50.00" in reply for reply in shown):
                self.report.setup_failures.append(
                    f"payment summary not reached for {ascii(item.text)}: {asked} {shown}"
                )
                return
            replies = await self.rest_say(sender, item.text, "state/payment summary: hostile confirm")
        if any("缴费成功" in reply for reply in replies):
            self.report.acted_on.append(f"[rest] at the payment summary {ascii(item.text)} -> {replies}")

    async def at_amount_question(self, item: hostile.StateInput, index: int) -> None:
        sender = f"fuzz-{self.run_id}-amount-{index}"
        async with self.gate:
            await self.rest_say(sender, "我要交话费", "state/amount question: setup")
            asked = await self.rest_say(sender, PAY_PHONE, "state/amount question: setup")
            if not any("多少钱" in reply for reply in asked):
                self.report.setup_failures.append(f"amount question not reached for {ascii(item.text)}: {asked}")
                return
            replies = await self.rest_say(sender, item.text, "state/amount question: hostile amount")
        if any(marker in reply for reply in replies for marker in DONE_MARKERS):
            self.report.acted_on.append(f"[rest] at the amount question {ascii(item.text)} -> {replies}")

    async def at_cancel_confirmation(self, items: List[hostile.StateInput]) -> None:
        """One verified conversation; the video pack's terms asked for again before each input."""
        sender = f"fuzz-{self.run_id}-cancel"
        async with self.gate:
            await self.rest_say(sender, "我要退订视频会员包", "state/cancel terms: setup")
            await self.rest_say(sender, CUSTOMER, "state/cancel terms: setup")
            terms = await self.rest_say(sender, PASSWORD, "state/cancel terms: setup")
            for item in items:
                if not any("确认退订" in reply for reply in terms):
                    self.report.setup_failures.append(f"cancellation terms not reached for {ascii(item.text)}: {terms}")
                    terms = await self.rest_say(sender, "我要退订视频会员包", "state/cancel terms: setup")
                    continue
                replies = await self.rest_say(sender, item.text, "state/cancel terms: hostile confirm")
                if any("已为您退订" in reply for reply in replies):
                    self.report.acted_on.append(f"[rest] at the cancellation terms {ascii(item.text)} -> {replies}")
                terms = await self.rest_say(sender, "我要退订视频会员包", "state/cancel terms: setup")
            await self.rest_say(sender, "算了", "state/cancel terms: setup")

    async def summary_on_other_channels(self) -> None:
        """The issue's reproduction through WeChat (safe mode) and the widget."""
        openid = f"o_fuzz_{self.run_id}_summary"
        typed = '／affirm{"amount":"500"}'
        texts = []
        for text in (f"给{PAY_PHONE}充50元话费", "微信", typed):
            case = hostile.WeChatCase("state", "payment summary via WeChat", "aes", text, expect=ANSWERED)
            _, reply = await self.wechat_send(case, openid)
            texts.append(reply)
        if "缴费成功" in texts[-1]:
            self.report.acted_on.append(f"[wechat] at the payment summary {ascii(typed)} -> {texts[-1]}")
        client, replies, session_id = await self.widget()
        try:
            sender = self.webchat_sender(session_id)
            for text in (f"给{PAY_PHONE}充50元话费", "微信"):
                await self.socketio_say(client, replies, sender, text, "state/payment summary: setup", quiet_s=1.0)
            got = await self.socketio_say(
                client, replies, sender, typed, "state/payment summary: hostile confirm", quiet_s=1.5
            )
            if any("缴费成功" in reply for reply in got):
                self.report.acted_on.append(f"[socketio] at the payment summary {ascii(typed)} -> {got}")
        finally:
            await client.disconnect()

    async def control_payment(self) -> None:
        """A genuine payment (summary shown, 确认): proves the checks see money move."""
        sender = f"fuzz-{self.run_id}-control"
        await self.rest_say(sender, f"给{PAY_PHONE}充50元话费", "control: pay 50")
        shown = await self.rest_say(sender, "微信", "control: pay 50")
        done = await self.rest_say(sender, "确认", "control: pay 50")
        self.report.control = {"sender": sender, "summary": shown, "result": done}


# ---------------------------------------------------------------------------------------------
# Around the run: health, backend state
# ---------------------------------------------------------------------------------------------


async def health_latency(session: aiohttp.ClientSession, spec) -> float:
    started = time.monotonic()
    try:
        async with session.get(
            spec.health_url, headers=dict(spec.health_headers), timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            await response.read()
            if response.status >= 400:
                return float("inf")
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return float("inf")
    return time.monotonic() - started


async def watch_health(session: aiohttp.ClientSession, specs, report: Report, stop: asyncio.Event) -> None:
    """Every half second: each process's health latency (the worst kept), and when one stops answering."""
    last_ok: Dict[str, float] = {}
    while not stop.is_set():
        checked = time.monotonic()
        latencies = await asyncio.gather(*(health_latency(session, spec) for spec in specs))
        for spec, latency in zip(specs, latencies, strict=True):
            report.health_during[spec.name] = max(report.health_during.get(spec.name, 0.0), latency)
            if latency == float("inf"):
                report.went_down.setdefault(spec.name, (last_ok.get(spec.name, 0.0), checked))
            else:
                last_ok[spec.name] = checked
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def phase(report: Report, *steps: Awaitable[None]) -> None:
    """Run `steps` together; one that fails is reported, and the others go on."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            report.harness_errors.append(f"{type(result).__name__}: {result}")


def backend_state(running) -> Dict[str, Any]:
    """What the operator backend holds about money and packages (its API, plus the payments table)."""
    state: Dict[str, Any] = {}
    for phone in (CUSTOMER, PAY_PHONE):
        state[f"{phone} balance"] = running.backend_get(f"/v1/lines/{phone}/balance")["balance_fen"]
        state[f"{phone} subscriptions"] = sorted(
            (s["name"], s["status"])
            for s in running.backend_get(f"/v1/lines/{phone}/subscriptions?include_ended=true")["subscriptions"]
        )
        state[f"{phone} consents"] = running.backend_get(f"/v1/lines/{phone}/consents")["consents"]
    state[f"{CUSTOMER} broadband owed"] = running.backend_get(f"/v1/lines/{CUSTOMER}/outstanding?type=宽带")[
        "outstanding_fen"
    ]
    path = running.settings.operator_db_url.replace("sqlite:///", "")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        state["payments"] = [dict(row) for row in db.execute("SELECT * FROM payments ORDER BY id")]
        state["consent rows"] = {row["id"]: dict(row) for row in db.execute("SELECT * FROM consents")}
    return state


def unconsented_payments(before: Dict[str, Any], after: Dict[str, Any], shown: Dict[str, List[str]]) -> List[str]:
    """New payments not covered by a confirmed consent whose text the same conversation was shown
    and which names the amount charged (pure)."""
    known = {payment["id"] for payment in before["payments"]}
    problems = []
    for payment in after["payments"]:
        if payment["id"] in known:
            continue
        amount = f"{payment['amount_fen'] / 100:.2f} 元"
        consent = after["consent rows"].get(payment["consent_id"])
        where = f"payment {payment['id']}: {amount} to {payment['phone']} by {payment['method']}"
        if consent is None:
            problems.append(f"{where}: no consent (consent_id {payment['consent_id']})")
            continue
        texts = shown.get(consent["sender_id"], [])
        if not consent["confirmed"] or consent["action"] != "payment":
            problems.append(f"{where}: consent {consent['id']} is not a confirmed payment consent")
        elif not any(consent["shown_text"] in text for text in texts):
            problems.append(
                f"{where}: consent text {consent['shown_text']!r} was never shown to "
                f"{consent['sender_id']} (shown: {texts[-6:]})"
            )
        elif amount not in consent["shown_text"]:
            problems.append(f"{where}: the summary shown says {consent['shown_text']!r}")
    return problems


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------


async def fuzz_everything(running, report: Report) -> None:
    import random

    rng = random.Random(report.seed)
    rest_texts = hostile.hostile_texts(rng, REST_TEXTS)
    wechat = hostile.wechat_cases(rng, hostile.hostile_texts(rng, WECHAT_TEXTS))
    socketio_texts = hostile.hostile_texts(rng, SOCKETIO_TEXTS)
    states = hostile.state_inputs(rng)
    settings = running.settings
    specs = list(running.supervisor.specs.values())
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=CONCURRENCY * 3)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=False) as session:
        watcher = asyncio.ensure_future(watch_health(session, specs, report, stop))
        fuzzer = Fuzzer(running, report, session)
        # Conversation states first, while the demo accounts are untouched.
        summary = [item for item in states if item.state == "payment_summary"]
        amount = [item for item in states if item.state == "amount_question"]
        cancel = [item for item in states if item.state == "cancel_confirmation"]
        await phase(
            report,
            fuzzer.control_payment(),
            *(fuzzer.at_payment_summary(item, index) for index, item in enumerate(summary)),
            *(fuzzer.at_amount_question(item, index) for index, item in enumerate(amount)),
            fuzzer.at_cancel_confirmation(cancel),
            fuzzer.summary_on_other_channels(),
        )

        def bearer(token_name: str, header: str = "Authorization", scheme: str = "Bearer ") -> Callable[[str], Dict]:
            def auth(kind: str) -> Dict[str, str]:
                token = settings.secrets.get(token_name, "")
                if kind == "none" or not token:
                    return {}
                return {header: scheme + (token if kind == "good" else "x" + token[1:])}

            return auth

        rest_bodies = hostile.body_cases({"sender": f"fuzz-{fuzzer.run_id}-body", "message": "你好"})
        service_cases = [case for case in hostile.body_cases({"fuzz": True}) if case.expect == REFUSED]
        await phase(
            report,
            fuzzer.rest_texts(rest_texts),
            fuzzer.wechat_cases(wechat),
            fuzzer.socketio_texts(socketio_texts),
            fuzzer.socketio_packets(),
            fuzzer.http_cases(
                "backend", f"{settings.operator_url}/v1/consents", service_cases, bearer("OPERATOR_API_TOKEN")
            ),
            fuzzer.http_cases("handoff", f"{settings.agent_url}/v1/relay", service_cases, bearer("HANDOFF_API_TOKEN")),
            fuzzer.http_cases(
                "actions",
                f"{settings.action_url}/webhook",
                service_cases,
                bearer("ACTION_SERVER_TOKEN", "X-Action-Token", ""),
            ),
            fuzzer.http_cases("site", f"{settings.site_url}/", service_cases[:12], bearer("")),
        )
        # Malformed REST bodies last: one that brings the Rasa server down must not hide the rest.
        await phase(report, fuzzer.http_cases("rest", fuzzer.rest_url, rest_bodies, bearer("REST_CHANNEL_TOKEN")))
        stop.set()
        await watcher
        # WeChat answers that missed the 4-second window went through the customer-service API.
        for message in list(running.wechat_api.sent):
            report.shown[f"wx:{message['touser']}"].append(message.get("text", {}).get("content", ""))
        await asyncio.sleep(1.0)  # let the last processing settle before "afterwards"
        for spec in specs:
            report.health_after[spec.name] = await health_latency(session, spec)


@pytest.fixture(scope="module")
def fuzz(product, running) -> Iterator[Report]:
    report = Report(seed=SEED)
    report.before = backend_state(running)
    started = time.monotonic()
    asyncio.run(fuzz_everything(running, report))
    report.wall_s = time.monotonic() - started
    report.after = backend_state(running)
    print_summary(report)
    yield report
    # The stack is shared by the whole session: bring back what the run brought down.
    for name, latency in report.health_after.items():
        if latency == float("inf"):
            spec = running.supervisor.specs[name]
            running.supervisor.stop(name)
            running.supervisor.start(spec)
            running.supervisor.wait_healthy([name])


def print_summary(report: Report) -> None:
    counts = report.counts()
    statuses = Counter((outcome.channel, outcome.status) for outcome in report.outcomes)
    slowest = sorted(report.outcomes, key=lambda outcome: outcome.seconds, reverse=True)[:5]
    print(f"\nfuzz seed {report.seed} (FUZZ_SEED to replay): {sum(counts.values())} inputs in {report.wall_s:.0f} s")
    for channel, count in sorted(counts.items()):
        print(
            f"  {channel}: {count} inputs; statuses "
            + ", ".join(f"{status}: {n}" for (ch, status), n in sorted(statuses.items(), key=str) if ch == channel)
        )
    print(f"  5xx: {sum(1 for o in report.outcomes if isinstance(o.status, int) and o.status >= 500)}")
    unconsented = unconsented_payments(report.before, report.after, report.shown)
    print(f"  money moved without a shown summary: {len(unconsented)}")
    print("  slowest:\n" + "\n".join(f"    {outcome.line()}" for outcome in slowest))
    print(
        "  worst health latency during the run: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.health_during.items())
    )
    for line in report.downtime_causes() + report.harness_errors:
        print("  " + line)
    print(
        "  health afterwards: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.health_after.items())
    )


def listing(lines: List[str], limit: int = 40) -> str:
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


# ---------------------------------------------------------------------------------------------
# The properties
# ---------------------------------------------------------------------------------------------


def test_at_least_1000_inputs_through_every_channel(fuzz):
    counts = fuzz.counts()
    assert sum(counts.values()) >= 1000, counts
    assert {"rest", "wechat", "socketio", "backend", "handoff", "actions", "site"} <= set(counts), counts
    assert not fuzz.harness_errors, listing(fuzz.harness_errors)
    assert not fuzz.setup_failures, listing(fuzz.setup_failures)


def test_no_input_gets_a_server_error(fuzz):
    errors = [outcome.line() for outcome in fuzz.outcomes if isinstance(outcome.status, int) and outcome.status >= 500]
    assert not errors, f"{len(errors)} responses of 5xx (seed {fuzz.seed}):\n" + listing(errors)


def test_every_input_is_answered_or_refused_as_expected(fuzz):
    wrong = [f"{outcome.line()}: {outcome.problem()}" for outcome in fuzz.outcomes if outcome.problem()]
    assert not wrong, f"{len(wrong)} inputs not handled as expected (seed {fuzz.seed}):\n" + listing(wrong)


def test_no_typed_intent_payload_is_acted_on(fuzz):
    assert not fuzz.acted_on, f"seed {fuzz.seed}:\n" + listing(fuzz.acted_on)


def test_no_money_moves_and_no_package_is_cancelled_without_a_confirmed_summary(fuzz):
    before, after = fuzz.before, fuzz.after
    # The control payment (summary shown, 确认) went through: the checks below can see money move.
    assert any("缴费成功" in reply for reply in fuzz.control["result"]), fuzz.control
    assert unconsented_payments(before, after, fuzz.shown) == []
    for phone in (CUSTOMER, PAY_PHONE):
        assert after[f"{phone} subscriptions"] == before[f"{phone} subscriptions"], phone
    cancellations = [c for c in after[f"{CUSTOMER} consents"] if c["action"] == "cancel_package"]
    assert cancellations == [c for c in before[f"{CUSTOMER} consents"] if c["action"] == "cancel_package"]
    assert after[f"{CUSTOMER} broadband owed"] == before[f"{CUSTOMER} broadband owed"]
    paid_to = Counter(p["phone"] for p in after["payments"]) - Counter(p["phone"] for p in before["payments"])
    assert after[f"{CUSTOMER} balance"] == before[f"{CUSTOMER} balance"] or paid_to[CUSTOMER]


def test_no_process_stops_answering_during_the_run(fuzz):
    assert not fuzz.went_down, "\n".join(fuzz.downtime_causes())


def test_every_process_answers_within_a_second_afterwards(fuzz):
    slow = {name: seconds for name, seconds in fuzz.health_after.items() if seconds > HEALTH_LIMIT_S}
    assert fuzz.health_after and not slow, f"health checks after the run (s): {fuzz.health_after}"
