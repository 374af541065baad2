"""Hard rule: the job starts inside its window."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from tests.rules.world import HOME, assert_rule_decides, at, job, plan_of, world

RULE = "start_in_window"


def test_window_before_the_shift_decides() -> None:
    """A job due to start by 07:30 misses an 08:00 shift; starting it at 08:00 breaks it."""
    early = TimeWindow(start=at(7), end=at(7, 30))
    dataset = world(jobs=[job(window=early, location=HOME)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(8))))
