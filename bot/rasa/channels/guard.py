"""What every customer message passes before Rasa sees it (REST, web chat and WeChat channels).

- Rate limit per conversation: at most `limit` messages in each `window_s` (fixed windows, counted
  in bot/core/kv.py: in the process, or in Redis so that all replicas count together).
- Text: control characters, format characters (zero-width spaces, BOM, word joiner...) and unpaired
  surrogates removed; nothing left -> `utter_message_empty`;
  longer than `max_chars` -> `utter_message_too_long`. Rasa is not called for either.
- Intent injection: Rasa reads a message starting with "/" as an intent with entities
  (`/inform{"pay_confirmed": true}`). Only the payload of a button the bot offered since the
  customer's last message (or of a button in the domain), exactly, may do that. Any other typed
  message that starts with a slash, or with something that looks like one once NFKC-folded (／ ⁄ ∕
  ⧸ ╱ ⟋ ... SLASHES below) behind whitespace of any kind (U+3000, NBSP ...), loses that whole lead
  and the rest is read as text. (The NLU graph checks again: bot/rasa/nlu/text_normaliser.py.)
- A bare number answers the buttons offered since the customer's last message whose title is that
  number and its unit: "5" (or "５") after the rating question is the "5分" button. On WeChat the
  buttons are words to reply with, and customers reply with the number; the model alone reads a
  bare digit as an amount or a phone number fragment.
- The tracker store fails (bot/rasa/patches.py raises TrackerStoreUnavailable) ->
  `utter_conversation_store_down`, instead of a bot that forgot the conversation.

The words come from the model's domain (domain/core.yml), so they are written where all the others are.
"""

import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Optional

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from bot.core.kv import KV, kv_from_url
from bot.core.text import to_halfwidth
from bot.rasa.tracker_store import TrackerStoreUnavailable

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

BARE_NUMBER_RE = re.compile(r"[0-9]{1,3}")
MAX_CHARS = 500
RATE_LIMIT = 30  # messages a conversation may send in a window: a person types far fewer
RATE_WINDOW_S = 60
# What reads as "/" to a person (and to a normaliser: ／ becomes "/" in the TextNormaliser), after
# NFKC (which already folds ／ U+FF0F to "/", ⼃ U+2F03 to 丿 and ﾉ U+FF89 to ノ): solidus, fraction
# slash, division slash, big solidus, box-drawing and mathematical rising diagonals, double/triple
# solidus, dotted solidus, very heavy solidus, the CJK slash stroke and radical (丿 ㇓), katakana
# ノ, Philippine single punctuation, and the combining solidus overlays. Backslashes are not
# slashes to Rasa and are left alone.
SLASHES = frozenset(
    "/\u2044\u2215\u29f8\u2571\u27cb\u2afd\u2afb\u2e4a\U0001f67c\u4e3f\u31d3\u30ce\u1735\u0337\u0338\u20eb"
)


@dataclass(frozen=True)
class Verdict:
    """`text` to pass on to Rasa, or `response` (a domain response name) to answer instead."""

    text: str = ""
    response: str = ""
    values: Optional[Dict[str, Any]] = None


def clean(text: Any) -> str:
    """The text without control characters (newlines and tabs become spaces) or lone surrogates."""
    if not isinstance(text, str):
        return ""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?"
    out = []
    for char in text:
        if char in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cs", "Cf"):
            out.append(char)
    return "".join(out).strip()


def _is_slash(char: str) -> bool:
    folded = unicodedata.normalize("NFKC", char)
    return bool(folded) and all(c in SLASHES for c in folded)


def slash_lead(text: str) -> int:
    """The length of `text`'s lead of whitespace, format characters, combining marks and slash
    look-alikes when that lead holds a slash (the part to drop from a typed message), else 0 (pure)."""
    slash = False
    for index, char in enumerate(text):
        if _is_slash(char):
            slash = True
        elif not (
            char.isspace()
            or unicodedata.normalize("NFKC", char).isspace()
            or unicodedata.category(char) in ("Cf", "Mn", "Me")
        ):
            return index if slash else 0
    return len(text) if slash else 0


def examine(raw: Any, payloads: FrozenSet[str], max_chars: int = MAX_CHARS) -> Verdict:
    """What to do with a typed message (pure)."""
    text = clean(raw)
    if text not in payloads:
        text = text[slash_lead(text) :].strip()
    if not text:
        return Verdict(response="utter_message_empty")
    if len(text) > max_chars:
        return Verdict(response="utter_message_too_long", values={"max_chars": max_chars})
    return Verdict(text=text)


def button_payloads(responses: Dict[str, Any]) -> FrozenSet[str]:
    """The "/intent{...}" payloads of the domain's buttons: the only intent messages a customer may send."""
    found = set()
    for variations in responses.values():
        for variation in variations or []:
            for button in (variation or {}).get("buttons") or []:
                payload = str(button.get("payload") or "")
                if payload.startswith("/"):
                    found.add(payload)
    return frozenset(found)


def _offered_buttons(events: Any) -> List[Dict[str, Any]]:
    """The buttons the bot sent after the customer's last message, newest first."""
    found: List[Dict[str, Any]] = []
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            found.extend(button for button in event.data.get("buttons") or [] if isinstance(button, dict))
    return found


def numbered_choice(text: str, events: Any) -> Optional[str]:
    """The "/..." payload of the offered button whose title is the bare number `text` and a unit
    ("5" -> the "5分" button), or None."""
    number = to_halfwidth(text).strip()
    if not BARE_NUMBER_RE.fullmatch(number):
        return None
    for button in _offered_buttons(events):
        title, payload = str(button.get("title") or "").strip(), str(button.get("payload") or "")
        unit = title[len(number) :].strip()
        if payload.startswith("/") and title.startswith(number) and unit and not unit[0].isdigit():
            return payload
    return None


def offered_payloads(events: Any) -> FrozenSet[str]:
    """The "/..." payloads of the buttons the bot sent after the customer's last message."""
    payloads = (str(button.get("payload") or "") for button in _offered_buttons(events))
    return frozenset(payload for payload in payloads if payload.startswith("/"))


class RateLimiter:
    def __init__(
        self,
        kv: KV,
        namespace: str,
        limit: int = RATE_LIMIT,
        window_s: float = RATE_WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kv = kv
        self.ns = namespace
        self.limit = limit
        self.window_s = window_s
        self.clock = clock

    async def admit(self, sender_id: str) -> Optional[int]:
        """None if the message may go on, else the seconds until the sender's window ends."""
        now = self.clock()
        window = int(now // self.window_s)
        count = await self.kv.add(f"{self.ns}:rate:{sender_id}:{window}", 1, self.window_s + 1)
        if count <= self.limit:
            return None
        return max(1, int((window + 1) * self.window_s - now) + 1)


class MessageGuard:
    def __init__(self, limiter: RateLimiter, max_chars: int = MAX_CHARS) -> None:
        self.limiter = limiter
        self.max_chars = max_chars
        self.app: Any = None  # the Sanic app (for the model's domain), bound when the server starts
        self._payloads_of: Any = None
        self._domain_payloads: FrozenSet[str] = frozenset()

    def bind(self, app: Any) -> None:
        self.app = app

    def _agent(self) -> Any:
        return getattr(getattr(self.app, "ctx", None), "agent", None)

    def _domain_responses(self) -> Dict[str, Any]:
        return getattr(getattr(self._agent(), "domain", None), "responses", None) or {}

    async def _payloads(self, message: UserMessage) -> FrozenSet[str]:
        """The intent payloads this message may be: the domain's buttons and, only when the message
        looks like a payload, those of the buttons offered since the customer's last message."""
        responses = self._domain_responses()
        if self._payloads_of is not responses:  # once per model: the domain changes only with it
            self._payloads_of, self._domain_payloads = responses, button_payloads(responses)
        payloads = self._domain_payloads
        text = clean(message.text)
        store = getattr(self._agent(), "tracker_store", None)
        if not text.startswith("/") or text in payloads or store is None:
            return payloads
        tracker = await store.retrieve(message.sender_id)
        return payloads | offered_payloads(tracker.events if tracker is not None else [])

    async def _numbered_choice(self, text: str, sender_id: str) -> Optional[str]:
        store = getattr(self._agent(), "tracker_store", None)
        if store is None or not BARE_NUMBER_RE.fullmatch(to_halfwidth(text).strip()):
            return None  # the conversation is read only for a bare number
        tracker = await store.retrieve(sender_id)
        return numbered_choice(text, tracker.events) if tracker is not None else None

    async def _answer(self, message: UserMessage, response: str, values: Optional[Dict[str, Any]] = None) -> None:
        variations = self._domain_responses().get(response) or [{}]
        text = str(variations[0].get("text") or "")
        try:
            text = text.format(**(values or {}))
        except (KeyError, IndexError, ValueError):
            pass
        if not text:
            logger.error("the model's domain has no text for %s", response)
            return
        await message.output_channel.send_text_message(message.sender_id, text)

    async def handle(self, message: UserMessage, handler: Handler, *, typed: bool = True) -> None:
        """Pass `message` on to `handler` if it may; `typed=False` for messages the channel itself
        made (WeChat's "/unsupported_message" for a picture): those skip the text checks."""
        retry_after = await self.limiter.admit(message.sender_id)
        if retry_after is not None:
            logger.warning("rate limit: conversation %s sends too fast", message.sender_id)
            await self._answer(message, "utter_rate_limited", {"retry_after": retry_after})
            return
        try:
            if typed:
                verdict = examine(message.text, await self._payloads(message), self.max_chars)
                if verdict.response:
                    await self._answer(message, verdict.response, verdict.values)
                    return
                message.text = await self._numbered_choice(verdict.text, message.sender_id) or verdict.text
            await handler(message)
        except TrackerStoreUnavailable:
            await self._answer(message, "utter_conversation_store_down")


def guard_from_credentials(credentials: Optional[Dict[str, Any]]) -> MessageGuard:
    """credentials.yml: `redis_url`/`redis_prefix` (production: counted in Redis), optional
    `rate_limit` ("30/60": messages per seconds) and `max_message_chars`."""
    credentials = credentials or {}
    limit, window = RATE_LIMIT, RATE_WINDOW_S
    if credentials.get("rate_limit"):
        count, _, seconds = str(credentials["rate_limit"]).partition("/")
        limit, window = int(count), int(seconds or RATE_WINDOW_S)
    limiter = RateLimiter(
        kv_from_url(credentials.get("redis_url") or ""), credentials.get("redis_prefix") or "telebot", limit, window
    )
    return MessageGuard(limiter, int(credentials.get("max_message_chars") or MAX_CHARS))
