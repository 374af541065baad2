"""Tests of generate_frames and generate_dataset as a whole: determinism, shape, the
folder, the bundled datasets."""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import matchmaker
from matchmaker.generate import TIMEZONE, generate_dataset, generate_frames, home_care_settings
from matchmaker.generate._frames import Clock
from matchmaker.io import dataset_from_frames
from matchmaker.model import DatasetSettings
from tests.generate.reading import (
    BUNDLED,
    CONTRACT,
    ROOT,
    dispatch_greedy,
    loader,
)

TIME_COLUMNS = {
    "workers": ("shift_start", "shift_end"),
    "jobs": ("earliest_start", "latest_start", "pinned_start", "due_start"),
    "availability": ("start", "end"),
}
"""The tables' columns that hold instants."""


def test_same_seed_gives_identical_frames() -> None:
    """Generation is a pure function of its arguments."""
    first = generate_frames(workers=30, jobs=90, seed=5, days=3)
    second = generate_frames(workers=30, jobs=90, seed=5, days=3)
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_different_seeds_differ() -> None:
    """Another seed draws another dataset, in every table."""
    first = generate_frames(workers=30, jobs=90, seed=5)
    second = generate_frames(workers=30, jobs=90, seed=6)
    for name in ("workers", "customers", "jobs"):
        assert not first[name].equals(second[name])


def test_columns_are_exactly_the_contract(
    day: dict[str, pd.DataFrame], week: dict[str, pd.DataFrame]
) -> None:
    """Every table has exactly the columns of dataset contract v1, in its order."""
    assert set(day) == {"workers", "customers", "jobs"}
    assert set(week) == {"workers", "customers", "jobs", "availability"}
    for frames in (day, week):
        for name, frame in frames.items():
            assert list(frame.columns) == CONTRACT[name]


def test_sizes_and_ids(week: dict[str, pd.DataFrame]) -> None:
    """Row counts follow the arguments; ids are unique and shaped W0001, C0001, J00001, O00001."""
    workers, customers, jobs = week["workers"], week["customers"], week["jobs"]
    assert len(workers) == 80 and len(jobs) == 600
    assert 600 / 1.5 - 1 <= len(customers) <= 600 / 1.5 + 1
    assert workers.worker_id.str.fullmatch(r"W\d{4}").all() and workers.worker_id.is_unique
    assert customers.customer_id.str.fullmatch(r"C\d{4}").all() and customers.customer_id.is_unique
    assert jobs.job_id.str.fullmatch(r"J\d{5}").all() and jobs.job_id.is_unique
    assert jobs.order_id.str.fullmatch(r"O\d{5}").all()
    assert set(jobs.customer_id) <= set(customers.customer_id)


def test_start_date_moves_every_time() -> None:
    """start_date shifts all times; the default first day is 2026-12-01."""
    default = generate_frames(workers=10, jobs=20, seed=1)
    later = generate_frames(workers=10, jobs=20, seed=1, start_date=date(2027, 3, 2))
    assert set(default["jobs"].earliest_start.str[:10]) == {"2026-12-01"}
    assert set(later["jobs"].earliest_start.str[:10]) == {"2027-03-02"}
    assert default["jobs"].duration_minutes.equals(later["jobs"].duration_minutes)


def test_a_clock_stamps_each_time_with_the_offset_in_force_then() -> None:
    """On a daylight-saving day a time keeps its wall clock and takes the UTC offset of
    that moment, not of the day: Berlin's clocks jump from 02:00 to 03:00 on 28 March
    2027 and fall back from 03:00 to 02:00 on 31 October 2027; a skipped time takes the
    offset before the jump."""
    clock = Clock(date(2027, 3, 27), ZoneInfo("Europe/Berlin"))
    minutes = np.array([1440 + 90, 1440 + 150, 1440 + 600, -1, 2 * 1440 + 30])
    assert clock.times(minutes) == [
        "2027-03-28T01:30:00+01:00",
        "2027-03-28T02:30:00+01:00",
        "2027-03-28T10:00:00+02:00",
        "",
        "2027-03-29T00:30:00+02:00",
    ]
    autumn = Clock(date(2027, 10, 31), ZoneInfo("Europe/Berlin"))
    assert autumn.times(np.array([60, 600])) == [
        "2027-10-31T01:00:00+02:00",
        "2027-10-31T10:00:00+01:00",
    ]


def test_a_round_over_a_daylight_saving_change_keeps_its_wall_clock_times() -> None:
    """A week in Berlin over the spring change: every time of every table is the wall
    clock it would be in Shanghai, with Berlin's offset of that moment (so it reads back
    as that wall clock), and the round loads and plans with the timezone."""
    berlin = ZoneInfo("Europe/Berlin")

    def week(timezone: str) -> dict[str, pd.DataFrame]:
        first = date(2027, 3, 26)
        return generate_frames(
            workers=12, jobs=40, seed=4, days=4, start_date=first, timezone=timezone, home_care=True
        )

    shanghai, frames = week(TIMEZONE), week("Europe/Berlin")
    offsets: set[str] = set()
    for name, table in frames.items():
        for column in TIME_COLUMNS.get(name, ()):
            for ours, theirs in zip(table[column], shanghai[name][column], strict=True):
                assert ours[:19] == theirs[:19], (name, column)
                if ours:
                    moment = datetime.fromisoformat(ours)
                    assert moment.astimezone(berlin).isoformat() == ours, (name, column)
                    offsets.add(ours[19:])
    assert offsets == {"+01:00", "+02:00"}
    dataset = dataset_from_frames(frames, settings=home_care_settings("Europe/Berlin"))
    assert dataset.settings.timezone == "Europe/Berlin"
    plan = matchmaker.dispatch(dataset, solver="routing", time_limit=2, seed=1).plan
    assert plan.assignments and matchmaker.verify(dataset, plan) == []


def test_city_scale_sizes() -> None:
    """A city-sized round (1500 workers, 5000 jobs) comes out whole, with 4-digit worker ids."""
    frames = generate_frames(workers=1500, jobs=5000, seed=4)
    assert len(frames["workers"]) == 1500 and len(frames["jobs"]) == 5000
    assert frames["jobs"].job_id.is_unique and frames["workers"].worker_id.iloc[-1] == "W1500"
    assert set(frames["jobs"].customer_id) <= set(frames["customers"].customer_id)


@pytest.mark.parametrize("bad", [{"workers": 0}, {"jobs": -1}, {"days": 0}, {"seed": -3}])
def test_bad_sizes_are_refused(bad: dict[str, int]) -> None:
    """Sizes below one (or a negative seed) raise a ValueError naming the argument."""
    arguments = {"workers": 5, "jobs": 5, "seed": 1, "days": 1} | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        generate_frames(**arguments)


def test_dataset_folder_has_tables_and_settings(tmp_path: Path) -> None:
    """The folder holds one CSV per table and a dataset.toml the settings model accepts."""
    out = tmp_path / "week"
    generate_dataset(out, workers=12, jobs=30, seed=2, days=3)
    assert sorted(p.name for p in out.iterdir()) == [
        "availability.csv", "customers.csv", "dataset.toml", "jobs.csv", "workers.csv",
    ]  # fmt: skip
    settings = DatasetSettings.model_validate(
        tomllib.loads((out / "dataset.toml").read_text(encoding="utf-8"))
    )
    assert settings.timezone == "Asia/Shanghai"
    assert settings.travel.speed_kmh["transit"] == 20.0
    jobs = pd.read_csv(out / "jobs.csv", dtype=str, keep_default_na=False)
    frames = generate_frames(workers=12, jobs=30, seed=2, days=3)
    assert list(jobs.job_id) == list(frames["jobs"].job_id)
    assert list(jobs.required_skills) == list(frames["jobs"].required_skills)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week"]


def test_empty_existing_folder_is_filled(tmp_path: Path) -> None:
    """An existing empty folder is accepted and replaced by the dataset."""
    out = tmp_path / "empty"
    out.mkdir()
    generate_dataset(out, workers=5, jobs=10, seed=1)
    assert (out / "workers.csv").exists()


def test_non_empty_folder_is_refused(tmp_path: Path) -> None:
    """A folder holding anything is refused and left exactly as it was."""
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        generate_dataset(out, workers=5, jobs=10, seed=1)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing removes the staging folder and creates no output."""

    def broken(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        generate_dataset(tmp_path / "out", workers=5, jobs=10, seed=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_datasets_are_reproducible(name: str) -> None:
    """datasets/sample and datasets/week are exactly what their documented command makes."""
    folder = ROOT / "datasets" / name
    frames = generate_frames(**BUNDLED[name])
    for table, frame in frames.items():
        written = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        expected = pd.read_csv(
            pd.io.common.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False
        )
        pd.testing.assert_frame_equal(written, expected)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*(f"{t}.csv" for t in frames), "dataset.toml"]
    )


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_datasets_load(name: str) -> None:
    """The loader accepts the bundled datasets without an error."""
    load_dataset = loader()
    dataset = load_dataset(ROOT / "datasets" / name)
    assert len(dataset.workers) == BUNDLED[name]["workers"]
    assert len(dataset.jobs) == BUNDLED[name]["jobs"]
    pinned = [job for job in dataset.jobs if job.is_pinned]
    assert pinned and all(job.pinned_start is not None for job in pinned)


def test_generated_folder_loads(tmp_path: Path) -> None:
    """A freshly generated multi-day folder loads, availability included."""
    load_dataset = loader()
    generate_dataset(tmp_path / "d", workers=15, jobs=40, seed=9, days=3)
    dataset = load_dataset(tmp_path / "d")
    assert len(dataset.jobs) == 40
    assert max(len(worker.shifts) for worker in dataset.workers) == 3
    frame = pd.read_csv(tmp_path / "d" / "jobs.csv", dtype=str, keep_default_na=False)
    blank = frame.job_id[frame.lat == ""].iloc[0]
    job = dataset.job(blank)
    customer = dataset.customer(job.customer_id)
    assert customer is not None and customer.location is not None
    assert np.isclose(job.location.lat, customer.location.lat)
    assert np.isclose(job.location.lon, customer.location.lon)


def test_generated_frames_load(week: dict[str, pd.DataFrame]) -> None:
    """The DataFrames themselves (blank cells as "" and NaN) pass the loader's validation."""
    dataset_from_frames = loader("dataset_from_frames")
    dataset = dataset_from_frames(week)
    assert len(dataset.jobs) == 600
    assert sum(job.is_pinned for job in dataset.jobs) == (week["jobs"].pinned_worker_id != "").sum()


@pytest.mark.parametrize("source", ["sample", "fresh"])
def test_a_day_is_busy_but_workable(source: str) -> None:
    """Greedy serves 70-95% of a three-jobs-per-worker day, breaks no rule, varied reasons."""
    if source == "sample":
        dataset = loader()(ROOT / "datasets" / "sample")
    else:
        dataset = loader("dataset_from_frames")(generate_frames(workers=200, jobs=600, seed=1))
    result = dispatch_greedy(dataset)
    kpis = result.plan.kpis
    assert 0.7 <= kpis["jobs_served"] / kpis["jobs_total"] <= 0.95
    assert not result.violations
    reasons = {u.reason_code for u in result.plan.unassigned}
    assert len(reasons) >= 4, reasons


def test_readme_examples_are_real_rows() -> None:
    """Every example row in datasets/README.md is a row of a bundled dataset."""
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```csv\n(.*?)```", readme, flags=re.DOTALL)
    rows = {
        line
        for path in (ROOT / "datasets").glob("*/*.csv")
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    examples = [line for block in blocks for line in block.splitlines() if line]
    assert len(examples) >= 8
    assert [line for line in examples if line not in rows] == []


def test_placements_come_from_their_own_stream_and_load() -> None:
    """--placements adds placement columns and requests that validate, and leaves the
    visit tables of the seed exactly as they were."""
    from matchmaker.io import PLACEMENT_WORKER_COLUMNS, dataset_from_frames

    plain = generate_frames(workers=30, jobs=20, seed=5)
    placed = generate_frames(workers=30, jobs=20, seed=5, placements=25, placement_days=60)
    for name in ("customers", "jobs"):
        pd.testing.assert_frame_equal(plain[name], placed[name])
    pd.testing.assert_frame_equal(
        plain["workers"], placed["workers"].drop(columns=list(PLACEMENT_WORKER_COLUMNS))
    )
    assert len(placed["placement_requests"]) == 25
    dataset = dataset_from_frames(placed, settings=DatasetSettings(timezone="Asia/Shanghai"))
    services = {r.service_type for r in dataset.placement_requests}
    assert "postpartum_care" in services
    postpartum = [r for r in dataset.placement_requests if r.service_type == "postpartum_care"]
    assert all(r.due_date is not None and r.duration_days in (26, 42) for r in postpartum)
