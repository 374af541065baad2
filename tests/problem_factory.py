"""Build raw :class:`~matchmaker.compile.Problem` objects for solver tests, and check them.

Three helpers, shared by every solver's tests (import them, don't copy them):

* :func:`make_problem` builds a tiny hand-written problem from a few keyword arrays; every
  argument has a sensible default and scalars broadcast, so a test states only what it pins::

      make_problem(n_workers=2, n_jobs=3, latest=[100, 200, 300], travel=15)

* :func:`random_problem` builds a seeded random problem of realistic shape (one day per
  shift, windows of 0-180 minutes, durations of 60-300 minutes, shifts of 8-10 hours,
  travel of 5-60 minutes, each job eligible for 20-40 % of the workers), optionally with
  team jobs, several shifts per worker and mutually consistent pins.

* :func:`problem_violations` is a strict checker of every hard rule on the problem's arrays
  (not on domain objects): it returns one sentence per violation, ``[]`` for a valid
  solution. Run it on every solution a test produces.

Conventions: times are minutes from the horizon start; vehicles are worker shifts (by
default one shift ``[0, 600)`` per worker, vehicle ``v`` = worker ``v``); there is one
travel mode unless ``travel`` has three dimensions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

from matchmaker.compile import Problem, ReasonBit
from matchmaker.solve import Solution

__all__ = ["HORIZON_START", "make_problem", "problem_violations", "random_problem"]

HORIZON_START = datetime(2026, 12, 1, tzinfo=UTC)
"""The horizon start of every factory problem (minute 0)."""

_MODES = ("car", "transit", "bike", "walk")


def _ints(value: Any, shape: tuple[int, ...], name: str) -> npt.NDArray[np.int32]:
    array = np.asarray(value, dtype=np.int64)
    try:
        array = np.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape} or a scalar") from None
    return np.ascontiguousarray(array, dtype=np.int32)


def _shift_fit(
    start: npt.NDArray[np.int32],
    end: npt.NDArray[np.int32],
    home: npt.NDArray[np.int32],
    earliest: npt.NDArray[np.int32],
    latest: npt.NDArray[np.int32],
    duration: npt.NDArray[np.int32],
) -> npt.NDArray[np.bool_]:
    """(V, J): some start in the job's window fits in the shift after travel from home."""
    first = np.maximum(earliest[None, :], start[:, None] + home)
    last = np.minimum(latest[None, :], end[:, None] - duration[None, :])
    fit: npt.NDArray[np.bool_] = first <= last
    return fit


def make_problem(
    *,
    n_workers: int = 1,
    n_jobs: int = 1,
    shifts: Sequence[tuple[int, int, int]] | None = None,
    earliest: Any = 0,
    latest: Any = 540,
    duration: Any = 60,
    team: Any = 1,
    priority: Any = 3,
    pinned_start: Any = -1,
    pins: Iterable[tuple[int, int]] = (),
    travel: Any = 10,
    home_travel: Any = 10,
    max_jobs: Any = 100,
    max_work: Any = 10_000,
    vehicle_mode: Any = 0,
    eligible: Any = True,
    score: Any = 50.0,
    fold_shift_fit: bool = True,
    **overrides: Any,
) -> Problem:
    """A raw :class:`Problem` from keyword arrays; scalars broadcast to their shape.

    Shapes: per job (J,) for ``earliest``, ``latest``, ``duration``, ``team``,
    ``priority``, ``pinned_start``; per vehicle (V,) for ``max_jobs``, ``max_work``,
    ``vehicle_mode``; ``travel`` is a scalar, (J, J) or (M, J, J) (a scalar gives 0 on
    the diagonal); ``home_travel`` is a scalar, (J,) or (V, J); ``eligible`` is (V, J);
    ``score`` is (W, J).

    ``shifts`` lists ``(worker, start, end)`` per vehicle; the default is one shift
    ``[0, 600)`` per worker. ``pins`` lists ``(vehicle, job)`` pairs. ``eligible`` holds
    the pair rules; with ``fold_shift_fit`` (the default, as the compile step does) it is
    narrowed to pairs whose shift can hold the job on its own. Pass ``fold_shift_fit=False``
    to hand a solver pairs that only its own time checks can rule out.

    ``reasons`` gets ``ReasonBit.NO_AVAILABILITY`` where no shift of the worker is eligible
    and ``score`` is 0 there. ``overrides`` replace any :class:`Problem` field last.
    """
    if shifts is None:
        shifts = [(w, 0, 600) for w in range(n_workers)]
    n_vehicles = len(shifts)
    vehicle_worker = np.array([s[0] for s in shifts], dtype=np.int32).reshape(n_vehicles)
    if n_vehicles and not (vehicle_worker.min() >= 0 and vehicle_worker.max() < n_workers):
        raise ValueError("every shift needs a worker index in 0..n_workers-1")
    vehicle_start = np.array([s[1] for s in shifts], dtype=np.int32).reshape(n_vehicles)
    vehicle_end = np.array([s[2] for s in shifts], dtype=np.int32).reshape(n_vehicles)

    job_earliest = _ints(earliest, (n_jobs,), "earliest")
    job_latest = _ints(latest, (n_jobs,), "latest")
    job_duration = _ints(duration, (n_jobs,), "duration")

    travel_array = np.asarray(travel)
    if travel_array.ndim == 0:
        matrix = np.full((n_jobs, n_jobs), int(travel_array), dtype=np.int32)
        np.fill_diagonal(matrix, 0)
        travel_array = matrix[None]
    elif travel_array.ndim == 2:
        travel_array = travel_array[None]
    n_modes = int(travel_array.shape[0])
    travel_job_job = _ints(travel_array, (n_modes, n_jobs, n_jobs), "travel")

    home = np.asarray(home_travel)
    if home.ndim == 1:
        home = np.broadcast_to(home[None, :], (n_vehicles, n_jobs))
    travel_home_job = _ints(home, (n_vehicles, n_jobs), "home_travel")

    pinned = np.zeros((n_vehicles, n_jobs), dtype=bool)
    for vehicle, job in pins:
        pinned[vehicle, job] = True

    pair_ok = np.ascontiguousarray(
        np.broadcast_to(np.asarray(eligible, dtype=bool), (n_vehicles, n_jobs))
    )
    if fold_shift_fit:
        pair_ok = pair_ok & _shift_fit(
            vehicle_start, vehicle_end, travel_home_job, job_earliest, job_latest, job_duration
        )
    worker_ok = np.zeros((n_workers, n_jobs), dtype=bool)
    np.logical_or.at(worker_ok, vehicle_worker, pair_ok)
    reasons = np.where(worker_ok, 0, int(ReasonBit.NO_AVAILABILITY)).astype(np.uint16)
    scores = np.broadcast_to(np.asarray(score, dtype=np.float64), (n_workers, n_jobs))
    scores = np.where(worker_ok, scores, 0.0)

    fields: dict[str, Any] = {
        "horizon_start": HORIZON_START,
        "worker_ids": tuple(f"W{w}" for w in range(n_workers)),
        "job_ids": tuple(f"J{j}" for j in range(n_jobs)),
        "modes": _MODES[:n_modes]
        if n_modes <= len(_MODES)
        else tuple(f"mode{m}" for m in range(n_modes)),
        "vehicle_worker": vehicle_worker,
        "vehicle_start": vehicle_start,
        "vehicle_end": vehicle_end,
        "vehicle_mode": _ints(vehicle_mode, (n_vehicles,), "vehicle_mode"),
        "vehicle_max_jobs": _ints(max_jobs, (n_vehicles,), "max_jobs"),
        "vehicle_max_work": _ints(max_work, (n_vehicles,), "max_work"),
        "job_earliest": job_earliest,
        "job_latest": job_latest,
        "job_duration": job_duration,
        "job_team": _ints(team, (n_jobs,), "team"),
        "job_priority": _ints(priority, (n_jobs,), "priority"),
        "job_pinned_start": _ints(pinned_start, (n_jobs,), "pinned_start"),
        "pinned": pinned,
        "travel_job_job": travel_job_job,
        "travel_home_job": travel_home_job,
        "eligible": pair_ok,
        "reasons": reasons,
        "score": np.ascontiguousarray(scores),
    }
    unknown = set(overrides) - set(fields)
    if unknown:
        raise TypeError(f"make_problem got unknown Problem fields {sorted(unknown)}")
    fields.update(overrides)
    return Problem(**fields)


def random_problem(
    seed: int,
    n_workers: int,
    n_jobs: int,
    *,
    shifts_per_worker: int = 1,
    n_modes: int = 1,
    team_share: float = 0.0,
    pin_share: float = 0.0,
    eligible_share: tuple[float, float] = (0.25, 0.5),
) -> Problem:
    """A seeded random problem of realistic shape (same seed, same problem).

    Each worker has ``shifts_per_worker`` shifts on consecutive days (day ``d`` spans
    minutes ``1440 d`` onwards), each starting 07:00-10:00 and lasting 8-10 hours; each job
    falls on a random day with a start window of 0-180 minutes opening between 07:00 and
    15:00, a duration of 60-300 minutes and priority 1-5. Places lie in a square; travel is
    ``5 + 55 * distance / diagonal`` minutes (5-60, rounded up), slower by 30 % per extra
    mode. Each job's pair rules admit a random 25-50 % (``eligible_share``) of the
    workers; folding in the shift fit (as the compile step does) leaves each job eligible
    for about 20-40 % of the vehicles. Vehicles take 2-6 jobs and 300-540 work minutes.

    ``team_share`` of the jobs need 2 workers (one in four of those, 3). ``pin_share`` of
    the jobs are pinned, consistently: at most one pinned job per vehicle, each on
    eligible vehicles whose shift holds it at one common start, distinct workers for a
    team; half of the pins give that start, half leave it to the solver (-1).
    """
    rng = np.random.default_rng(seed)
    n_vehicles = n_workers * shifts_per_worker
    worker_xy = rng.random((n_workers, 2))
    job_xy = rng.random((n_jobs, 2))
    diagonal = float(np.sqrt(2.0))

    def minutes(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        distance = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
        result: npt.NDArray[np.int64] = np.ceil(5.0 + 55.0 * distance / diagonal).astype(np.int64)
        return result

    base = minutes(job_xy, job_xy)
    np.fill_diagonal(base, 0)
    travel = np.stack([np.ceil(base * (1.0 + 0.3 * m)) for m in range(n_modes)]).astype(np.int32)
    worker_home = minutes(worker_xy, job_xy)

    vehicle_worker = np.repeat(np.arange(n_workers), shifts_per_worker)
    vehicle_day = np.tile(np.arange(shifts_per_worker), n_workers)
    vehicle_start = 1440 * vehicle_day + rng.integers(420, 601, n_vehicles)
    vehicle_end = vehicle_start + rng.integers(480, 601, n_vehicles)
    worker_mode = rng.integers(0, n_modes, n_workers)
    vehicle_mode = worker_mode[vehicle_worker]
    home_travel = np.ceil(worker_home[vehicle_worker] * (1.0 + 0.3 * vehicle_mode[:, None])).astype(
        np.int64
    )

    job_day = rng.integers(0, shifts_per_worker, n_jobs)
    job_earliest = 1440 * job_day + rng.integers(420, 901, n_jobs)
    job_latest = job_earliest + rng.integers(0, 181, n_jobs)
    job_duration = rng.integers(60, 301, n_jobs)
    job_team = np.ones(n_jobs, dtype=np.int64)
    is_team = rng.random(n_jobs) < team_share
    job_team[is_team] = np.where(rng.random(int(is_team.sum())) < 0.25, 3, 2)
    job_priority = rng.integers(1, 6, n_jobs)

    share = rng.uniform(eligible_share[0], eligible_share[1], n_jobs)
    worker_ok = rng.random((n_workers, n_jobs)) < share[None, :]
    fit = _shift_fit(
        vehicle_start.astype(np.int32),
        vehicle_end.astype(np.int32),
        home_travel.astype(np.int32),
        job_earliest.astype(np.int32),
        job_latest.astype(np.int32),
        job_duration.astype(np.int32),
    )
    eligible = worker_ok[vehicle_worker] & fit
    score = np.round(rng.uniform(20.0, 100.0, (n_workers, n_jobs)), 1)
    max_jobs = rng.integers(2, 7, n_vehicles)
    max_work = rng.integers(300, 541, n_vehicles)

    pins: list[tuple[int, int]] = []
    pinned_start = np.full(n_jobs, -1, dtype=np.int64)
    vehicle_taken = np.zeros(n_vehicles, dtype=bool)
    n_pins = round(pin_share * n_jobs)
    for job in rng.permutation(n_jobs)[:n_pins]:
        start = int(rng.integers(job_earliest[job], job_latest[job] + 1))
        holds = (
            eligible[:, job]
            & ~vehicle_taken
            & (vehicle_start + home_travel[:, job] <= start)
            & (start + job_duration[job] <= vehicle_end)
            & (max_work >= job_duration[job])
        )
        chosen: list[int] = []
        for vehicle in rng.permutation(np.flatnonzero(holds)):
            if all(vehicle_worker[vehicle] != vehicle_worker[c] for c in chosen):
                chosen.append(int(vehicle))
            if len(chosen) == job_team[job]:
                break
        if len(chosen) < job_team[job]:
            continue
        vehicle_taken[chosen] = True
        pins.extend((vehicle, int(job)) for vehicle in chosen)
        if rng.random() < 0.5:
            pinned_start[job] = start

    return make_problem(
        n_workers=n_workers,
        n_jobs=n_jobs,
        shifts=list(
            zip(vehicle_worker.tolist(), vehicle_start.tolist(), vehicle_end.tolist(), strict=True)
        ),
        earliest=job_earliest,
        latest=job_latest,
        duration=job_duration,
        team=job_team,
        priority=job_priority,
        pinned_start=pinned_start,
        pins=pins,
        travel=travel,
        home_travel=home_travel,
        max_jobs=max_jobs,
        max_work=max_work,
        vehicle_mode=vehicle_mode,
        eligible=eligible,
        score=score,
        fold_shift_fit=False,
    )


@st.composite
def random_problems(
    draw: st.DrawFn,
    *,
    max_workers: int,
    max_jobs: int,
    min_jobs: int = 0,
    team_shares: Sequence[float] = (0.0, 0.2, 0.5),
    pin_shares: Sequence[float] = (0.0, 0.1, 0.3),
) -> Problem:
    """A hypothesis strategy of :func:`random_problem` rounds of bounded size."""
    return random_problem(
        draw(st.integers(0, 2**31 - 1)),
        draw(st.integers(1, max_workers)),
        draw(st.integers(min_jobs, max_jobs)),
        shifts_per_worker=draw(st.integers(1, 2)),
        n_modes=draw(st.integers(1, 2)),
        team_share=draw(st.sampled_from(team_shares)),
        pin_share=draw(st.sampled_from(pin_shares)),
    )


def missing_pins(problem: Problem, solution: Solution) -> set[tuple[int, int]]:
    """Pinned ``(vehicle, job)`` pairs the solution does not serve; empty when pins are kept."""
    pinned = {(int(v), int(j)) for v, j in zip(*np.nonzero(problem.pinned), strict=True)}
    return pinned - {(v, j) for v, j, _ in solution.assignments()}


def problem_violations(problem: Problem, solution: Solution) -> list[str]:
    """Every hard rule a solution breaks, checked on the problem's arrays; ``[]`` if valid.

    Checked: indices in range; one start per job in a route; routes in time order; the
    window of each start; the shift (start after the shift start plus travel from home for
    the first job, end by the shift end); travel between consecutive jobs; no overlap,
    including across shifts of one worker; at most ``vehicle_max_jobs`` jobs and
    ``vehicle_max_work`` service minutes per vehicle; eligibility of every non-pinned pair;
    a team job served by exactly ``job_team`` distinct workers at one start, or by none;
    every pin kept (pinned vehicles serve the job, at ``job_pinned_start`` when given).
    """
    out: list[str] = []
    n_vehicles, n_jobs = problem.n_vehicles, problem.n_jobs
    visits: dict[int, list[tuple[int, int]]] = defaultdict(list)  # job -> (vehicle, start)
    by_worker: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # (start, end, job)
    seen_vehicles: set[int] = set()

    for route in solution.routes:
        v = route.vehicle
        if not 0 <= v < n_vehicles:
            out.append(f"route of unknown vehicle {v}")
            continue
        if v in seen_vehicles:
            out.append(f"vehicle {v} has two routes")
        seen_vehicles.add(v)
        jobs = list(route.jobs)
        if any(not 0 <= j < n_jobs for j in jobs):
            out.append(f"vehicle {v} serves an unknown job in {jobs}")
            continue
        if len(set(jobs)) != len(jobs):
            out.append(f"vehicle {v} serves a job twice: {jobs}")
        if len(jobs) > problem.vehicle_max_jobs[v]:
            out.append(f"vehicle {v} serves {len(jobs)} jobs > max {problem.vehicle_max_jobs[v]}")
        work = int(problem.job_duration[jobs].sum()) if jobs else 0
        if work > problem.vehicle_max_work[v]:
            out.append(f"vehicle {v} works {work} min > max {problem.vehicle_max_work[v]}")
        previous: int | None = None
        previous_end = int(problem.vehicle_start[v])
        for j, start in zip(jobs, route.starts, strict=True):
            end = start + int(problem.job_duration[j])
            visits[j].append((v, start))
            by_worker[int(problem.vehicle_worker[v])].append((start, end, j))
            if not problem.eligible[v, j] and not problem.pinned[v, j]:
                out.append(f"job {j} on vehicle {v}: pair not eligible")
            if not problem.job_earliest[j] <= start <= problem.job_latest[j]:
                out.append(
                    f"job {j} on vehicle {v} starts at {start}, outside its window "
                    f"[{problem.job_earliest[j]}, {problem.job_latest[j]}]"
                )
            if start < problem.vehicle_start[v] or end > problem.vehicle_end[v]:
                out.append(
                    f"job {j} on vehicle {v} runs {start}-{end}, outside the shift "
                    f"[{problem.vehicle_start[v]}, {problem.vehicle_end[v]}]"
                )
            arrival = previous_end + problem.travel(v, previous, j)
            if start < arrival:
                origin = "home" if previous is None else f"job {previous}"
                out.append(
                    f"job {j} on vehicle {v} starts at {start} before arrival {arrival} "
                    f"from {origin}"
                )
            previous, previous_end = j, end

    for worker, spans in by_worker.items():
        spans.sort()
        for (_, end_a, job_a), (start_b, _, job_b) in pairwise(spans):
            if start_b < end_a:
                out.append(f"worker {worker} is on jobs {job_a} and {job_b} at once")

    for j in range(n_jobs):
        members = visits.get(j, [])
        workers = [int(problem.vehicle_worker[v]) for v, _ in members]
        if len(set(workers)) != len(workers):
            out.append(f"job {j} has one worker twice")
        if members and len(members) != problem.job_team[j]:
            out.append(f"job {j} needs {problem.job_team[j]} workers, got {len(members)}")
        if len({start for _, start in members}) > 1:
            out.append(f"job {j} members start at different minutes {members}")
        pinned_start = int(problem.job_pinned_start[j])
        if pinned_start >= 0 and any(start != pinned_start for _, start in members):
            out.append(f"job {j} is pinned to start at {pinned_start}, got {members}")
        served_by = {v for v, _ in members}
        for v in np.flatnonzero(problem.pinned[:, j]).tolist():
            if v not in served_by:
                out.append(f"pin of job {j} on vehicle {v} was not kept")
    return out
