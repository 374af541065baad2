"""The rules of the process steps: each derives its own audit events (``rule:<name>``).

=======================  ================================  ==================================
rule                     trigger                           effect (audit events)
=======================  ================================  ==================================
``assessment_dispatch``  ``assessment_scheduled`` with a   an assessment visit
                         ``visit``                         ``<order>-assessment-N`` to
                                                           dispatch (``visit_created``,
                                                           ``assessment``); a reschedule
                                                           cancels the open one first
``replacement_reoffer``  ``customer_replacement_requested`` the customer's proposed or
                                                           confirmed visits with that worker
                                                           are withdrawn (``visit_withdrawn``)
                                                           and dispatched again without them
``schedule_pause``       ``order_schedule_paused``         the schedule's visits not served
                                                           in the pause are cancelled
``schedule_resume``      ``order_schedule_resumed``        the paused occurrences from the
                                                           resumption on are created again
``schedule_amendment``   ``order_schedule_amended``        from ``effective_from`` on, visits
                                                           not served that the new schedule
                                                           does not ask for exactly are
                                                           cancelled, the new ones created
``order_progress``       ``visit_checked_in``,             a contracted order starts with its
                         ``visit_settled``,                first served visit
                         ``visit_cancelled``               (``order_started``) and completes
                                                           when its last visit is settled
                                                           (``order_completed``)
=======================  ================================  ==================================

**Order state from its visits** (``order_progress``, on unless
``OpsPolicy.derive_order_state`` is false): the order's service visits are its visits
that are neither rework nor assessment visits. A *contracted* order becomes *active* when
one of them is checked in. An *active* order becomes *completed* when every one of them
is settled, followed up or cancelled, at least one was settled, and its schedule is not
paused open-ended (a resumption would add visits). Closing stays a decision
(``order_closed``). Recording ``order_started`` / ``order_completed`` by hand is still
allowed while the order is in the state before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from matchmaker.lifecycle._entity_base import parse_time
from matchmaker.lifecycle._events import Event, make_event
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._schedule import local_day, occurrences
from matchmaker.lifecycle._states import OrderState, VisitState
from matchmaker.lifecycle._steps_ledger import (
    assessment_visits,
    scheduled_visits,
    visits_of_order,
)
from matchmaker.lifecycle._visit import JobSpec, Visit
from matchmaker.model import add_minutes

__all__ = [
    "STEP_RULES",
    "assessment_dispatch",
    "order_progress",
    "replacement_reoffer",
    "schedule_amendment",
    "schedule_pause",
    "schedule_resume",
]

_NOT_SERVED = (VisitState.UNASSIGNED, VisitState.PROPOSED, VisitState.CONFIRMED, VisitState.NO_SHOW)
"""The states ``visit_cancelled`` is allowed in: the visit has not taken place."""

_DONE = (VisitState.SETTLED, VisitState.FOLLOWED_UP)


def _derived(rule: str, kind: str, entity: str, cause: Event, **payload: Any) -> Event:
    return make_event(kind, entity, time=cause.time, actor=f"rule:{rule}", rule=rule, **payload)


def _free_id(ledger: Ledger, base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in ledger.visits or candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _cancel(rule: str, visits: list[Visit], cause: Event, reason: str) -> list[Event]:
    return [
        _derived(rule, "visit_cancelled", v.visit_id, cause, reason=reason)
        for v in visits
        if v.state in _NOT_SERVED
    ]


def assessment_dispatch(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """An assessment with a ``visit`` becomes a visit to dispatch like any job."""
    spec = event.get("visit")
    if spec is None:
        return []
    order = ledger.orders[event.entity_id]
    customer = ledger.customers.get(order.customer_id)
    start = parse_time(event.payload["at"])
    lat, lon = spec.get("lat"), spec.get("lon")
    if lat is None and customer is not None:
        lat, lon = customer.lat, customer.lon
    job = JobSpec(
        order_id=order.order_id,
        customer_id=order.customer_id,
        service_type=str(spec.get("service_type") or "assessment"),
        lat=lat,
        lon=lon,
        earliest_start=start,
        latest_start=add_minutes(start, int(spec.get("window_minutes") or 0)),
        duration_minutes=int(spec["duration_minutes"]),
        required_skills=str(spec.get("required_skills") or ""),
        language_required=tuple(spec.get("language_required") or ()),
        gender_required=spec.get("gender_required"),
        priority=int(spec.get("priority") or 4),
        needs_car=bool(spec.get("needs_car")),
    )
    earlier = assessment_visits(ledger, order.order_id)
    number = sum(v.assessment for v in visits_of_order(ledger, order.order_id)) + 1
    visit_id = _free_id(ledger, f"{order.order_id}-assessment-{number}", set())
    created = _derived(
        "assessment_dispatch",
        "visit_created",
        visit_id,
        event,
        **job.to_payload(),
        assessment=True,
        pinned_worker_id=list(spec.get("assessor_id") or []),
    )
    cancelled = _cancel(
        "assessment_dispatch", earlier, event, f"assessment of {order.order_id} rescheduled"
    )
    return [*cancelled, created]


def replacement_reoffer(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """The customer's visits proposed to or confirmed by the replaced worker go back to
    dispatch; the customer's block keeps the worker out of them from now on."""
    worker = str(event.payload["worker_id"])
    customer = event.entity_id
    hit = sorted(
        (
            v
            for v in ledger.visits.values()
            if v.job.customer_id == customer
            and worker in v.workers
            and v.state in (VisitState.PROPOSED, VisitState.CONFIRMED)
        ),
        key=lambda v: (v.start, v.visit_id),
    )
    return [
        _derived(
            "replacement_reoffer",
            "visit_withdrawn",
            v.visit_id,
            event,
            reason=f"customer {customer} asked to replace worker {worker}",
        )
        for v in hit
    ]


def _timezone(order: Order) -> str:
    assert order.schedule is not None  # the order's apply checked it
    return str(order.schedule["timezone"])


def _day(visit: Visit, timezone: str) -> date:
    return local_day(visit.job.earliest_start, timezone)


def schedule_pause(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """No visit of the schedule takes place in the pause."""
    order = ledger.orders[event.entity_id]
    zone = _timezone(order)
    first = date.fromisoformat(str(event.payload["from_date"]))
    until = event.get("until_date")
    last = date.max if until is None else date.fromisoformat(str(until))
    inside = [v for v in scheduled_visits(ledger, order.order_id) if first <= _day(v, zone) <= last]
    shown = "until resumed" if until is None else f"to {until}"
    reason = f"schedule of {order.order_id} paused from {first.isoformat()} {shown}"
    return _cancel("schedule_pause", inside, event, reason)


def _create(
    rule: str, ledger: Ledger, jobs: list[tuple[str, JobSpec]], cause: Event
) -> list[Event]:
    taken: set[str] = set()
    return [
        _derived(rule, "visit_created", _free_id(ledger, base, taken), cause, **job.to_payload())
        for base, job in jobs
    ]


def schedule_resume(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """The occurrences the pause had dropped, from the resumption on, come back."""
    order = ledger.orders[event.entity_id]
    if order.last_resumed is None:
        return []
    zone = _timezone(order)
    first = date.fromisoformat(str(event.payload["from_date"]))
    last = order.last_resumed[1]
    live = {
        v.job.earliest_start
        for v in scheduled_visits(ledger, order.order_id)
        if v.state is not VisitState.CANCELLED
    }
    jobs = [
        (base, job)
        for base, job in occurrences(order, first=first, last=last)
        if job.earliest_start not in live and local_day(job.earliest_start, zone) >= first
    ]
    return _create("schedule_resume", ledger, jobs, event)


def schedule_amendment(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """From ``effective_from`` on the visits follow the new schedule; earlier ones stay."""
    order = ledger.orders[event.entity_id]
    zone = _timezone(order)
    first = date.fromisoformat(str(event.payload["effective_from"]))
    wanted = occurrences(order, first=first)
    ahead = [v for v in scheduled_visits(ledger, order.order_id) if _day(v, zone) >= first]
    served_days = {
        _day(v, zone) for v in ahead if v.state not in (*_NOT_SERVED, VisitState.CANCELLED)
    }
    kept: set[str] = set()
    to_create = []
    for base, job in wanted:
        if local_day(job.earliest_start, zone) in served_days:
            continue
        same = next(
            (
                v
                for v in ahead
                if v.state in _NOT_SERVED and v.visit_id not in kept and v.job == job
            ),
            None,
        )
        if same is not None:
            kept.add(same.visit_id)
        else:
            to_create.append((base, job))
    dropped = [v for v in ahead if v.visit_id not in kept]
    reason = f"schedule of {order.order_id} amended from {first.isoformat()}"
    # Created before cancelled, so the order never looks finished in between.
    created = _create("schedule_amendment", ledger, to_create, event)
    return [*created, *_cancel("schedule_amendment", dropped, event, reason)]


def order_progress(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """The order's state follows its service visits (see the module docstring)."""
    if not policy.derive_order_state:
        return []
    visit = ledger.visits[event.entity_id]
    order = ledger.orders.get(visit.job.order_id)
    if order is None or visit.assessment or visit.rework_of is not None:
        return []
    if event.kind == "visit_checked_in":
        if order.state is OrderState.CONTRACTED:
            return [
                _derived(
                    "order_progress",
                    "order_started",
                    order.order_id,
                    event,
                    note=f"visit {visit.visit_id} checked in",
                )
            ]
        return []
    if order.state is not OrderState.ACTIVE:
        return []
    if any(end is None for _start, end in order.pauses):
        return []
    visits = scheduled_visits(ledger, order.order_id)
    if not all(v.state in (*_DONE, VisitState.CANCELLED) for v in visits):
        return []
    if not any(v.state in _DONE for v in visits):
        return []
    return [
        _derived(
            "order_progress",
            "order_completed",
            order.order_id,
            event,
            note=f"its last visit {visit.visit_id} is {visit.state}",
        )
    ]


StepRule = Callable[[Ledger, Event, OpsPolicy], list[Event]]

STEP_RULES: tuple[tuple[str, str, StepRule], ...] = (
    ("assessment_dispatch", "assessment_scheduled", assessment_dispatch),
    ("replacement_reoffer", "customer_replacement_requested", replacement_reoffer),
    ("schedule_pause", "order_schedule_paused", schedule_pause),
    ("schedule_resume", "order_schedule_resumed", schedule_resume),
    ("schedule_amendment", "order_schedule_amended", schedule_amendment),
    ("order_progress", "visit_checked_in", order_progress),
    ("order_progress", "visit_settled", order_progress),
    ("order_progress", "visit_cancelled", order_progress),
)
"""``(name, trigger, function)`` of each step rule; ``_feedback.RULES`` includes them."""
