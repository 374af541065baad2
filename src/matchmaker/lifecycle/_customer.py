"""The customer entity: the dataset contract's customer columns and blocked workers.

Its events' payload models are in :mod:`matchmaker.lifecycle._customer_schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matchmaker.lifecycle._entity_base import (
    append_unique,
    evolve,
    float_or_none,
    int_or_none,
    split_cell,
)
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._states import CUSTOMER_TABLE, NEW, CustomerState

__all__ = ["CustomerRecord"]


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
    replaced_workers: tuple[str, ...] = ()
    """Workers the customer asked to replace (also in ``blocked_workers`` until unblocked)."""
    max_distinct_workers: int | None = None
    """Continuity cap (home-care rule): most different workers over a round."""

    @classmethod
    def create(cls, event: Event) -> CustomerRecord:
        state = CUSTOMER_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        p = event.payload
        return cls(
            customer_id=event.entity_id,
            state=CustomerState(state),
            registered_at=event.time,
            name=str(p.get("name") or ""),
            lat=float_or_none(p.get("lat")),
            lon=float_or_none(p.get("lon")),
            preferred_gender=p.get("preferred_gender"),
            preferred_languages=split_cell(p.get("preferred_languages")),
            preferred_workers=split_cell(p.get("preferred_workers")),
            blocked_workers=split_cell(p.get("blocked_workers")),
            previous_workers=split_cell(p.get("previous_workers")),
            max_distinct_workers=int_or_none(p.get("max_distinct_workers")),
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
                    changes[name] = float_or_none(p[name])
            for name in ("preferred_languages", "preferred_workers"):
                if name in p:
                    changes[name] = split_cell(p[name])
            if "max_distinct_workers" in p:
                changes["max_distinct_workers"] = int_or_none(p["max_distinct_workers"])
        elif event.kind == "customer_replacement_requested":
            worker = str(p["worker_id"])
            changes["blocked_workers"] = append_unique(self.blocked_workers, worker)
            changes["replaced_workers"] = append_unique(self.replaced_workers, worker)
        elif event.kind == "customer_worker_blocked":
            changes["blocked_workers"] = append_unique(self.blocked_workers, str(p["worker_id"]))
        else:
            worker = str(p["worker_id"])
            changes["blocked_workers"] = tuple(w for w in self.blocked_workers if w != worker)
        return evolve(self, state=CustomerState(state), **changes)
