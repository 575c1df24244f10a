"""The dashboard's tables as CSV (pure): what a supervisor exports to a spreadsheet. Headers in
Chinese; UTF-8 with a BOM so that Excel opens the Chinese text as it is."""

import csv
import io
from typing import Any, Callable, Dict, List, Sequence

from bot.services.desk.reports.figures import GROUP_LABELS, GROUPS, SCORES

VOLUME = [
    "会话数",
    "机器人独立解决",
    "转人工",
    *[f"转人工-{GROUP_LABELS[group]}" for group in GROUPS],
    "排队放弃",
    "回电登记",
]


def _volume(row: Dict[str, Any]) -> List[Any]:
    return [
        row["conversations"],
        row["contained"],
        row["handed_off"],
        *[row["by_reason"][group] for group in GROUPS],
        row["abandoned"],
        row["callbacks"],
    ]


def _average(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _by_score(row: Dict[str, Any]) -> List[int]:
    return [row["scores"][str(score)] for score in SCORES]


def daily(figures: Dict[str, Any]) -> List[List[Any]]:
    return [["日期", *VOLUME]] + [[row["date"], *_volume(row)] for row in figures["daily"]]


def hourly(figures: Dict[str, Any]) -> List[List[Any]]:
    today = figures["period"]["today"]
    return [["日期", "小时", *VOLUME]] + [[today, f"{row['hour']:02d}:00", *_volume(row)] for row in figures["hourly"]]


def csat_tasks(figures: Dict[str, Any]) -> List[List[Any]]:
    header = ["业务", "评价数", "平均分", *[f"{score}分" for score in SCORES]]
    rows = [
        [row.get("label", row["task"]), row["count"], _average(row["average"]), *_by_score(row)]
        for row in figures["satisfaction"]["by_task"]
    ]
    return [header] + rows


def csat_agents(figures: Dict[str, Any]) -> List[List[Any]]:
    header = ["坐席", "评价数", "平均分", *[f"{score}分" for score in SCORES]]
    rows = [
        [row["agent_name"], row["count"], _average(row["average"]), *_by_score(row)]
        for row in figures["satisfaction"]["by_agent"]
    ]
    return [header] + rows


def intents(figures: Dict[str, Any]) -> List[List[Any]]:
    return [["意图", "名称", "消息数"]] + [
        [row["intent"], row["label"], row["count"]] for row in figures["understanding"]["intents"]
    ]


def unrecognised(figures: Dict[str, Any]) -> List[List[Any]]:
    rows = figures["understanding"]["unrecognised"]
    return [["消息（已脱敏）", "次数"]] + [[row["text"], row["count"]] for row in rows]


TABLES: Dict[str, Callable[[Dict[str, Any]], List[List[Any]]]] = {
    "daily": daily,
    "hourly": hourly,
    "csat_tasks": csat_tasks,
    "csat_agents": csat_agents,
    "intents": intents,
    "unrecognised": unrecognised,
}


def _cell(value: Any) -> Any:
    """A text starting like a formula (=, +, -, @) is quoted so a spreadsheet shows it, not runs it."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return "\ufeff" + out.getvalue()
