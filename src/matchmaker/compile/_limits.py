"""The rules that look across a worker's days or a customer's whole round, as arrays.

A :class:`RoundLimits` is what :class:`~matchmaker.compile.Problem` carries for the limits
across days (``max_week_minutes``, ``min_rest_minutes``, ``max_consecutive_days``) and the
continuity cap (``max_distinct_workers``); it is ``None`` when the dataset sets none of
them, so a round without them pays nothing.

Days are the local dates of the round's local time (:func:`matchmaker.model.local_zone`):
``day_starts[d]`` is the minute (real time from ``horizon_start``) of local midnight of day
``d``, computed through UTC, so a 23- or 25-hour day is counted as it is. A job counts on
the day of its start; weeks run Monday to Sunday. Work minutes are the jobs' durations
(travel is not work), as for ``max_work_minutes``.

==========================  =========  ====================================================
field                       shape      meaning
==========================  =========  ====================================================
day_starts                  (D+1,)     minute of each local midnight, the last one after
                                       every minute of the round
day_week                    (D,)       calendar week of day ``d`` (0 = the first one)
worker_max_week             (W,)       most work minutes per week, -1 = no limit
worker_min_rest             (W,)       least minutes between two shifts' work, 0 = none
worker_max_days             (W,)       most days in a row with work, -1 = no limit
job_customer                (J,)       customer index of the job
customer_max_workers        (C,)       most distinct workers per customer, -1 = no limit
==========================  =========  ====================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.model import Dataset, minutes_from

__all__ = ["RoundLimits", "round_limits"]

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, kw_only=True, eq=False)
class RoundLimits:
    """The limits across days and the continuity cap (see the module docstring)."""

    day_starts: Int64Array
    day_week: Int64Array
    worker_max_week: Int64Array
    worker_min_rest: Int64Array
    worker_max_days: Int64Array
    job_customer: Int64Array
    customer_ids: tuple[str, ...]
    customer_max_workers: Int64Array

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    def day_of(self, minutes: npt.ArrayLike) -> Int64Array:
        """The local day index of each minute (a job counts on the day of its start)."""
        days = np.searchsorted(self.day_starts, np.asarray(minutes), side="right") - 1
        return np.clip(days, 0, self.day_week.size - 1).astype(np.int64)

    @property
    def has_worker_limits(self) -> bool:
        return bool(
            (self.worker_max_week >= 0).any()
            or (self.worker_min_rest > 0).any()
            or (self.worker_max_days >= 0).any()
        )

    @property
    def has_customer_limits(self) -> bool:
        return bool((self.customer_max_workers >= 0).any())


def _or(value: int | None, default: int | None, blank: int) -> int:
    chosen = value if value is not None else default
    return blank if chosen is None else int(chosen)


def round_limits(
    dataset: Dataset, *, origin: datetime, zone: tzinfo, last_minute: int
) -> RoundLimits | None:
    """The limits of ``dataset`` for a round starting at ``origin`` (local midnight in
    ``zone``) whose minutes end by ``last_minute``; ``None`` when it sets none."""
    defaults = dataset.settings.limits
    max_week = np.array(
        [_or(w.max_week_minutes, defaults.max_week_minutes, -1) for w in dataset.workers],
        dtype=np.int64,
    )
    min_rest = np.array(
        [_or(w.min_rest_minutes, defaults.min_rest_minutes, 0) for w in dataset.workers],
        dtype=np.int64,
    )
    max_days = np.array(
        [_or(w.max_consecutive_days, defaults.max_consecutive_days, -1) for w in dataset.workers],
        dtype=np.int64,
    )
    customer_ids = tuple(dict.fromkeys(job.customer_id for job in dataset.jobs))
    caps: list[int] = []
    for customer_id in customer_ids:
        customer = dataset.customer(customer_id)
        own = None if customer is None else customer.max_distinct_workers
        caps.append(_or(own, defaults.max_distinct_workers, -1))
    customer_max = np.array(caps, dtype=np.int64)
    if not (
        (max_week >= 0).any()
        or (min_rest > 0).any()
        or (max_days >= 0).any()
        or (customer_max >= 0).any()
    ):
        return None
    index = {customer_id: c for c, customer_id in enumerate(customer_ids)}
    first = origin.astimezone(zone).date()
    midnights: list[int] = []
    weeks: list[int] = []
    day = first
    monday = first - timedelta(days=first.weekday())
    while True:
        minute = minutes_from(origin, datetime.combine(day, time(0), tzinfo=zone), round_up=False)
        midnights.append(minute)
        if minute > last_minute and weeks:
            break
        weeks.append((day - monday).days // 7)
        day += timedelta(days=1)
    return RoundLimits(
        day_starts=np.array(midnights, dtype=np.int64),
        day_week=np.array(weeks, dtype=np.int64),
        worker_max_week=max_week,
        worker_min_rest=min_rest,
        worker_max_days=max_days,
        job_customer=np.array([index[job.customer_id] for job in dataset.jobs], dtype=np.int64),
        customer_ids=customer_ids,
        customer_max_workers=customer_max,
    )
