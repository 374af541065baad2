"""Recommendation options that keep the limits across days, the continuity cap and
linked visits.

The insertion search of :mod:`matchmaker.live._search` looks at one worker's gaps, not at
their week, at how many workers a customer already has or at the visit a linked visit
follows; each option it finds is applied to the plan and checked with
:func:`matchmaker.plan.verify_limits`, and options breaking one of those rules are left
out (the next ones move up a rank). A linked visit is searched only where it may start
after the visit it follows (:func:`within_link`), so its options are not all left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from matchmaker.compile import LINK_CODES
from matchmaker.live._index import JobColumn, PlanIndex
from matchmaker.live._options import Option, applied_breaks, applied_rows
from matchmaker.model import Dataset, Job
from matchmaker.plan import Plan, verify_limits
from matchmaker.solve import worker_ok

__all__ = ["SEARCH_FACTOR", "within_limits", "within_link"]

SEARCH_FACTOR = 4
"""How many more candidates to search when some may be left out for a limit."""


def within_limits(dataset: Dataset, plan: Plan, options: Sequence[Option], k: int) -> list[int]:
    """The positions in ``options`` of the first ``k`` that, applied to ``plan``, keep
    every limit."""
    kept: list[int] = []
    for position, option in enumerate(options):
        applied = Plan(
            assignments=tuple(applied_rows(plan, option)),
            unassigned=(),
            kpis={},
            breaks=applied_breaks(dataset, plan, option),
        )
        if not verify_limits(dataset, applied):
            kept.append(position)
            if len(kept) == k:
                break
    return kept


def within_link(index: PlanIndex, column: JobColumn, job: Job) -> JobColumn:
    """``column`` of ``job`` narrowed to the starts and workers its link allows: from
    ``min_gap`` to ``max_gap`` minutes after the planned start of the visit it follows, by
    that visit's worker or another as ``link_worker`` asks. Unchanged when ``job`` follows
    nothing, or follows a visit the plan does not serve (which no option can mend)."""
    if job.depends_on is None or not index.dataset.has_job(job.depends_on):
        return column
    rows, slots = np.nonzero(index.job == index.dataset.job_position(job.depends_on))
    if rows.size == 0:
        return column
    start = int(index.start[rows[0], slots[0]])
    latest = column.latest if job.max_gap is None else min(column.latest, start + job.max_gap)
    allowed = worker_ok(index.problem, LINK_CODES[job.link_worker], int(rows[0]))
    return replace(
        column,
        earliest=max(column.earliest, start + (job.min_gap or 0)),
        latest=latest,
        eligible=column.eligible & allowed,
    )
