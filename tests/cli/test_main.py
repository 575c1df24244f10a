"""The command line's parser and dispatch (bot/cli/main.py): every command registered by its module,
usage errors, the handler called with the parsed arguments and the settings, `telebot` and `python -m bot`."""

import argparse
import subprocess
import sys
from types import SimpleNamespace

import pytest

from bot.cli import agents, evaluate, load, main, privacy, run, train, trainers
from bot.ops import launch, settings
from tests.support import ROOT

COMMANDS = [
    "run",
    "seed",
    "train",
    "evaluate",
    "benchmark",
    "loadtest",
    "soak",
    "review",
    "hygiene",
    "compare",
    "deploy",
    "rollback",
    "add-agent",
    "privacy",
    "retention",
]


def test_every_command_is_registered_in_help_order():
    parser = main.create_parser()
    (subparsers,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert list(subparsers.choices) == COMMANDS


@pytest.mark.parametrize(
    "argv, handler, options",
    [
        (["run"], run.run, {}),
        (["seed"], run.seed, {}),
        (["train"], train.train, {"force": False}),
        (["train", "--force"], train.train, {"force": True}),
        (["evaluate"], evaluate.evaluate, {"out": "results/evaluation", "only": None, "variant": []}),
        (
            ["evaluate", "--only", "stock", "--out", "r"],
            evaluate.evaluate,
            {"out": "r", "only": "stock", "variant": []},
        ),
        (
            ["evaluate", "--variant", "e5", "--variant", "char-1-4"],
            evaluate.evaluate,
            {"out": "results/evaluation", "only": None, "variant": ["e5", "char-1-4"]},
        ),
        (
            ["benchmark"],
            evaluate.benchmark,
            {
                "out": "results/evaluation",
                "variant": [],
                "conversation_length": 0,
                "conversations": 4,
                "startup": False,
                "target": "embedded",
            },
        ),  # fmt: skip
        (
            ["benchmark", "--startup"],
            evaluate.benchmark,
            {
                "out": "results/evaluation",
                "variant": [],
                "conversation_length": 0,
                "conversations": 4,
                "startup": True,
                "target": "embedded",
            },
        ),  # fmt: skip
        (
            ["benchmark", "--conversation-length", "200", "--conversations", "2", "--target", "production"],
            evaluate.benchmark,
            {
                "out": "results/evaluation",
                "variant": [],
                "conversation_length": 200,
                "conversations": 2,
                "startup": False,
                "target": "production",
            },
        ),  # fmt: skip
        (
            ["loadtest"],
            load.loadtest,
            {
                "targets": "embedded,production,stock",
                "levels": "",
                "duration": 60.0,
                "warmup": 10.0,
                "think": "2,6",
                "out": "results/load",
                "conversation_length": 200,
            },
        ),
        (
            [
                "loadtest",
                "--targets",
                "stock",
                "--levels",
                "1,10",
                "--duration",
                "5",
                "--warmup",
                "1",
                "--think",
                "1,3",
                "--out",
                "l",
                "--conversation-length",
                "0",
            ],
            load.loadtest,
            {
                "targets": "stock",
                "levels": "1,10",
                "duration": 5.0,
                "warmup": 1.0,
                "think": "1,3",
                "out": "l",
                "conversation_length": 0,
            },  # fmt: skip
        ),
        (["soak"], load.soak, {"minutes": 10.0, "customers": 50, "think": "2,6", "out": "results/soak"}),
        (
            ["review"],
            trainers.review,
            {"since": None, "until": None, "threshold": 0.5, "tracker_url": None, "out": "review"},
        ),
        (
            [
                "review",
                "--since",
                "2026-11-01",
                "--until",
                "2026-11-23",
                "--threshold",
                "0.7",
                "--tracker-url",
                "sqlite:///t.db",
            ],
            trainers.review,
            {
                "since": "2026-11-01",
                "until": "2026-11-23",
                "threshold": 0.7,
                "tracker_url": "sqlite:///t.db",
                "out": "review",
            },
        ),
        (["hygiene"], trainers.hygiene, {}),
        (["compare"], trainers.compare, {"candidate": None, "deployed": None, "out": "results/compare"}),
        (["deploy"], trainers.deploy, {"candidate": None, "tolerance": 0.01, "keep": 5}),
        (
            ["deploy", "--candidate", "m.tar.gz", "--tolerance", "0.02", "--keep", "3"],
            trainers.deploy,
            {"candidate": "m.tar.gz", "tolerance": 0.02, "keep": 3},
        ),
        (["rollback"], trainers.deploy, {}),  # one handler; args.command tells which
        (["add-agent", "1002", "李强"], agents.add_agent, {"username": "1002", "name": "李强", "supervisor": False}),
        (
            ["add-agent", "2002", "周敏", "--supervisor"],
            agents.add_agent,
            {"username": "2002", "name": "周敏", "supervisor": True},
        ),
        (
            ["privacy", "export", "13800138000"],
            privacy.run_privacy,
            {"privacy_command": "export", "phone": "13800138000", "out": None},
        ),
        (
            ["privacy", "erase", "13800138000", "--yes"],
            privacy.run_privacy,
            {"privacy_command": "erase", "phone": "13800138000", "yes": True, "json": False},
        ),
        (["retention"], privacy.run_retention, {}),
    ],
)
def test_each_command_parses_to_its_handler_and_options(argv, handler, options):
    parsed = vars(main.create_parser().parse_args(argv))
    assert parsed == {"command": argv[0], "func": handler, **options}


@pytest.mark.parametrize("argv", [[command] for command in COMMANDS] + [["privacy", "export"], ["privacy", "erase"]])
def test_each_command_has_its_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main([*argv, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: python -m bot {' '.join(argv)} [-h]")


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(["nope"])
    assert exit_info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == (
        "python -m bot: error: argument command: invalid choice: 'nope' (choose from "
        + ", ".join(f"'{command}'" for command in COMMANDS)
        + ")"
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "python -m bot: error: the following arguments are required: command"),
        (["privacy"], "python -m bot privacy: error: the following arguments are required: privacy_command"),
        (["add-agent", "1002"], "python -m bot add-agent: error: the following arguments are required: name"),
        (["deploy", "--keep", "x"], "python -m bot deploy: error: argument --keep: invalid int value: 'x'"),
        (["train", "--bogus"], "python -m bot: error: unrecognized arguments: --bogus"),
    ],
)
def test_missing_or_wrong_arguments_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == message


@pytest.fixture
def loaded(monkeypatch):
    """load_settings replaced: the settings object every handler gets, and how often it was loaded."""
    record = SimpleNamespace(settings=SimpleNamespace(name="the settings"), loads=0)

    def load_settings():
        record.loads += 1
        return record.settings

    monkeypatch.setattr(settings, "load_settings", load_settings)
    return record


def test_main_loads_the_settings_once_and_returns_the_handlers_exit_code(monkeypatch, loaded):
    calls = []

    def fake_train(args, product_settings):
        calls.append((vars(args), product_settings))
        return 7

    monkeypatch.setattr(train, "train", fake_train)
    assert main.main(["train", "--force"]) == 7
    assert calls == [({"command": "train", "force": True, "func": fake_train}, loaded.settings)]
    assert loaded.loads == 1


def test_a_usage_error_loads_no_settings(monkeypatch, loaded):
    with pytest.raises(SystemExit):
        main.main(["train", "--bogus"])
    assert loaded.loads == 0


def test_telebot_names_itself_in_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main.main(["--help"], prog="telebot")
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: telebot [-h]\n               {" + ",".join(COMMANDS) + "}\n")
    with pytest.raises(SystemExit):
        main.main(["train", "--help"], prog="telebot")
    assert capsys.readouterr().out.startswith("usage: telebot train [-h] [--force]\n")


def test_the_console_script_exits_with_the_handlers_code(monkeypatch, loaded):
    calls = []
    monkeypatch.setattr(run, "seed", lambda args, product_settings: calls.append(args.command) or 3)
    monkeypatch.setattr(sys, "argv", ["telebot", "seed"])
    with pytest.raises(SystemExit) as exit_info:
        main.telebot()
    assert (exit_info.value.code, calls, loaded.loads) == (3, ["seed"], 1)


def test_the_e2e_tests_still_import_the_demo_helpers_from_main():
    from bot.cli.main import DEMO_AGENT, add_agent, seed

    assert (DEMO_AGENT, add_agent, seed) == (launch.DEMO_AGENT, launch.add_agent, launch.seed)
    with pytest.raises(AttributeError, match="module 'bot.cli.main' has no attribute 'nothing'"):
        main.nothing  # noqa: B018


def test_python_m_bot_runs_main_and_help_loads_neither_rasa_nor_the_clients():
    result = subprocess.run([sys.executable, "-m", "bot", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1].startswith("python -m bot: error: argument command: invalid choice: 'nope'")
    probe = (
        "import sys\nfrom bot.cli.main import create_parser\ncreate_parser().format_help()\n"
        "print(sorted(m for m in ('rasa', 'tensorflow', 'aiohttp', 'sqlalchemy', 'bot.ops.settings') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")
