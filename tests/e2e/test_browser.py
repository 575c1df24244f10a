"""Real browsers (Debian's headless chromium through chromium-driver): the customer's widget and the
agent's console. Screenshots are kept in results/browser/ as test artifacts."""

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

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
    send(customer, box, "转人工")
    wait_for_bot_text(customer, "正在为您转接人工客服")

    WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.CSS_SELECTOR, ".take-button"))).click()
    reply = WebDriverWait(agent, 20).until(ready.element_to_be_clickable((By.ID, "reply-text")))
    send(customer, box, "我家宽带断网了")
    WebDriverWait(agent, 20).until(lambda d: "我家宽带断网了" in d.find_element(By.ID, "transcript").text)
    reply.send_keys("您好，我是客服王芳，正在为您查看。")
    agent.find_element(By.ID, "send-button").click()
    wait_for_bot_text(customer, "我是客服王芳")
    agent.save_screenshot(str(ARTIFACTS / "console-case.png"))

    agent.find_element(By.ID, "handback-button").click()
    WebDriverWait(agent, 10).until(ready.alert_is_present()).accept()
    wait_for_bot_text(customer, "智能客服小翼继续为您服务")
    send(customer, box, "谢谢")
    wait_for_bot_text(customer, "不客气，很高兴为您服务")  # the bot answers again
    customer.save_screenshot(str(ARTIFACTS / "widget-after-handback.png"))


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
