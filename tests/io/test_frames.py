"""Dataset <-> DataFrames: the contract's columns, and a lossless round trip."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from matchmaker.io import (
    LIMIT_WORKER_COLUMNS,
    PLACEMENT_WORKER_COLUMNS,
    dataset_from_frames,
    dataset_to_frames,
    load_dataset,
)
from matchmaker.io._schemas import ROW_MODELS
from matchmaker.model import Dataset, DatasetSettings, Shift
from tests.io.builders import write_dataset


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return load_dataset(write_dataset(tmp_path_factory.mktemp("frames") / "ds"))


def test_frames_hold_the_contract_columns(base: Dataset) -> None:
    """Each frame has exactly the contract columns of its table, in contract order."""
    frames = dataset_to_frames(base)
    assert set(frames) == {"workers", "jobs", "customers", "availability"}
    for name, frame in frames.items():
        optional = {*PLACEMENT_WORKER_COLUMNS, *LIMIT_WORKER_COLUMNS, "breaks"}
        expected = [c for c in ROW_MODELS[name].model_fields if c not in optional]
        # Placement columns only with placements, limit columns only with limits, the
        # breaks column only when a worker picks break rules.
        assert list(frame.columns) == expected
    assert len(frames["availability"]) == 2  # only the worker with two shifts
    assert frames["workers"]["max_jobs"].dtype.name == "Int64"


def test_round_trip_through_frames_gives_the_same_dataset(base: Dataset) -> None:
    """dataset_from_frames(dataset_to_frames(ds)) == ds."""
    assert dataset_from_frames(dataset_to_frames(base)) == base


def test_round_trip_keeps_zones_shifts_and_settings(base: Dataset) -> None:
    """Zone-aware datetimes, several shifts and settings survive the round trip."""
    zone = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 7, 1, 8, tzinfo=zone)
    worker = replace(
        base.worker("w1"),
        shifts=(
            Shift(start=start, end=start + timedelta(hours=4)),
            Shift(start=start + timedelta(days=1), end=start + timedelta(days=1, hours=8)),
        ),
    )
    settings = DatasetSettings(timezone="Europe/Berlin")
    # w1's pin on 1 December falls outside these July shifts, which is invalid input.
    jobs = tuple(replace(j, pinned_worker_ids=(), pinned_start=None) for j in base.jobs)
    dataset = replace(base, workers=(worker, *base.workers[1:]), jobs=jobs, settings=settings)
    again = dataset_from_frames(dataset_to_frames(dataset), settings=settings)
    assert again == dataset
    assert again.worker("w1").shifts[0].start.utcoffset() == timedelta(hours=2)


def test_optional_tables_are_left_out_when_empty(base: Dataset, tmp_path: Path) -> None:
    """No customers and single shifts give only workers and jobs frames."""
    jobs = tuple(replace(j, excluded_workers=frozenset()) for j in base.jobs)
    workers = tuple(replace(w, shifts=w.shifts[:1]) for w in base.workers)
    dataset = Dataset(workers=workers, jobs=jobs)
    frames = dataset_to_frames(dataset)
    assert set(frames) == {"workers", "jobs"}
    assert dataset_from_frames(frames) == dataset
