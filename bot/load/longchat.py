"""The long-conversation benchmark's script and figures (pure: no network, no processes).

One verified customer keeps asking: balance, data, minutes, last month's bill and an FAQ, in turn,
for `length` messages. Each message's reply time, the CPU the product's processes used for it and
the tracker events stored so far are measured by bot/load/longrun.py; here they become the figures
per position (1–10, 50, 100–200) and the ratio of the target: message 150 against message 5.

A single message is noisy (a garbage collection, a 10 ms CPU tick), so "message 5" and "message 150"
are windows of five messages around them (4–8 and 149–153) over every conversation of the run: the
median reply time and the mean CPU. Each window is one whole cycle of the questions, so both hold
the same five questions (the identity check of messages 1–3 is in neither: it happens once).
"""

import math
import re
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

ASK_PHONE = "请先提供您的11位手机号码"
ASK_PASSWORD = "请输入该号码的6位服务密码"

OPENING: Tuple[Tuple[str, str], ...] = (
    ("查一下话费余额", ASK_PHONE),
    ("13800138000", ASK_PASSWORD),
    ("123456", r"身份验证成功[\s\S]*您的话费余额为 -?[\d,]+\.\d\d 元"),
)
# Asked in turn after the identity check; five questions, so a window of five holds each once.
CYCLE: Tuple[Tuple[str, str], ...] = (
    ("流量还剩多少", r"本月流量共 \S+，已用 \S+，剩余 \S+"),
    ("通话还剩多少分钟", r"本月通话共 \d+ 分钟"),
    ("上个月话费账单多少", r"账单合计 [\d,]+\.\d\d 元"),
    ("话费怎么交", "交话费的方式"),
    ("话费还有多少", r"您的话费余额为 -?[\d,]+\.\d\d 元"),
)
# (first, last) message positions, 1-based and inclusive: reported rows, and the target's windows.
ROWS: Tuple[Tuple[int, int], ...] = (
    *((n, n) for n in range(1, 11)),
    (50, 50),
    *((n, n) for n in range(100, 201, 10)),
)
EARLY = (4, 8)  # "message 5": the first whole cycle of questions
LATE = (149, 153)  # "message 150": the same cycle, 145 messages later
TARGET_RATIO = 1.2


def script(length: int) -> List[Tuple[str, "re.Pattern[str]"]]:
    """The `length` messages of one conversation, each with the pattern its answer must contain."""
    if length < len(OPENING):
        raise ValueError(f"a conversation is at least {len(OPENING)} messages (the identity check)")
    turns = list(OPENING)
    while len(turns) < length:
        turns.append(CYCLE[(len(turns) - len(OPENING)) % len(CYCLE)])
    return [(text, re.compile(pattern)) for text, pattern in turns[:length]]


@dataclass(frozen=True)
class Measured:
    """One message of one conversation."""

    position: int  # 1-based
    reply_ms: float
    cpu_ms: float  # the product's processes (Rasa and the action server), from this message to the next
    events: int  # tracker events stored for the conversation after the reply
    error: str = ""  # "" when the answer was right


def _window(rows: Sequence[Measured], first: int, last: int) -> Optional[Dict[str, float]]:
    inside = [row for row in rows if first <= row.position <= last and not row.error]
    if not inside:
        return None
    return {
        "reply_ms": statistics.median(row.reply_ms for row in inside),
        "cpu_ms": sum(row.cpu_ms for row in inside) / len(inside),
        "events": statistics.median(row.events for row in inside),
        "messages": len(inside),
    }


def _added(rows: Sequence[Measured]) -> float:
    """Median tracker events a message adds (over consecutive messages of the same conversation)."""
    ordered = sorted(rows, key=lambda row: row.position)
    steps = [b.events - a.events for a, b in zip(ordered, ordered[1:], strict=False) if b.position == a.position + 1]
    return statistics.median(steps) if steps else math.nan


@dataclass(frozen=True)
class Figures:
    conversations: int
    length: int
    rows: List[Dict[str, Any]]  # {"position", "reply_ms", "cpu_ms", "events", "messages"}
    early: Optional[Dict[str, float]]  # "message 5"
    late: Optional[Dict[str, float]]  # "message 150"
    events_per_message: float
    errors: List[str] = field(default_factory=list)

    def ratio(self, key: str) -> float:
        """late / early of "reply_ms" or "cpu_ms"; NaN when a window is missing or zero."""
        if not self.early or not self.late or not self.early[key]:
            return math.nan
        return self.late[key] / self.early[key]

    def as_dict(self) -> Dict[str, Any]:
        return {**asdict(self), "ratios": {"reply": self.ratio("reply_ms"), "cpu": self.ratio("cpu_ms")}}


def figures(conversations: Sequence[Sequence[Measured]]) -> Figures:
    """Rows per position, the two windows of the target and the wrong answers."""
    rows = [row for conversation in conversations for row in conversation]
    table = []
    for first, last in ROWS:
        window = _window(rows, first, last)
        if window is not None:
            table.append({"position": first if first == last else f"{first}–{last}", **window})
    added = [_added(conversation) for conversation in conversations if conversation]
    return Figures(
        conversations=len(conversations),
        length=max((row.position for row in rows), default=0),
        rows=table,
        early=_window(rows, *EARLY),
        late=_window(rows, *LATE),
        events_per_message=statistics.median(added) if added else math.nan,
        errors=[f"message {row.position}: {row.error}" for row in rows if row.error],
    )


def _fmt(value: Optional[float], digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.{digits}f}"


def markdown(result: Figures, target: str) -> str:
    """The benchmark's section of a report (also printed by `python -m bot benchmark --conversation-length`)."""
    lines = [
        f"## Long conversation ({target}): {result.conversations} × {result.length} messages",
        "",
        "One verified customer asks balance, data, minutes, last month's bill and an FAQ in turn, with no "
        "pause. Reply time is the median, CPU the mean of Rasa and the action server per message (until the "
        "next one), events those stored for the conversation so far. A message adds "
        f"{_fmt(result.events_per_message, 1)} tracker events.",
        "",
        "| message | reply ms | CPU ms | tracker events |",
        "|---:|---:|---:|---:|",
    ]
    for row in result.rows:
        lines.append(f"| {row['position']} | {_fmt(row['reply_ms'])} | {_fmt(row['cpu_ms'])} | {_fmt(row['events'])} |")
    if result.early and result.late:
        reply, cpu = result.ratio("reply_ms"), result.ratio("cpu_ms")
        verdict = "within" if max(reply, cpu) <= TARGET_RATIO else "above"
        lines += [
            "",
            f"Message 150 ({LATE[0]}–{LATE[1]}) against message 5 ({EARLY[0]}–{EARLY[1]}): reply "
            f"{_fmt(result.late['reply_ms'])} / {_fmt(result.early['reply_ms'])} ms = **{reply:.2f}×**, CPU "
            f"{_fmt(result.late['cpu_ms'])} / {_fmt(result.early['cpu_ms'])} ms = **{cpu:.2f}×** "
            f"({verdict} the target of {TARGET_RATIO}×).",
        ]
    shown = "; ".join(result.errors[:5])
    lines += ["", f"Wrong answers: {len(result.errors)}" + (f" ({shown})" if shown else "")]
    return "\n".join(lines) + "\n"
