"""The processes of the product and how they are wired together, for both profiles.

embedded: backend, handoff service, action server, one Rasa server, web site; SQLite files.
production: the same services on PostgreSQL, M action-server workers, N Rasa replicas (shared
PostgreSQL tracker store, Redis lock store) behind nginx, which takes Rasa's public port.
"""

import sys
from pathlib import Path
from typing import Dict, List, Optional

from bot.ml.training import rasa_env
from bot.ops import nginx
from bot.ops.processes import ServiceSpec, Warmup
from bot.ops.settings import SECRET_NAMES, ProductSettings


def _base_env(settings: ProductSettings) -> Dict[str, str]:
    """What every process gets: the inherited environment without any secret (an operator may have
    exported them all), and our code on the path. Each process adds only the secrets it uses."""
    inherited = {name: value for name, value in rasa_env().items() if name not in SECRET_NAMES}
    return {**inherited, "PYTHONPATH": str(settings.root)}


def _secrets(settings: ProductSettings, *names: str) -> Dict[str, str]:
    return {name: settings.secrets[name] for name in names}


def rasa_api_headers(settings: ProductSettings) -> Dict[str, str]:
    """Rasa's HTTP API takes its token in this header only (bot/rasa/auth.py), never in a URL."""
    return {"Authorization": f"Bearer {settings.secrets['RASA_AUTH_TOKEN']}"}


def operator_backend(settings: ProductSettings) -> ServiceSpec:
    return ServiceSpec(
        name="operator-backend",
        argv=[sys.executable, "-m", "bot.services.operator"],
        env={
            **_base_env(settings),
            **_secrets(settings, "OPERATOR_API_TOKEN"),  # the token it checks
            "OPERATOR_HOST": settings.host,
            "OPERATOR_PORT": str(settings.operator_port),
            "OPERATOR_DB_URL": settings.operator_db_url,
        },
        health_url=f"{settings.operator_url}/health",
        startup_timeout_s=30,
    )


def _tracker_store(settings: ProductSettings) -> Dict[str, str]:
    """Where Rasa's tracker store is, for the processes that read it directly."""
    if settings.production:
        return {"TRACKER_DB_URL": settings.tracker_db_url}
    return {"TRACKER_DB_PATH": str(settings.tracker_db_path)}


def handoff_service(settings: ProductSettings) -> ServiceSpec:
    """The case queue and the agent console (bot/services/desk). It reaches Rasa's handoff channel only
    (deliveries, parses for suggestions), with its own token: not Rasa's API token."""
    return ServiceSpec(
        name="handoff-service",
        argv=[sys.executable, "-m", "bot.services.desk"],
        env={
            **_base_env(settings),
            # HANDOFF_API_TOKEN: the token it checks; HANDOFF_DELIVERY_TOKEN: the one it shows Rasa;
            # OPERATOR_API_TOKEN: tickets it submits once the backend answers (pending tickets).
            **_secrets(settings, "HANDOFF_API_TOKEN", "HANDOFF_DELIVERY_TOKEN", "OPERATOR_API_TOKEN"),
            "AGENT_HOST": settings.host,
            "AGENT_PORT": str(settings.agent_port),
            "HANDOFF_DB_URL": settings.handoff_db_url,
            "HANDOFF_SERVICE_HOURS": settings.handoff_service_hours,
            "OPERATOR_URL": settings.operator_url,
            "RASA_URL": settings.rasa_internal_url,
            # The supervisors' dashboard reads Rasa's tracker store (never writes it).
            **_tracker_store(settings),
        },
        health_url=f"{settings.agent_url}/health",
        startup_timeout_s=30,
    )


def web_site(settings: ProductSettings) -> ServiceSpec:
    """The page with the chat widget (bot/services/site): static files, no secret at all."""
    return ServiceSpec(
        name="web-site",
        argv=[sys.executable, "-m", "bot.services.site"],
        env={
            **_base_env(settings),
            "SITE_HOST": settings.host,
            "SITE_PORT": str(settings.site_port),
            "SITE_SOCKET_URL": settings.rasa_url,
        },
        health_url=f"{settings.site_url}/health",
        startup_timeout_s=30,
    )


def action_server(settings: ProductSettings) -> ServiceSpec:
    return ServiceSpec(
        name="action-server",
        argv=[sys.executable, "-m", "bot.services.action_server"],
        env={
            **_base_env(settings),
            # ACTION_SERVER_TOKEN: the token it checks; the others: the backend and the handoff service.
            **_secrets(settings, "ACTION_SERVER_TOKEN", "OPERATOR_API_TOKEN", "HANDOFF_API_TOKEN"),
            "OPERATOR_URL": settings.operator_url,
            "HANDOFF_URL": settings.agent_url,
            "SANIC_HOST": settings.host,
            "ACTION_PORT": str(settings.action_port),
            "ACTION_SERVER_SANIC_WORKERS": str(settings.action_workers),
        },
        health_url=f"{settings.action_url}/health",
        startup_timeout_s=60,
    )


# What a Rasa server uses: its API token (read by bot/rasa/server.py, never on the command line), the
# action server's, the channels' (credentials.yml), the handoff service's token for the relay and the
# delivery token it checks. Not the operator backend's: Rasa never calls it.
RASA_SECRETS = (
    "RASA_AUTH_TOKEN",
    "ACTION_SERVER_TOKEN",
    "WEBCHAT_SESSION_SECRET",
    "REST_CHANNEL_TOKEN",
    "WECHAT_TOKEN",
    "WECHAT_APP_SECRET",
    "HANDOFF_API_TOKEN",
    "HANDOFF_DELIVERY_TOKEN",
)


def rasa_server(settings: ProductSettings, model: Path, replica: Optional[int] = None) -> ServiceSpec:
    """The Rasa server (embedded), or replica number `replica` of the production profile."""
    name = "rasa-server" if replica is None else f"rasa-{replica + 1}"
    port = settings.rasa_port if replica is None else settings.replica_ports[replica]
    url = f"http://{settings.host}:{port}"
    env = {
        **_base_env(settings),
        **_secrets(settings, *RASA_SECRETS),
        "HANDOFF_URL": settings.agent_url,
        "TELEBOT_REDIS_URL": settings.redis_url,  # "" in the embedded profile: state stays in the process
        "TELEBOT_REDIS_PREFIX": settings.redis_prefix,
        "ACTION_ENDPOINT_URL": f"{settings.action_url}/webhook",
        "TRACKER_DB_PATH": str(settings.tracker_db_path),
        "WECHAT_APP_ID": settings.wechat_app_id,
        "WECHAT_AES_KEY": settings.secrets["WECHAT_AES_KEY"][:43],  # EncodingAESKey: 43 characters
        "WECHAT_API_URL": settings.wechat_api_url,
        # The widget's page may open Rasa's socket.io from the site's origin only.
        "WEBCHAT_ORIGINS": f"{settings.site_url},http://localhost:{settings.site_port}",
        "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime_s),
    }
    endpoints = "endpoints.yml"
    if settings.production:
        endpoints = "endpoints.production.yml"
        env.update(
            {
                "TRACKER_DB_URL": settings.tracker_db_url,
                "SQL_POOL_SIZE": "5",  # Rasa's tracker store is synchronous: one connection busy at a time
                "SQL_MAX_OVERFLOW": "5",
                # One TensorFlow thread per replica: replicas, not threads, share the cores (measured:
                # `python -m bot loadtest`).
                "TF_INTRA_OP_PARALLELISM_THREADS": "1",
                "TF_INTER_OP_PARALLELISM_THREADS": "1",
            }
        )
    headers = {"Authorization": f"Bearer {settings.secrets['REST_CHANNEL_TOKEN']}"}
    return ServiceSpec(
        name=name,
        argv=[
            sys.executable,
            "-m",
            "bot.rasa.server",
            "run",
            "--model",
            str(model),
            "--enable-api",  # its token: RASA_AUTH_TOKEN in the environment (bot/rasa/server.py)
            "--interface",
            settings.host,
            "--port",
            str(port),
            "--credentials",
            str(settings.root / "credentials.yml"),
            "--endpoints",
            str(settings.root / endpoints),
            "--log-file",
            str(settings.var_dir / "logs" / f"{name}.rasa.log"),
        ],
        env=env,
        # /status answers only once the model is loaded.
        health_url=f"{url}/status",
        health_headers=rasa_api_headers(settings),
        startup_timeout_s=240,
        # Before it takes traffic: one parse (the NLU graph), one message (policies, action server).
        warmups=(
            Warmup(f"{url}/model/parse", {"text": "你好"}, rasa_api_headers(settings)),
            Warmup(f"{url}/webhooks/rest/webhook", {"sender": f"warmup-{name}", "message": "你好"}, headers),
        ),
    )


def load_balancer(settings: ProductSettings) -> ServiceSpec:
    prefix = settings.var_dir / "nginx"
    config = nginx.write_config(
        listen_host=settings.host,
        listen_port=settings.rasa_port,
        internal_port=settings.rasa_internal_port,
        replicas=[f"{settings.host}:{port}" for port in settings.replica_ports],
        prefix=prefix,
        log_dir=settings.var_dir / "logs",
    )
    return ServiceSpec(
        name="nginx",
        argv=[nginx.NGINX, "-p", str(prefix), "-c", str(config)],
        env={"PATH": "/usr/sbin:/usr/bin:/bin"},
        health_url=f"{settings.rasa_url}/nginx-health",
        startup_timeout_s=15,
    )


def retention_job(settings: ProductSettings) -> ServiceSpec:
    """The personal-data retention job (bot/services/retention): at start, then daily, it deletes
    conversations (directly in the tracker store), the handoff service's cases (over its API) and
    trainers' exports older than the retention period."""
    tracker = _tracker_store(settings)
    return ServiceSpec(
        name="retention",
        argv=[sys.executable, "-m", "bot.services.retention"],
        env={
            **_base_env(settings),
            **tracker,
            **_secrets(settings, "HANDOFF_API_TOKEN"),  # the handoff service's purge API
            "HANDOFF_URL": settings.agent_url,
            "TELEBOT_RETENTION_DAYS": str(settings.retention_days),
            "TELEBOT_EXPORTS_DIR": str(settings.root / "review"),
            "RETENTION_HOST": settings.host,
            "RETENTION_PORT": str(settings.retention_port),
        },
        health_url=f"http://{settings.host}:{settings.retention_port}/health",
        startup_timeout_s=30,
    )


def embedded_stack(settings: ProductSettings, model: Path) -> List[ServiceSpec]:
    return [
        operator_backend(settings),
        handoff_service(settings),
        action_server(settings),
        rasa_server(settings, model),
        web_site(settings),
        retention_job(settings),
    ]


def production_stack(settings: ProductSettings, model: Path) -> List[List[ServiceSpec]]:
    """In start order; the services of one group start together (the replicas load their model at once)."""
    replicas = [rasa_server(settings, model, index) for index in range(settings.rasa_replicas)]
    return [
        [operator_backend(settings)],
        [handoff_service(settings)],
        [action_server(settings)],
        replicas,
        [load_balancer(settings)],
        [web_site(settings)],
        [retention_job(settings)],
    ]


def stack(settings: ProductSettings, model: Path) -> List[List[ServiceSpec]]:
    """The profile's services, in groups that start together, in order."""
    if settings.production:
        return production_stack(settings, model)
    return [[spec] for spec in embedded_stack(settings, model)]
