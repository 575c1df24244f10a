"""Settings of the whole embedded product (ports, paths, secrets), loaded once by `load_settings()`."""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAMES = ("OPERATOR_API_TOKEN", "RASA_AUTH_TOKEN", "HANDOFF_API_TOKEN", "WEBCHAT_SESSION_SECRET",
                "REST_CHANNEL_TOKEN", "WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which."""


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

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

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


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, str(default))
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SettingsError(f"{name} must be a port number, not {text!r}")
    return int(text)


def load_secrets(var_dir: Path, env: Mapping[str, str]) -> Dict[str, str]:
    """Secrets from the environment; missing ones are generated once into var/secrets.json (0600)."""
    path = var_dir / "secrets.json"
    stored: Dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for name in SECRET_NAMES:
        if name not in stored:
            stored[name] = secrets.token_hex(24)
            changed = True
    if changed:
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(stored, indent=2))
    return {name: env.get(name) or stored[name] for name in SECRET_NAMES}


def load_settings(environ: Optional[Mapping[str, str]] = None, root: Path = ROOT) -> ProductSettings:
    env = os.environ if environ is None else environ
    var_dir = Path(env.get("TELEBOT_VAR_DIR", root / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    return ProductSettings(
        root=root,
        var_dir=var_dir,
        models_dir=Path(env.get("TELEBOT_MODELS_DIR", root / "models")).resolve(),
        host="127.0.0.1",
        rasa_port=_port(env, "RASA_PORT", 5005),
        action_port=_port(env, "ACTION_PORT", 5055),
        operator_port=_port(env, "OPERATOR_PORT", 8088),
        agent_port=_port(env, "AGENT_PORT", 8090),
        site_port=_port(env, "SITE_PORT", 8080),
        operator_db_url=env.get("OPERATOR_DB_URL", f"sqlite:///{var_dir / 'operator.db'}"),
        handoff_db_url=env.get("HANDOFF_DB_URL", f"sqlite:///{var_dir / 'handoff.db'}"),
        handoff_service_hours=env.get("HANDOFF_SERVICE_HOURS", "08:00-22:00"),
        # The Official Account's AppID and WeChat's API; token, AppSecret and EncodingAESKey are secrets.
        wechat_app_id=env.get("WECHAT_APP_ID", "wx0000000000000000"),
        wechat_api_url=env.get("WECHAT_API_URL", "https://api.weixin.qq.com"),
        tracker_db_path=Path(env.get("TRACKER_DB_PATH", var_dir / "tracker.db")),
        secrets=load_secrets(var_dir, env),
    )
