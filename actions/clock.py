"""Today's date in China, injectable so tests fix it."""

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

Today = Callable[[], dt.date]


def china_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
