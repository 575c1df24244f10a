"""A hand-made set of conversations, cases, ratings and callbacks, with the figures worked out by
hand in test_figures.py (and seen in the console by tests/e2e/test_browser.py).

Two days, 2026-11-21 and 2026-11-22 (today, 10:00 China time):
- web-a  21st 09:05 查话费 (a button click after it): contained; rates the balance 4.
- web-b  21st 14:00 转人工: case 1 (requested), taken after 120 s by 王芳, answered 60 s later; rates her 5.
- web-c  22nd 08:30 two messages NLU did not understand: case 2 (low confidence), never taken,
         abandoned at 08:41; a callback ticket at 08:45.
- wx-d   22nd 09:10 投诉: case 3 (complaint), taken after 600 s by 李强, answered 300 s later; rates him 2.
- web-e  a conversation on the 20th (outside the period) with case 0 (lock-out, 王芳); a new one on
         the 22nd 09:50 that NLU did not understand: contained; then rates the handoff 3 (王芳's
         case 0 is its latest ended case).
"""

import datetime as dt
from typing import List, Tuple

from bot.core.clock import CHINA
from bot.services.desk.reports.figures import Case, Message, Rating


def at(day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=CHINA)


NOW = at(22, 10, 0)
AGENTS = {1: "王芳", 2: "李强"}
LABELS = {"check_balance": "查余额", "request_human": "转人工", "complain": "投诉", "nlu_fallback": "未识别"}

SESSIONS: List[Tuple[str, List[Message]]] = [
    ("web-e", [Message("web-e", at(20, 23, 0), "查账单", "check_bill")]),
    (
        "web-a",
        [
            Message("web-a", at(21, 9, 5), "查话费", "check_balance"),
            Message("web-a", at(21, 9, 6), '/affirm{"x": 1}', "affirm"),
        ],
    ),
    ("web-b", [Message("web-b", at(21, 14, 0), "转人工", "request_human")]),
    (
        "web-c",
        [
            Message("web-c", at(22, 8, 30), "asdf乱码", "nlu_fallback"),
            Message("web-c", at(22, 8, 31), "我的号码13800138000还是不行", "nlu_fallback"),
        ],
    ),
    ("wx-d", [Message("wx-d", at(22, 9, 10), "投诉 信号差", "complain")]),
    ("web-e", [Message("web-e", at(22, 9, 50), "asdf乱码", "nlu_fallback")]),
]
MESSAGES = [message for _sender, messages in SESSIONS for message in messages]

CASES = [
    Case(0, "web-e", "identity_locked", "handed_back", at(20, 23, 5), at(20, 23, 6), at(20, 23, 20), 1, at(20, 23, 7)),
    Case(1, "web-b", "requested", "handed_back", at(21, 14, 1), at(21, 14, 3), at(21, 14, 10), 1, at(21, 14, 4)),
    Case(2, "web-c", "low_confidence", "abandoned", at(22, 8, 31, 30), None, at(22, 8, 41), None, None),
    Case(3, "wx-d", "complaint_escalated", "closed", at(22, 9, 11), at(22, 9, 21), at(22, 9, 40), 2, at(22, 9, 26)),
]

RATINGS = [
    Rating("web-a", "balance", 4, at(21, 9, 7)),
    Rating("web-b", "handoff", 5, at(21, 14, 12)),
    Rating("wx-d", "handoff", 2, at(22, 9, 45)),
    Rating("web-e", "handoff", 3, at(22, 9, 55)),
]

CALLBACKS = [at(20, 16, 0), at(22, 8, 45)]


# -- the same set as stored: Rasa's tracker store, the handoff database, the backend's answer --------


def write_tracker(path: str) -> None:
    """The set's customer messages in a SQLite file shaped like Rasa's tracker store, each session
    opened by its session_started event, with the bot's replies between (not read by the dashboard)."""
    import json
    import sqlite3

    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255) NOT NULL,"
        " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
        " action_name VARCHAR(255), data TEXT)"
    )
    rows = []
    for sender_id, messages in SESSIONS:
        start = messages[0].at.timestamp() - 1
        rows.append((sender_id, "session_started", start, None, json.dumps({"event": "session_started"})))
        for message in messages:
            data = {
                "event": "user",
                "timestamp": message.at.timestamp(),
                "text": message.text,
                "parse_data": {"intent": {"name": message.intent, "confidence": 0.9}},
            }
            rows.append((sender_id, "user", message.at.timestamp(), message.intent, json.dumps(data)))
            bot = {"event": "bot", "timestamp": message.at.timestamp() + 1, "text": "好的"}
            rows.append((sender_id, "bot", message.at.timestamp() + 1, None, json.dumps(bot)))
    connection.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) VALUES (?, ?, ?, ?, ?)", rows
    )
    connection.commit()
    connection.close()


async def seed_cases(db, agent_ids) -> None:
    """The set's cases in the handoff database; `agent_ids` maps the set's agents 1 and 2 to real ids."""
    from bot.core import clock as clk
    from bot.services.desk.tables import case_messages, cases

    def stored(moment):
        return clk.to_db(moment) if moment is not None else None

    async with db.write() as conn:
        for case in CASES:
            await conn.execute(
                cases.insert().values(
                    id=case.id + 1,  # ids start at 1
                    sender_id=case.sender_id,
                    channel="socketio",
                    masked_phone=None,
                    verified=0,
                    reason=case.reason,
                    priority=2,
                    status=case.status,
                    context="{}",
                    agent_id=agent_ids.get(case.agent_id),
                    created_at=stored(case.created_at),
                    taken_at=stored(case.taken_at),
                    ended_at=stored(case.ended_at),
                    resumed_at=stored(case.ended_at),
                )
            )
            await conn.execute(
                case_messages.insert().values(
                    case_id=case.id + 1, role="customer", text="转人工", at=stored(case.created_at)
                )
            )
            if case.first_reply_at is not None:
                for moment in (case.first_reply_at, case.first_reply_at + dt.timedelta(minutes=1)):
                    await conn.execute(
                        case_messages.insert().values(
                            case_id=case.id + 1,
                            role="agent",
                            text="您好",
                            agent_id=agent_ids.get(case.agent_id),
                            at=stored(moment),
                        )
                    )


def activity() -> dict:
    """What the operator backend answers GET /v1/reports/activity with for the set."""
    return {
        "ratings": [
            {
                "sender_id": r.sender_id,
                "channel": "socketio",
                "task": r.task,
                "score": r.score,
                "created_at": r.at.isoformat(),
            }
            for r in RATINGS
        ],
        "callbacks": [
            {"ticket_id": f"T{n}", "category": "人工回电", "status": "待处理", "created_at": moment.isoformat()}
            for n, moment in enumerate(CALLBACKS)
        ],
    }


def operator_app(token: str):
    """A fake operator backend answering the dashboard's activity request with the set."""
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == f"Bearer {token}"
        assert "since" in request.query and "until" in request.query
        return web.json_response(activity())

    app = web.Application()
    app.router.add_get("/v1/reports/activity", handler)
    return app
