"""Recommend workers for one job that is not (yet) in a plan: ``matchmaker recommend``.

:func:`recommend` answers "who can take this job, and when?" without re-dispatching the
round: the plan is indexed once (:func:`~matchmaker.live.build_index`, the compiled problem
with the plan's own travel model and every route as arrays) and the job is placed into
every gap of every eligible worker at once (:mod:`matchmaker.live._search`). A job of the
plan's dataset that the plan leaves unassigned is read from the compiled problem; a new job
(an order that came in after the plan) is compiled alone against the same workers, so its
eligibility, scores and travel are exactly what dispatch would compute.

By default nothing planned moves; with ``max_moves`` an option may push up to that many
later visits of the same worker, or re-assign one planned visit to another worker,
and lists them in ``moves``. Every option, applied to the plan with
:func:`~matchmaker.live.apply_option`, passes :func:`~matchmaker.plan.verify`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.compile import (
    TravelModel,
    any_per_worker,
    coordinates,
    eligible_matrix,
    encode_pairs,
    local_zone,
    match_scores,
    pair_components,
    pair_reasons,
    rule_shift_fit,
    travel_matrices,
    travel_or_default,
)
from matchmaker.live._break_fit import has_breaks
from matchmaker.live._index import JobColumn, PlanIndex, build_index, job_column, way_home
from matchmaker.live._limit_options import SEARCH_FACTOR, within_limits, within_link
from matchmaker.live._options import Move, Option, Placement, Recommendation, instant
from matchmaker.live._search import Candidate, candidates
from matchmaker.live._words import Said, option_sentence, said
from matchmaker.model import (
    Dataset,
    DomainError,
    Job,
    LinkWorker,
    Policy,
    RequestError,
    UnknownJobError,
    minutes_from,
)
from matchmaker.plan import Break, Plan, ReasonCode, has_limits
from matchmaker.solve import priority_weights, serve_value

Int64Array = npt.NDArray[np.int64]

__all__ = [
    "NewJob",
    "existing_column",
    "new_job_column",
    "ranked_options",
    "recommend",
    "recommend_in_index",
]


@dataclass(frozen=True, kw_only=True, eq=False)
class NewJob:
    """A job compiled alone against the index's workers."""

    column: JobColumn
    job: Job
    alone: Dataset
    """The workers, the job's customer and the job only: for its score components."""


def _check_new(index: PlanIndex, job: Job) -> None:
    if index.dataset.has_job(job.job_id):
        raise RequestError(
            f"job {job.job_id!r} is already in the plan's dataset; ask for it with --job-id"
        )
    if job.is_pinned:
        raise RequestError(f"job {job.job_id!r} is pinned: it needs no recommendation")


def new_job_column(index: PlanIndex, job: Job) -> NewJob:
    """Compile ``job`` (not in the index's dataset) alone against the same workers.

    The same functions as :func:`~matchmaker.compile.compile_problem` decide (the pair
    rules through :func:`~matchmaker.compile.pair_reasons`, the shift rule, the scores),
    fed with the index's shifts and homes, so that the worker side is not compiled again
    for every request (``tests/live`` checks the column equals the compiled one).
    """
    _check_new(index, job)
    dataset = index.dataset
    customer = dataset.customer(job.customer_id)
    if dataset.customers and customer is None:
        raise RequestError(
            f"job {job.job_id!r}: customer {job.customer_id!r} is not in the plan's dataset"
        )
    problem = index.problem
    # A visit following a planned one is compiled beside it (so that the link names a job
    # of the data, and not the leader's own link); the new job's column is the first.
    jobs: tuple[Job, ...] = (job,)
    if job.depends_on is not None and dataset.has_job(job.depends_on):
        leader = dataset.job(job.depends_on)
        unlinked = replace(
            leader, depends_on=None, min_gap=None, max_gap=None, link_worker=LinkWorker.ANY
        )
        jobs += (unlinked,)
    customers = {c.customer_id: c for j in jobs if (c := dataset.customer(j.customer_id))}
    try:
        alone = Dataset(
            workers=dataset.workers,
            jobs=jobs,
            customers=tuple(customers.values()),
            settings=dataset.settings,
        )
        point = coordinates([job.location])
        home = _home_minutes(index, point)
        back = _home_minutes(index, point, back=True) if way_home(problem) is not None else None
        travel_in, travel_out = _job_travel(index, point)
    except DomainError as error:
        raise RequestError(f"job {job.job_id!r}: {error}") from None
    origin = problem.horizon_start
    earliest = minutes_from(origin, job.earliest_start, round_up=True)
    latest = minutes_from(origin, job.latest_start, round_up=False)
    duration = job.duration_minutes
    pair_bits = pair_reasons(encode_pairs(alone, zone=local_zone(dataset)))[:, :1]
    fit = rule_shift_fit(
        vehicle_start=problem.vehicle_start,
        vehicle_end=problem.vehicle_end,
        travel_home_job=home[:, None].astype(np.int32),
        job_earliest=np.array([earliest], dtype=np.int32),
        job_latest=np.array([latest], dtype=np.int32),
        job_duration=np.array([duration], dtype=np.int32),
    )
    pinned = np.zeros((problem.n_vehicles, 1), dtype=np.bool_)
    eligible = eligible_matrix(pair_bits, problem.vehicle_worker, fit.fits, pinned)
    score = match_scores(alone, policy=index.policy)[:, :1]
    score[~any_per_worker(eligible, problem.vehicle_worker, problem.n_workers)] = 0.0
    weights = priority_weights(problem, index.policy)
    penalty = serve_value(problem, index.policy) * weights[job.priority] * job.workers_needed
    match = np.rint(index.policy.match_cost_per_point * (100.0 - score[:, 0]))
    column = JobColumn(
        job_id=job.job_id,
        index=None,
        earliest=earliest,
        latest=latest,
        duration=duration,
        team=job.workers_needed,
        penalty=int(penalty),
        due=-1 if job.due_start is None else minutes_from(origin, job.due_start, round_up=False),
        eligible=eligible[:, 0].copy(),
        home=home,
        back=np.zeros_like(home) if back is None else back,
        travel_in=travel_in,
        travel_out=travel_out,
        match=match.astype(np.int64),
        score=score[:, 0].copy(),
    )
    return NewJob(column=column, job=job, alone=alone)


def _travel_model(index: PlanIndex) -> TravelModel:
    return travel_or_default(index.problem.travel_model, index.dataset.settings.travel)


def _home_minutes(
    index: PlanIndex, point: npt.NDArray[np.float64], *, back: bool = False
) -> Int64Array:
    """``(V,)`` minutes from each shift's home to ``point`` (with ``back``, from ``point``
    home) by its worker's mode."""
    problem = index.problem
    model = _travel_model(index)
    out = np.zeros(problem.n_vehicles, dtype=np.int64)
    for k, mode in enumerate(problem.modes):
        rows = np.flatnonzero(problem.vehicle_mode == k)
        owners, inverse = np.unique(problem.vehicle_worker[rows], return_inverse=True)
        homes = index.home_points[owners]
        if back:
            out[rows] = travel_matrices(model, point, homes, (mode,))[0][0, inverse]
        else:
            out[rows] = travel_matrices(model, homes, point, (mode,))[0][inverse, 0]
    return out


def _job_travel(index: PlanIndex, point: npt.NDArray[np.float64]) -> tuple[Int64Array, Int64Array]:
    """``(M, J)`` minutes from every job of the index to ``point`` and back, by mode."""
    problem = index.problem
    shape = (len(problem.modes), problem.n_jobs)
    if not problem.n_jobs:
        return np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    model = _travel_model(index)
    into = travel_matrices(model, index.job_points, point, problem.modes)[:, :, 0]
    out_of = travel_matrices(model, point, index.job_points, problem.modes)[:, 0, :]
    return into.astype(np.int64), out_of.astype(np.int64)


def existing_column(index: PlanIndex, job_id: str) -> JobColumn:
    """The column of a job of the index's dataset that its plan does not serve."""
    if not index.dataset.has_job(job_id):
        raise UnknownJobError(f"job {job_id!r} is not in the plan's dataset")
    j = index.dataset.job_position(job_id)
    if index.served[j]:
        raise RequestError(
            f"job {job_id!r} is already served in the plan; ask `explain` why, or re-plan"
        )
    return job_column(index, j)


def _zone(dataset: Dataset, job_id: str) -> tzinfo | None:
    zone = dataset.settings.zone
    return zone if zone is not None else dataset.job(job_id).window.start.tzinfo


def recommend_in_index(
    index: PlanIndex,
    column: JobColumn,
    components_from: Dataset,
    *,
    added: Job | None = None,
    k: int = 5,
    max_moves: int = 0,
    allowed: np.ndarray | None = None,
) -> Recommendation:
    """The ``k`` best options for ``column``'s job (see the module docstring).

    ``added`` is the job when it is not in the index's dataset; ``components_from`` a
    dataset holding the job, to name the parts of its match score.
    """
    if k < 1:
        raise RequestError("k must be at least 1")
    if max_moves < 0:
        raise RequestError("max_moves must be 0 or more")
    job = added if added is not None else components_from.job(column.job_id)
    column = within_link(index, column, job)
    found, kept = ranked_options(
        index, column, components_from, added=added, k=k, max_moves=max_moves, allowed=allowed
    )
    options = tuple(option for _, option in kept)
    eligible_workers = int(
        np.unique(index.problem.vehicle_worker[np.flatnonzero(column.eligible)]).size
    )
    why_none: Said = {}
    leader = job.depends_on
    if not options:
        more: str | Said = "" if max_moves else said("live.allow_moves")
        if leader is not None and not any(a.job_id == leader for a in index.plan.assignments):
            why_none = said("live.follows", leader=leader)
        elif found:
            why_none = said("live.limited")
        elif has_breaks(index.problem) and candidates(
            index, column, k=1, max_moves=max_moves, allowed=allowed, breaks=False
        ):
            why_none = said("live.breaks_only", code=ReasonCode.BREAK.value, more=more)
        elif eligible_workers < column.team:
            why_none = said("live.too_few", eligible=eligible_workers, team=column.team)
        else:
            why_none = said("live.no_room", more=more)
    return Recommendation(
        job_id=column.job_id,
        options=options,
        base=index.dataset,
        added=added,
        eligible_workers=eligible_workers,
        why_none=why_none,
    )


def ranked_options(
    index: PlanIndex,
    column: JobColumn,
    components_from: Dataset,
    *,
    added: Job | None = None,
    k: int,
    max_moves: int,
    allowed: np.ndarray | None = None,
) -> tuple[list[Candidate], list[tuple[Candidate, Option]]]:
    """The places found for ``column``'s job, and the ``k`` best of them that keep the
    limits across days, each with the option it makes.

    ``column`` must already keep the job's link (:func:`within_link`).
    """
    # The limits look at the whole round: the plan's dataset, with the new job if any.
    whole = (
        index.dataset
        if added is None
        else replace(index.dataset, jobs=(*index.dataset.jobs, added))
    )
    limited = has_limits(whole)
    wanted = k * SEARCH_FACTOR if limited else k
    found = candidates(index, column, k=wanted, max_moves=max_moves, allowed=allowed)
    options = [
        _option(index, column, components_from, rank, c) for rank, c in enumerate(found, start=1)
    ]
    kept = within_limits(whole, index.plan, options, k) if limited else range(len(found))
    return found, [
        (found[i], replace(options[i], rank=rank)) for rank, i in enumerate(kept, start=1)
    ]


def _option(
    index: PlanIndex,
    column: JobColumn,
    components_from: Dataset,
    rank: int,
    candidate: Candidate,
) -> Option:
    problem = index.problem
    horizon = problem.horizon_start
    dataset = index.dataset
    zone = _zone(components_from, column.job_id)
    placements = []
    scores = []
    parts: dict[str, float] = {}
    for vehicle, start in candidate.members:
        w = int(problem.vehicle_worker[vehicle])
        worker_id = problem.worker_ids[w]
        placements.append(
            Placement(
                job_id=column.job_id,
                worker_id=worker_id,
                start=instant(horizon, start, zone),
                end=instant(horizon, start + column.duration, zone),
            )
        )
        scores.append(float(column.score[w]))
        for name, points in pair_components(
            components_from, worker_id, column.job_id, index.policy
        ).items():
            parts[name] = parts.get(name, 0.0) + points / len(candidate.members)
    moves = []
    for m in candidate.moves:
        job_id = problem.job_ids[m.job]
        moved_zone = _zone(dataset, job_id)
        end = m.new_start + int(problem.job_duration[m.job])
        moves.append(
            Move(
                job_id=job_id,
                worker_id=problem.worker_ids[int(problem.vehicle_worker[m.new_vehicle])],
                start=instant(horizon, m.new_start, moved_zone),
                end=instant(horizon, end, moved_zone),
                previous_worker_id=problem.worker_ids[int(problem.vehicle_worker[m.vehicle])],
                previous_start=instant(horizon, m.start, moved_zone),
            )
        )
    shown = dataset.settings.zone or horizon.tzinfo
    breaks = tuple(
        Break(
            worker_id=problem.worker_ids[int(problem.vehicle_worker[vehicle])],
            start=instant(horizon, start, shown),
            end=instant(horizon, start + minutes, shown),
        )
        for vehicle, start, minutes in candidate.breaks
    )
    option = Option(
        rank=rank,
        assignments=tuple(placements),
        moves=tuple(moves),
        objective_delta=int(candidate.cost) - int(column.penalty),
        travel_delta=int(candidate.added_travel),
        match_score=round(sum(scores) / len(scores), 2),
        components={name: round(points, 2) for name, points in parts.items()},
        breaks=breaks,
    )
    return replace(option, said=option_sentence(dataset, option))


def recommend(
    dataset: Dataset,
    plan: Plan,
    job: str | Job,
    *,
    k: int = 5,
    policy: Policy | None = None,
    max_moves: int = 0,
    index: PlanIndex | None = None,
) -> Recommendation:
    """The ``k`` best ways to serve ``job`` in ``plan`` (made from ``dataset``).

    ``job`` is the id of a job of ``dataset`` the plan leaves unassigned, or a new
    :class:`~matchmaker.model.Job`. ``policy`` defaults to the dataset's own; ``index`` is
    a :func:`~matchmaker.live.build_index` of the plan to reuse across calls (the fast
    path: building it compiles the round once). ``max_moves``: how many planned jobs an
    option may shift or re-assign (0: nothing planned moves).
    """
    chosen = policy if policy is not None else dataset.settings.policy
    if index is None:
        index = build_index(dataset, plan, policy=chosen)
    if isinstance(job, Job):
        new = new_job_column(index, job)
        return recommend_in_index(index, new.column, new.alone, added=job, k=k, max_moves=max_moves)
    column = existing_column(index, job)
    return recommend_in_index(index, column, dataset, k=k, max_moves=max_moves)
