"""Tests of the generator's view of the real rules (matchmaker.generate._rules)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pytest

from matchmaker.compile import HaversineTravel, coordinates, encode_pairs, pair_reasons
from matchmaker.generate._catalogue import (
    DEFAULT_START_DATE,
    TIMEZONE,
    Customers,
    Jobs,
    Workers,
)
from matchmaker.generate._demand import draw_demanding
from matchmaker.generate._draw import draw_customers, draw_workers
from matchmaker.generate._frames import Clock, customer_frame, job_frame, worker_frame
from matchmaker.generate._jobs import draw_jobs
from matchmaker.generate._rules import commute_minutes, eligible, pair_encoding
from matchmaker.io import dataset_from_frames
from matchmaker.model import Dataset


def _drawn(workers: int, jobs: int, seed: int) -> tuple[Workers, Customers, Jobs, Dataset]:
    """The generator's arrays for one day and the dataset their tables load as (no pins)."""
    rng = np.random.default_rng(seed)
    pool = draw_workers(rng, workers, 1)
    customers = draw_customers(rng, max(1, round(jobs / 1.5)), pool)
    drawn = draw_demanding(rng, pool, customers, draw_jobs(rng, jobs, 1, customers))
    clock = Clock(DEFAULT_START_DATE, ZoneInfo(TIMEZONE))
    no_pins: list[list[int]] = [[] for _ in range(jobs)]
    frames = {
        "workers": worker_frame(pool, clock),
        "customers": customer_frame(customers, workers),
        "jobs": job_frame(drawn, no_pins, np.full(jobs, -1), clock, workers, len(customers.lat)),
    }
    return pool, customers, drawn, dataset_from_frames(frames)


@pytest.mark.parametrize(("workers", "jobs", "seed"), [(60, 180, 3), (25, 80, 8)])
def test_generator_encoding_gives_the_loaded_datasets_reasons(
    workers: int, jobs: int, seed: int
) -> None:
    """The PairEncoding built from the generator's arrays gives, pair for pair, the reason
    bits that encode_pairs gives for the same tables once written and loaded."""
    pool, customers, drawn, dataset = _drawn(workers, jobs, seed)
    every_job = np.arange(jobs)
    ours = pair_reasons(pair_encoding(pool, customers, drawn, every_job))
    theirs = pair_reasons(encode_pairs(dataset))
    assert ours.any() and (ours == 0).any()  # both failing and passing pairs occur
    np.testing.assert_array_equal(ours, theirs)
    ok = eligible(pool, customers, drawn, every_job)
    long_jobs = np.array([j.duration_minutes for j in dataset.jobs])[None, :]
    limits = np.array([w.max_work_minutes for w in dataset.workers])[:, None]
    np.testing.assert_array_equal(ok, (theirs == 0) & (long_jobs <= limits))


def test_commute_is_the_compiled_trip_from_home() -> None:
    """The generator's commute is the default travel model's minutes from each home by the
    worker's own mode, as compile and verify take them."""
    pool, _, drawn, dataset = _drawn(30, 60, 5)
    model = HaversineTravel(dataset.settings.travel)
    homes = coordinates(w.home for w in dataset.workers)
    ours = commute_minutes(model, pool, drawn.lat, drawn.lon)
    assert ours.shape == (len(homes), len(dataset.jobs))
    for j, job in enumerate(dataset.jobs):
        theirs = model.pair_minutes(
            homes,
            np.repeat(coordinates([job.location]), len(homes), axis=0),
            [w.travel_mode.value for w in dataset.workers],
        )
        np.testing.assert_array_equal(ours[:, j], theirs)
