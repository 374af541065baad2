"""no_placement_overlap: no two placements of one worker overlap, holds included."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.placement import Commitment, match_placements, verify_placements
from tests.placement_world import DUE, carer, placed, placement_world, postpartum


def test_two_overlapping_requests_get_one_worker_each_or_one_unfilled() -> None:
    """With one carer and two requests whose holds overlap by a day, one is unfilled with
    PLACEMENT_OVERLAP, whichever solver."""
    # P1 is held to DUE + 30; P2 (due DUE + 35) is held from DUE + 30.
    second = postpartum("P2", due_date=DUE + timedelta(days=35))
    world = placement_world(requests=[postpartum(), second])
    for solver in ("cpsat", "greedy"):
        plan = match_placements(world, solver=solver, time_limit=5)
        assert verify_placements(world, plan) == []
        assert len(plan.placements) == 1
        assert [u.reason_code for u in plan.unfilled] == ["PLACEMENT_OVERLAP"]


def test_back_to_back_holds_are_both_placed() -> None:
    """A hold starting the day after the other's last day does not overlap: both placed."""
    second = postpartum("P2", due_date=DUE + timedelta(days=36))
    world = placement_world(requests=[postpartum(), second])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert sorted(p.request_id for p in plan.placements) == ["P1", "P2"]


def test_a_hand_made_plan_with_overlapping_placements_breaks_the_rule() -> None:
    """Placing W1 on both overlapping requests breaks no_placement_overlap and nothing else."""
    second = postpartum("P2", due_date=DUE + timedelta(days=10))
    world = placement_world(requests=[postpartum(), second])
    broken = {v.rule for v in verify_placements(world, placed(world, ("P1", "W1"), ("P2", "W1")))}
    assert broken == {"no_placement_overlap"}


def test_an_existing_placement_is_a_commitment_the_round_respects() -> None:
    """A commitment of W1 over the hold keeps W1 out (PLACEMENT_OVERLAP); placing W1 anyway
    breaks the rule."""
    world = placement_world([carer(), carer("W2", rating=3.0)])
    busy = Commitment(worker_id="W1", first=DUE, last=DUE + timedelta(days=3), label="P0")
    plan = match_placements(world, commitments=[busy], time_limit=5)
    assert verify_placements(world, plan, commitments=[busy]) == []
    assert [p.worker_id for p in plan.placements] == ["W2"]
    broken = {
        v.rule for v in verify_placements(world, placed(world, ("P1", "W1")), commitments=[busy])
    }
    assert broken == {"no_placement_overlap"}
