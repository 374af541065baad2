"""KPIs of the home-care rules: the break KPIs appear only with break rules and count
the plan's break rows."""

from __future__ import annotations

from matchmaker.model import BreakRule, Dataset, DatasetSettings, TimeWindow
from matchmaker.plan import Break, Plan, dispatch, plan_kpis, verify
from tests.rules.test_breaks import LUNCH
from tests.rules.world import at, job, shift, worker, world

TEA = BreakRule(
    name="tea", min_minutes=15, earliest_start="15:00", latest_start="15:30", min_shift_minutes=360
)
"""A 15-minute break starting 15:00-15:30 for shifts over six hours."""


def _round(*rules: BreakRule) -> Dataset:
    """W1 and W2 on 08:00-16:00 and W3 on 08:00-12:00; J1 (09:00-11:30) and J2 (three
    hours from 11:40 to 13:00) both need a day worker, who must take lunch before J2;
    J3 (10:00, one hour) fits W3, whose short shift needs no break."""
    return world(
        workers=[
            worker("W1", shifts=(shift(8, 16),)),
            worker("W2", shifts=(shift(8, 16),)),
            worker("W3", shifts=(shift(8, 12),)),
        ],
        jobs=[
            job("J1", window=TimeWindow(start=at(9), end=at(9)), duration_minutes=150),
            job("J2", window=TimeWindow(start=at(11, 40), end=at(13)), duration_minutes=180),
            job("J3", window=TimeWindow(start=at(10), end=at(10)), duration_minutes=60),
        ],
        settings=DatasetSettings(breaks=rules),
    )


def _planned(dataset: Dataset) -> Plan:
    result = dispatch(dataset, solver="routing", time_limit=1.0, seed=0)
    assert verify(dataset, result.plan) == []
    return result.plan


def _minutes(b: Break) -> float:
    return (b.end - b.start).total_seconds() / 60


def test_break_kpis_count_the_break_rows_where_the_break_binds() -> None:
    """Lunch binds (J2 waits for it): every day worker who works takes a 60-minute lunch
    and a 15-minute tea break; the KPIs are the count, the minutes and the workers of the
    plan's break rows, and W3's short shift adds none."""
    plan = _planned(_round(LUNCH, TEA))
    assert {a.job_id for a in plan.assignments} == {"J1", "J2", "J3"}
    (second,) = [a for a in plan.assignments if a.job_id == "J2"]
    assert second.start >= at(12, 30)  # after its worker's lunch, not at 11:40
    day_workers = {a.worker_id for a in plan.assignments} - {"W3"}
    kpis = plan.kpis
    assert kpis["breaks_planned"] == len(plan.breaks) == 2 * len(day_workers)
    assert kpis["break_minutes_total"] == sum(_minutes(b) for b in plan.breaks)
    assert kpis["break_minutes_total"] == (60 + 15) * len(day_workers)
    assert kpis["workers_with_breaks"] == len(day_workers)
    assert "W3" not in {b.worker_id for b in plan.breaks}


def test_no_break_rules_no_break_kpis() -> None:
    """A round without [[breaks]] has no break KPIs at all, like the other rule KPIs."""
    kpis = _planned(_round()).kpis
    assert not {"breaks_planned", "break_minutes_total", "workers_with_breaks"} & set(kpis)


def test_rules_but_no_break_needed_gives_zeros() -> None:
    """With break rules but a plan that needs no break (nothing served), the KPIs are 0."""
    dataset = _round(LUNCH)
    empty = Plan(assignments=(), unassigned=(), kpis={})
    kpis = plan_kpis(dataset, empty, dataset.settings.policy)
    assert kpis["breaks_planned"] == 0
    assert kpis["break_minutes_total"] == 0
    assert kpis["workers_with_breaks"] == 0


def test_hand_made_breaks_are_counted() -> None:
    """plan_kpis reads the plan's own break rows: two breaks of 45 and 30 minutes of one
    worker give 2 breaks, 75 minutes, 1 worker."""
    dataset = _round(LUNCH)
    rows = (
        Break(worker_id="W1", start=at(11, 30), end=at(12, 15)),
        Break(worker_id="W1", start=at(15), end=at(15, 30)),
    )
    plan = Plan(assignments=(), unassigned=(), kpis={}, breaks=rows)
    kpis = plan_kpis(dataset, plan, dataset.settings.policy)
    counted = (kpis["breaks_planned"], kpis["break_minutes_total"], kpis["workers_with_breaks"])
    assert counted == (2, 75, 1)
