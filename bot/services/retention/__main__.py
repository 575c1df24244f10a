"""Run the retention job (a run at start, then daily; /health): `python -m bot.services.retention`."""

from bot.core.serve import serve
from bot.services.retention.job import create_app
from bot.services.retention.settings import load_settings

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
