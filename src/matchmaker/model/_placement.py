"""Long placements: a customer's request for one worker over whole local dates, and the
placement fields of a worker (docs/design.md section 9).

A placement (a live-in postpartum carer for 26 days, a nanny for months) occupies a worker
for every local date from its start to its end. A request starts on a fixed date, or
around a due date: then the worker is *held* from ``days_before`` before the due date to
``days_after`` after the planned end, because the birth may come early or late. The hold is
what a worker must be free for; the planned dates are what is settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from matchmaker.model._domain import Gender, SkillRequirement
from matchmaker.model._exceptions import DomainError

__all__ = ["MAX_PLACEMENT_DAYS", "PlacementRequest"]

MAX_PLACEMENT_DAYS = 730
"""The longest placement a request may ask for (two years)."""


@dataclass(frozen=True, kw_only=True)
class PlacementRequest:
    """A customer's request for one worker over ``duration_days`` whole local dates."""

    request_id: str
    customer_id: str
    service_type: str
    start_date: date | None = None
    due_date: date | None = None
    days_before: int = 0
    """How many days before the due date the placement may have to start."""
    days_after: int = 0
    """How many days after the due date the placement may have to start."""
    duration_days: int
    live_in: bool = False
    required_skills: tuple[SkillRequirement, ...] = ()
    min_experience_years: float = 0.0
    required_certificates: tuple[str, ...] = ()
    gender_required: Gender | None = None
    language_required: tuple[str, ...] = ()
    preferred_tags: tuple[str, ...] = ()
    age_min: int | None = None
    age_max: int | None = None
    budget: Decimal | None = None
    """Monthly salary the customer will pay the worker, at most."""
    priority: int = 3
    excluded_workers: frozenset[str] = frozenset()
    """Workers who may not be matched (declined at interview, replaced on this request)."""

    def __post_init__(self) -> None:
        if not self.request_id:
            raise DomainError("request_id must not be empty")
        if (self.start_date is None) == (self.due_date is None):
            raise DomainError(
                f"placement request {self.request_id}: give start_date or due_date, one of them"
            )
        if self.start_date is not None and (self.days_before or self.days_after):
            raise DomainError(
                f"placement request {self.request_id}: days_before/days_after need a due_date"
            )
        if self.days_before < 0 or self.days_after < 0:
            raise DomainError(f"placement request {self.request_id}: negative uncertainty")
        if not 1 <= self.duration_days <= MAX_PLACEMENT_DAYS:
            raise DomainError(
                f"placement request {self.request_id}: duration_days {self.duration_days} is "
                f"outside 1..{MAX_PLACEMENT_DAYS}"
            )
        if not 1 <= self.priority <= 5:
            raise DomainError(f"placement request {self.request_id}: priority outside 1..5")
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise DomainError(f"placement request {self.request_id}: age_min > age_max")

    @property
    def start(self) -> date:
        """The planned first day: the start date, or the due date."""
        start = self.start_date if self.start_date is not None else self.due_date
        assert start is not None  # __post_init__ guarantees one of them
        return start

    @property
    def end(self) -> date:
        """The planned last day (inclusive)."""
        return self.start + timedelta(days=self.duration_days - 1)

    @property
    def hold_start(self) -> date:
        """First day the worker is held: ``days_before`` before the due date."""
        return self.start - timedelta(days=self.days_before)

    @property
    def hold_end(self) -> date:
        """Last day the worker is held: the planned end plus ``days_after``."""
        return self.end + timedelta(days=self.days_after)

    @property
    def is_tentative(self) -> bool:
        """The dates depend on a due date with an uncertainty window."""
        return self.due_date is not None and bool(self.days_before or self.days_after)
