"""Boundary models of the visit's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._visit`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from matchmaker.lifecycle._schema_base import (
    Id,
    In,
    JobNeedsModel,
    ListCell,
    Money,
    PaymentMethod,
    StrictModel,
    blank_to_none,
)

__all__ = [
    "MAX_GAP_MINUTES",
    "AdjustmentModel",
    "PayModel",
    "VisitAcceptedIn",
    "VisitCancelledIn",
    "VisitCheckedInIn",
    "VisitCompletedIn",
    "VisitConfirmedIn",
    "VisitCreatedIn",
    "VisitDeclinedIn",
    "VisitFollowedUpIn",
    "VisitIssueReportedIn",
    "VisitNoShowIn",
    "VisitProposedIn",
    "VisitRatedIn",
    "VisitRefundedIn",
    "VisitReworkDoneIn",
    "VisitReworkRequestedIn",
    "VisitSettledIn",
    "VisitWithdrawnIn",
]


MAX_GAP_MINUTES = 527_040
"""Longest gap between linked visits the dataset contract takes: 366 days."""

_Gap = Annotated[
    Annotated[int, Field(ge=0, le=MAX_GAP_MINUTES)] | None, BeforeValidator(blank_to_none)
]


class VisitCreatedIn(In, JobNeedsModel):
    """A job of the dispatch contract (``entity`` is the job id).

    The home-care columns (``due_start``, ``depends_on``, ``min_gap``, ``max_gap``,
    ``link_worker``) are optional and checked as the dataset loader checks them, each error
    naming its field; whether ``depends_on`` names a visit of the store is checked by
    ``ops import-dataset`` and by ``ops jobs`` (a partner outside the round is unlinked).
    """

    kind: Literal["visit_created"]
    order_id: str = ""
    customer_id: Id
    service_type: Id
    earliest_start: AwareDatetime
    latest_start: AwareDatetime
    rework_of: str | None = None
    pinned_worker_id: ListCell = Field(default_factory=list)
    rule: str | None = None
    assessment: bool = Field(False, description="an assessor's visit before the quote")
    due_start: Annotated[AwareDatetime | None, BeforeValidator(blank_to_none)] = Field(
        None, description="soft latest start inside the window (blank = none)"
    )
    depends_on: Annotated[str | None, BeforeValidator(blank_to_none)] = Field(
        None, description="the visit this linked visit follows (blank = not linked)"
    )
    min_gap: _Gap = Field(None, description="least minutes after depends_on's start")
    max_gap: _Gap = Field(None, description="most minutes after depends_on's start")
    link_worker: Annotated[
        Literal["same", "different", "any"], BeforeValidator(lambda v: blank_to_none(v) or "any")
    ] = "any"

    @field_validator("due_start")
    @classmethod
    def _due_in_window(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        first, last = info.data.get("earliest_start"), info.data.get("latest_start")
        if value is None or first is None or last is None:
            return value  # a bad window is reported on its own fields
        if not first <= value <= last:
            raise ValueError(
                f"due_start is outside the start window {first.isoformat()} to "
                f"{last.isoformat()}; a due start must lie inside it"
            )
        return value

    @field_validator("depends_on")
    @classmethod
    def _not_itself(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and ";" in value:
            raise ValueError("depends_on names one visit (no ';' list)")
        if value is not None and value == info.data.get("entity"):
            raise ValueError("depends_on names the visit itself; name the visit this one follows")
        return value

    @field_validator("min_gap", "max_gap")
    @classmethod
    def _gap_needs_link(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("depends_on") is None:
            raise ValueError(f"{info.field_name} is given but depends_on is blank")
        low = info.data.get("min_gap")
        if info.field_name == "max_gap" and value is not None and low is not None and value < low:
            raise ValueError(f"max_gap is below min_gap ({low}); the gap must not be empty")
        return value

    @field_validator("link_worker")
    @classmethod
    def _link_needs_one_worker(cls, value: str, info: ValidationInfo) -> str:
        if value == "any":
            return value
        if info.data.get("depends_on") is None:
            raise ValueError("link_worker is given but depends_on is blank")
        needed = info.data.get("workers_needed", 1)
        if needed != 1:
            raise ValueError(
                f"link_worker is {value} but workers_needed is {needed}; "
                "same or different worker needs one-worker visits"
            )
        return value

    @model_validator(mode="after")
    def _window(self) -> VisitCreatedIn:
        if self.latest_start < self.earliest_start:
            raise ValueError("latest_start is before earliest_start")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class VisitProposedIn(In):
    kind: Literal["visit_proposed"]
    worker_ids: ListCell = Field(min_length=1)
    start: AwareDatetime
    end: AwareDatetime | None = None
    travel_minutes: int | None = Field(None, ge=0)
    match_score: float | None = None
    plan: str | None = None

    @model_validator(mode="after")
    def _distinct(self) -> VisitProposedIn:
        if len(set(self.worker_ids)) != len(self.worker_ids):
            raise ValueError("worker_ids repeats a worker")
        if self.end is not None and self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class VisitConfirmedIn(In):
    kind: Literal["visit_confirmed"]
    note: str = ""


class VisitDeclinedIn(In):
    kind: Literal["visit_declined"]
    worker_id: str | None = Field(None, description="blank = the visit's only worker")
    reason: str = ""


class VisitWithdrawnIn(In):
    kind: Literal["visit_withdrawn"]
    reason: str = ""
    rule: str | None = None


class VisitNoShowIn(In):
    kind: Literal["visit_no_show"]
    worker_ids: ListCell = Field(default_factory=list, description="blank = every worker")
    reason: str = ""


class VisitCheckedInIn(In):
    kind: Literal["visit_checked_in"]
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    minutes_late: int | None = Field(
        None, ge=0, description="blank = computed from the planned start and the check-in time"
    )


class VisitCompletedIn(In):
    kind: Literal["visit_completed"]
    note: str = ""


class VisitAcceptedIn(In):
    kind: Literal["visit_accepted"]
    note: str = ""


class VisitReworkRequestedIn(In):
    kind: Literal["visit_rework_requested"]
    items: ListCell = Field(default_factory=list)
    reason: str = ""
    on_site: bool = Field(False, description="fixed on the spot: no rework visit is created")
    duration_minutes: int | None = Field(None, gt=0)


class VisitReworkDoneIn(In):
    kind: Literal["visit_rework_done"]
    rework_visit_id: str | None = None
    rule: str | None = None


class AdjustmentModel(StrictModel):
    """Why a settlement differs from the price: a line of its own."""

    reason: Literal["discount", "surcharge", "refund"]
    amount: Money = Field(gt=0)
    note: str = ""


class PayModel(StrictModel):
    worker_id: Id
    amount: Money = Field(ge=0)
    basis: Literal["per_visit", "hourly"] = "per_visit"


class VisitSettledIn(In):
    kind: Literal["visit_settled"]
    method: PaymentMethod | None = None
    amount: Money | None = Field(None, ge=0)
    reason: Literal["discount", "surcharge", "refund"] | None = None
    note: str = ""
    adjustments: list[AdjustmentModel] = Field(default_factory=list)
    price: Money | None = Field(None, ge=0)
    deposit_applied: Money | None = Field(None, ge=0)
    pay: list[PayModel] | None = None
    rule: str | None = None


class VisitRefundedIn(In):
    kind: Literal["visit_refunded"]
    amount: Money | None = Field(None, gt=0)
    reason: Id


class VisitFollowedUpIn(In):
    kind: Literal["visit_followed_up"]
    channel: str = "phone"
    satisfied: bool | None = None
    note: str = ""


class VisitCancelledIn(In):
    kind: Literal["visit_cancelled"]
    reason: Id
    fee: Money | None = Field(None, ge=0)
    rule: str | None = None


class VisitRatedIn(In):
    kind: Literal["visit_rated"]
    stars: int = Field(ge=1, le=5)
    comment: str = ""
    worker_id: str | None = None


class VisitIssueReportedIn(In):
    kind: Literal["visit_issue_reported"]
    category: Id
    text: str = ""
    worker_id: str | None = None
