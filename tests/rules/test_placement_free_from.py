"""placement_free_from: a worker in a placement (or on holiday) until after the hold starts
cannot take the request."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.model import PlacementProfile
from tests.placement_world import DUE, assert_placement_rule_decides, carer, placement_world


def test_a_worker_still_placed_when_the_hold_starts_is_not_free() -> None:
    """Current placement ending on the hold's first day (due date - 5) keeps W1 out: NOT_FREE."""
    profile = PlacementProfile(live_in_willing=True, current_placement_end=DUE - timedelta(days=5))
    world = placement_world([carer(placement=profile)])
    assert_placement_rule_decides("placement_free_from", "NOT_FREE", world)


def test_a_worker_free_the_day_the_hold_starts_may_take_it() -> None:
    """A placement ending the day before the hold and an earliest free date on its first day
    are fine: the request is filled by W1."""
    profile = PlacementProfile(
        live_in_willing=True,
        current_placement_end=DUE - timedelta(days=6),
        earliest_free_date=DUE - timedelta(days=5),
    )
    from matchmaker.placement import match_placements, verify_placements

    world = placement_world([carer(placement=profile)])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert [p.worker_id for p in plan.placements] == ["W1"]
