"""Stopping a task half-way leaves nothing half-filled behind."""

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.cancellation import CANCEL_SLOTS
from actions.payment import PAY_SLOTS
from actions.repair import ActionStopTask
from actions.task_slots import DISPUTE_SLOTS, PACK_SLOTS, PLAN_SLOTS
from actions.tickets import TICKET_SLOTS
from tests.actions.conftest import make_tracker, responses


async def test_stop_clears_every_task_slot_and_says_nothing_changed(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker({"fault_type": "断网", "fault_description": "光猫红灯", "identity_verified": True})
    events = await ActionStopTask().run(dispatcher, tracker, domain)
    assert events == [
        SlotSet(slot, None)
        for slot in (*TICKET_SLOTS, *CANCEL_SLOTS, *PAY_SLOTS, *DISPUTE_SLOTS, *PLAN_SLOTS, *PACK_SLOTS)
    ]
    assert responses(dispatcher) == [{"response": "utter_task_stopped"}]
    assert "identity_verified" not in {event["name"] for event in events}  # identity lasts the session


def test_a_handoff_clears_the_same_task_slots():
    from actions.handoff import TASK_SLOTS

    assert set(TASK_SLOTS) == {*TICKET_SLOTS, *CANCEL_SLOTS, *PAY_SLOTS, *DISPUTE_SLOTS, *PLAN_SLOTS, *PACK_SLOTS}
