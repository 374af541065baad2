"""Boundary models of the placement's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._placement`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field

from matchmaker.lifecycle._schema_base import Id, In, ListCell, Money, SkillsCell
from matchmaker.model import MAX_PLACEMENT_DAYS

__all__ = [
    "PlacementCancelledIn",
    "PlacementCandidateDeclinedIn",
    "PlacementCompletedIn",
    "PlacementContractedIn",
    "PlacementDueDateMovedIn",
    "PlacementFollowedUpIn",
    "PlacementInterviewScheduledIn",
    "PlacementReplacementRequestedIn",
    "PlacementRequestedIn",
    "PlacementSelectedIn",
    "PlacementSettledIn",
    "PlacementShortlistedIn",
    "PlacementStartedIn",
]


class PlacementRequestedIn(In):
    kind: Literal["placement_requested"]
    customer_id: Id
    service_type: Id
    start_date: date | None = None
    due_date: date | None = None
    days_before: int = Field(0, ge=0, le=366)
    days_after: int = Field(0, ge=0, le=366)
    duration_days: int = Field(ge=1, le=MAX_PLACEMENT_DAYS)
    live_in: bool = False
    required_skills: SkillsCell = ""
    min_experience_years: float = Field(0.0, ge=0)
    required_certificates: ListCell = Field(default_factory=list)
    gender_required: Literal["F", "M"] | None = None
    language_required: ListCell = Field(default_factory=list)
    preferred_tags: ListCell = Field(default_factory=list)
    age_min: int | None = Field(None, ge=16, le=99)
    age_max: int | None = Field(None, ge=16, le=99)
    budget: Money | None = None
    priority: int = Field(3, ge=1, le=5)


class PlacementShortlistedIn(In):
    kind: Literal["placement_shortlisted"]
    candidates: ListCell
    scores: list[float] = Field(default_factory=list)
    note: str = ""


class PlacementInterviewScheduledIn(In):
    kind: Literal["placement_interview_scheduled"]
    worker_id: Id
    at: AwareDatetime


class PlacementCandidateDeclinedIn(In):
    kind: Literal["placement_candidate_declined"]
    worker_id: Id
    by: Literal["customer", "worker"] = "customer"
    reason: str = ""


class PlacementSelectedIn(In):
    kind: Literal["placement_selected"]
    worker_id: Id


class PlacementContractedIn(In):
    kind: Literal["placement_contracted"]
    monthly_salary: Money
    service_fee_rate: Decimal = Field(Decimal("0.10"), ge=0, le=1, decimal_places=4)


class PlacementStartedIn(In):
    kind: Literal["placement_started"]
    start_date: date | None = None


class PlacementReplacementRequestedIn(In):
    kind: Literal["placement_replacement_requested"]
    last_day: date | None = None
    reason: str = ""


class PlacementDueDateMovedIn(In):
    kind: Literal["placement_due_date_moved"]
    due_date: date


class PlacementCompletedIn(In):
    kind: Literal["placement_completed"]
    end_date: date | None = None


class PlacementSettledIn(In):
    kind: Literal["placement_settled"]
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    worker_id: Id
    days: int = Field(ge=0, le=31)
    salary: Money
    service_fee: Money


class PlacementFollowedUpIn(In):
    kind: Literal["placement_followed_up"]
    follow_up: Id
    note: str = ""


class PlacementCancelledIn(In):
    kind: Literal["placement_cancelled"]
    reason: str = ""
