"""The reason a job is left out when the limits across days or the continuity cap keep it
out: ``WORK_LIMITS`` or ``CONTINUITY`` (see :data:`matchmaker.model.HARD_RULES`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matchmaker.compile import Problem
from matchmaker.model import Dataset
from matchmaker.plan._plan import ReasonCode
from matchmaker.solve import Route, limit_blocks

__all__ = ["limit_reason"]


def limit_reason(
    dataset: Dataset,
    problem: Problem,
    schedule: Mapping[int, Sequence[tuple[int, int]]],
    j: int,
) -> tuple[ReasonCode, str] | None:
    """``(code, sentence)`` when every eligible worker taking job ``j`` would break a limit
    across days (or the customer's cap on different workers), else ``None``."""
    if problem.limits is None:
        return None
    routes = [
        Route(vehicle=v, jobs=tuple(j2 for j2, _ in visits), starts=tuple(s for _, s in visits))
        for v, visits in schedule.items()
    ]
    blocked = limit_blocks(problem, routes, j)
    if blocked == "worker":
        code = ReasonCode.WORK_LIMITS
        text = (
            "every eligible worker would break a limit across days taking it "
            "(weekly minutes, rest between shifts or days in a row)"
        )
    elif blocked == "customer":
        code = ReasonCode.CONTINUITY
        customer = dataset.jobs[j].customer_id
        text = (
            f"customer {customer} already has as many different workers as allowed, "
            "and none of them can take it"
        )
    else:
        return None
    return code, f"{code.value}: {text}"
