"""Why a request has no worker, or fewer candidates than asked: a code and a sentence.

The same shape as a visit's reason (``matchmaker.plan``): ``SKILL_LEVEL: 0 of 300 workers
eligible - 120 lack postpartum_care>=3, 31 are not free before 2027-03-02``. Each worker is
counted under every rule it fails; the code is the rule that excludes the most workers,
ties going to the earlier rule of :data:`~matchmaker.model.HARD_RULES`.
"""

from __future__ import annotations

import numpy as np

from matchmaker.model import HARD_RULES, ReasonBit, ReasonCode, RuleScope
from matchmaker.placement._encode import PLACEMENT_CODES, PlacementBit, PlacementEligibility

__all__ = ["ineligible_counts", "request_reason"]

_PAIR_REASONS = [
    reason for rule in HARD_RULES if rule.scope is RuleScope.PAIR for reason in rule.reasons
]
_ORDER = {
    code: position
    for position, code in enumerate(
        dict.fromkeys(
            [reason.code for reason in _PAIR_REASONS]
            + [r.code for r in HARD_RULES if r.scope is RuleScope.PLACEMENT and r.code]
        )
    )
}


def _placement_phrase(bit: PlacementBit, n: int, elig: PlacementEligibility, r: int) -> str:
    request = elig.requests[r]
    verb = "is" if n == 1 else "are"
    has = "has" if n == 1 else "have"
    if bit is PlacementBit.NOT_FREE:
        return f"{n} {verb} not free by {request.hold_start.isoformat()}"
    if bit is PlacementBit.LIVE_IN:
        return f"{n} {verb} not willing to live in"
    if bit is PlacementBit.VISIT_CONFLICT:
        return f"{n} {has} visits planned on the dates held"
    return f"{n} {verb} in another placement on the dates held"


def ineligible_counts(elig: PlacementEligibility, r: int) -> dict[ReasonCode, tuple[int, str]]:
    """Per reason code, the workers failing it for request ``r`` and the words for them."""
    pair = elig.pair_bits[:, r]
    placement = elig.placement_bits[:, r]
    job = elig.jobs[r]
    out: dict[ReasonCode, tuple[int, str]] = {}
    by_code: dict[ReasonCode, list[str]] = {}
    totals: dict[ReasonCode, np.ndarray] = {}
    for reason in _PAIR_REASONS:
        hit = (pair & np.uint16(reason.bit)) != 0
        n = int(hit.sum())
        if not n:
            continue
        kind = (
            "were declined or replaced on this request"
            if reason.bit is ReasonBit.EXCLUDED
            else "are blocked by the customer"
        )
        by_code.setdefault(reason.code, []).append(reason.phrase(job, n, kind))
        totals[reason.code] = totals.get(reason.code, np.zeros(pair.shape, bool)) | hit
    for bit, code in PLACEMENT_CODES.items():
        hit = (placement & np.uint16(bit)) != 0
        n = int(hit.sum())
        if n:
            by_code.setdefault(code, []).append(_placement_phrase(bit, n, elig, r))
            totals[code] = totals.get(code, np.zeros(pair.shape, bool)) | hit
    for code, phrases in by_code.items():
        out[code] = (int(totals[code].sum()), ", ".join(phrases))
    return out


def request_reason(
    elig: PlacementEligibility, r: int, *, wanted: int = 1, got: int = 0, busy: str = ""
) -> tuple[ReasonCode, str]:
    """The code and sentence for request ``r`` that got ``got`` of ``wanted`` workers.

    When some eligible workers were left out, they went elsewhere: ``PLACEMENT_OVERLAP``
    (a placement: taken by overlapping requests) or ``CAPACITY`` (a shortlist: already on
    their most shortlists), ``busy`` saying how. Otherwise too few are eligible, and the
    code is the rule that excludes the most workers.
    """
    n_workers = elig.pair_bits.shape[0]
    eligible = int(elig.eligible[:, r].sum())
    counts = ineligible_counts(elig, r)
    ranked = sorted(counts, key=lambda code: (-counts[code][0], _ORDER.get(code, 99)))
    head = f"{eligible} of {n_workers} {'worker' if n_workers == 1 else 'workers'} eligible"
    if wanted > 1:
        head = f"{got} of {wanted} candidates, {head}"
    details = [counts[c][1] for c in ranked]
    if eligible > got:
        code = ReasonCode.CAPACITY if wanted > 1 else ReasonCode.PLACEMENT_OVERLAP
        if busy:
            details.insert(0, busy)
    elif ranked:
        code = ranked[0]
    else:  # no worker at all
        code = ReasonCode.NOT_FREE
    sentence = f"{code.value}: {head}"
    if details:
        sentence += " - " + ", ".join(details)
    return code, sentence
