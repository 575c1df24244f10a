"""WeChat's server API as the channel uses it: the account's access_token and the customer-service
message API (客服消息接口), for answers that come after WeChat's 5-second window. WeChat answers
HTTP 200 with an `errcode` in the body; transport failures raise bot/clients/base.py's errors."""

import asyncio
import logging
import time
from typing import Callable, Optional

from bot.clients.base import Endpoint, JsonClient
from bot.core.kv import MemoryKV
from bot.rasa.wechat.state import REMEMBER_S, WeChatState

logger = logging.getLogger(__name__)

INVALID_TOKEN = {40001, 40014, 42001}  # access_token invalid, expired or not the latest


class AccessToken:
    """The account's access_token, shared (WeChatState): fetched once, renewed 5 minutes early or
    when WeChat refuses it, by one owner at a time; the others wait for the new one."""

    RENEWAL_LEASE_S = 15.0

    def __init__(
        self, app_id: str, app_secret: str, state: Optional[WeChatState] = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.app_id, self.app_secret, self.clock = app_id, app_secret, clock
        self.state = state or WeChatState(MemoryKV(), f"wx:{app_id}", REMEMBER_S)
        self._lock = asyncio.Lock()  # one renewal at a time in this process, too

    async def get(self, api: JsonClient, *, refused: Optional[str] = None) -> str:
        """A valid token; `refused` is one WeChat just rejected (renew it, unless someone did already)."""
        async with self._lock:
            deadline = time.monotonic() + self.RENEWAL_LEASE_S
            while True:
                stored = await self.state.token()
                if stored is not None and stored[0] != refused and self.clock() < stored[1]:
                    return stored[0]
                if await self.state.lease_token_renewal(self.RENEWAL_LEASE_S):
                    try:
                        return await self._renew(api)
                    finally:
                        await self.state.end_token_renewal()
                if time.monotonic() > deadline:
                    raise RuntimeError("no access_token: another process holds the renewal and does not finish")
                await asyncio.sleep(0.05)  # another replica is renewing it

    async def _renew(self, api: JsonClient) -> str:
        params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.app_secret}
        body = await api.request("GET", "/cgi-bin/token", params=params)
        if "access_token" not in body:
            raise RuntimeError(f"WeChat refused an access token: {body.get('errcode')} {body.get('errmsg')}")
        expires_at = self.clock() + int(body.get("expires_in", 7200)) - 300  # renewed 5 minutes early
        await self.state.save_token(body["access_token"], expires_at)
        return body["access_token"]


class CustomerServiceApi(JsonClient):
    """客服消息接口: messages sent after the 5-second window."""

    def __init__(self, api_url: str, token: AccessToken) -> None:
        super().__init__(Endpoint("WeChat API", api_url, timeout_s=10))
        self.token = token

    async def send_text(self, openid: str, text: str) -> None:
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        refused: Optional[str] = None
        for _attempt in (1, 2):
            access_token = await self.token.get(self, refused=refused)
            result = await self.request(
                "POST", "/cgi-bin/message/custom/send", params={"access_token": access_token}, json=body
            )
            code = int(result.get("errcode", 0))
            if code == 0:
                return
            if code not in INVALID_TOKEN:
                break
            refused = access_token
        logger.error("WeChat did not take a customer-service message: %s", result)
