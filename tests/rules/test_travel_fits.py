"""Hard rule: travel from home (or from the previous job) fits before the start."""

from __future__ import annotations

from matchmaker.model import Location
from tests.rules.world import assert_rule_decides, at, plan_of, worker, world

RULE = "travel_fits"
FAR_HOME = Location(lat=31.80, lon=121.47)
"""About 80 km of road north of the job: some three hours by car."""


def test_home_too_far_for_the_window_decides() -> None:
    """A home three hours away misses an 11:00 latest start; planning 09:00 breaks the rule."""
    dataset = world(workers=[worker(home=FAR_HOME)])
    assert_rule_decides(RULE, dataset, broken=plan_of(dataset, ("J1", "W1", at(9))))
