"""bot/rasa/model_window.py reads how far back each policy of a model archive looks."""

import base64
import io
import json
import tarfile
import zlib

from bot.rasa.model_window import count_states, reach, too_far


def add(archive, name, data):
    raw = json.dumps(data).encode()
    info = tarfile.TarInfo(name)
    info.size = len(raw)
    archive.addfile(info, io.BytesIO(raw))


def memo_key(text):
    return base64.b64encode(zlib.compress(text.encode())).decode()


def test_the_reach_of_each_policy_from_the_archive(tmp_path):
    model = tmp_path / "model.tar.gz"
    rule = json.dumps([{"prev_action": {"action_name": "action_listen"}}, {"user": {"intent": "greet"}}, {}])
    with tarfile.open(model, "w:gz") as archive:
        add(archive, "components/train_TEDPolicy2/featurizer.json", {"max_history": 5})
        add(archive, "components/train_RulePolicy1/featurizer.json", {"max_history": None})
        lookup = {"rules": {rule: "utter_greet"}, "rules_for_loop_unhappy_path": {}, "rules_not_in_stories": ["x"]}
        add(archive, "components/train_RulePolicy1/rule_policy.json", {"lookup": lookup})
        memorised = {memo_key("[{slots: {a: [1.0]}}, {user: {intent: greet}}]"): "utter_greet"}
        add(archive, "components/train_MemoizationPolicy0/memorized_turns.json", {"lookup": memorised})
        add(archive, "components/train_DIETClassifier6/featurizer.json", {"other": 1})
    assert reach(model) == {
        "train_TEDPolicy2 max_history": 5,
        "train_RulePolicy1 max_history": 0,
        "train_RulePolicy1 longest key": 3,
        "train_MemoizationPolicy0 longest key": 2,
        "train_DIETClassifier6 max_history": 0,
    }
    assert too_far(model, 3) == ["train_RulePolicy1 longest key = 3", "train_TEDPolicy2 max_history = 5"]
    assert too_far(model, 50) == []


def test_states_are_counted_at_the_top_level_only():
    assert count_states(json.dumps([{"a": {"b": [1, {"c": 2}]}}, {}])) == 2
    assert count_states(memo_key("[]")) == 0
