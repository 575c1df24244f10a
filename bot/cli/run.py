"""`python -m bot run` (the whole product) and `python -m bot seed` (the demo data)."""

import argparse
import asyncio
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, List

from bot.cli import SubParsersAction

if TYPE_CHECKING:
    from bot.ops.settings import ProductSettings


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    run_parser = subparsers.add_parser(
        "run", parents=parents, help="train if needed, seed the demo data, start every process"
    )
    run_parser.set_defaults(func=run)
    seed_parser = subparsers.add_parser(
        "seed", parents=parents, help="create the operator database and seed the demo customers"
    )
    seed_parser.set_defaults(func=seed)


def banner(settings: "ProductSettings") -> str:
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
  Logs                        {settings.var_dir / "logs"}

Try it: open {settings.site_url}/?chat=open and type 查一下话费余额, then 13800138000 and 123456
(demo account 张伟). Integrations use the REST channel with its token (var/secrets.json):
  curl -s -X POST {settings.rasa_url}/webhooks/rest/webhook \\
       -H "Authorization: Bearer {settings.secrets["REST_CHANNEL_TOKEN"]}" \\
       -H 'Content-Type: application/json' -d '{{"sender": "demo", "message": "查一下话费余额"}}'

Press Ctrl-C to stop.
"""


def serving_model(settings: "ProductSettings") -> Path:
    """The model trainers deployed (models/registry.json), else the newest trained one (trained if stale)."""
    from bot.ml.trainers.deploy import Registry
    from bot.ml.training import train

    deployed = Registry(settings.models_dir).current()
    if deployed is not None and deployed.exists():
        print(f"run: serving the deployed model {deployed.name} (python -m bot deploy gates a newer one)")
        return deployed
    return train(settings.root, settings.models_dir)


def run(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ops import launch
    from bot.ops.processes import ServiceFailed, Supervisor
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
        launch.start(
            settings,
            model,
            supervisor,
            on_group=lambda names: print(f"run: starting {', '.join(names)} ...", flush=True),
        )
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


def seed(args: argparse.Namespace, settings: "ProductSettings") -> int:
    from bot.ops import launch

    seeded = asyncio.run(launch.seed(settings.operator_db_url))
    asyncio.run(launch.add_agent(settings.handoff_db_url, **launch.DEMO_AGENT, if_missing=True))
    print("seeded" if seeded else "already seeded")
    return 0
