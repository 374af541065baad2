"""shortlist: k candidates ranked by score, spread by max_shortlists, reasons when short."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.placement import shortlist, verify_shortlists
from tests.placement_world import DUE, carer, placement_world, postpartum


def test_candidates_are_ranked_by_score_with_a_sentence() -> None:
    """Three carers, k = 3: ranks 1..3 by descending score, each with its sentence."""
    world = placement_world([carer("W1", rating=3.0), carer("W2", rating=5.0), carer("W3")])
    plan = shortlist(world)
    assert verify_shortlists(world, plan, k=3, max_shortlists=3) == []
    entries = plan.shortlist_of("P1")
    assert [e.rank for e in entries] == [1, 2, 3]
    assert [e.match_score for e in entries] == sorted(
        (e.match_score for e in entries), reverse=True
    )
    assert entries[0].worker_id == "W2"
    assert all(e.reason.startswith(f"score {e.match_score:.1f} of 100") for e in entries)
    assert plan.unfilled == ()


def test_the_top_worker_is_not_on_every_shortlist() -> None:
    """Four requests, the same best carer fits all: with max_shortlists 2 she is on two
    shortlists only, and the KPIs report the diversity."""
    workers = [carer("W1", rating=5.0, rating_count=90), *(carer(f"W{i}") for i in range(2, 6))]
    requests = [postpartum(f"P{i}", due_date=DUE + timedelta(days=i)) for i in range(1, 5)]
    world = placement_world(workers, requests)
    plan = shortlist(world, k=2, max_shortlists=2)
    assert verify_shortlists(world, plan, k=2, max_shortlists=2) == []
    assert sum(e.worker_id == "W1" for e in plan.shortlists) == 2
    assert plan.kpis["max_shortlists_per_worker"] == 2
    assert plan.kpis["candidates_total"] == 8
    distinct = len({e.worker_id for e in plan.shortlists})
    assert plan.kpis["distinct_workers"] == distinct >= 4
    assert plan.kpis["diversity"] == round(distinct / 8, 4)


def test_a_short_shortlist_says_why() -> None:
    """One eligible carer of four for k = 3: the code is the rule keeping most out, and the
    sentence counts each rule."""
    world = placement_world(
        [
            carer(),
            carer("W2", gender="M"),
            carer("W3", gender="M"),
            carer("W4", experience_years=1.0),
        ]
    )
    plan = shortlist(world, k=3)
    (short,) = plan.unfilled
    assert short.reason_code == "GENDER"
    assert short.reason.startswith("GENDER: 1 of 3 candidates, 1 of 4 workers eligible - ")
    assert "2 are male (female required)" in short.reason
    assert "1 has under 2 years of experience" in short.reason
