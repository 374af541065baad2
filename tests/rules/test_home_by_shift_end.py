"""Hard rule: with the way home planned (policy ``travel_home``), the last job of a shift
ends early enough to travel home by the shift's end."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from matchmaker.io import read_plan, write_plan
from matchmaker.model import Dataset, DatasetSettings, Policy, RequestError, TimeWindow
from matchmaker.plan import ReasonCode, dispatch, verify
from tests.rules.world import at, job, plan_of, rules_broken, world

RULE = "home_by_shift_end"


def _late(*, travel_home: bool) -> Dataset:
    """W1's shift ends at 18:00; J1 must start at 17:00 and lasts an hour, a few minutes
    from W1's home."""
    return world(
        jobs=[job("J1", window=TimeWindow(start=at(17), end=at(17)))],
        settings=DatasetSettings(policy=Policy(travel_home=travel_home)),
    )


def test_the_way_home_decides() -> None:
    """Routing leaves J1 out when the worker must be home by 18:00 (with the travel
    reason), and a plan serving it at 17:00 breaks this rule and nothing else; without the
    way home the same plan is valid and routing serves J1."""
    home = _late(travel_home=True)
    result = dispatch(home, solver="routing", time_limit=0.5, seed=0)
    assert verify(home, result.plan) == []
    assert [(u.job_id, u.reason_code) for u in result.plan.unassigned] == [
        ("J1", ReasonCode.TRAVEL)
    ]
    broken = plan_of(home, ("J1", "W1", at(17)))
    assert rules_broken(home, broken) == {RULE}
    (violation,) = verify(home, broken)
    assert "home from job J1" in violation.message and "18:00" in violation.message
    plain = _late(travel_home=False)
    assert rules_broken(plain, plan_of(plain, ("J1", "W1", at(17)))) == set()
    assert len(dispatch(plain, solver="routing", time_limit=0.5, seed=0).plan.assignments) == 1


def test_a_plan_made_with_the_way_home_is_checked_by_it(tmp_path: Path) -> None:
    """The dataset's policy may not say it (a --policy file did): the plan records that it
    was made with the way home, in memory and in its folder (from its policy.json), and
    verify holds it to that."""
    plain = _late(travel_home=False)
    made = replace(plan_of(plain, ("J1", "W1", at(17))), travel_home=True)
    assert rules_broken(plain, made) == {RULE}
    early = world()  # J1 at 09:00: home long before the shift ends
    valid = replace(plan_of(early, ("J1", "W1", at(9))), travel_home=True)
    for travel_home in (True, False):
        folder = tmp_path / f"plan-{travel_home}"
        write_plan(valid, folder, dataset=early, policy=Policy(travel_home=travel_home))
        assert read_plan(folder).travel_home is travel_home


@pytest.mark.parametrize("solver", ["greedy", "cpsat"])
def test_backends_without_the_way_home_refuse(solver: str) -> None:
    """Greedy and CP-SAT do not plan the way home: they refuse, naming the policy."""
    with pytest.raises(RequestError, match="travel_home"):
        dispatch(_late(travel_home=True), solver=solver, time_limit=0.5)


def test_a_pin_that_leaves_no_time_to_get_home_is_refused() -> None:
    """J1 pinned to W1 at 17:00 can never be kept when W1 must be home by 18:00: the
    loader refuses the pin (the row of J1, its pinned worker), and accepts it without the
    way home."""
    from matchmaker.io._pins import check_pins

    def pinned(travel_home: bool) -> Dataset:
        dataset = _late(travel_home=travel_home)
        return replace(
            dataset,
            jobs=(replace(dataset.jobs[0], pinned_worker_ids=("W1",), pinned_start=at(17)),),
        )

    (issue,) = check_pins(pinned(True), "jobs", {"J1": 2})
    assert (issue.row, issue.column) == (2, "pinned_worker_id")
    assert "home from job J1" in issue.message
    assert check_pins(pinned(False), "jobs", {"J1": 2}) == []
