"""Boundary models of the visit's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._visit`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from matchmaker.lifecycle._schema_base import (
    Id,
    In,
    JobNeedsModel,
    ListCell,
    Money,
    PaymentMethod,
    StrictModel,
)

__all__ = [
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


class VisitCreatedIn(In, JobNeedsModel):
    """A job of the dispatch contract (``entity`` is the job id)."""

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
