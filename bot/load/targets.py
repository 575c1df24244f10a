"""The systems a load run is aimed at, each brought up on its own ports, data and state:

- `embedded`: the product's embedded profile (one Rasa server, SQLite);
- `production`: the production profile (Rasa replicas behind nginx, PostgreSQL, Redis), on
  databases and a Redis prefix of its own, removed afterwards;
- `stock`: the reference, one stock `rasa run` (Rasa's own REST channel, its in-memory tracker and
  lock stores, none of our patches) with the same model, action server and operator backend.
"""

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from bot.load.ports import free_port, free_port_run
from bot.ml.training import rasa_env
from bot.ops import launch
from bot.ops.processes import ServiceSpec, Supervisor, Warmup
from bot.ops.settings import SECRET_NAMES, ProductSettings, load_settings, write_private
from bot.ops.stack import action_server, operator_backend

TARGETS = ("embedded", "production", "stock")


@dataclass
class Running:
    name: str
    settings: ProductSettings
    supervisor: Supervisor
    rest_url: str
    rest_token: Optional[str]
    postgres_databases: List[str] = field(default_factory=list)

    def pids(self) -> Dict[str, int]:
        return {name: process.pid for name, process in self.supervisor.processes.items()}

    def stop(self) -> None:
        self.supervisor.stop()
        if self.postgres_databases:
            asyncio.run(drop_databases(self.settings, self.postgres_databases))
        if self.settings.production:
            import redis

            client = redis.Redis.from_url(self.settings.redis_url)
            for key in client.scan_iter(f"{self.settings.redis_prefix}:*"):
                client.delete(key)


async def drop_databases(settings: ProductSettings, urls: List[str]) -> None:
    import asyncpg

    from bot.ops.production import _admin_url, _database_name

    conn = await asyncpg.connect(_admin_url(urls[0]), timeout=5)
    try:
        for url in urls:
            await conn.execute(f'DROP DATABASE IF EXISTS "{_database_name(url)}" WITH (FORCE)')
    finally:
        await conn.close()


def target_env(
    name: str,
    work_dir: Path,
    base: Optional[Mapping[str, str]] = None,
    postgres_admin: str = "postgresql://postgres@127.0.0.1:5432",
    replicas: Optional[int] = None,
    action_workers: Optional[int] = None,
) -> Dict[str, str]:
    """Ports, folders and (production) databases and Redis prefix of their own; replicas and
    workers as the production profile's defaults unless given."""
    tag = uuid.uuid4().hex[:8]
    env = {
        **(base if base is not None else os.environ),
        "TELEBOT_VAR_DIR": str(work_dir / name),
        "RASA_PORT": str(free_port()),
        "RASA_INTERNAL_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "OPERATOR_PORT": str(free_port()),
        "AGENT_PORT": str(free_port()),
        "SITE_PORT": str(free_port()),
        "RETENTION_PORT": str(free_port()),
        "HANDOFF_SERVICE_HOURS": "00:00-24:00",
        "TELEBOT_PROFILE": "production" if name == "production" else "embedded",
    }
    if name == "production":
        if replicas is not None:
            env["RASA_REPLICAS"] = str(replicas)
        if action_workers is not None:
            env["ACTION_WORKERS"] = str(action_workers)
        env.update(
            {
                "TELEBOT_POSTGRES_URL": f"{postgres_admin}/telebot_{tag}",
                "TELEBOT_REDIS_PREFIX": f"t{tag}",
                "RASA_REPLICA_BASE_PORT": str(free_port_run(int(env.get("RASA_REPLICAS", 16)))),
            }
        )
    return env


def start_target(name: str, model: Path, work_dir: Path, env: Optional[Mapping[str, str]] = None) -> Running:
    """Bring `name` up (see the module's docstring); the caller stops it."""
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}; one of {', '.join(TARGETS)}")
    settings = load_settings(env or target_env(name, work_dir))
    supervisor = Supervisor(settings.var_dir / "logs", settings.root)
    running = Running(
        name, settings, supervisor, f"{settings.rasa_url}/webhooks/rest/webhook", settings.secrets["REST_CHANNEL_TOKEN"]
    )
    if settings.production:
        running.postgres_databases = [settings.tracker_db_url, settings.operator_db_url, settings.handoff_db_url]
    try:
        if name == "stock":
            asyncio.run(launch.seed(settings.operator_db_url))
            running.rest_token = None
            for spec in (operator_backend(settings), action_server(settings), stock_rasa(settings, model)):
                supervisor.start(spec)
                supervisor.wait_healthy([spec.name])
        else:
            launch.prepare_data(settings)
            launch.start(settings, model, supervisor)
    except BaseException:
        running.stop()
        raise
    return running


def stock_rasa(settings: ProductSettings, model: Path) -> ServiceSpec:
    """One `rasa run` as Rasa ships it: its REST channel, in-memory tracker and lock stores.

    Without its HTTP API (no `--enable-api`): the load only uses the REST channel, and so no API token
    is needed, none is on the command line (readable by every user: `ps`) and none in a URL. Rasa
    loads the model before it listens, so the REST channel's health answers once the model is in."""
    folder = settings.var_dir / "stock"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "credentials.yml").write_text("rest:\n")
    write_private(
        folder / "endpoints.yml",  # Rasa's own headers setting: our action server wants its secret
        f"action_endpoint:\n  url: {settings.action_url}/webhook\n"
        f"  headers:\n    X-Action-Token: {settings.secrets['ACTION_SERVER_TOKEN']}\n",
    )
    url = settings.rasa_url
    return ServiceSpec(
        name="rasa-stock",
        argv=[
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--interface",
            settings.host,
            "--port",
            str(settings.rasa_port),
            "--credentials",
            str(folder / "credentials.yml"),
            "--endpoints",
            str(folder / "endpoints.yml"),
        ],
        env={name: value for name, value in rasa_env().items() if name not in SECRET_NAMES},
        health_url=f"{url}/webhooks/rest/",
        startup_timeout_s=240,
        warmups=(Warmup(f"{url}/webhooks/rest/webhook", {"sender": "warmup-stock", "message": "你好"}),),
    )
