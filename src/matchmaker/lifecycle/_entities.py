"""The lifecycle entities as frozen dataclasses: orders, visits, complaints, workers, customers.

Each entity has ``apply(event) -> new entity``: the transition table of
:mod:`matchmaker.lifecycle._states` decides the next state (an illegal pair raises
:class:`~matchmaker.model.InvalidTransition`), and one small handler per event kind
sets the fields the event carries. A payload that contradicts the entity (declining a
visit the worker was never asked for, rating a worker who did not serve it) raises
:class:`~matchmaker.model.LifecycleError`. Entities are immutable, so a failed apply
changes nothing. ``create(event)`` builds an entity from its creating event.

Payloads are read as the store holds them (JSON values; times as ISO strings, money as
decimal strings), so live application and replay go through the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from math import ceil
from typing import Any, TypeVar

from matchmaker.lifecycle._events import Event, normalize_time
from matchmaker.lifecycle._pricing import PaymentMethod, Quote, QuoteLine
from matchmaker.lifecycle._states import (
    COMPLAINT_TABLE,
    CUSTOMER_TABLE,
    NEW,
    ORDER_TABLE,
    VISIT_TABLE,
    WORKER_TABLE,
    ComplaintState,
    CustomerState,
    EntityType,
    OrderState,
    VisitState,
    WorkerState,
)
from matchmaker.model import LifecycleError

__all__ = [
    "Complaint",
    "CustomerRecord",
    "Entity",
    "JobSpec",
    "Offer",
    "Order",
    "Rating",
    "Visit",
    "WorkerRecord",
    "apply",
    "create",
    "parse_time",
    "split_cell",
]


E = TypeVar("E", "Order", "Visit", "Complaint", "WorkerRecord", "CustomerRecord")


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    return normalize_time(datetime.fromisoformat(str(value)))


def parse_time(value: Any) -> datetime:
    moment = _time(value)
    if moment is None:
        raise LifecycleError("a required time is missing")
    return moment


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def split_cell(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(p.strip() for p in value.split(";") if p.strip())
    return tuple(str(v) for v in value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _evolve(entity: E, **changes: Any) -> E:
    """``dataclasses.replace`` without re-running ``__init__``: the changes come from a
    handler that already checked them, and replay applies thousands of them."""
    new = object.__new__(type(entity))
    new.__dict__.update(entity.__dict__)
    new.__dict__.update(changes)
    return new


def _append_unique(items: tuple[str, ...], *new: str) -> tuple[str, ...]:
    out = list(items)
    for item in new:
        if item not in out:
            out.append(item)
    return tuple(out)


# --- order ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Order:
    """A customer's contract, from inquiry to closing."""

    order_id: str
    state: OrderState
    customer_id: str
    service_type: str
    created_at: datetime
    note: str = ""
    assessment_at: datetime | None = None
    assessed_at: datetime | None = None
    quote: Quote | None = None
    quoted_at: datetime | None = None
    contracted_at: datetime | None = None
    payment_method: PaymentMethod = PaymentMethod.ONLINE
    schedule: Mapping[str, Any] | None = None
    visit_template: Mapping[str, Any] | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @classmethod
    def create(cls, event: Event) -> Order:
        state = ORDER_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        return cls(
            order_id=event.entity_id,
            state=OrderState(state),
            customer_id=str(event.payload["customer_id"]),
            service_type=str(event.payload["service_type"]),
            created_at=event.time,
            note=str(event.get("note", "")),
        )

    def apply(self, event: Event) -> Order:
        state = ORDER_TABLE.target(self.state, event.kind, entity_id=self.order_id)
        changes = _ORDER_HANDLERS[event.kind](self, event)
        return _evolve(self, state=OrderState(state), **changes)


def _quote_from(payload: Mapping[str, Any]) -> Quote | None:
    currency = str(payload.get("currency") or "CNY")
    lines = tuple(
        QuoteLine(
            description=str(line["description"]),
            quantity=Decimal(str(line["quantity"])),
            unit=str(line["unit"]),
            unit_price=Decimal(str(line["unit_price"])),
            amount=Decimal(str(line["amount"])),
        )
        for line in payload.get("lines") or ()
    )
    total = _money(payload.get("total"))
    if not lines and total is not None:
        lines = (
            QuoteLine(
                description="quoted total",
                quantity=Decimal(1),
                unit="order",
                unit_price=total,
                amount=total,
            ),
        )
    return Quote(lines=lines, currency=currency) if lines else None


_ORDER_HANDLERS: dict[str, Callable[[Order, Event], dict[str, Any]]] = {
    "assessment_scheduled": lambda o, e: {"assessment_at": _time(e.payload["at"])},
    "order_assessed": lambda o, e: {"assessed_at": e.time},
    "order_quoted": lambda o, e: {"quote": _quote_from(e.payload), "quoted_at": e.time},
    "order_contracted": lambda o, e: {
        "contracted_at": e.time,
        "payment_method": PaymentMethod(e.get("payment_method") or "online"),
        "schedule": e.get("schedule"),
        "visit_template": e.get("visit"),
    },
    "order_started": lambda o, e: {"started_at": e.time},
    "order_completed": lambda o, e: {"completed_at": e.time},
    "order_closed": lambda o, e: {"closed_at": e.time},
    "order_cancelled": lambda o, e: {
        "cancelled_at": e.time,
        "cancel_reason": str(e.payload["reason"]),
    },
}


# --- visit ----------------------------------------------------------------------------------


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
    price: Decimal | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> JobSpec:
        return cls(
            order_id=str(payload.get("order_id") or ""),
            customer_id=str(payload["customer_id"]),
            service_type=str(payload["service_type"]),
            lat=_float(payload.get("lat")),
            lon=_float(payload.get("lon")),
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
            price=_money(payload.get("price")),
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
            "price": None if self.price is None else str(self.price),
        }


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
        )

    def apply(self, event: Event) -> Visit:
        state = VISIT_TABLE.target(self.state, event.kind, entity_id=self.visit_id)
        changes = _VISIT_HANDLERS[event.kind](self, event)
        return _evolve(self, state=VisitState(state), **changes)

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
    end = _time(e.get("end"))
    offers = tuple(Offer(worker_id=w, proposed_at=e.time) for w in workers)
    return {
        "workers": workers,
        "planned_start": start,
        "planned_end": end,
        "plan": e.get("plan"),
        "match_score": _float(e.get("match_score")),
        "travel_minutes": _int(e.get("travel_minutes")),
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
        "excluded_workers": _append_unique(v.excluded_workers, worker),
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
        "no_show_workers": _append_unique(v.no_show_workers, *missing),
        "excluded_workers": _append_unique(v.excluded_workers, *missing),
    }


def _visit_checked_in(v: Visit, e: Event) -> dict[str, Any]:
    late = _int(e.get("minutes_late"))
    if late is None:
        late = max(0, ceil((e.time - v.start).total_seconds() / 60))
    return {
        "checked_in_at": e.time,
        "check_in_lat": _float(e.get("lat")),
        "check_in_lon": _float(e.get("lon")),
        "minutes_late": late,
    }


def _visit_rework_requested(v: Visit, e: Event) -> dict[str, Any]:
    return {"rework_count": v.rework_count + 1, "rework_requested_at": e.time}


def _visit_settled(v: Visit, e: Event) -> dict[str, Any]:
    method = e.get("method")
    amount = _money(e.get("amount"))
    if method is None or amount is None:
        raise v._error("settlement needs a method and an amount (the visit has no price)")
    return {
        "settled_at": e.time,
        "settlement_method": PaymentMethod(method),
        "settlement_amount": amount,
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
    "visit_cancelled": lambda v, e: {
        **_release(v),
        "offers": _answer(v, "withdrawn", e.time),
        "cancelled_at": e.time,
        "cancel_reason": str(e.get("reason", "")),
    },
}


# --- complaint ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Complaint:
    """A customer's complaint about one visit and one worker."""

    complaint_id: str
    state: ComplaintState
    visit_id: str
    worker_id: str
    customer_id: str
    service_type: str
    category: str
    description: str
    opened_at: datetime
    investigation_started_at: datetime | None = None
    resolved_at: datetime | None = None
    resolution: str = ""

    @classmethod
    def create(cls, event: Event) -> Complaint:
        state = COMPLAINT_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        missing = [k for k in ("worker_id", "customer_id", "service_type") if not event.get(k)]
        if missing:
            raise LifecycleError(f"complaint {event.entity_id}: {', '.join(missing)} missing")
        return cls(
            complaint_id=event.entity_id,
            state=ComplaintState(state),
            visit_id=str(event.payload["visit_id"]),
            worker_id=str(event.payload["worker_id"]),
            customer_id=str(event.payload["customer_id"]),
            service_type=str(event.payload["service_type"]),
            category=str(event.payload["category"]),
            description=str(event.get("description", "")),
            opened_at=event.time,
        )

    def apply(self, event: Event) -> Complaint:
        state = COMPLAINT_TABLE.target(self.state, event.kind, entity_id=self.complaint_id)
        if event.kind == "complaint_investigation_started":
            changes: dict[str, Any] = {"investigation_started_at": event.time}
        else:
            changes = {"resolved_at": event.time, "resolution": str(event.get("resolution", ""))}
        return _evolve(self, state=ComplaintState(state), **changes)


# --- worker ---------------------------------------------------------------------------------

_PROFILE_FIELDS = (
    "name",
    "gender",
    "languages",
    "skills",
    "experience_years",
    "certificates",
    "background_check",
    "background_check_expires",
    "rating",
    "rating_count",
    "home_lat",
    "home_lon",
    "shift_start",
    "shift_end",
    "max_jobs",
    "max_work_minutes",
    "travel_mode",
)


def _profile(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Worker fields from a registration or update payload (only the keys present)."""
    out: dict[str, Any] = {}
    for name in _PROFILE_FIELDS:
        if name not in payload:
            continue
        value = payload[name]
        if name == "languages":
            value = split_cell(value)
        elif name in ("skills", "certificates", "name"):
            value = "" if value is None else str(value)
        elif name in ("experience_years", "home_lat", "home_lon"):
            value = float(value) if value is not None else 0.0
        elif name == "rating":
            value = _float(value)
        elif name == "rating_count":
            value = int(value or 0)
        elif name in ("max_jobs", "max_work_minutes"):
            value = _int(value)
        out[name] = value
    return out


@dataclass(frozen=True, kw_only=True)
class WorkerRecord:
    """A worker with the dataset contract's columns; ``state`` is the contract's ``status``."""

    worker_id: str
    state: WorkerState
    gender: str
    home_lat: float
    home_lon: float
    registered_at: datetime
    name: str = ""
    languages: tuple[str, ...] = ()
    skills: str = ""
    experience_years: float = 0.0
    certificates: str = ""
    background_check: str = "pending"
    background_check_expires: str | None = None
    rating: float | None = None
    rating_count: int = 0
    shift_start: str | None = None
    shift_end: str | None = None
    max_jobs: int | None = None
    max_work_minutes: int | None = None
    travel_mode: str = "transit"
    availability: tuple[tuple[datetime, datetime], ...] = ()
    status_reason: str = ""
    status_changed_at: datetime | None = None

    @classmethod
    def create(cls, event: Event) -> WorkerRecord:
        state = WORKER_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        return cls(
            worker_id=event.entity_id,
            state=WorkerState(state),
            registered_at=event.time,
            **_profile(event.payload),
        )

    def apply(self, event: Event) -> WorkerRecord:
        state = WORKER_TABLE.target(self.state, event.kind, entity_id=self.worker_id)
        changes: dict[str, Any]
        if event.kind == "worker_updated":
            changes = _profile(event.payload)
        elif event.kind == "worker_availability_set":
            changes = {
                "availability": tuple(
                    (parse_time(s["start"]), parse_time(s["end"])) for s in event.payload["shifts"]
                )
            }
        elif event.kind == "worker_rating_updated":
            changes = {
                "rating": float(event.payload["rating"]),
                "rating_count": int(event.payload["rating_count"]),
            }
        else:
            changes = {
                "status_reason": str(event.get("reason", "")),
                "status_changed_at": event.time,
            }
        return _evolve(self, state=WorkerState(state), **changes)

    @property
    def status(self) -> str:
        return self.state.value


# --- customer -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CustomerRecord:
    """A customer with the dataset contract's columns."""

    customer_id: str
    state: CustomerState
    registered_at: datetime
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    preferred_gender: str | None = None
    preferred_languages: tuple[str, ...] = ()
    preferred_workers: tuple[str, ...] = ()
    blocked_workers: tuple[str, ...] = ()
    previous_workers: tuple[str, ...] = ()
    """Workers who served the customer before the store knew of it, most recent first."""

    @classmethod
    def create(cls, event: Event) -> CustomerRecord:
        state = CUSTOMER_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        p = event.payload
        return cls(
            customer_id=event.entity_id,
            state=CustomerState(state),
            registered_at=event.time,
            name=str(p.get("name") or ""),
            lat=_float(p.get("lat")),
            lon=_float(p.get("lon")),
            preferred_gender=p.get("preferred_gender"),
            preferred_languages=split_cell(p.get("preferred_languages")),
            preferred_workers=split_cell(p.get("preferred_workers")),
            blocked_workers=split_cell(p.get("blocked_workers")),
            previous_workers=split_cell(p.get("previous_workers")),
        )

    def apply(self, event: Event) -> CustomerRecord:
        state = CUSTOMER_TABLE.target(self.state, event.kind, entity_id=self.customer_id)
        p = event.payload
        changes: dict[str, Any] = {}
        if event.kind == "customer_updated":
            for name in ("name", "preferred_gender"):
                if name in p:
                    changes[name] = p[name] if p[name] is not None or name != "name" else ""
            for name in ("lat", "lon"):
                if name in p:
                    changes[name] = _float(p[name])
            for name in ("preferred_languages", "preferred_workers"):
                if name in p:
                    changes[name] = split_cell(p[name])
        elif event.kind == "customer_worker_blocked":
            changes["blocked_workers"] = _append_unique(self.blocked_workers, str(p["worker_id"]))
        else:
            worker = str(p["worker_id"])
            changes["blocked_workers"] = tuple(w for w in self.blocked_workers if w != worker)
        return _evolve(self, state=CustomerState(state), **changes)


# --- any entity -----------------------------------------------------------------------------

Entity = Order | Visit | Complaint | WorkerRecord | CustomerRecord

_CREATORS: dict[EntityType, Callable[[Event], Entity]] = {
    EntityType.ORDER: Order.create,
    EntityType.VISIT: Visit.create,
    EntityType.COMPLAINT: Complaint.create,
    EntityType.WORKER: WorkerRecord.create,
    EntityType.CUSTOMER: CustomerRecord.create,
}


def create(event: Event) -> Entity:
    """The entity an event creates; raises ``InvalidTransition`` for a non-creating kind."""
    return _CREATORS[event.entity_type](event)


def apply(entity: Entity | None, event: Event) -> Entity:
    """The entity after ``event`` (``entity`` is ``None`` before it exists).

    Raises ``InvalidTransition`` for an event its state does not allow, and
    ``LifecycleError`` for a payload that contradicts it; ``entity`` is never changed.
    """
    if entity is None:
        return create(event)
    return entity.apply(event)
