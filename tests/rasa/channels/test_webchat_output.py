"""bot/rasa/channels/webchat.py: the widget's handoff events on the socket.io output (a recording server)."""

from typing import Any, List, Tuple

from bot.rasa.channels.webchat import WebchatOutput, relayed_state


class Server:
    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any, str]] = []

    async def emit(self, event: str, data: Any, room: str) -> None:
        self.emitted.append((event, data, room))


async def test_a_handoff_state_from_an_action_is_the_widgets_event():
    server = Server()
    output = WebchatOutput(server, "bot_uttered")
    await output.send_custom_json("c1", {"handoff": {"state": "queued"}})
    await output.send_custom_json("c1", {"card": {"title": "套餐"}})  # anything else: as data, not emit arguments
    assert server.emitted == [
        ("handoff_state", {"state": "queued"}, "c1"),
        ("bot_uttered", {"custom": {"card": {"title": "套餐"}}}, "c1"),
    ]


async def test_an_agents_message_carries_the_agents_name():
    server = Server()
    await WebchatOutput(server, "bot_uttered").send_agent_message("c1", "您好", "王芳")
    assert server.emitted == [("bot_uttered", {"text": "您好", "agent_name": "王芳"}, "c1")]


def test_after_a_relayed_message_the_widget_knows_who_answers():
    assert relayed_state({"relayed": True, "status": "taken", "agent_name": "王芳"}) == {
        "state": "agent",
        "agent_name": "王芳",
    }
    assert relayed_state({"relayed": True, "status": "queued", "agent_name": None}) == {"state": "queued"}
