"""bot/rasa/nlu/values.py: canonical entity values, with a commented table of tricky inputs."""

import pytest

from bot.rasa.nlu.lexicon import load_lexicon
from bot.rasa.nlu.values import canonical_value, parse_amount, parse_month, parse_ticket_id
from tests.rasa.nlu.conftest import LEXICON_PATH


@pytest.mark.parametrize(
    "span, expected",
    [
        ("五十块", "50"),  # Chinese numeral + colloquial unit
        ("五五十块钱", "50"),  # ASR stutter
        ("三三十八", "38"),
        ("五十五", "55"),  # not a stutter
        ("一百五", "150"),  # colloquial: 一百五 is 150, not 105
        ("两百块钱", "200"),  # 两 for 2, trailing 钱
        ("三块五", "3.5"),  # 块 then a single digit: jiao
        ("十块五毛", "10.5"),
        ("五毛", "0.5"),
        ("￥30.5", "30.5"),  # currency sign
        ("¥ 20", "20"),
        ("３０元", "30"),  # full-width digits
        ("100元", "100"),  # no scientific notation for round numbers
        ("一百五十元", "150"),
        ("1,000元", "1000"),  # thousands separator
        ("人民币200元", "200"),
        ("50", "50"),  # a bare number is still an amount when an extractor says so
        ("0元", None),  # zero is not an amount to pay
        ("五十G", None),  # data, not money
        ("abc", None),
        ("", None),
    ],
)
def test_parse_amount(span, expected):
    assert parse_amount(span) == expected


@pytest.mark.parametrize(
    "span, expected",
    [
        ("本月", "本月"),
        ("这个月", "本月"),
        ("上月", "上个月"),
        ("上一个月", "上个月"),
        ("10月份", "10月"),
        ("十月", "10月"),
        ("十一月", "11月"),
        ("１２月", "12月"),  # full-width
        ("3月", "3月"),
        ("13月", None),  # no such month
        ("零月", None),
        ("月初", None),
    ],
)
def test_parse_month(span, expected):
    assert parse_month(span) == expected


@pytest.mark.parametrize(
    "span, expected",
    [("T20261120001", "T20261120001"), ("t20261120001", "T20261120001"), ("T2026112000", None), ("20261120001", None)],
)
def test_parse_ticket_id(span, expected):
    assert parse_ticket_id(span) == expected


@pytest.mark.parametrize(
    "entity, span, expected",
    [
        ("phone_number", "138 0013 8000", "13800138000"),
        ("phone_number", "１３８００１３８０００", "13800138000"),
        ("phone_number", "1380013800", None),  # 10 digits
        ("payment_method", "vx", "微信"),
        ("payment_method", "VX", "微信"),  # case-insensitive
        ("payment_method", "微信支付", "微信"),
        ("payment_method", "zfb", "支付宝"),
        ("payment_method", "信用卡", "银行卡"),
        ("payment_method", "现金", None),  # not a method the bot takes
        ("bill_type", "电话费", "话费"),
        ("bill_type", "网费", "宽带"),
        ("balance_type", "余额", "话费"),
        ("balance_type", "通话时长", "语音"),
        ("package_name", "冰淇淋套餐", "冰激凌套餐"),
        ("package_name", "视频会员包", "视频会员流量包"),
        ("package_name", "200M宽带", "宽带200M"),
        ("package_name", "我那个彩铃业务", "彩铃"),  # longest known form inside the span
        ("package_name", "快手流量包", "抖音快手定向流量包"),
        ("package_name", "腾讯王卡流量包", "腾讯王卡流量包"),  # outside the catalogue: as written
        ("package_name", "那个咪咕音乐会员", "咪咕音乐会员"),
        ("package_name", "咪咕视频会员", "咪咕视频会员"),  # another product than 视频会员流量包
        ("package_name", "视频彩铃", "彩铃"),
        ("package_name", "短信呼业务", "短信呼业务"),
        ("package_name", "集团网套餐", "集团网套餐"),
        ("package_name", "流量包", None),  # no name, only the kind
        ("package_name", "这个业务", None),
        ("package_name", "快点", None),  # not a product name
        ("fault_type", "上不了网", "断网"),
        ("fault_type", "木有网", "断网"),
        ("fault_type", "亮红灯", "断网"),
        ("fault_type", "莫得信号", "无信号"),
        ("fault_type", "网很卡", "网速慢"),
        ("fault_type", "没信号", "无信号"),
        ("fault_type", "老掉线", "网络不稳定"),
        ("month", "上月", "上个月"),
        ("ticket_id", "T20261120001", "T20261120001"),
    ],
)
def test_canonical_value(entity, span, expected):
    assert canonical_value(entity, span, load_lexicon(LEXICON_PATH)) == expected


@pytest.mark.parametrize(
    "span, expected",
    [
        ("9999999元", "9999999"),
        ("九百九十九万九千九百九十九元", "9999999"),
        ("0.01元", "0.01"),
        ("10000000元", None),  # more than MAX_AMOUNT_DIGITS digits
        ("一千万元", None),
        ("1" * 30 + "元", None),  # was "111111111111111111111111111100": precision silently lost
        ("9" * 100_000 + "元", None),  # was a 100,000-digit Decimal
        ("一" * 3000 + "元", None),  # was cn2an on 3,000 characters
        ("1E+999990", None),  # issue 16: no exponent notation
        ("1e5元", None),
        ("Infinity", None),
        ("NaN元", None),
        ("30.555元", None),  # fen is the smallest unit
        ("0.001元", None),
        ("٣٠元", None),  # Arabic-Indic digits are not read as an amount
    ],
)
def test_parse_amount_is_bounded(span, expected):
    assert parse_amount(span) == expected


@pytest.mark.parametrize("entity", ["amount", "month", "ticket_id", "phone_number", "payment_method", "package_name"])
@pytest.mark.parametrize("span", ["9" * 200_000, "一" * 50_000, "1E+999999" * 1000, "微信" * 20_000])
def test_canonical_value_of_a_huge_span_is_none_at_once(entity, span):
    import time

    lexicon = load_lexicon(LEXICON_PATH)
    started = time.perf_counter()
    assert canonical_value(entity, span, lexicon) is None
    assert time.perf_counter() - started < 0.5
