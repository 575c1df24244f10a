"""Bot messages as WeChat text: WeChat's text messages have no buttons."""

from typing import Any, Dict, List

MAX_TEXT = 600


def render(messages: List[Dict[str, Any]]) -> str:
    """Bot messages as one WeChat text: buttons become the words to reply with."""
    parts = []
    for message in messages:
        text = message.get("text") or ""
        buttons = message.get("buttons") or message.get("quick_replies") or []
        if buttons:
            text += "\n" + "\n".join(f"· {button.get('title', '')}" for button in buttons)
        if text.strip():
            parts.append(text.strip())
    return "\n\n".join(parts)[: MAX_TEXT * 4]


def from_agent(agent_name: str, text: str) -> str:
    """An agent's message as WeChat text, which cannot be labelled otherwise: 【客服 王芳】…"""
    return f"【客服 {agent_name}】{text}" if agent_name.strip() else text
