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

from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from matchmaker.compile import (
    HaversineTravel,
    compile_problem,
    coordinates,
    pair_components,
    travel_matrices,
)
from matchmaker.live._index import JobColumn, PlanIndex, build_index, job_column
from matchmaker.live._options import Move, Option, Placement, Recommendation, instant
from matchmaker.live._search import Candidate, candidates
from matchmaker.model import (
    Dataset,
    DomainError,
    Job,
    Policy,
    RequestError,
    UnknownJobError,
    minutes_from,
)
from matchmaker.plan import Plan
from matchmaker.solve import priority_weights, serve_value

__all__ = [
    "NewJob",
    "existing_column",
    "new_job_column",
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
    """Compile ``job`` (not in the index's dataset) alone against the same workers."""
    _check_new(index, job)
    dataset = index.dataset
    customer = dataset.customer(job.customer_id)
    if dataset.customers and customer is None:
        raise RequestError(
            f"job {job.job_id!r}: customer {job.customer_id!r} is not in the plan's dataset"
        )
    try:
        alone = Dataset(
            workers=dataset.workers,
            jobs=(job,),
            customers=() if customer is None else (customer,),
            settings=dataset.settings,
        )
        mini = compile_problem(alone, policy=index.policy, travel=index.problem.travel_model)
    except DomainError as error:
        raise RequestError(f"job {job.job_id!r}: {error}") from None
    problem = index.problem
    if mini.n_vehicles != problem.n_vehicles:
        raise RequestError("the job's round has other shifts than the plan's")
    shift = minutes_from(problem.horizon_start, mini.horizon_start, round_up=False)
    travel = problem.travel_model or HaversineTravel(dataset.settings.travel)
    point = coordinates([job.location])
    n_modes, n_jobs = len(problem.modes), problem.n_jobs
    travel_in = travel_out = np.zeros((n_modes, n_jobs), dtype=np.int64)
    try:
        if n_jobs:
            modes = problem.modes
            travel_in = travel_matrices(travel, index.job_points, point, modes)[:, :, 0].astype(
                np.int64
            )
            travel_out = travel_matrices(travel, point, index.job_points, modes)[:, 0, :].astype(
                np.int64
            )
    except DomainError as error:
        raise RequestError(f"job {job.job_id!r}: {error}") from None
    weights = priority_weights(problem, index.policy)
    penalty = serve_value(problem, index.policy) * weights[job.priority] * job.workers_needed
    match = np.rint(index.policy.match_cost_per_point * (100.0 - mini.score[:, 0]))
    column = JobColumn(
        job_id=job.job_id,
        index=None,
        earliest=int(mini.job_earliest[0]) + shift,
        latest=int(mini.job_latest[0]) + shift,
        duration=int(mini.job_duration[0]),
        team=int(mini.job_team[0]),
        penalty=int(penalty),
        eligible=mini.eligible[:, 0].copy(),
        home=mini.travel_home_job[:, 0].astype(np.int64),
        travel_in=travel_in.astype(np.int64),
        travel_out=travel_out.astype(np.int64),
        match=match.astype(np.int64),
        score=mini.score[:, 0].copy(),
    )
    return NewJob(column=column, job=job, alone=alone)


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
    found = candidates(index, column, k=k, max_moves=max_moves, allowed=allowed)
    eligible_workers = int(
        np.unique(index.problem.vehicle_worker[np.flatnonzero(column.eligible)]).size
    )
    options = tuple(
        _option(index, column, components_from, rank, c) for rank, c in enumerate(found, start=1)
    )
    note = ""
    if not options:
        if eligible_workers < column.team:
            note = (
                f"{eligible_workers} worker(s) eligible, {column.team} needed: "
                "ask `explain` which hard rules keep the others out"
            )
        else:
            more = "" if max_moves else "; allow moves (--max-moves) or re-plan"
            note = f"no eligible worker has room for it in the plan{more}"
    return Recommendation(
        job_id=column.job_id,
        options=options,
        base=index.dataset,
        added=added,
        eligible_workers=eligible_workers,
        note=note,
    )


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
    score = round(sum(scores) / len(scores), 2)
    return Option(
        rank=rank,
        assignments=tuple(placements),
        moves=tuple(moves),
        objective_delta=int(candidate.cost) - int(column.penalty),
        travel_delta=int(candidate.added_travel),
        match_score=score,
        components={name: round(points, 2) for name, points in parts.items()},
        reason=_sentence(dataset, placements, moves, candidate, score, parts),
    )


def _sentence(
    dataset: Dataset,
    placements: list[Placement],
    moves: list[Move],
    candidate: Candidate,
    score: float,
    parts: dict[str, float],
) -> str:
    def label(worker_id: str) -> str:
        name = dataset.worker(worker_id).name
        return f"{worker_id} ({name})" if name else worker_id

    who = " and ".join(label(p.worker_id) for p in placements)
    at = placements[0].start.strftime("%Y-%m-%d %H:%M")
    strongest = sorted(parts.items(), key=lambda item: -item[1])[:2]
    why = ", ".join(f"{name.replace('_', ' ')} {points:.0f}" for name, points in strongest)
    text = (
        f"{who} can start {at}, adding {candidate.added_travel} travel minutes; match "
        f"score {score:.1f} (best parts: {why})"
    )
    if not moves:
        return text + "; nothing planned moves."
    shown = "; ".join(
        f"{m.job_id} {m.previous_start.strftime('%H:%M')} -> "
        + (
            m.start.strftime("%H:%M")
            if m.worker_id == m.previous_worker_id
            else f"{label(m.worker_id)} {m.start.strftime('%H:%M')}"
        )
        for m in moves
    )
    return text + f"; moves {len(moves)} planned job(s): {shown}."


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
