"""The action server's process-wide clients (bot/clients/), built from the environment on first use.
Actions get them injected in tests (actions/identity.py: `BackendMixin`)."""

from typing import Optional

from actions.settings import load_settings
from bot.clients.desk import DeskClient
from bot.clients.operator import OperatorClient

_operator: Optional[OperatorClient] = None
_desk: Optional[DeskClient] = None


def default_operator() -> OperatorClient:
    global _operator
    if _operator is None:
        _operator = OperatorClient(load_settings().operator)
    return _operator


def default_desk() -> DeskClient:
    global _desk
    if _desk is None:
        _desk = DeskClient(load_settings().desk)
    return _desk
