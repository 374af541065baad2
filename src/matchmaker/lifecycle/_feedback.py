"""Feedback into matching: one function per rule, each writing its own audit event.

A rule runs after the event that triggers it has been applied, reads the ledger and the
:class:`~matchmaker.lifecycle.OpsPolicy`, and returns the events it derives. Those
events carry ``actor = "rule:<name>"`` and ``rule = <name>`` in the payload, are stored in
the same transaction as their trigger, and are replayed like any other event (rules never
run on replay, so a later policy change does not rewrite history).

=======================  ========================  ============================================
rule                     trigger                   effect (audit event)
=======================  ========================  ============================================
``rating_update``        ``visit_rated``           worker's rating becomes the running mean,
                                                   count + 1 (``worker_rating_updated``)
``complaint_block``      ``complaint_upheld``      the customer blocks the worker
                                                   (``customer_worker_blocked``)
``complaint_suspension`` ``complaint_upheld``      N upheld complaints within D days suspend
                                                   the worker (``worker_suspended``, with the
                                                   complaint ids)
``rework_visit``         ``visit_rework_requested`` a rework visit within H hours, pinned to
                                                   the same worker by default
                                                   (``visit_created`` with ``rework_of``)
``rework_completion``    ``visit_completed``       completing a rework visit returns the
                         (of a rework visit)       original to ``completed``
                                                   (``visit_rework_done``)
``recurring_expansion``  ``order_contracted``      a contract with a schedule expands into its
                         (with a schedule)         visits (``visit_created`` each)
``order_cancellation``   ``order_cancelled``       the order's visits not yet served are
                                                   cancelled (``visit_cancelled`` each)
``settlement_on_``       ``visit_accepted``        with ``settle_on_acceptance``, a visit with
``acceptance``                                     a price is settled at it (``visit_settled``)
=======================  ========================  ============================================

The rules of the process steps (``assessment_dispatch``, ``replacement_reoffer``,
``schedule_pause``, ``schedule_resume``, ``schedule_amendment``, ``order_progress``) are
in :mod:`matchmaker.lifecycle._steps_rules`.

Rules that need no derived event, because the trigger is its own audit record:
``decline_exclusion`` (``visit_declined`` and ``visit_no_show`` add the worker to the
visit's ``excluded_workers``), ``punctuality`` (``visit_checked_in`` records
``minutes_late`` against the planned start; analytics reads it) and ``continuity``
(served visits put their workers into the customer's ``previous_workers`` on export).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._events import Event, make_event
from matchmaker.lifecycle._ledger import Ledger
from matchmaker.lifecycle._money import contract_prices
from matchmaker.lifecycle._policy import OpsPolicy
from matchmaker.lifecycle._recurring import Recurrence, VisitTemplate, expand
from matchmaker.lifecycle._states import ComplaintState, VisitState, WorkerState
from matchmaker.lifecycle._steps_rules import STEP_RULES
from matchmaker.lifecycle._visit import Visit

__all__ = [
    "RULES",
    "Rule",
    "complaint_block",
    "complaint_suspension",
    "derive",
    "order_cancellation",
    "rating_update",
    "recurring_expansion",
    "rework_completion",
    "rework_visit",
    "settlement_on_acceptance",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    name: str
    trigger: str
    apply: Callable[[Ledger, Event, OpsPolicy], list[Event]]


def _derived(rule: str, kind: str, entity: str, cause: Event, **payload: Any) -> Event:
    return make_event(kind, entity, time=cause.time, actor=f"rule:{rule}", rule=rule, **payload)


def rating_update(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """The rated worker's rating becomes the mean of all ratings, and the count grows by one."""
    if not policy.update_ratings:
        return []
    worker = ledger.workers[str(event.payload["worker_id"])]
    stars = int(event.payload["stars"])
    count = worker.rating_count if worker.rating is not None else 0
    rating = (worker.rating or 0.0) * count
    new_rating = round((rating + stars) / (count + 1), 4)
    return [
        _derived(
            "rating_update",
            "worker_rating_updated",
            worker.worker_id,
            event,
            rating=new_rating,
            rating_count=worker.rating_count + 1,
            visit_id=event.entity_id,
            stars=stars,
        )
    ]


def complaint_block(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """An upheld complaint makes the customer block the worker it names."""
    if not policy.block_on_upheld_complaint:
        return []
    complaint = ledger.complaints[event.entity_id]
    customer = ledger.customers.get(complaint.customer_id)
    if customer is None or complaint.worker_id in customer.blocked_workers:
        return []
    return [
        _derived(
            "complaint_block",
            "customer_worker_blocked",
            customer.customer_id,
            event,
            worker_id=complaint.worker_id,
            complaint_id=complaint.complaint_id,
            reason=f"complaint {complaint.complaint_id} upheld ({complaint.category})",
        )
    ]


def complaint_suspension(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """N upheld complaints against a worker within D days suspend the worker."""
    complaint = ledger.complaints[event.entity_id]
    worker = ledger.workers.get(complaint.worker_id)
    if worker is None or worker.state is WorkerState.SUSPENDED:
        return []
    since = event.time - timedelta(days=policy.suspension_window_days)
    upheld = sorted(
        (
            c
            for c in ledger.complaints.values()
            if c.worker_id == worker.worker_id
            and c.state is ComplaintState.UPHELD
            and c.resolved_at is not None
            and since < c.resolved_at <= event.time
        ),
        key=lambda c: (c.resolved_at, c.complaint_id),
    )
    if len(upheld) < policy.suspension_complaints:
        return []
    ids = [c.complaint_id for c in upheld]
    return [
        _derived(
            "complaint_suspension",
            "worker_suspended",
            worker.worker_id,
            event,
            complaint_ids=ids,
            window_days=policy.suspension_window_days,
            reason=f"{len(ids)} upheld complaints within {policy.suspension_window_days} days",
        )
    ]


def _rework_id(ledger: Ledger, visit: Visit) -> str:
    number = visit.rework_count
    while f"{visit.visit_id}-R{number}" in ledger.visits:
        number += 1
    return f"{visit.visit_id}-R{number}"


def rework_visit(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """Rework not fixed on the spot becomes a visit starting within H hours of the request.

    It goes to the same worker(s) (``pinned_worker_id``) when the policy says so and they
    are still active and not blocked by the customer; otherwise it is dispatched freely.
    """
    if event.get("on_site"):
        return []
    visit = ledger.visits[event.entity_id]
    customer = ledger.customers.get(visit.job.customer_id)
    blocked = customer.blocked_workers if customer is not None else ()
    same = policy.rework_same_worker and all(
        w in ledger.workers and ledger.workers[w].state is WorkerState.ACTIVE and w not in blocked
        for w in visit.workers
    )
    duration = int(event.get("duration_minutes") or visit.job.duration_minutes)
    job = replace(
        visit.job.unlinked(),
        earliest_start=event.time,
        latest_start=event.time + timedelta(hours=policy.rework_within_hours),
        duration_minutes=duration,
        priority=policy.rework_priority,
        price=Decimal("0.00"),
    )
    return [
        _derived(
            "rework_visit",
            "visit_created",
            _rework_id(ledger, visit),
            event,
            **job.to_payload(),
            rework_of=visit.visit_id,
            pinned_worker_id=list(visit.workers) if same else [],
        )
    ]


def rework_completion(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """Completing a rework visit returns the original visit to ``completed``."""
    visit = ledger.visits[event.entity_id]
    if visit.rework_of is None:
        return []
    original = ledger.visits.get(visit.rework_of)
    if original is None or original.state is not VisitState.REWORK:
        return []
    return [
        _derived(
            "rework_completion",
            "visit_rework_done",
            original.visit_id,
            event,
            rework_visit_id=visit.visit_id,
        )
    ]


def recurring_expansion(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """A contract with a schedule expands into one visit per occurrence."""
    schedule = event.get("schedule")
    template = event.get("visit")
    if schedule is None or template is None:
        return []
    order = ledger.orders[event.entity_id]
    jobs = contract_prices(
        order,
        expand(
            Recurrence.from_payload(schedule),
            VisitTemplate.from_payload(template),
            order_id=order.order_id,
            customer_id=order.customer_id,
            service_type=order.service_type,
        ),
    )
    return [
        _derived("recurring_expansion", "visit_created", visit_id, event, **job.to_payload())
        for visit_id, job in jobs
        if visit_id not in ledger.visits
    ]


def order_cancellation(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """Cancelling an order cancels its visits that have not been served yet."""
    open_states = (
        VisitState.UNASSIGNED,
        VisitState.PROPOSED,
        VisitState.CONFIRMED,
        VisitState.NO_SHOW,
    )
    return [
        _derived(
            "order_cancellation",
            "visit_cancelled",
            visit.visit_id,
            event,
            reason=f"order {event.entity_id} cancelled: {event.get('reason', '')}",
        )
        for visit in sorted(ledger.visits.values(), key=lambda v: v.visit_id)
        if visit.job.order_id == event.entity_id and visit.state in open_states
    ]


def settlement_on_acceptance(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """With ``settle_on_acceptance``, an accepted visit with a price is settled at it."""
    visit = ledger.visits[event.entity_id]
    if not policy.settle_on_acceptance or visit.job.price is None:
        return []
    return [_derived("settlement_on_acceptance", "visit_settled", visit.visit_id, event)]


RULES: tuple[Rule, ...] = (
    Rule(name="rating_update", trigger="visit_rated", apply=rating_update),
    Rule(name="complaint_block", trigger="complaint_upheld", apply=complaint_block),
    Rule(name="complaint_suspension", trigger="complaint_upheld", apply=complaint_suspension),
    Rule(name="rework_visit", trigger="visit_rework_requested", apply=rework_visit),
    Rule(name="rework_completion", trigger="visit_completed", apply=rework_completion),
    Rule(name="recurring_expansion", trigger="order_contracted", apply=recurring_expansion),
    Rule(name="order_cancellation", trigger="order_cancelled", apply=order_cancellation),
    # The process steps (assessment, replacement, schedule changes, order progress).
    *(Rule(name=name, trigger=trigger, apply=rule) for name, trigger, rule in STEP_RULES),
    Rule(
        name="settlement_on_acceptance",
        trigger="visit_accepted",
        apply=settlement_on_acceptance,
    ),
)
"""Every rule that derives events, in the order they run for one trigger."""


def derive(ledger: Ledger, event: Event, policy: OpsPolicy) -> list[Event]:
    """The events the rules derive from ``event`` (already applied to ``ledger``)."""
    derived: list[Event] = []
    for rule in RULES:
        if rule.trigger == event.kind:
            derived.extend(rule.apply(ledger, event, policy))
    return derived
