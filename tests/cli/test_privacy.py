"""`python -m bot privacy export|erase PHONE` against a real operator backend and handoff service
(each on port 0, in a thread of their own, as separate processes would be) and a SQLite tracker
store filled by our PrivateSQLTrackerStore."""

import asyncio
import contextlib
import io
import json
import threading
from argparse import Namespace
from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from aiohttp import web
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy import select

from bot.cli.main import main
from bot.cli.privacy import run_privacy
from bot.core.privacy import PASSWORD_MARKER
from bot.services.desk import cases, pending_tickets
from bot.services.desk.app import create_app as create_handoff
from bot.services.desk.routes import SERVICE_KEY
from bot.services.desk.settings import HandoffSettings
from bot.services.operator.app import create_app as create_backend
from bot.services.operator.privacy import ERASED_PHONE, ERASED_TEXT, KEPT
from bot.services.operator.requests import DB_KEY
from bot.services.operator.seed import seed_demo
from bot.services.operator.settings import BackendSettings
from bot.services.operator.tables import consents, payments, tickets, wechat_bindings
from tests.services.retention.conftest import sqlite_tracker
from tests.support import FakeClock, serve

OPERATOR_TOKEN = "operator-test-token-0123456789"
HANDOFF_TOKEN = "handoff-test-token-0123456789"
PHONE, PASSWORD, OPENID = "13800138000", "123456", "oAbCdEfGhIjK"
T = 1_790_000_000


class Product:
    """The backend and the handoff service served from one background event loop."""

    def __init__(self, tmp_path) -> None:
        self.tmp_path = tmp_path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.servers = contextlib.AsyncExitStack()

    def run(self, coroutine) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    async def _serve(self, app: web.Application) -> str:
        return await self.servers.enter_async_context(serve(app))

    async def _start(self) -> None:
        clock = FakeClock()
        self.backend = create_backend(
            BackendSettings(database_url=f"sqlite:///{self.tmp_path / 'operator.db'}", api_token=OPERATOR_TOKEN),
            clock=clock,
        )
        self.operator_url = await self._serve(self.backend)
        await seed_demo(self.backend[DB_KEY])
        self.handoff = create_handoff(
            HandoffSettings(
                database_url=f"sqlite:///{self.tmp_path / 'handoff.db'}",
                service_token=HANDOFF_TOKEN,
                rasa_url="http://127.0.0.1:9",
                rasa_token="rasa-test-token-0123456789",
            ),
            clock=clock,
            retry=False,
        )
        self.agent_url = await self._serve(self.handoff)

    def start(self) -> "Product":
        self.thread.start()
        self.run(self._start())
        return self

    def stop(self) -> None:
        self.run(self.servers.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def _customer_activity(product: Product) -> None:
    """What the bot and the agents would have left: a consent and payment, a ticket, a WeChat
    binding, a rating, a handoff case with its transcript, a ticket queued while the backend was down."""
    db = product.backend[DB_KEY]
    from bot.services.operator import billing, satisfaction
    from bot.services.operator import bindings as wechat
    from bot.services.operator import consents as consent_log
    from bot.services.operator import tickets as ticket_desk

    subject = {"phone": PHONE, "bill_type": "话费", "amount_fen": 5000, "method": "微信"}
    consent = await consent_log.record(
        db,
        phone=PHONE,
        action="payment",
        subject=subject,
        shown_text="为 138****8000 缴纳话费 50.00 元，微信支付",
        confirmed=True,
        channel="rest",
        sender_id="web-1",
    )
    await billing.pay(
        db,
        idempotency_key="pay-web-1-0001",
        phone=PHONE,
        bill_type="话费",
        amount_fen=5000,
        method="微信",
        consent_id=consent["id"],
    )
    await ticket_desk.create(
        db, phone=PHONE, kind="故障报修", category="断网", description="家里宽带断了", address="南山区科技园1号"
    )
    await ticket_desk.create(db, phone="13900139000", kind="投诉", category="服务质量", description="别人的投诉")
    await wechat.bind(db, OPENID, PHONE)
    await satisfaction.record(db, sender_id="web-1", channel="rest", task="payment", score=5, phone=PHONE)
    handoff_db = product.handoff[SERVICE_KEY].db
    await cases.create(
        handoff_db,
        sender_id="web-1",
        channel="rest",
        masked_phone="138****8000",
        verified=True,
        reason="requested",
        context={"slots": {"verified_phone": "138****8000"}},
        transcript=[{"role": "customer", "text": "我要转人工"}],
    )
    await cases.create(
        handoff_db,
        sender_id="web-9",
        channel="rest",
        masked_phone="139****9000",
        verified=True,
        reason="requested",
        context={},
        transcript=[{"role": "customer", "text": "别人"}],
    )
    await pending_tickets.queue(
        handoff_db,
        f"wx:{OPENID}",
        "wechat",
        {"phone": PHONE, "kind": "回访", "category": "回电", "description": "请回电", "address": None},
    )


@pytest.fixture
def product(tmp_path) -> Iterator[SimpleNamespace]:
    running = Product(tmp_path).start()
    running.run(_customer_activity(running))
    tracker = sqlite_tracker(tmp_path / "tracker.db")
    conversation = [
        ActionExecuted("action_session_start", timestamp=T),
        SessionStarted(timestamp=T),
        UserUttered("查话费", {"name": "check_balance", "confidence": 0.9}, timestamp=T + 1),
        SlotSet("requested_slot", "phone_number", timestamp=T + 2),
        UserUttered(PHONE, {"name": "inform", "confidence": 0.9}, timestamp=T + 3),
        SlotSet("phone_number", PHONE, timestamp=T + 4),
        SlotSet("requested_slot", "service_password", timestamp=T + 5),
        BotUttered("请输入服务密码", timestamp=T + 6),
        UserUttered(PASSWORD, {"name": "inform", "confidence": 0.9}, timestamp=T + 7),
        SlotSet("service_password", PASSWORD, timestamp=T + 8),
    ]
    running.run(tracker.save("web-1", conversation))
    running.run(tracker.save(f"wx:{OPENID}", [SessionStarted(timestamp=T), UserUttered("你好", timestamp=T + 1)]))
    running.run(tracker.save("web-9", [SessionStarted(timestamp=T), UserUttered("13900139000", timestamp=T + 1)]))
    settings = SimpleNamespace(
        operator_url=running.operator_url,
        agent_url=running.agent_url,
        production=False,
        tracker_db_url="",
        tracker_db_path=tmp_path / "tracker.db",
        secrets={"OPERATOR_API_TOKEN": OPERATOR_TOKEN, "HANDOFF_API_TOKEN": HANDOFF_TOKEN},
    )
    yield SimpleNamespace(running=running, tracker=tracker, settings=settings, tmp_path=tmp_path)
    running.stop()


def _privacy(product, command, phone=PHONE, answer=None, **options):
    out, err = io.StringIO(), io.StringIO()
    args = Namespace(
        privacy_command=command,
        phone=phone,
        out=options.get("out"),
        yes=options.get("yes", False),
        json=options.get("json", False),
    )

    def ask(prompt):
        if answer is None:
            raise EOFError
        return answer

    code = run_privacy(args, product.settings, ask=ask, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_export_gives_one_document_with_everything_and_no_password(product):
    code, out, err = _privacy(product, "export")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert PASSWORD not in out and "password_hash" not in out
    assert (document["phone"], sorted(document)) == (
        PHONE,
        ["conversations", "generated_at", "handoff", "notes", "operator", "phone"],
    )
    assert [c["sender_id"] for c in document["conversations"]] == ["web-1", f"wx:{OPENID}"]
    said = [e["text"] for e in document["conversations"][0]["events"] if e["event"] == "user"]
    assert said == ["查话费", PHONE, PASSWORD_MARKER]
    handoff = document["handoff"]
    assert [(c["sender_id"], [m["text"] for m in c["transcript"]]) for c in handoff["cases"]] == [
        ("web-1", ["我要转人工"])
    ]
    assert [p["ticket"]["description"] for p in handoff["pending_tickets"]] == ["请回电"]
    held = document["operator"]
    assert held["line"]["customer_name"] == "张伟"
    assert [(c["action"], c["sender_id"]) for c in held["consents"]] == [("payment", "web-1")]
    assert [(p["idempotency_key"], p["amount_fen"]) for p in held["payments"]] == [("pay-web-1-0001", 5000)]
    assert "家里宽带断了" in [t["description"] for t in held["tickets"]]
    assert "别人的投诉" not in out
    assert [b["openid"] for b in held["wechat_bindings"]] == [OPENID]
    assert [(r["task"], r["score"]) for r in held["satisfaction_ratings"]] == [("payment", 5)]


def test_export_to_a_file(product):
    target = product.tmp_path / "export.json"
    target.write_text("old")
    target.chmod(0o644)
    code, out, err = _privacy(product, "export", out=str(target))
    assert (code, out) == (0, "")
    assert err.startswith(f"privacy: {PHONE}：对话 2 个，人工客服会话 1 个") and err.endswith(f"-> {target}\n")
    assert json.loads(target.read_text(encoding="utf-8"))["phone"] == PHONE
    assert target.stat().st_mode & 0o777 == 0o600  # personal data: the owner only


def test_erase_asks_first_and_does_nothing_without_a_yes(product):
    for answer in (None, "no"):  # end of input, or anything but yes
        code, out, err = _privacy(product, "erase", answer=answer)
        assert (code, out) == (1, "")
        assert err.endswith("privacy: 已取消，未删除任何数据。\n")
    assert {row[0] for row in product.tracker.rows()} == {"web-1", f"wx:{OPENID}", "web-9"}


def test_erase_deletes_anonymises_and_keeps_what_the_law_requires(product):
    db = product.running.backend[DB_KEY]
    seeded = sorted(t for t in _tickets_of(product, db, PHONE))
    code, out, err = _privacy(product, "erase", answer="yes", json=True)
    assert code == 0, err
    report = json.loads(out)
    case_ids = report["anonymised"]["cases"]
    assert report == {
        "phone": PHONE,
        "deleted": {
            "conversations": ["web-1", f"wx:{OPENID}"],
            "tracker_events": 10 + 2,
            "case_messages": 1,
            "handoff_outbox": 0,
            "pending_tickets": 1,
            "wechat_bindings": [OPENID],
        },
        "anonymised": {"cases": case_ids, "tickets": seeded, "satisfaction_ratings": 1},
        "kept": [
            {"what": "line", "count": 1, "why": KEPT["line"]},
            {"what": "consents", "count": 1, "why": KEPT["consents"]},
            {"what": "payments", "count": 1, "why": KEPT["payments"]},
        ],
    }
    assert len(case_ids) == 1
    # The tracker keeps only the other customer's conversation.
    assert {row[0] for row in product.tracker.rows()} == {"web-9"}
    # Cases: anonymised, transcript gone; the other customer's untouched.
    handoff_db = product.running.handoff[SERVICE_KEY].db
    case = product.running.run(cases.summary(handoff_db, case_ids[0]))
    assert (case["sender_id"], case["masked_phone"], case["reason"]) == ("erased", None, "requested")
    assert product.running.run(cases.transcript(handoff_db, case_ids[0])) == []
    assert [c["sender_id"] for c in product.running.run(cases.queued(handoff_db))] == ["web-9"]
    # Operator backend: tickets anonymised, binding gone, consents and payments kept.
    assert _tickets_of(product, db, PHONE) == []
    assert sorted(_tickets_of(product, db, ERASED_PHONE, "description")) == [ERASED_TEXT] * len(seeded)
    assert _tickets_of(product, db, "13900139000", "description")[-1] == "别人的投诉"
    assert _column(product, db, wechat_bindings.c.openid) == []
    assert _column(product, db, consents.c.phone) == [PHONE]
    assert _column(product, db, payments.c.phone) == [PHONE]

    code, out, err = _privacy(product, "erase", yes=True)  # again: nothing left to do
    assert code == 0, err
    assert out.splitlines() == [
        "已删除：对话 0 个（0 条事件），人工客服会话记录 0 条，待提交工单 0 张，微信绑定 0 个",
        "已匿名化：人工客服会话 0 个，工单 0 张，满意度评价 0 条",
        f"保留：号码与账户 1 条 — {KEPT['line']}",
        f"保留：消费确认记录 1 条 — {KEPT['consents']}",
        f"保留：缴费记录 1 条 — {KEPT['payments']}",
    ]


def _tickets_of(product, db, phone, column="id"):
    async def read():
        async with db.read() as conn:
            rows = await conn.execute(
                select(getattr(tickets.c, column)).where(tickets.c.phone == phone).order_by(tickets.c.id)
            )
            return list(rows.scalars())

    return product.running.run(read())


def _column(product, db, column):
    async def read():
        async with db.read() as conn:
            return list((await conn.execute(select(column))).scalars())

    return product.running.run(read())


def test_a_service_that_does_not_answer_stops_before_anything_is_deleted(product):
    product.settings.agent_url = "http://127.0.0.1:9"
    code, out, err = _privacy(product, "erase", yes=True)
    assert (code, out) == (1, "")
    assert err.startswith("privacy: 服务不可用，未完成：handoff service (http://127.0.0.1:9) did not answer")
    assert {row[0] for row in product.tracker.rows()} == {"web-1", f"wx:{OPENID}", "web-9"}


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800０", "138001380001", ""])
def test_an_invalid_number_is_refused_with_a_clear_message(phone, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TELEBOT_VAR_DIR", str(tmp_path))
    assert main(["privacy", "export", phone]) == 2
    assert main(["privacy", "erase", phone, "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.count("请输入11位大陆手机号码，例如 13800138000。") == 2


def test_the_commands_of_python_m_bot(product, monkeypatch, capsys):
    """`python -m bot privacy export` and `python -m bot retention` with the product's own settings."""
    for name, value in {
        "TELEBOT_VAR_DIR": str(product.tmp_path / "var"),
        "OPERATOR_PORT": product.settings.operator_url.rsplit(":", 1)[1],
        "AGENT_PORT": product.settings.agent_url.rsplit(":", 1)[1],
        "OPERATOR_API_TOKEN": OPERATOR_TOKEN,
        "HANDOFF_API_TOKEN": HANDOFF_TOKEN,
        "TRACKER_DB_PATH": str(product.tmp_path / "tracker.db"),
        "TELEBOT_EXPORTS_DIR": str(product.tmp_path / "review"),
        "TELEBOT_RETENTION_DAYS": "30",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["privacy", "export", "138 0013 8000"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [c["sender_id"] for c in document["conversations"]] == ["web-1", f"wx:{OPENID}"]

    assert main(["retention"]) == 0  # the conversations are from 2026-09: older than 30 days
    report = json.loads(capsys.readouterr().out)
    assert (report["days"], report["errors"], report["deleted"]["tracker_events"]) == (30, [], 10 + 2 + 2)
    assert product.tracker.rows() == []
