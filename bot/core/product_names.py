"""How customers wrap a product's name (pure): fillers before it, generic tails after it.

那个彩铃业务, 我的快手包月费, 就是那个视频会员功能: the name is 彩铃, 快手包, 视频会员. Shared by the NLU
(bot/rasa/nlu/values.py reads the name said) and the actions (actions/package_match.py matches it
against the customer's own subscriptions), so both take off the same words.
"""

import re

from bot.core.text import to_halfwidth

_FILLERS = re.compile(r"^(?:那个|这个|就是|我的|我那个|一个|我家的|我)+")
_TAILS = re.compile(r"(?:业务|功能|服务|月费|费用|的费|费)+$")


def without_fillers(name: str) -> str:
    """'我那个彩铃业务' -> '彩铃业务'; a name that is nothing but fillers stays itself."""
    return _FILLERS.sub("", name) or name


def without_tails(name: str) -> str:
    """'彩铃业务' -> '彩铃', '快手流量包月费' -> '快手流量包'; a name that is nothing but a tail stays itself."""
    return _TAILS.sub("", name) or name


def core_name(name: str) -> str:
    """The distinctive part of a product name, for comparing: half-width, lower case, no spaces,
    no fillers, no tails ('那个 彩铃业务' -> '彩铃')."""
    text = re.sub(r"\s+", "", to_halfwidth(name or "").lower())
    return without_tails(without_fillers(text))
