"""The 1-5 satisfaction score in a customer's words (a button, 5分, 五星, 非常满意...): read by the
action that stores the rating and by the trainers' review of poorly rated conversations."""

import re
from typing import Optional

from bot.core.text import to_halfwidth

# Checked in this order: negated and intensified phrases before the plain ones.
RATING_WORDS = (
    (1, ("非常不满意", "很不满意", "特别不满意", "极不满意", "太差", "很差", "非常差", "垃圾", "差评")),
    (2, ("不满意", "不太满意", "不怎么样", "较差", "有点差")),
    (5, ("非常满意", "很满意", "特别满意", "超级满意", "非常好", "五星好评", "好评", "满分")),
    (3, ("一般", "还行", "凑合", "马马虎虎", "还可以")),
    (4, ("满意", "挺好", "不错", "比较满意")),
)
CHINESE_SCORES = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
SCORE_RE = re.compile(r"(?<![\d.])([1-5])(?![\d.])\s*(?:分|星|颗星)?")
CHINESE_SCORE_RE = re.compile(r"([一二两三四五])\s*(?:分|星|颗星)")


def parse_rating(text: str) -> Optional[int]:
    """The 1-5 score in a customer's answer, or None when it holds none."""
    text = to_halfwidth(text or "").strip()
    match = SCORE_RE.search(text)
    if match:
        return int(match.group(1))
    match = CHINESE_SCORE_RE.search(text)
    if match:
        return CHINESE_SCORES[match.group(1)]
    for score, words in RATING_WORDS:
        if any(word in text for word in words):
            return score
    return None
