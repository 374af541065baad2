"""The dispatch domain in human units: workers, customers, jobs and the dataset holding them.

Plain frozen, keyword-only dataclasses. Datetimes are timezone-aware; durations are
whole minutes. No solver detail lives here. Constructors check their own invariants and
raise :class:`~matchmaker.model.DomainError`; validating files (with row and column)
is the job of :mod:`matchmaker.io`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING

from matchmaker.model._breaks import check_worker_breaks
from matchmaker.model._exceptions import DomainError
from matchmaker.model._linked import check_dataset_links, check_job_rules
from matchmaker.model._profile import PlacementProfile
from matchmaker.model._settings import DatasetSettings
from matchmaker.model._time import elapsed_minutes, utc

if TYPE_CHECKING:
    from matchmaker.model._placement import PlacementRequest

__all__ = [
    "BackgroundCheck",
    "BackgroundCheckStatus",
    "Certificate",
    "Customer",
    "Dataset",
    "Gender",
    "Job",
    "LinkWorker",
    "Location",
    "Shift",
    "SkillRequirement",
    "TimeWindow",
    "TravelMode",
    "Worker",
    "WorkerStatus",
]


class Gender(enum.StrEnum):
    FEMALE = "F"
    MALE = "M"


class BackgroundCheckStatus(enum.StrEnum):
    PASSED = "passed"
    PENDING = "pending"
    FAILED = "failed"


class TravelMode(enum.StrEnum):
    WALK = "walk"
    BIKE = "bike"
    TRANSIT = "transit"
    CAR = "car"


class LinkWorker(enum.StrEnum):
    """Who serves a linked visit relative to the visit it depends on."""

    SAME = "same"
    DIFFERENT = "different"
    ANY = "any"


class WorkerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ON_LEAVE = "on_leave"


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise DomainError(f"{name} must be timezone-aware, got {value.isoformat()}")


@dataclass(frozen=True, kw_only=True, slots=True)
class Location:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.lat <= 90.0:
            raise DomainError(f"latitude {self.lat} is outside -90..90")
        if not -180.0 <= self.lon <= 180.0:
            raise DomainError(f"longitude {self.lon} is outside -180..180")


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeWindow:
    """A closed interval ``[start, end]`` of timezone-aware datetimes (``end >= start``)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware("start", self.start)
        _require_aware("end", self.end)
        if utc(self.end) < utc(self.start):
            raise DomainError(
                f"time window ends ({self.end.isoformat()}) before it starts "
                f"({self.start.isoformat()})"
            )


@dataclass(frozen=True, kw_only=True, slots=True)
class Shift:
    """One working period of a worker; the job must start and end inside it."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware("shift start", self.start)
        _require_aware("shift end", self.end)
        if utc(self.end) <= utc(self.start):
            raise DomainError(
                f"shift end {self.end.isoformat()} is not after its start {self.start.isoformat()}"
            )

    @property
    def minutes(self) -> int:
        return int(elapsed_minutes(self.start, self.end))


@dataclass(frozen=True, kw_only=True, slots=True)
class SkillRequirement:
    """A skill a job needs, at ``level`` (1-5) or above."""

    name: str
    level: int

    def __post_init__(self) -> None:
        if not self.name:
            raise DomainError("skill name must not be empty")
        if not 1 <= self.level <= 5:
            raise DomainError(f"skill level {self.level} for {self.name!r} is outside 1..5")

    def __str__(self) -> str:
        return f"{self.name}>={self.level}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Certificate:
    """A certificate a worker holds, valid up to and including ``expires``."""

    name: str
    expires: date

    def valid_on(self, day: date) -> bool:
        return day <= self.expires


@dataclass(frozen=True, kw_only=True, slots=True)
class BackgroundCheck:
    status: BackgroundCheckStatus
    expires: date | None = None

    def valid_on(self, day: date) -> bool:
        """Passed and not expired on ``day`` (no expiry date means it never expires)."""
        if self.status is not BackgroundCheckStatus.PASSED:
            return False
        return self.expires is None or day <= self.expires


def _frozen_mapping(values: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, kw_only=True)
class Worker:
    worker_id: str
    name: str
    gender: Gender
    languages: frozenset[str] = frozenset()
    skills: Mapping[str, int] = field(default_factory=dict)
    experience_years: float = 0.0
    certificates: tuple[Certificate, ...] = ()
    background_check: BackgroundCheck = BackgroundCheck(status=BackgroundCheckStatus.PENDING)
    rating: float | None = None
    rating_count: int = 0
    home: Location
    shifts: tuple[Shift, ...] = ()
    max_jobs: int | None = None
    max_work_minutes: int | None = None
    travel_mode: TravelMode = TravelMode.TRANSIT
    status: WorkerStatus = WorkerStatus.ACTIVE
    placement: PlacementProfile = field(default_factory=PlacementProfile)
    """Placement fields (optional columns of ``workers``); blank for a visits-only worker."""
    max_week_minutes: int | None = None
    """Most work minutes in one calendar week (Monday to Sunday, local dates); ``None``:
    the dataset's ``[limits]`` default, else no limit."""
    min_rest_minutes: int | None = None
    """Least minutes between the last job of one shift and the first job of the next."""
    max_consecutive_days: int | None = None
    """Most local dates in a row with work."""
    breaks: tuple[str, ...] | None = None
    """Names of the dataset's break rules (``[[breaks]]``) that apply to this worker;
    ``None``: every rule, ``()``: none."""

    def __post_init__(self) -> None:
        if not self.worker_id:
            raise DomainError("worker_id must not be empty")
        object.__setattr__(self, "skills", _frozen_mapping(self.skills))
        for skill, level in self.skills.items():
            if not 1 <= level <= 5:
                raise DomainError(
                    f"worker {self.worker_id}: skill level {level} for {skill!r} is outside 1..5"
                )
        if self.experience_years < 0:
            raise DomainError(f"worker {self.worker_id}: experience_years must be >= 0")
        if self.rating is not None and not 0.0 <= self.rating <= 5.0:
            raise DomainError(f"worker {self.worker_id}: rating {self.rating} is outside 0..5")
        if self.rating_count < 0:
            raise DomainError(f"worker {self.worker_id}: rating_count must be >= 0")
        if self.max_jobs is not None and self.max_jobs < 0:
            raise DomainError(f"worker {self.worker_id}: max_jobs must be >= 0")
        if self.max_work_minutes is not None and self.max_work_minutes < 0:
            raise DomainError(f"worker {self.worker_id}: max_work_minutes must be >= 0")
        for name in ("max_week_minutes", "min_rest_minutes", "max_consecutive_days"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise DomainError(f"worker {self.worker_id}: {name} must be >= 0")
        ordered = sorted(self.shifts, key=lambda s: utc(s.start))
        for before, after in pairwise(ordered):
            if utc(after.start) < utc(before.end):
                raise DomainError(f"worker {self.worker_id}: shifts overlap at {after.start}")
        object.__setattr__(self, "shifts", tuple(ordered))

    def __getstate__(self) -> dict[str, object]:
        # A mapping proxy cannot be pickled; the skills travel as a plain dict, so that a
        # dataset can go to a process pool (matchmaker.compare with any executor).
        state = dict(self.__dict__)
        state["skills"] = dict(self.skills)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "skills", _frozen_mapping(self.skills))

    def skill_level(self, skill: str) -> int:
        """The worker's level in ``skill``, 0 when the worker lacks it."""
        return self.skills.get(skill, 0)

    def certificate(self, name: str) -> Certificate | None:
        return next((c for c in self.certificates if c.name == name), None)


@dataclass(frozen=True, kw_only=True, slots=True)
class Customer:
    customer_id: str
    name: str = ""
    location: Location | None = None
    preferred_gender: Gender | None = None
    preferred_languages: tuple[str, ...] = ()
    preferred_workers: tuple[str, ...] = ()
    blocked_workers: frozenset[str] = frozenset()
    previous_workers: tuple[str, ...] = ()
    """Workers who served this customer before, most recent first."""
    address: str = ""
    """Street address, only shown to people (plans, reports); no rule reads it."""
    district: str = ""
    """District or area, only shown to people (plans, reports); no rule reads it."""
    max_distinct_workers: int | None = None
    """Most different workers serving this customer over the round (hard); ``None``: the
    dataset's ``[limits]`` default, else no limit."""

    def __post_init__(self) -> None:
        if not self.customer_id:
            raise DomainError("customer_id must not be empty")
        if self.max_distinct_workers is not None and self.max_distinct_workers < 0:
            raise DomainError(f"customer {self.customer_id}: max_distinct_workers must be >= 0")


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    """One visit to serve: ``workers_needed`` workers start together inside ``window``.

    ``window`` bounds the start time (``earliest_start`` to ``latest_start``).
    ``location`` is resolved: a job with a blank location takes its customer's.
    """

    job_id: str
    order_id: str = ""
    customer_id: str
    service_type: str
    location: Location
    window: TimeWindow
    duration_minutes: int
    required_skills: tuple[SkillRequirement, ...] = ()
    min_experience_years: float = 0.0
    required_certificates: tuple[str, ...] = ()
    workers_needed: int = 1
    gender_required: Gender | None = None
    language_required: tuple[str, ...] = ()
    """Languages the worker must speak (all of them)."""
    priority: int = 3
    pinned_worker_ids: tuple[str, ...] = ()
    pinned_start: datetime | None = None
    excluded_workers: frozenset[str] = frozenset()
    """Workers who may not serve this visit (they declined it); optional column."""
    needs_car: bool = False
    """The worker must come by car (equipment to bring, a place without transit)."""
    address: str = ""
    """Resolved like ``location``: the job's own, else its customer's; only shown to people."""
    district: str = ""
    """Resolved like ``location``: the job's own, else its customer's; only shown to people."""
    due_start: datetime | None = None
    """Soft end of the window: each minute the start is later costs lateness (policy)."""
    depends_on: str | None = None
    """Linked visit: the job this one follows; it is served only when that one is."""
    min_gap: int | None = None
    """Least minutes from the start of ``depends_on`` to this job's start (blank = 0)."""
    max_gap: int | None = None
    """Most minutes from the start of ``depends_on`` to this job's start (blank = no limit)."""
    link_worker: LinkWorker = LinkWorker.ANY
    """Whether this job and ``depends_on`` get the same worker, different ones, or any."""

    def __post_init__(self) -> None:
        if not self.job_id:
            raise DomainError("job_id must not be empty")
        check_job_rules(self)
        if self.duration_minutes <= 0:
            raise DomainError(f"job {self.job_id}: duration_minutes must be > 0")
        if self.workers_needed < 1:
            raise DomainError(f"job {self.job_id}: workers_needed must be >= 1")
        if not 1 <= self.priority <= 5:
            raise DomainError(f"job {self.job_id}: priority {self.priority} is outside 1..5")
        if self.min_experience_years < 0:
            raise DomainError(f"job {self.job_id}: min_experience_years must be >= 0")
        if len(self.pinned_worker_ids) > self.workers_needed:
            raise DomainError(
                f"job {self.job_id}: {len(self.pinned_worker_ids)} pinned workers but only "
                f"{self.workers_needed} needed"
            )
        if self.pinned_start is not None:
            _require_aware("pinned_start", self.pinned_start)

    @property
    def earliest_start(self) -> datetime:
        return self.window.start

    @property
    def latest_start(self) -> datetime:
        return self.window.end

    @property
    def is_pinned(self) -> bool:
        return bool(self.pinned_worker_ids)

    def unlinked(self) -> Job:
        """This job following no other visit (``depends_on`` and its gap and worker rule
        cleared): for a check that reads the job without the visit it follows."""
        return replace(
            self, depends_on=None, min_gap=None, max_gap=None, link_worker=LinkWorker.ANY
        )

    def unpinned(self) -> Job:
        """This job with its pin released (no pinned worker, no pinned start): free to be
        dispatched to any worker who may serve it."""
        return replace(self, pinned_worker_ids=(), pinned_start=None)


def _index(items: Iterable[object], key: str, kind: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, item in enumerate(items):
        ident = getattr(item, key)
        if ident in index:
            raise DomainError(f"duplicate {kind} id {ident!r}")
        index[ident] = position
    return index


@dataclass(frozen=True, kw_only=True)
class Dataset:
    """The workers, customers and jobs of one dispatch round, with lookups by id.

    Build it through :func:`matchmaker.load_dataset` to get file-level validation;
    constructing it directly checks ids are unique and references resolve.
    """

    workers: tuple[Worker, ...]
    jobs: tuple[Job, ...]
    customers: tuple[Customer, ...] = ()
    settings: DatasetSettings = field(default_factory=DatasetSettings)
    placement_requests: tuple[PlacementRequest, ...] = ()
    """Long placements to match (optional table ``placement_requests``)."""
    _worker_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _job_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _customer_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "workers", tuple(self.workers))
        object.__setattr__(self, "jobs", tuple(self.jobs))
        object.__setattr__(self, "customers", tuple(self.customers))
        object.__setattr__(self, "_worker_index", _index(self.workers, "worker_id", "worker"))
        object.__setattr__(self, "_job_index", _index(self.jobs, "job_id", "job"))
        object.__setattr__(
            self, "_customer_index", _index(self.customers, "customer_id", "customer")
        )
        object.__setattr__(self, "placement_requests", tuple(self.placement_requests))
        _index(self.placement_requests, "request_id", "placement request")
        for request in self.placement_requests:
            if self.customers and request.customer_id not in self._customer_index:
                raise DomainError(
                    f"placement request {request.request_id}: unknown customer "
                    f"{request.customer_id!r}"
                )
        check_dataset_links(self.jobs, self._job_index)
        check_worker_breaks(self.workers, self.settings.breaks)
        for job in self.jobs:
            if self.customers and job.customer_id not in self._customer_index:
                raise DomainError(f"job {job.job_id}: unknown customer {job.customer_id!r}")
            for worker_id in job.pinned_worker_ids:
                if worker_id not in self._worker_index:
                    raise DomainError(f"job {job.job_id}: unknown pinned worker {worker_id!r}")
                if worker_id in job.excluded_workers:
                    raise DomainError(
                        f"job {job.job_id}: worker {worker_id!r} is pinned and excluded"
                    )

    def worker(self, worker_id: str) -> Worker:
        return self.workers[self._worker_index[worker_id]]

    def job(self, job_id: str) -> Job:
        return self.jobs[self._job_index[job_id]]

    def customer(self, customer_id: str) -> Customer | None:
        """The customer, or ``None`` when the dataset has no row for it."""
        position = self._customer_index.get(customer_id)
        return None if position is None else self.customers[position]

    def worker_position(self, worker_id: str) -> int:
        return self._worker_index[worker_id]

    def job_position(self, job_id: str) -> int:
        return self._job_index[job_id]

    def has_worker(self, worker_id: str) -> bool:
        return worker_id in self._worker_index

    def has_job(self, job_id: str) -> bool:
        return job_id in self._job_index
