"""The production profile, started once per test session: two Rasa replicas behind nginx, two
action-server workers, PostgreSQL (databases of its own, dropped afterwards) and Redis (a key
prefix of its own). Tests talk to nginx, or to one replica directly to choose where a message goes."""

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from bot.load.targets import Running, start_target, target_env
from bot.ml.training import train
from bot.ops.production import NotReady
from bot.ops.settings import ProductSettings
from bot.ops.stack import rasa_api_headers, rasa_server
from tests.e2e.fake_wechat import FakeWeChatServer
from tests.support import IN_CI, redis_client

pytestmark = pytest.mark.e2e


class Production:
    def __init__(self, running: Running, wechat_api: FakeWeChatServer, model) -> None:
        self.running = running
        self.settings: ProductSettings = running.settings
        self.wechat_api = wechat_api
        self.model = model

    def replica_url(self, index: int) -> str:
        return self.settings.replica_url(index)

    def say(self, sender: str, text: str, replica: Optional[int] = None, timeout: float = 60) -> Tuple[int, List[str]]:
        """(HTTP status, texts) of one REST message, through nginx or straight to replica `replica`."""
        base = self.settings.rasa_url if replica is None else self.replica_url(replica)
        request = urllib.request.Request(
            f"{base}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.settings.secrets['REST_CHANNEL_TOKEN']}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, [m["text"] for m in json.loads(response.read()) if "text" in m]
        except urllib.error.HTTPError as error:
            return error.code, []
        except (urllib.error.URLError, ConnectionError):
            return 0, []  # the connection failed or broke (a killed replica)

    def events(self, sender: str) -> List[Dict[str, Any]]:
        # Rasa's API is on the replicas' own ports only (nginx serves the channels); any replica reads
        # the shared tracker store, so the first one that answers does (a test may have killed one).
        error: Optional[Exception] = None
        for index in range(self.settings.rasa_replicas):
            url = urllib.request.Request(
                f"{self.replica_url(index)}/conversations/{sender}/tracker", headers=rasa_api_headers(self.settings)
            )
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    return json.loads(response.read())["events"]
            except urllib.error.URLError as refused:
                error = refused
        raise AssertionError(f"no replica answered: {error}")

    def backend_get(self, path: str) -> Dict[str, Any]:
        request = urllib.request.Request(
            self.settings.operator_url + path,
            headers={"Authorization": f"Bearer {self.settings.secrets['OPERATOR_API_TOKEN']}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def restart_replica(self, index: int) -> float:
        """Start replica `index` again (after a test killed it); seconds until it is ready."""
        spec = rasa_server(self.settings, self.model, index)
        supervisor = self.running.supervisor
        if spec.name in supervisor.processes:
            supervisor.stop(spec.name)
        supervisor.start(spec)
        supervisor.wait_healthy([spec.name])
        return supervisor.ready_s[spec.name]


@pytest.fixture(scope="session")
def production(tmp_path_factory) -> Iterator[Production]:
    redis_client()  # skips (or fails in CI) without Redis
    wechat_api = FakeWeChatServer().start()
    work = tmp_path_factory.mktemp("production")
    env = {**target_env("production", work), "WECHAT_API_URL": wechat_api.url, "WECHAT_APP_ID": "wxprod000000000000"}
    from bot.ops.settings import load_settings

    model = train(load_settings(env).root, load_settings(env).models_dir)
    try:
        running = start_target("production", model, work, env)
    except NotReady as error:
        wechat_api.stop()
        if IN_CI:
            pytest.fail(f"the production profile needs its servers in CI: {error}")
        pytest.skip(f"production profile not available here: {error}")
    try:
        yield Production(running, wechat_api, model)
    finally:
        running.stop()
        wechat_api.stop()


def gather_in_threads(calls) -> list:
    """Run blocking calls at the same moment (each in its own thread)."""

    async def together():
        return await asyncio.gather(*(asyncio.to_thread(call) for call in calls))

    return asyncio.run(together())
