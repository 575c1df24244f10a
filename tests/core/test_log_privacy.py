"""Every log record of a process is masked once bot.core.log_privacy is installed."""

import logging

import pytest

from bot.core import log_privacy


@pytest.fixture
def masked_log(tmp_path):
    log_privacy.install()
    path = tmp_path / "x.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.log_privacy")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, path
    logger.removeHandler(handler)
    handler.close()


def test_messages_and_tracebacks_are_masked(masked_log):
    logger, path = masked_log
    logger.info("查 %s 的话费，密码 %s", "13912345678", "864213")
    logger.warning("身份证 44030119900101123X，卡号 6222021234567890123")
    logger.info("spaced %s, grouped %s", "１２ ３４ ５６", "6222 0212 3456 7890")
    try:
        raise ValueError("verify failed for 13912345678 with 864213")
    except ValueError:
        logger.exception("action failed")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:4] == [
        "INFO 查 139****5678 的话费，密码 ******",
        "WARNING 身份证 **************123X，卡号 ***************0123",
        "INFO spaced ** ** **, grouped **** **** **** 7890",
        "ERROR action failed",
    ]
    assert "ValueError: verify failed for 139****5678 with ******" in text
    assert "13912345678" not in text and "864213" not in text


def test_structlog_through_the_standard_library_is_masked(masked_log):
    import structlog

    logger, path = masked_log
    structlog.stdlib.get_logger("test.log_privacy").info("processor.message.parse", parse_data_text="13912345678")
    assert "13912345678" not in path.read_text(encoding="utf-8")


def test_json_escapes_do_not_hide_a_number(masked_log):
    # Rasa's JSON logs escape Chinese as \uXXXX: the hex digits of 号 (\u53f7) run into the number.
    logger, path = masked_log
    logger.info('{"text": "\\u624b\\u673a\\u53f713900139000\\u5bc6\\u7801654321", "emoji": "\\ud83d\\ude00139"}')
    logger.info("lone \\udc0013900139000")
    assert path.read_text(encoding="utf-8").splitlines() == [
        'INFO {"text": "手机号139****9000密码******", "emoji": "😀139"}',
        "INFO lone \ufffd139****9000",
    ]


def test_unescape_json_keeps_text_without_escapes():
    assert log_privacy.unescape_json("号码 13900139000 \\n") == "号码 13900139000 \\n"
    assert log_privacy.unescape_json("\\u53F7\\u7801") == "号码"
