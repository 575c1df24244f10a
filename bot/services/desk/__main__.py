"""Run the handoff service and agent console: `python -m bot.services.desk`."""

from bot.core.serve import serve
from bot.services.desk.app import create_app
from bot.services.desk.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
