"""Running one of the product's aiohttp services in the foreground (their `python -m` entry points)."""

import logging

from aiohttp import web


def serve(app: web.Application, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    web.run_app(app, host=host, port=port, print=None)
