"""Hard rule: at most the customer's number of different workers over the round."""

from __future__ import annotations

from matchmaker.model import DatasetSettings, LimitSettings, SkillRequirement, TimeWindow
from matchmaker.plan import ReasonCode, dispatch, verify
from tests.rules.world import (
    TIME_LIMIT,
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


def test_every_backend_keeps_the_better_of_teams_and_no_teams() -> None:
    """C1 (cap 1) has visits at 09:00 (placed first) and 13:00; its care team is W1, the
    better fit, but at 09:00 W1 must take C2's visit, which only W1 can serve. Inside the
    team one of C1's visits is lost; planned without teams, both go to W2 and all three
    are served, whichever backend plans (greedy, routing, CP-SAT)."""
    nine = TimeWindow(start=at(9), end=at(9))
    one = TimeWindow(start=at(13), end=at(13))
    dataset = world(
        workers=[
            worker("W1", shifts=(shift(8, 18),), skills={"cleaning": 5}, rating=5.0),
            worker("W2", shifts=(shift(8, 18),), rating=3.0),
        ],
        jobs=[
            job("J1", window=nine, priority=4),
            job("J2", window=one),
            job(
                "J3",
                window=nine,
                customer_id="C2",
                priority=5,
                required_skills=(SkillRequirement(name="cleaning", level=5),),
            ),
        ],
        customers=[customer("C1", max_distinct_workers=1), customer("C2")],
    )
    cpsat = dispatch(dataset, solver="cpsat", time_limit=TIME_LIMIT, seed=0)
    assert verify(dataset, cpsat.plan) == []
    for result in (*dispatched(dataset), cpsat):
        served = {a.job_id: a.worker_id for a in result.plan.assignments}
        assert served == {"J1": "W2", "J2": "W2", "J3": "W1"}, result.solution.backend
        stats = result.solution.stats
        assert stats["without_teams_objective"] < stats["care_teams_objective"]
