"""live_in_willing: a live-in request gets a worker willing to live in."""

from __future__ import annotations

from matchmaker.model import PlacementProfile
from matchmaker.placement import match_placements, verify_placements
from tests.placement_world import assert_placement_rule_decides, carer, placement_world, postpartum


def test_a_worker_who_does_not_live_in_cannot_take_a_live_in_request() -> None:
    """live_in_willing = no keeps W1 out of a live-in request: LIVE_IN."""
    world = placement_world([carer(placement=PlacementProfile(live_in_willing=False))])
    assert_placement_rule_decides("live_in_willing", "LIVE_IN", world)


def test_the_same_worker_takes_a_request_that_is_not_live_in() -> None:
    """Without live-in the same worker is placed."""
    world = placement_world(
        [carer(placement=PlacementProfile(live_in_willing=False))], [postpartum(live_in=False)]
    )
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert [p.worker_id for p in plan.placements] == ["W1"]
