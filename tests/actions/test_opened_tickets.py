"""actions/opened_tickets.py: the conversation's ticket numbers, kept for an agent who takes over."""

from rasa_sdk.events import SlotSet

from actions.opened_tickets import KEPT, entry, noted, with_new
from tests.actions.conftest import make_tracker

FAULT = {"id": "T20261122001", "kind": "故障报修", "category": "断网"}
COMPLAINT = {"id": "T20261122002", "kind": "投诉", "category": "处理时效"}


def test_a_ticket_reads_as_its_number_and_what_it_is_about():
    assert entry(FAULT) == "T20261122001（故障报修·断网）"
    assert entry({"id": "T20261122003", "kind": "回访"}) == "T20261122003（回访）"
    assert entry({"id": "T20261122004"}) == "T20261122004"


def test_new_tickets_join_those_opened_earlier():
    earlier = make_tracker({"opened_tickets": ["T20261122001（故障报修·断网）"]})
    assert noted(earlier, [COMPLAINT]) == [
        SlotSet("opened_tickets", ["T20261122001（故障报修·断网）", "T20261122002（投诉·处理时效）"])
    ]
    assert noted(earlier, []) == []  # nothing opened: the slot is left alone


def test_only_the_latest_are_kept():
    many = make_tracker({"opened_tickets": [f"T{n}" for n in range(KEPT)]})
    kept = with_new(many, [FAULT])
    assert (len(kept), kept[0], kept[-1]) == (KEPT, "T1", "T20261122001（故障报修·断网）")
