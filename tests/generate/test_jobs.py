"""Tests of the drawn jobs (matchmaker.generate._jobs)."""

from __future__ import annotations

import pandas as pd

from tests.generate.reading import (
    ISO,
    NAMES,
    SERVICES,
    SKILLS,
    WORKER_IDS,
)


def test_job_cells_have_contract_formats(week: dict[str, pd.DataFrame]) -> None:
    """Job list cells, times, enums and defaults are written as the contract says."""
    j = week["jobs"]
    assert set(j.service_type) <= SERVICES
    for column in ("earliest_start", "latest_start"):
        assert j[column].str.fullmatch(ISO.pattern).all()
    pinned = j.pinned_start != ""
    assert j.pinned_start[pinned].str.fullmatch(ISO.pattern).all()
    assert ((j.pinned_worker_id != "") == pinned).all()
    assert j.pinned_worker_id.str.fullmatch(WORKER_IDS.pattern).all()
    assert j.required_skills.str.fullmatch(SKILLS.pattern).all()
    assert j.required_certificates.str.fullmatch(NAMES.pattern).all()
    assert set(j.gender_required) <= {"", "F", "M"}
    assert j.language_required.str.fullmatch(NAMES.pattern).all()
    assert j.priority.between(1, 5).all() and j.workers_needed.between(1, 3).all()
    assert (j.lat.isna() == j.lon.isna()).all()
    c = week["customers"]
    assert set(c.preferred_gender) <= {"", "F", "M"}
    for column in ("preferred_workers", "blocked_workers", "previous_workers"):
        assert c[column].str.fullmatch(WORKER_IDS.pattern).all()
    assert set(c.preferred_workers.str.split(";").explode()) - {""} <= set(
        week["workers"].worker_id
    )


def test_job_windows_and_durations_are_realistic(city: dict[str, pd.DataFrame]) -> None:
    """Jobs start and end between 08:00 and 18:00, windows are 0-180 minutes wide."""
    j = city["jobs"]
    earliest = pd.to_datetime(j.earliest_start)
    latest = pd.to_datetime(j.latest_start)
    width = (latest - earliest).dt.total_seconds() / 60
    assert width.between(0, 180).all()
    care = j.service_type.isin({"elderly_care", "infant_care", "postpartum_care"})
    assert width[care].between(0, 120).all()
    assert (earliest.dt.hour >= 8).all()
    end = latest + pd.to_timedelta(j.duration_minutes, unit="min")
    assert (end.dt.hour * 60 + end.dt.minute <= 18 * 60).all()
    # On one day a care visit is a home visit of two to four hours.
    ranges = {
        "daily_cleaning": (120, 180), "hourly_help": (60, 120), "deep_cleaning": (180, 240),
        "post_renovation_cleaning": (240, 360), "cooking": (60, 120),
        "elderly_care": (120, 240), "infant_care": (120, 240), "postpartum_care": (120, 240),
    }  # fmt: skip
    for service, (low, high) in ranges.items():
        assert j.duration_minutes[j.service_type == service].between(low, high).all(), service
    # Visits are booked in the morning, around noon and in the afternoon, not all at once.
    hour = earliest.dt.hour
    assert 0.3 < (hour < 11).mean() < 0.6
    assert 0.15 < ((hour >= 11) & (hour < 13)).mean() < 0.35
    assert 0.2 < (hour >= 13).mean() < 0.45
    infant = j.service_type.isin({"infant_care", "postpartum_care"})
    assert (j.gender_required[infant] == "F").all()
    assert j.required_certificates[infant].str.contains("health").all()
    assert (j.priority == 3).mean() > 0.35
    assert 0.4 < j.lat.isna().mean() < 0.6
    assert 0.5 < len(city["customers"]) / len(j) * 1.5 < 1.5


def test_team_jobs_are_cleaning_jobs(city: dict[str, pd.DataFrame]) -> None:
    """Team jobs occur, only for deep and post-renovation cleaning, mostly the latter."""
    j = city["jobs"]
    teams = j[j.workers_needed > 1]
    assert len(teams) > 0
    assert set(teams.service_type) <= {"deep_cleaning", "post_renovation_cleaning"}
    renovation = j[j.service_type == "post_renovation_cleaning"]
    assert (renovation.workers_needed >= 2).mean() > 0.6


def test_one_day_load_is_busy_but_workable(city: dict[str, pd.DataFrame]) -> None:
    """Three jobs per worker ask for about the work minutes the dispatchable staff can give."""
    w, j = city["workers"], city["jobs"]
    valid_check = (w.background_check_expires == "") | (w.background_check_expires >= "2026-12-01")
    dispatchable = (w.status == "active") & (w.background_check == "passed") & valid_check
    assert 0.85 < dispatchable.mean() < 0.95
    asked = (j.duration_minutes * j.workers_needed).sum()
    assert 0.85 < asked / w.max_work_minutes[dispatchable].sum() < 1.15


def test_long_placements_only_over_several_days(week: dict[str, pd.DataFrame]) -> None:
    """Care visits over four hours are placements: recurring orders of a multi-day horizon."""
    jobs = week["jobs"]
    visits = jobs.groupby("order_id").job_id.transform("size")
    care = jobs.service_type.isin({"elderly_care", "infant_care", "postpartum_care"})
    long_visits = care & (jobs.duration_minutes > 240)
    assert long_visits.any() and (visits[long_visits] > 1).all()
    assert jobs.duration_minutes[care].max() <= 480


def test_recurring_orders_span_days(week: dict[str, pd.DataFrame]) -> None:
    """Recurring customers keep one order across days, one visit a day, same service."""
    jobs = week["jobs"]
    jobs = jobs.assign(day=jobs.earliest_start.str[:10])
    per_order = jobs.groupby("order_id").agg(
        visits=("job_id", "size"),
        days=("day", "nunique"),
        services=("service_type", "nunique"),
        customers=("customer_id", "nunique"),
    )
    assert (per_order.visits > 1).any()
    assert (per_order.visits == per_order.days).all()
    assert (per_order.services == 1).all() and (per_order.customers == 1).all()
