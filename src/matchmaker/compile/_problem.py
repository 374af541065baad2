"""The compiled dispatch problem: integer arrays, no datetimes, what every solver reads.

A :class:`Problem` is built by :func:`matchmaker.compile.compile_problem` from a
:class:`~matchmaker.model.Dataset`. Times are whole minutes of real time from
``horizon_start`` (local midnight); :func:`matchmaker.model.add_minutes` turns one back
into an instant through UTC.
Workers are indexed ``w`` (``0..W-1``, dataset order), jobs ``j`` (``0..J-1``, dataset
order), and each worker shift is one *vehicle* ``v`` (``0..V-1``): a worker with three
shifts in the horizon is three vehicles, each starting at the worker's home.

Array shapes (dtype):

================================  ===========  ==========================================
field                             shape        meaning
================================  ===========  ==========================================
vehicle_worker                    (V,) int32   worker index of the shift
vehicle_start / vehicle_end       (V,) int32   shift bounds; a job starts and ends inside
vehicle_mode                      (V,) int32   index into ``modes`` (worker travel mode)
vehicle_max_jobs                  (V,) int32   most jobs in this shift
vehicle_max_work                  (V,) int32   most service minutes in this shift
job_earliest / job_latest         (J,) int32   window of the job's *start*
job_duration                      (J,) int32   service minutes (> 0)
job_team                          (J,) int32   workers needed (>= 1), all start together
job_priority                      (J,) int32   1..5, 5 most important
job_pinned_start                  (J,) int32   fixed start minute, -1 when not pinned
pinned                            (V, J) bool  the worker of shift v is pinned to job j
travel_job_job                    (M, J, J)    travel minutes between job locations by mode
travel_home_job                   (V, J)       minutes from the shift's home to each job
eligible                          (V, J) bool  every pair-only hard rule holds (shift fit too)
reasons                           (W, J) uint  bit set of failed rules (``ReasonBit``)
score                             (W, J) f64   match score 0-100 (0 where ineligible)
================================  ===========  ==========================================

``eligible`` already folds in the shift: the job's window and duration fit inside the
shift and the worker can travel from home in time. ``reasons`` is per worker (not per
shift) so that a dispatcher reads "31 are male", not "62 shifts are male".

``limits`` holds the rules across a worker's days and a customer's round
(:class:`~matchmaker.compile.RoundLimits`), ``None`` when the dataset sets none.

``travel_model`` is the :class:`~matchmaker.compile.TravelModel` the travel arrays came from,
so that the plan built from a solution records it (``None`` for a problem made by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matchmaker.model import ReasonBit

if TYPE_CHECKING:
    from matchmaker.compile._limits import RoundLimits
    from matchmaker.compile._linked import JobRules
    from matchmaker.compile._travel import TravelModel

__all__ = ["Problem", "ReasonBit"]

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, kw_only=True, eq=False)
class Problem:
    """Immutable arrays describing one dispatch round (see the module docstring)."""

    horizon_start: datetime
    worker_ids: tuple[str, ...]
    job_ids: tuple[str, ...]
    modes: tuple[str, ...]

    vehicle_worker: IntArray
    vehicle_start: IntArray
    vehicle_end: IntArray
    vehicle_mode: IntArray
    vehicle_max_jobs: IntArray
    vehicle_max_work: IntArray

    job_earliest: IntArray
    job_latest: IntArray
    job_duration: IntArray
    job_team: IntArray
    job_priority: IntArray
    job_pinned_start: IntArray
    pinned: BoolArray

    travel_job_job: IntArray
    travel_home_job: IntArray

    eligible: BoolArray
    reasons: npt.NDArray[np.uint16]
    score: npt.NDArray[np.float64]
    travel_model: TravelModel | None = None
    rules: JobRules | None = None
    """Soft windows, linked visits and the way home (:mod:`matchmaker.compile._linked`);
    ``None`` when the round has none of them."""
    limits: RoundLimits | None = None
    """Limits across days and the continuity cap (:mod:`matchmaker.compile._limits`);
    ``None`` when the dataset sets none, and in a sub-round (the whole round checks them)."""

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)

    @property
    def n_workers(self) -> int:
        return len(self.worker_ids)

    @property
    def n_jobs(self) -> int:
        return len(self.job_ids)

    @property
    def n_vehicles(self) -> int:
        return int(self.vehicle_worker.shape[0])

    @property
    def pinned_jobs(self) -> BoolArray:
        """(J,) jobs pinned to a worker or to a start: promised, so no search moves or
        drops them."""
        pinned: BoolArray = self.pinned.any(axis=0) | (self.job_pinned_start >= 0)
        return pinned

    def travel(self, vehicle: int, origin: int | None, job: int) -> int:
        """Minutes for ``vehicle`` from ``origin`` (a job, ``None`` for home) to ``job``."""
        if origin is None:
            return int(self.travel_home_job[vehicle, job])
        return int(self.travel_job_job[self.vehicle_mode[vehicle], origin, job])
