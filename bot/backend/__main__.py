"""Run the operator backend: `python -m bot.backend`."""

from bot.backend.app import create_app
from bot.backend.settings import load_settings
from bot.serve import serve

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
