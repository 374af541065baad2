"""A round solved as independent pieces - geographic zones or days - on any executor.

:func:`solve_split` is what :func:`matchmaker.plan.dispatch` runs when it is given
``split`` or ``executor``: it cuts the compiled round with
:func:`matchmaker.solve.split_zones` or :func:`matchmaker.solve.split_days` and solves the
pieces with :func:`matchmaker.solve.solve_pieces` (which documents how zone borders are
resolved). Days are local calendar days of the dataset's timezone: a shift counts on the
day it starts, a job on the day of its latest start.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import Executor
from typing import Literal

import numpy as np

from matchmaker.compile import Problem
from matchmaker.model import (
    Dataset,
    Policy,
    RequestError,
    add_minutes,
    latest_start_day,
    local_zone,
)
from matchmaker.solve import ProgressCallback, Solution, solve_pieces, split_days, split_zones

__all__ = ["SHIFTS_PER_ZONE", "SPLITS", "SplitKind", "solve_split"]

SplitKind = Literal["zones", "days"]
SPLITS: tuple[SplitKind, ...] = ("zones", "days")
SHIFTS_PER_ZONE = 500
"""Worker shifts per zone when the number of zones is not given (at least two zones)."""


def _days(dataset: Dataset, problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Each shift's and each job's local day, as day ordinals."""
    zone = local_zone(dataset)
    vehicle_day = np.asarray(
        [
            add_minutes(problem.horizon_start, int(start), zone).date().toordinal()
            for start in problem.vehicle_start.tolist()
        ],
        dtype=np.int64,
    )
    job_day = np.asarray(
        [latest_start_day(job, zone).toordinal() for job in dataset.jobs], dtype=np.int64
    )
    return vehicle_day, job_day


def solve_split(
    dataset: Dataset,
    problem: Problem,
    *,
    split: SplitKind,
    zones: int | None,
    solver: str,
    policy: Policy,
    time_limit: float,
    seed: int,
    deterministic: bool,
    executor: Executor | None,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Solve ``problem`` (compiled from ``dataset``) piece by piece (module docstring).

    ``zones`` (for ``split="zones"``) defaults to one zone per :data:`SHIFTS_PER_ZONE`
    shifts, at least two.
    """
    if split == "zones":
        count = (
            zones if zones is not None else max(2, math.ceil(problem.n_vehicles / SHIFTS_PER_ZONE))
        )
        if count < 1:
            raise RequestError(f"zones must be at least 1, not {count}")
        pieces = split_zones(problem, policy, count, seed)
    elif split == "days":
        vehicle_day, job_day = _days(dataset, problem)
        pieces = split_days(problem, policy, vehicle_day, job_day)
    else:
        raise RequestError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    solution = solve_pieces(
        problem,
        pieces,
        solver=solver,
        policy=policy,
        time_limit=time_limit,
        seed=seed,
        deterministic=deterministic,
        executor=executor,
        progress=progress,
        stop=stop,
    )
    solution.stats["split_" + split] = float(len(pieces))
    return solution
