"""Live updates to the agents' consoles over WebSocket; who is online."""

import logging
from typing import Any, Awaitable, Callable, Dict, List, Set

from aiohttp import web

logger = logging.getLogger(__name__)

QueueView = Callable[[int], Awaitable[Dict[str, Any]]]


class Hub:
    def __init__(self) -> None:
        self._sockets: Dict[int, Set[web.WebSocketResponse]] = {}

    def add(self, agent_id: int, socket: web.WebSocketResponse) -> None:
        self._sockets.setdefault(agent_id, set()).add(socket)

    def remove(self, agent_id: int, socket: web.WebSocketResponse) -> None:
        sockets = self._sockets.get(agent_id, set())
        sockets.discard(socket)
        if not sockets:
            self._sockets.pop(agent_id, None)

    def online_agents(self) -> List[int]:
        return sorted(self._sockets)

    async def send(self, agent_id: int, event: Dict[str, Any]) -> None:
        for socket in list(self._sockets.get(agent_id, ())):
            try:
                await socket.send_json(event)
            except (ConnectionError, RuntimeError) as error:
                logger.info("dropping a closed console socket: %r", error)
                self.remove(agent_id, socket)

    async def refresh_queues(self, view: QueueView) -> None:
        """Every online agent gets the queue and their own cases again."""
        for agent_id in self.online_agents():
            await self.send(agent_id, {"type": "queue", **(await view(agent_id))})

    async def close_all(self) -> None:
        for sockets in list(self._sockets.values()):
            for socket in list(sockets):
                await socket.close()
        self._sockets.clear()
