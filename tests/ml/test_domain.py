from pathlib import Path

import pytest

from bot.ml.domain import DomainConflict, load_domain

ROOT = Path(__file__).resolve().parents[2]


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_files_merge_in_name_order_lists_concatenated_mappings_joined(tmp_path):
    write(
        tmp_path,
        "b.yml",
        'version: "3.1"\nintents: [pay]\nslots:\n  amount: {type: float}\nresponses:\n  utter_pay: [{text: 缴费}]\n',
    )
    write(
        tmp_path,
        "a.yml",
        'version: "3.1"\nintents: [greet]\nactions: [action_hello]\nresponses:\n  utter_greet: [{text: 您好}]\n',
    )
    write(tmp_path, "notes.txt", "not part of the domain")
    assert load_domain(tmp_path) == {
        "version": "3.1",
        "intents": ["greet", "pay"],
        "actions": ["action_hello"],
        "responses": {"utter_greet": [{"text": "您好"}], "utter_pay": [{"text": "缴费"}]},
        "slots": {"amount": {"type": "float"}},
    }


def test_a_name_defined_in_two_files_is_refused_with_both_sections_named(tmp_path):
    write(tmp_path, "a.yml", "responses:\n  utter_greet: [{text: 您好}]\n")
    write(tmp_path, "b.yml", "responses:\n  utter_greet: [{text: 你好}]\n  utter_bye: [{text: 再见}]\n")
    with pytest.raises(DomainConflict) as raised:
        load_domain(tmp_path)
    assert str(raised.value) == "b.yml defines responses already defined elsewhere: utter_greet"


def test_an_empty_file_adds_nothing(tmp_path):
    write(tmp_path, "a.yml", "intents: [greet]\n")
    write(tmp_path, "b.yml", "")
    assert load_domain(tmp_path) == {"intents": ["greet"]}


def test_the_product_domain_has_one_file_per_capability_and_no_duplicate_names():
    files = sorted(path.stem for path in (ROOT / "domain").glob("*.yml"))
    assert files == [
        "balance",
        "bills",
        "cancellation",
        "core",
        "disputes",
        "faq",
        "handoff",
        "identity",
        "packages",
        "packs",
        "payment",
        "plans",
        "repair",
        "satisfaction",
        "tickets",
    ]
    domain = load_domain(ROOT / "domain")
    for section in ("intents", "entities", "actions"):
        names = [item if isinstance(item, str) else next(iter(item)) for item in domain[section]]
        assert len(names) == len(set(names)), section
