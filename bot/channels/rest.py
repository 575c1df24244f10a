"""Rasa's REST channel with the handoff relay (credentials.yml: `bot.channels.rest.RelayRestInput`)."""

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.channels.relay import HandoffClient, HandoffRelay


def relay_from_credentials(credentials: Optional[Dict[Text, Any]]) -> HandoffRelay:
    credentials = credentials or {}
    url, token = credentials.get("handoff_url"), credentials.get("handoff_token")
    return HandoffRelay(HandoffClient(url, token) if url and token else None)


class RelayRestInput(RestInput):
    """Same URL and payloads as Rasa's `rest` channel (/webhooks/rest/webhook)."""

    def __init__(self, relay: HandoffRelay) -> None:
        self.relay = relay

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RelayRestInput":
        return cls(relay_from_credentials(credentials))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def relayed(message: UserMessage) -> None:
            await self.relay.handle(message, on_new_message)

        blueprint = super().blueprint(relayed)
        blueprint.listener("before_server_start")(lambda app, _loop: self.relay.bind(app))
        return blueprint
