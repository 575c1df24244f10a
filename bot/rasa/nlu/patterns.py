"""spaCy Matcher token patterns for the deterministic telecom entities (pure data + builders).

Patterns run over the jieba tokens (see entity_ruler.py), so every match lines up with tokens.
"""

from typing import Callable, Dict, Iterable, List

CN_NUM = "[零〇一二两三四五六七八九十百千万]"
NUMBER_TOKEN = rf"^(\d+(\.\d{{1,2}})?|{CN_NUM}+)$"
UNIT_TOKEN = r"^(元|块|块钱|圆)$"

Pattern = List[Dict[str, object]]


def _regex(expression: str, op: str = "") -> Dict[str, object]:
    token: Dict[str, object] = {"TEXT": {"REGEX": expression}}
    if op:
        token["OP"] = op
    return token


SEPARATOR = _regex(r"^[\s\-—－]+$")

FIXED_PATTERNS: Dict[str, List[Pattern]] = {
    "phone_number": [
        [_regex(r"^1[3-9]\d{9}$")],
        [_regex(r"^1[3-9]\d$"), SEPARATOR, _regex(r"^\d{4}$"), SEPARATOR, _regex(r"^\d{4}$")],
        [_regex(r"^1[3-9]\d$"), _regex(r"^\d{4}$"), _regex(r"^\d{4}$")],
    ],
    "amount": [
        # ￥30.5, ¥ 50
        [_regex(r"^[￥¥]$"), _regex(NUMBER_TOKEN)],
        [_regex(rf"^[￥¥](\d+(\.\d{{1,2}})?|{CN_NUM}+)$")],
        # 50 元, 一百 块 钱
        [_regex(NUMBER_TOKEN), _regex(UNIT_TOKEN), _regex(r"^钱$", "?")],
        # 五十块, 一百五十元, 三块 五, 两百块 钱, 十块 五毛
        [
            _regex(rf"^(\d+(\.\d{{1,2}})?|{CN_NUM}+)(元|块|圆)$"),
            _regex(r"^([一二两三四五六七八九\d])(毛|角)?$", "?"),
            _regex(r"^钱$", "?"),
        ],
        # 一百 五 (colloquial 150), 两千 二
        [_regex(r"^[一二两三四五六七八九]?[百千]$"), _regex(r"^[一二两三四五六七八九]$")],
        # 五毛
        [_regex(r"^[一二两三四五六七八九]毛钱?$")],
    ],
    "month": [
        [_regex(r"^(本月|这个月|这月|当月|上个月|上月|上一个月)(份)?$")],
        [_regex(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})月份?$")],
        [_regex(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})$"), _regex(r"^(月|月份)$")],
    ],
    "ticket_id": [[_regex(r"^[Tt]\d{11}$")]],
}


def phrase_patterns(forms: Iterable[str], tokenize: Callable[[str], List[str]]) -> List[Pattern]:
    """Token patterns for written forms, segmented the way the message itself will be."""
    patterns: List[Pattern] = []
    for form in forms:
        tokens = [token for token in tokenize(form) if token.strip()]
        if tokens:
            patterns.append([{"LOWER": token.lower()} for token in tokens])
    return patterns
