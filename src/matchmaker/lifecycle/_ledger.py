"""The ledger: the current state of every entity, rebuilt by replaying the events.

A :class:`Ledger` holds the frozen entities by id and each entity's version (the number
of its events). :meth:`Ledger.apply` checks what one entity cannot check alone (the
customer of a visit is registered, a proposed worker is active and not blocked by the
customer, a complaint names a worker who served the visit), then applies the event to the
entity; on any error nothing changes. :meth:`Ledger.resolve` fills the defaults an input
event may leave out (the only worker of a visit, the order's payment method, the visit's
price, the minutes late of a check-in), so the stored event is explicit and replay needs
no guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from math import ceil
from typing import Any

from matchmaker.lifecycle import _entities as entities
from matchmaker.lifecycle._complaint import Complaint
from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._entities import Entity
from matchmaker.lifecycle._entity_base import parse_time, split_cell
from matchmaker.lifecycle._events import EntityKey, Event, StoredEvent
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._placement import PlacementRecord
from matchmaker.lifecycle._states import (
    NEW,
    EntityType,
    OrderState,
    WorkerState,
    table_for,
)
from matchmaker.lifecycle._steps_ledger import check_step, resolve_step
from matchmaker.lifecycle._visit import Visit
from matchmaker.lifecycle._worker import WorkerRecord
from matchmaker.model import LifecycleError, add_minutes

__all__ = ["Ledger"]


class Ledger:
    """Every entity's current state, and its version (count of its events)."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.visits: dict[str, Visit] = {}
        self.complaints: dict[str, Complaint] = {}
        self.workers: dict[str, WorkerRecord] = {}
        self.customers: dict[str, CustomerRecord] = {}
        self.placements: dict[str, PlacementRecord] = {}
        self.versions: dict[EntityKey, int] = {}
        self.created: dict[EntityKey, tuple[datetime, str]] = {}
        """Per entity, the time and kind of its creating event."""
        self.latest: dict[EntityKey, tuple[datetime, str]] = {}
        """Per entity, the time and kind of its latest event that changed its state."""
        self.position = 0
        """Store position of the last event applied (0 for a ledger not read from a store)."""

    @classmethod
    def replay(cls, events: Iterable[Event | StoredEvent]) -> Ledger:
        """The state after ``events``, applied in order."""
        ledger = cls()
        ledger.extend(events)
        return ledger

    def extend(self, events: Iterable[Event | StoredEvent]) -> None:
        """Apply ``events`` in order (stored events also move :attr:`position` on)."""
        for item in events:
            if isinstance(item, StoredEvent):
                self.apply(item.event)
                self.position = item.position
            else:
                self.apply(item)

    def copy(self) -> Ledger:
        """An independent ledger with the same state (entities are immutable and shared)."""
        other = Ledger()
        other.orders = dict(self.orders)
        other.visits = dict(self.visits)
        other.complaints = dict(self.complaints)
        other.workers = dict(self.workers)
        other.customers = dict(self.customers)
        other.placements = dict(self.placements)
        other.versions = dict(self.versions)
        other.created = dict(self.created)
        other.latest = dict(self.latest)
        other.position = self.position
        return other

    def snapshot(self) -> dict[str, Any]:
        """The whole state as plain data, for comparing two ledgers."""
        return {
            "orders": dict(self.orders),
            "visits": dict(self.visits),
            "complaints": dict(self.complaints),
            "workers": dict(self.workers),
            "customers": dict(self.customers),
            "placements": dict(self.placements),
            "versions": dict(self.versions),
        }

    def _bucket(self, entity_type: EntityType) -> dict[str, Any]:
        buckets: Mapping[EntityType, dict[str, Any]] = {
            EntityType.ORDER: self.orders,
            EntityType.VISIT: self.visits,
            EntityType.COMPLAINT: self.complaints,
            EntityType.WORKER: self.workers,
            EntityType.CUSTOMER: self.customers,
            EntityType.PLACEMENT: self.placements,
        }
        return buckets[entity_type]

    def get(self, key: EntityKey) -> Entity | None:
        entity: Entity | None = self._bucket(key[0]).get(key[1])
        return entity

    def state_of(self, key: EntityKey) -> str:
        entity = self.get(key)
        return NEW if entity is None else str(entity.state)

    def version(self, key: EntityKey) -> int:
        return self.versions.get(key, 0)

    # --- applying -------------------------------------------------------------------------

    def apply(self, event: Event) -> Entity:
        """Apply one event; returns the entity's new state. Nothing changes on error."""
        current = self.get(event.key)
        before = NEW if current is None else str(current.state)
        if current is None and (NEW, event.kind) not in table_for(event.entity_type).transitions:
            # Most often a misspelt id: say so instead of "not allowed in state 'new'".
            raise LifecycleError(
                f"unknown {event.entity_type} {event.entity_id!r}: no {event.entity_type} "
                "with this id was created"
            )
        self._check_references(event)
        updated = entities.apply(current, event)
        self._bucket(event.entity_type)[event.entity_id] = updated
        self.versions[event.key] = self.version(event.key) + 1
        if current is None:
            self.created[event.key] = (event.time, event.kind)
        if str(updated.state) != before:
            latest = self.latest.get(event.key)
            if latest is None or event.time >= latest[0]:
                self.latest[event.key] = (event.time, event.kind)
        return updated

    def check_time_order(self, event: Event) -> None:
        """Refuse an event stamped before what it follows, naming both times.

        An event that changes the entity's state may not be stamped before the latest
        event that changed it (a completion before the check-in, a typo in the date); one
        that keeps the state (a rating, an issue, a follow-up, an update) may be recorded
        late, but not before the entity was created. Equal times are fine (an import
        stamps everything with one time). An illegal transition is left to :meth:`apply`.
        """
        current = self.state_of(event.key)
        target = table_for(event.entity_type).transitions.get((current, event.kind))
        if target is None:
            return
        bound = self.created if target == current else self.latest
        previous = bound.get(event.key)
        if previous is not None and event.time < previous[0]:
            raise LifecycleError(
                f"{event.entity_type} {event.entity_id}: {event.kind} at "
                f"{event.time.isoformat()} is before its {previous[1]} at "
                f"{previous[0].isoformat()}; the events of one {event.entity_type} must be "
                "in time order"
            )

    def _require_customer(self, customer_id: str, who: str) -> CustomerRecord:
        customer = self.customers.get(customer_id)
        if customer is None:
            raise LifecycleError(f"{who}: customer {customer_id!r} is not registered")
        return customer

    def _check_references(self, event: Event) -> None:
        kind, who = event.kind, f"{event.entity_type} {event.entity_id}"
        p = event.payload
        if kind == "order_created":
            self._require_customer(str(p["customer_id"]), who)
        elif kind == "visit_created":
            self._require_customer(str(p["customer_id"]), who)
            order_id = p.get("order_id") or ""
            rework_of = p.get("rework_of")
            if rework_of is not None and rework_of not in self.visits:
                raise LifecycleError(f"{who}: rework of unknown visit {rework_of!r}")
            if order_id:
                order = self.orders.get(order_id)
                if order is None:
                    raise LifecycleError(f"{who}: unknown order {order_id!r}")
                if order.customer_id != p["customer_id"]:
                    raise LifecycleError(
                        f"{who}: customer {p['customer_id']!r} differs from order "
                        f"{order_id}'s customer {order.customer_id!r}"
                    )
                # A rework visit may follow an order that has completed since; an
                # assessment visit comes before the contract (check_step).
                service = rework_of is None and not p.get("assessment")
                if service and order.state not in (OrderState.CONTRACTED, OrderState.ACTIVE):
                    raise LifecycleError(
                        f"{who}: order {order_id} is {order.state}; visits need a contracted "
                        "or active order"
                    )
            for worker_id in split_cell(p.get("pinned_worker_id")):
                if worker_id not in self.workers:
                    raise LifecycleError(f"{who}: pinned worker {worker_id!r} is not registered")
        elif kind == "visit_proposed":
            visit = self.visits.get(event.entity_id)
            blocked: tuple[str, ...] = ()
            if visit is not None:
                customer = self.customers.get(visit.job.customer_id)
                blocked = customer.blocked_workers if customer is not None else ()
            for worker_id in split_cell(p["worker_ids"]):
                worker = self.workers.get(worker_id)
                if worker is None:
                    raise LifecycleError(f"{who}: worker {worker_id!r} is not registered")
                if worker.state is not WorkerState.ACTIVE:
                    raise LifecycleError(f"{who}: worker {worker_id} is {worker.state}")
                if worker_id in blocked:
                    raise LifecycleError(f"{who}: the customer has blocked worker {worker_id}")
        elif kind == "complaint_opened":
            visit = self.visits.get(str(p["visit_id"]))
            if visit is None:
                raise LifecycleError(f"{who}: unknown visit {p['visit_id']!r}")
            named = p.get("worker_id")
            if named not in (*visit.workers, *visit.no_show_workers):
                raise LifecycleError(
                    f"{who}: worker {named!r} did not serve visit {visit.visit_id}"
                )
        elif kind == "customer_worker_blocked" and p["worker_id"] not in self.workers:
            raise LifecycleError(f"{who}: worker {p['worker_id']!r} is not registered")
        check_step(self, event)

    # --- filling defaults -----------------------------------------------------------------

    def resolve(self, event: Event) -> Event:
        """The event with the defaults it left out filled in from the current state."""
        p: dict[str, Any] = dict(event.payload)
        visit = self.visits.get(event.entity_id) if event.entity_type is EntityType.VISIT else None
        if visit is not None:
            self._resolve_visit(visit, event, p)
        elif event.kind == "complaint_opened":
            target = self.visits.get(str(p["visit_id"]))
            if target is not None:
                if p.get("worker_id") is None:
                    served = target.workers or target.no_show_workers
                    if len(served) == 1:
                        p["worker_id"] = served[0]
                    elif not served:
                        raise LifecycleError(
                            f"complaint {event.entity_id}: visit {target.visit_id} has no worker"
                        )
                    else:
                        raise LifecycleError(
                            f"complaint {event.entity_id}: visit {target.visit_id} had "
                            f"{len(served)} workers; name the worker_id"
                        )
                p["customer_id"] = p.get("customer_id") or target.job.customer_id
                p["service_type"] = p.get("service_type") or target.job.service_type
        resolve_step(self, event, p)
        if p == dict(event.payload):
            return event
        return replace(event, payload=p)

    def _resolve_visit(self, visit: Visit, event: Event, p: dict[str, Any]) -> None:
        kind = event.kind
        if kind == "visit_proposed" and p.get("end") is None:
            start = parse_time(p["start"])
            p["end"] = add_minutes(start, visit.job.duration_minutes).isoformat()
        elif kind in ("visit_rated", "visit_issue_reported", "visit_declined") and (
            p.get("worker_id") is None
        ):
            if len(visit.workers) == 1:
                p["worker_id"] = visit.workers[0]
            elif kind != "visit_issue_reported":
                raise LifecycleError(
                    f"visit {visit.visit_id} had {len(visit.workers)} workers; name the worker_id"
                )
        elif kind == "visit_no_show" and not p.get("worker_ids"):
            p["worker_ids"] = list(visit.workers)
        elif kind == "visit_checked_in" and p.get("minutes_late") is None:
            late = (event.time - visit.start).total_seconds()
            p["minutes_late"] = max(0, ceil(late / 60))
        elif kind == "visit_settled":
            if p.get("method") is None:
                order = self.orders.get(visit.job.order_id)
                p["method"] = str(order.payment_method) if order is not None else "online"
            if p.get("amount") is None and visit.job.price is not None:
                p["amount"] = str(visit.job.price)
