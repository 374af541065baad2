"""A quick check of the rules that read more than one worker's day (the limits across
days, the continuity cap and linked visits) alone, for code that changes a valid plan in
one place (a recommendation) and must not break them."""

from __future__ import annotations

from matchmaker.model import Dataset
from matchmaker.plan._plan import Plan
from matchmaker.plan._verify_context import Context, Violation
from matchmaker.plan._verify_limits import (
    max_consecutive_days,
    max_distinct_workers,
    max_week_minutes,
    min_rest_minutes,
)
from matchmaker.plan._verify_linked import linked_visits

__all__ = ["has_limits", "verify_limits"]


LIMIT_RULES = (
    max_week_minutes,
    min_rest_minutes,
    max_consecutive_days,
    max_distinct_workers,
    linked_visits,
)


def has_limits(dataset: Dataset) -> bool:
    """``dataset`` sets a limit across days, a continuity cap or a linked visit somewhere."""
    defaults = dataset.settings.limits
    if any(value is not None for value in defaults.model_dump().values()):
        return True
    return (
        any(
            w.max_week_minutes is not None
            or w.min_rest_minutes is not None
            or w.max_consecutive_days is not None
            for w in dataset.workers
        )
        or any(c.max_distinct_workers is not None for c in dataset.customers)
        or any(j.depends_on is not None for j in dataset.jobs)
    )


def verify_limits(dataset: Dataset, plan: Plan) -> list[Violation]:
    """Only the rules of this module (a quick check for code that changes a valid plan in
    one place, such as a recommendation)."""
    ctx = Context.build(dataset, plan)
    return [violation for rule in LIMIT_RULES for violation in rule(ctx)]
