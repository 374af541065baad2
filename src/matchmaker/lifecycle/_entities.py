"""The lifecycle entities as frozen dataclasses: orders, visits, complaints, workers, customers.

Each entity has ``apply(event) -> new entity``: the transition table of
:mod:`matchmaker.lifecycle._states` decides the next state (an illegal pair raises
:class:`~matchmaker.model.InvalidTransition`), and one small handler per event kind
sets the fields the event carries. A payload that contradicts the entity (declining a
visit the worker was never asked for, rating a worker who did not serve it) raises
:class:`~matchmaker.model.LifecycleError`. Entities are immutable, so a failed apply
changes nothing. ``create(event)`` builds an entity from its creating event.

One module per entity (:mod:`~matchmaker.lifecycle._order`, ``_visit``, ``_complaint``,
``_worker``, ``_customer``), each beside the payload models of its events
(``_<entity>_schema``); this module dispatches an event to the right one.
"""

from __future__ import annotations

from collections.abc import Callable

from matchmaker.lifecycle._complaint import Complaint
from matchmaker.lifecycle._customer import CustomerRecord
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._order import Order
from matchmaker.lifecycle._placement import PlacementRecord
from matchmaker.lifecycle._states import EntityType
from matchmaker.lifecycle._visit import Visit
from matchmaker.lifecycle._worker import WorkerRecord

__all__ = ["Entity", "apply", "create"]


Entity = Order | Visit | Complaint | WorkerRecord | CustomerRecord | PlacementRecord

_CREATORS: dict[EntityType, Callable[[Event], Entity]] = {
    EntityType.ORDER: Order.create,
    EntityType.VISIT: Visit.create,
    EntityType.COMPLAINT: Complaint.create,
    EntityType.WORKER: WorkerRecord.create,
    EntityType.CUSTOMER: CustomerRecord.create,
    EntityType.PLACEMENT: PlacementRecord.create,
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
