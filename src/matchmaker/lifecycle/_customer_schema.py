"""Boundary models of the customer's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._customer`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from matchmaker.lifecycle._schema_base import (
    Id,
    In,
    ListCell,
    blank_to_none,
)

__all__ = [
    "CustomerRegisteredIn",
    "CustomerReplacementRequestedIn",
    "CustomerUpdatedIn",
    "CustomerWorkerBlockedIn",
    "CustomerWorkerUnblockedIn",
]


_Limit = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(blank_to_none)]


class CustomerRegisteredIn(In):
    """A customer with the dataset contract's columns (``entity`` is the customer id)."""

    kind: Literal["customer_registered"]
    name: str = ""
    lat: Annotated[float | None, BeforeValidator(blank_to_none), Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, BeforeValidator(blank_to_none), Field(ge=-180, le=180)] = None
    preferred_gender: Annotated[Literal["F", "M"] | None, BeforeValidator(blank_to_none)] = None
    preferred_languages: ListCell = Field(default_factory=list)
    preferred_workers: ListCell = Field(default_factory=list)
    blocked_workers: ListCell = Field(default_factory=list)
    previous_workers: ListCell = Field(default_factory=list)
    max_distinct_workers: _Limit = Field(
        None, description="continuity cap over a round (blank = the dataset default)"
    )

    @model_validator(mode="after")
    def _both_coordinates(self) -> CustomerRegisteredIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class CustomerUpdatedIn(In):
    kind: Literal["customer_updated"]
    name: str | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    preferred_gender: Literal["F", "M"] | None = None
    preferred_languages: ListCell | None = None
    preferred_workers: ListCell | None = None
    max_distinct_workers: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=0)] = None


class CustomerWorkerBlockedIn(In):
    kind: Literal["customer_worker_blocked"]
    worker_id: Id
    reason: str = ""
    rule: str | None = None
    complaint_id: str | None = None


class CustomerWorkerUnblockedIn(In):
    kind: Literal["customer_worker_unblocked"]
    worker_id: Id
    reason: str = ""


class CustomerReplacementRequestedIn(In):
    """The customer asks for another worker: ``worker_id`` is not sent to them again."""

    kind: Literal["customer_replacement_requested"]
    worker_id: Id
    reason: str = ""
    visit_id: str | None = None
