"""Running one of the product's aiohttp services in the foreground (their `python -m` entry points)."""

import logging

from aiohttp import web

from bot import log_privacy


def serve(app: web.Application, host: str, port: int) -> None:
    log_privacy.install()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    web.run_app(app, host=host, port=port, print=None)
