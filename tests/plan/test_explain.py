"""From solution to plan (times, travel, sequence, scores, KPIs, reasons) and job explanations."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from matchmaker.compile import Problem, compile_problem
from matchmaker.model import Dataset, Gender, Location, Policy, TimeWindow
from matchmaker.plan import Plan, ReasonCode, build_plan, check_pair, dispatch, explain_job, verify
from matchmaker.solve import Route, Solution, objective_terms
from tests.matrix_world import MATRIX_LEGS, matrix_world
from tests.rules.world import (
    at,
    customer,
    dispatched,
    job,
    plan_of,
    rules_broken,
    shift,
    worker,
    world,
)

POLICY = Policy()
CONTRACT_KPIS = {
    "jobs_total",
    "jobs_served",
    "fill_rate",
    "priority_served",
    "travel_minutes_total",
    "mean_match_score",
    "objective",
    "lower_bound",
    "backend",
    "seed",
    "solve_seconds",
}
NINE = TimeWindow(start=at(9), end=at(9))
MID = Location(lat=31.35, lon=121.55)
"""About 20 km of road from home: some 50 minutes by car."""


def _solution(problem: Problem, routes: tuple[Route, ...]) -> Solution:
    return Solution(
        routes=routes,
        objective=objective_terms(problem, routes, POLICY).total,
        backend="hand",
        seed=7,
        solve_seconds=0.25,
    )


def test_build_plan_gives_times_travel_sequence_and_scores() -> None:
    """Start = horizon + minutes; travel from home, then from the previous job; daily sequence."""
    dataset = world(
        workers=[worker(shifts=(shift(8, 18), shift(8, 18, day=1)))],
        jobs=[
            job("J1", window=NINE),
            job("J2", window=TimeWindow(start=at(11), end=at(11)), location=MID),
            job("J3", window=TimeWindow(start=at(9, day=1), end=at(9, day=1))),
        ],
    )
    problem = compile_problem(dataset, policy=POLICY)
    minute = int((at(9) - problem.horizon_start).total_seconds() // 60)
    routes = (
        Route(vehicle=0, jobs=(0, 1), starts=(minute, minute + 120)),
        Route(vehicle=1, jobs=(2,), starts=(minute + 24 * 60,)),
    )
    plan = build_plan(dataset, problem, _solution(problem, routes), POLICY)
    assert verify(dataset, plan) == []
    rows = [(a.job_id, a.start, a.end, a.travel_minutes, a.sequence) for a in plan.assignments]
    assert rows == [
        ("J1", at(9), at(10), problem.travel(0, None, 0), 1),
        ("J2", at(11), at(12), problem.travel(0, 0, 1), 2),
        ("J3", at(9, day=1), at(10, day=1), problem.travel(1, None, 2), 1),
    ]
    assert rows[1][3] > rows[0][3] > 0
    for a in plan.assignments:
        assert a.start.utcoffset() == at(9).utcoffset()
        assert a.match_score == pytest.approx(
            problem.score[0, dataset.job_position(a.job_id)], abs=0.01
        )
        parts = plan.score_components[(a.job_id, a.worker_id)]
        assert sum(parts.values()) == pytest.approx(a.match_score, abs=0.01)


def test_kpis_carry_the_contract_and_the_objective_terms() -> None:
    """KPIs hold every contract key, the objective terms by name and counts by reason."""
    dataset = world(jobs=[job("J1", window=NINE, priority=5), job("J2", window=NINE, priority=1)])
    problem = compile_problem(dataset, policy=POLICY)
    minute = int((at(9) - problem.horizon_start).total_seconds() // 60)
    routes = (Route(vehicle=0, jobs=(0,), starts=(minute,)),)
    plan = build_plan(dataset, problem, _solution(problem, routes), POLICY)
    assert verify(dataset, plan) == []
    kpis = plan.kpis
    assert set(kpis) >= CONTRACT_KPIS
    assert (kpis["jobs_total"], kpis["jobs_served"], kpis["fill_rate"]) == (2, 1, 0.5)
    assert kpis["priority_served"] == pytest.approx(16 / 17, abs=1e-4)
    assert kpis["served_by_priority"]["5"] == {"served": 1, "total": 1}
    assert kpis["objective_terms"] == objective_terms(problem, routes, POLICY).as_dict()
    assert kpis["objective"] == kpis["objective_terms"]["total"]
    assert (kpis["backend"], kpis["seed"], kpis["lower_bound"]) == ("hand", 7, None)
    assert kpis["unassigned_by_reason"] == {"CAPACITY": 1}
    assert kpis["travel_minutes_total"] == plan.assignments[0].travel_minutes
    json.dumps(kpis)


def test_busy_worker_gives_capacity_naming_what_she_does() -> None:
    """An unserved job whose only eligible worker is on another job names that job."""
    dataset = world(jobs=[job("J1", window=NINE, priority=5), job("J2", window=NINE)])
    for result in dispatched(dataset):
        (entry,) = result.plan.unassigned
        assert entry.job_id == "J2"
        assert entry.reason_code is ReasonCode.CAPACITY
        assert entry.reason.startswith("CAPACITY: 1 of 1 worker eligible - all busy")
        assert "W1" in entry.reason and "J1 09:00-10:00" in entry.reason


def test_travel_from_the_previous_job_gives_travel() -> None:
    """A job reachable from home but not from the previous job in time is TRAVEL."""
    dataset = world(
        jobs=[
            job("J1", window=NINE, priority=5),
            job("J2", window=TimeWindow(start=at(10), end=at(10, 20)), location=MID),
        ]
    )
    for result in dispatched(dataset):
        (entry,) = result.plan.unassigned
        assert (entry.job_id, entry.reason_code) == ("J2", ReasonCode.TRAVEL)
        assert "from J1 (ends 10:00)" in entry.reason


def test_team_never_free_together_gives_no_availability() -> None:
    """Two eligible workers free at different times cannot start a team job together."""
    dataset = world(
        workers=[worker("W1", shifts=(shift(8, 10),)), worker("W2", shifts=(shift(10, 18),))],
        jobs=[job(workers_needed=2, window=TimeWindow(start=at(8), end=at(12)))],
    )
    for result in dispatched(dataset):
        (entry,) = result.plan.unassigned
        assert entry.reason_code is ReasonCode.NO_AVAILABILITY
        assert "never 2 at the same time" in entry.reason


def test_job_left_out_although_it_fits_says_the_solver_stopped() -> None:
    """A job the solver did not place although it fits is CAPACITY, saying it still fits."""
    dataset = world()
    problem = compile_problem(dataset, policy=POLICY)
    plan = build_plan(dataset, problem, _solution(problem, ()), POLICY)
    assert verify(dataset, plan) == []
    (entry,) = plan.unassigned
    assert entry.reason_code is ReasonCode.CAPACITY
    assert "still fits" in entry.reason and "W1" in entry.reason


def test_too_few_eligible_workers_uses_the_ineligibility_summary() -> None:
    """With nobody eligible, the code names the rule that excludes the most workers."""
    dataset = world(workers=[worker(gender=Gender.MALE)], jobs=[job(gender_required=Gender.FEMALE)])
    problem = compile_problem(dataset, policy=POLICY)
    plan = build_plan(dataset, problem, _solution(problem, ()), POLICY)
    assert verify(dataset, plan) == []
    (entry,) = plan.unassigned
    assert entry.reason_code is ReasonCode.GENDER
    assert "male" in entry.reason


def _contest() -> tuple[Dataset, Plan]:
    """W1 serves J1 (pinned); W2 scores lower; W3 is busy on J2 (pinned); W4 is the
    customer's preferred worker but has no health certificate."""
    dataset = world(
        workers=[
            worker("W1", rating=5.0, rating_count=50),
            worker("W2", rating=3.0),
            worker("W3"),
            worker("W4", certificates=()),
        ],
        jobs=[
            job("J1", window=NINE, pinned_worker_ids=("W1",), pinned_start=at(9)),
            job("J2", window=NINE, pinned_worker_ids=("W3",), pinned_start=at(9)),
        ],
        customers=[customer(preferred_workers=("W4",))],
    )
    (result, *_) = dispatched(dataset)
    return dataset, result.plan


def test_explain_assigned_job_lists_alternatives_and_why_they_lost() -> None:
    """An assigned job shows its worker with score parts, and each runner-up's reason."""
    dataset, plan = _contest()
    explanation = explain_job(dataset, plan, "J1", policy=POLICY)
    assert explanation.status == "assigned"
    assert [n.worker_id for n in explanation.assigned] == ["W1"]
    assert sum(explanation.assigned[0].components.values()) == pytest.approx(
        explanation.assigned[0].match_score, abs=0.01
    )
    verdicts = {n.worker_id: (n.role, n.verdict) for n in explanation.others}
    assert verdicts["W2"] == ("alternative", "lower_score")
    assert verdicts["W3"] == ("alternative", "busy")
    assert verdicts["W4"] == ("preferred", "ineligible")
    busy = next(n for n in explanation.others if n.worker_id == "W3")
    assert "J2 09:00-10:00" in busy.detail
    text = explanation.to_text()
    assert "J1" in text and "W2" in text and "certificate_valid" in text
    assert json.loads(json.dumps(explanation.to_dict()))["job_id"] == "J1"


def test_ineligible_explanations_agree_with_verify() -> None:
    """An ineligible worker's rules in an explanation are those verify reports for them."""
    dataset, plan = _contest()
    explanation = explain_job(dataset, plan, "J1", policy=POLICY)
    for note in explanation.others:
        if note.verdict == "ineligible":
            alone = replace(dataset, jobs=dataset.jobs[:1])
            assigned = plan_of(alone, ("J1", note.worker_id, at(9)))
            assert set(note.rules) <= rules_broken(alone, assigned)
            assert {v.rule for v in check_pair(alone, "J1", note.worker_id, at(9))} == set(
                note.rules
            )


def test_explain_unassigned_job_names_busy_eligible_workers() -> None:
    """An unassigned job shows its reason and what each eligible worker was doing."""
    dataset = world(jobs=[job("J1", window=NINE, priority=5), job("J2", window=NINE)])
    (result, *_) = dispatched(dataset)
    explanation = explain_job(dataset, result.plan, "J2", policy=POLICY)
    assert explanation.status == "unassigned"
    assert explanation.reason_code is ReasonCode.CAPACITY
    assert explanation.eligible_workers == 1
    (note,) = explanation.others
    assert (note.worker_id, note.verdict) == ("W1", "busy")
    assert "J1" in note.detail
    assert "Not assigned: CAPACITY: 1 of 1 worker eligible" in explanation.to_text()


def test_explain_counts_ineligible_workers_by_rule() -> None:
    """Ineligible workers are counted under the verify rule they fail."""
    dataset = world(
        workers=[worker("W1", gender=Gender.MALE), worker("W2", gender=Gender.MALE)],
        jobs=[job(gender_required=Gender.FEMALE)],
    )
    (result, *_) = dispatched(dataset)
    explanation = explain_job(dataset, result.plan, "J1", policy=POLICY)
    assert explanation.ineligible_by_rule == {"gender_required": 2}
    assert explanation.reason_code is ReasonCode.GENDER


def test_explain_unknown_job_raises() -> None:
    """Asking about a job the dataset does not have is an error."""
    dataset = world()
    with pytest.raises(KeyError):
        explain_job(dataset, plan_of(dataset), "NOPE", policy=POLICY)


def test_optimality_gap_is_relative_to_the_bound() -> None:
    """The gap is the objective's distance above the proven bound, relative to the bound."""
    from matchmaker.plan import optimality_gap

    assert optimality_gap(1000, None) is None
    assert optimality_gap(1100, 1000) == 0.1
    assert optimality_gap(1000, 1000) == 0.0
    assert optimality_gap(0, 0) == 0.0
    assert optimality_gap(5, 0) is None


def test_explain_uses_the_plans_travel_model() -> None:
    """A plan solved on a travel matrix is explained with the matrix's minutes, not with
    straight-line travel (which would make its worker ineligible for the job)."""
    dataset, travel = matrix_world()
    result = dispatch(dataset, solver="greedy", time_limit=0.5, travel=travel)
    assert result.ok and verify(dataset, result.plan) == []
    for job_id, minutes in MATRIX_LEGS.items():
        explanation = explain_job(dataset, result.plan, job_id, policy=POLICY)
        assert explanation.status == "assigned" and explanation.eligible_workers == 1
        assert f"{minutes} min travel to get there" in explanation.assigned[0].detail


def test_explain_lists_the_customers_ineligible_workers_apart_from_eligible_ones() -> None:
    """With nobody eligible, the customer's usual (ineligible) workers are not listed under a
    heading "Eligible workers"; a blocked one is not said to be assigned to the job."""
    dataset = world(
        workers=[worker("W1"), worker("W2", gender=Gender.MALE), worker("W3")],
        jobs=[job("J1", gender_required=Gender.FEMALE, window=NINE)],
        customers=[
            customer(
                "C1",
                blocked_workers=frozenset({"W1", "W3"}),
                previous_workers=("W1",),
                preferred_workers=("W2",),
            )
        ],
    )
    (result, *_) = dispatched(dataset)
    explanation = explain_job(dataset, result.plan, "J1", policy=POLICY)
    assert explanation.eligible_workers == 0
    text = explanation.to_text()
    assert "0 of 3 workers eligible." in text
    assert "Eligible workers:" not in text
    assert "The customer's preferred and previous workers:" in text
    assert {n.worker_id: n.verdict for n in explanation.others} == {
        "W1": "ineligible",
        "W2": "ineligible",
    }
    assert "who may not serve their job J1" in text and "who is assigned" not in text


def test_explain_text_shows_each_workers_score_components() -> None:
    """The text gives the score of the assigned worker and of each runner-up component by
    component, as the JSON does."""
    dataset, plan = _contest()
    explanation = explain_job(dataset, plan, "J1", policy=POLICY)
    text = explanation.to_text()
    scored = [n for n in (*explanation.assigned, *explanation.others) if n.components]
    assert {n.worker_id for n in scored} >= {"W1", "W2"}
    for note in scored:
        parts = " + ".join(
            f"{name.replace('_', ' ')} {points:.1f}" for name, points in note.components.items()
        )
        assert f"score {sum(note.components.values()):.1f} = {parts}" in text
        assert sum(note.components.values()) == pytest.approx(note.match_score, abs=0.01)
