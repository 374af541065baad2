"""The boundary models of the event JSONL format: one pydantic model per event kind.

Each model has the envelope (``entity``, ``time``, ``actor``, optional
``expected_version``) and its kind's payload fields; ``extra="forbid"`` makes a misspelt
field an error. :data:`EVENT_ADAPTER` validates any event line as a union discriminated on
``kind``. Inside matchmaker events are :class:`matchmaker.lifecycle.Event`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

__all__ = [
    "ENVELOPE_FIELDS",
    "EVENT_ADAPTER",
    "EVENT_MODELS",
    "KIND_NAMES",
    "PARTIAL_KINDS",
    "In",
    "ScheduleModel",
    "VisitTemplateModel",
]

ENVELOPE_FIELDS = frozenset({"kind", "entity", "time", "actor", "expected_version"})
PARTIAL_KINDS = frozenset({"worker_updated", "customer_updated"})
"""Kinds whose payload holds only the fields given (an update, not a full record)."""


# --- cell parsers shared by the models -----------------------------------------------------


def _split_list(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _pairs(value: object) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(str(k).strip(), str(v).strip()) for k, v in value.items()]
    if not isinstance(value, str):
        raise ValueError("expected a 'name:value;name:value' string or an object")
    pairs = []
    for part in value.split(";"):
        if not part.strip():
            continue
        name, sep, rest = part.partition(":")
        if not sep or not name.strip() or not rest.strip():
            raise ValueError(f"item {part.strip()!r} is not 'name:value'")
        pairs.append((name.strip(), rest.strip()))
    return pairs


def _skills_cell(value: object) -> str:
    if value is None:
        return ""
    items = []
    for name, level_text in _pairs(value):
        try:
            level = int(level_text)
        except ValueError:
            raise ValueError(
                f"skill {name!r}: level {level_text!r} is not a whole number"
            ) from None
        if not 1 <= level <= 5:
            raise ValueError(f"skill {name!r}: level {level} is outside 1..5")
        items.append(f"{name}:{level}")
    return ";".join(items)


def _certificates_cell(value: object) -> str:
    if value is None:
        return ""
    items = []
    for name, expiry in _pairs(value):
        try:
            day = date.fromisoformat(expiry)
        except ValueError:
            raise ValueError(f"certificate {name!r}: expiry {expiry!r} is not YYYY-MM-DD") from None
        items.append(f"{name}:{day.isoformat()}")
    return ";".join(items)


def _shift_cell(value: object) -> object:
    # A shift bound is either a full ISO datetime with offset or a time of day (HH:MM).
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("expected an ISO datetime or a time of day HH:MM")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is neither an ISO datetime nor a time HH:MM") from None
        return text
    if moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return text


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


ListCell = Annotated[list[str], BeforeValidator(_split_list)]
SkillsCell = Annotated[str, BeforeValidator(_skills_cell)]
CertificatesCell = Annotated[str, BeforeValidator(_certificates_cell)]
ShiftCell = Annotated[str | None, BeforeValidator(_shift_cell)]
Id = Annotated[str, Field(min_length=1)]
Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2),
    AfterValidator(lambda amount: amount.quantize(Decimal("0.01"))),
]
"""An amount in cents precision, always stored with two decimals."""
PaymentMethod = Literal["online", "cash", "monthly_billing"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class In(_Model):
    """The envelope every event line has."""

    entity: Id
    time: AwareDatetime
    actor: Id
    expected_version: int | None = Field(None, ge=0)


# --- order ----------------------------------------------------------------------------------


class QuoteLineModel(_Model):
    description: str
    quantity: Decimal = Decimal(1)
    unit: str = "visit"
    unit_price: Money = Decimal(0)
    amount: Money


class ScheduleModel(_Model):
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
            value = _split_list(value)
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
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA timezone {self.timezone!r}") from None
        return self


class VisitTemplateModel(_Model):
    """What every visit of a recurring order looks like (dispatch contract job columns)."""

    service_type: str | None = None
    duration_minutes: int = Field(gt=0)
    window_minutes: int = Field(0, ge=0, description="latest_start = start + window_minutes")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    required_skills: SkillsCell = ""
    min_experience_years: float = Field(0.0, ge=0)
    required_certificates: ListCell = Field(default_factory=list)
    workers_needed: int = Field(1, ge=1)
    gender_required: Literal["F", "M"] | None = None
    language_required: ListCell = Field(default_factory=list)
    priority: int = Field(3, ge=1, le=5)
    price: Money | None = None


class OrderCreatedIn(In):
    kind: Literal["order_created"]
    customer_id: Id
    service_type: Id
    note: str = ""


class AssessmentScheduledIn(In):
    kind: Literal["assessment_scheduled"]
    at: AwareDatetime
    note: str = ""


class OrderAssessedIn(In):
    kind: Literal["order_assessed"]
    note: str = ""


class OrderQuotedIn(In):
    kind: Literal["order_quoted"]
    lines: list[QuoteLineModel] = Field(default_factory=list)
    total: Money | None = None
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


class OrderStartedIn(In):
    kind: Literal["order_started"]
    note: str = ""


class OrderCompletedIn(In):
    kind: Literal["order_completed"]
    note: str = ""


class OrderClosedIn(In):
    kind: Literal["order_closed"]
    note: str = ""


class OrderCancelledIn(In):
    kind: Literal["order_cancelled"]
    reason: Id


# --- visit ----------------------------------------------------------------------------------


class VisitCreatedIn(In):
    """A job of the dispatch contract (``entity`` is the job id)."""

    kind: Literal["visit_created"]
    order_id: str = ""
    customer_id: Id
    service_type: Id
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    earliest_start: AwareDatetime
    latest_start: AwareDatetime
    duration_minutes: int = Field(gt=0)
    required_skills: SkillsCell = ""
    min_experience_years: float = Field(0.0, ge=0)
    required_certificates: ListCell = Field(default_factory=list)
    workers_needed: int = Field(1, ge=1)
    gender_required: Literal["F", "M"] | None = None
    language_required: ListCell = Field(default_factory=list)
    priority: int = Field(3, ge=1, le=5)
    price: Money | None = None
    rework_of: str | None = None
    pinned_worker_id: ListCell = Field(default_factory=list)
    rule: str | None = None

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


class VisitSettledIn(In):
    kind: Literal["visit_settled"]
    method: PaymentMethod | None = None
    amount: Money | None = Field(None, ge=0)


class VisitFollowedUpIn(In):
    kind: Literal["visit_followed_up"]
    channel: str = "phone"
    satisfied: bool | None = None
    note: str = ""


class VisitCancelledIn(In):
    kind: Literal["visit_cancelled"]
    reason: Id
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


# --- complaint ------------------------------------------------------------------------------


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


# --- worker ---------------------------------------------------------------------------------


class _WorkerProfile(_Model):
    name: str = ""
    gender: Literal["F", "M"]
    languages: ListCell = Field(default_factory=list)
    skills: SkillsCell = ""
    experience_years: float = Field(0.0, ge=0)
    certificates: CertificatesCell = ""
    background_check: Literal["passed", "pending", "failed"] = "pending"
    background_check_expires: Annotated[date | None, BeforeValidator(_blank_to_none)] = None
    rating: Annotated[float | None, BeforeValidator(_blank_to_none), Field(ge=0, le=5)] = None
    rating_count: int = Field(0, ge=0)
    home_lat: float = Field(ge=-90, le=90)
    home_lon: float = Field(ge=-180, le=180)
    shift_start: ShiftCell = None
    shift_end: ShiftCell = None
    max_jobs: Annotated[int | None, BeforeValidator(_blank_to_none), Field(ge=0)] = None
    max_work_minutes: Annotated[int | None, BeforeValidator(_blank_to_none), Field(ge=0)] = None
    travel_mode: Literal["walk", "bike", "transit", "car"] = "transit"


class WorkerRegisteredIn(In, _WorkerProfile):
    """A worker with the dataset contract's columns (``entity`` is the worker id)."""

    kind: Literal["worker_registered"]


class WorkerUpdatedIn(In):
    """Only the columns given change; status changes have their own events."""

    kind: Literal["worker_updated"]
    name: str | None = None
    gender: Literal["F", "M"] | None = None
    languages: ListCell | None = None
    skills: SkillsCell | None = None
    experience_years: float | None = Field(None, ge=0)
    certificates: CertificatesCell | None = None
    background_check: Literal["passed", "pending", "failed"] | None = None
    background_check_expires: Annotated[date | None, BeforeValidator(_blank_to_none)] = None
    home_lat: float | None = Field(None, ge=-90, le=90)
    home_lon: float | None = Field(None, ge=-180, le=180)
    shift_start: ShiftCell = None
    shift_end: ShiftCell = None
    max_jobs: Annotated[int | None, BeforeValidator(_blank_to_none), Field(ge=0)] = None
    max_work_minutes: Annotated[int | None, BeforeValidator(_blank_to_none), Field(ge=0)] = None
    travel_mode: Literal["walk", "bike", "transit", "car"] | None = None


class ShiftModel(_Model):
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


# --- customer -------------------------------------------------------------------------------


class CustomerRegisteredIn(In):
    """A customer with the dataset contract's columns (``entity`` is the customer id)."""

    kind: Literal["customer_registered"]
    name: str = ""
    lat: Annotated[float | None, BeforeValidator(_blank_to_none), Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, BeforeValidator(_blank_to_none), Field(ge=-180, le=180)] = None
    preferred_gender: Annotated[Literal["F", "M"] | None, BeforeValidator(_blank_to_none)] = None
    preferred_languages: ListCell = Field(default_factory=list)
    preferred_workers: ListCell = Field(default_factory=list)
    blocked_workers: ListCell = Field(default_factory=list)
    previous_workers: ListCell = Field(default_factory=list)

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


EVENT_MODELS: tuple[type[In], ...] = (
    OrderCreatedIn,
    AssessmentScheduledIn,
    OrderAssessedIn,
    OrderQuotedIn,
    OrderContractedIn,
    OrderStartedIn,
    OrderCompletedIn,
    OrderClosedIn,
    OrderCancelledIn,
    VisitCreatedIn,
    VisitProposedIn,
    VisitConfirmedIn,
    VisitDeclinedIn,
    VisitWithdrawnIn,
    VisitNoShowIn,
    VisitCheckedInIn,
    VisitCompletedIn,
    VisitAcceptedIn,
    VisitReworkRequestedIn,
    VisitReworkDoneIn,
    VisitSettledIn,
    VisitFollowedUpIn,
    VisitCancelledIn,
    VisitRatedIn,
    VisitIssueReportedIn,
    ComplaintOpenedIn,
    ComplaintInvestigationStartedIn,
    ComplaintUpheldIn,
    ComplaintRejectedIn,
    WorkerRegisteredIn,
    WorkerUpdatedIn,
    WorkerAvailabilitySetIn,
    WorkerRatingUpdatedIn,
    WorkerSuspendedIn,
    WorkerReinstatedIn,
    WorkerLeaveStartedIn,
    WorkerLeaveEndedIn,
    CustomerRegisteredIn,
    CustomerUpdatedIn,
    CustomerWorkerBlockedIn,
    CustomerWorkerUnblockedIn,
)
"""One boundary model per event kind; the ``kind`` literal discriminates the union."""

EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(
    Annotated[Union[EVENT_MODELS], Field(discriminator="kind")]  # type: ignore[arg-type]  # noqa: UP007
)


KIND_NAMES: frozenset[str] = frozenset(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in EVENT_MODELS
)
