"""The reason a job is left out when the limits across days or the continuity cap keep it
out: ``WORK_LIMITS`` or ``CONTINUITY`` (see :data:`matchmaker.model.HARD_RULES`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matchmaker.compile import Problem
from matchmaker.model import Dataset
from matchmaker.plan._messages import message
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
        code, text = ReasonCode.WORK_LIMITS, message("en", "head.work_limits")
    elif blocked == "customer":
        customer = dataset.jobs[j].customer_id
        code, text = ReasonCode.CONTINUITY, message("en", "head.continuity", customer=customer)
    else:
        return None
    return code, message("en", "sentence.bare", code=code.value, head=text)
