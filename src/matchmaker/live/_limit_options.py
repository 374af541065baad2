"""Recommendation options that keep the limits across days and the continuity cap.

The insertion search of :mod:`matchmaker.live._search` looks at one worker's gaps, not at
their week or at how many workers a customer already has; each option it finds is applied
to the plan and checked with :func:`matchmaker.plan.verify_limits`, and options breaking a
limit are left out (the next ones move up a rank).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from matchmaker.live._options import Option, applied_breaks, applied_rows
from matchmaker.model import Dataset
from matchmaker.plan import Plan, verify_limits

__all__ = ["SEARCH_FACTOR", "within_limits"]

SEARCH_FACTOR = 4
"""How many more candidates to search when some may be left out for a limit."""


def within_limits(
    dataset: Dataset, plan: Plan, options: Sequence[Option], k: int
) -> tuple[Option, ...]:
    """The first ``k`` of ``options`` that, applied to ``plan``, keep every limit."""
    kept: list[Option] = []
    for option in options:
        applied = Plan(
            assignments=tuple(applied_rows(plan, option)),
            unassigned=(),
            kpis={},
            breaks=applied_breaks(dataset, plan, option),
        )
        if not verify_limits(dataset, applied):
            kept.append(replace(option, rank=len(kept) + 1))
            if len(kept) == k:
                break
    return tuple(kept)
