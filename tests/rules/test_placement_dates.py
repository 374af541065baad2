"""placement_dates: a placement runs from its request's start (or due) date for its
duration, held as the request says."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from matchmaker.placement import match_placements, verify_placements
from tests.placement_world import DUE, placed, placement_world


def test_a_matched_placement_has_the_request_dates_and_hold() -> None:
    """The solver's placement starts on the due date, lasts 26 days, held 5 days each side."""
    world = placement_world()
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    (p,) = plan.placements
    assert (p.start_date, p.end_date) == (DUE, DUE + timedelta(days=25))
    assert (p.hold_start, p.hold_end) == (DUE - timedelta(days=5), DUE + timedelta(days=30))


def test_a_placement_shifted_by_a_day_breaks_the_rule() -> None:
    """A hand-made placement starting a day late breaks placement_dates alone."""
    world = placement_world()
    plan = placed(world, ("P1", "W1"))
    late = replace(plan.placements[0], start_date=DUE + timedelta(days=1))
    broken = {v.rule for v in verify_placements(world, replace(plan, placements=(late,)))}
    assert broken == {"placement_dates"}
