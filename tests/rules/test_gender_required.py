"""Hard rule: the gender a job marks as required."""

from __future__ import annotations

from matchmaker.model import Gender
from tests.rules.world import assert_rule_decides, at, job, plan_of, worker, world

RULE = "gender_required"


def test_required_gender_decides() -> None:
    """A male worker cannot take a female-only job; assigning him breaks only this rule."""
    dataset = world(workers=[worker(gender=Gender.MALE)], jobs=[job(gender_required=Gender.FEMALE)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
