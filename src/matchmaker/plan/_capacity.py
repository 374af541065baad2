"""Why an unserved job with eligible workers was left out: each worker's standing in the plan.

**Reason codes of unserved jobs.** When fewer workers are eligible than the job needs, the
code and sentence come from :func:`matchmaker.plan.ineligibility_summary` (``GENDER``,
``SKILL_LEVEL``, ..., ``TEAM_SIZE``). Otherwise enough workers may serve it and the plan is
read to find what kept them away, trying to insert the job into each eligible worker's
planned day without moving anything:

* ``TRAVEL`` when enough of them have time for the job in its window but cannot get there
  from their previous job (or on to the next one) in time;
* ``NO_AVAILABILITY`` for a team job whose eligible workers are free at some time in the
  window, but never enough of them at the same time;
* ``NOT_WORTH`` when it fits in free time, but even its cheapest place there costs (travel
  and match) as much as serving it is worth under the policy's ``serve_value_minutes``;
* ``CAPACITY`` otherwise: the eligible workers are busy with other jobs at that time or have
  reached their most jobs or work minutes in the shift (up to three are named, with what they
  do). A job that could still be inserted without moving anything (the solver stopped before
  it got there) is also ``CAPACITY``, and its sentence says so and names who could take it.

A planned day (:data:`Schedule`) comes from a solution's routes while a plan is built
(:mod:`matchmaker.plan._build`), or from a plan's assignments when it is explained
(:mod:`matchmaker.plan._explain`). Times are shown in the dataset's timezone when it has
one, else in the offset of the job's own window.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem
from matchmaker.model import Dataset, Job, Policy, add_minutes, minutes_from
from matchmaker.plan import _reasons as reasons
from matchmaker.plan._break_reason import blocked_by_breaks
from matchmaker.plan._free_time import (
    GapTable,
    Schedule,
    StandingTable,
    Status,
    eligible_workers,
    gap_table,
    most_together,
    standing_table,
)
from matchmaker.plan._limit_reasons import limit_reason
from matchmaker.plan._linked_reason import dependency_reason
from matchmaker.plan._plan import Plan, ReasonCode
from matchmaker.solve import Costs, Route

__all__ = [
    "NAMED_WORKERS",
    "Schedule",
    "Standing",
    "Status",
    "clock_time",
    "display_zone",
    "eligible_by_worker",
    "instant_at",
    "priced_costs",
    "schedule_of_plan",
    "schedule_of_routes",
    "standing_of",
    "unserved_reason",
    "worker_label",
]

NAMED_WORKERS = 3
"""How many workers a sentence names before "and N more"."""


# --- display helpers ------------------------------------------------------------------


def display_zone(dataset: Dataset, job: Job) -> tzinfo | None:
    zone = dataset.settings.zone
    return zone if zone is not None else job.window.start.tzinfo


def instant_at(problem: Problem, minute: int, zone: tzinfo | None) -> datetime:
    """The instant of solver ``minute``, counted in real time (UTC), shown in ``zone``."""
    return add_minutes(problem.horizon_start, int(minute), zone)


def clock_time(moment: datetime, day_of: datetime) -> str:
    """``HH:MM``, with the date when it is not the day of ``day_of``."""
    if moment.date() == day_of.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%Y-%m-%d %H:%M")


def worker_label(dataset: Dataset, worker_id: str) -> str:
    worker = dataset.worker(worker_id)
    return f"{worker_id} ({worker.name})" if worker.name else worker_id


# --- the planned days, from a solution or from a plan ---------------------------------


def schedule_of_routes(routes: Sequence[Route]) -> dict[int, list[tuple[int, int]]]:
    schedule: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for route in routes:
        schedule[route.vehicle].extend(zip(route.jobs, route.starts, strict=True))
    for visits in schedule.values():
        visits.sort(key=lambda visit: visit[1])
    return dict(schedule)


def schedule_of_plan(problem: Problem, plan: Plan) -> dict[int, list[tuple[int, int]]]:
    """Each plan assignment on the vehicle (worker shift) it starts in."""
    worker_index = {w: i for i, w in enumerate(problem.worker_ids)}
    job_index = {j: i for i, j in enumerate(problem.job_ids)}
    schedule: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a in plan.assignments:
        w = worker_index.get(a.worker_id)
        j = job_index.get(a.job_id)
        if w is None or j is None:
            continue
        minute = minutes_from(problem.horizon_start, a.start, round_up=False)
        vehicles = np.flatnonzero(
            (problem.vehicle_worker == w)
            & (problem.vehicle_start <= minute)
            & (minute < problem.vehicle_end)
        )
        if vehicles.size:
            schedule[int(vehicles[0])].append((j, minute))
    for visits in schedule.values():
        visits.sort(key=lambda visit: visit[1])
    return dict(schedule)


# --- where an eligible worker stands for a job, given everyone's planned day -----------


@dataclass(frozen=True, kw_only=True)
class Standing:
    """Whether worker ``w`` could take job ``j`` without moving anything planned."""

    worker: int
    status: Status
    free: tuple[tuple[int, int], ...] = ()
    """Closed intervals of feasible start minutes."""
    insertion_travel: int | None = None
    """Least travel minutes the job would add to the worker's day, when free."""
    detail: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Gap:
    """Room between two planned visits of a vehicle (or its shift start and end)."""

    before: int | None
    """The job before the gap, ``None`` for home at the shift start."""
    ready: int
    """When the worker is free: the shift start or the end of ``before``."""
    travel_in: int
    after: int | None
    """The job after the gap, ``None`` for the shift end."""
    deadline: int
    """When the worker must be done: the start of ``after`` or the shift end."""
    travel_out: int
    direct: int
    """Travel from ``before`` straight to ``after`` (what inserting saves nothing of)."""


def _gaps(problem: Problem, v: int, visits: Sequence[tuple[int, int]], j: int) -> Iterator[_Gap]:
    """Every place job ``j`` could go in vehicle ``v``'s planned ``visits``."""
    home = problem.rules.travel_job_home if problem.rules is not None else None
    for gap in range(len(visits) + 1):
        before: int | None = None
        ready = int(problem.vehicle_start[v])
        if gap > 0:
            before, before_start = visits[gap - 1]
            ready = before_start + int(problem.job_duration[before])
        after: int | None = None
        deadline, travel_out, direct = int(problem.vehicle_end[v]), 0, 0
        if gap < len(visits):
            after, deadline = visits[gap]
            travel_out = problem.travel(v, j, after)
            direct = problem.travel(v, before, after)
        elif home is not None:  # the way home is planned: the last job must leave time for it
            travel_out = int(home[v, j])
            direct = 0 if before is None else int(home[v, before])
        yield _Gap(
            before=before,
            ready=ready,
            travel_in=problem.travel(v, before, j),
            after=after,
            deadline=deadline,
            travel_out=travel_out,
            direct=direct,
        )


def standing_of(
    dataset: Dataset,
    problem: Problem,
    schedule: Schedule,
    j: int,
    w: int,
    vehicles: Sequence[int],
) -> Standing:
    """Try every gap of every eligible shift (``vehicles``) of worker ``w`` for job ``j``."""
    zone = display_zone(dataset, dataset.jobs[j])
    day = instant_at(problem, int(problem.job_earliest[j]), zone)

    def clock(minute: int) -> str:
        return clock_time(instant_at(problem, minute, zone), day)

    duration = int(problem.job_duration[j])
    earliest, latest = int(problem.job_earliest[j]), int(problem.job_latest[j])
    if problem.job_pinned_start[j] >= 0:
        earliest = latest = int(problem.job_pinned_start[j])
    free: list[tuple[int, int]] = []
    added: list[int] = []
    travel_notes: list[str] = []
    conflicts: list[str] = []
    full_notes: list[str] = []
    for v in vehicles:
        visits = [(k, start) for k, start in schedule.get(v, ()) if k != j]
        work = sum(int(problem.job_duration[k]) for k, _ in visits)
        if len(visits) + 1 > problem.vehicle_max_jobs[v]:
            jobs = f"{len(visits)} job{'s' if len(visits) != 1 else ''}"
            full_notes.append(f"already has {jobs}, the most allowed in the shift")
            continue
        if work + duration > problem.vehicle_max_work[v]:
            full_notes.append(
                f"already works {work} of at most {int(problem.vehicle_max_work[v])} minutes "
                f"in the shift, no room for {duration} more"
            )
            continue
        for gap in _gaps(problem, v, visits, j):
            low = max(earliest, gap.ready + gap.travel_in)
            high = min(latest, gap.deadline - gap.travel_out - duration)
            if low <= high:
                free.append((low, high))
                added.append(gap.travel_in + gap.travel_out - gap.direct)
            elif max(earliest, gap.ready) <= min(latest, gap.deadline - duration):
                # The gap is long enough for the job; only the travel into or out of it fails.
                origin = (
                    f"home (shift starts {clock(gap.ready)})"
                    if gap.before is None
                    else f"{problem.job_ids[gap.before]} (ends {clock(gap.ready)})"
                )
                note = f"needs {gap.travel_in} min from {origin}"
                if gap.after is not None:
                    note += (
                        f" and {gap.travel_out} min on to {problem.job_ids[gap.after]} "
                        f"(starts {clock(gap.deadline)})"
                    )
                elif gap.travel_out:
                    note += f" and {gap.travel_out} min home (shift ends {clock(gap.deadline)})"
                travel_notes.append(note)
        for k, start in visits:
            end = start + int(problem.job_duration[k])
            if start < latest + duration and end > earliest:
                conflicts.append(f"{problem.job_ids[k]} {clock(start)}-{clock(end)}")
    if free:
        return Standing(
            worker=w,
            status="free",
            free=tuple(free),
            insertion_travel=min(added),
            detail="free " + ", ".join(f"{clock(lo)}-{clock(hi)}" for lo, hi in free),
        )
    if travel_notes:
        return Standing(worker=w, status="travel", detail=travel_notes[0])
    if conflicts:
        return Standing(worker=w, status="busy", detail="serves " + ", ".join(conflicts))
    if full_notes:
        return Standing(worker=w, status="full", detail=full_notes[0])
    return Standing(worker=w, status="busy", detail="has no free time in the window")


def eligible_by_worker(problem: Problem, j: int) -> dict[int, list[int]]:
    """Workers with at least one eligible shift for job ``j`` (best score first), each with
    those shifts."""
    vehicles = np.flatnonzero(problem.eligible[:, j])
    owners = problem.vehicle_worker[vehicles]
    return {int(w): vehicles[owners == w].tolist() for w in eligible_workers(problem, j)}


def priced_costs(problem: Problem, policy: Policy) -> Costs | None:
    """The objective's coefficients when ``policy`` prices serving (``serve_value_minutes``),
    for :func:`unserved_reason` to tell a job not worth its travel; else ``None``."""
    return None if policy.serve_value_minutes is None else Costs.of(problem, policy)


def _not_worth(
    problem: Problem, costs: Costs, table: StandingTable, j: int
) -> tuple[int, int] | None:
    """``(cost, worth)`` when the cheapest place for job ``j`` in the free time of ``table``
    (its team's cheapest members together) costs at least what serving it is worth."""
    workers = problem.vehicle_worker[table.free_vehicle]
    cost = costs.travel_rate * table.free_added + costs.match_cost[workers, j]
    order = np.argsort(workers, kind="stable")
    firsts = np.flatnonzero(np.r_[True, np.diff(workers[order]) != 0])
    cheapest = np.sort(np.minimum.reduceat(cost[order], firsts))
    least = int(cheapest[: int(problem.job_team[j])].sum())
    worth = int(costs.worth[j])
    return (least, worth) if least >= worth else None


def unserved_reason(
    dataset: Dataset,
    problem: Problem,
    schedule: Schedule,
    j: int,
    gaps: GapTable | None = None,
    costs: Costs | None = None,
) -> tuple[ReasonCode, str]:
    """The reason code and sentence of job ``j``, which no planned day of ``schedule`` holds.

    ``gaps`` is :func:`~matchmaker.plan._free_time.gap_table` of ``schedule``, built once
    when many jobs are explained against one plan. ``costs`` is :func:`priced_costs` of the
    plan's policy: with them, a job that fits may be ``NOT_WORTH`` serving.
    """
    linked = dependency_reason(dataset, problem, schedule, j)
    if linked is not None:
        return linked
    team = int(problem.job_team[j])
    order = eligible_workers(problem, j)
    if len(order) < team:
        return reasons.ineligibility_summary(dataset, problem, j)
    limited = limit_reason(dataset, problem, schedule, j)
    if limited is not None:
        return limited
    table = standing_table(problem, gap_table(problem, schedule) if gaps is None else gaps, j)
    free = table.workers(order, "free")
    travel = table.workers(order, "travel")
    plural = "worker" if problem.n_workers == 1 else "workers"
    head = f"{len(order)} of {problem.n_workers} {plural} eligible"
    if team > 1:
        head += f", {team} needed"

    def listing(workers: npt.NDArray[np.int64]) -> str:
        # Only the named workers are worded: the table has already classified the rest.
        named = []
        for w in workers[:NAMED_WORKERS]:
            vehicles = np.flatnonzero(problem.eligible[:, j] & (problem.vehicle_worker == w))
            standing = standing_of(dataset, problem, schedule, j, int(w), vehicles.tolist())
            named.append(f"{worker_label(dataset, problem.worker_ids[w])} {standing.detail}")
        more = len(workers) - NAMED_WORKERS
        return "; ".join(named) + (f"; and {more} more" if more > 0 else "")

    def sentence(code: ReasonCode, text: str) -> tuple[ReasonCode, str]:
        # The same shape as reasons.ineligibility_summary: "CODE: head - what happened".
        return code, f"{code.value}: {head} - {text}"

    if most_together(table.free_low, table.free_high) >= team:
        if blocked_by_breaks(problem, schedule, j, free.tolist()):
            return sentence(
                ReasonCode.BREAK,
                f"it fits in free time but not beside the workers' breaks: {listing(free)}",
            )
        priced = None if costs is None else _not_worth(problem, costs, table, j)
        if priced is not None:
            cost, worth = priced
            return sentence(
                ReasonCode.NOT_WORTH,
                f"it fits without moving anything, but its cheapest place costs {cost} and "
                f"serving it is worth {worth} (policy serve_value_minutes): {listing(free)}",
            )
        return sentence(
            ReasonCode.CAPACITY,
            "it still fits without moving anything, but the solver stopped before placing it "
            f"(a longer time limit may serve it): {listing(free)}",
        )
    if team > 1 and len(free) >= team:
        return sentence(
            ReasonCode.NO_AVAILABILITY,
            f"{len(free)} have free time in the window but never {team} at the same time: "
            f"{listing(free)}",
        )
    if len(travel) and len(free) + len(travel) >= team:
        return sentence(
            ReasonCode.TRAVEL,
            f"{len(travel)} {'has' if len(travel) == 1 else 'have'} time in the window but "
            f"cannot get there in time: {listing(travel)}",
        )
    busy = table.workers(order, "busy", "full")
    return sentence(ReasonCode.CAPACITY, f"all busy at that time: {listing(busy)}")
