"""`python -m bot loadtest` (simulated customers against several targets) and `python -m bot soak`
(steady load on the production profile); the work is in bot/load/bench.py."""

import argparse
import sys
from typing import TYPE_CHECKING, List, Optional, Tuple

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings

THINK_HELP = "seconds between a customer's messages, min,max (2,6)"


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    load_parser = subparsers.add_parser(
        "loadtest",
        parents=parents,
        help="simulated customers at several levels against the embedded, production and stock targets",
    )
    load_parser.add_argument(
        "--targets",
        default="embedded,production,stock",
        help="comma separated, of embedded, production, stock (default: all three)",
    )
    load_parser.add_argument("--levels", default="", help="concurrent customers (default 1,10,50,100,200)")
    load_parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per level (default 60)")
    load_parser.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds first (default 10)")
    load_parser.add_argument("--think", default="2,6", help=THINK_HELP)
    load_parser.add_argument("--out", default="results/load", help="where the report and plot are written")
    load_parser.add_argument(
        "--conversation-length",
        type=int,
        default=200,
        help="first, on the embedded target: 4 conversations of this many messages, reply time and CPU per "
        "message along them (0: none; about 7 minutes for 200)",
    )
    load_parser.set_defaults(func=loadtest)
    soak_parser = subparsers.add_parser(
        "soak", parents=parents, help="steady load on the production profile, memory sampled"
    )
    soak_parser.add_argument("--minutes", type=float, default=10.0)
    soak_parser.add_argument("--customers", type=int, default=50)
    soak_parser.add_argument("--think", default="2,6", help=THINK_HELP)
    soak_parser.add_argument("--out", default="results/soak")
    soak_parser.set_defaults(func=soak)


def think_range(args: argparse.Namespace) -> Optional[Tuple[float, float]]:
    """--think as (min, max) seconds; None (and the message printed) when it is not one."""
    try:
        think = tuple(float(part) for part in args.think.split(","))
        if len(think) != 2 or not 0 <= think[0] <= think[1]:
            raise ValueError
    except ValueError:
        print(f"{args.command}: --think takes min,max seconds, e.g. 2,6", file=sys.stderr)
        return None
    return think[0], think[1]


def loadtest(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.cli.run import serving_model
    from bot.load import bench
    from bot.load.targets import TARGETS

    think = think_range(args)
    if think is None:
        return 2
    model = serving_model(settings)
    targets = [name.strip() for name in args.targets.split(",") if name.strip()]
    unknown = [name for name in targets if name not in TARGETS]
    try:
        levels = bench.parse_levels(args.levels) if args.levels else list(bench.LEVELS)
    except ValueError as error:
        print(f"loadtest: {error}", file=sys.stderr)
        return 2
    if unknown or not targets:
        print(f"loadtest: targets are {', '.join(TARGETS)}, not {', '.join(unknown) or 'none'}", file=sys.stderr)
        return 2
    from bot.load.longchat import LATE

    if args.conversation_length and args.conversation_length < LATE[1]:
        print(f"loadtest: --conversation-length is 0 or at least {LATE[1]} (the messages measured)", file=sys.stderr)
        return 2
    bench.loadtest(
        model, settings.root / args.out, targets, levels, args.duration, args.warmup, think, args.conversation_length
    )
    return 0


def soak(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.cli.run import serving_model
    from bot.load import bench

    think = think_range(args)
    if think is None:
        return 2
    model = serving_model(settings)
    bench.soak(model, settings.root / args.out, args.minutes, args.customers, think)
    return 0
