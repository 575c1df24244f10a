"""A fake WeChat API (token + customer-service messages) on a free port, in its own thread."""

import asyncio
import threading
from typing import Any, Dict, List

from aiohttp import web


class FakeWeChatServer:
    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []
        self.tokens_issued = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _app(self) -> web.Application:
        async def token(request: web.Request) -> web.Response:
            self.tokens_issued += 1
            return web.json_response({"access_token": f"token-{self.tokens_issued}", "expires_in": 7200})

        async def send(request: web.Request) -> web.Response:
            self.sent.append({"token": request.query.get("access_token"), **(await request.json())})
            return web.json_response({"errcode": 0, "errmsg": "ok"})

        app = web.Application()
        app.router.add_get("/cgi-bin/token", token)
        app.router.add_post("/cgi-bin/message/custom/send", send)
        return app

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(self._app())
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> "FakeWeChatServer":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def texts_to(self, openid: str) -> List[str]:
        return [m["text"]["content"] for m in list(self.sent) if m["touser"] == openid]
