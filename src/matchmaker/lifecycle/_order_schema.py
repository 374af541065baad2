"""Boundary models of the order's events: one pydantic model per kind, and the quote lines,
schedule and visit template they carry.

The entity they change is :mod:`matchmaker.lifecycle._order`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator

from matchmaker.lifecycle._schema_base import (
    Id,
    In,
    JobNeedsModel,
    ListCell,
    Money,
    PaymentMethod,
    SkillsCell,
    StrictModel,
    split_list,
)
from matchmaker.model import known_zone

__all__ = [
    "AssessmentScheduledIn",
    "AssessmentVisitModel",
    "FindingsModel",
    "OrderAssessedIn",
    "OrderCancelledIn",
    "OrderClosedIn",
    "OrderCompletedIn",
    "OrderContractedIn",
    "OrderCreatedIn",
    "OrderDepositPaidIn",
    "OrderQuotedIn",
    "OrderRefundedIn",
    "OrderScheduleAmendedIn",
    "OrderSchedulePausedIn",
    "OrderScheduleResumedIn",
    "OrderStartedIn",
    "QuoteLineModel",
    "ScheduleModel",
    "VisitTemplateModel",
]


class QuoteLineModel(StrictModel):
    description: str
    quantity: Decimal = Field(Decimal(1), ge=0)
    unit: str = "visit"
    unit_price: Money = Field(Decimal(0), ge=0)
    amount: Money = Field(ge=0)
    date: dt.date | None = Field(None, description="the visit date the line prices")
    visit_id: str | None = Field(None, description="the visit the line prices")


class ScheduleModel(StrictModel):
    """A recurrence: weekly on weekdays (every N weeks) or daily, N times or until a date."""

    frequency: Literal["weekly", "daily"]
    start_date: date
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=list, description="0 = Monday ... 6 = Sunday (weekly only)"
    )
    every_weeks: int = Field(1, ge=1)
    count: int | None = Field(None, ge=1, le=1000)
    until: date | None = None
    start_time: time
    timezone: str = Field(description="IANA name, e.g. Asia/Shanghai")

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekday_names(cls, value: object) -> object:
        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        if isinstance(value, str):
            value = split_list(value)
        if isinstance(value, list):
            out: list[object] = []
            for item in value:
                if isinstance(item, str) and item.strip().lower()[:3] in names:
                    out.append(names.index(item.strip().lower()[:3]))
                else:
                    out.append(item)
            return out
        return value

    @model_validator(mode="after")
    def _end_and_days(self) -> ScheduleModel:
        if (self.count is None) == (self.until is None):
            raise ValueError("give exactly one of count and until")
        if self.frequency == "weekly" and not self.weekdays:
            raise ValueError("a weekly schedule needs weekdays")
        if self.until is not None and self.until < self.start_date:
            raise ValueError("until is before start_date")
        known_zone(self.timezone)
        return self


class VisitTemplateModel(JobNeedsModel):
    """What every visit of a recurring order looks like (dispatch contract job columns)."""

    service_type: str | None = None
    window_minutes: int = Field(0, ge=0, description="latest_start = start + window_minutes")
    due_minutes: int | None = Field(
        None, ge=0, description="due_start = start + due_minutes (soft), at most window_minutes"
    )

    @field_validator("due_minutes")
    @classmethod
    def _due_in_window(cls, value: int | None, info: ValidationInfo) -> int | None:
        window = info.data.get("window_minutes")
        if value is not None and window is not None and value > window:
            raise ValueError(f"due_minutes {value} is after the window ({window} minutes)")
        return value


class OrderCreatedIn(In):
    kind: Literal["order_created"]
    customer_id: Id
    service_type: Id
    note: str = ""


class OrderQuotedIn(In):
    kind: Literal["order_quoted"]
    lines: list[QuoteLineModel] = Field(default_factory=list)
    total: Money | None = Field(None, ge=0)
    currency: str = "CNY"
    note: str = ""

    @model_validator(mode="after")
    def _total_matches(self) -> OrderQuotedIn:
        if self.lines and self.total is not None:
            computed = sum((line.amount for line in self.lines), Decimal(0))
            if computed != self.total:
                raise ValueError(f"total {self.total} differs from the sum of lines {computed}")
        return self


class OrderContractedIn(In):
    kind: Literal["order_contracted"]
    payment_method: PaymentMethod = "online"
    schedule: ScheduleModel | None = None
    visit: VisitTemplateModel | None = None
    note: str = ""

    @model_validator(mode="after")
    def _schedule_has_template(self) -> OrderContractedIn:
        if self.schedule is not None and self.visit is None:
            raise ValueError("a schedule needs a visit template ('visit')")
        return self


class OrderDepositPaidIn(In):
    kind: Literal["order_deposit_paid"]
    amount: Money | None = Field(None, gt=0)
    method: PaymentMethod | None = None
    note: str = ""


class OrderRefundedIn(In):
    kind: Literal["order_refunded"]
    amount: Money | None = Field(None, gt=0)
    reason: str = ""


class OrderStartedIn(In):
    kind: Literal["order_started"]
    note: str = ""
    rule: str | None = None


class OrderCompletedIn(In):
    kind: Literal["order_completed"]
    note: str = ""
    rule: str | None = None


class OrderClosedIn(In):
    kind: Literal["order_closed"]
    note: str = ""


class OrderCancelledIn(In):
    kind: Literal["order_cancelled"]
    reason: Id


# The process steps around the contract: the assessment visit and schedule changes
# (rules in matchmaker.lifecycle._steps_rules, docs/ops.md "Process steps").


class AssessmentVisitModel(StrictModel):
    """The assessor's visit to the home: a job of the dispatch contract (``ops jobs``)."""

    duration_minutes: int = Field(60, gt=0)
    window_minutes: int = Field(0, ge=0, description="latest_start = at + window_minutes")
    service_type: str = "assessment"
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    required_skills: SkillsCell = ""
    language_required: ListCell = Field(default_factory=list)
    gender_required: Literal["F", "M"] | None = None
    priority: int = Field(4, ge=1, le=5)
    needs_car: bool = False
    assessor_id: ListCell = Field(
        default_factory=list, description="pin the visit to this assessor (worker id)"
    )

    @model_validator(mode="after")
    def _both(self) -> AssessmentVisitModel:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class FindingsModel(StrictModel):
    """What the assessor found, and what it means for the quote and the visits."""

    duration_minutes: int | None = Field(None, gt=0)
    workers_needed: int | None = Field(None, ge=1)
    required_skills: SkillsCell | None = None
    quantity: float | None = Field(None, gt=0, description="in the service's price unit")
    lines: list[QuoteLineModel] = Field(
        default_factory=list, description="quote lines proposed; a quote without lines takes them"
    )
    text: str = ""


class AssessmentScheduledIn(In):
    """The assessment is booked at ``at``; with ``visit`` an assessor is dispatched to it."""

    kind: Literal["assessment_scheduled"]
    at: AwareDatetime
    note: str = ""
    visit: AssessmentVisitModel | None = None


class OrderAssessedIn(In):
    """The assessment's findings, recorded on the order (after its assessment visit)."""

    kind: Literal["order_assessed"]
    note: str = ""
    findings: FindingsModel | None = None
    visit_id: str | None = Field(None, description="blank = the order's assessment visit")


class OrderSchedulePausedIn(In):
    kind: Literal["order_schedule_paused"]
    from_date: date
    until_date: date | None = Field(None, description="last paused day; blank = until resumed")
    reason: str = ""

    @model_validator(mode="after")
    def _order(self) -> OrderSchedulePausedIn:
        if self.until_date is not None and self.until_date < self.from_date:
            raise ValueError("until_date is before from_date")
        return self


class OrderScheduleResumedIn(In):
    kind: Literal["order_schedule_resumed"]
    from_date: date | None = Field(None, description="first day with visits again; blank = today")
    reason: str = ""


class OrderScheduleAmendedIn(In):
    kind: Literal["order_schedule_amended"]
    effective_from: date
    schedule: ScheduleModel | None = None
    visit: VisitTemplateModel | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _something(self) -> OrderScheduleAmendedIn:
        if self.schedule is None and self.visit is None:
            raise ValueError("an amendment needs a new schedule, a new visit template or both")
        return self
