"""actions/package_match.py: the subscription a customer's own product name means."""

import pytest

from actions.package_match import PackageMatch, match_package

MINE = ["冰激凌套餐", "视频会员流量包", "彩铃", "快手定向流量包", "语音加油包"]


@pytest.mark.parametrize(
    "said, meant",
    [
        ("彩铃", "彩铃"),  # the exact name
        ("彩铃业务", "彩铃"),
        ("那个彩铃功能", "彩铃"),
        ("快手流量包", "快手定向流量包"),
        ("快手包", "快手定向流量包"),
        ("视频会员", "视频会员流量包"),
        ("冰淇淋套餐", "冰激凌套餐"),  # a typo still close enough
        ("语音加油包月费", "语音加油包"),
    ],
)
def test_the_customer_s_own_words_find_their_subscription(said, meant):
    assert match_package(said, MINE) == PackageMatch(meant)


def test_nothing_close_is_no_match():
    assert match_package("咪咕视频会员", ["冰激凌套餐", "彩铃"]) == PackageMatch(None)
    assert match_package("短信呼", MINE) == PackageMatch(None)


def test_several_equally_close_are_all_offered():
    assert match_package("流量包", ["视频会员流量包", "快手定向流量包"]) == PackageMatch(
        None, ("视频会员流量包", "快手定向流量包")
    )
