"""Who may take which placement, before solving: the hard rules as ``(W, R)`` arrays.

A placement request is matched on the same pair rules as a visit (skill level,
experience, certificates and background check, active, gender, language, blocked and
excluded workers): :func:`shadow_dataset` turns each request into a
:class:`~matchmaker.model.Job` whose start window runs from the first to the last day of
the hold, so ``matchmaker.compile``'s eligibility checks documents on the *last* day held,
and a certificate valid then is valid over the whole placement. The placement rules of
:data:`~matchmaker.model.HARD_RULES` (scope ``placement``) are vectorised here:

* ``placement_free_from``: the worker's free date is on or before the hold's first day;
* ``live_in_willing``: a live-in request needs a worker willing to live in;
* ``no_visits_in_placement``: no planned (pinned) visit of the worker on a date held;
* ``no_placement_overlap``: no overlap with a placement the worker already has
  (a :class:`Commitment`, from the lifecycle); overlaps between the requests of one round
  are the solver's constraint.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.compile import encode_pairs, pair_reasons
from matchmaker.model import (
    HARD_RULES,
    Dataset,
    Job,
    Location,
    PlacementRequest,
    ReasonCode,
    RuleScope,
    SkillRequirement,
    TimeWindow,
    local_zone,
    utc,
)

__all__ = [
    "PLACEMENT_CODES",
    "Commitment",
    "PlacementBit",
    "PlacementEligibility",
    "eligibility",
    "request_job",
    "shadow_dataset",
    "visit_days",
]

Bits = npt.NDArray[np.uint16]

_NOON = time(12)


@dataclass(frozen=True, kw_only=True)
class Commitment:
    """A placement a worker already has (contracted or started, or held for one):
    ``first`` to ``last`` local dates, inclusive."""

    worker_id: str
    first: date
    last: date
    label: str = ""
    """What it is, for reason sentences (a request or placement id)."""


class PlacementBit(enum.IntFlag):
    """One bit per placement rule a worker can fail for a request before solving."""

    NOT_FREE = 1 << 0
    LIVE_IN = 1 << 1
    VISIT_CONFLICT = 1 << 2
    PLACEMENT_OVERLAP = 1 << 3


PLACEMENT_CODES: dict[PlacementBit, ReasonCode] = {
    PlacementBit.NOT_FREE: ReasonCode.NOT_FREE,
    PlacementBit.LIVE_IN: ReasonCode.LIVE_IN,
    PlacementBit.VISIT_CONFLICT: ReasonCode.VISIT_CONFLICT,
    PlacementBit.PLACEMENT_OVERLAP: ReasonCode.PLACEMENT_OVERLAP,
}
# Every placement code belongs to a rule of the one table.
assert set(PLACEMENT_CODES.values()) <= {
    r.code for r in HARD_RULES if r.scope is RuleScope.PLACEMENT
}


def request_job(request: PlacementRequest, dataset: Dataset, zone: tzinfo) -> Job:
    """The visit-shaped twin of a request that the pair rules read (see the module doc)."""
    customer = dataset.customer(request.customer_id)
    location = customer.location if customer is not None else None
    return Job(
        job_id=request.request_id,
        customer_id=request.customer_id,
        service_type=request.service_type,
        location=location if location is not None else Location(lat=0.0, lon=0.0),
        window=TimeWindow(
            start=datetime.combine(request.hold_start, _NOON, tzinfo=zone),
            end=datetime.combine(request.hold_end, _NOON, tzinfo=zone),
        ),
        duration_minutes=1,
        required_skills=tuple(
            SkillRequirement(name=r.name, level=r.level) for r in request.required_skills
        ),
        min_experience_years=request.min_experience_years,
        required_certificates=request.required_certificates,
        gender_required=request.gender_required,
        language_required=request.language_required,
        priority=request.priority,
        excluded_workers=request.excluded_workers,
    )


def shadow_dataset(dataset: Dataset, requests: Sequence[PlacementRequest] | None = None) -> Dataset:
    """The dataset's workers and customers with one job per placement request."""
    zone = local_zone(dataset)
    chosen = dataset.placement_requests if requests is None else tuple(requests)
    return Dataset(
        workers=dataset.workers,
        jobs=tuple(request_job(r, dataset, zone) for r in chosen),
        customers=dataset.customers,
        settings=dataset.settings,
    )


def visit_days(dataset: Dataset) -> list[tuple[str, date]]:
    """``(worker_id, local date)`` of every planned visit: each pinned worker of a job,
    on the date of its pinned start, or on every date its start window touches."""
    zone = local_zone(dataset)
    days: list[tuple[str, date]] = []
    for job in dataset.jobs:
        if not job.pinned_worker_ids:
            continue
        if job.pinned_start is not None:
            dates = [utc(job.pinned_start).astimezone(zone).date()]
        else:
            first = utc(job.earliest_start).astimezone(zone).date()
            last = utc(job.latest_start).astimezone(zone).date()
            dates = [first + timedelta(days=d) for d in range((last - first).days + 1)]
        days.extend((worker_id, day) for worker_id in job.pinned_worker_ids for day in dates)
    return days


@dataclass(frozen=True, kw_only=True, eq=False)
class PlacementEligibility:
    """The rules' verdict for every worker and request of a round."""

    requests: tuple[PlacementRequest, ...]
    jobs: tuple[Job, ...]
    """The requests' visit-shaped twins (for reason phrases)."""
    pair_bits: Bits
    """(W, R) pair-rule :class:`~matchmaker.model.ReasonBit` s."""
    placement_bits: Bits
    """(W, R) :class:`PlacementBit` s."""
    hold_first: npt.NDArray[np.int64]
    """(R,) ordinal of the first day held."""
    hold_last: npt.NDArray[np.int64]

    @property
    def eligible(self) -> npt.NDArray[np.bool_]:
        """(W, R) every rule passes."""
        result: npt.NDArray[np.bool_] = (self.pair_bits == 0) & (self.placement_bits == 0)
        return result


def eligibility(
    dataset: Dataset,
    *,
    requests: Sequence[PlacementRequest] | None = None,
    commitments: Iterable[Commitment] = (),
) -> PlacementEligibility:
    """Every pair and placement rule for every worker and request (vectorised)."""
    shadow = shadow_dataset(dataset, requests)
    chosen = dataset.placement_requests if requests is None else tuple(requests)
    n_workers, n_requests = len(dataset.workers), len(chosen)
    pair_bits = (
        pair_reasons(encode_pairs(shadow, zone=local_zone(dataset)))
        if n_requests
        else np.zeros((n_workers, 0), dtype=np.uint16)
    )
    first = np.array([r.hold_start.toordinal() for r in chosen], dtype=np.int64)
    last = np.array([r.hold_end.toordinal() for r in chosen], dtype=np.int64)
    bits = np.zeros((n_workers, n_requests), dtype=np.uint16)

    free = np.array(
        [
            -1 if w.placement.free_from is None else w.placement.free_from.toordinal()
            for w in dataset.workers
        ],
        dtype=np.int64,
    )
    bits |= ((free[:, None] > first[None, :]) * np.uint16(PlacementBit.NOT_FREE)).astype(np.uint16)
    willing = np.array([w.placement.live_in_willing for w in dataset.workers], dtype=bool)
    live_in = np.array([r.live_in for r in chosen], dtype=bool)
    bits |= ((live_in[None, :] & ~willing[:, None]) * np.uint16(PlacementBit.LIVE_IN)).astype(
        np.uint16
    )
    _mark_days(
        bits,
        dataset,
        ((w, d, d) for w, d in visit_days(dataset)),
        first,
        last,
        PlacementBit.VISIT_CONFLICT,
    )
    _mark_days(
        bits,
        dataset,
        ((c.worker_id, c.first, c.last) for c in commitments),
        first,
        last,
        PlacementBit.PLACEMENT_OVERLAP,
    )
    return PlacementEligibility(
        requests=tuple(chosen),
        jobs=shadow.jobs,
        pair_bits=pair_bits,
        placement_bits=bits,
        hold_first=first,
        hold_last=last,
    )


def _mark_days(
    bits: Bits,
    dataset: Dataset,
    spans: Iterable[tuple[str, date, date]],
    first: npt.NDArray[np.int64],
    last: npt.NDArray[np.int64],
    bit: PlacementBit,
) -> None:
    """Set ``bit`` where a worker's busy span ``[a, b]`` meets a request's hold."""
    rows = [
        (dataset.worker_position(w), a.toordinal(), b.toordinal())
        for w, a, b in spans
        if dataset.has_worker(w)
    ]
    if not rows or first.size == 0:
        return
    table = np.array(rows, dtype=np.int64)
    meets = (table[:, 1:2] <= last[None, :]) & (table[:, 2:3] >= first[None, :])  # (S, R)
    hit = np.zeros(bits.shape, dtype=np.int64)
    np.add.at(hit, table[:, 0], meets.astype(np.int64))
    bits |= ((hit > 0) * np.uint16(bit)).astype(np.uint16)
