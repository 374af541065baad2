"""Boundary models of the process steps added around dispatch: one pydantic model per kind.

- the assessment visit: :class:`AssessmentVisitModel` (``assessment_scheduled.visit``) and
  the findings of ``order_assessed`` (:class:`FindingsModel`);
- a replacement asked for by the customer (``customer_replacement_requested``);
- a recurring schedule paused, resumed or amended (``order_schedule_*``);
- worker screening (``worker_applied`` ... ``worker_approved`` / ``worker_rejected``).

The entities they change are :mod:`~matchmaker.lifecycle._order`,
:mod:`~matchmaker.lifecycle._customer` and :mod:`~matchmaker.lifecycle._worker`; the rules
they trigger are in :mod:`~matchmaker.lifecycle._steps_rules`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, model_validator

from matchmaker.lifecycle._order_schema import QuoteLineModel, ScheduleModel, VisitTemplateModel
from matchmaker.lifecycle._schema_base import (
    Id,
    In,
    ListCell,
    SkillsCell,
    StrictModel,
    blank_to_none,
)
from matchmaker.lifecycle._worker_schema import _WorkerProfile

__all__ = [
    "AssessmentScheduledIn",
    "AssessmentVisitModel",
    "CustomerReplacementRequestedIn",
    "FindingsModel",
    "OrderAssessedIn",
    "OrderScheduleAmendedIn",
    "OrderSchedulePausedIn",
    "OrderScheduleResumedIn",
    "WorkerAppliedIn",
    "WorkerApprovedIn",
    "WorkerBackgroundCheckedIn",
    "WorkerInterviewedIn",
    "WorkerRejectedIn",
    "WorkerTrainedIn",
]


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


class CustomerReplacementRequestedIn(In):
    """The customer asks for another worker: ``worker_id`` is not sent to them again."""

    kind: Literal["customer_replacement_requested"]
    worker_id: Id
    reason: str = ""
    visit_id: str | None = None


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


class WorkerAppliedIn(In, _WorkerProfile):
    """A new applicant with the contract's worker columns; dispatchable once approved."""

    kind: Literal["worker_applied"]


class WorkerInterviewedIn(In):
    kind: Literal["worker_interviewed"]
    outcome: Literal["passed", "failed"]
    interviewer: str = ""
    note: str = ""


class WorkerTrainedIn(In):
    kind: Literal["worker_trained"]
    course: Id
    note: str = ""


class WorkerBackgroundCheckedIn(In):
    kind: Literal["worker_background_checked"]
    result: Literal["passed", "pending", "failed"]
    expires: Annotated[date | None, BeforeValidator(blank_to_none)] = None
    note: str = ""


class WorkerApprovedIn(In):
    kind: Literal["worker_approved"]
    note: str = ""


class WorkerRejectedIn(In):
    kind: Literal["worker_rejected"]
    reason: Id
