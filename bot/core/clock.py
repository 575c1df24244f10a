"""Time helpers. The backend takes a clock (a callable returning an aware UTC datetime) so tests can fix it."""

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

Clock = Callable[[], dt.datetime]

CHINA = ZoneInfo("Asia/Shanghai")


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def to_db(moment: dt.datetime) -> dt.datetime:
    """Aware datetime -> naive UTC, as stored in the database."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def from_db(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in China of an aware datetime."""
    return moment.astimezone(CHINA).date()


def cycle_of(day: dt.date) -> str:
    """Billing cycle (calendar month) of a date: `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_cycle(cycle: str, months: int = 1) -> str:
    year, month = (int(part) for part in cycle.split("-"))
    index = year * 12 + (month - 1) - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_day(cycle: str) -> dt.date:
    year, month = (int(part) for part in cycle.split("-"))
    return dt.date(year, month, 1)


def last_day(cycle: str) -> dt.date:
    return first_of_next_month(first_day(cycle)) - dt.timedelta(days=1)


def local_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at a wall-clock time in China."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


def iso(moment: dt.datetime) -> str:
    """ISO 8601 in China time, as shown to clients."""
    return moment.astimezone(CHINA).isoformat(timespec="seconds")
