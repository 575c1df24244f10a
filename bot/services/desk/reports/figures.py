"""The dashboard's figures from rows already read (pure: no I/O, no clock).

Definitions, as docs/dashboard.md gives them to supervisors:
- a *conversation* is a Rasa session of one sender with at least one message the customer typed or
  clicked in the period; it counts on the day (and hour) of its first such message, China time;
- it is *handed off* when a case was opened for the sender during it (from its first message to the
  sender's next conversation), and *contained* otherwise;
- *handoffs* count cases by the day they were opened, grouped by reason;
- a case is *abandoned* when it ended without any agent taking it (the queue timeout), unless the
  customer then asked for a callback (the case is then `callback`, and counted with the callbacks);
- *callbacks* are the 回访 tickets opened in the period (by the bot, or a queue timeout converted);
- *queue wait* runs from a case's opening to its taking; *first response* from its taking to the
  agent's first message; percentiles are nearest-rank over the cases taken in the period;
- CSAT is each 1-5 rating of the period by task; the `handoff` ratings are the agents', each
  attributed to the agent of the sender's latest case ended before the rating;
- intents, the fallback rate and the unrecognised messages cover the messages customers typed
  (not button clicks): *fallback* is NLU's nlu_fallback (confidence below the threshold).
"""

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.core.clock import CHINA
from bot.core.privacy import mask_personal_data

FALLBACK = "nlu_fallback"
SCORES = (1, 2, 3, 4, 5)
TOP_UNRECOGNISED = 10
# Case reasons (bot/services/desk/cases.py REASONS) in the groups the dashboard shows.
REASON_GROUPS = {
    "requested": "asked",
    "low_confidence": "low_confidence",
    "complaint_escalated": "complaint",
    "dispute_order_confirmed": "complaint",
    "identity_locked": "locked",
    "backend_failure": "backend",
}
GROUPS = ("asked", "low_confidence", "complaint", "locked", "backend", "other")
GROUP_LABELS = {
    "asked": "客户要求",
    "low_confidence": "未能理解",
    "complaint": "投诉升级",
    "locked": "验证锁定",
    "backend": "系统故障",
    "other": "其他",
}
OPEN_STATUSES = ("queued", "taken")
CONVERTED = "callback"  # an abandoned case whose customer then asked for a callback


@dataclass(frozen=True)
class Message:
    """A customer's message in the tracker store."""

    sender_id: str
    at: dt.datetime
    text: str
    intent: str


@dataclass(frozen=True)
class Conversation:
    sender_id: str
    started: dt.datetime  # its first customer message in the period
    ends: Optional[dt.datetime]  # the sender's next conversation's start (None: the latest)


@dataclass(frozen=True)
class Case:
    id: int
    sender_id: str
    reason: str
    status: str
    created_at: dt.datetime
    taken_at: Optional[dt.datetime]
    ended_at: Optional[dt.datetime]
    agent_id: Optional[int]
    first_reply_at: Optional[dt.datetime]  # the agent's first message


@dataclass(frozen=True)
class Rating:
    sender_id: str
    task: str
    score: int
    at: dt.datetime


@dataclass(frozen=True)
class Period:
    since: dt.datetime  # midnight, China time, of the first day
    days: int
    today: dt.date  # its hours are shown

    @property
    def until(self) -> dt.datetime:
        return self.since + dt.timedelta(days=self.days)

    def dates(self) -> List[dt.date]:
        first = self.since.astimezone(CHINA).date()
        return [first + dt.timedelta(days=n) for n in range(self.days)]

    def holds(self, moment: dt.datetime) -> bool:
        return self.since <= moment < self.until


def period_ending_today(now: dt.datetime, days: int) -> Period:
    """The `days` days up to and including today (China time)."""
    today = now.astimezone(CHINA).date()
    first = today - dt.timedelta(days=days - 1)
    return Period(dt.datetime.combine(first, dt.time(), CHINA), days, today)


def conversations_of(sessions: Iterable[Tuple[str, Sequence[Message]]]) -> List[Conversation]:
    """Conversations from each sender's sessions (oldest first), with their customer messages."""
    by_sender: Dict[str, List[dt.datetime]] = defaultdict(list)
    for sender_id, messages in sessions:
        if messages:
            by_sender[sender_id].append(min(message.at for message in messages))
    found = []
    for sender_id, starts in by_sender.items():
        starts.sort()
        for index, start in enumerate(starts):
            ends = starts[index + 1] if index + 1 < len(starts) else None
            found.append(Conversation(sender_id, start, ends))
    return sorted(found, key=lambda conversation: (conversation.started, conversation.sender_id))


def percentile(values: Sequence[float], p: int) -> Optional[float]:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _spread(seconds: Sequence[float]) -> Dict[str, Any]:
    p50, p95 = percentile(seconds, 50), percentile(seconds, 95)
    return {
        "count": len(seconds),
        "p50_s": None if p50 is None else round(p50),
        "p95_s": None if p95 is None else round(p95),
    }


def _scores(scores: Sequence[int]) -> Dict[str, Any]:
    return {
        "count": len(scores),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "scores": {str(score): scores.count(score) for score in SCORES},
    }


def _handed_off(conversations: Sequence[Conversation], cases: Sequence[Case]) -> set:
    """The conversations (by index) during which a case was opened for their sender."""
    by_sender: Dict[str, List[int]] = defaultdict(list)
    for index, conversation in enumerate(conversations):
        by_sender[conversation.sender_id].append(index)
    handed = set()
    for case in cases:
        for index in by_sender.get(case.sender_id, ()):
            conversation = conversations[index]
            if conversation.started <= case.created_at and (
                conversation.ends is None or case.created_at < conversation.ends
            ):
                handed.add(index)
    return handed


def _abandoned(case: Case) -> bool:
    """Ended without an agent, and not converted into a callback (counted with the callbacks)."""
    return case.taken_at is None and case.status not in OPEN_STATUSES and case.status != CONVERTED


def _bucket(moment: dt.datetime) -> Tuple[dt.date, int]:
    local = moment.astimezone(CHINA)
    return local.date(), local.hour


def _empty_row() -> Dict[str, Any]:
    return {
        "conversations": 0,
        "contained": 0,
        "handed_off": 0,
        "by_reason": {group: 0 for group in GROUPS},
        "abandoned": 0,
        "callbacks": 0,
    }


def volume(
    period: Period,
    conversations: Sequence[Conversation],
    cases: Sequence[Case],
    callbacks: Sequence[dt.datetime],
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]], Dict[str, Any]]:
    """Rows per day, rows per hour of `period.today`, and the period's totals."""
    days = {day: _empty_row() for day in period.dates()}
    hours = {hour: _empty_row() for hour in range(24)}
    total = _empty_row()

    def rows(moment: dt.datetime) -> List[Dict[str, Any]]:
        day, hour = _bucket(moment)
        found = [total]
        if day in days:
            found.append(days[day])
        if day == period.today:
            found.append(hours[hour])
        return found

    counted = [conversation for conversation in conversations if period.holds(conversation.started)]
    handed = _handed_off(counted, cases)
    for index, conversation in enumerate(counted):
        for row in rows(conversation.started):
            row["conversations"] += 1
            row["contained"] += 0 if index in handed else 1
    for case in cases:
        if not period.holds(case.created_at):
            continue
        for row in rows(case.created_at):
            row["handed_off"] += 1
            row["by_reason"][REASON_GROUPS.get(case.reason, "other")] += 1
            row["abandoned"] += 1 if _abandoned(case) else 0
    for moment in callbacks:
        if period.holds(moment):
            for row in rows(moment):
                row["callbacks"] += 1
    daily = [{"date": day.isoformat(), **row} for day, row in days.items()]
    hourly = [{"hour": hour, **row} for hour, row in hours.items()]
    return daily, hourly, total


def waits(period: Period, cases: Sequence[Case]) -> Dict[str, Any]:
    """Queue wait and first agent response of the cases taken in the period, in seconds."""
    taken = [case for case in cases if case.taken_at is not None and period.holds(case.taken_at)]
    queue = [(case.taken_at - case.created_at).total_seconds() for case in taken if case.taken_at]
    first = [
        (case.first_reply_at - case.taken_at).total_seconds()
        for case in taken
        if case.first_reply_at is not None and case.taken_at is not None
    ]
    return {"queue_wait": _spread(queue), "first_response": _spread(first)}


def _agent_of(rating: Rating, cases: Sequence[Case]) -> Optional[int]:
    """The agent of the sender's latest case (among `cases`, the sender's) that ended before the rating."""
    ended = [
        (case.ended_at, case.id, case.agent_id)
        for case in cases
        if case.agent_id is not None and case.ended_at is not None and case.ended_at <= rating.at
    ]
    return max(ended)[2] if ended else None


def satisfaction(
    period: Period, ratings: Sequence[Rating], cases: Sequence[Case], agents: Dict[int, str]
) -> Dict[str, Any]:
    cases_of: Dict[str, List[Case]] = defaultdict(list)
    for case in cases:
        cases_of[case.sender_id].append(case)
    rated = [rating for rating in ratings if period.holds(rating.at)]
    by_task: Dict[str, List[int]] = defaultdict(list)
    by_agent: Dict[int, List[int]] = defaultdict(list)
    for rating in rated:
        by_task[rating.task].append(rating.score)
        agent_id = _agent_of(rating, cases_of.get(rating.sender_id, [])) if rating.task == "handoff" else None
        if agent_id is not None:
            by_agent[agent_id].append(rating.score)
    return {
        "overall": _scores([rating.score for rating in rated]),
        "by_task": [{"task": task, **_scores(scores)} for task, scores in sorted(by_task.items())],
        "by_agent": [
            {"agent_id": agent_id, "agent_name": agents.get(agent_id, f"#{agent_id}"), **_scores(scores)}
            for agent_id, scores in sorted(by_agent.items())
        ],
    }


def _typed(message: Message) -> bool:
    return not message.text.startswith("/")


_SPACES = re.compile(r"\s+")


def understanding(period: Period, messages: Sequence[Message], labels: Dict[str, str]) -> Dict[str, Any]:
    """Intent distribution, fallback rate and the top unrecognised messages (masked) of the typed messages."""
    typed = [message for message in messages if period.holds(message.at) and _typed(message)]
    intents = Counter(message.intent or FALLBACK for message in typed)
    unrecognised = Counter(
        _SPACES.sub(" ", mask_personal_data(message.text)).strip()
        for message in typed
        if (message.intent or FALLBACK) == FALLBACK
    )
    fallbacks = intents.get(FALLBACK, 0)
    return {
        "messages": len(typed),
        "fallbacks": fallbacks,
        "fallback_rate": round(fallbacks / len(typed), 4) if typed else None,
        "intents": [
            {"intent": intent, "label": labels.get(intent, intent), "count": count}
            for intent, count in sorted(intents.items(), key=lambda item: (-item[1], item[0]))
        ],
        "unrecognised": [
            {"text": text, "count": count}
            for text, count in sorted(unrecognised.items(), key=lambda item: (-item[1], item[0]))[:TOP_UNRECOGNISED]
        ],
    }


def dashboard(
    period: Period,
    *,
    messages: Sequence[Message],
    conversations: Sequence[Conversation],
    cases: Sequence[Case],
    ratings: Sequence[Rating],
    callbacks: Sequence[dt.datetime],
    agents: Dict[int, str],
    labels: Dict[str, str],
) -> Dict[str, Any]:
    daily, hourly, total = volume(period, conversations, cases, callbacks)
    return {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "days": period.days,
            "today": period.today.isoformat(),
        },
        "reasons": [{"group": group, "label": GROUP_LABELS[group]} for group in GROUPS],
        "totals": total,
        "daily": daily,
        "hourly": hourly,
        **waits(period, cases),
        "satisfaction": satisfaction(period, ratings, cases, agents),
        "understanding": understanding(period, messages, labels),
    }
