"""Tests of ``generate --home-care``: the home-care rules drawn onto a generated round
load, bind and plan with the routing backend, without touching the plain output."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.generate import generate_dataset, generate_frames, home_care_settings
from matchmaker.io import dataset_from_frames, load_dataset
from matchmaker.plan import dispatch, verify

runner = CliRunner()

_JOB_COLUMNS = ["due_start", "depends_on", "min_gap", "max_gap", "link_worker"]
_LIMITS = ["max_week_minutes", "min_rest_minutes", "max_consecutive_days"]


@pytest.fixture(scope="module")
def week() -> dict[str, pd.DataFrame]:
    return generate_frames(workers=40, jobs=160, seed=4, days=7, home_care=True)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_plain_output_is_unchanged_and_the_city_is_the_seeds() -> None:
    """``home_care=False`` is the default output exactly; with it the workers and
    customers are the seed's own, with only the new columns added."""
    plain = generate_frames(workers=30, jobs=90, seed=5, days=3)
    off = generate_frames(workers=30, jobs=90, seed=5, days=3, home_care=False)
    care = generate_frames(workers=30, jobs=90, seed=5, days=3, home_care=True)
    for name in plain:
        pd.testing.assert_frame_equal(plain[name], off[name])
    pd.testing.assert_frame_equal(plain["workers"], care["workers"].drop(columns=_LIMITS))
    pd.testing.assert_frame_equal(
        plain["customers"], care["customers"].drop(columns=["max_distinct_workers"])
    )
    pd.testing.assert_frame_equal(plain["availability"], care["availability"])
    assert list(care["jobs"].columns) == [*plain["jobs"].columns, *_JOB_COLUMNS]
    assert len(care["jobs"]) == 90


def test_same_seed_same_home_care_round() -> None:
    """Home-care generation is deterministic by seed, and another seed differs."""
    first = generate_frames(workers=20, jobs=60, seed=8, days=2, home_care=True)
    again = generate_frames(workers=20, jobs=60, seed=8, days=2, home_care=True)
    other = generate_frames(workers=20, jobs=60, seed=9, days=2, home_care=True)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["jobs"].equals(other["jobs"])


@pytest.mark.parametrize(("seed", "days"), [(1, 1), (2, 1), (3, 5), (6, 7)])
def test_home_care_frames_load_with_their_pins(seed: int, days: int) -> None:
    """Every pin of a home-care round is servable with its lunch break and links (the
    loader's pin check passes), for one day and for a week."""
    frames = generate_frames(workers=50, jobs=150, seed=seed, days=days, home_care=True)
    dataset = dataset_from_frames(frames, settings=home_care_settings(), pins=True)
    assert len(dataset.jobs) == 150
    assert any(job.is_pinned for job in dataset.jobs)
    assert [rule.name for rule in dataset.settings.breaks] == ["lunch"]


def test_linked_pairs_are_satisfiable(week: dict[str, pd.DataFrame]) -> None:
    """Each second visit is of its first visit's customer and day, needs the same, is
    not pinned, and its window holds a start min_gap to max_gap after some start of the
    first one; both kinds of pairs (evening, insulin) and both link rules occur."""
    jobs = week["jobs"].set_index("job_id")
    second = jobs[jobs.depends_on != ""]
    assert len(second) >= 5
    first = jobs.loc[second.depends_on]
    for column in ("customer_id", "service_type", "required_skills", "workers_needed"):
        assert (first[column].to_numpy() == second[column].to_numpy()).all()
    assert (second.pinned_worker_id == "").all() and (first.pinned_worker_id == "").all()
    assert set(second.link_worker) == {"same", "any"}
    assert set(zip(second.min_gap, second.max_gap, strict=True)) == {(480, 600), (240, 300)}
    for (_, a), (_, b) in zip(first.iterrows(), second.iterrows(), strict=True):
        a_low, a_high = _time(a.earliest_start), _time(a.latest_start)
        b_low, b_high = _time(b.earliest_start), _time(b.latest_start)
        assert a_low.date() == b_low.date()
        assert max(b_low, a_low + timedelta(minutes=int(b.min_gap))) <= min(
            b_high, a_high + timedelta(minutes=int(b.max_gap))
        )


def test_soft_windows_lie_inside_the_windows(week: dict[str, pd.DataFrame]) -> None:
    """``due_start`` is set on a good share of jobs, always inside the window and on a
    quarter hour after the earliest start; visits are at most four hours."""
    jobs = week["jobs"]
    due = jobs[jobs.due_start != ""]
    assert 0.2 * len(jobs) <= len(due) <= 0.6 * len(jobs)
    for _, row in due.iterrows():
        low, high, when = (_time(row[c]) for c in ("earliest_start", "latest_start", "due_start"))
        assert low <= when <= high
        assert (when - low) % timedelta(minutes=15) == timedelta(0)
    assert jobs.duration_minutes.max() <= 240


def test_limits_and_caps(week: dict[str, pd.DataFrame]) -> None:
    """A week round gives every worker limits across days (44 h / 6 days full time, 24 h /
    5 days part time, 11 h rest); a day round gives none; care customers get a continuity
    cap of at least 2, the others none."""
    workers = week["workers"]
    assert set(workers.min_rest_minutes) == {660}
    assert workers.max_week_minutes.min() == 1440
    assert {1440, 2640} <= set(workers.max_week_minutes)
    assert {5, 6} <= set(workers.max_consecutive_days)
    day = generate_frames(workers=20, jobs=60, seed=4, home_care=True)
    assert not set(_LIMITS) & set(day["workers"].columns)
    customers = week["customers"].set_index("customer_id")
    jobs = week["jobs"]
    care = jobs[jobs.service_type.str.endswith("_care")].customer_id
    capped = customers.max_distinct_workers.dropna()
    assert len(capped) > 0 and capped.min() >= 2
    assert set(capped.index) & set(jobs.customer_id) <= set(care)
    assert customers.max_distinct_workers.isna().any()


def test_the_folder_has_the_break_rule(tmp_path: Path) -> None:
    """``generate_dataset(home_care=True)`` writes the lunch rule into dataset.toml and
    the command that rebuilds the round; the folder loads with it."""
    generate_dataset(tmp_path / "d", workers=15, jobs=45, seed=2, days=2, home_care=True)
    text = (tmp_path / "d" / "dataset.toml").read_text(encoding="utf-8")
    assert "--home-care" in text
    settings = tomllib.loads(text)
    assert settings["breaks"] == [
        {
            "name": "lunch",
            "min_minutes": 30,
            "max_minutes": 60,
            "earliest_start": "11:30",
            "latest_start": "14:00",
            "min_shift_minutes": 360,
        }
    ]
    dataset = load_dataset(tmp_path / "d")
    assert dataset.settings.breaks == home_care_settings().breaks


def test_rules_bind_in_a_routing_plan(week: dict[str, pd.DataFrame]) -> None:
    """Planned with routing, the week serves linked pairs, plans lunch breaks, counts
    lateness, and the verifier finds no violation."""
    dataset = dataset_from_frames(week, settings=home_care_settings())
    result = dispatch(dataset, solver="routing", time_limit=3.0, seed=0)
    assert verify(dataset, result.plan) == []
    served = {a.job_id for a in result.plan.assignments}
    linked = week["jobs"][week["jobs"].depends_on != ""]
    assert (linked.job_id.isin(served) & linked.depends_on.isin(served)).sum() >= 3
    assert len(result.plan.breaks) > 0
    assert "lateness_minutes_total" in result.plan.kpis
    assert result.plan.kpis["fill_rate"] >= 0.6


def test_cli_generate_validate_dispatch_verify(tmp_path: Path) -> None:
    """``matchmaker generate --home-care`` writes a round that ``validate`` accepts,
    ``dispatch --solver routing`` plans, and ``verify`` finds without violations."""
    data, plan = tmp_path / "data", tmp_path / "plan"
    args = ["generate", str(data), "--workers", "20", "--jobs", "60", "--seed", "5"]
    result = runner.invoke(app, [*args, "--days", "3", "--home-care"])
    assert result.exit_code == 0, result.output
    assert "home-care rules" in result.output
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0
    args = ["dispatch", str(data), "--out", str(plan), "--solver", "routing"]
    result = runner.invoke(app, [*args, "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["verify", str(data), str(plan)])
    assert result.exit_code == 0, result.output
    kpis = json.loads((plan / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["jobs_served"] > 0
    assert kpis["breaks_planned"] > 0 and kpis["break_minutes_total"] >= 30
    assert np.isfinite(kpis["lateness_minutes_total"])
