"""Hard rule: a worker who declined a visit is excluded from it (reported as BLOCKED)."""

from __future__ import annotations

from tests.rules.world import assert_rule_decides, at, job, plan_of, world

RULE = "not_excluded"


def test_excluded_worker_decides() -> None:
    """The worker who declined the job is not offered it again."""
    dataset = world(jobs=[job(excluded_workers=frozenset({"W1"}))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
