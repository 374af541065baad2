"""VROOM (through pyvroom) as a peer solver on a compiled :class:`~matchmaker.compile.Problem`.

The translation gives VROOM every rule it can express, on the same data our solvers see:

=========================  ================================================================
ours                       VROOM
=========================  ================================================================
vehicle (worker shift)     one vehicle; ``start`` = its own home location, no ``end`` (open
                           route: the way home is neither planned nor counted, as ours)
shift                      vehicle ``time_window``; with no end location VROOM ends the
                           route at the end of the last service, so the shift end bounds
                           the *end* of service, as ours (checked: a job that would end
                           after the shift end is left unassigned)
job window                 job ``time_windows`` = ``[earliest, latest]``: both bound the
                           *start* of service
duration                   ``default_service``
travel                     one profile per travel mode used; a square duration matrix over
                           homes (one per vehicle) and jobs, in minutes; VROOM's cost is its
                           travel duration (no ``costs`` matrix, default per-hour cost), so
                           the way home is free, as ours
eligibility (V, J)         skills: jobs with the same column of ``eligible`` share one skill
                           id; a vehicle holds the skill ids of the jobs it may serve
max jobs per shift         ``max_tasks``
max work minutes           a one-dimensional capacity ``[max_work]``; each job delivers its
                           duration
priority                   VROOM priority 0-100 from the policy's priority weights, scaled
                           so that priority 5 maps to 99 (see :func:`vroom_priorities`)
pinned visit               VROOM has no hard pins: the copy is restricted to the pinned
                           vehicle (its own skill id), its window is the pinned start, its
                           priority 100 (the other jobs' priorities are compressed so that
                           it outweighs a shift of them), and each vehicle's pinned visits
                           are its initial route (vehicle steps), which VROOM's timeout
                           cannot cut short; if VROOM rejects such a route (pins that do
                           not fit together) the solve is repeated without initial routes
team job (n workers)       n independent single visits: VROOM cannot synchronise them, so
                           members may start at different times and a team may be staffed
                           partially; the verifier reports both (see ``team_*`` stats)
match score                not expressible (VROOM has no vehicle-job costs): VROOM ignores it
=========================  ================================================================

A team job's second visit on one route is dropped when converting back (counted in
``duplicate_team_copies_dropped``). Jobs with fewer eligible workers than they need are
not given to VROOM.

VROOM's timeout stops its local search, not its construction heuristics, which run first
and grow quickly with the round (about 30 s at level 0 on 600 shifts x 2000 jobs).

VROOM maximises its priority sum, then the number of served tasks, then minimises cost; the
returned :class:`~matchmaker.solve.Solution` carries ``objective_terms(...).total`` of the
documented objective, so it compares with our backends.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Policy
from matchmaker.solve import Route, Solution, objective_terms, priority_weights

__all__ = ["DEFAULT_LEVEL", "DEFAULT_THREADS", "build_input", "solve", "vroom_priorities"]

DEFAULT_LEVEL = 2
"""VROOM's exploration level (1-5). Level 5 gets slow with hundreds of vehicles and per-job
skills; 2 is what a dispatch integration would use under a time budget."""
DEFAULT_THREADS = 2

PINNED_PRIORITY = 100
TOP_PRIORITY = 99
MIN_TOP_PRIORITY = 5


def vroom_priorities(problem: Problem, policy: Policy) -> npt.NDArray[np.int64]:
    """VROOM priority (0-100) per job: the policy's weight scaled to a top level, pins 100.

    Without pins the heaviest weight maps to 99. VROOM maximises its priority sum before
    anything else and has no hard pins, so with pins the other jobs are compressed until a
    pin outweighs a whole shift of them: the top level is ``99 // max_jobs`` of the pinned
    shifts (at least 5). Rounded weights keep their order; with ``strict_priority`` the
    lower ones may collapse to 1.
    """
    pinned_jobs = problem.pinned.any(axis=0)
    top = TOP_PRIORITY
    if pinned_jobs.any():
        busiest = int(problem.vehicle_max_jobs[problem.pinned.any(axis=1)].max())
        top = max(MIN_TOP_PRIORITY, TOP_PRIORITY // max(1, busiest))
    weights = priority_weights(problem, policy)
    heaviest = max(weights.values())
    table = np.zeros(6, dtype=np.int64)
    for priority, weight in weights.items():
        table[priority] = max(1, round(top * weight / heaviest))
    result: npt.NDArray[np.int64] = table[problem.job_priority]
    result[pinned_jobs] = PINNED_PRIORITY
    return result


def _eligibility_groups(eligible: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Group id per job: jobs with identical eligible-vehicle columns share one VROOM skill."""
    if eligible.shape[1] == 0:
        return np.zeros(0, dtype=np.intp)
    packed = np.packbits(eligible.T, axis=1)
    _, inverse = np.unique(packed, axis=0, return_inverse=True)
    groups: npt.NDArray[np.intp] = inverse.reshape(-1).astype(np.intp)
    return groups


def _duration_matrix(problem: Problem, mode: int) -> npt.NDArray[np.uint32]:
    """Travel minutes over homes (one per vehicle, indices ``0..V-1``) then jobs (``V..``).

    Home rows hold each vehicle's own home-to-job minutes (right for the vehicle's own
    profile, the only one that reads them). Job-to-home entries mirror home-to-job ones:
    routes are open, so VROOM never charges them.
    """
    n_vehicles, n_jobs = problem.n_vehicles, problem.n_jobs
    size = n_vehicles + n_jobs
    matrix = np.zeros((size, size), dtype=np.uint32)
    matrix[:n_vehicles, n_vehicles:] = problem.travel_home_job
    matrix[n_vehicles:, :n_vehicles] = problem.travel_home_job.T
    matrix[n_vehicles:, n_vehicles:] = problem.travel_job_job[mode]
    return matrix


def build_input(
    problem: Problem, policy: Policy, *, teams: str = "split", pinned_routes: bool = True
) -> tuple[Any, list[int], dict[str, float]]:
    """A ``vroom.Input`` for ``problem`` and the job index of every VROOM task id.

    ``teams="split"`` gives a team job of n workers n single visits; ``"skip"`` leaves team
    jobs out. Jobs with fewer eligible workers than they need are left out either way
    (no assignment of them can be right). With ``pinned_routes`` each vehicle's pinned
    visits are its initial route. Returns ``(input, task_job, stats)``.
    """
    import vroom

    if teams not in ("split", "skip"):
        raise ValueError(f"teams must be 'split' or 'skip', not {teams!r}")
    offset = min(
        0,
        int(problem.vehicle_start.min(initial=0)),
        int(problem.job_earliest.min(initial=0)),
    )
    vroom_input = vroom.Input()
    for mode in np.unique(problem.vehicle_mode).tolist():
        vroom_input.set_durations_matrix(problem.modes[mode], _duration_matrix(problem, mode))

    eligible = problem.eligible
    groups = _eligibility_groups(eligible)
    n_groups = int(groups.max(initial=-1)) + 1
    priorities = vroom_priorities(problem, policy)
    workers_eligible = np.zeros((problem.n_workers, problem.n_jobs), dtype=bool)
    np.logical_or.at(workers_eligible, problem.vehicle_worker, eligible)
    eligible_workers = workers_eligible.sum(axis=0)

    task_job: list[int] = []
    extra_skills: dict[int, set[int]] = {}
    pinned_tasks: dict[int, list[tuple[int, int]]] = {}  # vehicle -> (start, task)
    next_skill = n_groups
    jobs = []
    team_jobs = 0
    left_out = 0
    for job in range(problem.n_jobs):
        team = int(problem.job_team[job])
        if team > 1:
            team_jobs += 1
        if eligible_workers[job] < team or (team > 1 and teams == "skip"):
            left_out += 1
            continue
        pinned_vehicles = np.flatnonzero(problem.pinned[:, job]).tolist()
        pinned_start = int(problem.job_pinned_start[job])
        for member in range(team):
            if member < len(pinned_vehicles):
                skill = next_skill
                next_skill += 1
                extra_skills.setdefault(pinned_vehicles[member], set()).add(skill)
                pinned_tasks.setdefault(pinned_vehicles[member], []).append(
                    (
                        int(problem.job_earliest[job]) if pinned_start < 0 else pinned_start,
                        len(task_job),
                    )
                )
            else:
                skill = int(groups[job])
            if pinned_start >= 0:
                window = (pinned_start - offset, pinned_start - offset)
            else:
                window = (
                    int(problem.job_earliest[job]) - offset,
                    int(problem.job_latest[job]) - offset,
                )
            duration = int(problem.job_duration[job])
            jobs.append(
                vroom.Job(
                    len(task_job),
                    location=problem.n_vehicles + job,
                    default_service=duration,
                    delivery=[duration],
                    skills={skill},
                    priority=int(priorities[job]),
                    time_windows=[window],
                )
            )
            task_job.append(job)
    vroom_input.add_job(jobs)

    vehicles = []
    for vehicle in range(problem.n_vehicles):
        skills = set(np.unique(groups[eligible[vehicle]]).tolist())
        skills |= extra_skills.get(vehicle, set())
        vehicles.append(
            vroom.Vehicle(
                vehicle,
                start=vehicle,
                profile=problem.modes[int(problem.vehicle_mode[vehicle])],
                capacity=[int(problem.vehicle_max_work[vehicle])],
                skills=skills,
                time_window=(
                    int(problem.vehicle_start[vehicle]) - offset,
                    int(problem.vehicle_end[vehicle]) - offset,
                ),
                max_tasks=int(problem.vehicle_max_jobs[vehicle]),
                steps=_initial_steps(
                    sorted(pinned_tasks.get(vehicle, [])) if pinned_routes else []
                ),
            )
        )
    vroom_input.add_vehicle(vehicles)
    stats = {
        "vroom_tasks": float(len(task_job)),
        "vroom_skills": float(next_skill),
        "team_jobs": float(team_jobs),
        "jobs_left_out": float(left_out),
        "time_offset": float(offset),
        "pinned_initial_routes": float(pinned_routes and bool(pinned_tasks)),
    }
    return vroom_input, task_job, stats


def _initial_steps(pinned: list[tuple[int, int]]) -> list[Any]:
    """A vehicle's pinned visits in time order, as VROOM's initial route.

    VROOM uses vehicle steps as a starting solution: without them its construction
    heuristics, which run before any timeout is checked, can leave pinned visits out, and a
    search cut short by the timeout never puts them back.
    """
    import vroom

    if not pinned:
        return []
    return [
        vroom.VehicleStepStart(),
        *(vroom.VehicleStepSingle(task) for _, task in pinned),
        vroom.VehicleStepEnd(),
    ]


def _routes_from_frame(
    frame: Any, task_job: list[int], offset: int
) -> tuple[tuple[Route, ...], int]:
    """Our routes from VROOM's route table; a route's second copy of one team job is dropped."""
    steps = frame[frame["type"] == "job"]
    vehicles = steps["vehicle_id"].to_numpy(dtype=np.int64)
    tasks = steps["id"].to_numpy(dtype=np.int64)
    starts = (
        steps["arrival"].to_numpy(dtype=np.int64)
        + steps["waiting_time"].to_numpy(dtype=np.int64)
        + steps["setup"].to_numpy(dtype=np.int64)
        + offset
    )
    routes: list[Route] = []
    dropped = 0
    for vehicle in np.unique(vehicles).tolist():
        mask = vehicles == vehicle
        jobs: list[int] = []
        times: list[int] = []
        for task, start in zip(tasks[mask].tolist(), starts[mask].tolist(), strict=True):
            job = task_job[task]
            if job in jobs:
                dropped += 1
                continue
            jobs.append(job)
            times.append(int(start))
        routes.append(Route(vehicle=int(vehicle), jobs=tuple(jobs), starts=tuple(times)))
    return tuple(sorted(routes, key=lambda r: r.vehicle)), dropped


def _team_stats(problem: Problem, routes: tuple[Route, ...]) -> dict[str, float]:
    """How many team jobs VROOM staffed fully, partially, and fully but not together."""
    members: dict[int, list[int]] = {}
    for route in routes:
        for job, start in zip(route.jobs, route.starts, strict=True):
            if problem.job_team[job] > 1:
                members.setdefault(job, []).append(start)
    full = partial = unsynchronised = 0
    for job, starts in members.items():
        if len(starts) < int(problem.job_team[job]):
            partial += 1
        else:
            full += 1
            if len(set(starts)) > 1:
                unsynchronised += 1
    return {
        "team_jobs_full": float(full),
        "team_jobs_partial": float(partial),
        "team_jobs_unsynchronised": float(unsynchronised),
    }


def solve(
    problem: Problem,
    *,
    policy: Policy,
    time_limit: float,
    seed: int = 0,
    level: int = DEFAULT_LEVEL,
    threads: int = DEFAULT_THREADS,
    teams: str = "split",
) -> Solution:
    """Solve ``problem`` with VROOM and return it as our :class:`Solution`.

    ``time_limit`` is VROOM's timeout (it returns its best solution so far); VROOM is
    deterministic for given threads and ignores ``seed``, which is only recorded.
    ``Solution.status`` is ``"teams-unsynchronised"`` when the problem has team jobs that
    were split into single visits.
    """
    import vroom

    began = time.perf_counter()
    vroom_input, task_job, stats = build_input(problem, policy, teams=teams)
    built = time.perf_counter()
    timeout = timedelta(seconds=max(time_limit, 0.001))
    try:
        result = vroom_input.solve(exploration_level=level, nb_threads=threads, timeout=timeout)
    except vroom._vroom.VroomInputException:
        # The pinned visits of some vehicle do not fit together (VROOM rejects such an
        # initial route): solve without initial routes; verify reports the pins it drops.
        vroom_input, task_job, stats = build_input(
            problem, policy, teams=teams, pinned_routes=False
        )
        result = vroom_input.solve(exploration_level=level, nb_threads=threads, timeout=timeout)
    solved = time.perf_counter()
    routes, dropped = _routes_from_frame(result.routes, task_job, int(stats["time_offset"]))
    stats |= _team_stats(problem, routes)
    stats |= {
        "duplicate_team_copies_dropped": float(dropped),
        "vroom_level": float(level),
        "vroom_threads": float(threads),
        "build_seconds": built - began,
        "vroom_seconds": solved - built,
    }
    has_split_teams = teams == "split" and stats["team_jobs"] > 0
    return Solution(
        routes=routes,
        objective=objective_terms(problem, routes, policy).total,
        backend="vroom",
        seed=seed,
        solve_seconds=time.perf_counter() - began,
        status="teams-unsynchronised" if has_split_teams else "feasible",
        stats=stats,
    )
