"""Boundary models of the worker's events: one pydantic model per kind.

The entity they change is :mod:`matchmaker.lifecycle._worker`; the registry of every
kind is :mod:`matchmaker.lifecycle._schema`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BeforeValidator, Field, field_validator, model_validator

from matchmaker.lifecycle._schema_base import (
    CertificatesCell,
    Id,
    In,
    ListCell,
    Money,
    ShiftCell,
    SkillsCell,
    StrictModel,
    blank_to_none,
)

__all__ = [
    "ShiftModel",
    "WorkerAppliedIn",
    "WorkerApprovedIn",
    "WorkerAvailabilitySetIn",
    "WorkerBackgroundCheckedIn",
    "WorkerInterviewedIn",
    "WorkerLeaveEndedIn",
    "WorkerLeaveStartedIn",
    "WorkerRatingUpdatedIn",
    "WorkerRegisteredIn",
    "WorkerReinstatedIn",
    "WorkerRejectedIn",
    "WorkerSuspendedIn",
    "WorkerTrainedIn",
    "WorkerUpdatedIn",
]


_Limit = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(blank_to_none)]
_BREAK_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _break_names(value: list[str] | None) -> list[str] | None:
    """``breaks``: names of ``dataset.toml`` ``[[breaks]]`` rules, or ``none`` alone."""
    if value is None:
        return None
    for name in value:
        if not _BREAK_NAME.fullmatch(name):
            raise ValueError(f"break rule name {name!r} may hold only letters, digits and _.-")
    if "none" in value and len(value) > 1:
        raise ValueError("breaks mixes 'none' with break rule names")
    if len(set(value)) != len(value):
        raise ValueError("breaks repeats a rule name")
    return value


class _HomeCareLimits(StrictModel):
    """The contract's optional home-care worker columns (blank = the dataset default)."""

    max_week_minutes: _Limit = Field(None, description="work minutes per calendar week")
    min_rest_minutes: _Limit = Field(None, description="rest between two shifts' work")
    max_consecutive_days: _Limit = Field(None, description="local dates in a row with work")


class _PlacementProfile(StrictModel):
    """The contract's optional placement worker columns (blank = unknown; on an update,
    a column not given stays as it was)."""

    current_placement_end: Annotated[date | None, BeforeValidator(blank_to_none)] = None
    earliest_free_date: Annotated[date | None, BeforeValidator(blank_to_none)] = None
    salary_expectation: Annotated[Money | None, BeforeValidator(blank_to_none)] = Field(
        None, ge=0, description="monthly, e.g. 9000"
    )
    live_in_willing: Annotated[bool | None, BeforeValidator(blank_to_none)] = None
    tags: ListCell | None = Field(None, description="cooking styles, dialects ...")
    birth_year: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=1900, le=2100)] = (
        None
    )


class _WorkerProfile(_HomeCareLimits, _PlacementProfile):
    name: str = ""
    gender: Literal["F", "M"]
    languages: ListCell = Field(default_factory=list)
    skills: SkillsCell = ""
    experience_years: float = Field(0.0, ge=0)
    certificates: CertificatesCell = ""
    background_check: Literal["passed", "pending", "failed"] = "pending"
    background_check_expires: Annotated[date | None, BeforeValidator(blank_to_none)] = None
    rating: Annotated[float | None, BeforeValidator(blank_to_none), Field(ge=0, le=5)] = None
    rating_count: int = Field(0, ge=0)
    home_lat: float = Field(ge=-90, le=90)
    home_lon: float = Field(ge=-180, le=180)
    shift_start: ShiftCell = None
    shift_end: ShiftCell = None
    max_jobs: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=0)] = None
    max_work_minutes: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=0)] = None
    travel_mode: Literal["walk", "bike", "transit", "car"] = "transit"
    breaks: ListCell = Field(
        default_factory=list,
        description="names of the [[breaks]] rules for this worker, 'none' for none (blank = all)",
    )

    _breaks = field_validator("breaks")(_break_names)


class WorkerRegisteredIn(In, _WorkerProfile):
    """A worker with the dataset contract's columns (``entity`` is the worker id)."""

    kind: Literal["worker_registered"]


class WorkerUpdatedIn(In, _HomeCareLimits, _PlacementProfile):
    """Only the columns given change; status changes have their own events."""

    kind: Literal["worker_updated"]
    name: str | None = None
    gender: Literal["F", "M"] | None = None
    languages: ListCell | None = None
    skills: SkillsCell | None = None
    experience_years: float | None = Field(None, ge=0)
    certificates: CertificatesCell | None = None
    background_check: Literal["passed", "pending", "failed"] | None = None
    background_check_expires: Annotated[date | None, BeforeValidator(blank_to_none)] = None
    home_lat: float | None = Field(None, ge=-90, le=90)
    home_lon: float | None = Field(None, ge=-180, le=180)
    shift_start: ShiftCell = None
    shift_end: ShiftCell = None
    max_jobs: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=0)] = None
    max_work_minutes: Annotated[int | None, BeforeValidator(blank_to_none), Field(ge=0)] = None
    travel_mode: Literal["walk", "bike", "transit", "car"] | None = None
    breaks: ListCell | None = None

    _breaks = field_validator("breaks")(_break_names)


class ShiftModel(StrictModel):
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _order(self) -> ShiftModel:
        if self.end <= self.start:
            raise ValueError("shift end is not after its start")
        return self


class WorkerAvailabilitySetIn(In):
    """Replaces the worker's shifts (the contract's ``availability`` rows)."""

    kind: Literal["worker_availability_set"]
    shifts: list[ShiftModel]


class WorkerRatingUpdatedIn(In):
    kind: Literal["worker_rating_updated"]
    rating: float = Field(ge=0, le=5)
    rating_count: int = Field(ge=0)
    visit_id: str | None = None
    stars: int | None = Field(None, ge=1, le=5)
    rule: str | None = None


class WorkerSuspendedIn(In):
    kind: Literal["worker_suspended"]
    reason: str = ""
    rule: str | None = None
    complaint_ids: ListCell = Field(default_factory=list)
    window_days: int | None = None


class WorkerReinstatedIn(In):
    kind: Literal["worker_reinstated"]
    reason: str = ""


class WorkerLeaveStartedIn(In):
    kind: Literal["worker_leave_started"]
    reason: str = ""


class WorkerLeaveEndedIn(In):
    kind: Literal["worker_leave_ended"]
    reason: str = ""


# Screening (matchmaker.lifecycle._screening).


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
