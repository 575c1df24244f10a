"""The long-conversation benchmark's measurement (`python -m bot benchmark --conversation-length 200`,
and a section of `make loadtest`'s report): one conversation after another through the REST channel
of a running target, one message at a time, each reply checked (bot/load/longchat.py).

Per message: the reply time (wall clock of the request), the CPU seconds the Rasa server(s) and the
action server used from this message to the next (/proc, their processes and children), and the
tracker events stored for the conversation so far (read from the target's tracker store).
"""

import http.client
import json
import time
import uuid
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from bot.load import longchat
from bot.load.memory import cpu_seconds, descendants
from bot.load.scenarios import reply_text
from bot.load.targets import Running

# The processes whose CPU a message costs: every Rasa server (embedded, replicas or stock) and the
# action server. The operator backend and the handoff service are the "operator's systems".
MEASURED_PREFIXES = ("rasa", "action-server")


def measured_pids(running: Running) -> List[int]:
    return [
        pid for name, root in running.pids().items() if name.startswith(MEASURED_PREFIXES) for pid in descendants(root)
    ]


def tracker_event_counter(running: Running) -> Callable[[str], int]:
    """sender id -> number of events stored for it (every session), from the target's tracker store."""
    import sqlalchemy

    settings = running.settings
    url = settings.tracker_db_url or f"sqlite:///{settings.tracker_db_path}"
    engine = sqlalchemy.create_engine(url)
    query = sqlalchemy.text("SELECT count(*) FROM events WHERE sender_id = :sender")

    def count(sender: str) -> int:
        with engine.connect() as connection:
            return int(connection.execute(query, {"sender": sender}).scalar() or 0)

    return count


class _Client:
    """One keep-alive HTTP connection to the REST channel."""

    def __init__(self, url: str, token: Optional[str], timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        self.path = parts.path
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout_s)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def send(self, sender: str, text: str) -> tuple:
        body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
        self.connection.request("POST", self.path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def close(self) -> None:
        self.connection.close()


def _judge(status: int, body: str, expected: "longchat.re.Pattern[str]") -> str:
    if status != 200:
        return f"http {status}"
    try:
        text = reply_text(json.loads(body))
    except (ValueError, AttributeError):
        return "not JSON"
    return "" if expected.search(text) else f"unexpected reply {text[:40]!r}"


# A customer's messages are paced below the channels' rate limit (30 a minute per conversation,
# bot/rasa/channels/guard.py), as the measurement was: one message every 2 s.
SPACING_S = 2.1


def conversations_interleaved(
    running: Running,
    length: int,
    conversations: int,
    count_events: Callable[[str], int],
    cpu_pids: Sequence[int],
    spacing_s: float = SPACING_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> List[List[longchat.Measured]]:
    """`conversations` conversations of `length` messages, one message in flight at a time: message
    n of each conversation in turn, then message n + 1, each customer's messages `spacing_s` apart.
    A message's CPU is what the measured processes used from its sending to the next message's."""
    senders = [f"long-{uuid.uuid4().hex[:12]}" for _ in range(conversations)]
    client = _Client(running.rest_url, running.rest_token)
    answered: List[Tuple[int, int, float, int, str]] = []  # conversation, position, reply ms, events, error
    marks: List[float] = []  # CPU seconds before each message, and at the end
    last_sent = [-spacing_s] * conversations
    try:
        for position, (text, expected) in enumerate(longchat.script(length), start=1):
            for number, sender in enumerate(senders):
                wait = last_sent[number] + spacing_s - clock()
                if wait > 0:
                    sleep(wait)
                marks.append(sum(cpu_seconds(pid) for pid in cpu_pids))
                last_sent[number] = clock()
                started = time.perf_counter()
                status, body = client.send(sender, text)
                reply_ms = (time.perf_counter() - started) * 1000
                answered.append((number, position, reply_ms, count_events(sender), _judge(status, body, expected)))
        sleep(0.2)  # what the last message still does after its reply
        marks.append(sum(cpu_seconds(pid) for pid in cpu_pids))
    finally:
        client.close()
    runs: List[List[longchat.Measured]] = [[] for _ in senders]
    for index, (number, position, reply_ms, events, error) in enumerate(answered):
        cpu_ms = (marks[index + 1] - marks[index]) * 1000
        runs[number].append(longchat.Measured(position, reply_ms, cpu_ms, events, error))
    return runs


def measure(running: Running, length: int = 200, conversations: int = 4) -> longchat.Figures:
    runs = conversations_interleaved(
        running, length, conversations, tracker_event_counter(running), measured_pids(running)
    )
    for number, rows in enumerate(runs, start=1):
        errors = sum(1 for row in rows if row.error)
        print(f"benchmark: conversation {number}/{conversations}: {len(rows)} messages, {errors} wrong", flush=True)
    return longchat.figures(runs)


def benchmark(
    model: Path, out_dir: Path, target: str = "embedded", length: int = 200, conversations: int = 4
) -> longchat.Figures:
    """Bring `target` up on its own ports and data, measure, write out_dir/long-conversation.{md,json}."""
    import tempfile

    from bot.load.targets import start_target

    with tempfile.TemporaryDirectory(prefix="telebot-long-") as work:
        print(f"benchmark: starting {target} ...", flush=True)
        running = start_target(target, model, Path(work))
        try:
            result = measure(running, length, conversations)
        finally:
            running.stop()
    text = longchat.markdown(result, target)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"long-conversation-{target}.md").write_text(text, encoding="utf-8")
    figures = json.dumps(result.as_dict(), ensure_ascii=False, indent=2)
    (out_dir / f"long-conversation-{target}.json").write_text(figures, encoding="utf-8")
    print(text)
    return result
