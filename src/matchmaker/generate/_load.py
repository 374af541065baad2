"""The load of a generated round: work asked for over work offered.

``load = sum(duration x workers needed) / sum over worked shifts of max_work_minutes``.
A generated day has a load of about 0.9, and travel, windows and the rules then leave
about four jobs in five servable; at a load of 2 about half are. ``--load`` sets it by
scaling the staff's daily work caps (``max_work_minutes``, and ``max_jobs`` with them): a
tight day is a short-staffed day, with the same jobs, windows and shifts. No random number
is drawn, so the round is the one the same seed gives without ``--load`` except for the
caps and what is drawn to fit them (pins, car needs).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from matchmaker.generate._catalogue import Jobs, Workers
from matchmaker.model import InvalidSizeError

__all__ = ["LOAD_RANGE", "round_load", "with_load"]

LOAD_RANGE = (0.2, 5.0)
"""The loads ``--load`` accepts."""

_STEP = 15  # work caps are whole quarter hours
_MIN_WORK = 60  # nobody is booked for less than an hour a day
_TOLERANCE = 0.03  # the achieved load is within 3% of the one asked for


def _offered(pool: Workers, max_work: np.ndarray) -> int:
    worked = (pool.shift_start >= 0).sum(axis=1)
    return int((max_work * worked).sum())


def round_load(pool: Workers, jobs: Jobs) -> float:
    """The round's load: work minutes asked for over work minutes offered."""
    offered = _offered(pool, pool.max_work)
    return float((jobs.duration * jobs.needed).sum()) / max(offered, 1)


def _caps(pool: Workers, factor: float) -> tuple[np.ndarray, np.ndarray]:
    # A worker's cap never exceeds the shift less half an hour for the road, nor drops
    # below an hour: the clipping is why the factor is searched rather than computed.
    room = pool.regular_end - pool.regular_start - 30
    work = np.round(pool.max_work * factor / _STEP).astype(np.int64) * _STEP
    work = np.clip(work, np.minimum(_MIN_WORK, room), room)
    jobs = np.clip(np.ceil(pool.max_jobs * factor), 1, None).astype(np.int64)
    return work, jobs


def with_load(pool: Workers, jobs: Jobs, load: float) -> Workers:
    """``pool`` with its work caps scaled so that the round's load is ``load``.

    Raises :class:`InvalidSizeError` when ``load`` is outside :data:`LOAD_RANGE` or this
    staff's shifts cannot offer the work it asks for (a low load needs long shifts).
    """
    low, high = LOAD_RANGE
    if not low <= load <= high:
        raise InvalidSizeError(f"load must be between {low} and {high}, got {load!r}")
    demand = float((jobs.duration * jobs.needed).sum())
    target = demand / load
    # Offered work grows with the factor (monotone, stepped by the rounding): bisect.
    lo, hi = 0.0, 20.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if _offered(pool, _caps(pool, mid)[0]) < target:
            lo = mid
        else:
            hi = mid
    work, max_jobs = _caps(pool, hi)
    achieved = demand / max(_offered(pool, work), 1)
    if abs(achieved - load) > _TOLERANCE * load:
        raise InvalidSizeError(
            f"load {load:g} cannot be reached with these workers' shifts (closest {achieved:.2f}); "
            "ask for a higher load, more jobs or fewer workers"
        )
    return dataclasses.replace(pool, max_work=work, max_jobs=max_jobs)
