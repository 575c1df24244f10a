"""`python -m bot evaluate` (our pipeline vs the stock one, and variants of ours, on the held-out
and real-language test sets) and
`python -m bot benchmark` (their /model/parse latency)."""

import argparse
from typing import TYPE_CHECKING, List

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    evaluate_parser = subparsers.add_parser(
        "evaluate",
        parents=parents,
        help="train our and the stock pipeline, score both on the held-out and real-language sets",
    )
    evaluate_parser.add_argument("--out", default="results/evaluation", help="where reports are written")
    evaluate_parser.add_argument("--only", choices=["ours", "stock"], help="train and score one pipeline only")
    evaluate_parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="also a variant of our pipeline (bot/ml/variants.py: e5, char-1-4, diet-256x2, ...); repeatable",
    )
    evaluate_parser.set_defaults(func=evaluate)
    benchmark_parser = subparsers.add_parser(
        "benchmark", parents=parents, help="p50/p95 of /model/parse for both pipelines"
    )
    benchmark_parser.add_argument("--out", default="results/evaluation", help="where the evaluated models are")
    benchmark_parser.add_argument(
        "--variant", action="append", default=[], help="also a variant of our pipeline (see evaluate); repeatable"
    )
    benchmark_parser.add_argument(
        "--conversation-length",
        type=int,
        default=0,
        metavar="N",
        help="instead: reply time, CPU and tracker events per message along conversations of N messages "
        "(at least 153: messages 149-153 are measured against 4-8)",
    )
    benchmark_parser.add_argument(
        "--conversations", type=int, default=4, help="with --conversation-length: how many, their messages in turn (4)"
    )
    benchmark_parser.add_argument(
        "--startup",
        action="store_true",
        help="instead: a Rasa replica's time to ready and peak memory, phase by phase (TensorFlow, model load, "
        "warm-up), with our model loading and with Rasa's",
    )
    benchmark_parser.add_argument(
        "--target", default="embedded", help="with --conversation-length: embedded, production or stock (embedded)"
    )
    benchmark_parser.set_defaults(func=benchmark)


def evaluate(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ml.evaluation import PIPELINES, compare
    from bot.ml.variants import VARIANTS

    unknown = [variant for variant in args.variant if variant not in VARIANTS]
    if unknown:
        print(f"evaluate: unknown variant {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
        return 2
    pipelines = {args.only: PIPELINES[args.only]} if args.only else ({} if args.variant else None)
    compare(settings.root / args.out, pipelines, variants=args.variant)
    return 0


def benchmark(args: argparse.Namespace, settings: "ProductSettings") -> int:
    if args.conversation_length:
        return long_conversation(args, settings)
    if args.startup:
        from bot.cli.run import serving_model
        from bot.load.startup import benchmark as startup_benchmark

        startup_benchmark(settings.root, serving_model(settings), settings.root / "results/load")
        return 0
    from bot.load.parse import benchmark as parse_benchmark

    parse_benchmark(settings.root, settings.root / args.out, variants=args.variant)
    return 0


def long_conversation(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.cli.run import serving_model
    from bot.load.longchat import LATE
    from bot.load.longrun import benchmark as long_benchmark
    from bot.load.targets import TARGETS

    if args.conversation_length < LATE[1] or args.conversations < 1:
        print(f"benchmark: --conversation-length is at least {LATE[1]} and --conversations at least 1")
        return 2
    if args.target not in TARGETS:
        print(f"benchmark: --target is one of {', '.join(TARGETS)}")
        return 2
    model = serving_model(settings)
    long_benchmark(model, settings.root / "results/load", args.target, args.conversation_length, args.conversations)
    return 0
