"""Compile a :class:`~matchmaker.model.Dataset` into the immutable :class:`~matchmaker.
problem.Problem` every solver reads.

Time. ``horizon_start`` is midnight, in :func:`~matchmaker.model.local_zone` (the
``dataset.toml`` timezone, else the zone of the earliest time), of the day holding the
earliest shift start, job earliest start or pinned start. Every time becomes whole minutes
of real elapsed time from it (computed in UTC, so a daylight-saving change inside the
horizon is counted correctly); a minute turns back into an instant the same way, with
:func:`matchmaker.model.add_minutes` (never ``horizon_start + timedelta``, which adds on
the local wall clock and is an hour off on a clock-change day). Rounding is conservative,
so that any integer plan is valid in real time: shift starts and job earliest starts round
*up*, shift ends and job latest starts round *down*; a pinned start rounds up like an
earliest start. Whole-minute input (the usual case) is unchanged.

Vehicles. One per worker shift, workers in dataset order and each worker's shifts in time
order; a worker without shifts has no vehicle. A shift's ``vehicle_max_jobs`` and
``vehicle_max_work`` are the worker's ``max_jobs`` and ``max_work_minutes`` (both per
shift); with no limit they are the shift's length in minutes, which no shift can exceed
(a job lasts at least a minute). ``max_work_minutes`` above the shift length is capped to
it.

Travel. ``modes`` holds only the travel modes of workers that have shifts (in the order
walk, bike, transit, car); ``travel_job_job`` has one ``(J, J)`` matrix per mode and
``travel_home_job`` the minutes from each shift's home to each job by its worker's mode.

Pins. A job pinned to a worker pins it to one of that worker's shifts: the shift holding
the pinned start (``start <= pinned_start < end``, else one ending exactly at it); with no
pinned start, the first shift that can hold the job (window, duration and travel from
home), else the first whose hours hold the window and duration, else the shift nearest
the window. A pin whose start lies outside every shift goes to the nearest shift, so the
pin is kept and verify reports the breach. A worker without shifts cannot be pinned
(nothing to put the job in); the job's ``reasons`` say ``NO_AVAILABILITY`` for them.
``job_pinned_start`` is the pinned start of a job pinned to a worker, else -1 (a start
with no pinned worker is not a pin).

Eligibility and score: :mod:`matchmaker.compile._eligibility` (``eligible`` per shift, ``reasons``
per worker) and :mod:`matchmaker.compile._scoring` (``score``, 0 where the worker has no eligible
shift for the job; pinned pairs count as eligible).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matchmaker.compile._eligibility import (
    ShiftFit,
    any_per_worker,
    eligible_matrix,
    encode_pairs,
    pair_reasons,
    rule_shift_fit,
    shift_reasons,
)
from matchmaker.compile._limits import round_limits
from matchmaker.compile._linked import compile_rules
from matchmaker.compile._problem import Problem
from matchmaker.compile._scoring import match_scores
from matchmaker.compile._travel import (
    TravelModel,
    coordinates,
    travel_matrices,
    travel_or_default,
)
from matchmaker.model import (
    Dataset,
    DomainError,
    Policy,
    TravelMode,
    horizon_start,
    local_zone,
    minutes_from,
)

__all__ = ["compile_problem"]

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

_MODE_ORDER = tuple(mode.value for mode in TravelMode)
_INT32_MAX = int(np.iinfo(np.int32).max)


def _int32(values: Sequence[int], what: str) -> IntArray:
    array = np.array(values, dtype=np.int64)
    if array.size and (array.max() > _INT32_MAX or array.min() < -_INT32_MAX):
        raise DomainError(f"{what} lies too far from the horizon start for 32-bit minutes")
    return array.astype(np.int32)


def compile_problem(
    dataset: Dataset, *, policy: Policy | None = None, travel: TravelModel | None = None
) -> Problem:
    """Turn ``dataset`` into a :class:`~matchmaker.compile.Problem` (see the module docstring).

    ``policy`` defaults to the dataset's (``dataset.toml``), ``travel`` to the haversine
    model with the dataset's travel settings.
    """
    policy = dataset.settings.policy if policy is None else policy
    travel = travel_or_default(travel, dataset.settings.travel)
    zone = local_zone(dataset)
    origin = horizon_start(dataset, zone)
    workers, jobs = dataset.workers, dataset.jobs
    n_workers, n_jobs = len(workers), len(jobs)

    vehicle_worker: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    max_jobs: list[int] = []
    max_work: list[int] = []
    for w, worker in enumerate(workers):
        for shift in worker.shifts:
            start = minutes_from(origin, shift.start, round_up=True)
            end = minutes_from(origin, shift.end, round_up=False)
            length = max(end - start, 0)
            vehicle_worker.append(w)
            starts.append(start)
            ends.append(end)
            max_jobs.append(length if worker.max_jobs is None else min(worker.max_jobs, length))
            limit = worker.max_work_minutes
            max_work.append(length if limit is None else min(limit, length))
    v_worker = np.array(vehicle_worker, dtype=np.int32)
    v_start = _int32(starts, "a shift start")
    v_end = _int32(ends, "a shift end")

    present = {workers[w].travel_mode.value for w in set(vehicle_worker)}
    modes = tuple(mode for mode in _MODE_ORDER if mode in present)
    mode_index = {mode: k for k, mode in enumerate(modes)}
    v_mode = np.array(
        [mode_index[workers[w].travel_mode.value] for w in vehicle_worker], dtype=np.int32
    )

    earliest = _int32(
        [minutes_from(origin, j.earliest_start, round_up=True) for j in jobs], "a job window"
    )
    latest = _int32(
        [minutes_from(origin, j.latest_start, round_up=False) for j in jobs], "a job window"
    )
    duration = np.array([j.duration_minutes for j in jobs], dtype=np.int32)
    pinned_start = _int32(
        [
            minutes_from(origin, j.pinned_start, round_up=True)
            if j.is_pinned and j.pinned_start is not None
            else -1
            for j in jobs
        ],
        "a pinned start",
    )

    job_points = coordinates(j.location for j in jobs)
    job_job = travel_matrices(travel, job_points, job_points, modes)
    home_job = _home_travel(travel, dataset, v_worker, v_mode, modes, job_points)

    enc = encode_pairs(dataset, zone=zone)
    pair_bits = pair_reasons(enc)
    fit = rule_shift_fit(
        vehicle_start=v_start,
        vehicle_end=v_end,
        travel_home_job=home_job,
        job_earliest=earliest,
        job_latest=latest,
        job_duration=duration,
    )
    reasons = pair_bits | shift_reasons(fit, v_worker, n_workers)
    pinned = _pins(dataset, v_worker, v_start, v_end, earliest, latest, duration, pinned_start, fit)
    eligible = eligible_matrix(pair_bits, v_worker, fit.fits, pinned)

    score = match_scores(dataset, policy=policy)
    score[~any_per_worker(eligible, v_worker, n_workers)] = 0.0
    last = max(
        [0, *v_end.tolist(), *(latest.astype(np.int64) + duration).tolist()],
    )
    limits = round_limits(dataset, origin=origin, zone=zone, last_minute=int(last))

    return Problem(
        horizon_start=origin,
        worker_ids=tuple(w.worker_id for w in workers),
        job_ids=tuple(j.job_id for j in jobs),
        modes=modes,
        vehicle_worker=v_worker,
        vehicle_start=v_start,
        vehicle_end=v_end,
        vehicle_mode=v_mode,
        vehicle_max_jobs=np.array(max_jobs, dtype=np.int32),
        vehicle_max_work=np.array(max_work, dtype=np.int32),
        job_earliest=earliest,
        job_latest=latest,
        job_duration=duration,
        job_team=np.array([j.workers_needed for j in jobs], dtype=np.int32),
        job_priority=np.array([j.priority for j in jobs], dtype=np.int32),
        job_pinned_start=pinned_start,
        pinned=pinned,
        travel_job_job=job_job.reshape(len(modes), n_jobs, n_jobs),
        travel_home_job=home_job,
        eligible=eligible,
        reasons=reasons,
        score=score,
        travel_model=travel,
        rules=compile_rules(
            dataset,
            origin=origin,
            policy=policy,
            travel=travel,
            vehicle_worker=v_worker,
            vehicle_mode=v_mode,
            modes=modes,
        ),
        limits=limits,
    )


def _home_travel(
    travel: TravelModel,
    dataset: Dataset,
    vehicle_worker: IntArray,
    vehicle_mode: IntArray,
    modes: tuple[str, ...],
    job_points: npt.NDArray[np.float64],
) -> IntArray:
    """``(V, J)`` minutes from each shift's home to each job, one model call per mode."""
    out = np.empty((vehicle_worker.size, job_points.shape[0]), dtype=np.int32)
    for k, mode in enumerate(modes):
        rows = np.flatnonzero(vehicle_mode == k)
        # Several shifts of one worker share a home: ask once per worker.
        owners, back = np.unique(vehicle_worker[rows], return_inverse=True)
        homes = coordinates(dataset.workers[int(w)].home for w in owners)
        out[rows] = travel_matrices(travel, homes, job_points, (mode,))[0][back]
    return out


def _pins(
    dataset: Dataset,
    vehicle_worker: IntArray,
    vehicle_start: IntArray,
    vehicle_end: IntArray,
    earliest: IntArray,
    latest: IntArray,
    duration: IntArray,
    pinned_start: IntArray,
    fit: ShiftFit,
) -> BoolArray:
    """``(V, J)`` True for the one shift of each pinned worker that holds the job."""
    pinned = np.zeros((vehicle_worker.size, len(dataset.jobs)), dtype=np.bool_)
    first_vehicle = np.searchsorted(vehicle_worker, np.arange(len(dataset.workers)))
    last_vehicle = np.searchsorted(vehicle_worker, np.arange(len(dataset.workers)), side="right")
    for j, job in enumerate(dataset.jobs):
        for worker_id in job.pinned_worker_ids:
            w = dataset.worker_position(worker_id)
            shifts = np.arange(first_vehicle[w], last_vehicle[w])
            if shifts.size == 0:
                continue
            if pinned_start[j] >= 0:
                at = int(pinned_start[j])
                choice = _shift_for_moment(shifts, vehicle_start, vehicle_end, at)
            else:
                choice = _shift_for_window(
                    shifts,
                    vehicle_start,
                    vehicle_end,
                    int(earliest[j]),
                    int(latest[j]) + int(duration[j]),
                    fit.fits[shifts, j],
                    fit.window_fits[shifts, j],
                )
            pinned[choice, j] = True
    return pinned


def _shift_for_moment(shifts: npt.NDArray[np.intp], start: IntArray, end: IntArray, at: int) -> int:
    inside = shifts[(start[shifts] <= at) & (at < end[shifts])]
    if inside.size:
        return int(inside[0])
    gap = np.maximum(start[shifts] - at, at - end[shifts])
    return int(shifts[np.argmin(gap)])


def _shift_for_window(
    shifts: npt.NDArray[np.intp],
    start: IntArray,
    end: IntArray,
    window_start: int,
    window_end: int,
    fits: BoolArray,
    window_fits: BoolArray,
) -> int:
    for candidates in (fits, window_fits):
        if candidates.any():
            return int(shifts[np.argmax(candidates)])
    gap = np.maximum(start[shifts] - window_end, window_start - end[shifts])
    return int(shifts[np.argmin(gap)])
