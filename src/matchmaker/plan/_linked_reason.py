"""Why a linked visit is unserved: reason code ``DEPENDENCY`` (the rule ``linked_visits``).

A linked visit whose partner is unserved cannot be served; one whose partner is served,
and that some worker could serve on its own, was left out because no eligible worker was
free inside the gap (or with the same/different worker asked). A visit no worker may
serve at all keeps the reason of the pair rules (skills, availability, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matchmaker.compile import Problem
from matchmaker.model import Dataset, ReasonCode

__all__ = ["dependency_reason"]


def dependency_reason(
    dataset: Dataset,
    problem: Problem,
    schedule: Mapping[int, Sequence[tuple[int, int]]],
    j: int,
) -> tuple[ReasonCode, str] | None:
    """The DEPENDENCY reason of unserved job ``j``, or ``None`` when it is not linked."""
    job = dataset.jobs[j]
    if job.depends_on is None:
        return None
    if int(problem.eligible[:, j].sum()) < int(problem.job_team[j]):
        return None
    other = dataset.job_position(job.depends_on)
    served = any(visit[0] == other for visits in schedule.values() for visit in visits)
    if not served:
        text = f"it follows job {job.depends_on}, which is not planned"
    else:
        low = job.min_gap or 0
        gap = f"{low} to {job.max_gap}" if job.max_gap is not None else f"at least {low}"
        who = {"same": " by the same worker", "different": " by another worker", "any": ""}[
            job.link_worker.value
        ]
        text = (
            f"no eligible worker is free {gap} minutes after the start of job {job.depends_on}{who}"
        )
    code = ReasonCode.DEPENDENCY
    return code, f"{code.value}: {text}"
