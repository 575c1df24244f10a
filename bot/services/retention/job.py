"""The retention job: at start and then once a day, delete what is older than the retention
period — conversations in the tracker store (directly), the handoff service's cases and
transcripts (over its API) and the trainers' review exports. Consents and payments (operator
backend) are never touched here. Every step deletes by condition, so the job can run on several
hosts at once, and a step that failed is simply done by the next run.

`python -m bot.services.retention` runs it as a process of the stack (`bot.ops.stack.retention_job`), with
/health on RETENTION_PORT; `python -m bot retention` runs it once.
"""

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Any, AsyncIterator, Callable, Dict

from aiohttp import web

from bot.clients.base import Endpoint, Rejected, Unavailable
from bot.clients.desk import DeskClient
from bot.services.retention import exports, tracker
from bot.services.retention.settings import RetentionSettings

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
LAST_RUN = web.AppKey("last_run", dict)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def cutoff_of(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


async def run_once(settings: RetentionSettings, handoff: DeskClient, now: dt.datetime) -> Dict[str, Any]:
    """One pass; the report says what was deleted and which step failed (the others still ran)."""
    cutoff = cutoff_of(now, settings.days)
    report: Dict[str, Any] = {
        "at": now.isoformat(timespec="seconds"),
        "cutoff": cutoff.isoformat(timespec="seconds"),
        "days": settings.days,
        "deleted": {},
        "errors": [],
    }
    try:
        report["deleted"]["tracker_events"] = await asyncio.to_thread(
            tracker.purge, settings.tracker_url, cutoff.timestamp()
        )
    except Exception as error:  # the database is down: the next run does it
        report["errors"].append(f"tracker store: {type(error).__name__}")
    try:
        answer = await handoff.purge(cutoff.isoformat())
        report["deleted"]["handoff"] = answer["deleted"]
    except (Unavailable, Rejected, KeyError) as error:
        report["errors"].append(f"handoff: {error}")
    try:
        report["deleted"]["exports"] = await asyncio.to_thread(exports.purge, settings.exports_dir, cutoff.timestamp())
    except OSError as error:
        report["errors"].append(f"exports: {type(error).__name__}")
    return report


async def run_forever(settings: RetentionSettings, last_run: Dict[str, Any], clock: Clock = utc_now) -> None:
    async with DeskClient(Endpoint("handoff service", settings.handoff_url, settings.handoff_token)) as handoff:
        while True:
            try:
                report = await run_once(settings, handoff, clock())
            except Exception as error:  # never let the loop die: the next run tries again
                logger.exception("retention: the run failed")
                report = {"at": clock().isoformat(timespec="seconds"), "errors": [type(error).__name__]}
            last_run.clear()
            last_run.update(report)
            (logger.warning if report["errors"] else logger.info)("retention: %s", report)
            await asyncio.sleep(settings.retry_s if report["errors"] else settings.interval_s)


def create_app(settings: RetentionSettings, clock: Clock = utc_now) -> web.Application:
    app = web.Application(client_max_size=1024)
    app[LAST_RUN] = {}

    async def health(request: web.Request) -> web.Response:
        # Counts and times only: nothing personal.
        return web.json_response({"status": "ok", "retention_days": settings.days, "last_run": app[LAST_RUN]})

    async def job(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run_forever(settings, app[LAST_RUN], clock))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.router.add_get("/health", health)
    app.cleanup_ctx.append(job)
    return app
