"""`python -m bot benchmark --conversation-length N`: what it refuses before starting anything."""

import argparse

import pytest

from bot.cli import evaluate


@pytest.mark.parametrize(
    ("length", "conversations", "target", "said"),
    [
        (100, 4, "embedded", "--conversation-length is at least 153"),
        (200, 0, "embedded", "--conversations at least 1"),
        (200, 4, "elsewhere", "--target is one of embedded, production, stock"),
    ],
)
def test_a_long_conversation_benchmark_it_cannot_measure_is_refused(capsys, length, conversations, target, said):
    args = argparse.Namespace(conversation_length=length, conversations=conversations, target=target)
    assert evaluate.long_conversation(args, settings=None) == 2  # type: ignore[arg-type]
    assert said in capsys.readouterr().out
