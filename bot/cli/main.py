"""Command line of the product: `python -m bot run | train | seed`."""

import argparse
import asyncio
import getpass
import signal
import sys
import time
from pathlib import Path
from typing import List, Optional

from bot.ml.training import TrainingError, train
from bot.ops import launch
from bot.ops.launch import DEMO_AGENT, add_agent, seed
from bot.ops.processes import ServiceFailed, Supervisor
from bot.ops.settings import ProductSettings, load_settings


def banner(settings: ProductSettings) -> str:
    profile = (
        f"production profile: {settings.rasa_replicas} Rasa replicas {', '.join(map(str, settings.replica_ports))} "
        f"behind nginx, {settings.action_workers} action workers, PostgreSQL, Redis"
        if settings.production
        else "embedded profile: SQLite in var/"
    )
    return f"""
客服助手已启动 / The assistant is running ({profile}):
  Rasa server (REST channel)  {settings.rasa_url}/webhooks/rest/webhook
  Action server               {settings.action_url}
  Operator backend            {settings.operator_url}
  Web chat widget             {settings.site_url}/?chat=open
  Agent console               {settings.agent_url}/   (demo agent: 工号 1001, 密码 demo-agent-1001)
  Logs                        {settings.var_dir / 'logs'}

Try it: open {settings.site_url}/?chat=open and type 查一下话费余额, then 13800138000 and 123456
(demo account 张伟). Integrations use the REST channel with its token (var/secrets.json):
  curl -s -X POST {settings.rasa_url}/webhooks/rest/webhook \\
       -H "Authorization: Bearer {settings.secrets['REST_CHANNEL_TOKEN']}" \\
       -H 'Content-Type: application/json' -d '{{"sender": "demo", "message": "查一下话费余额"}}'

Press Ctrl-C to stop.
"""


def serving_model(settings: ProductSettings) -> Path:
    """The model trainers deployed (models/registry.json), else the newest trained one (trained if stale)."""
    from bot.ml.trainers.deploy import Registry

    deployed = Registry(settings.models_dir).current()
    if deployed is not None and deployed.exists():
        print(f"run: serving the deployed model {deployed.name} (python -m bot deploy gates a newer one)")
        return deployed
    return train(settings.root, settings.models_dir)


def run(settings: ProductSettings) -> int:
    from bot.ops.production import NotReady

    model = serving_model(settings)
    try:
        for done in launch.prepare_data(settings):
            print(f"run: {done}")
    except NotReady as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    supervisor = Supervisor(settings.var_dir / "logs", settings.root)
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        launch.start(settings, model, supervisor,
                     on_group=lambda names: print(f"run: starting {', '.join(names)} ...", flush=True))
        for name, seconds in supervisor.ready_s.items():
            if name.startswith("rasa"):
                print(f"run: {name} ready (model loaded, warmed up) {seconds:.1f} s after it started", flush=True)
        print(banner(settings), flush=True)
        while not stopping:
            failed = supervisor.exited()
            if failed:
                print(f"run: {failed} stopped unexpectedly; see {supervisor.log_path(failed)}", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except ServiceFailed as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    finally:
        print("run: stopping ...", flush=True)
        supervisor.stop()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="train if needed, seed the demo data, start every process")
    train_parser = commands.add_parser("train", help="train the model if it is missing or stale")
    train_parser.add_argument("--force", action="store_true", help="train even if the model is up to date")
    commands.add_parser("seed", help="create the operator database and seed the demo customers")
    evaluate_parser = commands.add_parser(
        "evaluate", help="train our and the stock pipeline, score both on data/heldout/nlu.yml"
    )
    evaluate_parser.add_argument("--out", default="results/evaluation", help="where reports are written")
    evaluate_parser.add_argument("--only", choices=["ours", "stock"], help="train and score one pipeline only")
    benchmark_parser = commands.add_parser("benchmark", help="p50/p95 of /model/parse for both pipelines")
    benchmark_parser.add_argument("--out", default="results/evaluation", help="where the evaluated models are")
    review_parser = commands.add_parser(
        "review", help="trainers: export the messages of a period the bot handled badly, as NLU YAML to correct")
    review_parser.add_argument("--since", help="first day, YYYY-MM-DD (China time)")
    review_parser.add_argument("--until", help="day after the last, YYYY-MM-DD")
    review_parser.add_argument("--threshold", type=float, default=0.5, help="confidence below which NLU was unsure")
    review_parser.add_argument("--tracker-url", help="SQLAlchemy URL of the tracker store (default: the embedded one)")
    review_parser.add_argument("--out", default="review", help="where the YAML and the summary are written")
    compare_parser = commands.add_parser(
        "compare", help="trainers: candidate vs deployed model on the held-out set, as a Markdown report")
    compare_parser.add_argument("--candidate", help="model to judge (default: the newest in models/)")
    compare_parser.add_argument("--deployed", help="model it would replace (default: the deployed one, else the one "
                                                   "trained before the candidate)")
    compare_parser.add_argument("--out", default="results/compare", help="where the report is written")
    deploy_parser = commands.add_parser(
        "deploy", help="trainers: gate a model against the deployed one and hot-swap it into the running server")
    deploy_parser.add_argument("--candidate", help="model to deploy (default: the newest in models/)")
    deploy_parser.add_argument("--tolerance", type=float, default=0.01,
                               help="how far below the deployed model a figure may fall (default 0.01)")
    deploy_parser.add_argument("--keep", type=int, default=5, help="deployed models kept for rollback (default 5)")
    load_parser = commands.add_parser(
        "loadtest", help="simulated customers at several levels against the embedded, production and stock targets")
    load_parser.add_argument("--targets", default="embedded,production,stock",
                             help="comma separated, of embedded, production, stock (default: all three)")
    load_parser.add_argument("--levels", default="", help="concurrent customers (default 1,10,50,100,200)")
    load_parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per level (default 60)")
    load_parser.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds first (default 10)")
    load_parser.add_argument("--think", default="2,6", help="seconds between a customer's messages, min,max (2,6)")
    load_parser.add_argument("--out", default="results/load", help="where the report and plot are written")
    soak_parser = commands.add_parser("soak", help="steady load on the production profile, memory sampled")
    soak_parser.add_argument("--minutes", type=float, default=10.0)
    soak_parser.add_argument("--customers", type=int, default=50)
    soak_parser.add_argument("--think", default="2,6", help="seconds between a customer's messages, min,max (2,6)")
    soak_parser.add_argument("--out", default="results/soak")
    commands.add_parser("rollback", help="trainers: swap the previously deployed model back in")
    commands.add_parser("hygiene", help="trainers: conflicting or duplicate examples, held-out near-duplicates")
    agent_parser = commands.add_parser("add-agent", help="create an agent account for the console (asks the password)")
    agent_parser.add_argument("username", help="the agent's 工号")
    agent_parser.add_argument("name", help="the name shown to colleagues")
    from bot.cli import privacy as privacy_cli

    privacy_cli.add_parsers(commands)  # privacy export|erase PHONE, retention
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "privacy":
        return privacy_cli.run_privacy(args, settings)
    if args.command == "retention":
        return privacy_cli.run_retention(settings)
    if args.command == "run":
        return run(settings)
    if args.command == "train":
        try:
            print(train(settings.root, settings.models_dir, force=args.force))
        except TrainingError as error:
            print(f"train: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command == "evaluate":
        from bot.ml.evaluation import PIPELINES, compare

        pipelines = {args.only: PIPELINES[args.only]} if args.only else None
        compare(settings.root / args.out, pipelines)
        return 0
    if args.command == "benchmark":
        from bot.load.parse import benchmark

        benchmark(settings.root, settings.root / args.out)
        return 0
    if args.command == "review":
        from bot.cli.review import export

        url = args.tracker_url or f"sqlite:///{settings.tracker_db_path}"
        export(url, settings.root / args.out, args.since, args.until, args.threshold)
        return 0
    if args.command == "compare":
        from bot.ml.trainers.compare import compare_models

        models = sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        candidate = Path(args.candidate) if args.candidate else (models[-1] if models else None)
        from bot.ml.trainers.deploy import Registry

        older = [m for m in models if candidate is None or m.resolve() != candidate.resolve()]
        # Against what is serving: the deployed model, else the model trained before the candidate.
        deployed = Path(args.deployed) if args.deployed else (Registry(settings.models_dir).current()
                                                              or (older[-1] if older else None))
        if candidate is None or deployed is None:
            print("compare: two models are needed (train one more, or pass --candidate and --deployed)",
                  file=sys.stderr)
            return 2
        out = settings.root / args.out
        result = compare_models(deployed, candidate, out)
        print(f"compare: {len(result['regressions'])} regressions, {len(result['fixed'])} fixed -> {out / 'report.md'}")
        return 0
    if args.command in ("deploy", "rollback"):
        from bot.ml.trainers import deploy as deployment
        from bot.ops.nginx import Balancer, BalancerError

        token = settings.secrets["RASA_AUTH_TOKEN"]
        urls = ([settings.replica_url(index) for index in range(settings.rasa_replicas)] if settings.production
                else [settings.rasa_url])
        try:
            balancer = Balancer(settings.var_dir / "nginx") if settings.production else None
        except BalancerError as error:
            print(f"{args.command}: {error}; is the production profile running (make run PROFILE=production)?",
                  file=sys.stderr)
            return 1
        try:
            if args.command == "rollback":
                print(f"rollback: now serving {deployment.rollback(settings.models_dir, urls, token, balancer)}")
                return 0
            models = sorted(settings.models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
            candidate = Path(args.candidate) if args.candidate else (models[-1] if models else None)
            if candidate is None:
                print("deploy: no model to deploy; train one first (make train)", file=sys.stderr)
                return 2
            verdict = deployment.deploy(candidate, settings.models_dir, urls, token,
                                        tolerance=args.tolerance, keep=args.keep, balancer=balancer)
        except (deployment.DeployError, BalancerError) as error:
            print(f"{args.command}: {error}", file=sys.stderr)
            return 1
        if not verdict.accepted:
            print("deploy: refused, the deployed model stays:\n  " + "\n  ".join(verdict.reasons), file=sys.stderr)
            return 1
        print(f"deploy: {candidate.name} is now serving ({'; '.join(verdict.reasons) or 'passed the gate'})")
        return 0
    if args.command in ("loadtest", "soak"):
        from bot.load import bench
        from bot.load.targets import TARGETS

        try:
            think = tuple(float(part) for part in args.think.split(","))
            if len(think) != 2 or not 0 <= think[0] <= think[1]:
                raise ValueError
        except ValueError:
            print(f"{args.command}: --think takes min,max seconds, e.g. 2,6", file=sys.stderr)
            return 2
        model = serving_model(settings)
        if args.command == "soak":
            bench.soak(model, settings.root / args.out, args.minutes, args.customers, think)
            return 0
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
        bench.loadtest(model, settings.root / args.out, targets, levels, args.duration, args.warmup, think)
        return 0
    if args.command == "hygiene":
        from rasa.shared.nlu.training_data.loading import load_data

        from bot.ml.trainers.hygiene import check, report

        def pairs(path):
            return [(e.get("text"), e.get("intent")) for e in load_data(str(path)).intent_examples]

        findings = check(pairs(settings.root / "data" / "nlu"), pairs(settings.root / "data" / "heldout" / "nlu.yml"))
        print(report(findings))
        return 1 if findings.blocking or findings.near_heldout else 0
    if args.command == "add-agent":
        password = getpass.getpass("password (8 characters at least): ")
        if len(password) < 8:
            print("add-agent: the password needs at least 8 characters", file=sys.stderr)
            return 2
        if not asyncio.run(add_agent(settings.handoff_db_url, args.username, args.name, password, if_missing=True)):
            print(f"add-agent: {args.username} exists already", file=sys.stderr)
            return 1
        print(f"add-agent: created {args.username}")
        return 0
    seeded = asyncio.run(seed(settings.operator_db_url))
    asyncio.run(add_agent(settings.handoff_db_url, **DEMO_AGENT, if_missing=True))
    print("seeded" if seeded else "already seeded")
    return 0
