"""The worker entity: the dataset contract's worker columns (the home-care and placement
ones included), status and shifts.

Its events' payload models are in :mod:`matchmaker.lifecycle._worker_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._entity_base import (
    evolve,
    float_or_none,
    int_or_none,
    parse_time,
    split_cell,
)
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._screening import SCREENING_KINDS, ScreeningStep, screening_changes
from matchmaker.lifecycle._states import NEW, WORKER_TABLE, WorkerState

__all__ = ["PLACEMENT_FIELDS", "WorkerRecord"]


PLACEMENT_FIELDS = (
    # The contract's optional placement columns of workers, in the contract's order.
    "current_placement_end",
    "earliest_free_date",
    "salary_expectation",
    "live_in_willing",
    "tags",
    "birth_year",
)
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
    "max_week_minutes",
    "min_rest_minutes",
    "max_consecutive_days",
    "breaks",
    *PLACEMENT_FIELDS,
)


def _profile(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Worker fields from a registration or update payload (only the keys present)."""
    out: dict[str, Any] = {}
    for name in _PROFILE_FIELDS:
        if name not in payload:
            continue
        value = payload[name]
        if name in ("languages", "breaks", "tags"):
            value = split_cell(value)
        elif name in ("current_placement_end", "earliest_free_date"):
            value = date.fromisoformat(str(value)) if value else None
        elif name == "salary_expectation":
            value = Decimal(str(value)) if value not in (None, "") else None
        elif name == "live_in_willing":
            value = bool(value)
        elif name in ("skills", "certificates", "name"):
            value = "" if value is None else str(value)
        elif name in ("experience_years", "home_lat", "home_lon"):
            value = float(value) if value is not None else 0.0
        elif name == "rating":
            value = float_or_none(value)
        elif name == "rating_count":
            value = int(value or 0)
        elif name in (
            "max_jobs",
            "max_work_minutes",
            "max_week_minutes",
            "min_rest_minutes",
            "max_consecutive_days",
            "birth_year",
        ):
            value = int_or_none(value)
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
    max_week_minutes: int | None = None
    min_rest_minutes: int | None = None
    max_consecutive_days: int | None = None
    breaks: tuple[str, ...] = ()
    """``[[breaks]]`` rule names; empty = every rule, ``("none",)`` = no break."""
    current_placement_end: date | None = None
    earliest_free_date: date | None = None
    salary_expectation: Decimal | None = None
    live_in_willing: bool = False
    tags: tuple[str, ...] = ()
    birth_year: int | None = None
    availability: tuple[tuple[datetime, datetime], ...] = ()
    status_reason: str = ""
    status_changed_at: datetime | None = None
    screening: tuple[ScreeningStep, ...] = ()
    """Screening steps recorded (none for a worker registered as employed)."""

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
        if event.kind in SCREENING_KINDS:
            changes = screening_changes(self, event)
        elif event.kind == "worker_updated":
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
        return evolve(self, state=WorkerState(state), **changes)

    @property
    def status(self) -> str:
        return self.state.value
