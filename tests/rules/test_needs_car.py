"""Hard rule: a job flagged ``needs_car`` gets a worker who travels by car."""

from __future__ import annotations

from matchmaker.model import TravelMode
from tests.rules.world import assert_rule_decides, at, dispatched, job, plan_of, worker, world

RULE = "needs_car"


def test_needs_car_decides() -> None:
    """A worker who comes by transit cannot take a job that needs a car."""
    dataset = world(workers=[worker(travel_mode=TravelMode.TRANSIT)], jobs=[job(needs_car=True)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))


def test_a_driver_serves_a_job_that_needs_a_car() -> None:
    """The same job goes to the one worker who drives, whoever else is closer or better."""
    walker = worker("W1", travel_mode=TravelMode.WALK)
    driver = worker("W2", travel_mode=TravelMode.CAR)
    dataset = world(workers=[walker, driver], jobs=[job(needs_car=True)])
    for result in dispatched(dataset):
        assert [(a.job_id, a.worker_id) for a in result.plan.assignments] == [("J1", "W2")]
