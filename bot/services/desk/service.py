"""What happens when something changes in a case: persist first, then deliver and tell the consoles.

Shared by the HTTP routes and the retry loop, so a restart of either side loses nothing: every
agent reply and hand-back is in the database before delivery, and undelivered ones are retried.
Each delivery has an id of its own; one delivery of an id is under way at a time (the retry loop
passes over one a request is making), and Rasa acts on an id once (bot/rasa/channels/deliveries.py),
so a retry after a lost answer says nothing twice.
"""

import asyncio
import datetime as dt
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional

from bot.clients.base import Rejected, Unavailable
from bot.clients.operator import OperatorClient
from bot.clients.rasa import RasaClient
from bot.core import clock as clk
from bot.core.db import Database
from bot.core.privacy import mask_personal_data
from bot.services.desk import agents, assist, cases, pending_tickets, preferences
from bot.services.desk.assignment import Seat, assign
from bot.services.desk.hub import Hub
from bot.services.desk.settings import HandoffSettings
from bot.services.desk.suggestions import suggestion

logger = logging.getLogger(__name__)


# What Rasa's handoff channel is told when a case ends (bot/rasa/channels/desk.py).
END_EVENTS = {"handed_back": "handback", "closed": "close", "abandoned": "timeout", "callback": "timeout"}


class HandoffService:
    def __init__(
        self,
        settings: HandoffSettings,
        db: Database,
        rasa: RasaClient,
        hub: Hub,
        operator: Optional[OperatorClient] = None,
        tracker: Optional[Database] = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.tracker = tracker  # Rasa's tracker store, read for the dashboard only
        self.rasa = rasa
        self.hub = hub
        self.operator = operator
        self._tasks: set = set()
        self._delivering: set = set()  # the delivery ids under way
        self._last_given: Dict[int, float] = {}  # agent id -> when auto-assign last gave them a case
        self._assigning = asyncio.Lock()  # one assignment round at a time: no agent over their maximum
        self._present: List[int] = []  # agents with an open console whose status is not 离开 (refreshed)

    # -- availability ---------------------------------------------------------------------------

    async def present_agents(self) -> List[Dict[str, Any]]:
        """Agents with an open console whose status is not 离开 (away): those customers wait for."""
        online = set(self.hub.online_agents())
        return [agent for agent in await agents.roster(self.db) if agent["id"] in online and agent["status"] != "away"]

    async def availability(self) -> Optional[str]:
        """None when a customer can be queued; else why not: `closed` or `no_agent`."""
        now = self.db.clock().astimezone(clk.CHINA).time()
        start, end = self.settings.service_hours
        if not start <= now < end:
            return "closed"
        if not await self.present_agents():
            return "no_agent"
        return None

    async def desk_state(self) -> Dict[str, Any]:
        """What the consoles show about the desk as a whole: whether customers can be queued now
        (else why not: the service-hours banner), the service hours (China time), how cases reach agents."""
        why = await self.availability()
        start, end = self.settings.service_hours
        return {
            "open": why is None,
            "why": why,
            "service_hours": f"{start:%H:%M}-{end:%H:%M}",
            "assign_mode": await preferences.assign_mode(self.db),
            # The SLA timers' thresholds (seconds: amber, red), and when an unanswered queue times out.
            "sla": {
                "queue": list(self.settings.sla_queue_s),
                "reply": list(self.settings.sla_reply_s),
                "queue_timeout": self.settings.queue_timeout_minutes * 60,
            },
        }

    async def expected_wait(self, position: int) -> int:
        present = max(1, len(await self.present_agents()))
        return max(1, -(-position * self.settings.minutes_per_case // present))

    # -- automatic assignment -------------------------------------------------------------------

    async def assign_waiting(self) -> List[Dict[str, Any]]:
        """With the desk on `auto`, give waiting cases to free agents (bot/services/desk/assignment.py);
        the cases given. Run whenever a case is queued or ends, an agent's status or console changes,
        or the mode is switched, and by the retry loop."""
        if await preferences.assign_mode(self.db) != "auto":
            return []
        given = []
        async with self._assigning:
            online = set(self.hub.online_agents())
            load = await cases.loads(self.db)
            seats = [
                Seat(agent["id"], load.get(agent["id"], 0), agent["max_cases"], self._last_given.get(agent["id"], 0.0))
                for agent in await agents.roster(self.db)
                if agent["id"] in online and agent["status"] == "online"
            ]
            waiting = [case["id"] for case in await cases.queued(self.db)]
            for case_id, agent_id in assign(waiting, seats, time.monotonic()):
                try:
                    case = await self.take(case_id, agent_id)
                except cases.AlreadyTaken:
                    continue  # an agent took it by hand meanwhile
                self._last_given[agent_id] = time.monotonic()
                await self.hub.send(agent_id, {"type": "assigned", "case_id": case_id})
                given.append(case)
        return given

    # -- consoles -------------------------------------------------------------------------------

    async def queue_view(self, agent_id: int) -> Dict[str, Any]:
        return {
            "queued": await cases.queued(self.db),
            "mine": await cases.taken_by(self.db, agent_id),
            "desk": await self.desk_state(),
            "me": await agents.get(self.db, agent_id),
        }

    async def refresh(self) -> None:
        """Every open console gets its queue snapshot; what all of them share is read once."""
        shared = {"queued": await cases.queued(self.db), "desk": await self.desk_state()}

        async def view(agent_id: int) -> Dict[str, Any]:
            return {
                **shared,
                "mine": await cases.taken_by(self.db, agent_id),
                "me": await agents.get(self.db, agent_id),
            }

        await self.hub.refresh_queues(view)

    async def announce_message(self, case: Dict[str, Any], message: Dict[str, Any]) -> None:
        event = {"type": "message", "case_id": case["id"], "message": message}
        if case["agent_id"] is not None:
            await self.hub.send(case["agent_id"], event)

    async def answer_for(self, case: Dict[str, Any], text: str) -> Optional[Dict[str, str]]:
        """The reply the agent could insert: for a verified customer's balance, bill or package question, the
        bot's answer computed from the backend (bot/services/desk/assist.py); else the FAQ answer or
        the next step (bot/services/desk/suggestions.py)."""
        parse = await self.rasa.parse(text)
        intent = ((parse or {}).get("intent") or {}).get("name")
        if intent in assist.ANSWERED and case.get("verified") and self.operator is not None:
            phone = await cases.verified_phone(self.db, case["id"])
            if phone:
                answer: Optional[str]
                try:
                    if intent == "check_balance":
                        answer = assist.balance_answer(await self.operator.get_balance(phone))
                    elif intent == "query_package":
                        answer = assist.package_answer(await self.operator.list_subscriptions(phone))
                    else:
                        bills = await self.operator.list_bills(phone)
                        answer = assist.bill_answer(bills, assist.bill_type_of(parse or {}))
                except (Unavailable, Rejected) as error:
                    logger.warning("agent assist: the backend did not answer (%s)", error)
                    return {"label": f"{assist.ANSWERED[intent]}：业务系统暂时无法查询", "text": ""}
                if answer:
                    return {"label": assist.label(intent), "text": answer}
        return suggestion(parse)

    async def tickets_of(self, case: Dict[str, Any], limit: int = 5) -> Optional[List[Dict[str, Any]]]:
        """A verified customer's latest tickets (any channel), found by their number in the backend:
        id, kind, category, status, dates. None when they cannot be looked up (unverified, no backend)."""
        phone = await cases.verified_phone(self.db, case["id"]) if case.get("verified") else None
        if not phone or self.operator is None:
            return None
        try:
            found = await self.operator.list_tickets(phone)
        except (Unavailable, Rejected) as error:
            logger.warning("customer's tickets not looked up: %s", error)
            return None
        keep = ("id", "kind", "category", "status", "created_at", "sla_due")
        return [{key: ticket.get(key) for key in keep} for ticket in found[:limit]]

    async def suggest(self, case: Dict[str, Any], text: str) -> Optional[Dict[str, str]]:
        found = await self.answer_for(case, text)
        if case["agent_id"] is not None:
            await self.hub.send(case["agent_id"], {"type": "suggestion", "case_id": case["id"], "suggestion": found})
        return found

    # -- customer side --------------------------------------------------------------------------

    async def relay_from_customer(
        self, sender_id: str, text: str, intent: Optional[str], confidence: Optional[float]
    ) -> Optional[Dict[str, Any]]:
        """Stored, shown and parsed masked (bot/core/privacy.py): the relay masks too, but whatever sent
        the message, no ID or card number or password reaches the database or an agent's screen."""
        case = await cases.open_case_for(self.db, sender_id)
        if case is None:
            return None
        text = mask_personal_data(text)
        message = await cases.add_message(
            self.db, case["id"], "customer", text, intent=intent, confidence=confidence, delivered=True
        )
        await self.announce_message(case, message)
        await self.refresh()
        self.spawn(self.suggest(case, text))
        return case

    def spawn(self, work: Awaitable[Any]) -> None:
        """Run `work` after the request that asked for it has been answered. A new case is assigned
        so: the bot's action that opened it is still inside the customer's turn, which holds the
        conversation's lock that delivering "客服 XX 已接入" needs."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    # -- agent side -----------------------------------------------------------------------------

    async def take(self, case_id: int, agent_id: int) -> Dict[str, Any]:
        """One agent wins the case (cases.take); the customer is told who took it (客服 XX 已接入)."""
        case = await cases.take(self.db, case_id, agent_id)
        await self.refresh()
        for message in await cases.unrecorded_agent_messages(self.db):
            if message["case_id"] == case_id and message["role"] == "system":
                await self._deliver_message(message, case)
        return case

    async def reassign(self, case_id: int, agent_id: int) -> Dict[str, Any]:
        """A supervisor gives an open case to an agent (cases.assign): the customer hears who answers
        now, the agent's console opens it, the one it was taken from sees it leave."""
        await agents.get(self.db, agent_id)  # 404 for no such agent
        case, before = await cases.assign(self.db, case_id, agent_id)
        for message in await cases.unrecorded_agent_messages(self.db):
            if message["case_id"] == case_id and message["role"] == "system":
                await self._deliver_message(message, case)
        await self.hub.send(agent_id, {"type": "assigned", "case_id": case_id})
        if before is not None:
            await self.hub.send(before, {"type": "reassigned", "case_id": case_id, "agent_name": case["agent_name"]})
        await self.refresh()
        return case

    async def reply(self, case_id: int, agent_id: int, text: str) -> Dict[str, Any]:
        message = await cases.agent_reply(self.db, case_id, agent_id, text)
        await self._deliver_message(message, await cases.summary(self.db, case_id))
        return message

    async def _deliver_message(self, message: Dict[str, Any], case: Dict[str, Any]) -> None:
        """An agent's reply, or (a system message of the agent's) the notice that the agent took the case."""
        where = {"sender_id": case["sender_id"], "channel": case["channel"], "agent_name": message["agent_name"]}
        if message["role"] == "system":
            # The first agent's notice acts once per case; each reassignment's once per message.
            delivery_id = f"case-{message['case_id']}-taken"
            if message.get("intent") == cases.REASSIGNED:
                delivery_id = f"{delivery_id}-{message['id']}"
            payload = {**where, "event": "taken", "delivery_id": delivery_id}
        else:
            payload = {
                **where,
                "event": "message",
                "text": message["text"],
                "message_id": message["id"],
                "delivery_id": f"agent-message-{message['id']}",
            }
        await self._deliver(
            payload,
            f"agent reply {message['id']}",
            done=lambda: cases.is_recorded(self.db, message["id"]),
            record=lambda result: cases.mark_recorded(self.db, message["id"], pushed=bool(result.get("pushed"))),
        )

    async def end(self, case_id: int, agent_id: int, status: str, note: Optional[str] = None) -> Dict[str, Any]:
        case = await cases.end(self.db, case_id, agent_id, status, note)
        await self._deliver_end(case)
        await self.refresh()
        await self.assign_waiting()  # the agent has room for the next one
        return case

    async def _deliver_end(self, case: Dict[str, Any]) -> None:
        event = END_EVENTS.get(case["status"], "close")
        payload = {
            "event": event,
            "sender_id": case["sender_id"],
            "channel": case["channel"],
            "delivery_id": f"case-{case['id']}-{event}",
        }
        await self._deliver(
            payload,
            f"{event} of case {case['id']}",
            done=lambda: cases.is_resumed(self.db, case["id"]),
            record=lambda result: cases.mark_resumed(self.db, case["id"]),
        )

    async def time_out_waiting(self) -> List[Dict[str, Any]]:
        """Cases nobody took within the queue timeout: closed as abandoned, and the bot resumes the
        conversation offering a callback (登记回电) or its own help (action_queue_timeout)."""
        waited_since = self.db.clock() - dt.timedelta(minutes=self.settings.queue_timeout_minutes)
        abandoned = await cases.abandon_overdue(self.db, waited_since)
        if abandoned:
            logger.info("queue timeout: cases %s abandoned", [case["id"] for case in abandoned])
            await self.refresh()
        for case in abandoned:
            await self._deliver_end(case)
        return abandoned

    async def retry_pending(self) -> None:
        """Deliver what could not be delivered before (Rasa down or restarting); time out the queue."""
        await self.time_out_waiting()
        for message in await cases.unrecorded_agent_messages(self.db):
            await self._deliver_message(message, {"sender_id": message["sender_id"], "channel": message["channel"]})
        for case in await cases.unresumed(self.db):
            await self._deliver_end(case)
        await self.submit_pending_tickets()
        await self.assign_waiting()

    # -- tickets queued while the operator backend was down --------------------------------------
    async def queue_ticket(self, sender_id: str, channel: str, ticket: Dict[str, Any]) -> int:
        pending_id = await pending_tickets.queue(self.db, sender_id, channel, ticket)
        logger.info("ticket %s queued for the operator backend", pending_id)
        return pending_id

    async def submit_pending_tickets(self) -> None:
        if self.operator is None:
            return
        for pending in await pending_tickets.unsubmitted(self.db):
            await pending_tickets.mark_attempt(self.db, pending["id"])
            try:
                ticket = await self.operator.create_ticket(**pending["ticket"])
            except Unavailable as error:
                logger.info("operator backend still unavailable (%s); %s waits", error, pending["id"])
                break  # the others would fail the same way: next round
            except Rejected as error:
                logger.error("queued ticket %s refused by the backend: %s", pending["id"], error)
                await pending_tickets.mark_failed(self.db, pending["id"], str(error))
                continue
            await pending_tickets.mark_submitted(self.db, pending["id"], str(ticket["id"]))
        for pending in await pending_tickets.unnotified(self.db):
            await self._notify_submitted(pending)

    async def _notify_submitted(self, pending: Dict[str, Any]) -> None:
        ticket = pending["ticket"]
        payload = {
            "event": "response",
            "sender_id": pending["sender_id"],
            "channel": pending["channel"],
            "response": "utter_ticket_submitted",
            "values": {"kind": ticket.get("kind", ""), "ticket_id": pending["ticket_id"]},
            "delivery_id": f"pending-ticket-{pending['id']}",
        }
        await self._deliver(
            payload,
            f"ticket number of {pending['id']}",
            done=lambda: self._notified(pending["id"]),
            record=lambda result: pending_tickets.mark_notified(self.db, pending["id"]),
        )

    async def _notified(self, pending_id: int) -> bool:
        pending = await pending_tickets.get(self.db, pending_id)
        return pending is None or pending["notified"]

    async def _deliver(
        self,
        payload: Dict[str, Any],
        what: str,
        done: Callable[[], Awaitable[bool]],
        record: Callable[[Dict[str, Any]], Awaitable[None]],
    ) -> None:
        """Hand `payload` to Rasa once: what a channel that cannot be pushed to must get later goes to
        the outbox, then `record` marks it delivered. Passed over when the same delivery is under way
        or `done` already (the retry loop listed it before a request delivered it); left for the
        retry loop when Rasa did not take it."""
        key = payload["delivery_id"]
        if key in self._delivering:
            return
        self._delivering.add(key)
        try:
            if await done():
                return
            try:
                result = await self.rasa.deliver(payload)
            except (Unavailable, Rejected) as error:
                logger.warning("%s not delivered yet, will retry: %s", what, error)
                return
            if not result.get("pushed"):
                await cases.add_to_outbox(self.db, payload["sender_id"], result.get("messages", []))
            await record(result)
        finally:
            self._delivering.discard(key)

    async def retry_forever(self, interval: dt.timedelta = dt.timedelta(seconds=3)) -> None:
        while True:
            try:
                await self.retry_pending()
            except Exception:  # keep retrying whatever happened; the cause is logged
                logger.exception("handoff delivery retry failed")
            await asyncio.sleep(interval.total_seconds())
