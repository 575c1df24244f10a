"""`python -m bot.rasa.server run ...`: Rasa's own command line, with our fixes to Rasa installed first
(bot/rasa/patches.py), personal data masked in every log record (bot/core/log_privacy.py) and the HTTP API
token read from an `Authorization: Bearer` header in constant time (bot/rasa/auth.py). Every Rasa
server of the product is started this way.

The API token comes from the environment (`RASA_AUTH_TOKEN`), never from the command line, which any
user of the machine can read (`ps`, /proc/PID/cmdline): it is added to Rasa's arguments inside this
process only (sys.argv is Python's copy; the kernel's command line stays as it was started) and
dropped from the environment, so that nothing this process starts inherits it.
"""

import os
import sys
from typing import List, MutableMapping


class LaunchError(SystemExit):
    """The command line or environment would expose or open Rasa's API; the message says why."""


def rasa_arguments(argv: List[str], env: MutableMapping[str, str]) -> List[str]:
    """Rasa's arguments with `--auth-token` from `RASA_AUTH_TOKEN`, which is removed from `env`."""
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise LaunchError(
            "bot.rasa.server: give the API token in RASA_AUTH_TOKEN, not --auth-token "
            "(a command line is readable by every user of the machine)"
        )
    token = env.pop("RASA_AUTH_TOKEN", "")
    if not token:
        if "--enable-api" in argv:
            raise LaunchError(
                "bot.rasa.server: --enable-api needs RASA_AUTH_TOKEN (16 characters at least); "
                "without it Rasa's HTTP API would be open to anyone"
            )
        return list(argv)
    if len(token) < 16:
        raise LaunchError("bot.rasa.server: RASA_AUTH_TOKEN must be at least 16 characters")
    return [*argv, f"--auth-token={token}"]  # "=": a token may start with "-"


def main() -> None:
    from bot.core import log_privacy

    log_privacy.install()
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    from bot.rasa import auth as rasa_auth
    from bot.rasa import patches as rasa_patches

    rasa_patches.install()
    rasa_auth.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
