"""Run the web site with the chat widget: `python -m bot.services.site`."""

from bot.core.serve import serve
from bot.services.site.app import create_app, load_settings

if __name__ == "__main__":
    settings = load_settings()
    serve(create_app(settings), settings.host, settings.port)
