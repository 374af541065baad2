"""A worker's placement fields: the optional placement columns of ``workers``.

Kept apart from :mod:`matchmaker.model._placement` so that :class:`~matchmaker.model.Worker`
can carry it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from matchmaker.model._exceptions import DomainError

__all__ = ["PlacementProfile"]


@dataclass(frozen=True, kw_only=True)
class PlacementProfile:
    """A worker's placement fields (optional columns of ``workers``); all blank by default.

    The worker's skills and certificates are the ordinary ``skills`` and ``certificates``
    columns (``postpartum_care:4``, ``maternity_care:2027-05-01``).
    """

    current_placement_end: date | None = None
    """Last day of the placement the worker is in now, if any."""
    earliest_free_date: date | None = None
    """First day the worker is available for a new placement (holidays, notice)."""
    salary_expectation: Decimal | None = None
    """Monthly salary the worker expects, in the dataset's currency."""
    live_in_willing: bool = False
    tags: frozenset[str] = frozenset()
    """Free tags: cooking styles, dialects, anything a request may prefer."""
    birth_year: int | None = None

    def __post_init__(self) -> None:
        if self.salary_expectation is not None and self.salary_expectation < 0:
            raise DomainError("salary_expectation must be >= 0")

    @property
    def free_from(self) -> date | None:
        """First date the worker may start a new placement, ``None`` when always free."""
        days = []
        if self.current_placement_end is not None:
            days.append(self.current_placement_end + timedelta(days=1))
        if self.earliest_free_date is not None:
            days.append(self.earliest_free_date)
        return max(days) if days else None
