"""shortlist_limits: at most k distinct candidates per request, ranked 1..n, and no worker
on more than max_shortlists open shortlists."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.placement import ShortlistEntry, shortlist, verify_shortlists
from tests.placement_world import DUE, carer, placement_world, postpartum


def _world():  # type: ignore[no-untyped-def]
    requests = [postpartum(f"P{i}", due_date=DUE + timedelta(days=i)) for i in range(1, 4)]
    return placement_world([carer(f"W{i}") for i in range(1, 5)], requests)


def test_one_worker_joins_at_most_max_shortlists() -> None:
    """With max_shortlists = 1, four carers spread over three requests of k = 2: no carer
    twice, every request gets one before any gets two, and the two short ones say CAPACITY."""
    world = _world()
    lists = shortlist(world, k=2, max_shortlists=1)
    assert verify_shortlists(world, lists, k=2, max_shortlists=1) == []
    workers = [e.worker_id for e in lists.shortlists]
    assert len(workers) == len(set(workers)) == 4
    assert sorted(len(lists.shortlist_of(r.request_id)) for r in world.placement_requests) == [
        1,
        1,
        2,
    ]
    assert [u.reason_code for u in lists.unfilled] == ["CAPACITY", "CAPACITY"]


def test_open_shortlists_count_against_the_limit() -> None:
    """A worker already on 3 open shortlists is named on none."""
    world = _world()
    lists = shortlist(world, k=3, max_shortlists=3, open_shortlists={"W1": 3})
    assert "W1" not in {e.worker_id for e in lists.shortlists}
    assert verify_shortlists(world, lists, k=3, max_shortlists=3, open_shortlists={"W1": 3}) == []


def test_a_hand_made_shortlist_over_the_limits_breaks_the_rule() -> None:
    """W1 on four shortlists of size 1 with max_shortlists 3 (and a request with a doubled
    rank) breaks shortlist_limits and nothing else."""
    world = placement_world(
        [carer()], [postpartum(f"P{i}", due_date=DUE + timedelta(days=i)) for i in range(1, 5)]
    )
    lists = shortlist(world, k=1, max_shortlists=4)
    entries = list(lists.shortlists)
    assert len(entries) == 4
    broken = {v.rule for v in verify_shortlists(world, lists, k=1, max_shortlists=3)}
    assert broken == {"shortlist_limits"}
    doubled = [*entries, ShortlistEntry(request_id="P1", rank=1, worker_id="W1", match_score=1.0)]
    from dataclasses import replace

    broken = {
        v.rule
        for v in verify_shortlists(
            world, replace(lists, shortlists=tuple(doubled)), k=2, max_shortlists=9
        )
    }
    assert broken == {"shortlist_limits"}
