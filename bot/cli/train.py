"""`python -m bot train`: train the model if it is missing or stale (bot/ml/training.py)."""

import argparse
import sys
from typing import TYPE_CHECKING, List

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    train_parser = subparsers.add_parser("train", parents=parents, help="train the model if it is missing or stale")
    train_parser.add_argument("--force", action="store_true", help="train even if the model is up to date")
    train_parser.set_defaults(func=train)


def train(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ml.training import TrainingError
    from bot.ml.training import train as train_model

    try:
        print(train_model(settings.root, settings.models_dir, force=args.force))
    except TrainingError as error:
        print(f"train: {error}", file=sys.stderr)
        return 1
    return 0
