"""Hard rule: at least the worker's rest minutes between two shifts' work."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from tests.rules.world import (
    assert_rule_decides,
    at,
    job,
    plan_of,
    rules_broken,
    shift,
    worker,
    world,
)

RULE = "min_rest_minutes"
TWO_DAYS = (shift(8, 18), shift(8, 18, day=1))
EVENING = TimeWindow(start=at(16), end=at(17))
NEXT_MORNING = TimeWindow(start=at(9, day=1), end=at(10, day=1))


def test_min_rest_minutes_decides() -> None:
    """A job ending 17:00 at best and the next day's starting 10:00 at best leave at most
    17 hours: with 18 hours of rest required she can take only one of them."""
    dataset = world(
        workers=[worker(shifts=TWO_DAYS, min_rest_minutes=18 * 60)],
        jobs=[job("J1", window=EVENING), job("J2", window=NEXT_MORNING)],
    )
    assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(16)), ("J2", "W1", at(9, day=1))),
        unserved=None,
    )


def test_enough_rest_keeps_the_rule() -> None:
    """Sixteen hours between the two jobs keep a rest of 16 hours, and only just."""
    dataset = world(
        workers=[worker(shifts=TWO_DAYS, min_rest_minutes=16 * 60)],
        jobs=[job("J1", window=EVENING), job("J2", window=NEXT_MORNING)],
    )
    plan = plan_of(dataset, ("J1", "W1", at(16)), ("J2", "W1", at(9, day=1)))
    assert rules_broken(dataset, plan) == set()
    late = plan_of(dataset, ("J1", "W1", at(16, 1)), ("J2", "W1", at(9, day=1)))
    assert rules_broken(dataset, late) == {RULE}
