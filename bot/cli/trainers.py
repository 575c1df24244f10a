"""Trainers' commands (docs/trainers.md): `review` the messages the bot handled badly, `hygiene` of the
training data, `compare` a candidate model with the deployed one, `deploy` it behind the gate, `rollback`."""

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    review_parser = subparsers.add_parser(
        "review",
        parents=parents,
        help="trainers: export the messages of a period the bot handled badly, as NLU YAML to correct",
    )
    review_parser.add_argument("--since", help="first day, YYYY-MM-DD (China time)")
    review_parser.add_argument("--until", help="day after the last, YYYY-MM-DD")
    review_parser.add_argument("--threshold", type=float, default=0.5, help="confidence below which NLU was unsure")
    review_parser.add_argument("--tracker-url", help="SQLAlchemy URL of the tracker store (default: the embedded one)")
    review_parser.add_argument("--out", default="review", help="where the YAML and the summary are written")
    review_parser.set_defaults(func=review)
    hygiene_parser = subparsers.add_parser(
        "hygiene", parents=parents, help="trainers: conflicting or duplicate examples, held-out near-duplicates"
    )
    hygiene_parser.set_defaults(func=hygiene)
    compare_parser = subparsers.add_parser(
        "compare",
        parents=parents,
        help="trainers: candidate vs deployed model on the held-out set, as a Markdown report",
    )
    compare_parser.add_argument("--candidate", help="model to judge (default: the newest in models/)")
    compare_parser.add_argument(
        "--deployed",
        help="model it would replace (default: the deployed one, else the one trained before the candidate)",
    )
    compare_parser.add_argument("--out", default="results/compare", help="where the report is written")
    compare_parser.set_defaults(func=compare)
    deploy_parser = subparsers.add_parser(
        "deploy",
        parents=parents,
        help="trainers: gate a model against the deployed one and hot-swap it into the running server",
    )
    deploy_parser.add_argument("--candidate", help="model to deploy (default: the newest in models/)")
    deploy_parser.add_argument(
        "--tolerance",
        type=float,
        default=0.01,
        help="how far below the deployed model a figure may fall (default 0.01)",
    )
    deploy_parser.add_argument("--keep", type=int, default=5, help="deployed models kept for rollback (default 5)")
    deploy_parser.set_defaults(func=deploy)
    rollback_parser = subparsers.add_parser(
        "rollback", parents=parents, help="trainers: swap the previously deployed model back in"
    )
    rollback_parser.set_defaults(func=deploy)


def review(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.cli.review import export

    url = args.tracker_url or f"sqlite:///{settings.tracker_db_path}"
    export(url, settings.root / args.out, args.since, args.until, args.threshold)
    return 0


def hygiene(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.ml.trainers.hygiene import check, report

    def pairs(path):
        return [(e.get("text"), e.get("intent")) for e in load_data(str(path)).intent_examples]

    tests = [pair for part in ("heldout", "real") for pair in pairs(settings.root / "data" / part / "nlu.yml")]
    findings = check(pairs(settings.root / "data" / "nlu"), tests)
    print(report(findings))
    return 1 if findings.blocking or findings.near_heldout else 0


def _models(settings: "ProductSettings") -> List[Path]:
    """The trained models, oldest first."""
    return sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)


def compare(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ml.trainers.compare import compare_models
    from bot.ml.trainers.deploy import Registry

    models = _models(settings)
    candidate = Path(args.candidate) if args.candidate else (models[-1] if models else None)
    older = [m for m in models if candidate is None or m.resolve() != candidate.resolve()]
    # Against what is serving: the deployed model, else the model trained before the candidate.
    deployed = (
        Path(args.deployed)
        if args.deployed
        else (Registry(settings.models_dir).current() or (older[-1] if older else None))
    )
    if candidate is None or deployed is None:
        print("compare: two models are needed (train one more, or pass --candidate and --deployed)", file=sys.stderr)
        return 2
    out = settings.root / args.out
    result = compare_models(deployed, candidate, out)
    print(f"compare: {len(result['regressions'])} regressions, {len(result['fixed'])} fixed -> {out / 'report.md'}")
    return 0


def deploy(args: argparse.Namespace, settings: "ProductSettings") -> int:
    """`deploy` and `rollback` (args.command tells which): both swap models into the running servers."""
    from bot.ml.trainers import deploy as deployment
    from bot.ops.nginx import Balancer, BalancerError

    token = settings.secrets["RASA_AUTH_TOKEN"]
    urls = (
        [settings.replica_url(index) for index in range(settings.rasa_replicas)]
        if settings.production
        else [settings.rasa_url]
    )
    balancer: Optional[Balancer]
    try:
        balancer = Balancer(settings.var_dir / "nginx") if settings.production else None
    except BalancerError as error:
        print(
            f"{args.command}: {error}; is the production profile running (make run PROFILE=production)?",
            file=sys.stderr,
        )
        return 1
    try:
        if args.command == "rollback":
            print(f"rollback: now serving {deployment.rollback(settings.models_dir, urls, token, balancer)}")
            return 0
        models = _models(settings)
        candidate = Path(args.candidate) if args.candidate else (models[-1] if models else None)
        if candidate is None:
            print("deploy: no model to deploy; train one first (make train)", file=sys.stderr)
            return 2
        verdict = deployment.deploy(
            candidate, settings.models_dir, urls, token, tolerance=args.tolerance, keep=args.keep, balancer=balancer
        )
    except (deployment.DeployError, BalancerError) as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    if not verdict.accepted:
        print("deploy: refused, the deployed model stays:\n  " + "\n  ".join(verdict.reasons), file=sys.stderr)
        return 1
    print(f"deploy: {candidate.name} is now serving ({'; '.join(verdict.reasons) or 'passed the gate'})")
    return 0
