"""Hard rule: pinned (confirmed, in-progress) assignments are kept as they are."""

from __future__ import annotations

from tests.rules.world import at, customer, dispatched, job, plan_of, rules_broken, worker, world

RULE = "pins_kept"


def test_pin_beats_a_better_match() -> None:
    """J1 stays with pinned W2 at 10:00 though W1 is preferred; moving it breaks the rule."""
    dataset = world(
        workers=[worker("W1"), worker("W2", rating=3.0)],
        jobs=[job(pinned_worker_ids=("W2",), pinned_start=at(10))],
        customers=[customer(preferred_workers=("W1",))],
    )
    for result in dispatched(dataset):
        assert [(a.worker_id, a.start) for a in result.plan.assignments] == [("W2", at(10))]
    assert rules_broken(dataset, plan_of(dataset, ("J1", "W1", at(9)))) == {RULE}
