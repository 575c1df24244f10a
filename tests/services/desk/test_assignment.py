"""bot/services/desk/assignment.py against hand-worked queues."""

from bot.services.desk.assignment import Seat, assign


def test_cases_go_in_queue_order_to_the_least_loaded_agent_up_to_each_maximum():
    seats = [Seat(1, load=0, max_cases=1), Seat(2, load=1, max_cases=3), Seat(3, load=3, max_cases=3)]
    # Agent 1 (empty) gets the first; then agent 2 twice (loads 1 -> 2 -> 3); agent 3 is full.
    assert assign([10, 11, 12, 13], seats, now=100.0) == [(10, 1), (11, 2), (12, 2)]


def test_with_equal_loads_the_agent_given_a_case_longest_ago_goes_first():
    seats = [Seat(1, 0, 2, last_given=50.0), Seat(2, 0, 2, last_given=20.0), Seat(3, 0, 2)]
    # Never given (3), then 20 s ago (2), then 50 s ago (1); then round again.
    assert assign([1, 2, 3, 4], seats, now=100.0) == [(1, 3), (2, 2), (3, 1), (4, 3)]


def test_nothing_is_assigned_without_a_free_seat():
    assert assign([1, 2], [Seat(1, 2, 2)], now=1.0) == []
    assert assign([1], [], now=1.0) == []
    assert assign([], [Seat(1, 0, 2)], now=1.0) == []
