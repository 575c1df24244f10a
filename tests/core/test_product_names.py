"""bot/core/product_names.py: fillers and generic tails around a product's name."""

import pytest

from bot.core.product_names import core_name, without_fillers, without_tails


@pytest.mark.parametrize(
    "said, name",
    [
        ("那个彩铃业务", "彩铃"),
        ("我的 视频会员流量包月费", "视频会员流量包"),
        ("就是那个快手包", "快手包"),
        ("ＶＯＬＴＥ功能", "volte"),
        ("业务", "业务"),
        ("那个", "那个"),
    ],
)
def test_core_name_drops_fillers_tails_spaces_and_case(said, name):
    assert core_name(said) == name


def test_fillers_and_tails_come_off_one_end_each():
    assert without_fillers("我那个彩铃业务") == "彩铃业务"
    assert without_tails("彩铃业务") == "彩铃"
    assert without_tails("快手流量包月费") == "快手流量包"
    assert without_fillers("彩铃那个") == "彩铃那个"
    assert without_tails("业务彩铃") == "业务彩铃"
