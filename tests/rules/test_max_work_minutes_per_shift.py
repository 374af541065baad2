"""Hard rule: at most the worker's maximum work minutes per shift."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from tests.rules.world import assert_rule_decides, at, job, plan_of, worker, world

RULE = "max_work_minutes_per_shift"


def test_max_work_minutes_decides() -> None:
    """Two one-hour jobs do not fit in 90 work minutes; giving her both breaks the rule."""
    afternoon = TimeWindow(start=at(14), end=at(15))
    dataset = world(
        workers=[worker(max_work_minutes=90)], jobs=[job("J1"), job("J2", window=afternoon)]
    )
    assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(14))),
        unserved=None,
    )
