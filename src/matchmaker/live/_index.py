"""The one-off index live dispatch reads: a plan's routes as padded arrays over its problem.

:func:`build_index` compiles the plan's dataset with the plan's own travel model
(``plan.travel``) and lays every vehicle's (worker shift's) planned visits out in arrays of
shape ``(V, L)`` (``L`` the longest route), with each visit's *push-forward bound*: the
latest start to which it can be moved without breaking anything after it (its window, the
shift end, travel to and the bound of the next visit; a team or pinned visit cannot move).
A job is then placed into *every gap of every vehicle at once* (:func:`gap_table`): the
gap before position ``p`` lies between visit ``p - 1`` (or home at the shift start) and
visit ``p`` (or the shift end). That is what makes a recommendation a few numpy operations
over ``V x (L + 1)`` cells instead of a Python loop over worker-job pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem, compile_problem, coordinates
from matchmaker.model import Dataset, PlanError, Policy, minutes_from
from matchmaker.plan import Plan
from matchmaker.solve import Route, drop_penalties, match_costs

__all__ = [
    "NONE",
    "GapTable",
    "JobColumn",
    "PlanIndex",
    "build_index",
    "gap_table",
    "job_column",
    "lateness_cost",
    "routes_of",
    "schedule_of",
    "way_home",
]

NONE = np.int64(2**40)
"""A start bound standing for "no visit after this gap" (later than any shift end)."""

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

Schedule = dict[int, list[tuple[int, int]]]
"""A vehicle's planned visits ``(job index, start minute)`` in start order."""


def routes_of(schedule: Mapping[int, Sequence[tuple[int, int]]]) -> tuple[Route, ...]:
    """The solver's routes of ``schedule`` (vehicles in order, empty ones left out)."""
    return tuple(
        Route(vehicle=v, jobs=tuple(j for j, _ in vs), starts=tuple(s for _, s in vs))
        for v, vs in sorted(schedule.items())
        if vs
    )


def way_home(problem: Problem) -> npt.NDArray[np.int32] | None:
    """``(V, J)`` minutes from each job back to the shift's home when the round counts the
    way home (``policy.travel_home``), else ``None`` (the compiled array, not a copy)."""
    rules = problem.rules
    if rules is None or rules.travel_job_home is None:
        return None
    return rules.travel_job_home


def schedule_of(problem: Problem, plan: Plan) -> Schedule:
    """Each assignment of ``plan`` on the vehicle (worker shift) holding its start.

    Raises :class:`PlanError` for an assignment whose job or worker is not in the problem
    or whose start lies in no shift of its worker (the plan does not fit the dataset).
    """
    workers = {w: i for i, w in enumerate(problem.worker_ids)}
    jobs = {j: i for i, j in enumerate(problem.job_ids)}
    first = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers))
    last = np.searchsorted(problem.vehicle_worker, np.arange(problem.n_workers), side="right")
    schedule: Schedule = defaultdict(list)
    for a in plan.assignments:
        w, j = workers.get(a.worker_id), jobs.get(a.job_id)
        if w is None or j is None:
            raise PlanError(f"assignment {a.job_id}/{a.worker_id} is not in the plan's dataset")
        minute = minutes_from(problem.horizon_start, a.start, round_up=False)
        vehicle = next(
            (
                v
                for v in range(int(first[w]), int(last[w]))
                if problem.vehicle_start[v] <= minute < problem.vehicle_end[v]
            ),
            None,
        )
        if vehicle is None:
            raise PlanError(
                f"assignment {a.job_id}/{a.worker_id} starts outside every shift of the "
                "worker; run verify on the plan"
            )
        schedule[vehicle].append((j, minute))
    for visits in schedule.values():
        visits.sort(key=lambda visit: visit[1])
    return dict(schedule)


@dataclass(frozen=True, kw_only=True, eq=False)
class PlanIndex:
    """A plan over its compiled problem, ready for many fast insertions (module docstring).

    ``job``/``start``/``end``/``latest``: ``(V, L)`` visits, -1 padded; ``movable`` marks
    visits a recommendation with moves may shift or re-assign (one-worker, not pinned, not
    frozen). ``served`` ``(J,)``: the job is in the plan. ``match`` ``(W, J)`` and
    ``penalty`` ``(J,)`` are the objective's match costs and drop penalties.
    """

    dataset: Dataset
    plan: Plan
    policy: Policy
    problem: Problem
    job: Int64Array
    start: Int64Array
    end: Int64Array
    latest: Int64Array
    movable: BoolArray
    length: Int64Array
    work: Int64Array
    served: BoolArray
    match: Int64Array
    penalty: Int64Array
    gaps: GapFrame
    job_points: FloatArray
    """(J, 2) latitude and longitude of each job, for a new job's travel."""
    home_points: FloatArray
    """(W, 2) latitude and longitude of each worker's home, for a new job's travel."""

    @property
    def width(self) -> int:
        return int(self.job.shape[1])

    def visits(self, vehicle: int) -> list[tuple[int, int]]:
        """``vehicle``'s planned visits ``(job, start)`` in time order."""
        n = int(self.length[vehicle])
        return list(
            zip(self.job[vehicle, :n].tolist(), self.start[vehicle, :n].tolist(), strict=True)
        )

    def schedule(self) -> Schedule:
        """The planned visits per vehicle, as :func:`schedule_of` gives them."""
        return {v: self.visits(v) for v in np.flatnonzero(self.length).tolist()}


@dataclass(frozen=True, kw_only=True, eq=False)
class GapFrame:
    """The ``(V, L + 1)`` gaps of an index: what lies before and after each."""

    before: Int64Array
    """Job before the gap, -1 for home at the shift start."""
    ready: Int64Array
    """End of the job before, or the shift start."""
    after: Int64Array
    """Job after the gap, -1 for the shift end."""
    after_start: Int64Array
    """Start of the job after (:data:`NONE` when there is none)."""
    after_latest: Int64Array
    """Push-forward bound of the job after (:data:`NONE` when there is none)."""
    skip: Int64Array
    """Travel from the job before to the job after (what a job in the gap replaces)."""
    home_before: Int64Array
    """In the last gap of a round counting the way home: travel from the job before back
    home (what a job there replaces); 0 elsewhere."""
    valid: BoolArray


def build_index(
    dataset: Dataset,
    plan: Plan,
    *,
    policy: Policy,
    problem: Problem | None = None,
    frozen: frozenset[str] = frozenset(),
) -> PlanIndex:
    """Index ``plan`` (made from ``dataset``) for live dispatch; compile with the plan's
    travel model unless ``problem`` is given. Jobs in ``frozen`` never move. The plan's
    break rows are not read: each search re-places a changed shift's breaks by the rule."""
    if problem is None:
        problem = compile_problem(dataset, policy=policy, travel=plan.travel)
    return index_of_schedule(
        dataset, plan, policy, problem, schedule_of(problem, plan), frozen=frozen
    )


def index_of_schedule(
    dataset: Dataset,
    plan: Plan,
    policy: Policy,
    problem: Problem,
    schedule: Schedule,
    *,
    frozen: frozenset[str] = frozenset(),
) -> PlanIndex:
    """The index of ``schedule`` (visits per vehicle) of ``problem``."""
    n_vehicles = problem.n_vehicles
    width = max((len(v) for v in schedule.values()), default=0)
    job = np.full((n_vehicles, width), -1, dtype=np.int64)
    start = np.zeros((n_vehicles, width), dtype=np.int64)
    for v, visits in schedule.items():
        job[v, : len(visits)] = [k for k, _ in visits]
        start[v, : len(visits)] = [s for _, s in visits]
    valid = job >= 0
    safe = np.maximum(job, 0)
    duration = problem.job_duration.astype(np.int64)
    end = np.where(valid, start + duration[safe], 0)
    length = valid.sum(axis=1).astype(np.int64)
    work = np.where(valid, duration[safe], 0).sum(axis=1).astype(np.int64)

    frozen_jobs = np.zeros(problem.n_jobs, dtype=bool)
    ids = {j: i for i, j in enumerate(problem.job_ids)}
    for job_id in frozen:
        if job_id in ids:
            frozen_jobs[ids[job_id]] = True
    fixed = valid & ((problem.job_team[safe] > 1) | problem.pinned_jobs[safe] | frozen_jobs[safe])

    mode = problem.vehicle_mode.astype(np.int64)[:, None]
    shift_start = problem.vehicle_start.astype(np.int64)
    shift_end = problem.vehicle_end.astype(np.int64)
    travel = problem.travel_job_job
    # Push-forward bound, from the last visit back to the first (a loop over positions,
    # vectorised over vehicles).
    latest = np.zeros_like(start)
    bound_next = np.full(n_vehicles, NONE, dtype=np.int64)
    back = way_home(problem)
    for i in range(width - 1, -1, -1):
        here = safe[:, i]
        own = np.minimum(problem.job_latest[here].astype(np.int64), shift_end - duration[here])
        if back is not None:
            # Only the last visit has to leave time to get home before the shift ends.
            last = length == i + 1
            own = np.where(last, own - back[np.arange(n_vehicles), here].astype(np.int64), own)
        if i + 1 < width:
            hop = travel[mode[:, 0], here, safe[:, i + 1]].astype(np.int64)
            chained = np.where(valid[:, i + 1], bound_next - duration[here] - hop, NONE)
            own = np.minimum(own, chained)
        latest[:, i] = np.where(fixed[:, i], start[:, i], own)
        bound_next = np.where(valid[:, i], latest[:, i], NONE)

    gaps = _gaps(problem, job, end, start, latest, length, shift_start)
    served = np.zeros(problem.n_jobs, dtype=bool)
    served[job[valid]] = True
    return PlanIndex(
        dataset=dataset,
        plan=plan,
        policy=policy,
        problem=problem,
        job=job,
        start=start,
        end=end,
        latest=latest,
        movable=valid & ~fixed,
        length=length,
        work=work,
        served=served,
        match=match_costs(problem, policy),
        penalty=drop_penalties(problem, policy),
        gaps=gaps,
        job_points=coordinates(j.location for j in dataset.jobs).reshape(-1, 2),
        home_points=coordinates(w.home for w in dataset.workers).reshape(-1, 2),
    )


def _gaps(
    problem: Problem,
    job: Int64Array,
    end: Int64Array,
    start: Int64Array,
    latest: Int64Array,
    length: Int64Array,
    shift_start: Int64Array,
) -> GapFrame:
    n_vehicles, width = job.shape
    positions = np.arange(width + 1)
    before = np.full((n_vehicles, width + 1), -1, dtype=np.int64)
    before[:, 1:] = job
    ready = np.empty((n_vehicles, width + 1), dtype=np.int64)
    ready[:, 0] = shift_start
    ready[:, 1:] = end
    after = np.full((n_vehicles, width + 1), -1, dtype=np.int64)
    after[:, :width] = job
    after_start = np.full((n_vehicles, width + 1), NONE, dtype=np.int64)
    after_start[:, :width] = np.where(job >= 0, start, NONE)
    after_latest = np.full((n_vehicles, width + 1), NONE, dtype=np.int64)
    after_latest[:, :width] = np.where(job >= 0, latest, NONE)
    skip = np.zeros((n_vehicles, width + 1), dtype=np.int64)
    home_before = np.zeros((n_vehicles, width + 1), dtype=np.int64)
    back = way_home(problem)
    if back is not None and problem.n_jobs:
        rows = np.arange(n_vehicles)[:, None]
        home_before = np.where(
            (after < 0) & (before >= 0), back[rows, np.maximum(before, 0)], 0
        ).astype(np.int64)
    if problem.n_jobs:
        mode = problem.vehicle_mode.astype(np.int64)[:, None]
        between = problem.travel_job_job[mode, np.maximum(before, 0), np.maximum(after, 0)]
        from_home = problem.travel_home_job[np.arange(n_vehicles)[:, None], np.maximum(after, 0)]
        skip = np.where(after >= 0, np.where(before >= 0, between, from_home), 0).astype(np.int64)
    return GapFrame(
        before=before,
        ready=ready,
        after=after,
        after_start=after_start,
        after_latest=after_latest,
        skip=skip,
        home_before=home_before,
        valid=positions[None, :] <= length[:, None],
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class JobColumn:
    """What an insertion needs of one job, for every vehicle and planned job of an index.

    ``index`` is the job's position in the index's problem, ``None`` for a job that is not
    in it (a new order). Minutes count from the index's horizon.
    """

    job_id: str
    index: int | None
    earliest: int
    latest: int
    duration: int
    team: int
    penalty: int
    due: int
    """Soft latest start (``due_start``), -1 when none."""
    eligible: BoolArray
    """(V,) every pair-only rule and the shift fit hold."""
    home: Int64Array
    """(V,) minutes from the shift's home."""
    back: Int64Array
    """(V,) minutes back to the shift's home when the round counts the way home, else 0."""
    travel_in: Int64Array
    """(M, J) minutes from each planned job's place to this job's, by mode."""
    travel_out: Int64Array
    """(M, J) minutes from this job's place to each planned job's, by mode."""
    match: Int64Array
    """(W,) match cost of each worker."""
    score: FloatArray
    """(W,) match score of each worker."""


def job_column(index: PlanIndex, j: int) -> JobColumn:
    """The column of job ``j`` of the index's own problem."""
    problem = index.problem
    pinned_start = int(problem.job_pinned_start[j])
    earliest, latest = int(problem.job_earliest[j]), int(problem.job_latest[j])
    if pinned_start >= 0:
        earliest = latest = pinned_start
    eligible = problem.eligible[:, j].copy()
    if problem.pinned[:, j].any():
        eligible &= problem.pinned[:, j]
    back = way_home(problem)
    rules = problem.rules
    return JobColumn(
        job_id=problem.job_ids[j],
        index=j,
        earliest=earliest,
        latest=latest,
        duration=int(problem.job_duration[j]),
        team=int(problem.job_team[j]),
        penalty=int(index.penalty[j]),
        due=-1 if rules is None else int(rules.job_due[j]),
        eligible=eligible,
        home=problem.travel_home_job[:, j].astype(np.int64),
        back=np.zeros(problem.n_vehicles, dtype=np.int64)
        if back is None
        else back[:, j].astype(np.int64),
        travel_in=problem.travel_job_job[:, :, j].astype(np.int64),
        travel_out=problem.travel_job_job[:, j, :].astype(np.int64),
        match=index.match[:, j],
        score=problem.score[:, j],
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class GapTable:
    """Every gap of the candidate vehicles for one job: start bounds and cost.

    Rows are ``vehicles``; ``low`` is the earliest start, ``high`` the latest start that
    moves nothing, ``push`` the latest start when later visits may be pushed (up to their
    bounds); ``added`` the travel minutes the job adds (the way home included, when it
    counts) and ``cost`` the objective increase at ``low`` (travel, match and the job's own
    lateness; :func:`~matchmaker.live._candidate.priced` prices a candidate exactly).
    """

    vehicles: Int64Array
    low: Int64Array
    high: Int64Array
    push: Int64Array
    added: Int64Array
    cost: Int64Array
    valid: BoolArray


def lateness_cost(policy: Policy, due: int, start: Int64Array) -> Int64Array:
    """The lateness term of a job due at ``due`` (-1: none) starting at ``start``."""
    if due < 0:
        return np.zeros_like(start)
    late: Int64Array = policy.lateness_cost_per_minute * np.maximum(start - due, 0)
    return late


def _lookup(table: Int64Array, mode: Int64Array, jobs: Int64Array) -> Int64Array:
    """``table[mode, jobs]`` where ``jobs`` may hold -1 (read as 0; the caller masks it)."""
    if table.shape[1] == 0:
        return np.zeros(np.broadcast_shapes(mode.shape, jobs.shape), dtype=np.int64)
    found: Int64Array = table[mode, np.maximum(jobs, 0)]
    return found


def gap_table(index: PlanIndex, column: JobColumn, allowed: BoolArray | None = None) -> GapTable:
    """Place ``column``'s job in every gap of every eligible vehicle with room, at once."""
    problem = index.problem
    ok = (
        column.eligible
        & (index.length < problem.vehicle_max_jobs)
        & (index.work + column.duration <= problem.vehicle_max_work)
    )
    if allowed is not None:
        ok &= allowed
    vehicles = np.flatnonzero(ok).astype(np.int64)
    g = index.gaps
    before, after = g.before[vehicles], g.after[vehicles]
    mode = problem.vehicle_mode.astype(np.int64)[vehicles][:, None]
    travel_in = np.where(
        before >= 0, _lookup(column.travel_in, mode, before), column.home[vehicles][:, None]
    )
    travel_out = np.where(after >= 0, _lookup(column.travel_out, mode, after), 0)
    duration = column.duration
    # In the last gap the job must also leave time for the way home, when it counts.
    back = np.where(after < 0, column.back[vehicles][:, None], 0)
    shift_end = problem.vehicle_end[vehicles].astype(np.int64)[:, None]
    last = np.minimum(shift_end - duration - back, column.latest)
    low = np.maximum(g.ready[vehicles] + travel_in, column.earliest)
    high = np.minimum(last, g.after_start[vehicles] - travel_out - duration)
    push = np.minimum(last, g.after_latest[vehicles] - travel_out - duration)
    added = travel_in + np.where(
        after >= 0, travel_out - g.skip[vehicles], back - g.home_before[vehicles]
    )
    worker = problem.vehicle_worker[vehicles].astype(np.int64)
    cost = (
        index.policy.travel_cost_per_minute * added
        + column.match[worker][:, None]
        + lateness_cost(index.policy, column.due, low)
    )
    return GapTable(
        vehicles=vehicles,
        low=low,
        high=high,
        push=push,
        added=added.astype(np.int64),
        cost=cost.astype(np.int64),
        valid=g.valid[vehicles],
    )
