"""Hard rule: a job needing several workers gets all of them, starting together, or none."""

from __future__ import annotations

from matchmaker.model import Gender
from tests.rules.world import assert_rule_decides, at, job, plan_of, rules_broken, worker, world

RULE = "team_complete_and_synchronised"


def test_team_without_enough_workers_decides() -> None:
    """A two-worker job with one eligible worker is TEAM_SIZE; sending her alone breaks it."""
    dataset = world(
        workers=[worker("W1"), worker("W2", gender=Gender.MALE)],
        jobs=[job(workers_needed=2, gender_required=Gender.FEMALE)],
    )
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
    # A full team that does not start together breaks the same rule.
    pair = world(workers=[worker("W1"), worker("W2")], jobs=[job(workers_needed=2)])
    apart = plan_of(pair, ("J1", "W1", at(9)), ("J1", "W2", at(9, 30)))
    assert rules_broken(pair, apart) == {RULE}
