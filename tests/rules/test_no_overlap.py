"""Hard rule: no two jobs of one worker overlap."""

from __future__ import annotations

from matchmaker.model import TimeWindow
from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "no_overlap"


def test_two_jobs_at_the_same_time_decide() -> None:
    """Two 09:00 jobs, one worker: the second is CAPACITY naming the first; both breaks it."""
    nine = TimeWindow(start=at(9), end=at(9))
    dataset = world(jobs=[job("J1", window=nine), job("J2", window=nine)])
    results = assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(9))),
        unserved=None,
    )
    for result in results:
        served = result.plan.assignments[0].job_id
        assert served in result.plan.unassigned[0].reason
