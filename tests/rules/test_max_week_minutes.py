"""Hard rule: at most the worker's weekly work minutes in each calendar week."""

from __future__ import annotations

from matchmaker.model import DatasetSettings, LimitSettings, TimeWindow
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

RULE = "max_week_minutes"
TWO_DAYS = (shift(8, 18), shift(8, 18, day=1))
TOMORROW = TimeWindow(start=at(9, day=1), end=at(11, day=1))


def test_max_week_minutes_decides() -> None:
    """Two one-hour jobs on two days of one week do not fit in 90 minutes a week."""
    dataset = world(
        workers=[worker(shifts=TWO_DAYS, max_week_minutes=90)],
        jobs=[job("J1"), job("J2", window=TOMORROW)],
    )
    assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(9, day=1))),
        unserved=None,
    )


def test_dataset_default_applies_and_a_new_week_starts_on_monday() -> None:
    """The ``[limits]`` default binds a worker without a value of her own; the same two
    jobs six days apart (Tuesday and the next Monday) fall in two weeks and keep it."""
    limits = DatasetSettings(limits=LimitSettings(max_week_minutes=90))
    dataset = world(
        workers=[worker(shifts=TWO_DAYS)],
        jobs=[job("J1"), job("J2", window=TOMORROW)],
        settings=limits,
    )
    both = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(9, day=1)))
    assert rules_broken(dataset, both) == {RULE}
    monday = TimeWindow(start=at(9, day=6), end=at(11, day=6))
    apart = world(
        workers=[worker(shifts=(shift(8, 18), shift(8, 18, day=6)))],
        jobs=[job("J1"), job("J2", window=monday)],
        settings=limits,
    )
    both = plan_of(apart, ("J1", "W1", at(9)), ("J2", "W1", at(9, day=6)))
    assert rules_broken(apart, both) == set()
