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
    from bot.load.parse import benchmark as parse_benchmark

    parse_benchmark(settings.root, settings.root / args.out, variants=args.variant)
    return 0
