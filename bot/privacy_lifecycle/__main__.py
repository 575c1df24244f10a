"""Run the retention job (a run at start, then daily; /health): `python -m bot.privacy_lifecycle`."""

from bot.privacy_lifecycle.job import create_app
from bot.privacy_lifecycle.settings import load_settings
from bot.serve import serve

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
