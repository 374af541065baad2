"""Hard rule: the job starts inside one of the worker's shifts and ends inside that shift."""

from __future__ import annotations

from tests.rules.world import assert_rule_decides, at, plan_of, shift, worker, world

RULE = "inside_shift"


def test_shift_that_misses_the_window_decides() -> None:
    """An afternoon shift cannot serve a morning job; planning it at 10:00 breaks the rule."""
    dataset = world(workers=[worker(shifts=(shift(12, 18),))])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(10))))
