"""Run the handoff service and agent console: `python -m bot.handoff`."""

import logging

from aiohttp import web

from bot.handoff.app import create_app
from bot.handoff.settings import load_settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = load_settings()
    web.run_app(create_app(settings), host=settings.host, port=settings.port, print=None)


if __name__ == "__main__":
    main()
