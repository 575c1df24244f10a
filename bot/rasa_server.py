"""`python -m bot.rasa_server run ...`: Rasa's own command line, with our fixes to Rasa installed first
(bot/rasa_patches.py) and personal data masked in every log record (bot/log_privacy.py). Every Rasa
server of the product is started this way."""

import sys


def main() -> None:
    from bot import log_privacy, rasa_patches

    log_privacy.install()
    rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
