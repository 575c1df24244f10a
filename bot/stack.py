"""The processes of the embedded product and how they are wired together."""

import sys
from pathlib import Path
from typing import Dict, List

from bot.processes import ServiceSpec
from bot.settings import ProductSettings
from bot.training import rasa_env


def _base_env(settings: ProductSettings) -> Dict[str, str]:
    return {
        **rasa_env(),
        "PYTHONPATH": str(settings.root),
        "OPERATOR_URL": settings.operator_url,
        "OPERATOR_API_TOKEN": settings.secrets["OPERATOR_API_TOKEN"],
        "HANDOFF_URL": settings.agent_url,
        "HANDOFF_API_TOKEN": settings.secrets["HANDOFF_API_TOKEN"],
    }


def operator_backend(settings: ProductSettings) -> ServiceSpec:
    return ServiceSpec(
        name="operator-backend",
        argv=[sys.executable, "-m", "bot.backend"],
        env={
            **_base_env(settings),
            "OPERATOR_HOST": settings.host,
            "OPERATOR_PORT": str(settings.operator_port),
            "OPERATOR_DB_URL": settings.operator_db_url,
        },
        health_url=f"{settings.operator_url}/health",
        startup_timeout_s=30,
    )


def handoff_service(settings: ProductSettings) -> ServiceSpec:
    """The case queue and the agent console (bot/handoff)."""
    return ServiceSpec(
        name="handoff-service",
        argv=[sys.executable, "-m", "bot.handoff"],
        env={
            **_base_env(settings),
            "AGENT_HOST": settings.host,
            "AGENT_PORT": str(settings.agent_port),
            "HANDOFF_DB_URL": settings.handoff_db_url,
            "HANDOFF_SERVICE_HOURS": settings.handoff_service_hours,
            "RASA_URL": settings.rasa_url,
            "RASA_AUTH_TOKEN": settings.secrets["RASA_AUTH_TOKEN"],
        },
        health_url=f"{settings.agent_url}/health",
        startup_timeout_s=30,
    )


def web_site(settings: ProductSettings) -> ServiceSpec:
    """The page with the chat widget (bot/site)."""
    return ServiceSpec(
        name="web-site",
        argv=[sys.executable, "-m", "bot.site"],
        env={**_base_env(settings), "SITE_HOST": settings.host, "SITE_PORT": str(settings.site_port),
             "SITE_SOCKET_URL": settings.rasa_url},
        health_url=f"{settings.site_url}/health",
        startup_timeout_s=30,
    )


def action_server(settings: ProductSettings) -> ServiceSpec:
    return ServiceSpec(
        name="action-server",
        argv=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
        env={**_base_env(settings), "SANIC_HOST": settings.host, "ACTION_SERVER_SANIC_WORKERS": "1"},
        health_url=f"{settings.action_url}/health",
        startup_timeout_s=60,
    )


def rasa_server(settings: ProductSettings, model: Path) -> ServiceSpec:
    token = settings.secrets["RASA_AUTH_TOKEN"]
    return ServiceSpec(
        name="rasa-server",
        argv=[
            sys.executable, "-m", "rasa", "run",
            "--model", str(model),
            "--enable-api", f"--auth-token={token}",  # "=": a token may start with "-"
            "--interface", settings.host, "--port", str(settings.rasa_port),
            "--credentials", str(settings.root / "credentials.yml"),
            "--endpoints", str(settings.root / "endpoints.yml"),
            "--log-file", str(settings.var_dir / "logs" / "rasa.log"),
        ],
        env={
            **_base_env(settings),
            "ACTION_ENDPOINT_URL": f"{settings.action_url}/webhook",
            "TRACKER_DB_PATH": str(settings.tracker_db_path),
            "WEBCHAT_SESSION_SECRET": settings.secrets["WEBCHAT_SESSION_SECRET"],
            "REST_CHANNEL_TOKEN": settings.secrets["REST_CHANNEL_TOKEN"],
            "WECHAT_TOKEN": settings.secrets["WECHAT_TOKEN"],
            "WECHAT_APP_ID": settings.wechat_app_id,
            "WECHAT_APP_SECRET": settings.secrets["WECHAT_APP_SECRET"],
            "WECHAT_AES_KEY": settings.secrets["WECHAT_AES_KEY"][:43],  # EncodingAESKey: 43 characters
            "WECHAT_API_URL": settings.wechat_api_url,
            # The widget's page may open Rasa's socket.io from the site's origin only.
            "WEBCHAT_ORIGINS": f"{settings.site_url},http://localhost:{settings.site_port}",
        },
        # /status answers only once the model is loaded.
        health_url=f"{settings.rasa_url}/status?token={token}",
        startup_timeout_s=240,
    )


def embedded_stack(settings: ProductSettings, model: Path) -> List[ServiceSpec]:
    return [operator_backend(settings), handoff_service(settings), action_server(settings), rasa_server(settings, model),
            web_site(settings)]
