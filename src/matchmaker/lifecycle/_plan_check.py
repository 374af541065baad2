"""Re-verify a plan against the store's state now, before ``ops apply-plan`` writes it.

A plan is made from a round exported earlier; since then a worker may have been
suspended, gone on leave, been blocked by the customer or declined the visit, and another
plan may have placed the same worker elsewhere. Each day the plan proposes on is exported
again from the store (in memory, not recorded as a round); the proposals, with every visit
the store already holds at a start that day (proposed, confirmed, checked in), and the
plan's breaks that day (the store holds none: the plan placed them around every visit of
the round it was made from, held ones included), go through the independent verifier
(:func:`matchmaker.plan.verify`), and every violation becomes an issue naming the plan row.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from matchmaker.compile import TravelModel
from matchmaker.lifecycle._export import export_dataset
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._operations import Operations
from matchmaker.model import Issue, add_minutes

if TYPE_CHECKING:
    from matchmaker.plan import Break

__all__ = ["Proposal", "verify_against_store"]


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """One visit a plan proposes: its row in ``assignments.csv``, workers and start."""

    row: int
    job_id: str
    workers: tuple[str, ...]
    start: datetime
    travel_minutes: int = 0


def verify_against_store(
    ops: Operations,
    ledger: Ledger,
    proposals: Sequence[Proposal],
    *,
    file: str,
    recorded: TravelModel | None = None,
    breaks: Sequence[Break] = (),
) -> list[Issue]:
    """Every hard rule the proposals break against the store in the state of ``ledger``
    (read from it now, perhaps with events the caller means to write first; all at once),
    travel judged with ``recorded``, the model the plan records (else the default one),
    with the plan's ``breaks``."""
    from matchmaker.io import load_dataset
    from matchmaker.plan import Assignment, Plan, verify

    timezone = ops.store.get_meta("timezone")
    zone = ZoneInfo(timezone) if timezone else None
    by_day: dict[date, list[Proposal]] = {}
    for item in proposals:
        moment = item.start.astimezone(zone) if zone is not None else item.start
        by_day.setdefault(moment.date(), []).append(item)
    issues: list[Issue] = []
    for day, day_proposals in sorted(by_day.items()):
        with tempfile.TemporaryDirectory(prefix="matchmaker-recheck-") as temp:
            out = Path(temp) / "round"
            summary = export_dataset(
                ledger,
                day=day,
                out=out,
                policy=ops.policy,
                timezone=timezone,
                dataset_toml=ops.store.get_meta("dataset_toml"),
            )
            if not summary.written:
                continue
            dataset = load_dataset(out)
        planned = {p.job_id: p for p in day_proposals if dataset.has_job(p.job_id)}
        jobs, assignments = [], []
        for job in dataset.jobs:
            proposal = planned.get(job.job_id)
            if proposal is not None:
                jobs.append(job.unpinned())
                starts = [(proposal.start, w, proposal.travel_minutes) for w in proposal.workers]
            elif job.pinned_worker_ids and job.pinned_start is not None:
                # What the store already holds that day counts against the proposals.
                jobs.append(job)
                starts = [(job.pinned_start, w, 0) for w in job.pinned_worker_ids]
            else:
                continue
            for start, worker_id, travel in starts:
                assignments.append((job, worker_id, start, travel))
        sequence: dict[str, int] = {}
        ordered = []
        for job, worker_id, start, travel in sorted(assignments, key=lambda a: (a[2], a[0].job_id)):
            sequence[worker_id] = sequence.get(worker_id, 0) + 1
            ordered.append(
                Assignment(
                    job_id=job.job_id,
                    worker_id=worker_id,
                    start=start,
                    end=add_minutes(start, job.duration_minutes),
                    travel_minutes=travel,
                    sequence=sequence[worker_id],
                    match_score=0.0,
                )
            )
        that_day = tuple(
            b for b in breaks if (b.start.astimezone(zone) if zone else b.start).date() == day
        )
        plan = Plan(assignments=tuple(ordered), unassigned=(), kpis={}, breaks=that_day)
        for violation in verify(replace(dataset, jobs=tuple(jobs)), plan, travel=recorded):
            proposal = planned.get(violation.job_id or "")
            issues.append(
                Issue(
                    file=file,
                    row=proposal.row if proposal is not None else None,
                    column="worker_id",
                    value=violation.worker_id,
                    message=f"against the store now, {violation.rule}: {violation.message}",
                )
            )
    return issues
