"""`python -m bot add-agent USERNAME NAME`: an agent account for the console (docs/handoff.md)."""

import argparse
import asyncio
import getpass
import sys
from typing import TYPE_CHECKING, List

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    agent_parser = subparsers.add_parser(
        "add-agent", parents=parents, help="create an agent account for the console (asks the password)"
    )
    agent_parser.add_argument("username", help="the agent's 工号")
    agent_parser.add_argument("name", help="the name shown to colleagues")
    agent_parser.add_argument(
        "--supervisor", action="store_true", help="a supervisor (班长): also manages the canned replies"
    )
    agent_parser.set_defaults(func=add_agent)


def add_agent(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ops import launch

    password = getpass.getpass("password (8 characters at least): ")
    if len(password) < 8:
        print("add-agent: the password needs at least 8 characters", file=sys.stderr)
        return 2
    role = "supervisor" if args.supervisor else "agent"
    added = launch.add_agent(settings.handoff_db_url, args.username, args.name, password, role=role, if_missing=True)
    if not asyncio.run(added):
        print(f"add-agent: {args.username} exists already", file=sys.stderr)
        return 1
    print(f"add-agent: created {args.username}" + (" (supervisor)" if args.supervisor else ""))
    return 0
