"""match_placements: priorities first, then scores; pair rules reused over the whole hold;
reasons for unfilled requests; the greedy baseline."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from matchmaker.model import Certificate, PlacementProfile
from matchmaker.placement import (
    eligibility,
    greedy_assignment,
    match_placements,
    placement_scores,
    verify_placements,
)
from tests.placement_world import DUE, carer, placed, placement_world, postpartum


def test_a_higher_priority_request_wins_the_only_carer() -> None:
    """Two overlapping requests and one carer: the priority-5 one is filled."""
    world = placement_world(requests=[postpartum("P1", priority=2), postpartum("P2", priority=5)])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert [p.request_id for p in plan.placements] == ["P2"]


def test_filling_more_requests_beats_a_better_score() -> None:
    """The best carer fits both requests and the other only one: CP-SAT fills both,
    where the greedy baseline gives the first request the best carer and leaves one out."""
    best = carer("W1", rating=5.0, rating_count=100)
    other = carer("W2", rating=3.0, placement=PlacementProfile(live_in_willing=False))
    first = postpartum("P1", priority=4, live_in=False)
    second = postpartum("P2", priority=3, due_date=DUE + timedelta(days=10))
    world = placement_world([best, other], [first, second])
    plan = match_placements(world, time_limit=5)
    assert verify_placements(world, plan) == []
    assert sorted((p.request_id, p.worker_id) for p in plan.placements) == [
        ("P1", "W2"),
        ("P2", "W1"),
    ]
    greedy = match_placements(world, solver="greedy")
    assert verify_placements(world, greedy) == []
    assert [(p.request_id, p.worker_id) for p in greedy.placements] == [("P1", "W1")]


def test_a_certificate_expiring_inside_the_hold_excludes_the_carer() -> None:
    """The maternity certificate must be valid on the hold's last day: one expiring the
    day before keeps the carer out with CERTIFICATE; the verifier agrees."""
    last = postpartum().hold_end
    short = carer(certificates=(Certificate(name="maternity", expires=last - timedelta(days=1)),))
    world = placement_world([short])
    plan = match_placements(world, time_limit=5)
    assert [u.reason_code for u in plan.unfilled] == ["CERTIFICATE"]
    assert "maternity" in plan.unfilled[0].reason
    broken = {v.rule for v in verify_placements(world, placed(world, ("P1", "W1")))}
    assert broken == {"certificate_valid"}


def test_an_empty_staff_says_why() -> None:
    """With nobody eligible the reason counts the workers per rule, biggest first."""
    world = placement_world([carer(gender="M"), carer("W2", skills={"cleaning": 3})])
    plan = match_placements(world, time_limit=5)
    (unfilled,) = plan.unfilled
    assert unfilled.reason.startswith(f"{unfilled.reason_code}: 0 of 2 workers eligible - ")


def test_greedy_takes_priority_order_then_the_best_score() -> None:
    """greedy_assignment gives the priority-5 request the best-scored carer first."""
    world = placement_world(
        [carer("W1", rating=3.5), carer("W2", rating=5.0, rating_count=80)],
        [postpartum("P1", priority=1), postpartum("P2", priority=5)],
    )
    elig = eligibility(world)
    chosen = greedy_assignment(elig, placement_scores(world)["total"])
    assert chosen == {1: 1, 0: 0}


def test_kpis_count_fill_by_priority_and_service() -> None:
    """kpis.json figures: fill rate, by priority and service, mean score, reasons."""
    world = placement_world(requests=[postpartum("P1", priority=5), postpartum("P2", priority=2)])
    kpis = match_placements(world, time_limit=5).kpis
    assert kpis["fill_rate"] == 0.5
    assert kpis["filled_by_priority"] == {"2": "0/1", "5": "1/1"}
    assert kpis["fill_rate_by_service"] == {"postpartum_care": 0.5}
    assert kpis["unfilled_by_reason"] == {"PLACEMENT_OVERLAP": 1}


def test_budget_and_tags_move_the_score() -> None:
    """A carer asking 20 % over budget gets 0 of the 10 budget points; one with every
    preferred tag gets all 10 tag points."""
    dear = carer(
        "W1", placement=PlacementProfile(live_in_willing=True, salary_expectation=Decimal("21600"))
    )
    cook = carer(
        "W2",
        placement=PlacementProfile(live_in_willing=True, tags=frozenset({"soup", "cantonese"})),
    )
    world = placement_world([dear, cook], [postpartum(preferred_tags=("soup", "cantonese"))])
    scores = placement_scores(world)
    assert scores["budget"][0, 0] == 0.0 and scores["budget"][1, 0] == 10.0
    assert scores["tags"][0, 0] == 0.0 and scores["tags"][1, 0] == 10.0


def test_age_range_scores_the_age_on_the_start_year() -> None:
    """Born 1990 is 37 in 2027 (due date 31 Dec 2026 -> 36 in 2026): within 30-40 full
    marks; with 40-50 it is 4 years short, 0.2 a year: 2 points."""
    w = carer(placement=PlacementProfile(live_in_willing=True, birth_year=1990))
    inside = placement_scores(placement_world([w], [postpartum(age_min=30, age_max=40)]))
    below = placement_scores(placement_world([w], [postpartum(age_min=40, age_max=50)]))
    assert inside["age"][0, 0] == 10.0
    assert round(float(below["age"][0, 0]), 6) == 2.0
    assert date(2026, 12, 31) == DUE
