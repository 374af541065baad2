"""Reason codes and the dispatcher's sentence for jobs nobody (or too few) can serve."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from matchmaker.compile import compile_problem
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Customer,
    Dataset,
    Gender,
    Job,
    Location,
    Shift,
    SkillRequirement,
    TimeWindow,
    Worker,
    WorkerStatus,
)
from matchmaker.plan import ReasonCode, eligible_worker_count, ineligibility_summary, rule_counts
from tests.clock import at

WORKER = Worker(
    worker_id="W",
    name="",
    gender=Gender.FEMALE,
    languages=frozenset({"mandarin"}),
    skills={"elderly_care": 3},
    experience_years=5.0,
    certificates=(Certificate(name="health", expires=date(2027, 1, 1)),),
    background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
    home=Location(lat=31.23, lon=121.47),
    shifts=(Shift(start=at(8), end=at(18)),),
)
JOB = Job(
    job_id="J1",
    customer_id="C1",
    service_type="elderly_care",
    location=Location(lat=31.23, lon=121.48),
    window=TimeWindow(start=at(10), end=at(11)),
    duration_minutes=120,
    required_skills=(SkillRequirement(name="elderly_care", level=3),),
    gender_required=Gender.FEMALE,
)


def summary(
    workers: list[dict[str, Any]], job: dict[str, Any] | None = None, **customer: Any
) -> tuple[ReasonCode, str]:
    dataset = Dataset(
        workers=tuple(replace(WORKER, worker_id=f"W{i}", **w) for i, w in enumerate(workers)),
        jobs=(replace(JOB, **(job or {})),),
        customers=(Customer(customer_id="C1", **customer),),
    )
    return ineligibility_summary(dataset, compile_problem(dataset), 0)


MALE = {"gender": Gender.MALE}
PENDING = {"background_check": BackgroundCheck(status=BackgroundCheckStatus.PENDING)}


def test_design_example_sentence() -> None:
    """Counts per rule, biggest first; the code is the rule excluding the most workers."""
    code, sentence = summary(
        [
            {"skills": {"elderly_care": 2}},
            {"skills": {"elderly_care": 1}},
            {"skills": {"elderly_care": 2}, **MALE},
            {**MALE, **PENDING},
            {"skills": {"elderly_care": 2}},
        ]
    )
    assert code is ReasonCode.SKILL_LEVEL
    assert sentence == (
        "SKILL_LEVEL: 0 of 5 workers eligible - 4 lack elderly_care>=3, "
        "2 are male (female required), 1 has no valid background check"
    )


def test_no_skill_versus_skill_level() -> None:
    """Lacking the skill entirely is NO_SKILL; having it too low is SKILL_LEVEL."""
    code, sentence = summary([{"skills": {}}, {"skills": {"cleaning": 5}}, {"skills": {}}])
    assert code is ReasonCode.NO_SKILL
    assert sentence == "NO_SKILL: 0 of 3 workers eligible - 3 have no elderly_care skill"


def test_singular_worker() -> None:
    """One worker: 'worker', 'is', 'has', 'lacks', 'does'."""
    code, sentence = summary([{"skills": {"elderly_care": 1}, **MALE, **PENDING}])
    assert code is ReasonCode.SKILL_LEVEL
    assert sentence == (
        "SKILL_LEVEL: 0 of 1 worker eligible - 1 lacks elderly_care>=3, "
        "1 has no valid background check, 1 is male (female required)"
    )
    _, sentence = summary([{}], {"language_required": ("cantonese",)})
    assert sentence == "LANGUAGE: 0 of 1 worker eligible - 1 does not speak cantonese"


def test_tie_goes_to_the_earlier_rule() -> None:
    """Equal counts: the code and the order follow the rule order (GENDER before LANGUAGE)."""
    code, sentence = summary(
        [{}, {**MALE, "languages": frozenset({"cantonese"})}],
        {"language_required": ("cantonese",)},
    )
    assert code is ReasonCode.GENDER
    assert sentence == (
        "GENDER: 0 of 2 workers eligible - 1 is male (female required), 1 does not speak cantonese"
    )


def test_team_size() -> None:
    """Some eligible but fewer than needed: TEAM_SIZE with the needed count."""
    code, sentence = summary(
        [{}, {}, {"skills": {"elderly_care": 2}}, MALE],
        {"workers_needed": 3},
    )
    assert code is ReasonCode.TEAM_SIZE
    assert sentence == (
        "TEAM_SIZE: 2 of 4 workers eligible, 3 needed - "
        "1 lacks elderly_care>=3, 1 is male (female required)"
    )


def test_team_size_without_failures() -> None:
    """Everyone eligible but the team is bigger than the pool: no reasons list."""
    code, sentence = summary([{}, {}], {"workers_needed": 3})
    assert (code, sentence) == (
        ReasonCode.TEAM_SIZE,
        "TEAM_SIZE: 2 of 2 workers eligible, 3 needed",
    )


def test_blocked_and_excluded_share_one_code() -> None:
    """Customer blocks and visit exclusions are both BLOCKED, worded by what happened."""
    code, sentence = summary(
        [{}, {}], {"excluded_workers": frozenset({"W1"})}, blocked_workers=frozenset({"W0"})
    )
    assert code is ReasonCode.BLOCKED
    assert sentence == (
        "BLOCKED: 0 of 2 workers eligible - 2 are blocked by the customer or excluded from "
        "this visit"
    )
    _, sentence = summary([{}], {"excluded_workers": frozenset({"W0"})})
    assert sentence == "BLOCKED: 0 of 1 worker eligible - 1 is excluded from this visit"
    _, sentence = summary([{}], blocked_workers=frozenset({"W0"}))
    assert sentence == "BLOCKED: 0 of 1 worker eligible - 1 is blocked by the customer"


def test_availability_and_travel() -> None:
    """No shift holding the window is NO_AVAILABILITY; no time to come from home is TRAVEL."""
    code, sentence = summary(
        [{"shifts": ()}, {"shifts": (Shift(start=at(13), end=at(18)),)}, {}],
        {"window": TimeWindow(start=at(8), end=at(8, 5))},
    )
    assert code is ReasonCode.NO_AVAILABILITY
    assert sentence == (
        "NO_AVAILABILITY: 0 of 3 workers eligible - 2 have no shift covering the job's window, "
        "1 cannot reach the job in time from home"
    )


def test_experience_certificate_and_inactive_phrases() -> None:
    """The remaining rules' wording."""
    code, sentence = summary(
        [
            {"experience_years": 1.0},
            {"experience_years": 2.5, "certificates": ()},
            {"status": WorkerStatus.SUSPENDED},
        ],
        {"min_experience_years": 3.0, "required_certificates": ("health",)},
    )
    assert code is ReasonCode.EXPERIENCE
    assert sentence == (
        "EXPERIENCE: 0 of 3 workers eligible - 2 have under 3 years of experience, "
        "1 has no valid health certificate, 1 is suspended or on leave"
    )


def test_no_workers_at_all() -> None:
    """An empty pool reads as no availability."""
    dataset = Dataset(workers=(), jobs=(JOB,))
    assert ineligibility_summary(dataset, compile_problem(dataset), 0) == (
        ReasonCode.NO_AVAILABILITY,
        "NO_AVAILABILITY: 0 of 0 workers eligible",
    )


def test_enough_eligible_workers_is_not_an_eligibility_case() -> None:
    """With enough eligible workers the summary refuses: that is CAPACITY, decided later."""
    with pytest.raises(ValueError, match="CAPACITY"):
        summary([{}, MALE])


def test_eligible_worker_count_counts_workers_not_shifts() -> None:
    """A worker with two eligible shifts counts once; rule counts are per worker."""
    two_shifts = (Shift(start=at(8), end=at(13)), Shift(start=at(13, 30), end=at(17)))
    dataset = Dataset(
        workers=(
            replace(WORKER, worker_id="W0", shifts=two_shifts),
            replace(WORKER, worker_id="W1", shifts=(Shift(start=at(8), end=at(18)),)),
            replace(WORKER, worker_id="W2", **MALE),
        ),
        jobs=(replace(JOB, window=TimeWindow(start=at(10), end=at(14))),),
    )
    problem = compile_problem(dataset)
    assert problem.eligible[:, 0].tolist() == [True, True, True, False]
    assert eligible_worker_count(problem, 0) == 2
    assert rule_counts(problem, 0) == {ReasonCode.GENDER: 1}
