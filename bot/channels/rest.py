"""Rasa's REST channel with the handoff relay (credentials.yml: `bot.channels.rest.RelayRestInput`)."""

import hmac
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.relay import HandoffClient, HandoffRelay


def relay_from_credentials(credentials: Optional[Dict[Text, Any]]) -> HandoffRelay:
    credentials = credentials or {}
    url, token = credentials.get("handoff_url"), credentials.get("handoff_token")
    return HandoffRelay(HandoffClient(url, token) if url and token else None)


class RelayRestInput(RestInput):
    """Same URL and payloads as Rasa's `rest` channel (/webhooks/rest/webhook), for integrations:
    behind a Bearer token (`token` in credentials.yml) and with the handoff relay."""

    def __init__(self, relay: HandoffRelay, token: str = "") -> None:
        self.relay = relay
        self.token = token

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RelayRestInput":
        token = (credentials or {}).get("token") or ""
        if len(token) < 16:
            cls.raise_missing_credentials_exception()
        return cls(relay_from_credentials(credentials), token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def relayed(message: UserMessage) -> None:
            await self.relay.handle(message, on_new_message)

        blueprint = super().blueprint(relayed)
        blueprint.listener("before_server_start")(lambda app, _loop: self.relay.bind(app))

        @blueprint.middleware("request")
        async def authenticate(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and not authorised(request.headers.get("Authorization", ""), self.token):
                return response.json({"error": "unauthorized", "message": "a valid Bearer token is required"},
                                     status=401)
            return None

        return blueprint


def authorised(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme == "Bearer" and hmac.compare_digest(given.encode(), token.encode())
