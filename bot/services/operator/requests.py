"""What every handler of the operator backend reads from a request: the database, a JSON body, the
phone number and subscription id of the path."""

from typing import Any, Dict

from aiohttp import web

from bot.core.db import Database
from bot.core.errors import InvalidInput
from bot.services.operator import validation as v

DB_KEY = web.AppKey("db", Database)


def db_of(request: web.Request) -> Database:
    return request.app[DB_KEY]


async def json_body(request: web.Request) -> Dict[str, Any]:
    if request.content_type != "application/json":
        raise InvalidInput("the body must be JSON (Content-Type: application/json)")
    try:
        body = await request.json()
    except ValueError:
        raise InvalidInput("the body is not valid JSON") from None
    return dict(v.mapping(body, "body"))


def phone_of(request: web.Request) -> str:
    return v.phone(request.match_info["phone"])


def subscription_id_of(request: web.Request) -> int:
    text = request.match_info["subscription_id"]
    if not text.isdigit():
        raise InvalidInput("subscription_id must be a number", details={"field": "subscription_id"})
    return int(text)
