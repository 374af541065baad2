"""Compiling the limits across days and the continuity cap into ``Problem.limits``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from matchmaker.compile import compile_problem
from matchmaker.model import DatasetSettings, LimitSettings, Shift, TimeWindow
from tests.rules.world import customer, job, worker, world

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_round_without_limits_compiles_to_none() -> None:
    """No column and no ``[limits]`` default: the problem carries nothing to check."""
    assert compile_problem(world()).limits is None


def test_own_values_win_over_the_dataset_defaults() -> None:
    """A worker's (customer's) own value wins; a blank one takes the ``[limits]`` default;
    an absent limit is -1 (0 for the rest)."""
    defaults = LimitSettings(max_week_minutes=600, max_distinct_workers=3)
    dataset = world(
        workers=[worker("W1", max_week_minutes=120, min_rest_minutes=660), worker("W2")],
        customers=[customer(max_distinct_workers=1)],
        settings=DatasetSettings(limits=defaults),
    )
    limits = compile_problem(dataset).limits
    assert limits is not None
    assert limits.worker_max_week.tolist() == [120, 600]
    assert limits.worker_min_rest.tolist() == [660, 0]
    assert limits.worker_max_days.tolist() == [-1, -1]
    assert limits.customer_max_workers.tolist() == [1]
    assert limits.job_customer.tolist() == [0]


def test_days_are_local_dates_through_a_clock_change() -> None:
    """In Berlin the night of 28-29 March 2026 loses an hour: that local date lasts 1380
    minutes, and a job at 09:00 local on 30 March falls on the third day, not the fourth."""

    def local(day: int, hour: int) -> datetime:
        return datetime(2026, 3, day, hour, tzinfo=BERLIN)

    shifts = tuple(Shift(start=local(d, 8), end=local(d, 18)) for d in (28, 29, 30))
    late = job("J2", window=TimeWindow(start=local(30, 9), end=local(30, 9)))
    dataset = world(
        workers=[worker(shifts=shifts, max_consecutive_days=2)],
        jobs=[job("J1", window=TimeWindow(start=local(28, 9), end=local(28, 10))), late],
        settings=DatasetSettings(timezone="Europe/Berlin"),
    )
    problem = compile_problem(dataset)
    limits = problem.limits
    assert limits is not None
    assert np.diff(limits.day_starts[:4]).tolist() == [1440, 1380, 1440]
    assert limits.day_of(problem.job_earliest).tolist() == [0, 2]
    assert limits.day_week.tolist()[:3] == [0, 0, 1]  # Monday 30 March starts a new week
