"""The independent plan verifier: registry, plan integrity rules and shared conventions.

Each hard rule of docs/design.md section 2 has its own test under ``tests/rules/``; this file pins
what those do not: the registry, the integrity rules (known ids, served once, durations),
the job-date convention, pins in messages and :func:`check_pair`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from matchmaker.compile import HaversineTravel
from matchmaker.model import (
    Certificate,
    DatasetSettings,
    Gender,
    Location,
    Shift,
    TimeWindow,
    planned_day,
)
from matchmaker.plan import (
    PAIR_RULES,
    RULES,
    ReasonCode,
    UnassignedJob,
    Violation,
    check_pair,
    verify,
)
from tests.matrix_world import matrix_world
from tests.rules.world import at, customer, job, plan_of, rules_broken, worker, world

FAR = Location(lat=31.60, lon=121.90)


def test_registry_lists_every_rule_by_its_function_name() -> None:
    """RULES maps stable names to functions of the same name, in checking order."""
    assert list(RULES) == [
        "known_ids",
        "served_once",
        "skill_level",
        "experience",
        "certificate_valid",
        "background_check",
        "worker_active",
        "gender_required",
        "language_required",
        "needs_car",
        "not_blocked",
        "not_excluded",
        "start_in_window",
        "end_matches_duration",
        "inside_shift",
        "travel_fits",
        "home_by_shift_end",
        "no_overlap",
        "max_jobs_per_shift",
        "max_work_minutes_per_shift",
        "team_complete_and_synchronised",
        "pins_kept",
        "linked_visits",
        "breaks",
        "max_week_minutes",
        "min_rest_minutes",
        "max_consecutive_days",
        "max_distinct_workers",
    ]
    assert all(rule.__name__ == name for name, rule in RULES.items())
    assert set(PAIR_RULES) < set(RULES)


def test_valid_plan_has_no_violations() -> None:
    """A plan that keeps every rule verifies clean."""
    dataset = world()
    assert verify(dataset, plan_of(dataset, ("J1", "W1", at(9)))) == []


def test_unknown_ids_are_reported_once_and_ignored_elsewhere() -> None:
    """Assignments and unassigned rows naming unknown ids break only known_ids."""
    dataset = world()
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("JX", "W1", at(9)), ("J1", "WX", at(9)))
    plan = replace(
        plan,
        unassigned=(UnassignedJob(job_id="JY", reason_code=ReasonCode.CAPACITY, reason=""),),
    )
    violations = verify(dataset, plan)
    assert {v.rule for v in violations} == {"known_ids"}
    assert sorted((v.job_id, v.worker_id) for v in violations) == [
        ("J1", "WX"),
        ("JX", "W1"),
        ("JY", None),
    ]


def test_missing_job_breaks_served_once() -> None:
    """Every job of the dataset must be assigned or listed as unassigned."""
    dataset = world(jobs=[job("J1"), job("J2")])
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    plan = replace(plan, unassigned=())
    violations = verify(dataset, plan)
    assert [(v.rule, v.job_id) for v in violations] == [("served_once", "J2")]
    assert "neither assigned nor listed" in violations[0].message


def test_job_both_assigned_and_unassigned_breaks_served_once() -> None:
    """A job cannot be served and unserved at once, nor listed unassigned twice."""
    dataset = world()
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    entry = UnassignedJob(job_id="J1", reason_code=ReasonCode.CAPACITY, reason="")
    plan = replace(plan, unassigned=(entry, entry))
    messages = [v.message for v in verify(dataset, plan) if v.rule == "served_once"]
    assert len(messages) == 3  # twice "both", once "more than once"
    assert rules_broken(dataset, plan) == {"served_once"}


def test_same_worker_twice_on_a_job_breaks_served_once() -> None:
    """Each worker serves a job at most once."""
    dataset = world()
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J1", "W1", at(9)))
    assert "served_once" in rules_broken(dataset, plan)


def test_wrong_end_breaks_only_end_matches_duration() -> None:
    """An assignment must last exactly the job's duration."""
    dataset = world()
    plan = plan_of(dataset, ("J1", "W1", at(9)))
    short = replace(plan.assignments[0], end=at(9, 30))
    plan = replace(plan, assignments=(short,))
    violations = verify(dataset, plan)
    assert [v.rule for v in violations] == ["end_matches_duration"]
    assert "30 minutes" in violations[0].message


def test_pinned_assignment_breaking_a_pair_rule_is_reported_as_pinned() -> None:
    """The verifier is strict about pins: the violation stands, marked (pinned)."""
    dataset = world(
        workers=[worker("W1", gender=Gender.MALE)],
        jobs=[job("J1", gender_required=Gender.FEMALE, pinned_worker_ids=("W1",))],
    )
    violations = verify(dataset, plan_of(dataset, ("J1", "W1", at(9))))
    assert [v.rule for v in violations] == ["gender_required"]
    assert violations[0].message.endswith("(pinned)")


def test_job_date_is_the_start_date_in_the_dataset_timezone() -> None:
    """Documents count on the start's date in the dataset timezone, else in its own offset."""
    night = Shift(start=at(20), end=at(6, day=1))
    late = job(
        "J1",
        window=TimeWindow(start=at(0, 30, day=1), end=at(0, 30, day=1)),
    )
    expiring = worker(
        "W1",
        shifts=(night,),
        certificates=(Certificate(name="health", expires=date(2026, 12, 1)),),
    )
    own_offset = world(workers=[expiring], jobs=[late])
    plan = plan_of(own_offset, ("J1", "W1", at(0, 30, day=1)))
    # 00:30 on Dec 2 at +08:00: the certificate expired the day before.
    assert rules_broken(own_offset, plan) == {"certificate_valid"}
    assert planned_day(own_offset, at(0, 30, day=1)) == date(2026, 12, 2)
    in_utc = replace(own_offset, settings=DatasetSettings(timezone="UTC"))
    # The same moment is 16:30 on Dec 1 in UTC: still valid.
    assert verify(in_utc, plan) == []


def test_travel_from_the_previous_job_must_fit() -> None:
    """A job far from the previous one needs its travel time in between."""
    dataset = world(jobs=[job("J1"), job("J2", location=FAR)])
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(10, 5)))
    violations = verify(dataset, plan)
    assert [(v.rule, v.job_id) for v in violations] == [("travel_fits", "J2")]
    assert "from job J1" in violations[0].message


def test_worker_without_shifts_breaks_inside_shift() -> None:
    """No shift at all is reported as such."""
    dataset = world(workers=[worker("W1", shifts=())])
    violations = verify(dataset, plan_of(dataset, ("J1", "W1", at(9))))
    assert [v.rule for v in violations] == ["inside_shift"]
    assert "has no shift" in violations[0].message


def test_jobs_in_separate_shifts_each_travel_from_home() -> None:
    """Each shift starts at home: limits and travel count per shift."""
    two_shifts = worker(
        "W1", shifts=(Shift(start=at(8), end=at(10)), Shift(start=at(14), end=at(18))), max_jobs=1
    )
    dataset = world(
        workers=[two_shifts],
        jobs=[job("J1"), job("J2", window=TimeWindow(start=at(14, 10), end=at(15)))],
    )
    plan = plan_of(dataset, ("J1", "W1", at(9)), ("J2", "W1", at(14, 10)))
    assert verify(dataset, plan) == []


def test_messages_are_sentences_naming_job_and_worker() -> None:
    """Every violation message is a full sentence naming the job and the worker."""
    dataset = world(
        workers=[worker("W1", gender=Gender.MALE, skills={})],
        jobs=[job("J1", gender_required=Gender.FEMALE)],
    )
    violations = verify(dataset, plan_of(dataset, ("J1", "W1", at(7))))
    assert {v.rule for v in violations} >= {"gender_required", "skill_level", "start_in_window"}
    for v in violations:
        assert isinstance(v, Violation)
        assert v.message.endswith(".")
        assert "J1" in v.message and "W1" in v.message
        assert str(v).startswith(f"{v.rule}: ")


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"gender": Gender.MALE}, "gender_required"),
        ({"languages": frozenset()}, "language_required"),
        ({"experience_years": 0.0}, "experience"),
    ],
)
def test_check_pair_runs_only_the_pair_rules(change: dict[str, object], rule: str) -> None:
    """check_pair judges one hypothetical assignment with verify's own pair rules."""
    dataset = world(
        workers=[worker("W1", **change)], jobs=[job("J1", gender_required=Gender.FEMALE)]
    )
    # 07:00 is outside the window and before the shift: schedule rules are not asked.
    violations = check_pair(dataset, "J1", "W1", at(7))
    assert [v.rule for v in violations] == [rule]
    assert check_pair(world(), "J1", "W1", at(9) - timedelta(hours=2)) == []


def test_verify_uses_the_plans_travel_model_unless_given_one() -> None:
    """Travel is checked with ``plan.travel`` (the model the plan was made with); an explicit
    ``travel`` overrides it; without either, the default model of the dataset applies."""
    dataset, travel = matrix_world()
    hand = plan_of(dataset, ("J1", "W1", at(8, 10)), ("J2", "W1", at(9, 15)))
    on_matrix = replace(hand, travel=travel)
    assert verify(dataset, on_matrix) == []
    assert rules_broken(dataset, hand) == {"travel_fits"}
    assert verify(dataset, hand, travel=travel) == []
    assert {v.rule for v in verify(dataset, on_matrix, travel=HaversineTravel())} == {"travel_fits"}


def test_check_pair_does_not_say_a_blocked_or_excluded_worker_is_assigned() -> None:
    """check_pair imagines an assignment: its sentences say the worker may not serve the job,
    never that they are assigned to it; verify on a real plan still says they are."""
    dataset = world(
        workers=[worker("W1")],
        jobs=[job("J1", excluded_workers=frozenset({"W1"}))],
        customers=[customer("C1", blocked_workers=frozenset({"W1"}))],
    )
    imagined = check_pair(dataset, "J1", "W1", at(9))
    assert {v.rule for v in imagined} == {"not_blocked", "not_excluded"}
    assert not any("assigned" in v.message for v in imagined)
    assert "may not serve their job J1" in imagined[0].message
    real = [
        v for v in verify(dataset, plan_of(dataset, ("J1", "W1", at(9)))) if v.rule in PAIR_RULES
    ]
    assert all("assigned" in v.message for v in real) and len(real) == 2
