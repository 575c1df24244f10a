"""Settings of the whole product (profile, ports, paths, secrets), loaded once by `load_settings()`.

`TELEBOT_PROFILE` picks the profile: `embedded` (the default: SQLite files, one process of each
kind) or `production` (PostgreSQL for the tracker store and both services' databases, a Redis lock
store, `RASA_REPLICAS` Rasa servers and `ACTION_WORKERS` action-server workers behind nginx).
"""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional

from bot.core.env import SettingsError, count, port
from bot.core.paths import PROJECT_ROOT

__all__ = ["ProductSettings", "SettingsError", "load_settings", "load_secrets", "write_private", "ROOT", "SECRET_NAMES"]

ROOT = PROJECT_ROOT
# HANDOFF_API_TOKEN: Rasa's channels and the actions -> the handoff service; HANDOFF_DELIVERY_TOKEN: the
# handoff service -> Rasa's handoff channel (/webhooks/handoff/...). One token per direction.
SECRET_NAMES = (
    "OPERATOR_API_TOKEN",
    "RASA_AUTH_TOKEN",
    "HANDOFF_API_TOKEN",
    "HANDOFF_DELIVERY_TOKEN",
    "WEBCHAT_SESSION_SECRET",
    "REST_CHANNEL_TOKEN",
    "WECHAT_TOKEN",
    "WECHAT_APP_SECRET",
    "WECHAT_AES_KEY",
    "ACTION_SERVER_TOKEN",
)


PROFILES = ("embedded", "production")


@dataclass(frozen=True)
class ProductSettings:
    root: Path
    var_dir: Path
    models_dir: Path
    host: str
    rasa_port: int
    action_port: int
    operator_port: int
    agent_port: int
    site_port: int
    operator_db_url: str
    handoff_db_url: str
    handoff_service_hours: str
    wechat_app_id: str
    wechat_api_url: str
    tracker_db_path: Path
    secrets: Mapping[str, str]
    profile: str = "embedded"
    rasa_replicas: int = 1
    action_workers: int = 1
    replica_base_port: int = 5010
    rasa_internal_port: int = 5006  # production: nginx's internal listener for the handoff service
    tracker_db_url: str = ""  # production: the PostgreSQL database of Rasa's tracker store
    redis_url: str = ""  # production: lock store, socket.io rooms, WeChat's shared state
    redis_prefix: str = "telebot"
    lock_lifetime_s: int = 20
    retention_port: int = 8092  # the retention job's /health
    retention_days: int = 180  # conversations, transcripts and exports older than this are deleted

    @property
    def production(self) -> bool:
        return self.profile == "production"

    @property
    def replica_ports(self) -> List[int]:
        """The Rasa servers behind the load balancer (production); the load balancer has `rasa_port`."""
        return [self.replica_base_port + index for index in range(self.rasa_replicas)]

    def replica_url(self, index: int) -> str:
        return f"http://{self.host}:{self.replica_ports[index]}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def rasa_internal_url(self) -> str:
        """Where the handoff service reaches Rasa's handoff channel: in production nginx's internal
        listener (the public port carries the customer channels only), else the Rasa server."""
        return f"http://{self.host}:{self.rasa_internal_port}" if self.production else self.rasa_url

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def operator_url(self) -> str:
        return f"http://{self.host}:{self.operator_port}"

    @property
    def site_url(self) -> str:
        """The web page with the chat widget."""
        return f"http://{self.host}:{self.site_port}"

    @property
    def agent_url(self) -> str:
        """The handoff service and agent console."""
        return f"http://{self.host}:{self.agent_port}"


def _database(base_url: str, name: str) -> str:
    """`postgresql://user@host:port/telebot` + `operator` -> `postgresql://user@host:port/telebot_operator`."""
    return f"{base_url}_{name}"


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable by its owner only from the first byte: a new file created
    0600 beside it, then renamed over it (never written first and chmod-ed after)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_secrets(var_dir: Path, env: Mapping[str, str]) -> Dict[str, str]:
    """Secrets from the environment; missing ones are generated once into var/secrets.json (0600).
    An existing file that others may read (an older release, a copy, a umask) is made 0600 first."""
    path = var_dir / "secrets.json"
    stored: Dict[str, str] = {}
    if path.exists():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        stored = json.loads(path.read_text())
    changed = False
    for name in SECRET_NAMES:
        if name not in stored:
            stored[name] = secrets.token_hex(24)
            changed = True
    if changed:
        var_dir.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(stored, indent=2))
    return {name: env.get(name) or stored[name] for name in SECRET_NAMES}


def load_settings(environ: Optional[Mapping[str, str]] = None, root: Path = ROOT) -> ProductSettings:
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("TELEBOT_VAR_DIR", root / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    profile = env.get("TELEBOT_PROFILE", "embedded")
    if profile not in PROFILES:
        raise SettingsError(f"TELEBOT_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    production = profile == "production"
    postgres = env.get("TELEBOT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/telebot").rstrip("/")
    if production and not postgres.startswith(("postgresql://", "postgres://")):
        raise SettingsError(f"TELEBOT_POSTGRES_URL must be a postgresql:// URL, not {postgres!r}")
    embedded_db = {"operator": f"sqlite:///{var_dir / 'operator.db'}", "handoff": f"sqlite:///{var_dir / 'handoff.db'}"}
    default_db = {name: _database(postgres, name) if production else url for name, url in embedded_db.items()}
    prefix = env.get("TELEBOT_REDIS_PREFIX", "telebot")
    if not prefix.isalnum():
        raise SettingsError(f"TELEBOT_REDIS_PREFIX must be letters and digits, not {prefix!r}")
    return ProductSettings(
        root=root,
        var_dir=var_dir,
        models_dir=Path(env.get("TELEBOT_MODELS_DIR", root / "models")).resolve(),
        host="127.0.0.1",
        rasa_port=port(env, "RASA_PORT", 5005),
        action_port=port(env, "ACTION_PORT", 5055),
        operator_port=port(env, "OPERATOR_PORT", 8088),
        agent_port=port(env, "AGENT_PORT", 8090),
        site_port=port(env, "SITE_PORT", 8080),
        operator_db_url=env.get("OPERATOR_DB_URL", default_db["operator"]),
        handoff_db_url=env.get("HANDOFF_DB_URL", default_db["handoff"]),
        handoff_service_hours=env.get("HANDOFF_SERVICE_HOURS", "08:00-22:00"),
        # The Official Account's AppID and WeChat's API; token, AppSecret and EncodingAESKey are secrets.
        wechat_app_id=env.get("WECHAT_APP_ID", "wx0000000000000000"),
        wechat_api_url=env.get("WECHAT_API_URL", "https://api.weixin.qq.com"),
        tracker_db_path=Path(env.get("TRACKER_DB_PATH", var_dir / "tracker.db")),
        secrets=load_secrets(var_dir, env),
        profile=profile,
        rasa_replicas=count(env, "RASA_REPLICAS", 2, 16) if production else 1,
        action_workers=count(env, "ACTION_WORKERS", 2, 16) if production else 1,
        replica_base_port=port(env, "RASA_REPLICA_BASE_PORT", 5010),
        rasa_internal_port=port(env, "RASA_INTERNAL_PORT", 5006),
        tracker_db_url=env.get("TRACKER_DB_URL", _database(postgres, "tracker")) if production else "",
        redis_url=env.get("TELEBOT_REDIS_URL", "redis://127.0.0.1:6379/0") if production else "",
        redis_prefix=prefix,
        lock_lifetime_s=count(env, "TICKET_LOCK_LIFETIME", 20, 600),
        retention_port=port(env, "RETENTION_PORT", 8092),
        retention_days=count(env, "TELEBOT_RETENTION_DAYS", 180, 3650),
    )
