"""Tiny hand-built placement worlds: one qualified carer, one postpartum request.

The defaults make a world in which worker ``W1`` can take request ``P1`` without any doubt
(skill, certificate valid past the hold, background check, female, live-in, free, no
visits). A rule test changes one thing so that only its rule decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Dataset,
    DatasetSettings,
    Gender,
    Job,
    PlacementProfile,
    PlacementRequest,
    SkillRequirement,
    TimeWindow,
    Worker,
)
from matchmaker.placement import (
    Placement,
    PlacementPlan,
    Unfilled,
    match_placements,
    shortlist,
    verify_placements,
    verify_shortlists,
)
from tests.clock import DAY
from tests.rules.world import HOME, NEAR, at, customer

__all__ = [
    "DUE",
    "assert_placement_rule_decides",
    "carer",
    "placed",
    "placement_world",
    "postpartum",
    "visit",
]

DUE = DAY + timedelta(days=30)
"""The default request's due date, 31 December 2026."""


def carer(worker_id: str = "W1", **changes: Any) -> Worker:
    """A postpartum carer who can take the default request."""
    profile = changes.pop(
        "placement", PlacementProfile(live_in_willing=True, salary_expectation=Decimal("15000"))
    )
    fields: dict[str, Any] = {
        "worker_id": worker_id,
        "name": f"Carer {worker_id}",
        "gender": Gender.FEMALE,
        "languages": frozenset({"mandarin"}),
        "skills": {"postpartum_care": 4},
        "experience_years": 6.0,
        "certificates": (Certificate(name="maternity", expires=date(2028, 12, 31)),),
        "background_check": BackgroundCheck(status=BackgroundCheckStatus.PASSED),
        "rating": 4.8,
        "rating_count": 20,
        "home": HOME,
        "placement": profile,
    }
    fields.update(changes)
    return Worker(**fields)


def postpartum(request_id: str = "P1", **changes: Any) -> PlacementRequest:
    """A live-in postpartum request: 26 days from the due date, held 5 days either side."""
    fields: dict[str, Any] = {
        "request_id": request_id,
        "customer_id": "C1",
        "service_type": "postpartum_care",
        "due_date": DUE,
        "days_before": 5,
        "days_after": 5,
        "duration_days": 26,
        "live_in": True,
        "required_skills": (SkillRequirement(name="postpartum_care", level=3),),
        "min_experience_years": 2.0,
        "required_certificates": ("maternity",),
        "gender_required": Gender.FEMALE,
        "language_required": ("mandarin",),
        "budget": Decimal("18000"),
    }
    fields.update(changes)
    return PlacementRequest(**fields)


def visit(worker_id: str, day: date, job_id: str = "J1") -> Job:
    """A one-hour visit pinned to ``worker_id`` at 10:00 on ``day``."""
    offset = (day - DAY).days
    return Job(
        job_id=job_id,
        customer_id="C1",
        service_type="cleaning",
        location=NEAR,
        window=TimeWindow(start=at(9, day=offset), end=at(11, day=offset)),
        duration_minutes=60,
        pinned_worker_ids=(worker_id,),
        pinned_start=at(10, day=offset),
    )


def placement_world(
    workers: Iterable[Worker] | None = None,
    requests: Iterable[PlacementRequest] | None = None,
    jobs: Iterable[Job] = (),
) -> Dataset:
    """A dataset of carers, requests and (pinned) visits, in Asia/Shanghai."""
    return Dataset(
        workers=tuple(workers if workers is not None else (carer(),)),
        jobs=tuple(jobs),
        customers=(customer(),),
        settings=DatasetSettings(timezone="Asia/Shanghai"),
        placement_requests=tuple(requests if requests is not None else (postpartum(),)),
    )


def placed(dataset: Dataset, *pairs: tuple[str, str]) -> PlacementPlan:
    """A hand-made plan: ``(request_id, worker_id)`` placements on the request's dates; every
    other request listed unfilled."""
    requests = {r.request_id: r for r in dataset.placement_requests}
    placements = tuple(
        Placement(
            request_id=rid,
            worker_id=wid,
            start_date=requests[rid].start,
            end_date=requests[rid].end,
            hold_start=requests[rid].hold_start,
            hold_end=requests[rid].hold_end,
            match_score=50.0,
        )
        for rid, wid in pairs
    )
    chosen = {rid for rid, _ in pairs}
    unfilled = tuple(
        Unfilled(request_id=rid, reason_code="CAPACITY", reason="by hand")
        for rid in requests
        if rid not in chosen
    )
    return PlacementPlan(mode="match", placements=placements, unfilled=unfilled)


def assert_placement_rule_decides(rule: str, code: str, dataset: Dataset) -> None:
    """In ``dataset`` only ``rule`` keeps ``W1`` from ``P1``: both solvers leave P1 unfilled
    with ``code``, no shortlist names W1, and placing W1 by hand breaks ``rule`` alone."""
    for solver in ("cpsat", "greedy"):
        plan = match_placements(dataset, solver=solver, time_limit=5)
        assert verify_placements(dataset, plan) == []
        assert [u.request_id for u in plan.unfilled] == ["P1"], solver
        assert plan.unfilled[0].reason_code == code, plan.unfilled[0].reason
    lists = shortlist(dataset, k=3)
    assert verify_shortlists(dataset, lists, k=3, max_shortlists=3) == []
    assert "W1" not in {e.worker_id for e in lists.shortlist_of("P1")}
    broken = {v.rule for v in verify_placements(dataset, placed(dataset, ("P1", "W1")))}
    assert broken == {rule}, broken


def changed(request: PlacementRequest, **changes: Any) -> PlacementRequest:
    """``request`` with some fields changed (a dataclass replace)."""
    return replace(request, **changes)
