"""no_visits_in_placement: a worker with a planned visit on a date held cannot be placed."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.placement import match_placements, verify_placements
from tests.placement_world import (
    DUE,
    assert_placement_rule_decides,
    placement_world,
    visit,
)


def test_a_visit_inside_the_uncertainty_window_excludes_the_worker() -> None:
    """A pinned visit 3 days before the due date (inside the 5-day hold): VISIT_CONFLICT."""
    world = placement_world(jobs=[visit("W1", DUE - timedelta(days=3))])
    assert_placement_rule_decides("no_visits_in_placement", "VISIT_CONFLICT", world)


def test_a_visit_the_day_before_the_hold_does_not() -> None:
    """A visit the day before the hold's first day leaves W1 free to be placed."""
    world = placement_world(jobs=[visit("W1", DUE - timedelta(days=6))])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert [p.worker_id for p in plan.placements] == ["W1"]
