"""Hard rule: at most the worker's number of local dates in a row with work."""

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

RULE = "max_consecutive_days"


def _window(day: int) -> TimeWindow:
    return TimeWindow(start=at(9, day=day), end=at(11, day=day))


def test_max_consecutive_days_decides() -> None:
    """With at most two days in a row, one of three jobs on three days in a row stays out."""
    dataset = world(
        workers=[
            worker(shifts=tuple(shift(8, 18, day=d) for d in range(3)), max_consecutive_days=2)
        ],
        jobs=[job("J1"), job("J2", window=_window(1)), job("J3", window=_window(2))],
    )
    results = assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(
            dataset,
            ("J1", "W1", at(9)),
            ("J2", "W1", at(9, day=1)),
            ("J3", "W1", at(9, day=2)),
        ),
        unserved=None,
    )
    assert all(len(r.plan.assignments) == 2 for r in results)


def test_a_day_off_restarts_the_count() -> None:
    """Work on days 0 and 2 (a day off between) is never two days in a row."""
    dataset = world(
        workers=[
            worker(shifts=tuple(shift(8, 18, day=d) for d in range(3)), max_consecutive_days=1)
        ],
        jobs=[job("J1"), job("J3", window=_window(2))],
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J3", "W1", at(9, day=2)))
    assert rules_broken(dataset, plan) == set()
