"""Re-plans with break rules: breaks follow the jobs within their rule, a break taken
before the freeze stays where it was, one still to come never lands in the past, a kept
visit that leaves no room for a break is hit, and every re-plan verifies (rule
``breaks`` included)."""

from __future__ import annotations

import json
from datetime import datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.live import Change, parse_changes, replan
from matchmaker.model import BreakRule, Dataset, DatasetSettings, RequestError, TimeWindow, utc
from matchmaker.plan import Plan, dispatch, verify
from tests.live.break_plans import plan_with_breaks
from tests.live.test_replan import _changes
from tests.rules.world import at, job, shift, worker, world

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]

LUNCH = BreakRule(name="lunch", min_minutes=30, earliest_start="11:30", latest_start="13:00")
"""30 minutes starting 11:30-13:00."""


def _day(second_start: datetime | None = None, lunch: BreakRule = LUNCH) -> Dataset:
    """W1 08:00-17:00 with ``lunch``; A 09:00-11:30; B (one hour) from ``second_start`` to
    15:00 (12:00 unless given). Planned: A, lunch right after it, B."""
    second_start = at(12) if second_start is None else second_start
    return world(
        workers=[worker("W1", shifts=(shift(8, 17),))],
        jobs=[
            job("A", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=150),
            job("B", window=TimeWindow(start=second_start, end=at(15)), duration_minutes=60),
        ],
        settings=DatasetSettings(breaks=(lunch,)),
    )


def _planned(dataset: Dataset) -> Plan:
    plan = dispatch(dataset, solver="routing", time_limit=1.0, seed=0).plan
    assert verify(dataset, plan) == []
    return plan


def _changed(dataset: Dataset, *records: dict[str, object]) -> list[Change]:
    return parse_changes([json.dumps(r) for r in records], dataset, file="c.jsonl")


def _starts(plan: Plan) -> dict[str, datetime]:
    return {a.job_id: a.start for a in plan.assignments}


def _spans(plan: Plan) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in plan.breaks]


def test_an_overrun_into_lunch_moves_the_break_and_the_job_after_it() -> None:
    """A runs an hour over, to 12:30: B cannot start at 12:00, the lunch moves to
    12:30-13:00 (inside its window) and B to 13:00; the plan verifies."""
    dataset = _day()
    plan = _planned(dataset)
    assert _starts(plan) == {"A": at(9), "B": at(12)}
    assert _spans(plan) == [(at(11, 30), at(12))]
    changes = _changed(dataset, {"kind": "job_overrun", "job_id": "A", "minutes": 60})
    result = replan(dataset, plan, changes, time_limit=1.0)
    assert result.violations == ()
    assert verify(result.dataset, result.plan) == []
    assert _starts(result.plan) == {"A": at(9), "B": at(13)}
    assert _spans(result.plan) == [(at(12, 30), at(13))]
    row = next(r for r in result.diff if r.job_id == "B")
    assert row.cause == "job_overrun A +60 min (line 1)"


def test_a_kept_visit_that_leaves_no_room_for_lunch_is_hit() -> None:
    """With a tolerance of an hour B could stay, pushed to 12:30 right after A's overrun,
    but then the lunch (by 13:00) has no room: B is placed again after the lunch and the
    plan verifies."""
    dataset = _day()
    plan = _planned(dataset)
    changes = _changed(dataset, {"kind": "job_overrun", "job_id": "A", "minutes": 60})
    result = replan(dataset, plan, changes, shift_tolerance=60, time_limit=1.0)
    assert result.violations == ()
    assert _starts(result.plan)["B"] >= at(13)
    assert _spans(result.plan) == [(at(12, 30), at(13))]


def _order_d(dataset: Dataset) -> list[Change]:
    """D, a half-hour order for 11:30-12:30 of high priority, comes in."""
    record = {
        "kind": "job_added",
        "job_id": "D",
        "customer_id": "C1",
        "service_type": "cleaning",
        "lat": dataset.jobs[0].location.lat,
        "lon": dataset.jobs[0].location.lon,
        "earliest_start": at(11, 30).isoformat(),
        "latest_start": at(12, 30).isoformat(),
        "duration_minutes": 30,
        "required_skills": "cleaning:2",
        "priority": 5,
    }
    return _changed(dataset, record)


def test_a_break_taken_before_the_freeze_stays_where_it_was() -> None:
    """With a lunch that may start until 14:00, at 11:45 W1 is on the lunch that began
    11:30: D goes in after it at 12:00, B moves to 12:30 (one move), and the lunch stays
    11:30-12:00 (moving it after B would serve D at 11:45). With no freeze the lunch is
    free to move and D takes 11:30."""
    late = LUNCH.model_copy(update={"latest_start": time(14)})
    dataset = _day(lunch=late)
    plan = _planned(dataset)
    changes = _order_d(dataset)
    held = replan(dataset, plan, changes, freeze_before=at(11, 45), max_moves=1, time_limit=1.0)
    assert held.violations == ()
    assert _spans(held.plan) == [(at(11, 30), at(12))]
    assert _starts(held.plan) == {"A": at(9), "D": at(12), "B": at(12, 30)}
    free = replan(dataset, plan, changes, max_moves=1, time_limit=1.0)
    assert free.violations == ()
    assert _starts(free.plan)["D"] == at(11, 30)
    assert _spans(free.plan) != [(at(11, 30), at(12))]


def test_a_break_still_to_come_is_not_placed_in_the_past() -> None:
    """B runs 11:30-12:30 and the lunch follows at 12:30. B is cancelled at 12:00: the
    lunch may not go back to 11:30 (that time passed without it); it starts at 12:00."""
    dataset = _day(second_start=at(11, 30))
    plan = _planned(dataset)
    assert _starts(plan) == {"A": at(9), "B": at(11, 30)}
    assert _spans(plan) == [(at(12, 30), at(13))]
    changes = _changed(dataset, {"kind": "job_cancelled", "job_id": "B"})
    result = replan(dataset, plan, changes, freeze_before=at(12), time_limit=1.0)
    assert result.violations == ()
    assert _spans(result.plan) == [(at(12), at(12, 30))]


def test_a_solver_without_breaks_refuses_the_round() -> None:
    """replan --solver greedy cannot place breaks: it refuses, naming them."""
    dataset = _day()
    plan = _planned(dataset)
    changes = _changed(dataset, {"kind": "job_overrun", "job_id": "A", "minutes": 60})
    with pytest.raises(RequestError, match=r"breaks"):
        replan(dataset, plan, changes, solver="greedy", time_limit=1.0)


@settings(max_examples=12, deadline=None, suppress_health_check=_SLOW)
@given(data=st.data(), budget=st.sampled_from([0, 2]))
def test_a_random_replan_with_breaks_verifies_and_keeps_the_breaks_taken(
    data: st.DataObject, budget: int
) -> None:
    """Random rounds with break rules, random changes and freeze: the re-plan verifies
    (rule breaks included), frozen jobs keep worker and start, and every break starting
    before the freeze is a break of the previous plan, unless the worker had none that
    day before."""
    from tests.strategies import datasets

    dataset = data.draw(datasets(max_workers=4, max_jobs=6, pins=False, breaks=True))
    plan = plan_with_breaks(dataset)
    changes = data.draw(_changes(dataset, plan))
    starts = sorted({a.start for a in plan.assignments}, key=utc)
    freeze = data.draw(st.sampled_from([None, *starts]))
    result = replan(dataset, plan, changes, max_moves=budget, freeze_before=freeze, time_limit=1.0)
    assert result.violations == (), [v.message for v in result.violations]
    assert verify(result.dataset, result.plan) == []
    before = {(a.job_id, a.worker_id): a.start for a in plan.assignments}
    for a in result.plan.assignments:
        if a.job_id in result.frozen:
            assert before.get((a.job_id, a.worker_id)) == a.start
    if freeze is not None:
        old = set(plan.breaks)
        days = {(b.worker_id, b.start.date()) for b in plan.breaks}
        for pause in result.plan.breaks:
            if utc(pause.start) < utc(freeze):
                assert pause in old or (pause.worker_id, pause.start.date()) not in days
