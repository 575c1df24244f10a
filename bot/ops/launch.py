"""Bringing the whole product up for a profile: its data, then its processes group by group.
Used by `python -m bot run`, the load benchmark and the tests."""

import asyncio
from pathlib import Path
from typing import Callable, List, Optional

from bot.ops.processes import Supervisor
from bot.ops.settings import ProductSettings
from bot.ops.stack import stack

# The demo agent of the console (README): 工号 1001, password demo-agent-1001.
DEMO_AGENT = {"username": "1001", "name": "王芳", "password": "demo-agent-1001"}
DEMO_SUPERVISOR = {"username": "2001", "name": "陈静", "password": "demo-super-2001", "role": "supervisor"}


async def seed(database_url: str) -> bool:
    from bot.core.clock import system_clock
    from bot.core.db import create_database
    from bot.services.operator.seed import seed_demo
    from bot.services.operator.tables import metadata as operator_schema

    db = create_database(database_url, system_clock)
    try:
        await db.create_schema(operator_schema)
        return await seed_demo(db)
    finally:
        await db.close()


async def add_agent(
    database_url: str, username: str, name: str, password: str, *, role: str = "agent", if_missing: bool = False
) -> bool:
    """Create an agent account (or a supervisor's) in the handoff database; False if it exists and `if_missing`."""
    from bot.core.clock import system_clock
    from bot.core.db import create_database
    from bot.services.desk import agents
    from bot.services.desk.tables import metadata as handoff_schema

    db = create_database(database_url, system_clock)
    try:
        await db.create_schema(handoff_schema)
        if if_missing and await agents.exists(db, username):
            return False
        await agents.create_agent(db, username=username, name=name, password=password, role=role)
        return True
    finally:
        await db.close()


async def seed_canned_replies(database_url: str) -> int:
    """The default canned replies (快捷回复), on a handoff database that has none."""
    from bot.core.clock import system_clock
    from bot.core.db import create_database
    from bot.services.desk import canned
    from bot.services.desk.tables import metadata as handoff_schema

    db = create_database(database_url, system_clock)
    try:
        await db.create_schema(handoff_schema)
        return await canned.seed_defaults(db)
    finally:
        await db.close()


def prepare_data(settings: ProductSettings) -> List[str]:
    """Databases (production: created on PostgreSQL if missing), demo customers, demo agent.
    Returns what was done, for the log; raises bot.ops.production.NotReady when a server is missing."""
    done = []
    if settings.production:
        from bot.ops.production import prepare

        created = prepare(settings)
        if created:
            done.append(f"created the PostgreSQL databases {', '.join(created)}")
    if asyncio.run(seed(settings.operator_db_url)):
        done.append("seeded the demo customers into the operator database")
    if asyncio.run(add_agent(settings.handoff_db_url, **DEMO_AGENT, if_missing=True)):
        done.append("created the demo agent 1001 in the handoff database")
    if asyncio.run(add_agent(settings.handoff_db_url, **DEMO_SUPERVISOR, if_missing=True)):
        done.append("created the demo supervisor 2001 in the handoff database")
    if asyncio.run(seed_canned_replies(settings.handoff_db_url)):
        done.append("added the default canned replies to the handoff database")
    return done


def start(
    settings: ProductSettings,
    model: Path,
    supervisor: Supervisor,
    on_group: Optional[Callable[[List[str]], None]] = None,
) -> None:
    """Start the profile's processes, each group once the one before is healthy (and warmed up)."""
    for group in stack(settings, model):
        names = [spec.name for spec in group]
        if on_group is not None:
            on_group(names)
        for spec in group:
            supervisor.start(spec)
        supervisor.wait_healthy(names)
