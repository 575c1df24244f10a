"""Personal data never reaches a log: every log record of the process is masked as it is made.

`install()` (called first by each of our processes' entry points) replaces the logging module's
record factory, so the rule holds for every logger and handler: ours, Rasa's (structlog renders
through the standard library), Sanic's and aiohttp's access logs. A record's message and the text
of its traceback pass through `bot.core.privacy.mask_personal_data`: phone numbers keep their first 3
and last 4 digits, ID and bank-card numbers their last 4 (also typed in groups), and 6-digit runs
(service passwords: together, spaced as 12 34 56, full-width) are starred. Our services' access
log keeps status and size apart for that reason (bot/core/serve.py).
"""

import logging
import traceback
from typing import Any

from bot.core.privacy import mask_personal_data

_installed = False


class MaskedLogRecord(logging.LogRecord):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[0] is not None:
            # Formatters use exc_text when it is set: the traceback is rendered (and masked) once, here.
            self.exc_text = mask_personal_data("".join(traceback.format_exception(*self.exc_info)).rstrip("\n"))

    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return mask_personal_data(super().getMessage())


def install() -> None:
    global _installed
    if _installed:
        return
    logging.setLogRecordFactory(MaskedLogRecord)
    _installed = True
