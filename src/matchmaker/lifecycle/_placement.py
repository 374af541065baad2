"""The placement entity: a long placement from request to completion (docs/ops.md).

requested -> shortlisted -> interviewing -> selected -> contracted -> started ->
completed, with declines at interview (the worker is excluded from the next shortlist),
replacement (back to requested, the replaced worker excluded), a moved due date, monthly
settlements and follow-ups. Its events' payload models are in
:mod:`matchmaker.lifecycle._placement_schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from matchmaker.lifecycle._entity_base import (
    append_unique,
    evolve,
    money_or_none,
    parse_time,
    split_cell,
)
from matchmaker.lifecycle._events import Event
from matchmaker.lifecycle._states import NEW, PLACEMENT_TABLE, PlacementState
from matchmaker.model import (
    DomainError,
    Gender,
    LifecycleError,
    PlacementRequest,
    SkillRequirement,
)

__all__ = ["PlacementRecord", "PlacementSettlement", "Stint"]


@dataclass(frozen=True, kw_only=True)
class Stint:
    """One worker's time on the placement: from ``first`` to ``last`` (``None``: still on)."""

    worker_id: str
    first: date
    last: date | None = None
    monthly_salary: Decimal
    """The salary of the contract the worker started under."""
    service_fee_rate: Decimal


@dataclass(frozen=True, kw_only=True)
class PlacementSettlement:
    """One month's settlement of one worker's days (docs/ops.md, "Placements")."""

    month: str
    worker_id: str
    days: int
    salary: Decimal
    service_fee: Decimal


def _date(value: Any) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


def _request(entity_id: str, p: dict[str, Any]) -> PlacementRequest:
    skills = tuple(
        SkillRequirement(name=name, level=int(level))
        for name, _, level in (item.partition(":") for item in split_cell(p.get("required_skills")))
    )
    gender = p.get("gender_required")
    budget = money_or_none(p.get("budget"))
    try:
        return PlacementRequest(
            request_id=entity_id,
            customer_id=str(p["customer_id"]),
            service_type=str(p["service_type"]),
            start_date=_date(p.get("start_date")),
            due_date=_date(p.get("due_date")),
            days_before=int(p.get("days_before") or 0),
            days_after=int(p.get("days_after") or 0),
            duration_days=int(p["duration_days"]),
            live_in=bool(p.get("live_in")),
            required_skills=skills,
            min_experience_years=float(p.get("min_experience_years") or 0.0),
            required_certificates=split_cell(p.get("required_certificates")),
            gender_required=None if gender is None else Gender(str(gender)),
            language_required=split_cell(p.get("language_required")),
            preferred_tags=split_cell(p.get("preferred_tags")),
            age_min=None if p.get("age_min") is None else int(p["age_min"]),
            age_max=None if p.get("age_max") is None else int(p["age_max"]),
            budget=budget,
            priority=int(p.get("priority") or 3),
        )
    except DomainError as error:
        raise LifecycleError(str(error)) from None


@dataclass(frozen=True, kw_only=True)
class PlacementRecord:
    """A long placement: the request, its shortlists and interviews, its workers and money."""

    placement_id: str
    state: PlacementState
    request: PlacementRequest
    requested_at: datetime
    candidates: tuple[str, ...] = ()
    """The open shortlist (declined candidates leave it)."""
    shortlists: int = 0
    interviews: tuple[tuple[str, datetime], ...] = ()
    declined: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    worker_id: str | None = None
    """The selected (then contracted, started) worker."""
    monthly_salary: Decimal | None = None
    service_fee_rate: Decimal | None = None
    contracted_at: datetime | None = None
    filled_at: datetime | None = None
    """When the placement was first contracted (time to fill ends here)."""
    stints: tuple[Stint, ...] = ()
    end_date: date | None = None
    settlements: tuple[PlacementSettlement, ...] = ()
    followed_up: tuple[str, ...] = ()
    cancelled_at: datetime | None = None

    @property
    def excluded(self) -> frozenset[str]:
        """Workers who may not be shortlisted again: declined ones and replaced ones."""
        return frozenset(self.declined) | frozenset(self.replaced)

    @property
    def matching_request(self) -> PlacementRequest:
        """The request as the next shortlist sees it: declined and replaced workers
        excluded, and after a replacement only the days left, from the day after the
        replaced worker's last day to the planned end, on fixed dates (the birth is past)."""
        request = replace(self.request, excluded_workers=self.excluded)
        if not self.stints or self.stints[-1].last is None:
            return request
        first = self.stints[-1].last + timedelta(days=1)
        left = (self.planned_end - first).days + 1
        if left < 1:
            return request
        return replace(
            request,
            start_date=first,
            due_date=None,
            days_before=0,
            days_after=0,
            duration_days=left,
        )

    @classmethod
    def create(cls, event: Event) -> PlacementRecord:
        state = PLACEMENT_TABLE.target(NEW, event.kind, entity_id=event.entity_id)
        return cls(
            placement_id=event.entity_id,
            state=PlacementState(state),
            request=_request(event.entity_id, dict(event.payload)),
            requested_at=event.time,
        )

    def apply(self, event: Event) -> PlacementRecord:
        state = PlacementState(
            PLACEMENT_TABLE.target(self.state, event.kind, entity_id=self.placement_id)
        )
        handler = getattr(self, "_on_" + event.kind.removeprefix("placement_"))
        changes: dict[str, Any] = handler(event)
        return evolve(self, state=state, **changes)

    def _fail(self, message: str) -> LifecycleError:
        return LifecycleError(f"placement {self.placement_id}: {message}")

    def _on_shortlisted(self, event: Event) -> dict[str, Any]:
        candidates = split_cell(event.get("candidates"))
        again = sorted(set(candidates) & self.excluded)
        if again:
            raise self._fail(f"{', '.join(again)} declined or was replaced; not shortlisted again")
        return {"candidates": candidates, "shortlists": self.shortlists + 1}

    def _candidate(self, event: Event) -> str:
        worker_id = str(event.get("worker_id"))
        if worker_id not in self.candidates:
            raise self._fail(f"{worker_id} is not on the shortlist {list(self.candidates)}")
        return worker_id

    def _on_interview_scheduled(self, event: Event) -> dict[str, Any]:
        worker_id = self._candidate(event)
        at = parse_time(event.get("at"))
        return {"interviews": (*self.interviews, (worker_id, at))}

    def _on_candidate_declined(self, event: Event) -> dict[str, Any]:
        worker_id = self._candidate(event)
        return {
            "candidates": tuple(c for c in self.candidates if c != worker_id),
            "declined": append_unique(self.declined, worker_id),
        }

    def _on_selected(self, event: Event) -> dict[str, Any]:
        worker_id = self._candidate(event)
        if worker_id not in {w for w, _ in self.interviews}:
            raise self._fail(f"{worker_id} was not interviewed")
        return {"worker_id": worker_id}

    def _on_contracted(self, event: Event) -> dict[str, Any]:
        return {
            "monthly_salary": money_or_none(event.get("monthly_salary")),
            "service_fee_rate": Decimal(str(event.get("service_fee_rate"))),
            "contracted_at": event.time,
            "filled_at": self.filled_at or event.time,
        }

    def _on_started(self, event: Event) -> dict[str, Any]:
        # selected and contracted before it starts
        assert self.worker_id is not None
        assert self.monthly_salary is not None and self.service_fee_rate is not None
        first = _date(event.get("start_date")) or self.matching_request.start
        last = self.stints[-1].last if self.stints else None
        if last is not None and first <= last:
            # The replacement was matched to the days after it; the customer would pay
            # twice for the days in common.
            raise self._fail(
                f"start_date {first} is on or before {self.stints[-1].worker_id}'s last day "
                f"{last}; the new worker starts on {last + timedelta(days=1)} at the earliest"
            )
        stint = Stint(
            worker_id=self.worker_id,
            first=first,
            monthly_salary=self.monthly_salary,
            service_fee_rate=self.service_fee_rate,
        )
        return {"stints": (*self.stints, stint)}

    def _on_replacement_requested(self, event: Event) -> dict[str, Any]:
        assert self.worker_id is not None
        stints = self.stints
        if stints and stints[-1].last is None:
            last = _date(event.get("last_day")) or event.time.date()
            if last < stints[-1].first:
                raise self._fail(f"last_day {last} is before the stint's first day")
            stints = (*stints[:-1], replace(stints[-1], last=last))
        return {
            "replaced": append_unique(self.replaced, self.worker_id),
            "worker_id": None,
            "candidates": (),
            "stints": stints,
        }

    def _on_due_date_moved(self, event: Event) -> dict[str, Any]:
        if self.request.due_date is None:
            raise self._fail("the request has a fixed start date, no due date to move")
        return {"request": replace(self.request, due_date=_date(event.get("due_date")))}

    def _on_completed(self, event: Event) -> dict[str, Any]:
        recorded = event.time.date()
        end = _date(event.get("end_date")) or min(self.planned_end, recorded)
        if end > recorded:
            # Until then the worker is still there, but a completed placement holds no one.
            raise self._fail(
                f"end_date {end} is after the day it is recorded, {recorded}; record the "
                "completion on or after the last day"
            )
        stints = self.stints
        if stints and stints[-1].last is None:
            if end < stints[-1].first:
                raise self._fail(
                    f"end_date {end} is before the stint's first day {stints[-1].first}"
                )
            stints = (*stints[:-1], replace(stints[-1], last=end))
        return {"end_date": end, "stints": stints}

    def _on_settled(self, event: Event) -> dict[str, Any]:
        month, worker_id = str(event.get("month")), str(event.get("worker_id"))
        if any(s.month == month and s.worker_id == worker_id for s in self.settlements):
            raise self._fail(f"{month} of {worker_id} is already settled")
        if worker_id not in {s.worker_id for s in self.stints}:
            raise self._fail(f"{worker_id} has not worked on this placement")
        settlement = PlacementSettlement(
            month=month,
            worker_id=worker_id,
            days=int(event.get("days") or 0),
            salary=Decimal(str(event.get("salary"))),
            service_fee=Decimal(str(event.get("service_fee"))),
        )
        return {"settlements": (*self.settlements, settlement)}

    def _on_followed_up(self, event: Event) -> dict[str, Any]:
        return {"followed_up": append_unique(self.followed_up, str(event.get("follow_up")))}

    def _on_cancelled(self, event: Event) -> dict[str, Any]:
        return {"cancelled_at": event.time, "candidates": ()}

    @property
    def planned_end(self) -> date:
        """The planned last day: the first stint's start plus the duration."""
        first = self.stints[0].first if self.stints else self.request.start
        return first + (self.request.end - self.request.start)
