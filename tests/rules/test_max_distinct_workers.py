"""Hard rule: at most the customer's number of different workers over the round."""

from __future__ import annotations

from matchmaker.model import DatasetSettings, LimitSettings, TimeWindow
from matchmaker.plan import ReasonCode
from tests.rules.world import (
    assert_rule_decides,
    at,
    customer,
    dispatched,
    job,
    plan_of,
    rules_broken,
    shift,
    worker,
    world,
)

RULE = "max_distinct_workers"
AFTERNOON = TimeWindow(start=at(13), end=at(14))
MORNING_AND_AFTERNOON = [
    worker("W1", shifts=(shift(8, 12),)),
    worker("W2", shifts=(shift(12, 18),)),
]


def test_max_distinct_workers_decides() -> None:
    """A customer capped at one worker gets the morning or the afternoon visit, not both,
    when one worker works mornings and another afternoons."""
    dataset = world(
        workers=MORNING_AND_AFTERNOON,
        jobs=[job("J1"), job("J2", window=AFTERNOON)],
        customers=[customer(max_distinct_workers=1)],
    )
    assert_rule_decides(
        RULE,
        dataset,
        broken=plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W2", at(13))),
        unserved=None,
        code=ReasonCode.CONTINUITY,
    )


def test_the_cap_keeps_visits_with_one_worker_when_one_can_do_both() -> None:
    """With a worker on shift all day, both visits go to one worker under the
    ``[limits]`` default cap of 1, even though another worker is a better fit for one."""
    dataset = world(
        workers=[*MORNING_AND_AFTERNOON, worker("W3", shifts=(shift(8, 18),), rating=3.0)],
        jobs=[job("J1"), job("J2", window=AFTERNOON)],
        customers=[customer()],
        settings=DatasetSettings(limits=LimitSettings(max_distinct_workers=1)),
    )
    for result in dispatched(dataset):
        assert {a.worker_id for a in result.plan.assignments} == {"W3"}, result.solution.backend
        assert result.plan.unassigned == ()
    spread = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W2", at(13)))
    assert rules_broken(dataset, spread) == {RULE}
