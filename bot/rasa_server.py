"""`python -m bot.rasa_server run ...`: Rasa's own command line, with our fixes to Rasa installed first
(bot/rasa_patches.py). Every Rasa server of the product is started this way."""

import sys


def main() -> None:
    from bot import rasa_patches

    rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
