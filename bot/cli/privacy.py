"""`python -m bot privacy export|erase PHONE` and `python -m bot retention`.

export: one JSON document of everything held about the number — the conversations in the tracker
store that mention it (or come from a WeChat follower bound to it), the handoff service's cases
with their transcripts and pending tickets, and the operator backend's line, consents, payments,
tickets, WeChat bindings and satisfaction ratings. The 服务密码 is in none of them (it is never
stored; the backend's hash is not exported).

erase: deletes the conversations and the WeChat bindings, anonymises the cases and tickets, and
keeps what the law requires (the consents, the payments, the line), saying why. Asks first unless
--yes. Every step can be repeated: a run that stopped half-way is completed by running it again.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, TextIO

from bot.cli import SubParsersAction

if TYPE_CHECKING:  # the clients load aiohttp, the tracker SQLAlchemy: imported where used (telebot --help)
    from bot.clients.desk import DeskClient
    from bot.clients.operator import OperatorClient

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
WECHAT_PREFIX = "wx:"  # bot/rasa/wechat/channel.py: WeChat conversations are wx:<openid>
KEPT_NAMES = {"line": "号码与账户", "consents": "消费确认记录", "payments": "缴费记录"}


class InvalidPhone(ValueError):
    pass


def valid_phone(text: str) -> str:
    phone = (text or "").strip().replace(" ", "").replace("-", "")
    if not (phone.isascii() and PHONE_RE.match(phone)):
        raise InvalidPhone(f"手机号码无效：{text!r}。请输入11位大陆手机号码，例如 13800138000。")
    return phone


async def collect(
    phone: str, tracker_url: str, operator: "OperatorClient", handoff: "DeskClient", now: dt.datetime
) -> Dict[str, Any]:
    """The export document (raises Unavailable or Rejected when a service does not answer)."""
    from bot.services.retention import tracker

    held = await operator.privacy_report(phone)
    wechat = [WECHAT_PREFIX + binding["openid"] for binding in held["wechat_bindings"]]
    conversations = await asyncio.to_thread(tracker.find, tracker_url, phone, wechat)
    senders = sorted(set(conversations) | set(wechat))
    cases = await handoff.privacy_export(phone, senders)
    return {
        "phone": phone,
        "generated_at": now.isoformat(timespec="seconds"),
        "conversations": [{"sender_id": sender, "events": events} for sender, events in conversations.items()],
        "handoff": cases,
        "operator": held,
        "notes": [
            "conversations: every conversation that mentions the number or comes from a WeChat follower bound "
            "to it; one that mentions it may be someone else's (a top-up for this number): check before handing "
            "it over.",
            "服务密码 is never stored: it is in none of these records.",
        ],
    }


async def erase(
    phone: str, tracker_url: str, operator: "OperatorClient", handoff: "DeskClient", document: Dict[str, Any]
) -> Dict[str, Any]:
    """Delete and anonymise what `document` (from `collect`) found; the report of what was done and kept."""
    from bot.services.retention import tracker

    senders = sorted(
        {c["sender_id"] for c in document["conversations"]}
        | {WECHAT_PREFIX + b["openid"] for b in document["operator"]["wechat_bindings"]}
    )
    in_handoff = await handoff.privacy_erase(phone, senders)
    events = await asyncio.to_thread(tracker.delete, tracker_url, senders)
    in_operator = await operator.erase_personal_data(phone)
    return {
        "phone": phone,
        "deleted": {
            "conversations": sorted(c["sender_id"] for c in document["conversations"]),
            "tracker_events": events,
            "case_messages": in_handoff["deleted"]["case_messages"],
            "handoff_outbox": in_handoff["deleted"]["outbox"],
            "pending_tickets": in_handoff["deleted"]["pending_tickets"],
            "wechat_bindings": in_operator["deleted"]["wechat_bindings"],
        },
        "anonymised": {
            "cases": in_handoff["anonymised"]["cases"],
            "tickets": in_operator["anonymised"]["tickets"],
            "satisfaction_ratings": in_operator["anonymised"]["satisfaction_ratings"],
        },
        "kept": in_operator["kept"],
    }


def write_private(path: Path, text: str) -> None:
    """Personal data: readable by its owner only (0600), like var/secrets.json."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def summary_text(document: Dict[str, Any]) -> str:
    held = document["operator"]
    return (
        f"{document['phone']}：对话 {len(document['conversations'])} 个，人工客服会话 "
        f"{len(document['handoff']['cases'])} 个，工单 {len(held['tickets'])} 张，"
        f"微信绑定 {len(held['wechat_bindings'])} 个，消费确认记录 {len(held['consents'])} 条，"
        f"缴费记录 {len(held['payments'])} 条"
    )


def report_text(report: Dict[str, Any]) -> str:
    deleted, anonymised = report["deleted"], report["anonymised"]
    lines = [
        f"已删除：对话 {len(deleted['conversations'])} 个（{deleted['tracker_events']} 条事件），"
        f"人工客服会话记录 {deleted['case_messages']} 条，待提交工单 {deleted['pending_tickets']} 张，"
        f"微信绑定 {len(deleted['wechat_bindings'])} 个",
        f"已匿名化：人工客服会话 {len(anonymised['cases'])} 个，工单 {len(anonymised['tickets'])} 张，"
        f"满意度评价 {anonymised['satisfaction_ratings']} 条",
    ]
    for kept in report["kept"]:
        lines.append(f"保留：{KEPT_NAMES.get(kept['what'], kept['what'])} {kept['count']} 条 — {kept['why']}")
    return "\n".join(lines)


async def _with_clients(settings: Any, work: Callable[["OperatorClient", "DeskClient"], Any]) -> Any:
    from bot.clients.base import Endpoint
    from bot.clients.desk import DeskClient
    from bot.clients.operator import OperatorClient

    operator_endpoint = Endpoint("operator backend", settings.operator_url, settings.secrets["OPERATOR_API_TOKEN"])
    handoff_endpoint = Endpoint("handoff service", settings.agent_url, settings.secrets["HANDOFF_API_TOKEN"])
    async with OperatorClient(operator_endpoint) as operator, DeskClient(handoff_endpoint) as handoff:
        return await work(operator, handoff)


def tracker_url(settings: Any) -> str:
    return settings.tracker_db_url if settings.production else f"sqlite:///{settings.tracker_db_path}"


def add_subparser(subparsers: SubParsersAction, parents: List[argparse.ArgumentParser]) -> None:
    privacy = subparsers.add_parser(
        "privacy", parents=parents, help="one customer's personal data: export it, or erase it (PIPL)"
    )
    actions = privacy.add_subparsers(dest="privacy_command", required=True)
    export_parser = actions.add_parser("export", help="everything held about a number, as one JSON document")
    export_parser.add_argument("phone")
    export_parser.add_argument("--out", help="write the document to this file (default: standard output)")
    erase_parser = actions.add_parser("erase", help="delete or anonymise a number's data; keeps consents and payments")
    erase_parser.add_argument("phone")
    erase_parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    privacy.set_defaults(func=run_privacy)
    retention = subparsers.add_parser(
        "retention",
        parents=parents,
        help="delete conversations, transcripts and exports older than TELEBOT_RETENTION_DAYS (default 180) once, now",
    )
    retention.set_defaults(func=run_retention)


def run_privacy(
    args: argparse.Namespace,
    settings: Any,
    ask: Callable[[str], str] = input,
    out: Optional[TextIO] = None,
    err: Optional[TextIO] = None,
) -> int:
    from bot.clients.base import Rejected, Unavailable

    out, err = out or sys.stdout, err or sys.stderr
    try:
        phone = valid_phone(args.phone)
    except InvalidPhone as error:
        print(f"privacy: {error}", file=err)
        return 2
    url = tracker_url(settings)
    now = dt.datetime.now(dt.timezone.utc)

    async def export_only(operator: "OperatorClient", handoff: "DeskClient") -> Dict[str, Any]:
        return await collect(phone, url, operator, handoff, now)

    try:
        document = asyncio.run(_with_clients(settings, export_only))
        if args.privacy_command == "export":
            text = json.dumps(document, ensure_ascii=False, indent=2)
            if args.out:
                write_private(Path(args.out), text + "\n")
                print(f"privacy: {summary_text(document)} -> {args.out}", file=err)
            else:
                print(text, file=out)
            return 0
        print(f"privacy: 将删除或匿名化 {summary_text(document)}；消费确认与缴费记录依法保留。", file=err)
        if not args.yes:
            try:
                answer = ask("确认删除？输入 yes 继续：")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("yes", "y", "是", "确认"):
                print("privacy: 已取消，未删除任何数据。", file=err)
                return 1

        async def erase_all(operator: "OperatorClient", handoff: "DeskClient") -> Dict[str, Any]:
            return await erase(phone, url, operator, handoff, document)

        report = asyncio.run(_with_clients(settings, erase_all))
    except (Unavailable, Rejected) as error:
        print(f"privacy: 服务不可用，未完成：{error}（再次运行即可继续）", file=err)
        return 1
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else report_text(report), file=out)
    return 0


def run_retention(args: argparse.Namespace, settings: Any) -> int:
    from bot.clients.base import Endpoint
    from bot.clients.desk import DeskClient
    from bot.services.retention.job import run_once, utc_now
    from bot.services.retention.settings import RetentionSettings, SettingsError, retention_days

    try:
        days = retention_days(os.environ.get("TELEBOT_RETENTION_DAYS"))
    except SettingsError as error:
        print(f"retention: {error}", file=sys.stderr)
        return 2
    retention = RetentionSettings(
        days=days,
        tracker_url=tracker_url(settings),
        handoff_url=settings.agent_url,
        handoff_token=settings.secrets["HANDOFF_API_TOKEN"],
        exports_dir=Path(os.environ.get("TELEBOT_EXPORTS_DIR") or settings.root / "review"),
    )

    async def once() -> Dict[str, Any]:
        async with DeskClient(Endpoint("handoff service", retention.handoff_url, retention.handoff_token)) as handoff:
            return await run_once(retention, handoff, utc_now())

    report = asyncio.run(once())
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if report["errors"] else 0
