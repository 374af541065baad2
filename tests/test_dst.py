"""Rounds on daylight-saving days: solver minutes become instants through UTC.

Europe/Berlin springs forward on 2027-03-28 (02:00 CET -> 03:00 CEST: 02:00-03:00 does not
exist) and falls back on 2027-10-31 (03:00 CEST -> 02:00 CET: 02:00-03:00 happens twice).
Horizons start at local midnight, before the change, so every minute of such a day crosses
it; adding minutes to a local wall-clock time puts every job an hour off.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from typer.testing import CliRunner

from matchmaker.cli import app
from matchmaker.compile import compile_problem
from matchmaker.generate import generate_frames
from matchmaker.io import dataset_from_frames, load_dataset, read_plan, write_tables
from matchmaker.model import Dataset, DatasetSettings, Policy, Shift, TimeWindow
from matchmaker.plan import dispatch, explain_job, verify
from tests.rules.world import job, plan_of, rules_broken, worker, world

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = DatasetSettings(timezone="Europe/Berlin")
SPRING = date(2027, 3, 28)
AUTUMN = date(2027, 10, 31)
TIME_COLUMNS = {
    "workers": ("shift_start", "shift_end"),
    "availability": ("start", "end"),
    "jobs": ("earliest_start", "latest_start", "pinned_start"),
}
runner = CliRunner()


def _local(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN, fold=fold)


def _moved_frames(day: date) -> dict[str, pd.DataFrame]:
    """A small generated round on ``day``, its times as Berlin wall-clock times, no pins."""
    frames = generate_frames(workers=12, jobs=30, seed=1, start_date=day)
    for table, columns in TIME_COLUMNS.items():
        if table not in frames:
            continue
        frame = frames[table].copy()
        for column in columns:
            frame[column] = [re.sub(r"[+-]\d\d:\d\d$", "", str(v)) for v in frame[column]]
        frames[table] = frame
    frames["jobs"]["pinned_worker_id"] = ""
    frames["jobs"]["pinned_start"] = ""
    return frames


def _berlin_world(day: date) -> Dataset:
    """One worker 08:00-18:00 on ``day`` in Berlin, jobs J1 and J2 both fixed at 09:00."""
    nine = TimeWindow(start=_local(day, 9), end=_local(day, 9))
    return world(
        workers=[worker(shifts=(Shift(start=_local(day, 8), end=_local(day, 18)),))],
        jobs=[job("J1", window=nine, priority=5), job("J2", window=nine)],
        settings=SETTINGS,
    )


@pytest.mark.parametrize("day", [SPRING, AUTUMN], ids=["spring-forward", "fall-back"])
@pytest.mark.parametrize("solver", ["greedy", "routing"])
def test_generated_round_on_a_clock_change_day_gives_a_verified_plan(
    day: date, solver: str
) -> None:
    """A generated round moved to a Berlin clock-change day dispatches to a plan verify
    accepts, with every visit starting inside its local window."""
    dataset = dataset_from_frames(_moved_frames(day), settings=SETTINGS)
    result = dispatch(dataset, solver=solver, time_limit=1, seed=1)
    assert result.violations == ()
    assert verify(dataset, result.plan) == []
    assert result.plan.assignments
    for a in result.plan.assignments:
        local = a.start.astimezone(BERLIN)
        assert local.date() == day and 8 <= local.hour < 18
        assert (a.end - a.start) == timedelta(minutes=dataset.job(a.job_id).duration_minutes)


def test_cli_dispatches_a_spring_forward_round(tmp_path: Path) -> None:
    """``validate``, ``dispatch`` and ``verify`` all exit 0 on a spring-forward round."""
    data, out = tmp_path / "data", tmp_path / "plan"
    write_tables(_moved_frames(SPRING), data, settings=SETTINGS)
    assert runner.invoke(app, ["validate", str(data)]).exit_code == 0
    result = runner.invoke(app, ["dispatch", str(data), "--out", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert verify(load_dataset(data), read_plan(out)) == []
    assert runner.invoke(app, ["verify", str(data), str(out)]).exit_code == 0


@pytest.mark.parametrize(
    ("day", "real_hours"), [(SPRING, 3), (AUTUMN, 5)], ids=["spring-forward", "fall-back"]
)
def test_shift_over_the_clock_change_lasts_its_real_hours(day: date, real_hours: int) -> None:
    """A 01:00-05:00 shift, read from wall-clock text, is 3 real hours on the spring-forward
    day and 5 on the fall-back day, and its minutes sit at the right distance from local
    midnight (the horizon start)."""
    frames = _moved_frames(day)
    workers, jobs = frames["workers"], frames["jobs"]
    workers.loc[0, ["shift_start", "shift_end"]] = [f"{day}T01:00:00", f"{day}T05:00:00"]
    jobs.loc[0, ["earliest_start", "latest_start"]] = [f"{day}T01:30:00", f"{day}T04:00:00"]
    problem = compile_problem(dataset_from_frames(frames, settings=SETTINGS))
    assert problem.horizon_start == _local(day, 0)
    shift = (int(problem.vehicle_start[0]), int(problem.vehicle_end[0]))
    assert shift == (60, (1 + real_hours) * 60)
    assert (int(problem.job_earliest[0]), int(problem.job_latest[0])) == (90, real_hours * 60)


def test_visit_over_the_missing_hour_ends_by_real_time() -> None:
    """A 60-minute visit starting 01:30 on the spring-forward day ends at 03:30 CEST."""
    start = _local(SPRING, 1, 30)
    night = Shift(start=_local(SPRING, 0), end=_local(SPRING, 6))
    dataset = world(
        workers=[worker(shifts=(night,))],
        jobs=[job(window=TimeWindow(start=start, end=start))],
        settings=SETTINGS,
    )
    result = dispatch(dataset, solver="greedy", time_limit=1, seed=1)
    assert result.violations == ()
    (a,) = result.plan.assignments
    assert a.start.astimezone(UTC) == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert a.end.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert a.end.astimezone(BERLIN).strftime("%H:%M%z") == "03:30+0200"


def test_verify_measures_durations_and_windows_in_real_time() -> None:
    """On the fall-back day 02:30 happens twice: a visit at the second 02:30 starts an hour
    after a 02:10-02:50 window of the first, and a two-hour visit from 01:30 whose end was
    computed on the wall clock over the spring-forward gap lasts one real hour; verify
    reports both."""
    first = TimeWindow(start=_local(AUTUMN, 2, 10), end=_local(AUTUMN, 2, 50))
    night = Shift(start=_local(AUTUMN, 0), end=_local(AUTUMN, 6))
    autumn = world(
        workers=[worker(shifts=(night,))],
        jobs=[job(window=first)],
        settings=SETTINGS,
    )
    second = _local(AUTUMN, 2, 30, fold=1)
    assert rules_broken(autumn, plan_of(autumn, ("J1", "W1", second))) == {"start_in_window"}
    assert rules_broken(autumn, plan_of(autumn, ("J1", "W1", _local(AUTUMN, 2, 30)))) == set()

    start = _local(SPRING, 1, 30)
    spring = world(
        workers=[worker(shifts=(Shift(start=_local(SPRING, 0), end=_local(SPRING, 6)),))],
        jobs=[job(window=TimeWindow(start=start, end=start), duration_minutes=120)],
        settings=SETTINGS,
    )
    plan = plan_of(spring, ("J1", "W1", start))
    assert rules_broken(spring, plan) == set()
    (a,) = plan.assignments
    wall = replace(a, end=start + timedelta(minutes=120))  # 03:30 CEST: one real hour
    assert rules_broken(spring, replace(plan, assignments=(wall,))) == {"end_matches_duration"}


@pytest.mark.parametrize("day", [SPRING, AUTUMN], ids=["spring-forward", "fall-back"])
def test_explanations_show_local_times_on_clock_change_days(day: date) -> None:
    """The reason of a job left out on a clock-change day names the other visit at its
    local time (09:00-10:00), not an hour off."""
    dataset = _berlin_world(day)
    result = dispatch(dataset, solver="greedy", time_limit=1, seed=1)
    assert result.violations == ()
    (entry,) = result.plan.unassigned
    assert "J1 09:00-10:00" in entry.reason
    text = explain_job(dataset, result.plan, "J1", policy=Policy()).to_text()
    assert "09:00" in text and "08:00" not in text


def test_naive_time_in_the_spring_forward_gap_is_an_input_error(tmp_path: Path) -> None:
    """A wall-clock 02:30 on the spring-forward day does not exist in Berlin: ``validate``
    and ``dispatch`` exit 2 naming file, row and column, and nothing is written."""
    frames = _moved_frames(SPRING)
    frames["jobs"].loc[2, "earliest_start"] = f"{SPRING}T02:30:00"
    data, out = tmp_path / "data", tmp_path / "plan"
    write_tables(frames, data, settings=SETTINGS)
    for args in (["validate", str(data)], ["dispatch", str(data), "--out", str(out)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        flat = " ".join(result.output.split())
        assert "jobs.csv" in flat and "earliest_start" in flat and "4" in flat
        assert "does not exist" in flat
        assert "Traceback" not in result.output
    assert not out.exists()
