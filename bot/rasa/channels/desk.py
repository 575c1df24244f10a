"""Where the handoff service delivers an agent's reply, a hand-back or a close (the Rasa side).

credentials.yml: `bot.rasa.channels.desk.HandoffInput` with the delivery token (HANDOFF_DELIVERY_TOKEN:
the handoff service's token towards Rasa; the other direction has its own, HANDOFF_API_TOKEN). POST
/webhooks/handoff/deliver records the agent's reply in the customer's tracker (a BotUttered with
the agent's name in its metadata) and pushes it to the customer's channel when that channel can be
pushed to (it has `push_output(sender_id)`); otherwise the reply is returned for the customer's
next request. `taken` says that an agent took the case (utter_handoff_taken, 客服 XX 已接入);
it, the agent's messages and the end of a case also tell the channel where the conversation
stands (bot/rasa/channels/handoff_output.py: the widget's header, its typing indicator).
A hand-back appends ConversationResumed and runs `action_resume_after_handoff` (the
bot says it is back); a close runs `utter_handoff_closed`; a queue timeout (nobody took the case)
says `utter_handoff_queue_timeout`, which offers a callback or the bot's help again. A
`response` says one of the domain's responses with the given values (the number of a ticket that
was queued while the operator backend was down: bot/services/desk/pending_tickets.py). A delivery
with a `delivery_id` the tracker already holds is a repeat and acts once (bot/rasa/channels/deliveries.py).

POST /webhooks/handoff/parse answers Rasa's NLU result for a text (the agents' reply suggestions),
so the handoff service needs no token of Rasa's HTTP API, which could also replace the model or
rewrite conversations.
"""

from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel
from rasa.shared.core.events import BotUttered, ConversationResumed
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa.channels.deliveries import earlier_delivery, marked, valid_delivery_id
from bot.rasa.channels.handoff_output import handoff_state, say_as_agent, tell_state
from bot.rasa.channels.rest import authorised

EVENTS = {"message", "taken", "handback", "close", "timeout", "response"}
MAX_PARSE_CHARS = 500  # as a customer's message (bot/rasa/channels/guard.py)
AFTER = {
    "handback": "action_resume_after_handoff",
    "close": "utter_handoff_closed",
    "timeout": "utter_handoff_queue_timeout",  # nobody took the case: a callback, or the bot again
}


class HandoffInput(InputChannel):
    def __init__(self, token: str) -> None:
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "HandoffInput":
        token = (credentials or {}).get("token") or ""
        if len(token) < 16:
            cls.raise_missing_credentials_exception()
        return cls(token)

    def blueprint(self, on_new_message: Any) -> Blueprint:
        blueprint = Blueprint("handoff_delivery", __name__)

        @blueprint.route("/deliver", methods=["POST"])
        async def deliver(request: Request) -> HTTPResponse:
            if not authorised(request.headers.get("Authorization", ""), self.token):
                return response.json({"error": "unauthorized"}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            event, sender_id = body.get("event"), body.get("sender_id")
            delivery_id = body.get("delivery_id")
            if event not in EVENTS or not isinstance(sender_id, str) or not sender_id:
                return response.json({"error": "invalid_input", "message": "event and sender_id needed"}, status=400)
            if not valid_delivery_id(delivery_id):
                return response.json(
                    {"error": "invalid_input", "message": "delivery_id must be a string of 1 to 64 characters"},
                    status=400,
                )
            if event == "message" and not (isinstance(body.get("text"), str) and body["text"].strip()):
                return response.json({"error": "invalid_input", "message": "text needed"}, status=400)
            named = body.get("agent_name")
            agent_name: str = named if isinstance(named, str) else ""
            if event == "taken" and not agent_name.strip():
                return response.json({"error": "invalid_input", "message": "agent_name needed"}, status=400)
            if event == "response" and (
                body.get("response") not in request.app.ctx.agent.domain.responses
                or not isinstance(body.get("values", {}), dict)
            ):
                return response.json(
                    {"error": "invalid_input", "message": "a response of the domain needed"}, status=400
                )
            pushed = _push_output(request.app, body.get("channel"), sender_id)
            output = pushed or CollectingOutputChannel()
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender_id):
                tracker = await agent.processor.get_tracker(sender_id)
                earlier = earlier_delivery(tracker.events, delivery_id, sender_id) if delivery_id else None
                if earlier is not None:  # a repeat: said once already
                    return response.json(
                        {"pushed": pushed is not None, "messages": [] if pushed else earlier, "repeat": True}
                    )
                if event == "response":
                    values = {str(key): value for key, value in (body.get("values") or {}).items()}
                    said = await agent.nlg.generate(body["response"], tracker, output.name(), **values) or {}
                    tracker.update(BotUttered(said.get("text"), metadata=marked(None, delivery_id)))
                elif event == "taken":
                    said = (
                        await agent.nlg.generate("utter_handoff_taken", tracker, output.name(), agent_name=agent_name)
                        or {}
                    )
                    state = handoff_state("agent", agent_name, said.get("text"))
                    metadata = marked({"handoff_agent": agent_name}, delivery_id)
                    tracker.update(BotUttered(said.get("text"), data={"custom": {"handoff": state}}, metadata=metadata))
                elif event == "message":
                    metadata = marked({"handoff_agent": agent_name}, delivery_id)
                    data = {"custom": {"agent_name": agent_name}}
                    tracker.update(BotUttered(body["text"], data=data, metadata=metadata))
                else:
                    tracker.update(ConversationResumed(metadata=marked(None, delivery_id)))
                await agent.tracker_store.save(tracker)
                if event == "response":
                    await output.send_text_message(sender_id, said.get("text") or "")
                elif event == "taken":
                    await tell_state(output, sender_id, state)
                elif event == "message":
                    await say_as_agent(output, sender_id, body["text"], agent_name)
                else:
                    await tell_state(output, sender_id, handoff_state("bot"))
                    await agent.execute_action(sender_id, AFTER[event], output, None, None)
                    # As after any bot turn: the policies expect the next message after a listen.
                    await agent.execute_action(sender_id, "action_listen", output, None, None)
            messages = [] if pushed else output.messages
            return response.json({"pushed": pushed is not None, "messages": messages, "repeat": False})

        @blueprint.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            if not authorised(request.headers.get("Authorization", ""), self.token):
                return response.json({"error": "unauthorized"}, status=401)
            text = request.json.get("text") if isinstance(request.json, dict) else None
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_PARSE_CHARS:
                return response.json(
                    {"error": "invalid_input", "message": f"text of 1 to {MAX_PARSE_CHARS} characters needed"},
                    status=400,
                )
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "not_ready", "message": "no model loaded yet"}, status=503)
            return response.json(await agent.parse_message(text))

        return blueprint


def _push_output(app: Any, channel: Optional[str], sender_id: str) -> Optional[OutputChannel]:
    """The output channel reaching `sender_id` right now, for channels that can push."""
    for input_channel in getattr(app.ctx, "input_channels", []):
        if input_channel.name() == channel and hasattr(input_channel, "push_output"):
            return input_channel.push_output(sender_id)
    return None
