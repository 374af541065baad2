"""The complaint entity: a customer's complaint about one visit and one worker.

Its events' payload models are in :mod:`matchmaker.lifecycle._complaint_schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matchmaker.lifecycle._entity_base import evolve
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._states import COMPLAINT_TABLE, NEW, ComplaintState
from matchmaker.model import LifecycleError

__all__ = ["Complaint"]


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
        return evolve(self, state=ComplaintState(state), **changes)
