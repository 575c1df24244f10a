"""bot/ops/launch.py: the accounts and defaults a fresh handoff database starts with."""

from bot.core.clock import system_clock
from bot.core.db import create_database
from bot.ops.launch import DEMO_AGENT, DEMO_SUPERVISOR, add_agent, seed_canned_replies
from bot.services.desk import agents, canned


async def test_the_demo_accounts_and_canned_replies_are_created_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'handoff.db'}"
    assert await add_agent(url, **DEMO_AGENT, if_missing=True)
    assert await add_agent(url, **DEMO_SUPERVISOR, if_missing=True)
    assert not await add_agent(url, **DEMO_SUPERVISOR, if_missing=True)  # kept as it is
    assert await seed_canned_replies(url) == 4
    assert await seed_canned_replies(url) == 0
    db = create_database(url, system_clock)
    try:
        who = await agents.authenticate(db, DEMO_SUPERVISOR["username"], DEMO_SUPERVISOR["password"])
        assert (who["name"], who["role"]) == ("陈静", "supervisor")
        who = await agents.authenticate(db, DEMO_AGENT["username"], DEMO_AGENT["password"])
        assert who["role"] == "agent"
        assert [reply["shortcut"] for reply in await canned.listed(db)] == ["bye", "hi", "line", "wait"]
    finally:
        await db.close()
