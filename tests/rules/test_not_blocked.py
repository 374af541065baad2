"""Hard rule: the customer has not blocked the worker."""

from __future__ import annotations

from tests.rules.world import assert_rule_decides, at, customer, plan_of, world

RULE = "not_blocked"


def test_blocked_worker_decides() -> None:
    """A worker the customer blocked cannot serve them; assigning her breaks only this rule."""
    dataset = world(customers=[customer(blocked_workers=frozenset({"W1"}))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
