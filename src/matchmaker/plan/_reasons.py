"""Why nobody (or too few) can serve a job: reason code and the dispatcher's sentence.

From the ``reasons`` bits of a compiled :class:`~matchmaker.compile.Problem`:
``SKILL_LEVEL: 0 of 140 workers eligible - 96 lack elderly_care>=3, 31 are male (female
required), 13 have no valid background check``.

Each worker is counted under every rule it fails, so the counts can add up to more than
the number of workers. Rules are listed biggest count first; the reason code is the rule
that excludes the most workers, ties going to the earlier rule in :data:`RULE_ORDER`. When
some workers are eligible but fewer than the job needs, the code is ``TEAM_SIZE``. Whether
eligible workers were all busy (``CAPACITY``) is only known after solving; callers decide
it with :func:`eligible_worker_count`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchmaker.compile import Problem, any_per_worker
from matchmaker.model import HARD_RULES, Dataset, Phrase, ReasonBit, ReasonCode

__all__ = ["RULE_ORDER", "eligible_worker_count", "ineligibility_summary", "rule_counts"]


def _rule_order() -> tuple[tuple[ReasonCode, ReasonBit], ...]:
    bits: dict[ReasonCode, ReasonBit] = {}
    for rule in HARD_RULES:
        for reason in rule.reasons:
            bits[reason.code] = bits.get(reason.code, ReasonBit(0)) | reason.bit
    return tuple(bits.items())


RULE_ORDER: tuple[tuple[ReasonCode, ReasonBit], ...] = _rule_order()
"""Reason codes in tie-break order (that of :data:`~matchmaker.model.HARD_RULES`), with the
reason bits each one covers."""


def eligible_worker_count(problem: Problem, job_index: int) -> int:
    """Workers with at least one shift eligible for the job (pinned ones included)."""
    column = problem.eligible[:, job_index : job_index + 1]
    per_worker = any_per_worker(column, problem.vehicle_worker, problem.n_workers)
    return int(per_worker.sum())


def rule_counts(problem: Problem, job_index: int) -> dict[ReasonCode, int]:
    """Workers failing each rule for the job (only rules failed by someone)."""
    bits = problem.reasons[:, job_index]
    counts: dict[ReasonCode, int] = {}
    for code, mask in RULE_ORDER:
        count = int(np.count_nonzero(bits & np.uint16(mask)))
        if count:
            counts[code] = count
    return counts


def ineligibility_summary(
    dataset: Dataset, problem: Problem, job_index: int
) -> tuple[ReasonCode, str]:
    """The reason code and sentence for a job nobody, or too few, can serve.

    Raises :class:`ValueError` when enough workers are eligible: the job was then left
    out for capacity, which only the solve can tell.
    """
    job = dataset.jobs[job_index]
    eligible = eligible_worker_count(problem, job_index)
    needed = int(problem.job_team[job_index])
    if eligible >= needed:
        raise ValueError(
            f"job {job.job_id}: {eligible} of {problem.n_workers} workers are eligible and "
            f"{needed} needed; an unserved job with enough eligible workers is a CAPACITY case"
        )
    counts = rule_counts(problem, job_index)
    order = {code: position for position, (code, _) in enumerate(RULE_ORDER)}
    ranked = sorted(counts, key=lambda code: (-counts[code], order[code]))
    blocked_bits = problem.reasons[:, job_index] & np.uint16(ReasonBit.BLOCKED | ReasonBit.EXCLUDED)
    phrases = [_PHRASES[code](job, counts[code], _blocked_kind(blocked_bits)) for code in ranked]
    total = problem.n_workers
    head = f"{eligible} of {total} {_plural(total, 'worker', 'workers')} eligible"
    if eligible > 0:
        code = ReasonCode.TEAM_SIZE
        head += f", {needed} needed"
    elif ranked:
        code = ranked[0]
    else:
        # No worker at all: nobody is available.
        code = ReasonCode.NO_AVAILABILITY
    sentence = f"{code.value}: {head}"
    if phrases:
        sentence += " - " + ", ".join(phrases)
    return code, sentence


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _blocked_kind(bits: npt.NDArray[np.uint16]) -> str:
    blocked = bool(np.any(bits & np.uint16(ReasonBit.BLOCKED)))
    excluded = bool(np.any(bits & np.uint16(ReasonBit.EXCLUDED)))
    if blocked and excluded:
        return "are blocked by the customer or excluded from this visit"
    if excluded:
        return "are excluded from this visit"
    return "are blocked by the customer"


_PHRASES: dict[ReasonCode, Phrase] = {
    reason.code: reason.phrase for rule in HARD_RULES for reason in rule.reasons
}
