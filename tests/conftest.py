"""Shared by every test directory: `database_url`, each test once on SQLite and once on PostgreSQL.

Sanic's import runs `warnings.filterwarnings("once", category=DeprecationWarning)`: left alone, it
overrides pytest.ini's targeted filters for whatever is imported after it in the same phase (the
collection imports rasa, TensorFlow and matplotlib after it). Imported here inside
`catch_warnings`, its filter goes away again and pytest.ini's filters decide.
"""

import warnings

with warnings.catch_warnings():
    import sanic  # noqa: F401


from typing import AsyncIterator  # noqa: E402

import pytest  # noqa: E402

from tests.support import postgres_database  # noqa: E402


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    """A fresh, empty database: a file under tmp_path, or a database of the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    async with postgres_database() as url:
        yield url
