"""The visit entity: one job through its service, and the job it asks for.

Its events' payload models are in :mod:`matchmaker.lifecycle._visit_schema`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from math import ceil
from typing import Any

from matchmaker.lifecycle._entity_base import (
    append_unique,
    evolve,
    float_or_none,
    int_or_none,
    money_or_none,
    parse_time,
    split_cell,
    time_or_none,
)
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._money_lines import (
    ZERO,
    MoneyLine,
    PayLine,
    adjustment_lines,
    money_sum,
    pay_lines,
)
from matchmaker.lifecycle._pricing import PaymentMethod
from matchmaker.lifecycle._states import NEW, VISIT_TABLE, VisitState
from matchmaker.model import LifecycleError

__all__ = ["JobSpec", "Offer", "Rating", "Visit"]


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """What a visit asks for, in the dispatch contract's terms (``jobs`` columns)."""

    order_id: str
    customer_id: str
    service_type: str
    lat: float | None
    lon: float | None
    earliest_start: datetime
    latest_start: datetime
    duration_minutes: int
    required_skills: str = ""
    min_experience_years: float = 0.0
    required_certificates: tuple[str, ...] = ()
    workers_needed: int = 1
    gender_required: str | None = None
    language_required: tuple[str, ...] = ()
    priority: int = 3
    needs_car: bool = False
    price: Decimal | None = None
    due_start: datetime | None = None
    """Soft latest start (home-care rule): each minute later costs lateness."""
    depends_on: str | None = None
    """The visit this linked visit follows (home-care rule), with the gap and worker link."""
    min_gap: int | None = None
    max_gap: int | None = None
    link_worker: str = "any"

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> JobSpec:
        return cls(
            order_id=str(payload.get("order_id") or ""),
            customer_id=str(payload["customer_id"]),
            service_type=str(payload["service_type"]),
            lat=float_or_none(payload.get("lat")),
            lon=float_or_none(payload.get("lon")),
            earliest_start=parse_time(payload["earliest_start"]),
            latest_start=parse_time(payload["latest_start"]),
            duration_minutes=int(payload["duration_minutes"]),
            required_skills=str(payload.get("required_skills") or ""),
            min_experience_years=float(payload.get("min_experience_years") or 0.0),
            required_certificates=split_cell(payload.get("required_certificates")),
            workers_needed=int(payload.get("workers_needed") or 1),
            gender_required=payload.get("gender_required"),
            language_required=split_cell(payload.get("language_required")),
            priority=int(payload.get("priority") or 3),
            needs_car=bool(payload.get("needs_car")),
            price=money_or_none(payload.get("price")),
            due_start=time_or_none(payload.get("due_start")),
            depends_on=payload.get("depends_on") or None,
            min_gap=int_or_none(payload.get("min_gap")),
            max_gap=int_or_none(payload.get("max_gap")),
            link_worker=str(payload.get("link_worker") or "any"),
        )

    def to_payload(self) -> dict[str, Any]:
        """The ``visit_created`` payload fields of this job."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "service_type": self.service_type,
            "lat": self.lat,
            "lon": self.lon,
            "earliest_start": self.earliest_start.isoformat(),
            "latest_start": self.latest_start.isoformat(),
            "duration_minutes": self.duration_minutes,
            "required_skills": self.required_skills,
            "min_experience_years": self.min_experience_years,
            "required_certificates": list(self.required_certificates),
            "workers_needed": self.workers_needed,
            "gender_required": self.gender_required,
            "language_required": list(self.language_required),
            "priority": self.priority,
            "needs_car": self.needs_car,
            "price": None if self.price is None else str(self.price),
            "due_start": None if self.due_start is None else self.due_start.isoformat(),
            "depends_on": self.depends_on,
            "min_gap": self.min_gap,
            "max_gap": self.max_gap,
            "link_worker": self.link_worker,
        }

    def unlinked(self) -> JobSpec:
        """This job without its due start and link: what a visit derived from it (a rework
        visit in a window of its own) asks for."""
        return replace(
            self, due_start=None, depends_on=None, min_gap=None, max_gap=None, link_worker="any"
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Offer:
    """One worker asked to serve a visit, and the answer (pending until given)."""

    worker_id: str
    proposed_at: datetime
    outcome: str = "pending"
    """``pending``, ``confirmed``, ``declined`` or ``withdrawn``."""
    answered_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Rating:
    worker_id: str
    stars: int
    comment: str
    time: datetime


@dataclass(frozen=True, kw_only=True)
class Visit:
    """One job through its service: proposal, confirmation, check-in, acceptance, settlement.

    ``workers`` are the workers proposed or serving (kept after the service, for analytics);
    ``excluded_workers`` declined it or did not show up and are not proposed for it again.
    """

    visit_id: str
    state: VisitState
    job: JobSpec
    created_at: datetime
    rework_of: str | None = None
    pinned_worker_ids: tuple[str, ...] = ()
    rule: str | None = None
    assessment: bool = False
    """An assessor's visit before the quote (not a service of the contract)."""
    workers: tuple[str, ...] = ()
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    plan: str | None = None
    match_score: float | None = None
    travel_minutes: int | None = None
    offers: tuple[Offer, ...] = ()
    excluded_workers: tuple[str, ...] = ()
    no_show_workers: tuple[str, ...] = ()
    confirmed_at: datetime | None = None
    checked_in_at: datetime | None = None
    check_in_lat: float | None = None
    check_in_lon: float | None = None
    minutes_late: int | None = None
    completed_at: datetime | None = None
    rework_count: int = 0
    rework_requested_at: datetime | None = None
    accepted_at: datetime | None = None
    settled_at: datetime | None = None
    settlement_method: PaymentMethod | None = None
    settlement_amount: Decimal | None = None
    followed_up_at: datetime | None = None
    follow_up_satisfied: bool | None = None
    ratings: tuple[Rating, ...] = ()
    issues: tuple[tuple[str, str], ...] = ()
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    money: tuple[MoneyLine, ...] = ()
    """The visit's money lines: price and adjustments at settlement, refunds, a
    cancellation fee; they add up to :attr:`net_amount`."""
    deposit_applied: Decimal = ZERO
    """The part of the settlement paid from the order's deposit."""
    pay: tuple[PayLine, ...] = ()
    """What each worker earns for the visit (fixed at settlement)."""

    @property
    def net_amount(self) -> Decimal:
        """What the visit earned: the sum of its money lines (0.00 without any)."""
        return money_sum(line.amount for line in self.money)

    @classmethod
    def create(cls, event: Event) -> Visit:
        state = VISIT_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        job = JobSpec.from_payload(event.payload)
        pinned = split_cell(event.get("pinned_worker_id"))
        if len(pinned) > job.workers_needed:
            raise LifecycleError(
                f"visit {event.entity_id}: {len(pinned)} pinned workers but only "
                f"{job.workers_needed} needed"
            )
        return cls(
            visit_id=event.entity_id,
            state=VisitState(state),
            job=job,
            created_at=event.time,
            rework_of=event.get("rework_of"),
            pinned_worker_ids=pinned,
            rule=event.get("rule"),
            assessment=bool(event.get("assessment")),
        )

    def apply(self, event: Event) -> Visit:
        state = VISIT_TABLE.target(self.state, event.kind, entity_id=self.visit_id)
        changes = _VISIT_HANDLERS[event.kind](self, event)
        return evolve(self, state=VisitState(state), **changes)

    @property
    def served(self) -> bool:
        """The workers checked in: the visit took place (whatever came after)."""
        return self.checked_in_at is not None

    @property
    def start(self) -> datetime:
        """The planned start when there is one, else the earliest start."""
        return self.planned_start or self.job.earliest_start

    def _error(self, message: str) -> LifecycleError:
        return LifecycleError(f"visit {self.visit_id}: {message}")


def _visit_proposed(v: Visit, e: Event) -> dict[str, Any]:
    workers = split_cell(e.payload["worker_ids"])
    if len(workers) != v.job.workers_needed:
        raise v._error(f"needs {v.job.workers_needed} worker(s), the proposal names {len(workers)}")
    excluded = [w for w in workers if w in v.excluded_workers]
    if excluded:
        raise v._error(
            f"worker(s) {', '.join(excluded)} are excluded (declined or did not show up)"
        )
    start = parse_time(e.payload["start"])
    end = time_or_none(e.get("end"))
    offers = tuple(Offer(worker_id=w, proposed_at=e.time) for w in workers)
    return {
        "workers": workers,
        "planned_start": start,
        "planned_end": end,
        "plan": e.get("plan"),
        "match_score": float_or_none(e.get("match_score")),
        "travel_minutes": int_or_none(e.get("travel_minutes")),
        "offers": v.offers + offers,
    }


def _answer(v: Visit, outcome: str, when: datetime, worker: str | None = None) -> tuple[Offer, ...]:
    """Offers with the pending ones (of ``worker``, or all) answered with ``outcome``."""
    return tuple(
        replace(o, outcome=outcome, answered_at=when)
        if o.outcome == "pending" and (worker is None or o.worker_id == worker)
        else o
        for o in v.offers
    )


def _visit_confirmed(v: Visit, e: Event) -> dict[str, Any]:
    return {"confirmed_at": e.time, "offers": _answer(v, "confirmed", e.time)}


def _release(v: Visit) -> dict[str, Any]:
    return {
        "workers": (),
        "planned_start": None,
        "planned_end": None,
        "plan": None,
        "match_score": None,
        "travel_minutes": None,
        "confirmed_at": None,
    }


def _visit_declined(v: Visit, e: Event) -> dict[str, Any]:
    worker = e.get("worker_id")
    if worker is None or worker not in v.workers:
        raise v._error(f"worker {worker} declined but was not asked (asked: {';'.join(v.workers)})")
    # The decliner's latest offer (pending, or confirmed before a late withdrawal) is
    # declined; the team-mates' pending offers lapse with the proposal.
    latest = max(i for i, o in enumerate(v.offers) if o.worker_id == worker)
    offers = tuple(
        replace(o, outcome="declined", answered_at=e.time)
        if i == latest
        else (replace(o, outcome="withdrawn", answered_at=e.time) if o.outcome == "pending" else o)
        for i, o in enumerate(v.offers)
    )
    return {
        **_release(v),
        "offers": offers,
        "excluded_workers": append_unique(v.excluded_workers, worker),
    }


def _visit_withdrawn(v: Visit, e: Event) -> dict[str, Any]:
    return {**_release(v), "offers": _answer(v, "withdrawn", e.time)}


def _visit_no_show(v: Visit, e: Event) -> dict[str, Any]:
    missing = split_cell(e.get("worker_ids")) or v.workers
    strangers = [w for w in missing if w not in v.workers]
    if strangers:
        raise v._error(f"no-show of {', '.join(strangers)}, who did not serve it")
    return {
        **_release(v),
        "no_show_workers": append_unique(v.no_show_workers, *missing),
        "excluded_workers": append_unique(v.excluded_workers, *missing),
    }


def _visit_checked_in(v: Visit, e: Event) -> dict[str, Any]:
    late = int_or_none(e.get("minutes_late"))
    if late is None:
        late = max(0, ceil((e.time - v.start).total_seconds() / 60))
    return {
        "checked_in_at": e.time,
        "check_in_lat": float_or_none(e.get("lat")),
        "check_in_lon": float_or_none(e.get("lon")),
        "minutes_late": late,
    }


def _visit_rework_requested(v: Visit, e: Event) -> dict[str, Any]:
    return {"rework_count": v.rework_count + 1, "rework_requested_at": e.time}


def _visit_settled(v: Visit, e: Event) -> dict[str, Any]:
    method = e.get("method")
    amount = money_or_none(e.get("amount"))
    if method is None or amount is None:
        raise v._error("settlement needs a method and an amount (the visit has no price)")
    adjustments = adjustment_lines(e.get("adjustments") or (), e.time)
    price = money_or_none(e.get("price"))
    # Events stored before adjustments existed carry only the amount: it is the price line.
    base = price if price is not None else amount - money_sum(a.amount for a in adjustments)
    lines = [MoneyLine(kind="price", amount=base, time=e.time), *adjustments]
    if money_sum(line.amount for line in lines) != amount or base < 0:
        raise v._error(
            f"settlement lines ({', '.join(f'{x.kind} {x.amount}' for x in lines)}) do not add "
            f"up to the amount {amount}"
        )
    applied = money_or_none(e.get("deposit_applied")) or ZERO
    if applied > amount:
        raise v._error(f"deposit applied {applied} exceeds the amount {amount}")
    return {
        "settled_at": e.time,
        "settlement_method": PaymentMethod(method),
        "settlement_amount": amount,
        "money": (*v.money, *lines),
        "deposit_applied": applied,
        "pay": pay_lines(e.get("pay")),
    }


def _visit_refunded(v: Visit, e: Event) -> dict[str, Any]:
    amount = money_or_none(e.get("amount"))
    if amount is None or amount <= 0:
        raise v._error("a refund needs an amount > 0")
    if amount > v.net_amount:
        raise v._error(f"refund {amount} exceeds what the visit earned, {v.net_amount}")
    line = MoneyLine(kind="refund", amount=-amount, time=e.time, note=str(e.payload["reason"]))
    return {"money": (*v.money, line)}


def _visit_cancelled(v: Visit, e: Event) -> dict[str, Any]:
    fee = money_or_none(e.get("fee")) or ZERO
    money = v.money
    if fee > 0:
        note = str(e.get("reason", ""))
        money = (*money, MoneyLine(kind="cancellation_fee", amount=fee, time=e.time, note=note))
    return {
        **_release(v),
        "offers": _answer(v, "withdrawn", e.time),
        "cancelled_at": e.time,
        "cancel_reason": str(e.get("reason", "")),
        "money": money,
    }


def _visit_rated(v: Visit, e: Event) -> dict[str, Any]:
    worker = e.get("worker_id")
    if worker is None or worker not in v.workers:
        raise v._error(f"rating names worker {worker!r}, who did not serve it")
    if any(r.worker_id == worker for r in v.ratings):
        raise v._error(f"worker {worker} was already rated for this visit")
    rating = Rating(
        worker_id=str(worker),
        stars=int(e.payload["stars"]),
        comment=str(e.get("comment", "")),
        time=e.time,
    )
    return {"ratings": (*v.ratings, rating)}


def _visit_issue_reported(v: Visit, e: Event) -> dict[str, Any]:
    worker = e.get("worker_id")
    if worker is not None and worker not in v.workers:
        raise v._error(f"issue reported by worker {worker}, who does not serve it")
    return {"issues": (*v.issues, (str(e.payload["category"]), str(e.get("text", ""))))}


_VISIT_HANDLERS: dict[str, Callable[[Visit, Event], dict[str, Any]]] = {
    "visit_proposed": _visit_proposed,
    "visit_confirmed": _visit_confirmed,
    "visit_declined": _visit_declined,
    "visit_withdrawn": _visit_withdrawn,
    "visit_no_show": _visit_no_show,
    "visit_checked_in": _visit_checked_in,
    "visit_completed": lambda v, e: {"completed_at": e.time},
    "visit_accepted": lambda v, e: {"accepted_at": e.time},
    "visit_rework_requested": _visit_rework_requested,
    "visit_rework_done": lambda v, e: {"completed_at": e.time},
    "visit_settled": _visit_settled,
    "visit_followed_up": lambda v, e: {
        "followed_up_at": e.time,
        "follow_up_satisfied": e.get("satisfied"),
    },
    "visit_rated": _visit_rated,
    "visit_issue_reported": _visit_issue_reported,
    "visit_cancelled": _visit_cancelled,
    "visit_refunded": _visit_refunded,
}
