"""Rasa's REST channel with the handoff relay (credentials.yml: `bot.rasa.channels.rest.RelayRestInput`)."""

import hmac
import json
import unicodedata
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clients.base import Endpoint
from bot.clients.desk import DeskClient
from bot.core.http_limits import MAX_JSON_DEPTH, json_depth
from bot.rasa.channels.client_address import client_address, with_client_address
from bot.rasa.channels.guard import MessageGuard, guard_from_credentials
from bot.rasa.channels.relay import HandoffRelay

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


def relay_from_credentials(credentials: Optional[Dict[Text, Any]]) -> HandoffRelay:
    credentials = credentials or {}
    url, token = credentials.get("handoff_url"), credentials.get("handoff_token")
    return HandoffRelay(DeskClient(Endpoint("handoff service", url, token)) if url and token else None)


class RelayRestInput(RestInput):
    """Same URL and payloads as Rasa's `rest` channel (/webhooks/rest/webhook), for integrations:
    behind a Bearer token (`token` in credentials.yml), with the message guard (bot/rasa/channels/guard.py)
    and the handoff relay. A body that is not `{"sender": "...", "message": "..."}` gets a 400 (so does
    JSON nested too deeply to parse). The message's metadata carries the customer's network address
    (`client_address`, bot/rasa/channels/client_address.py)."""

    def __init__(self, relay: HandoffRelay, token: str = "", guard: Optional[MessageGuard] = None) -> None:
        self.relay = relay
        self.token = token
        self.guard = guard or guard_from_credentials(None)

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return with_client_address(super().get_metadata(request), client_address(request.ip, request.headers))

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RelayRestInput":
        token = (credentials or {}).get("token") or ""
        if len(token) < 16:
            cls.raise_missing_credentials_exception()
        return cls(relay_from_credentials(credentials), token, guard_from_credentials(credentials))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def relayed(message: UserMessage) -> None:
            await self.relay.handle(message, on_new_message)

        async def guarded(message: UserMessage) -> None:
            await self.guard.handle(message, relayed)

        blueprint = super().blueprint(guarded)

        @blueprint.listener("before_server_start")
        async def bind(app: Any, _loop: Any) -> None:
            self.relay.bind(app)
            self.guard.bind(app)

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if not authorised(request.headers.get("Authorization", ""), self.token):
                return response.json(
                    {"error": "unauthorized", "message": "a valid Bearer token is required"}, status=401
                )
            problem = body_problem(request.body)
            if problem:
                status = 413 if problem == "too_large" else 400
                return response.json({"error": problem, "message": PROBLEMS[problem]}, status=status)
            return None

        return blueprint


def authorised(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme == "Bearer" and hmac.compare_digest(given.encode(), token.encode())


PROBLEMS = {
    "too_large": f"the body may have at most {MAX_BODY_BYTES} bytes",
    "invalid_json": "the body must be a JSON object",
    "too_deep": f"the JSON body may nest at most {MAX_JSON_DEPTH} levels deep",
    "invalid_input": f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} printable characters and '
    '"message" a string',
}


def printable(text: str) -> bool:
    """No control character and no lone surrogate (JSON can carry "\\ud800"; no database can store it)."""
    return not any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def body_problem(body: bytes) -> Optional[str]:
    """Why a webhook body cannot be taken (a key of PROBLEMS), or None (pure)."""
    if len(body) > MAX_BODY_BYTES:
        return "too_large"
    if json_depth(body) > MAX_JSON_DEPTH:
        return "too_deep"
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return "invalid_json"
    if not isinstance(data, dict):
        return "invalid_json"
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS or not printable(sender):
        return "invalid_input"
    if not isinstance(message, str):
        return "invalid_input"
    return None
