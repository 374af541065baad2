"""Boundary models of the complaint's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._complaint`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

from typing import Literal

from matchmaker.lifecycle._schema_base import (
    Id,
    In,
)

__all__ = [
    "ComplaintInvestigationStartedIn",
    "ComplaintOpenedIn",
    "ComplaintRejectedIn",
    "ComplaintUpheldIn",
]


class ComplaintOpenedIn(In):
    kind: Literal["complaint_opened"]
    visit_id: Id
    category: Id
    description: str = ""
    worker_id: str | None = None
    customer_id: str | None = None
    service_type: str | None = None


class ComplaintInvestigationStartedIn(In):
    kind: Literal["complaint_investigation_started"]
    note: str = ""


class ComplaintUpheldIn(In):
    kind: Literal["complaint_upheld"]
    resolution: str = ""


class ComplaintRejectedIn(In):
    kind: Literal["complaint_rejected"]
    resolution: str = ""
