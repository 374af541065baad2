"""The default tiny world is served, so each rule test's one change is what decides."""

from __future__ import annotations

from tests.rules.world import at, dispatched, plan_of, rules_broken, world


def test_default_world_is_served_by_every_backend() -> None:
    """Worker W1 serves job J1 in the unchanged world, and that plan breaks no rule."""
    dataset = world()
    for result in dispatched(dataset):
        assert [(a.job_id, a.worker_id) for a in result.plan.assignments] == [("J1", "W1")]
        assert result.plan.unassigned == ()
    assert rules_broken(dataset, plan_of(dataset, ("J1", "W1", at(9)))) == set()
