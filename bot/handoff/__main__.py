"""Run the handoff service and agent console: `python -m bot.handoff`."""

from bot.handoff.app import create_app
from bot.handoff.settings import load_settings
from bot.serve import serve

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
