"""Hard rule: at least the required years of experience."""

from __future__ import annotations

from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "experience"


def test_experience_decides() -> None:
    """Five years are not the eight the job asks; assigning her breaks only this rule."""
    dataset = world(jobs=[job(min_experience_years=8.0)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
