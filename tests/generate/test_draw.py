"""Tests of the drawn workers and customers (matchmaker.generate._draw)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.generate.reading import (
    CERTIFICATES,
    DAY,
    ISO,
    NAMES,
    SKILLS,
    split_cell,
)


def test_worker_cells_have_contract_formats(week: dict[str, pd.DataFrame]) -> None:
    """Worker list cells, dates, times and enums are written as the contract says."""
    w = week["workers"]
    assert set(w.gender) <= {"F", "M"}
    assert w.languages.str.fullmatch(NAMES.pattern).all() and (w.languages != "").all()
    assert w.skills.str.fullmatch(SKILLS.pattern).all()
    assert w.certificates.str.fullmatch(CERTIFICATES.pattern).all()
    assert set(w.background_check) <= {"passed", "pending", "failed"}
    expires = w.background_check_expires
    assert expires[expires != ""].str.fullmatch(DAY.pattern).all()
    assert set(w.travel_mode) <= {"walk", "bike", "transit", "car"}
    assert set(w.status) <= {"active", "suspended", "on_leave"}
    for column in ("shift_start", "shift_end"):
        assert w[column].str.fullmatch(ISO.pattern).all()
        assert (w[column].str[:10] == "2026-12-01").all()


def test_worker_values_are_in_range(city: dict[str, pd.DataFrame]) -> None:
    """Experience, ratings, capacities and homes stay inside their realistic ranges."""
    w = city["workers"]
    assert w.experience_years.between(0, 20).all()
    assert w.rating_count.between(0, 300).all()
    rated = w.rating_count > 0
    assert w.rating[rated].between(3.0, 5.0).all() and w.rating[~rated].isna().all()
    assert w.max_jobs.between(2, 5).all() and w.max_work_minutes.between(180, 540).all()
    full_day = (w.shift_start.str[11:16] == "08:00") & (w.shift_end.str[11:16] == "18:00")
    assert w.max_work_minutes[full_day].between(420, 540).all()
    assert w.max_jobs[full_day].between(3, 5).all()
    # A part-timer keeps an hour of the shift for the road.
    part_time = ~full_day
    shift = (pd.to_datetime(w.shift_end) - pd.to_datetime(w.shift_start)).dt.total_seconds() / 60
    assert (w.max_work_minutes[part_time] == shift[part_time] - 60).all()
    assert w.max_jobs[part_time].between(2, 3).all()
    assert w.home_lat.between(31.0, 31.5).all() and w.home_lon.between(121.2, 121.8).all()
    counts = w.skills.str.count(";") + 1
    assert counts.between(2, 3).mean() > 0.5
    levels = w.skills.str.findall(r":(\d)").explode().astype(int)
    assert levels.between(2, 4).mean() > 0.7
    assert (w.languages.str.contains("mandarin")).mean() > 0.9
    inactive = (w.status != "active").mean()
    assert 0.005 < inactive < 0.08
    assert 0.88 < (w.background_check == "passed").mean() < 0.98
    assert (w.gender == "F").mean() > 0.6
    assert 0.8 < full_day.mean() < 0.95
    assert set(w.travel_mode) == {"walk", "bike", "transit", "car"}


def test_hard_ingredients_are_present(city: dict[str, pd.DataFrame]) -> None:
    """Expired certificates, failed and expiring checks and blocked workers all occur."""
    w, c = city["workers"], city["customers"]
    expiries = w.certificates.str.findall(r":(\d{4}-\d{2}-\d{2})").explode().dropna()
    assert (expiries < "2026-12-01").any()
    assert (w.background_check == "failed").any() and (w.background_check == "pending").any()
    expires = w.background_check_expires[w.background_check_expires != ""]
    assert (expires < "2026-12-01").any()
    assert (c.blocked_workers != "").any() and (c.preferred_languages != "").any()
    assert (city["jobs"].language_required != "").any()


def test_previous_workers_do_the_customers_work(day: dict[str, pd.DataFrame]) -> None:
    """Customers have earlier workers (most of them), distinct and never also blocked."""
    c = day["customers"]
    assert (c.previous_workers != "").mean() > 0.5
    for row in c.itertuples():
        previous = split_cell(row.previous_workers)
        assert len(previous) == len(set(previous))
        assert not set(previous) & set(split_cell(row.blocked_workers))
        assert not set(split_cell(row.preferred_workers)) & set(split_cell(row.blocked_workers))


def test_workers_live_near_the_work(city: dict[str, pd.DataFrame]) -> None:
    """Jobs have workers living nearby; travel modes follow the distance to cover."""
    w, j, c = city["workers"], city["jobs"], city["customers"].set_index("customer_id")
    lat = j.lat.fillna(j.customer_id.map(c.lat)).to_numpy()
    lon = j.lon.fillna(j.customer_id.map(c.lon)).to_numpy()
    km = np.hypot(
        (lat[:, None] - w.home_lat.to_numpy()[None, :]) * 110.57,
        (lon[:, None] - w.home_lon.to_numpy()[None, :]) * 95.3,
    )
    assert np.median(np.sort(km, axis=1)[:, 4]) < 2.5  # five workers within a short ride
    from_centre = np.hypot((w.home_lat - 31.23) * 110.57, (w.home_lon - 121.47) * 95.3)
    by_mode = from_centre.groupby(w.travel_mode).mean()
    assert by_mode["walk"] < by_mode["bike"] < min(by_mode["transit"], by_mode["car"])
    assert (w.travel_mode == "walk").mean() < 0.05


def test_availability_only_with_several_days(
    day: dict[str, pd.DataFrame], week: dict[str, pd.DataFrame]
) -> None:
    """A week has one shift row per worked day, some days off; one day has no table."""
    assert "availability" not in day
    availability = week["availability"]
    assert availability.start.str.fullmatch(ISO.pattern).all()
    assert availability.end.str.fullmatch(ISO.pattern).all()
    assert (availability.start.str[:10] == availability.end.str[:10]).all()
    per_worker = availability.groupby("worker_id").size()
    assert set(per_worker.index) == set(week["workers"].worker_id)
    assert per_worker.max() == 5 and per_worker.min() >= 1 and (per_worker < 5).any()
    assert not availability.duplicated(["worker_id", "start"]).any()
    assert set(week["jobs"].earliest_start.str[:10]) == {f"2026-12-0{d}" for d in range(1, 6)}
