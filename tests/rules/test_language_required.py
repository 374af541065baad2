"""Hard rule: the languages a job marks as required."""

from __future__ import annotations

from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "language_required"


def test_required_language_decides() -> None:
    """A worker who speaks no Cantonese cannot take a Cantonese-only job."""
    dataset = world(jobs=[job(language_required=("cantonese",))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
