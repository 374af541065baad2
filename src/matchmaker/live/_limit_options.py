"""Recommendation options that keep the limits across days and the continuity cap.

The insertion search of :mod:`matchmaker.live._search` looks at one worker's gaps, not at
their week or at how many workers a customer already has; each option it finds is applied
to the plan and checked with :func:`matchmaker.plan.verify_limits`, and options breaking a
limit are left out (the next ones move up a rank).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from matchmaker.live._options import Option
from matchmaker.model import Dataset
from matchmaker.plan import Assignment, Plan, verify_limits

__all__ = ["SEARCH_FACTOR", "within_limits"]

SEARCH_FACTOR = 4
"""How many more candidates to search when some may be left out for a limit."""


def _row(job_id: str, worker_id: str, start: datetime, end: datetime) -> Assignment:
    return Assignment(
        job_id=job_id,
        worker_id=worker_id,
        start=start,
        end=end,
        travel_minutes=0,
        sequence=0,
        match_score=0.0,
    )


def within_limits(
    dataset: Dataset, plan: Plan, options: Sequence[Option], k: int
) -> tuple[Option, ...]:
    """The first ``k`` of ``options`` that, applied to ``plan``, keep every limit."""
    kept: list[Option] = []
    for option in options:
        moved = {m.job_id for m in option.moves} | {p.job_id for p in option.assignments}
        rows = [a for a in plan.assignments if a.job_id not in moved]
        rows += [_row(p.job_id, p.worker_id, p.start, p.end) for p in option.assignments]
        rows += [_row(m.job_id, m.worker_id, m.start, m.end) for m in option.moves]
        applied = Plan(assignments=tuple(rows), unassigned=(), kpis={})
        if not verify_limits(dataset, applied):
            kept.append(replace(option, rank=len(kept) + 1))
            if len(kept) == k:
                break
    return tuple(kept)
