"""Training data hygiene."""

from rasa.shared.nlu.training_data.loading import load_data

from bot.ml.trainers.hygiene import check, key, report
from tests.support import ROOT


def test_conflicts_duplicates_and_near_duplicates_are_found():
    training = [
        ("查一下话费", "check_balance"),
        ("查一下 话费！", "query_bill"),
        ("你好", "greet"),
        ("你好", "greet"),
        ("帮我查一下这个月的话费余额", "check_balance"),
    ]
    heldout = [("帮我查一下这个月话费余额", "check_balance"), ("宽带坏了", "report_fault")]
    findings = check(training, heldout)
    assert findings.conflicts == [("查一下话费", ["check_balance", "query_bill"])]
    assert findings.duplicates == [("你好", "greet", 2)]
    assert findings.near_heldout == [("帮我查一下这个月话费余额", "帮我查一下这个月的话费余额", 0.96)]
    assert findings.blocking
    assert "conflicts (same text, several intents): 1" in report(findings)


def test_keys_ignore_width_case_spaces_and_punctuation():
    assert key("ＡＢＣ 查话费？") == key("abc查话费") == "abc查话费"


def pairs(path):
    data = load_data(str(path))
    return [(example.get("text"), example.get("intent")) for example in data.intent_examples]


def test_the_project_data_has_no_conflicts_and_no_test_set_a_near_duplicate():
    tests = pairs(ROOT / "data" / "heldout" / "nlu.yml") + pairs(ROOT / "data" / "real" / "nlu.yml")
    findings = check(pairs(ROOT / "data" / "nlu"), tests)
    assert (findings.conflicts, findings.near_heldout) == ([], []), report(findings)
