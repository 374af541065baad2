"""What a placement round returns: placements, shortlists, unfilled requests and KPIs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

__all__ = [
    "PLACEMENT_COLUMNS",
    "SHORTLIST_COLUMNS",
    "UNFILLED_COLUMNS",
    "Placement",
    "PlacementPlan",
    "ShortlistEntry",
    "Unfilled",
]

PLACEMENT_COLUMNS = ("request_id", "worker_id", "start_date", "end_date", "match_score", "reason")
SHORTLIST_COLUMNS = ("request_id", "rank", "worker_id", "match_score", "reason")
UNFILLED_COLUMNS = ("request_id", "reason_code", "reason")


@dataclass(frozen=True, kw_only=True)
class Placement:
    """One worker placed on one request, over whole local dates (``end_date`` inclusive)."""

    request_id: str
    worker_id: str
    start_date: date
    end_date: date
    hold_start: date
    """First day the worker is held (before ``start_date`` around a due date)."""
    hold_end: date
    match_score: float
    components: Mapping[str, float] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class ShortlistEntry:
    """One candidate on one request's shortlist, ``rank`` 1 the best."""

    request_id: str
    rank: int
    worker_id: str
    match_score: float
    components: Mapping[str, float] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Unfilled:
    """A request with no placement (or fewer candidates than asked), and why."""

    request_id: str
    reason_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class PlacementPlan:
    """The outcome of :func:`match_placements` or :func:`shortlist`.

    A matching round fills ``placements``; a shortlist round fills ``shortlists``; both
    list in ``unfilled`` every request left without a worker (or short of candidates).
    """

    mode: str
    """``"match"`` or ``"shortlist"``."""
    placements: tuple[Placement, ...] = ()
    shortlists: tuple[ShortlistEntry, ...] = ()
    unfilled: tuple[Unfilled, ...] = ()
    kpis: Mapping[str, Any] = field(default_factory=dict)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """``placements``, ``shortlists`` and ``unfilled`` in their file columns."""
        placements = pd.DataFrame(
            [
                {
                    "request_id": p.request_id,
                    "worker_id": p.worker_id,
                    "start_date": p.start_date.isoformat(),
                    "end_date": p.end_date.isoformat(),
                    "match_score": round(p.match_score, 2),
                    "reason": p.reason,
                }
                for p in self.placements
            ],
            columns=list(PLACEMENT_COLUMNS),
        )
        shortlists = pd.DataFrame(
            [
                {
                    "request_id": s.request_id,
                    "rank": s.rank,
                    "worker_id": s.worker_id,
                    "match_score": round(s.match_score, 2),
                    "reason": s.reason,
                }
                for s in self.shortlists
            ],
            columns=list(SHORTLIST_COLUMNS),
        )
        unfilled = pd.DataFrame(
            [
                {"request_id": u.request_id, "reason_code": u.reason_code, "reason": u.reason}
                for u in self.unfilled
            ],
            columns=list(UNFILLED_COLUMNS),
        )
        return {"placements": placements, "shortlists": shortlists, "unfilled": unfilled}

    def shortlist_of(self, request_id: str) -> tuple[ShortlistEntry, ...]:
        """The candidates of one request, best first."""
        return tuple(s for s in self.shortlists if s.request_id == request_id)
