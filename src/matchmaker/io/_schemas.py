"""Row models of the input tables (dataset contract v1, docs/design.md section 6).

One pydantic model per table validates one row, cell by cell: every cell arrives as text
(blank cells are left out, so the field default applies) and is parsed by its cell type
(:mod:`matchmaker.io._cell_types`), whose message names what is wrong and what is
expected. Rules that span several cells or rows live in :mod:`matchmaker.io._checks`. The
JSON Schema of each model documents the table (``matchmaker schema``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from matchmaker.io._cell_types import (
    Age,
    BackgroundCheckCell,
    BirthYear,
    BreakRules,
    Certificates,
    Count,
    Days,
    Duration,
    Flag,
    GapMinutes,
    GenderCell,
    Identifier,
    Latitude,
    Limit,
    LinkWorkerCell,
    Longitude,
    Moment,
    Money,
    OptionalDate,
    OptionalGender,
    OptionalIdentifier,
    OptionalLatitude,
    OptionalLongitude,
    OptionalMoment,
    PlacementDays,
    Priority,
    Rating,
    SkillRequirements,
    Skills,
    StatusCell,
    TeamSize,
    Text,
    TravelModeCell,
    WordList,
    WordSet,
    WorkerIds,
    WorkerIdSet,
    Years,
)
from matchmaker.model import (
    BackgroundCheckStatus,
    LinkWorker,
    TravelMode,
    WorkerStatus,
)

__all__ = [
    "EXTENSION_COLUMNS",
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "ROW_MODELS",
    "TABLE_NAMES",
    "AvailabilityRow",
    "CustomerRow",
    "JobRow",
    "PlacementRequestRow",
    "WorkerRow",
    "contract_columns",
    "input_json_schemas",
    "required_columns",
]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkerRow(_Row):
    """workers (required): one row per worker, with one optional shift."""

    worker_id: Identifier = Field(description="unique id of the worker")
    name: Text = ""
    gender: GenderCell
    languages: WordSet = frozenset()
    skills: Skills = Field(default_factory=dict)
    experience_years: Years = 0.0
    certificates: Certificates = ()
    background_check: BackgroundCheckCell = BackgroundCheckStatus.PENDING
    background_check_expires: OptionalDate = Field(None, description="blank = no expiry")
    rating: Rating = None
    rating_count: Count = 0
    home_lat: Latitude
    home_lon: Longitude
    shift_start: OptionalMoment = Field(None, description="overridden by availability rows")
    shift_end: OptionalMoment = Field(None, description="overridden by availability rows")
    max_jobs: Limit = None
    max_work_minutes: Limit = None
    travel_mode: TravelModeCell = TravelMode.TRANSIT
    status: StatusCell = WorkerStatus.ACTIVE
    # Placement fields (optional; used by matchmaker placements only).
    current_placement_end: OptionalDate = Field(
        None, description="last day of the current placement"
    )
    earliest_free_date: OptionalDate = Field(None, description="first day free for a placement")
    salary_expectation: Money = None
    live_in_willing: Flag = Field(False, description="true = will live in")
    tags: WordSet = Field(
        frozenset(), description="';' list of cooking styles, dialects, ..., e.g. cantonese;sichuan"
    )
    birth_year: BirthYear = None
    # Limits across days (optional; blank = the dataset.toml [limits] default).
    max_week_minutes: Limit = Field(None, description="per calendar week (Mon-Sun)")
    min_rest_minutes: Limit = Field(None, description="between two shifts' work")
    max_consecutive_days: Limit = Field(None, description="local dates in a row with work")
    # Break rules (optional; blank = every [[breaks]] rule of dataset.toml).
    breaks: BreakRules = None


class CustomerRow(_Row):
    """customers (optional): one row per customer."""

    customer_id: Identifier = Field(description="unique id of the customer")
    name: Text = ""
    lat: OptionalLatitude = None
    lon: OptionalLongitude = None
    preferred_gender: OptionalGender = None
    preferred_languages: WordList = Field((), description="';' list, e.g. mandarin;english")
    preferred_workers: WorkerIds = ()
    blocked_workers: WorkerIdSet = frozenset()
    previous_workers: WorkerIds = Field((), description="most recent first")
    address: Text = Field("", description="street address, shown in plans (blank = none)")
    district: Text = Field("", description="district or area, shown in plans (blank = none)")
    max_distinct_workers: Limit = Field(
        None, description="most different workers over the round (blank = [limits] default)"
    )


class JobRow(_Row):
    """jobs (required): one row per visit to serve."""

    job_id: Identifier = Field(description="unique id of the visit")
    order_id: Text = ""
    customer_id: Identifier
    service_type: Text
    lat: OptionalLatitude = Field(None, description="blank = the customer's location")
    lon: OptionalLongitude = Field(None, description="blank = the customer's location")
    earliest_start: Moment
    latest_start: Moment
    duration_minutes: Duration
    required_skills: SkillRequirements = ()
    min_experience_years: Years = 0.0
    required_certificates: WordList = Field((), description="';' list, e.g. health;nursing")
    workers_needed: TeamSize = 1
    gender_required: OptionalGender = None
    language_required: WordList = Field(
        (), description="';' list of languages the worker must all speak"
    )
    priority: Priority = 3
    pinned_worker_id: WorkerIds = Field((), description="';' list for a team")
    pinned_start: OptionalMoment = Field(None, description="needs pinned_worker_id")
    excluded_workers: WorkerIdSet = Field(
        frozenset(), description="workers who declined this visit"
    )
    needs_car: Flag = Field(False, description="true = only a worker travelling by car")
    address: Text = Field("", description="blank = the customer's address")
    district: Text = Field("", description="blank = the customer's district")
    # Home-care rules (optional; see datasets/README.md).
    due_start: OptionalMoment = Field(
        None, description="soft latest start: each minute later costs lateness; blank = none"
    )
    depends_on: OptionalIdentifier = Field(
        None, description="job id this linked visit follows; blank = not linked"
    )
    min_gap: GapMinutes = Field(None, description="least minutes after depends_on's start")
    max_gap: GapMinutes = Field(None, description="most minutes after depends_on's start")
    link_worker: LinkWorkerCell = LinkWorker.ANY


class PlacementRequestRow(_Row):
    """placement_requests (optional): one row per long placement to match."""

    request_id: Identifier = Field(description="unique id of the request")
    customer_id: Identifier
    service_type: Text
    start_date: OptionalDate = Field(None, description="first day; or give due_date")
    due_date: OptionalDate = Field(None, description="expected birth date; or give start_date")
    days_before: Days = Field(0, description="days the birth may come before due_date")
    days_after: Days = Field(0, description="days the birth may come after due_date")
    duration_days: PlacementDays
    live_in: Flag = Field(False, description="true = the worker lives in")
    required_skills: SkillRequirements = ()
    min_experience_years: Years = 0.0
    required_certificates: WordList = Field((), description="';' list, e.g. maternity_care")
    gender_required: OptionalGender = None
    language_required: WordList = Field((), description="';' list the worker must all speak")
    preferred_tags: WordList = Field((), description="';' list, e.g. cantonese;soup")
    age_min: Age = None
    age_max: Age = None
    budget: Money = None
    priority: Priority = 3
    excluded_workers: WorkerIdSet = Field(
        frozenset(), description="declined at interview or replaced on this request"
    )


class AvailabilityRow(_Row):
    """availability (optional): one row per shift; replaces the worker's shift_start/shift_end."""

    worker_id: Identifier
    start: Moment
    end: Moment


ROW_MODELS: dict[str, type[_Row]] = {
    "workers": WorkerRow,
    "customers": CustomerRow,
    "jobs": JobRow,
    "availability": AvailabilityRow,
    "placement_requests": PlacementRequestRow,
}
TABLE_NAMES: tuple[str, ...] = tuple(ROW_MODELS)
REQUIRED_TABLES: tuple[str, ...] = ("workers", "jobs")
OPTIONAL_TABLES: tuple[str, ...] = ("customers", "availability", "placement_requests")


EXTENSION_COLUMNS: dict[str, tuple[str, ...]] = {
    "jobs": (
        "excluded_workers",
        "address",
        "district",
        "due_start",
        "depends_on",
        "min_gap",
        "max_gap",
        "link_worker",
    ),
    "customers": ("address", "district", "max_distinct_workers"),
    "workers": ("max_week_minutes", "min_rest_minutes", "max_consecutive_days", "breaks"),
}
"""Optional columns beyond dataset contract v1 that the loader also reads."""


def contract_columns(table: str) -> tuple[str, ...]:
    """The columns of dataset contract v1 for ``table``, in contract order."""
    extensions = EXTENSION_COLUMNS.get(table, ())
    return tuple(name for name in ROW_MODELS[table].model_fields if name not in extensions)


def required_columns(table: str) -> tuple[str, ...]:
    """Columns the table must have (the fields without a default)."""
    fields = ROW_MODELS[table].model_fields
    return tuple(name for name, info in fields.items() if info.is_required())


def input_json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of one row of each input table, by table name."""
    return {name: model.model_json_schema() for name, model in ROW_MODELS.items()}
