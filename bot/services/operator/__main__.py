"""Run the operator backend: `python -m bot.services.operator`."""

from bot.core.serve import serve
from bot.services.operator.app import create_app
from bot.services.operator.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
