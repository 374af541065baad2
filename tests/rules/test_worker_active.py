"""Hard rule: the worker is active (not suspended, not on leave)."""

from __future__ import annotations

from matchmaker.model import WorkerStatus
from tests.rules.world import assert_rule_decides, at, plan_of, worker, world

RULE = "worker_active"


def test_suspended_worker_decides() -> None:
    """A suspended worker serves nothing; assigning her breaks only this rule."""
    dataset = world(workers=[worker(status=WorkerStatus.SUSPENDED)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
