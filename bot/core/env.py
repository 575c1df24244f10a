"""Reading settings from the environment: the one `SettingsError` and the helpers every settings
factory uses (port, secret, count, number, list), so a bad value gets the same clear message
whichever process reads it."""

from typing import Mapping, Tuple


class SettingsError(ValueError):
    """A setting is missing or invalid; the message says which and what to do."""


def port(env: Mapping[str, str], name: str, default: int, *, any_free: bool = False) -> int:
    """A TCP port; with `any_free`, 0 (the system picks one, as tests do) is accepted too."""
    text = env.get(name, str(default))
    lowest = 0 if any_free else 1
    if not (text.isascii() and text.isdigit()) or not lowest <= int(text) < 65536:
        raise SettingsError(f"{name} must be a port number, not {text!r}")
    return int(text)


def secret(env: Mapping[str, str], name: str, *, least: int = 16) -> str:
    value = env.get(name, "")
    if len(value) < least:
        raise SettingsError(f"{name} must be set to a secret of at least {least} characters")
    return value


def count(env: Mapping[str, str], name: str, default: int, most: int, *, least: int = 1) -> int:
    text = env.get(name, str(default))
    if not (text.isascii() and text.isdigit()) or not least <= int(text) <= most:
        raise SettingsError(f"{name} must be a whole number from {least} to {most}, not {text!r}")
    return int(text)


def seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, str(default))
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SettingsError(f"{name} must be a positive number of seconds, not {text!r}")
    return value


def url(env: Mapping[str, str], name: str, default: str = "") -> str:
    """A base URL without its trailing slash ("" when unset and no default: not configured)."""
    return env.get(name, default).rstrip("/")


def items(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """A comma-separated list; empty items are dropped."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    text = env.get(name, "true" if default else "false").strip().lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise SettingsError(f"{name} must be true or false, not {text!r}")
    return text in ("true", "1", "yes")
