"""Personal data never reaches a log: every log record of the process is masked as it is made.

`install()` (called first by each of our processes' entry points) replaces the logging module's
record factory, so the rule holds for every logger and handler: ours, Rasa's (structlog renders
through the standard library), Sanic's and aiohttp's access logs. A record's message and the text
of its traceback pass through `bot.core.privacy.mask_personal_data`: phone numbers keep their first 3
and last 4 digits, ID and bank-card numbers their last 4 (also typed in groups), and 6-digit runs
(service passwords: together, spaced as 12 34 56, full-width) are starred. Our services' access
log keeps status and size apart for that reason (bot/core/serve.py).

Rasa's structlog renders JSON with ASCII escapes, so "号13900139000" reaches the record as
"\\u53f713900139000": the escape's hex digits run into the number and hide its start. `\\uXXXX`
escapes are therefore turned back into their characters before masking (a pair of surrogate
escapes into its one character, a lone surrogate into U+FFFD); the log reads as Chinese too.
"""

import logging
import re
import traceback
from typing import Any

from bot.core.privacy import mask_personal_data

_installed = False

_ESCAPE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})", re.IGNORECASE)


def _character(match: "re.Match[str]") -> str:
    high, low, single = match.groups()
    if single is None:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + (int(low, 16) - 0xDC00))
    code = int(single, 16)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def unescape_json(text: str) -> str:
    """`\\uXXXX` escapes as their characters: "\\u53f7138" -> "号138"."""
    return _ESCAPE.sub(_character, text) if "\\u" in text else text


def mask_log_text(text: str) -> str:
    return mask_personal_data(unescape_json(text))


class MaskedLogRecord(logging.LogRecord):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[0] is not None:
            # Formatters use exc_text when it is set: the traceback is rendered (and masked) once, here.
            self.exc_text = mask_log_text("".join(traceback.format_exception(*self.exc_info)).rstrip("\n"))

    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return mask_log_text(super().getMessage())


def install() -> None:
    global _installed
    if _installed:
        return
    logging.setLogRecordFactory(MaskedLogRecord)
    _installed = True
