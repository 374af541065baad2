"""Recurring orders expanded into contract jobs."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from matchmaker.lifecycle import Recurrence, VisitTemplate, expand, jobs_frame
from matchmaker.lifecycle._contract import JOB_COLUMNS
from matchmaker.model import LifecycleError

TEMPLATE = VisitTemplate(
    duration_minutes=180, window_minutes=30, required_skills="cleaning:2", price=Decimal("150.00")
)


def test_weekly_on_given_weekdays_n_times() -> None:
    """Weekly on Monday and Thursday, five times, from a Wednesday."""
    rule = Recurrence.weekly(
        date(2026, 12, 2), (0, 3), start_time=time(9, 0), timezone="Asia/Shanghai", count=5
    )
    assert rule.dates() == [
        date(2026, 12, 3),
        date(2026, 12, 7),
        date(2026, 12, 10),
        date(2026, 12, 14),
        date(2026, 12, 17),
    ]


def test_every_other_week_until_a_date() -> None:
    """Every two weeks on Friday, counting from the start date's week, until a date."""
    rule = Recurrence.weekly(
        date(2026, 12, 1),
        (4,),
        start_time=time(9, 0),
        timezone="Asia/Shanghai",
        every_weeks=2,
        until=date(2027, 1, 15),
    )
    assert rule.dates() == [
        date(2026, 12, 4),
        date(2026, 12, 18),
        date(2027, 1, 1),
        date(2027, 1, 15),
    ]


def test_long_placement_is_daily() -> None:
    """A 26-day postpartum placement is one visit a day for 26 days."""
    rule = Recurrence.daily(
        date(2026, 12, 10), days=26, start_time=time(8, 0), timezone="Asia/Shanghai"
    )
    days = rule.dates()
    assert len(days) == 26 and days[0] == date(2026, 12, 10) and days[-1] == date(2027, 1, 4)


def test_local_start_time_survives_daylight_saving() -> None:
    """Visits start at the same wall-clock time across a daylight-saving change."""
    rule = Recurrence.weekly(
        date(2027, 3, 1), (0,), start_time=time(9, 0), timezone="Europe/Berlin", count=5
    )
    starts = rule.starts()
    assert {s.hour for s in starts} == {9}
    assert starts[0].utcoffset() != starts[-1].utcoffset()


def test_expand_gives_contract_jobs() -> None:
    """Each occurrence becomes a job of the order, with window and template fields."""
    rule = Recurrence.weekly(
        date(2026, 12, 1), (1,), start_time=time(14, 0), timezone="Asia/Shanghai", count=3
    )
    jobs = expand(rule, TEMPLATE, order_id="O7", customer_id="C1", service_type="daily_cleaning")
    assert [visit_id for visit_id, _ in jobs] == ["O7-001", "O7-002", "O7-003"]
    _, first = jobs[0]
    assert first.earliest_start.isoformat() == "2026-12-01T14:00:00+08:00"
    assert first.latest_start.isoformat() == "2026-12-01T14:30:00+08:00"
    assert (first.order_id, first.customer_id, first.required_skills) == ("O7", "C1", "cleaning:2")
    frame = jobs_frame(jobs)
    assert list(frame.columns) == JOB_COLUMNS
    assert frame["job_id"].tolist() == ["O7-001", "O7-002", "O7-003"]
    assert frame.loc[0, "duration_minutes"] == "180"


@pytest.mark.parametrize(
    "arguments",
    [
        {"frequency": "weekly", "weekdays": (), "count": 2},
        {"frequency": "weekly", "weekdays": (7,), "count": 2},
        {"frequency": "daily", "count": 2, "until": date(2027, 1, 1)},
        {"frequency": "daily"},
        {"frequency": "daily", "count": 2, "timezone": "Mars/Olympus"},
    ],
)
def test_invalid_recurrence_is_refused(arguments: dict[str, object]) -> None:
    """No weekdays, a bad weekday, both or neither end, an unknown zone: each refused."""
    values: dict[str, object] = {
        "start_date": date(2026, 12, 1),
        "start_time": time(9, 0),
        "timezone": "Asia/Shanghai",
        **arguments,
    }
    with pytest.raises(LifecycleError):
        Recurrence(**values)  # type: ignore[arg-type]


def test_visits_on_a_spring_forward_day_count_real_time() -> None:
    """On 2027-03-28 in Berlin (02:00 -> 03:00) a visit set for 02:30 starts at 03:30, and
    a 90-minute window from 01:45 ends 90 real minutes later (04:15), not on the wall
    clock (03:15)."""
    template = VisitTemplate(duration_minutes=60, window_minutes=90)
    skipped = Recurrence.daily(
        date(2027, 3, 27), days=2, start_time=time(2, 30), timezone="Europe/Berlin"
    )
    assert [s.isoformat() for s in skipped.starts()] == [
        "2027-03-27T02:30:00+01:00",
        "2027-03-28T03:30:00+02:00",
    ]
    early = Recurrence.daily(
        date(2027, 3, 28), days=1, start_time=time(1, 45), timezone="Europe/Berlin"
    )
    ((_, visit),) = expand(early, template, order_id="O1", customer_id="C1", service_type="x")
    assert visit.earliest_start.isoformat() == "2027-03-28T01:45:00+01:00"
    assert visit.latest_start.isoformat() == "2027-03-28T04:15:00+02:00"


def test_a_template_due_minutes_gives_each_visit_a_due_start() -> None:
    """``due_minutes`` puts each occurrence's soft due start that many real minutes after
    its start (inside the window); the jobs table carries it; without it there is none."""
    template = VisitTemplate(duration_minutes=60, window_minutes=60, due_minutes=15)
    rule = Recurrence.daily(date(2026, 12, 1), days=2, start_time=time(8, 0), timezone="UTC")
    jobs = expand(rule, template, order_id="O1", customer_id="C1", service_type="care")
    assert [j.due_start.isoformat() for _, j in jobs if j.due_start] == [
        "2026-12-01T08:15:00+00:00",
        "2026-12-02T08:15:00+00:00",
    ]
    assert list(jobs_frame(jobs)["due_start"]) == [
        "2026-12-01T08:15:00+00:00",
        "2026-12-02T08:15:00+00:00",
    ]
    plain = expand(rule, TEMPLATE, order_id="O1", customer_id="C1", service_type="care")
    assert all(j.due_start is None for _, j in plain)


def test_a_template_due_after_its_window_is_refused_naming_the_field() -> None:
    """A template whose ``due_minutes`` passes ``window_minutes`` is refused, the error
    naming ``due_minutes``."""
    from pydantic import ValidationError

    from matchmaker.lifecycle._order_schema import VisitTemplateModel

    with pytest.raises(ValidationError) as caught:
        VisitTemplateModel.model_validate(
            {"duration_minutes": 60, "window_minutes": 30, "due_minutes": 45}
        )
    assert [e["loc"] for e in caught.value.errors()] == [("due_minutes",)]
