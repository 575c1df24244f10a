"""Every form can be interrupted, stopped and left: the repair rules cover all of them."""

import importlib.util
from typing import Any, Dict, List, Set, Tuple

import pytest
import yaml

from bot.ml.domain import load_domain
from tests.support import ROOT

DOMAIN = load_domain(ROOT / "domain")
FORMS = sorted(DOMAIN["forms"])
# Forms that hold a half-done payment, cancellation or ticket: switching away must clear it.
STATEFUL_FORMS = ("pay_form", "cancel_form", "fault_form", "complaint_form", "dispute_form")
START_INTENTS = {
    "query_bill": "bill_form",
    "query_package": "package_form",
    "query_ticket": "ticket_form",
    "pay_bill": "pay_form",
    "cancel_package": "cancel_form",
    "report_fault": "fault_form",
    "complain": "complaint_form",
    "explain_bill": "explain_form",
    "dispute_charge": "dispute_form",
}


def rules() -> List[Dict[str, Any]]:
    found = []
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        found += yaml.safe_load(path.read_text(encoding="utf-8")).get("rules", [])
    return found


def handled() -> Set[Tuple[str, str, str]]:
    """(form in the condition, intent, first action) of every rule that reacts inside a form."""
    result = set()
    for rule in rules():
        loops = [c["active_loop"] for c in rule.get("condition", []) if "active_loop" in c]
        steps = rule["steps"]
        if loops and "intent" in steps[0]:
            result.add((loops[0], steps[0]["intent"], steps[1]["action"]))
    return result


@pytest.mark.parametrize("form", FORMS)
def test_questions_are_answered_and_the_form_resumes(form):
    expected = {("faq", "utter_faq"), ("out_of_scope", "utter_out_of_scope"), ("nlu_fallback", "utter_ask_rephrase")}
    if form != "balance_form":
        expected.add(("check_balance", "action_check_balance"))
    assert {(intent, action) for loop, intent, action in handled() if loop == form} >= expected


@pytest.mark.parametrize("form", FORMS)
def test_deny_stops_every_form(form):
    assert (form, "deny", "action_deactivate_loop") in handled()


@pytest.mark.parametrize("form", STATEFUL_FORMS)
def test_another_task_drops_a_half_done_one(form):
    switching = {intent for loop, intent, action in handled() if loop == form and action == "action_deactivate_loop"}
    assert switching >= {intent for intent, target in START_INTENTS.items() if target != form}


def test_the_repair_rules_are_generated_from_the_current_domain():
    spec = importlib.util.spec_from_file_location(
        "generate_repair_rules", ROOT / "scripts" / "generate_repair_rules.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "data" / "rules" / "repair.yml").read_text(encoding="utf-8") == module.render()


@pytest.mark.parametrize("form", FORMS)
def test_a_human_can_be_asked_for_in_every_form(form):
    assert (form, "request_human", "action_handoff") in handled()


def test_every_start_intent_starts_its_form():
    starts = {
        rule["steps"][0].get("intent"): rule["steps"][1].get("action")
        for rule in rules()
        if not rule.get("condition") and len(rule["steps"]) >= 2
    }
    assert {intent: starts.get(intent) for intent in START_INTENTS} == START_INTENTS
