"""How a customer's channel hears that a person took over, who is speaking, and that the bot is back.

Channels differ in what they can show:
- the web widget (bot/rasa/channels/webchat.py `WebchatOutput`) has a `handoff_state` event, which
  changes its header and typing indicator and shows the notice as a line of its own, and labels an
  agent's messages with the agent's name (`send_agent_message`);
- a REST client gets the same as data: `custom: {"handoff": ...}` and `custom: {"agent_name": ...}`;
- WeChat text has neither: the notice is a text, and an agent's message is prefixed with the name
  (bot/rasa/wechat/channel.py `WeChatOutput.send_agent_message`).

A handoff state is `{"state": "queued" | "agent" | "bot", "agent_name"?: str}`.
"""

from typing import Any, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel

STATES = ("queued", "agent", "bot")


def handoff_state(state: str, agent_name: Optional[str] = None, notice: Optional[str] = None) -> Dict[str, Any]:
    if state not in STATES:
        raise ValueError(f"unknown handoff state {state!r}")
    found: Dict[str, Any] = {"state": state}
    if agent_name:
        found["agent_name"] = agent_name
    if notice:
        found["notice"] = notice
    return found


async def tell_state(output: OutputChannel, recipient_id: str, state: Dict[str, Any]) -> None:
    """The channel learns where the conversation stands; a notice in it is said wherever it can be.
    A REST client gets the state with a notice only: without one (the bot is back) the bot's own words
    that follow say it, and a repeated delivery answers exactly what the tracker holds."""
    notice = state.get("notice")
    send_state = getattr(output, "send_handoff_state", None)
    if send_state is not None:
        await send_state(recipient_id, state)
    elif isinstance(output, CollectingOutputChannel):
        if notice:
            await output._persist_message(output._message(recipient_id, text=notice, custom={"handoff": state}))
    elif notice:
        await output.send_text_message(recipient_id, notice)


async def say_as_agent(output: OutputChannel, recipient_id: str, text: str, agent_name: str) -> None:
    """An agent's message, labelled with the agent's name where the channel can show it."""
    send = getattr(output, "send_agent_message", None)
    if send is not None:
        await send(recipient_id, text, agent_name)
    elif isinstance(output, CollectingOutputChannel):
        await output._persist_message(output._message(recipient_id, text=text, custom={"agent_name": agent_name}))
    else:
        await output.send_text_message(recipient_id, text)
