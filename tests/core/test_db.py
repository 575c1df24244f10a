"""The schema of an existing database grows with the release: new tables and new columns are added,
old rows keep their data and take the new columns' defaults."""

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, select, true

from bot.core.db import SchemaError, create_database
from tests.support import FakeClock


def release_one() -> MetaData:
    metadata = MetaData()
    Table("plans", metadata, Column("code", String(8), primary_key=True), Column("fee", Integer, nullable=False))
    return metadata


def release_two() -> MetaData:
    metadata = MetaData()
    Table(
        "plans",
        metadata,
        Column("code", String(8), primary_key=True),
        Column("fee", Integer, nullable=False),
        Column("open_to_new", Boolean, nullable=False, server_default=true()),
        Column("family_slots", Integer, nullable=False, server_default="0"),
        Column("note", String(32), nullable=True),
    )
    Table("packs", metadata, Column("code", String(8), primary_key=True))
    return metadata


async def test_new_columns_and_tables_are_added_and_old_rows_take_the_defaults(database_url):
    db = create_database(database_url, FakeClock())
    try:
        await db.create_schema(release_one())
        async with db.write() as conn:
            await conn.execute(release_one().tables["plans"].insert().values(code="CY59", fee=5900))
        schema = release_two()
        await db.create_schema(schema)
        await db.create_schema(schema)  # a second start changes nothing
        plans, packs = schema.tables["plans"], schema.tables["packs"]
        async with db.write() as conn:
            await conn.execute(plans.insert().values(code="BJL129", fee=12900, open_to_new=False, note="老套餐"))
            await conn.execute(packs.insert().values(code="LLB6"))
        async with db.read() as conn:
            rows = (await conn.execute(select(plans).order_by(plans.c.code))).all()
            assert [tuple(row) for row in rows] == [
                ("BJL129", 12900, False, 0, "老套餐"),
                ("CY59", 5900, True, 0, None),
            ]
            assert (await conn.execute(select(packs.c.code))).scalars().all() == ["LLB6"]
    finally:
        await db.close()


async def test_a_required_column_without_a_default_is_refused(database_url):
    db = create_database(database_url, FakeClock())
    try:
        await db.create_schema(release_one())
        schema = MetaData()
        Table(
            "plans",
            schema,
            Column("code", String(8), primary_key=True),
            Column("fee", Integer, nullable=False),
            Column("data_mb", Integer, nullable=False),
        )
        with pytest.raises(SchemaError, match="plans.data_mb is NOT NULL without a server default"):
            await db.create_schema(schema)
    finally:
        await db.close()
