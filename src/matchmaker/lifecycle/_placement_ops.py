"""Placements in operations: shortlists from the ledger, hold re-checks, monthly
settlement, follow-ups and KPIs (docs/ops.md, "Placements").

The ledger knows the placements; a dataset folder gives the workers, customers and
planned visits to match them against (the dispatch contract, with the optional placement
columns of ``workers``). A shortlist for one placement sees the ledger: other placements'
workers are :class:`~matchmaker.placement.Commitment` s over their holds, other open
shortlists count against ``max_shortlists``, and declined or replaced workers are
excluded.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._events import Event, make_event
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money_lines import cents, money_sum
from matchmaker.lifecycle._placement import PlacementRecord, Stint
from matchmaker.lifecycle._states import PlacementState
from matchmaker.model import Dataset, LifecycleError, PlacementRequest
from matchmaker.placement import (
    Commitment,
    PlacementPlan,
    ShortlistEntry,
    shortlist,
    verify_placements,
    verify_shortlists,
)
from matchmaker.placement import Placement as Placed
from matchmaker.plan import Violation

__all__ = [
    "DAYS_PER_MONTH",
    "FOLLOW_UP_DAYS",
    "PlacementFollowUp",
    "ledger_commitments",
    "open_shortlist_counts",
    "placement_followups",
    "placement_ops_kpis",
    "recheck_holds",
    "settle_month",
    "settlement_lines",
    "shortlist_placement",
]

DAYS_PER_MONTH = Decimal(30)
"""A month's salary pays 30 days: ``salary = monthly_salary * days / 30``."""

FOLLOW_UP_DAYS: tuple[tuple[str, int], ...] = (("day_1", 1), ("day_7", 7))
"""Follow-ups after a worker's first day; then one every 30 days (``month_1``, ...) while
the placement runs, and ``after_end`` 3 days after its last day."""
_MONTHLY = 30
_AFTER_END = 3

_HOLDING = (PlacementState.SELECTED, PlacementState.CONTRACTED)
_SHORTLISTING = (PlacementState.SHORTLISTED, PlacementState.INTERVIEWING)
_MATCHABLE = (PlacementState.REQUESTED, *_SHORTLISTING)


def _hold(placement: PlacementRecord) -> tuple[date, date]:
    """The dates a placement holds its worker: its request's hold, or for one started
    the current stint's first day to the planned end (and the days after a due date)."""
    request = placement.request
    if placement.state is PlacementState.STARTED and placement.stints:
        return placement.stints[-1].first, placement.planned_end
    return request.hold_start, request.hold_end


def ledger_commitments(ledger: Ledger, *, exclude: str | None = None) -> list[Commitment]:
    """Every worker held by a placement of the ledger (selected, contracted or started)."""
    out = []
    for placement in ledger.placements.values():
        if placement.placement_id == exclude or placement.worker_id is None:
            continue
        if placement.state in (*_HOLDING, PlacementState.STARTED):
            first, last = _hold(placement)
            out.append(
                Commitment(
                    worker_id=placement.worker_id,
                    first=first,
                    last=last,
                    label=placement.placement_id,
                )
            )
    return out


def open_shortlist_counts(ledger: Ledger, *, exclude: str | None = None) -> dict[str, int]:
    """Per worker, the open shortlists (shortlisted or interviewing placements) naming them."""
    counts: dict[str, int] = {}
    for placement in ledger.placements.values():
        if placement.placement_id == exclude or placement.state not in _SHORTLISTING:
            continue
        for worker_id in placement.candidates:
            counts[worker_id] = counts.get(worker_id, 0) + 1
    return counts


def _with_requests(dataset: Dataset, requests: Iterable[PlacementRequest]) -> Dataset:
    return Dataset(
        workers=dataset.workers,
        jobs=dataset.jobs,
        customers=dataset.customers,
        settings=dataset.settings,
        placement_requests=tuple(requests),
    )


def _placement(ledger: Ledger, placement_id: str) -> PlacementRecord:
    placement = ledger.placements.get(placement_id)
    if placement is None:
        raise LifecycleError(f"placement {placement_id} does not exist")
    return placement


def shortlist_placement(
    ledger: Ledger,
    dataset: Dataset,
    placement_id: str,
    *,
    k: int = 3,
    max_shortlists: int = 3,
    time: datetime,
    actor: str,
) -> tuple[PlacementPlan, Event]:
    """A verified shortlist for one placement and the ``placement_shortlisted`` event
    recording it (declined and replaced workers excluded, the ledger's holds respected)."""
    placement = _placement(ledger, placement_id)
    if placement.state not in _MATCHABLE:
        raise LifecycleError(f"placement {placement_id} is {placement.state}; nothing to shortlist")
    data = _with_requests(dataset, [placement.matching_request])
    commitments = ledger_commitments(ledger, exclude=placement_id)
    already = open_shortlist_counts(ledger, exclude=placement_id)
    plan = shortlist(
        data, k=k, max_shortlists=max_shortlists, commitments=commitments, open_shortlists=already
    )
    violations = verify_shortlists(
        data,
        plan,
        k=k,
        max_shortlists=max_shortlists,
        commitments=commitments,
        open_shortlists=already,
    )
    if violations:  # a bug on the solver side, never the user's input
        raise AssertionError(f"shortlist broke hard rules: {violations}")
    entries: tuple[ShortlistEntry, ...] = plan.shortlists
    event = make_event(
        "placement_shortlisted",
        placement_id,
        time=time,
        actor=actor,
        candidates=[e.worker_id for e in entries],
        scores=[round(e.match_score, 2) for e in entries],
        note=plan.unfilled[0].reason if plan.unfilled else "",
    )
    return plan, event


def recheck_holds(ledger: Ledger, dataset: Dataset, placement_id: str) -> list[Violation]:
    """The hard rules the placement's held worker or shortlisted candidates now break
    (after a due date moved, a visit was planned, another placement was contracted)."""
    placement = _placement(ledger, placement_id)
    request = placement.matching_request
    data = _with_requests(dataset, [request])
    commitments = ledger_commitments(ledger, exclude=placement_id)
    if placement.worker_id is not None and placement.state in _HOLDING:
        held = PlacementPlan(
            mode="match",
            placements=(
                Placed(
                    request_id=request.request_id,
                    worker_id=placement.worker_id,
                    start_date=request.start,
                    end_date=request.end,
                    hold_start=request.hold_start,
                    hold_end=request.hold_end,
                    match_score=0.0,
                ),
            ),
        )
        return verify_placements(data, held, commitments=commitments)
    if placement.candidates and placement.state in _SHORTLISTING:
        listed = PlacementPlan(
            mode="shortlist",
            shortlists=tuple(
                ShortlistEntry(request_id=request.request_id, rank=i, worker_id=w, match_score=0.0)
                for i, w in enumerate(placement.candidates, start=1)
            ),
        )
        found = verify_shortlists(
            data, listed, k=len(placement.candidates), max_shortlists=10**6, commitments=commitments
        )
        return [v for v in found if v.rule != "shortlist_limits"]
    return []


def _month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def _stint_days(stint: Stint, end: date, first: date, last: date) -> int:
    start = max(stint.first, first)
    stop = min(stint.last or end, last)
    return max((stop - start).days + 1, 0)


def settlement_lines(placement: PlacementRecord, month: str) -> list[dict[str, Any]]:
    """One line per worker who worked days of ``month`` (``YYYY-MM``) on the placement,
    at the salary and fee rate of the contract the worker started under::

        days        = the worker's dates on the placement within the month
        salary      = round(monthly_salary * days / 30, 2)        (half up)
        service_fee = round(salary * service_fee_rate, 2)         (half up)

    The customer pays ``salary + service_fee``; the worker receives ``salary``.
    """
    first, last = _month_bounds(month)
    end = placement.end_date or placement.planned_end
    lines = []
    for stint in placement.stints:
        days = _stint_days(stint, end, first, last)
        if days <= 0:
            continue
        salary = cents(stint.monthly_salary * days / DAYS_PER_MONTH)
        fee = cents(salary * stint.service_fee_rate)
        lines.append(
            {"worker_id": stint.worker_id, "days": days, "salary": salary, "service_fee": fee}
        )
    return lines


def settle_month(
    ledger: Ledger, placement_id: str, month: str, *, time: datetime, actor: str
) -> list[Event]:
    """``placement_settled`` events for ``month``: one per worker with days in it."""
    placement = _placement(ledger, placement_id)
    _month_bounds(month)  # a bad month raises ValueError here
    return [
        make_event(
            "placement_settled",
            placement_id,
            time=time,
            actor=actor,
            month=month,
            worker_id=line["worker_id"],
            days=line["days"],
            salary=str(line["salary"]),
            service_fee=str(line["service_fee"]),
        )
        for line in settlement_lines(placement, month)
    ]


@dataclass(frozen=True, kw_only=True)
class PlacementFollowUp:
    """A follow-up call due on a placement: ``name`` is ``WORKER:day_1`` and the like."""

    placement_id: str
    worker_id: str
    name: str
    due: date
    done: bool


def placement_followups(ledger: Ledger, *, as_of: date) -> list[PlacementFollowUp]:
    """Follow-ups of started and completed placements due by ``as_of`` and not yet done,
    earliest first (times in ``FOLLOW_UP_DAYS``)."""
    out = []
    for placement in ledger.placements.values():
        if placement.state not in (PlacementState.STARTED, PlacementState.COMPLETED):
            continue
        end = placement.end_date or placement.planned_end
        for stint in placement.stints:
            last = stint.last or end
            due: list[tuple[str, date]] = [
                (name, stint.first + timedelta(days=d)) for name, d in FOLLOW_UP_DAYS
            ]
            n = 1
            while stint.first + timedelta(days=_MONTHLY * n) <= last:
                due.append((f"month_{n}", stint.first + timedelta(days=_MONTHLY * n)))
                n += 1
            if stint.last is not None:
                due.append(("after_end", last + timedelta(days=_AFTER_END)))
            for name, day in due:
                key = f"{stint.worker_id}:{name}"
                if (
                    day <= as_of
                    and key not in placement.followed_up
                    and day <= last + timedelta(days=_AFTER_END)
                ):
                    out.append(
                        PlacementFollowUp(
                            placement_id=placement.placement_id,
                            worker_id=stint.worker_id,
                            name=key,
                            due=day,
                            done=False,
                        )
                    )
    return sorted(out, key=lambda f: (f.due, f.placement_id, f.name))


def placement_ops_kpis(ledger: Ledger) -> dict[str, Any]:
    """Time to fill, interviews per placement, replacement rate per worker, fill rate per
    service (docs/ops.md, "Placements")."""
    placements = list(ledger.placements.values())
    fill_days = [
        (p.filled_at - p.requested_at).total_seconds() / 86400
        for p in placements
        if p.filled_at is not None
    ]
    filled = [p for p in placements if p.filled_at is not None]
    interviews = sum(len(p.interviews) for p in filled)
    stints: dict[str, int] = {}
    replaced: dict[str, int] = {}
    for p in placements:
        for stint in p.stints:
            stints[stint.worker_id] = stints.get(stint.worker_id, 0) + 1
        for worker_id in p.replaced:
            replaced[worker_id] = replaced.get(worker_id, 0) + 1
    by_service: dict[str, list[int]] = {}
    for p in placements:
        row = by_service.setdefault(p.request.service_type, [0, 0])
        row[0] += p.filled_at is not None
        row[1] += 1
    return {
        "placements": len(placements),
        "filled": len(filled),
        "time_to_fill_days_mean": round(statistics.fmean(fill_days), 2) if fill_days else None,
        "time_to_fill_days_median": round(statistics.median(fill_days), 2) if fill_days else None,
        "interviews_per_placement": round(interviews / len(filled), 2) if filled else None,
        "replacement_rate_per_worker": {
            w: round(replaced.get(w, 0) / max(stints.get(w, 0), 1), 4)
            for w in sorted(set(stints) | set(replaced))
        },
        "fill_rate_per_service": {
            service: round(hit / total, 4) for service, (hit, total) in sorted(by_service.items())
        },
        "salary_settled": str(money_sum(s.salary for p in placements for s in p.settlements)),
        "service_fee_settled": str(
            money_sum(s.service_fee for p in placements for s in p.settlements)
        ),
    }
