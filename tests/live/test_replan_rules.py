"""Re-plans of rounds counting the way home: a shift stretched over an overrun or cut at an
absence still leaves the worker time to get home from the visit that ends it (random
home-care rounds are re-planned by the property test of tests/live/test_replan.py)."""

from __future__ import annotations

import json
from datetime import datetime

from matchmaker.live import parse_changes, replan
from matchmaker.model import Dataset, DatasetSettings, Location, Policy, TimeWindow, utc
from tests.clock import at
from tests.rules.world import job, plan_of, shift, worker, world

FAR = Location(lat=31.3000, lon=121.4700)
"""About 8 km north of the workers' home: half an hour by car."""


def _far_job(home_leg: bool) -> Dataset:
    """W1 (8:00-12:00) serves J1 10:00-11:00 half an hour from home; the policy counts the
    way home or not."""
    return world(
        workers=[worker("W1", shifts=(shift(8, 12),))],
        jobs=[job("J1", location=FAR, window=TimeWindow(start=at(10), end=at(10)))],
        settings=DatasetSettings(policy=Policy(travel_home=home_leg)),
    )


def _shift_end(dataset: Dataset) -> datetime:
    return utc(dataset.worker("W1").shifts[0].end)


def test_an_overrun_to_the_shift_end_stretches_the_shift_over_the_way_home() -> None:
    """J1 runs 90 minutes over, to 12:30, past the shift's end: the shift stretches to 12:30
    plus the way home when the policy counts it (the re-plan verifies), and to 12:30 when
    it does not."""
    overrun = json.dumps({"kind": "job_overrun", "job_id": "J1", "minutes": 90})
    ends = {}
    for home_leg in (True, False):
        dataset = _far_job(home_leg)
        plan = plan_of(dataset, ("J1", "W1", at(10)))
        changes = parse_changes([overrun], dataset, file="c.jsonl")
        result = replan(dataset, plan, changes, time_limit=1.0)
        assert result.ok, result.violations
        assert [(a.job_id, a.start) for a in result.plan.assignments] == [("J1", at(10))]
        ends[home_leg] = _shift_end(result.dataset)
    assert ends[False] == utc(at(12, 30))
    assert ends[True] > utc(at(12, 45))


def test_an_absence_cuts_the_shift_after_the_way_home_from_the_visit_under_way() -> None:
    """W1 is away from 10:30, during J1 (10:00-11:00, half an hour from home): the shift
    ends after J1 and the way home, and the re-plan keeps J1 and verifies."""
    dataset = _far_job(True)
    plan = plan_of(dataset, ("J1", "W1", at(10)))
    away = json.dumps(
        {"kind": "worker_unavailable", "worker_id": "W1", "from": at(10, 30).isoformat()}
    )
    result = replan(dataset, plan, parse_changes([away], dataset, file="c.jsonl"), time_limit=1.0)
    assert result.ok, result.violations
    assert [(a.job_id, a.start) for a in result.plan.assignments] == [("J1", at(10))]
    assert utc(at(11, 15)) < _shift_end(result.dataset) < utc(at(12))
