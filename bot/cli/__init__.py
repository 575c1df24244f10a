"""The product's command line, `python -m bot <command>` or `telebot <command>` (bot/cli/main.py).

One module per command or small family of commands, as Rasa's own rasa/cli/: each has
`add_subparser(subparsers, parents)`, which registers its parsers with `set_defaults(func=handler)`;
a handler takes the parsed arguments and the product's settings and returns the exit code. Heavy
imports stay inside the handlers, so `telebot --help` does not load Rasa.
"""

import argparse
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings

SubParsersAction = argparse._SubParsersAction  # as rasa/cli/__init__.py

Handler = Callable[[argparse.Namespace, "ProductSettings"], int]
