"""Which free agent gets which waiting case, when the desk assigns automatically (pure).

An agent can be given a case while their console is open, their status is 在线 (`online`: not
忙碌 `busy` nor 离开 `away`) and they hold fewer cases than their maximum. Cases go in queue order
(priority, then arrival); each to the agent holding the fewest cases, ties to the one who was given
a case longest ago ("in turn"), then by id.
"""

from dataclasses import dataclass, replace
from typing import Dict, List, Sequence, Tuple

STATUSES = {"online": "在线", "busy": "忙碌", "away": "离开"}
MODES = {"manual": "坐席自行接入", "auto": "自动分配"}


@dataclass(frozen=True)
class Seat:
    agent_id: int
    load: int  # cases the agent holds now
    max_cases: int
    last_given: float = 0.0  # when the agent was last given a case (monotonic seconds; 0: never)


def assign(waiting: Sequence[int], seats: Sequence[Seat], now: float) -> List[Tuple[int, int]]:
    """(case id, agent id) for as many of the `waiting` cases (in queue order) as free seats allow."""
    free: Dict[int, Seat] = {seat.agent_id: seat for seat in seats if seat.load < seat.max_cases}
    given: List[Tuple[int, int]] = []
    for case_id in waiting:
        if not free:
            break
        seat = min(free.values(), key=lambda s: (s.load, s.last_given, s.agent_id))
        given.append((case_id, seat.agent_id))
        seat = replace(seat, load=seat.load + 1, last_given=now + len(given) * 1e-6)
        if seat.load < seat.max_cases:
            free[seat.agent_id] = seat
        else:
            del free[seat.agent_id]
    return given
