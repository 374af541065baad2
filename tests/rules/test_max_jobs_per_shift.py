"""Hard rule: at most the worker's maximum number of jobs per shift."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from tests.rules.world import assert_rule_decides, at, job, plan_of, worker, world

RULE = "max_jobs_per_shift"


def test_max_jobs_decides() -> None:
    """With one job a shift, the second job (hours later) waits; giving her both breaks it."""
    afternoon = TimeWindow(start=at(14), end=at(15))
    dataset = world(workers=[worker(max_jobs=1)], jobs=[job("J1"), job("J2", window=afternoon)])
    assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(14))),
        unserved=None,
    )
