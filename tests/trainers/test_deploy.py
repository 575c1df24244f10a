"""The deployment gate and the registry of deployed models (no server needed)."""

import pytest

from bot.trainers.deploy import DeployError, Registry, gate


def figures(**candidate):
    deployed = {"intent_accuracy": 0.97, "intent_macro_f1": 0.97, "faq_topic_accuracy": 0.94,
                "entity_value_accuracy": 0.98, "entity_f1": 0.95}
    return {name: {"deployed": value, "candidate": candidate.get(name, value)} for name, value in deployed.items()}


def test_the_gate_accepts_equal_better_and_slightly_worse_within_the_tolerance():
    assert gate(figures(), 0.01).accepted
    assert gate(figures(intent_accuracy=0.99), 0.01).accepted
    assert gate(figures(intent_macro_f1=0.961), 0.01).accepted


def test_the_gate_refuses_a_figure_below_the_tolerance_and_says_which():
    verdict = gate(figures(intent_macro_f1=0.80, faq_topic_accuracy=0.90), 0.01)
    assert not verdict.accepted
    assert verdict.reasons == ["intent_macro_f1 0.800 < deployed 0.970 - tolerance 0.010",
                               "faq_topic_accuracy 0.900 < deployed 0.940 - tolerance 0.010"]
    assert gate(figures(entity_f1=0.5), 0.01).accepted  # not gated: entity values are


def test_the_registry_keeps_the_last_n_and_rolls_back(tmp_path):
    registry = Registry(tmp_path)
    assert registry.current() is None
    for name in ("a", "b", "c"):
        assert registry.push(tmp_path / f"{name}.tar.gz", None, keep=2) == ([tmp_path / "a.tar.gz"] if name == "c" else [])
    assert [entry["model"] for entry in registry.entries()] == [str(tmp_path / "b.tar.gz"), str(tmp_path / "c.tar.gz")]
    assert registry.pop() == tmp_path / "b.tar.gz"
    assert registry.current() == tmp_path / "b.tar.gz"
    with pytest.raises(DeployError):
        registry.pop()
