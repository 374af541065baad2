"""Properties of placement rounds on random small worlds: every plan and shortlist passes
the independent verifier, no worker holds two overlapping placements, holds (commitments,
visits, free dates) are respected, and excluded (declined) workers are never shortlisted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaker.model import Dataset, PlacementProfile
from matchmaker.placement import (
    Commitment,
    match_placements,
    shortlist,
    verify_placements,
    verify_shortlists,
)
from tests.placement_world import DUE, carer, placement_world, postpartum, visit


@st.composite
def rounds(draw: st.DrawFn) -> tuple[Dataset, list[Commitment]]:
    """1-6 carers and 1-6 requests (due dates with windows, or fixed starts) within two
    months, with free dates, live-in, visits, declines and commitments drawn at random."""
    n_workers = draw(st.integers(1, 6))
    workers = []
    for w in range(1, n_workers + 1):
        free = draw(st.none() | st.integers(-10, 40))
        workers.append(
            carer(
                f"W{w}",
                rating=draw(st.floats(3.0, 5.0)),
                placement=PlacementProfile(
                    live_in_willing=draw(st.booleans()),
                    earliest_free_date=None if free is None else DUE + timedelta(days=free),
                    salary_expectation=Decimal(draw(st.integers(10, 25)) * 1000),
                ),
            )
        )
    ids = [w.worker_id for w in workers]
    requests = []
    for r in range(1, draw(st.integers(1, 6)) + 1):
        offset = timedelta(days=draw(st.integers(-20, 40)))
        fields = {
            "duration_days": draw(st.integers(1, 40)),
            "live_in": draw(st.booleans()),
            "priority": draw(st.integers(1, 5)),
            "excluded_workers": frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))),
        }
        if draw(st.booleans()):
            window = draw(st.integers(0, 7))
            fields.update(due_date=DUE + offset, days_before=window, days_after=window)
        else:
            fields.update(due_date=None, start_date=DUE + offset, days_before=0, days_after=0)
        requests.append(postpartum(f"P{r}", **fields))
    jobs = [
        visit(draw(st.sampled_from(ids)), DUE + timedelta(days=draw(st.integers(-20, 60))), f"J{j}")
        for j in range(draw(st.integers(0, 3)))
    ]
    commitments = [
        Commitment(
            worker_id=draw(st.sampled_from(ids)),
            first=(start := DUE + timedelta(days=draw(st.integers(-20, 60)))),
            last=start + timedelta(days=draw(st.integers(0, 20))),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return placement_world(workers, requests, jobs), commitments


_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _overlaps(plan_holds: list[tuple[str, int, int]]) -> bool:
    by_worker: dict[str, list[tuple[int, int]]] = {}
    for worker_id, first, last in plan_holds:
        by_worker.setdefault(worker_id, []).append((first, last))
    for spans in by_worker.values():
        spans.sort()
        if any(b[0] <= a[1] for a, b in pairwise(spans)):
            return True
    return False


@_SETTINGS
@given(rounds(), st.sampled_from(["cpsat", "greedy"]))
def test_placement_plans_are_valid_and_never_overlap(
    world: tuple[Dataset, list[Commitment]], solver: str
) -> None:
    """Every plan passes verify_placements; no worker's holds overlap each other or a
    commitment; no worker is placed on a held date with a visit, before their free date,
    or on a request that excludes them."""
    dataset, commitments = world
    plan = match_placements(dataset, commitments=commitments, solver=solver, time_limit=5)
    assert verify_placements(dataset, plan, commitments=commitments) == []
    holds = [
        (p.worker_id, p.hold_start.toordinal(), p.hold_end.toordinal()) for p in plan.placements
    ]
    fixed = [(c.worker_id, c.first.toordinal(), c.last.toordinal()) for c in commitments]
    assert not _overlaps(holds)
    for worker_id, first, last in holds:
        assert all(not (a <= last and b >= first) for w, a, b in fixed if w == worker_id)
    requests = {r.request_id: r for r in dataset.placement_requests}
    for p in plan.placements:
        request = requests[p.request_id]
        assert p.worker_id not in request.excluded_workers
        worker = dataset.worker(p.worker_id)
        free = worker.placement.free_from
        assert free is None or free <= p.hold_start
        for job in dataset.jobs:
            day = job.pinned_start.date() if job.pinned_start else None
            if p.worker_id in job.pinned_worker_ids and day is not None:
                assert not p.hold_start <= day <= p.hold_end
    assert len(plan.placements) + len(plan.unfilled) == len(requests)


@_SETTINGS
@given(rounds())
def test_cpsat_fills_at_least_the_greedy_value(world: tuple[Dataset, list[Commitment]]) -> None:
    """CP-SAT starts from the greedy plan, so it never fills less priority weight."""
    dataset, commitments = world
    weights = dataset.settings.policy.priority_weights
    value = {}
    for solver in ("greedy", "cpsat"):
        plan = match_placements(dataset, commitments=commitments, solver=solver, time_limit=5)
        priority = {r.request_id: r.priority for r in dataset.placement_requests}
        value[solver] = sum(weights[priority[p.request_id]] for p in plan.placements)
    assert value["cpsat"] >= value["greedy"]


@_SETTINGS
@given(rounds(), st.integers(1, 3), st.integers(1, 3))
def test_shortlists_are_valid_diverse_and_skip_declined_workers(
    world: tuple[Dataset, list[Commitment]], k: int, max_shortlists: int
) -> None:
    """Every shortlist passes verify_shortlists (k, max_shortlists, every rule per
    candidate), never names an excluded (declined) worker, and every request short of k
    says why."""
    dataset, commitments = world
    plan = shortlist(dataset, k=k, max_shortlists=max_shortlists, commitments=commitments)
    assert (
        verify_shortlists(
            dataset, plan, k=k, max_shortlists=max_shortlists, commitments=commitments
        )
        == []
    )
    for request in dataset.placement_requests:
        named = {e.worker_id for e in plan.shortlist_of(request.request_id)}
        assert named.isdisjoint(request.excluded_workers)
        short = [u for u in plan.unfilled if u.request_id == request.request_id]
        assert (len(named) < k) == bool(short)
        assert all(u.reason.startswith(u.reason_code) for u in short)
