"""Command line of the product: `python -m bot <command>`, or `telebot <command>` once installed."""

import argparse
import sys
from typing import Any, List, Optional

from bot.cli import agents, evaluate, load, privacy, run, train, trainers

# In `--help` order: the product, the ML tooling, the trainers' commands, accounts, personal data.
COMMANDS = (run, train, evaluate, load, trainers, agents, privacy)


def create_parser(prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    parents: List[argparse.ArgumentParser] = []  # options every command shares: none yet
    for command in COMMANDS:
        command.add_subparser(subparsers, parents)
    return parser


def main(argv: Optional[List[str]] = None, prog: str = "python -m bot") -> int:
    """Parse `argv` (default: the process's arguments), load the settings once, run the command's handler.
    Usage errors exit with 2 (argparse's SystemExit); otherwise the handler's exit code is returned."""
    args = create_parser(prog).parse_args(argv)
    from bot.ops.settings import load_settings

    return args.func(args, load_settings())


def telebot() -> None:
    """The `telebot` console script (pyproject.toml)."""
    sys.exit(main(prog="telebot"))


def __getattr__(name: str) -> Any:
    """`from bot.cli.main import DEMO_AGENT, add_agent, seed` (tests/e2e), without loading them for --help."""
    if name in ("DEMO_AGENT", "DEMO_SUPERVISOR", "add_agent", "seed", "seed_canned_replies"):
        from bot.ops import launch

        return getattr(launch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
