"""Slots: the template's hours cut into arrival windows on each day that has shifts,
graded by the objective, each window's best option verifying once applied."""

from __future__ import annotations

from dataclasses import replace

from matchmaker.live import apply_option, build_index, slots
from matchmaker.live._options import Recommendation
from matchmaker.model import Dataset, TimeWindow
from matchmaker.plan import dispatch, verify
from tests.clock import at
from tests.rules.world import job, shift, worker, world


def _two_days() -> Dataset:
    """One worker with shifts on two days, one job on the first at 09:00."""
    return world(
        workers=[worker("W1", shifts=(shift(8, 18), shift(8, 18, day=1)))],
        jobs=[job("J1", window=TimeWindow(start=at(9), end=at(9)))],
    )


def test_windows_cover_the_hours_of_every_day_with_room() -> None:
    """A request for 09:00-13:00 in two-hour windows over three days: windows at 09:00 and
    11:00 on the two days with shifts (the 09:00 window of day one starts after J1), none on
    the third; ranks go from 1 up and each option verifies when applied."""
    dataset = _two_days()
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    request = job("REQ", window=TimeWindow(start=at(9), end=at(13)))
    found = slots(dataset, plan, request, start_day=at(9).date(), days=3, window=120)
    days = sorted({s.start.date() for s in found})
    assert days == [at(9).date(), at(9, day=1).date()]
    assert sorted(s.rank for s in found) == list(range(1, len(found) + 1))
    assert all(s.workers_able == 1 for s in found)
    best = min(found, key=lambda s: s.rank)
    index = build_index(dataset, plan, policy=dataset.settings.policy)
    added = replace(
        request,
        job_id=best.option.assignments[0].job_id,
        window=TimeWindow(start=best.start, end=best.end),
    )
    recommendation = Recommendation(
        job_id=added.job_id, options=(best.option,), base=index.dataset, added=added
    )
    applied = apply_option(recommendation, plan, best.option, policy=dataset.settings.policy)
    assert verify(recommendation.dataset, applied) == []


def test_a_request_with_a_due_start_keeps_it_on_every_day() -> None:
    """A request due at 09:30 within 09:00-11:00: on each day its due start moves with its
    window (a request the day after is due 09:30 that day), and windows are offered."""
    dataset = _two_days()
    plan = dispatch(dataset, solver="greedy", time_limit=5.0).plan
    request = job("REQ", window=TimeWindow(start=at(9), end=at(11)), due_start=at(9, 30))
    found = slots(dataset, plan, request, start_day=at(9).date(), days=2, window=60)
    assert {s.start.date() for s in found} == {at(9).date(), at(9, day=1).date()}
