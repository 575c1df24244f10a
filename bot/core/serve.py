"""Running one of the product's aiohttp services in the foreground (their `python -m` entry points).

`web.run_app` cannot turn off the request parser's inflation of compressed bodies, which aiohttp
3.9 does without bound (bot/core/http_limits.py): the runner is built here, with `auto_decompress`
off, and otherwise run as `web.run_app` does (SIGINT and SIGTERM end it gracefully).

The access log writes status and size apart ("200, 155 bytes"): every log record is masked
(bot/core/log_privacy.py), and "200 155" would read as a password typed in groups.
"""

import asyncio
import logging

from aiohttp import web

from bot.core import log_privacy

ACCESS_LOG_FORMAT = '%a %t "%r" %s, %b bytes "%{Referer}i" "%{User-Agent}i"'


def runner(app: web.Application) -> web.AppRunner:
    """The runner of every service of ours: request bodies reach the app as they were sent."""
    return web.AppRunner(app, handle_signals=True, auto_decompress=False, access_log_format=ACCESS_LOG_FORMAT)


async def _serve(app: web.Application, host: str, port: int) -> None:
    server = runner(app)
    await server.setup()
    try:
        await web.TCPSite(server, host, port).start()
        await asyncio.Event().wait()  # until SIGINT or SIGTERM raises GracefulExit
    finally:
        await server.cleanup()


def serve(app: web.Application, host: str, port: int) -> None:
    log_privacy.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        asyncio.run(_serve(app, host, port))
    except (web.GracefulExit, KeyboardInterrupt):
        pass
