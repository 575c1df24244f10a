"""bot/rasa/channels/handoff_output.py: what each kind of channel gets of a handoff's states and an agent's words."""

from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel

from bot.rasa.channels.handoff_output import handoff_state, say_as_agent, tell_state
from bot.rasa.wechat.messages import from_agent

NOTICE = "客服 王芳 已接入，正在为您服务。"


class TextOnly(OutputChannel):
    """A channel of plain text (as WeChat's pushes)."""

    def __init__(self) -> None:
        self.texts: List[Tuple[str, str]] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.texts.append((recipient_id, text))


class WithState(TextOnly):
    """A channel with handoff events (as the widget's)."""

    def __init__(self) -> None:
        super().__init__()
        self.states: List[Dict[str, Any]] = []
        self.agent: List[Tuple[str, str]] = []

    async def send_handoff_state(self, recipient_id: str, state: Dict[str, Any]) -> None:
        self.states.append(state)

    async def send_agent_message(self, recipient_id: str, text: str, agent_name: str) -> None:
        self.agent.append((agent_name, text))


def test_a_state_says_who_answers():
    assert handoff_state("agent", "王芳", NOTICE) == {"state": "agent", "agent_name": "王芳", "notice": NOTICE}
    assert handoff_state("queued") == {"state": "queued"}
    assert handoff_state("bot", "") == {"state": "bot"}
    with pytest.raises(ValueError):
        handoff_state("paused")


async def test_a_channel_with_events_gets_the_state_and_shows_the_notice_itself():
    output = WithState()
    await tell_state(output, "c1", handoff_state("agent", "王芳", NOTICE))
    assert output.states == [{"state": "agent", "agent_name": "王芳", "notice": NOTICE}]
    assert output.texts == []


async def test_a_rest_client_gets_the_notice_with_the_state_as_data():
    output = CollectingOutputChannel()
    await tell_state(output, "c1", handoff_state("agent", "王芳", NOTICE))
    await tell_state(output, "c1", handoff_state("bot"))  # the bot's own words say it is back
    assert output.messages == [
        {
            "recipient_id": "c1",
            "text": NOTICE,
            "custom": {"handoff": {"state": "agent", "agent_name": "王芳", "notice": NOTICE}},
        }
    ]


async def test_a_text_channel_gets_the_notice_as_text_and_nothing_else():
    output = TextOnly()
    await tell_state(output, "c1", handoff_state("agent", "王芳", NOTICE))
    await tell_state(output, "c1", handoff_state("bot"))
    assert output.texts == [("c1", NOTICE)]


async def test_an_agents_words_carry_the_name_where_the_channel_can_show_it():
    widget, rest, text = WithState(), CollectingOutputChannel(), TextOnly()
    for output in (widget, rest, text):
        await say_as_agent(output, "c1", "您好，请问还有什么问题？", "王芳")
    assert widget.agent == [("王芳", "您好，请问还有什么问题？")]
    assert rest.messages == [
        {"recipient_id": "c1", "text": "您好，请问还有什么问题？", "custom": {"agent_name": "王芳"}}
    ]
    assert text.texts == [("c1", "您好，请问还有什么问题？")]


def test_wechat_text_names_the_agent_in_the_message():
    assert from_agent("王芳", "您好") == "【客服 王芳】您好"
    assert from_agent(" ", "您好") == "您好"
