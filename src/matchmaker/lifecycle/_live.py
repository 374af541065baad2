"""Live dispatch on the event store: ``ops recommend`` and ``ops replan`` (docs/ops.md).

* :func:`recommend_visit`: the best workers for a visit still unassigned, against the day's
  plan folder: by id when the plan's round has the visit, else as a new job exported from
  the store (``ops jobs`` of its day).
* :func:`store_changes`: what happened since a plan was made, read from the store: the
  day is exported again and compared with the plan's input. A worker of the plan who
  declined a visit (it now excludes them) gives ``job_declined``; a worker with visits in
  the plan who is now on leave, suspended or without a shift that day gives
  ``worker_unavailable`` from ``since``; a cancelled visit gives ``job_cancelled``; a visit
  to dispatch that the plan's round does not have gives ``job_added``.
* :func:`apply_diff`: a re-plan's diff as events: a visit that moved, changed workers or
  was added is withdrawn (when proposed or confirmed) and proposed again, through
  :func:`~matchmaker.lifecycle.apply_plan`; a dropped visit that was proposed or confirmed
  is withdrawn, all in one transaction.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from matchmaker.io import load_dataset, load_plan_input, read_plan
from matchmaker.lifecycle._export import export_jobs
from matchmaker.lifecycle._operations import Operations
from matchmaker.lifecycle._plans import ApplyPlanSummary, apply_plan
from matchmaker.lifecycle._states import VisitState
from matchmaker.live import Change, ChangeKind, Recommendation, ReplanResult, recommend
from matchmaker.model import Dataset, LifecycleError, Policy, ReasonCode, WorkerStatus, planned_day
from matchmaker.plan import Plan, UnassignedJob

__all__ = ["DiffApplied", "apply_diff", "recommend_visit", "store_changes", "store_round"]


def store_round(ops: Operations, day: date) -> Dataset:
    """The store's round of ``day`` as ``ops jobs`` exports it (read back at once)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "round"
        summary = export_jobs(ops, day=day, out=out)
        if not summary.written:
            raise LifecycleError(f"nothing to dispatch on {day}: no visit is open or planned")
        return load_dataset(out)


def recommend_visit(
    ops: Operations,
    plan_folder: Path,
    visit_id: str,
    *,
    policy: Policy,
    k: int = 5,
    max_moves: int = 0,
) -> Recommendation:
    """The best workers for visit ``visit_id``, still unassigned, in the day's plan."""
    visit = ops.ledger().visits.get(visit_id)
    if visit is None:
        raise LifecycleError(f"visit {visit_id!r} is not in the store")
    if visit.state not in (VisitState.UNASSIGNED, VisitState.NO_SHOW):
        raise LifecycleError(f"visit {visit_id} is {visit.state}: only an open visit is dispatched")
    plan = read_plan(plan_folder)
    dataset = load_plan_input(plan_folder)
    # The store's version of the visit: it excludes every worker who declined it since.
    current = store_round(ops, planned_day(dataset, visit.job.earliest_start))
    if not current.has_job(visit_id):
        raise LifecycleError(f"visit {visit_id} is not in the round the store exports")
    job = current.job(visit_id)
    if not dataset.has_job(visit_id):
        return recommend(dataset, plan, job, k=k, policy=policy, max_moves=max_moves)
    jobs = tuple(job if j.job_id == visit_id else j for j in dataset.jobs)
    return recommend(
        replace(dataset, jobs=jobs),
        _without(plan, visit_id),
        visit_id,
        k=k,
        policy=policy,
        max_moves=max_moves,
    )


def _without(plan: Plan, job_id: str) -> Plan:
    """``plan`` without ``job_id`` served (it was declined since)."""
    return replace(
        plan,
        assignments=tuple(a for a in plan.assignments if a.job_id != job_id),
        unassigned=(
            *(u for u in plan.unassigned if u.job_id != job_id),
            UnassignedJob(job_id=job_id, reason_code=ReasonCode.CAPACITY, reason="declined"),
        ),
    )


def store_changes(
    ops: Operations, dataset: Dataset, plan: Plan, *, day: date, since: datetime
) -> tuple[list[Change], Dataset]:
    """The changes since ``plan`` (made from ``dataset``), read from the store (module
    docstring), and the store's round of ``day``."""
    current = store_round(ops, day)
    ledger = ops.ledger()
    changes: list[Change] = []

    def add(kind: ChangeKind, job_id: str = "", worker_id: str = "") -> None:
        changes.append(
            Change(
                kind=kind,
                line=len(changes) + 1,
                source="store",
                job_id=job_id,
                worker_id=worker_id,
                start=since if kind == "worker_unavailable" else None,
                job=current.job(job_id) if kind == "job_added" else None,
            )
        )

    for job in dataset.jobs:
        visit = ledger.visits.get(job.job_id)
        if visit is not None and visit.state is VisitState.CANCELLED:
            add("job_cancelled", job_id=job.job_id)
    cancelled = {c.job_id for c in changes}
    serving: dict[str, set[str]] = {}
    for a in plan.assignments:
        serving.setdefault(a.worker_id, set()).add(a.job_id)
    for a in plan.assignments:
        if a.job_id in cancelled or not current.has_job(a.job_id):
            continue
        if a.worker_id in current.job(a.job_id).excluded_workers:
            add("job_declined", job_id=a.job_id, worker_id=a.worker_id)
    for worker_id in sorted(serving):
        if not current.has_worker(worker_id):
            continue
        worker = current.worker(worker_id)
        gone = worker.status is not WorkerStatus.ACTIVE or not any(
            planned_day(current, s.start) == day or planned_day(current, s.end) == day
            for s in worker.shifts
        )
        if gone:
            add("worker_unavailable", worker_id=worker_id)
    for job in current.jobs:
        if not dataset.has_job(job.job_id) and not job.is_pinned:
            add("job_added", job_id=job.job_id)
    return changes, current


@dataclass(frozen=True, kw_only=True)
class DiffApplied:
    """What applying a re-plan's diff did to the store."""

    proposals: ApplyPlanSummary
    withdrawn: tuple[str, ...]
    """Visits withdrawn because the re-plan dropped them."""


def apply_diff(
    ops: Operations,
    result: ReplanResult,
    plan_folder: Path,
    *,
    time: datetime,
    actor: str = "dispatcher",
) -> DiffApplied:
    """Apply a re-plan written to ``plan_folder`` as withdraw and propose events in one
    transaction, checked against the store as it is when written (:func:`apply_plan`: a
    visit another writer withdrew meanwhile is not withdrawn twice, and a proposal the
    store refuses leaves no withdrawal written either)."""
    drop = {
        row.job_id: f"dropped by re-plan {plan_folder.name}: {row.cause}"
        for row in result.diff
        if row.change == "dropped"
    }
    # The re-plan's dataset is the plan's round with the store's changes since, not a
    # round 'ops jobs' wrote: its input hash cannot match one.
    proposals = apply_plan(ops, plan_folder, time=time, actor=actor, check_input=False, drop=drop)
    return DiffApplied(proposals=proposals, withdrawn=proposals.withdrawn)
