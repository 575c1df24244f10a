"""Real browsers (Debian's headless chromium through chromium-driver): the customer's widget and the
agent's console. Screenshots are kept in results/browser/ as test artifacts."""

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.cli.main import DEMO_AGENT

pytestmark = pytest.mark.e2e

ARTIFACTS = Path(__file__).resolve().parents[2] / "results" / "browser"


def chromium(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


@pytest.fixture
def customer(product):
    driver = chromium(390, 844)  # a phone's width: the panel fills the screen
    yield driver
    driver.quit()


@pytest.fixture
def agent_browser(product):
    driver = chromium(1280, 900)
    yield driver
    driver.quit()


def bot_texts(driver):
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, ".telebot-msg.telebot-bot")]


def wait_for_bot_text(driver, fragment, timeout=30):
    WebDriverWait(driver, timeout).until(lambda d: any(fragment in text for text in bot_texts(d)))


def open_widget(driver, running):
    driver.get(running.settings.site_url + "/?chat=open")
    box = WebDriverWait(driver, 20).until(ready.element_to_be_clickable((By.ID, "telebot-input")))
    return box


def send(driver, box, text):
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_a_customer_asks_the_balance_in_the_widget(customer, running):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    box = open_widget(customer, running)
    send(customer, box, "查一下话费余额")
    wait_for_bot_text(customer, "请先提供您的11位手机号码")
    send(customer, box, "13800138000")
    wait_for_bot_text(customer, "6位服务密码")
    send(customer, box, "123456")
    wait_for_bot_text(customer, "您的话费余额为 58.30 元")
    customer.save_screenshot(str(ARTIFACTS / "widget-balance.png"))


def test_an_agent_takes_over_in_the_console_and_hands_back(customer, agent_browser, running):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    agent = agent_browser
    agent.get(running.settings.agent_url + "/login")
    WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys(DEMO_AGENT["username"])
    agent.find_element(By.ID, "password").send_keys(DEMO_AGENT["password"])
    agent.find_element(By.ID, "login-button").click()
    WebDriverWait(agent, 20).until(lambda d: "在线" in d.find_element(By.ID, "connection-status").text)

    box = open_widget(customer, running)
    send(customer, box, "查一下话费余额")
    wait_for_bot_text(customer, "请先提供您的11位手机号码")
    send(customer, box, "13800138000")
    wait_for_bot_text(customer, "6位服务密码")
    send(customer, box, "转人工")
    wait_for_bot_text(customer, "正在为您转接人工客服")
    title = lambda d: d.find_element(By.ID, "telebot-title").text  # noqa: E731
    WebDriverWait(customer, 10).until(lambda d: title(d) == "正在转接人工客服")

    # A new case is announced in the tab's title (and by a tone) before the agent takes it.
    WebDriverWait(agent, 20).until(lambda d: "新会话" in d.title)
    WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".take-button"))).click()
    reply = WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.ID, "reply-text")))
    # The context is in Chinese: intents and slots by their names, not the domain's.
    context = WebDriverWait(agent, 20).until(
        lambda d: (
            d.find_element(By.ID, "case-context") if "查询余额" in d.find_element(By.ID, "case-context").text else None
        )
    )
    assert "手机号码" in context.text and "转人工" in context.text and "本次会话未开工单" in context.text
    assert "check_balance" not in context.text and "phone_number" not in context.text

    # The customer sees who took the case, and a header that says a person answers now.
    WebDriverWait(customer, 20).until(
        lambda d: (
            "客服 王芳 已接入，正在为您服务。" in [n.text for n in d.find_elements(By.CSS_SELECTOR, ".telebot-notice")]
        )
    )
    assert title(customer) == "人工客服 王芳"
    send(customer, box, "我家宽带断网了")
    # No "小翼正在输入" while a person is answering.
    assert not customer.find_element(By.ID, "telebot-typing").is_displayed()
    WebDriverWait(agent, 20).until(lambda d: "我家宽带断网了" in d.find_element(By.ID, "transcript").text)
    assert not customer.find_element(By.ID, "telebot-typing").is_displayed()
    # A canned reply by its shortcut, filled with the case's line (尾号8000).
    reply.send_keys("/li")
    WebDriverWait(agent, 10).until(lambda d: d.find_element(By.ID, "canned-menu").is_displayed())
    menu = agent.find_element(By.ID, "canned-menu").text
    assert "/line" in menu and "为您查询的是尾号8000的号码，请问对吗？" in menu
    agent.save_screenshot(str(ARTIFACTS / "console-canned-menu.png"))
    reply.send_keys(Keys.ENTER)
    assert reply.get_attribute("value") == "为您查询的是尾号8000的号码，请问对吗？"
    reply.send_keys(Keys.ENTER)
    wait_for_bot_text(customer, "为您查询的是尾号8000的号码")
    reply.send_keys("您好，我是客服王芳，正在为您查看。")
    agent.find_element(By.ID, "send-button").click()
    wait_for_bot_text(customer, "我是客服王芳")
    labels = customer.find_elements(By.CSS_SELECTOR, ".telebot-agent .telebot-sender")
    assert [label.text for label in labels] == ["客服 王芳", "客服 王芳"]
    agent.save_screenshot(str(ARTIFACTS / "console-case.png"))
    customer.save_screenshot(str(ARTIFACTS / "widget-with-agent.png"))

    agent.find_element(By.ID, "handback-button").click()
    WebDriverWait(agent, 10).until(ready.alert_is_present()).accept()
    wait_for_bot_text(customer, "智能客服小翼继续为您服务")
    WebDriverWait(customer, 10).until(lambda d: title(d) == "智能客服 小翼")
    # The ended case stays in the agent's history, and opens again read-only.
    history = WebDriverWait(agent, 20).until(
        lambda d: d.find_element(By.ID, "history") if "已交还机器人" in d.find_element(By.ID, "history").text else None
    )
    history.find_element(By.CSS_SELECTOR, ".case-open").click()
    WebDriverWait(agent, 20).until(lambda d: "我家宽带断网了" in d.find_element(By.ID, "transcript").text)
    assert not agent.find_element(By.ID, "send-button").is_enabled()
    agent.save_screenshot(str(ARTIFACTS / "console-history.png"))
    send(customer, box, "谢谢")
    wait_for_bot_text(customer, "不客气，很高兴为您服务")  # the bot answers again
    customer.save_screenshot(str(ARTIFACTS / "widget-after-handback.png"))


def test_the_queue_timeout_offers_a_callback_and_records_the_case(customer, agent_browser, running):
    """Nobody takes the case within the queue timeout: the customer is told and offered a callback or
    the bot; the case is closed as abandoned, then converted when the customer asks for the callback.
    The wait is made by moving the case's opening back (the timeout is minutes long)."""
    from sqlalchemy import create_engine, text

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    agent = agent_browser
    agent.get(running.settings.agent_url + "/login")
    WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys(DEMO_AGENT["username"])
    agent.find_element(By.ID, "password").send_keys(DEMO_AGENT["password"])
    agent.find_element(By.ID, "login-button").click()
    WebDriverWait(agent, 20).until(lambda d: "在线" in d.find_element(By.ID, "connection-status").text)

    box = open_widget(customer, running)
    send(customer, box, "转人工")
    wait_for_bot_text(customer, "正在为您转接人工客服")
    WebDriverWait(agent, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".take-button"))
    engine = create_engine(running.settings.handoff_db_url)
    with engine.begin() as conn:
        case_id = conn.execute(text("SELECT MAX(id) FROM cases WHERE status = 'queued'")).scalar_one()
        conn.execute(
            text("UPDATE cases SET created_at = :at WHERE id = :id"),
            {"at": "2026-01-01 00:00:00.000000", "id": case_id},
        )
    wait_for_bot_text(customer, "人工客服仍然都在忙", timeout=30)
    title = lambda d: d.find_element(By.ID, "telebot-title").text  # noqa: E731
    WebDriverWait(customer, 10).until(lambda d: title(d) == "智能客服 小翼")
    customer.save_screenshot(str(ARTIFACTS / "widget-queue-timeout.png"))
    # The agents' queue no longer holds it.
    WebDriverWait(agent, 20).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'[data-case-id="{case_id}"]'))
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT status FROM cases WHERE id = :id"), {"id": case_id}).scalar_one() == "abandoned"
        )

    click_choice(customer, "登记回电")
    wait_for_bot_text(customer, "请提供方便接听的11位手机号码")
    send(customer, box, "13800138000")
    wait_for_bot_text(customer, "已为您登记回电，单号")
    with engine.connect() as conn:
        status, note = conn.execute(text("SELECT status, note FROM cases WHERE id = :id"), {"id": case_id}).one()
    engine.dispose()
    assert status == "callback" and note.startswith("排队超时，已转回电工单 T")
    customer.save_screenshot(str(ARTIFACTS / "widget-queue-timeout-callback.png"))


def click_choice(driver, title, timeout=30):
    """Click the newest quick reply with this title."""
    WebDriverWait(driver, timeout).until(
        lambda d: any(
            b.text == title and b.is_enabled() for b in d.find_elements(By.CSS_SELECTOR, ".telebot-quick-reply")
        )
    )
    [button] = [b for b in driver.find_elements(By.CSS_SELECTOR, ".telebot-quick-reply") if b.text == title][-1:]
    button.click()


def test_a_customer_changes_the_plan_with_the_quick_replies(customer, running):
    running.reset_backend()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    box = open_widget(customer, running)
    send(customer, box, "换个便宜点的套餐")
    wait_for_bot_text(customer, "请先提供您的11位手机号码")
    send(customer, box, "13900139000")
    wait_for_bot_text(customer, "6位服务密码")
    send(customer, box, "654321")
    wait_for_bot_text(customer, "推荐大王卡")
    customer.save_screenshot(str(ARTIFACTS / "widget-plan-options.png"))
    click_choice(customer, "大王卡")
    wait_for_bot_text(customer, "办理前请您确认（消费提醒）")
    customer.save_screenshot(str(ARTIFACTS / "widget-plan-terms.png"))
    click_choice(customer, "确认办理")
    wait_for_bot_text(customer, "已为您办理套餐变更：大王卡")
    customer.save_screenshot(str(ARTIFACTS / "widget-plan-changed.png"))
    subscriptions = running.backend_get("/v1/lines/13900139000/subscriptions")["subscriptions"]
    assert [(s["name"], s["status"]) for s in subscriptions if s["kind"] == "main"] == [
        ("畅越套餐", "cancel_pending"),
        ("大王卡", "scheduled"),
    ]


class DeskInThread:
    """A handoff service of its own (SQLite, no Rasa needed) in a thread: with service hours that
    exclude the present (what the console looks like outside service hours), or open all day."""

    TOKEN = "closed-desk-token-0123456789"

    def __init__(
        self, tmp_path: Path, open_now: bool = False, clock=None, tracker_url: str = "", operator_app=None
    ) -> None:
        import asyncio
        import datetime as dt
        import threading

        from bot.core.clock import CHINA
        from bot.services.desk.settings import HandoffSettings

        now = dt.datetime.now(CHINA).time()
        hours = (dt.time(13, 0), dt.time(14, 0)) if now < dt.time(12, 0) else (dt.time(1, 0), dt.time(2, 0))
        if open_now:
            hours = (dt.time(0, 0), dt.time.max)
        self.settings = HandoffSettings(
            database_url=f"sqlite:///{tmp_path / 'closed-desk.db'}",
            service_token=self.TOKEN,
            rasa_url="http://127.0.0.1:9",
            rasa_token="closed-desk-rasa-0123456789",
            service_hours=hours,
            tracker_url=tracker_url,
            operator_token="dashboard-operator-token-0123",
        )
        self.clock = clock  # None: the real time
        self.operator_app = operator_app  # a fake operator backend (aiohttp app), served on the same loop
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import asyncio
        import dataclasses

        from aiohttp import web

        from bot.services.desk import agents
        from bot.services.desk.app import create_app
        from bot.services.desk.routes import SERVICE_KEY

        asyncio.set_event_loop(self._loop)
        if self.operator_app is not None:
            operator = web.AppRunner(self.operator_app)
            self._loop.run_until_complete(operator.setup())
            operator_site = web.TCPSite(operator, "127.0.0.1", 0)
            self._loop.run_until_complete(operator_site.start())
            port = operator_site._server.sockets[0].getsockname()[1]
            self.settings = dataclasses.replace(self.settings, operator_url=f"http://127.0.0.1:{port}")
        app = create_app(self.settings, clock=self.clock, retry=False)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        db = app[SERVICE_KEY].db
        self._loop.run_until_complete(agents.create_agent(db, username="1001", name="王芳", password="password-1001"))
        self._loop.run_until_complete(agents.create_agent(db, username="1002", name="李强", password="password-1002"))
        self._loop.run_until_complete(
            agents.create_agent(db, username="2001", name="陈静", password="password-2001", role="supervisor")
        )
        self.app = app
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())

    def run(self, work):
        """Run a coroutine on the service's loop (its database), from the test's thread."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(work, self._loop).result(20)

    def open_case(self, sender_id: str) -> dict:
        import json
        import urllib.request

        body = {"sender_id": sender_id, "channel": "socketio", "reason": "requested", "verified": False}
        request = urllib.request.Request(
            self.url + "/v1/cases",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def __enter__(self) -> "DeskInThread":
        self._thread.start()
        assert self._ready.wait(20), "the handoff service did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(20)


def test_outside_service_hours_the_console_says_customers_are_offered_callbacks(agent_browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with DeskInThread(tmp_path) as desk:
        agent_browser.get(desk.url + "/login")
        WebDriverWait(agent_browser, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys("1001")
        agent_browser.find_element(By.ID, "password").send_keys("password-1001")
        agent_browser.find_element(By.ID, "login-button").click()
        banner = WebDriverWait(agent_browser, 20).until(ready.visibility_of_element_located((By.ID, "service-banner")))
        start, end = desk.settings.service_hours
        assert banner.text == (
            f"当前为非服务时间（服务时间 {start:%H:%M}-{end:%H:%M}），转人工的客户不会进入排队，正被引导登记回电。"
        )
        agent_browser.save_screenshot(str(ARTIFACTS / "console-closed-hours.png"))


def test_a_supervisor_adds_a_canned_reply_in_the_console(agent_browser, running):
    from bot.cli.main import DEMO_SUPERVISOR

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = agent_browser
    page.get(running.settings.agent_url + "/login")
    WebDriverWait(page, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys(
        DEMO_SUPERVISOR["username"]
    )
    page.find_element(By.ID, "password").send_keys(DEMO_SUPERVISOR["password"])
    page.find_element(By.ID, "login-button").click()
    WebDriverWait(page, 20).until(ready.element_to_be_clickable((By.ID, "canned-admin-button"))).click()
    WebDriverWait(page, 10).until(lambda d: "/hi" in d.find_element(By.ID, "canned-list").text)  # the defaults
    page.find_element(By.ID, "canned-shortcut").send_keys("refund")
    page.find_element(By.ID, "canned-title").send_keys("退费说明")
    page.find_element(By.ID, "canned-text").send_keys("{姓名}您好，退费将在 3 个工作日内退回原支付账户。")
    page.find_element(By.ID, "canned-save").click()
    WebDriverWait(page, 10).until(lambda d: "/refund" in d.find_element(By.ID, "canned-list").text)
    page.save_screenshot(str(ARTIFACTS / "console-canned-admin.png"))
    # A name that is not a placeholder is refused with the reason, and nothing is saved.
    page.find_element(By.ID, "canned-shortcut").send_keys("bad")
    page.find_element(By.ID, "canned-title").send_keys("错误")
    page.find_element(By.ID, "canned-text").send_keys("{先生}您好")
    page.find_element(By.ID, "canned-save").click()
    WebDriverWait(page, 10).until(lambda d: "占位符只能用" in d.find_element(By.ID, "notice").text)
    assert "/bad" not in page.find_element(By.ID, "canned-list").text
    page.find_element(By.ID, "canned-admin-close").click()
    # The supervisor also sees each agent's status and load, and the desk's assignment mode.
    roster = WebDriverWait(page, 10).until(ready.visibility_of_element_located((By.ID, "roster")))
    WebDriverWait(page, 10).until(lambda d: "王芳（1001）" in roster.text and "陈静（2001）" in roster.text)
    assert page.find_element(By.ID, "assign-mode").is_displayed()
    page.save_screenshot(str(ARTIFACTS / "console-supervisor.png"))


def test_auto_assign_gives_an_agent_no_more_cases_than_their_maximum(agent_browser, tmp_path):
    from bot.services.desk import agents, preferences
    from bot.services.desk.routes import SERVICE_KEY

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with DeskInThread(tmp_path, open_now=True) as desk:
        db = desk.app[SERVICE_KEY].db
        desk.run(preferences.set_assign_mode(db, "auto"))
        wang = desk.run(agents.get(db, 1))
        desk.run(agents.set_presence(db, wang["id"], status="online", max_cases=2))
        agent_browser.get(desk.url + "/login")
        WebDriverWait(agent_browser, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys("1001")
        agent_browser.find_element(By.ID, "password").send_keys("password-1001")
        agent_browser.find_element(By.ID, "login-button").click()
        WebDriverWait(agent_browser, 20).until(lambda d: "在线" in d.find_element(By.ID, "connection-status").text)
        for n in range(3):
            assert desk.open_case(f"web-auto-{n}")["status"] == "queued"
        count = lambda d, id: d.find_element(By.ID, id).text  # noqa: E731
        WebDriverWait(agent_browser, 20).until(
            lambda d: (count(d, "mine-count"), count(d, "queue-count")) == ("2", "1")
        )
        # The first case given opens by itself; the third waits for a free seat.
        WebDriverWait(agent_browser, 20).until(lambda d: "会话 #1" in d.find_element(By.ID, "case-title").text)
        agent_browser.save_screenshot(str(ARTIFACTS / "console-auto-assign.png"))
        # 忙碌: still two, and nothing more arrives; the status is kept.
        Select(agent_browser.find_element(By.ID, "status-select")).select_by_value("busy")
        WebDriverWait(agent_browser, 10).until(lambda d: desk.run(agents.get(db, 1))["status"] == "busy")
        assert (count(agent_browser, "mine-count"), count(agent_browser, "queue-count")) == ("2", "1")


def sign_in_console(driver, url, username):
    driver.get(url + "/login")
    WebDriverWait(driver, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys(username)
    driver.find_element(By.ID, "password").send_keys(f"password-{username}")
    driver.find_element(By.ID, "login-button").click()
    WebDriverWait(driver, 20).until(lambda d: "在线" in d.find_element(By.ID, "connection-status").text)


def test_a_supervisor_moves_a_case_to_another_agent_who_reads_the_private_note(agent_browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    li = chromium(1280, 900)
    try:
        with DeskInThread(tmp_path, open_now=True) as desk:
            sign_in_console(li, desk.url, "1002")
            sign_in_console(agent_browser, desk.url, "2001")  # the supervisor
            case_id = desk.open_case("web-move")["case"]["id"]
            panel = WebDriverWait(agent_browser, 20).until(
                lambda d: (
                    d.find_element(By.ID, "all-cases")
                    if f"#{case_id}" in d.find_element(By.ID, "all-cases").text
                    else None
                )
            )
            assert "无人接入" in panel.text
            # The supervisor takes it to look, writes a note, then gives it to 李强.
            WebDriverWait(agent_browser, 20).until(
                ready.element_to_be_clickable((By.CSS_SELECTOR, ".take-button"))
            ).click()
            note = WebDriverWait(agent_browser, 20).until(ready.element_to_be_clickable((By.ID, "note-text")))
            note.send_keys("客户备用号码13900139000，先核实欠费")
            agent_browser.find_element(By.ID, "note-add").click()
            WebDriverWait(agent_browser, 10).until(
                lambda d: "客户备用号码139****9000，先核实欠费" in d.find_element(By.ID, "case-context").text
            )
            row = f'#all-cases .all-case[data-case-id="{case_id}"]'
            WebDriverWait(agent_browser, 20).until(lambda d: "坐席 陈静" in d.find_element(By.CSS_SELECTOR, row).text)
            Select(agent_browser.find_element(By.CSS_SELECTOR, f"{row} .assign-agent")).select_by_value("2")
            agent_browser.find_element(By.CSS_SELECTOR, f"{row} .assign-button").click()
            WebDriverWait(agent_browser, 20).until(lambda d: "坐席 李强" in d.find_element(By.CSS_SELECTOR, row).text)
            # No longer the supervisor's to answer: the open case turns read-only.
            WebDriverWait(agent_browser, 20).until(lambda d: not d.find_element(By.ID, "send-button").is_enabled())
            # 李强 is given the case: it opens by itself, with the supervisor's note and the transfer in the transcript.
            WebDriverWait(li, 20).until(lambda d: f"会话 #{case_id}" in d.find_element(By.ID, "case-title").text)
            WebDriverWait(li, 20).until(lambda d: "先核实欠费" in d.find_element(By.ID, "case-context").text)
            WebDriverWait(li, 20).until(lambda d: "会话已由班长转给 李强" in d.find_element(By.ID, "transcript").text)
            assert li.find_element(By.ID, "reply-text").is_enabled()
            li.save_screenshot(str(ARTIFACTS / "console-reassigned-with-note.png"))
            agent_browser.save_screenshot(str(ARTIFACTS / "console-supervisor-all-cases.png"))
    finally:
        li.quit()


def test_the_queue_timers_turn_amber_then_red(agent_browser, tmp_path):
    """Three waiting cases, opened 10 s, 150 s and 250 s ago (thresholds 120 s and 240 s): ok, amber, red."""
    import datetime as dt

    from sqlalchemy import update

    from bot.core import clock as clk
    from bot.services.desk.routes import SERVICE_KEY
    from bot.services.desk.tables import cases

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with DeskInThread(tmp_path, open_now=True) as desk:
        db = desk.app[SERVICE_KEY].db
        agent_browser.get(desk.url + "/login")
        WebDriverWait(agent_browser, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys("1001")
        agent_browser.find_element(By.ID, "password").send_keys("password-1001")
        agent_browser.find_element(By.ID, "login-button").click()
        WebDriverWait(agent_browser, 20).until(lambda d: "在线" in d.find_element(By.ID, "connection-status").text)
        ids = [desk.open_case(f"web-sla-{n}")["case"]["id"] for n in range(3)]

        async def backdate():
            now = dt.datetime.now(dt.timezone.utc)
            async with db.write() as conn:
                for case_id, seconds in zip(ids, (10, 150, 250), strict=True):
                    opened = clk.to_db(now - dt.timedelta(seconds=seconds))
                    await conn.execute(update(cases).where(cases.c.id == case_id).values(created_at=opened))

        desk.run(backdate())
        agent_browser.refresh()

        def levels(d):
            found = {}
            for item in d.find_elements(By.CSS_SELECTOR, "#queue .case-item"):
                found[int(item.get_attribute("data-case-id"))] = item.find_element(
                    By.CSS_SELECTOR, ".wait"
                ).get_attribute("data-level")
            return found

        WebDriverWait(agent_browser, 20).until(lambda d: len(levels(d)) == 3)
        assert levels(agent_browser) == {ids[0]: "ok", ids[1]: "amber", ids[2]: "red"}
        red = agent_browser.find_element(By.CSS_SELECTOR, f'#queue .case-item[data-case-id="{ids[2]}"] .wait')
        assert "sla-red" in red.get_attribute("class") and red.text == "等待 4 分钟"
        agent_browser.save_screenshot(str(ARTIFACTS / "console-sla-timers.png"))


def test_a_supervisor_sees_the_dashboard_figures_of_a_seeded_set(agent_browser, tmp_path):
    """The hand-computed set of tests/services/desk/reports/fixture.py, stored as it would be (a
    tracker store file, the handoff database, the backend's answer), read on a desk whose clock is
    the set's 'now': every figure the supervisor reads is the hand-computed one."""
    from bot.services.desk.routes import SERVICE_KEY
    from tests.services.desk.reports import fixture
    from tests.support import FakeClock

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tracker = tmp_path / "tracker.db"
    fixture.write_tracker(str(tracker))
    with DeskInThread(
        tmp_path,
        open_now=True,
        clock=FakeClock(fixture.NOW),
        tracker_url=f"sqlite:///file:{tracker}?mode=ro&uri=true",
        operator_app=fixture.operator_app("dashboard-operator-token-0123"),
    ) as desk:
        desk.run(fixture.seed_cases(desk.app[SERVICE_KEY].db, {1: 1, 2: 2}))
        page = agent_browser
        page.get(desk.url + "/login")
        WebDriverWait(page, 20).until(ready.element_to_be_clickable((By.ID, "username"))).send_keys("2001")
        page.find_element(By.ID, "password").send_keys("password-2001")
        page.find_element(By.ID, "login-button").click()
        WebDriverWait(page, 20).until(ready.element_to_be_clickable((By.ID, "dashboard-link"))).click()
        WebDriverWait(page, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "7")
        Select(page.find_element(By.ID, "period")).select_by_value("1")  # today only
        WebDriverWait(page, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "1")

        def kpi(name):
            card = page.find_element(By.CSS_SELECTOR, f'[data-kpi="{name}"]')
            return card.find_element(By.CLASS_NAME, "kpi-value").text

        # Today (the 22nd): web-c, wx-d and web-e's second conversation; web-e's is the one contained.
        assert [kpi(n) for n in ("conversations", "contained", "handed_off", "abandoned", "callbacks")] == [
            "3", "1", "2", "1", "1",
        ]  # fmt: skip
        assert kpi("queue_wait") == "10分 / 10分"  # only 李强's case was taken today, after 600 s
        assert kpi("first_response") == "5分 / 5分"
        assert kpi("csat") == "2.50"  # 李强's 2 and web-e's 3 for 王芳
        assert kpi("fallback") == "75.0%"  # 3 of the 4 typed messages
        unrecognised = page.find_element(By.ID, "unrecognised-table").text
        assert "asdf乱码 2" in unrecognised and "我的号码138****8000还是不行 1" in unrecognised
        assert "13800138000" not in page.page_source
        agents_table = page.find_element(By.ID, "csat-agents-table").text
        assert "王芳 1 3.00" in agents_table and "李强 1 2.00" in agents_table

        # The last 7 days also hold the 20th: web-e's first conversation, handed off (lock-out, case 0), and a callback.
        Select(page.find_element(By.ID, "period")).select_by_value("7")
        WebDriverWait(page, 20).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "7")
        assert [kpi(n) for n in ("conversations", "contained", "handed_off", "abandoned", "callbacks")] == [
            "6", "2", "4", "1", "2",
        ]  # fmt: skip
        assert kpi("queue_wait") == "2分 / 10分"  # 60 s, 120 s and 600 s
        assert kpi("first_response") == "1分 / 5分"  # 60 s, 60 s and 300 s
        assert kpi("csat") == "3.50"
        assert kpi("fallback") == "42.9%"  # 3 of 7
        daily = page.find_element(By.ID, "daily-table").text
        assert "2026-11-20 1 0 0.0% 1 0 1" in daily
        assert "2026-11-21 2 1 50.0% 1 0 0" in daily and "2026-11-22 3 1 33.3% 2 1 1" in daily
        reasons = page.find_element(By.ID, "reasons-table").text
        assert "客户要求 1 25.0%" in reasons and "投诉升级 1 25.0%" in reasons and "验证锁定 1 25.0%" in reasons
        # The charts are drawn (Chart.js, served by the console itself).
        assert page.execute_script("return typeof window.Chart") == "function"
        drawn = page.execute_script(
            "return [...document.querySelectorAll('canvas')].filter(c => window.Chart.getChart(c)).length"
        )
        assert drawn == 5
        link = page.find_element(By.CSS_SELECTOR, '.csv-link[data-table="daily"]').get_attribute("href")
        assert link.endswith("/api/reports/daily.csv?days=7")
        page.save_screenshot(str(ARTIFACTS / "dashboard.png"))
