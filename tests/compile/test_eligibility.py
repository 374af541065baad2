"""Pair-only hard rules and the shift rule: one test per rule on a tiny world."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from matchmaker.compile import (
    PAIR_RULES,
    Problem,
    ReasonBit,
    cap_fit,
    compile_problem,
    encode_pairs,
    pair_reasons,
    rule_background_check,
    rule_certificate_valid,
    rule_experience,
    rule_gender_required,
    rule_language_required,
    rule_not_blocked,
    rule_not_excluded,
    rule_skill_level,
    rule_worker_active,
    travel_minutes,
)
from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Customer,
    Dataset,
    DatasetSettings,
    Gender,
    Job,
    Location,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    WorkerStatus,
    latest_start_day,
    local_zone,
)
from matchmaker.plan import PAIR_RULES as VERIFIER_PAIR_RULES
from matchmaker.plan import check_pair
from tests.clock import at

HOME = Location(lat=31.2300, lon=121.4700)
SITE = Location(lat=31.2300, lon=121.4800)  # about 1 km east: 9 minutes by transit


WORKER = Worker(
    worker_id="W1",
    name="Ann",
    gender=Gender.FEMALE,
    languages=frozenset({"mandarin"}),
    skills={"cleaning": 3},
    experience_years=5.0,
    certificates=(Certificate(name="health", expires=date(2027, 1, 1)),),
    background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
    rating=4.5,
    rating_count=10,
    home=HOME,
    shifts=(Shift(start=at(8), end=at(18)),),
    travel_mode=TravelMode.TRANSIT,
)
JOB = Job(
    job_id="J1",
    customer_id="C1",
    service_type="cleaning",
    location=SITE,
    window=TimeWindow(start=at(10), end=at(11)),
    duration_minutes=120,
    required_skills=(SkillRequirement(name="cleaning", level=2),),
    min_experience_years=2.0,
    required_certificates=("health",),
)
CUSTOMER = Customer(customer_id="C1")


def world(
    worker: dict[str, Any] | None = None,
    job: dict[str, Any] | None = None,
    customer: dict[str, Any] | None = None,
) -> Dataset:
    return Dataset(
        workers=(replace(WORKER, **(worker or {})),),
        jobs=(replace(JOB, **(job or {})),),
        customers=(replace(CUSTOMER, **(customer or {})),),
    )


def only_bits(problem: Problem) -> int:
    return int(problem.reasons[0, 0])


def test_base_world_is_eligible() -> None:
    """The tiny world every rule test starts from passes every rule."""
    problem = compile_problem(world())
    assert only_bits(problem) == 0
    assert problem.eligible.tolist() == [[True]]


CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], ReasonBit]] = [
    (
        "no_skill",
        {},
        {"required_skills": (SkillRequirement(name="elderly_care", level=1),)},
        {},
        ReasonBit.NO_SKILL,
    ),
    (
        "skill_level",
        {},
        {"required_skills": (SkillRequirement(name="cleaning", level=4),)},
        {},
        ReasonBit.SKILL_LEVEL,
    ),
    ("experience", {"experience_years": 1.5}, {}, {}, ReasonBit.EXPERIENCE),
    (
        "certificate_expired",
        {"certificates": (Certificate(name="health", expires=date(2026, 11, 30)),)},
        {},
        {},
        ReasonBit.CERTIFICATE,
    ),
    ("certificate_missing", {"certificates": ()}, {}, {}, ReasonBit.CERTIFICATE),
    (
        "background_pending",
        {"background_check": BackgroundCheck(status=BackgroundCheckStatus.PENDING)},
        {},
        {},
        ReasonBit.BACKGROUND_CHECK,
    ),
    (
        "background_failed",
        {"background_check": BackgroundCheck(status=BackgroundCheckStatus.FAILED)},
        {},
        {},
        ReasonBit.BACKGROUND_CHECK,
    ),
    (
        "background_expired",
        {
            "background_check": BackgroundCheck(
                status=BackgroundCheckStatus.PASSED, expires=date(2026, 11, 30)
            )
        },
        {},
        {},
        ReasonBit.BACKGROUND_CHECK,
    ),
    ("suspended", {"status": WorkerStatus.SUSPENDED}, {}, {}, ReasonBit.INACTIVE),
    ("on_leave", {"status": WorkerStatus.ON_LEAVE}, {}, {}, ReasonBit.INACTIVE),
    ("gender", {}, {"gender_required": Gender.MALE}, {}, ReasonBit.GENDER),
    (
        "language",
        {},
        {"language_required": ("mandarin", "cantonese")},
        {},
        ReasonBit.LANGUAGE,
    ),
    ("blocked", {}, {}, {"blocked_workers": frozenset({"W1"})}, ReasonBit.BLOCKED),
    ("excluded", {}, {"excluded_workers": frozenset({"W1"})}, {}, ReasonBit.EXCLUDED),
    (
        "no_availability",
        {},
        {"window": TimeWindow(start=at(17), end=at(17, 30))},  # ends after the shift
        {},
        ReasonBit.NO_AVAILABILITY,
    ),
    ("no_shift_at_all", {"shifts": ()}, {}, {}, ReasonBit.NO_AVAILABILITY),
    (
        "travel",
        {},
        {"window": TimeWindow(start=at(8), end=at(8, 5))},  # 9 minutes from home
        {},
        ReasonBit.TRAVEL,
    ),
]


@pytest.mark.parametrize(
    ("worker", "job", "customer", "bit"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_rule_alone_decides(
    worker: dict[str, Any], job: dict[str, Any], customer: dict[str, Any], bit: ReasonBit
) -> None:
    """Breaking exactly one rule sets exactly its bit and makes the pair ineligible."""
    problem = compile_problem(world(worker, job, customer))
    assert only_bits(problem) == bit
    assert not problem.eligible.any()
    assert problem.score[0, 0] == 0.0


@pytest.mark.parametrize(
    ("worker", "job"),
    [
        ({"experience_years": 2.0}, {}),  # exactly the minimum
        ({"skills": {"cleaning": 2}}, {}),  # exactly the level
        # Valid through the job's day (the certificate expires the day of the job).
        ({"certificates": (Certificate(name="health", expires=date(2026, 12, 1)),)}, {}),
        (
            {
                "background_check": BackgroundCheck(
                    status=BackgroundCheckStatus.PASSED, expires=date(2026, 12, 1)
                )
            },
            {},
        ),
        ({}, {"gender_required": Gender.FEMALE}),
        (
            {"languages": frozenset({"mandarin", "cantonese"})},
            {"language_required": ("cantonese",)},
        ),
        ({}, {"window": TimeWindow(start=at(8, 9), end=at(8, 9))}),  # just enough travel
        ({}, {"window": TimeWindow(start=at(16), end=at(16)), "duration_minutes": 120}),
    ],
    ids=[
        "experience",
        "level",
        "certificate",
        "background",
        "gender",
        "language",
        "travel",
        "shift_end",
    ],
)
def test_boundaries_pass(worker: dict[str, Any], job: dict[str, Any]) -> None:
    """Values exactly at a rule's limit pass it."""
    problem = compile_problem(world(worker, job))
    assert only_bits(problem) == 0
    assert problem.eligible.tolist() == [[True]]


def test_skill_bits_for_two_requirements() -> None:
    """A job needing two skills sets NO_SKILL and SKILL_LEVEL when both fail."""
    needs = (
        SkillRequirement(name="cleaning", level=5),
        SkillRequirement(name="cooking", level=1),
    )
    enc = encode_pairs(world(job={"required_skills": needs}))
    assert int(rule_skill_level(enc)[0, 0]) == ReasonBit.NO_SKILL | ReasonBit.SKILL_LEVEL


def test_certificate_date_is_the_latest_start_day() -> None:
    """A window crossing midnight checks documents on the day of the latest start."""
    dataset = world(
        worker={
            "certificates": (Certificate(name="health", expires=date(2026, 12, 1)),),
            "shifts": (Shift(start=at(20), end=at(6, day=1)),),
        },
        job={"window": TimeWindow(start=at(23), end=at(0, 30, day=1)), "duration_minutes": 60},
    )
    assert latest_start_day(dataset.jobs[0], local_zone(dataset)) == date(2026, 12, 2)
    problem = compile_problem(dataset)
    assert only_bits(problem) == ReasonBit.CERTIFICATE


def test_latest_start_day_uses_dataset_timezone() -> None:
    """With a timezone in dataset.toml the job's day is taken there."""
    utc_evening = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 01:00 on Dec 2 in +08
    dataset = Dataset(
        workers=(WORKER,),
        jobs=(replace(JOB, window=TimeWindow(start=utc_evening, end=utc_evening)),),
        settings=DatasetSettings(timezone="Asia/Shanghai"),
    )
    assert latest_start_day(dataset.jobs[0], local_zone(dataset)) == date(2026, 12, 2)


def test_shift_fit_is_per_vehicle() -> None:
    """With a morning and an evening shift, only the shift holding the job is eligible."""
    shifts = (Shift(start=at(8), end=at(12)), Shift(start=at(14), end=at(20)))
    problem = compile_problem(
        world(worker={"shifts": shifts}, job={"window": TimeWindow(start=at(15), end=at(16))})
    )
    assert problem.eligible[:, 0].tolist() == [False, True]
    assert only_bits(problem) == 0


def test_travel_only_when_some_shift_fits_the_window() -> None:
    """TRAVEL needs a shift that holds the window; otherwise it is NO_AVAILABILITY."""
    shifts = (Shift(start=at(8), end=at(9)), Shift(start=at(12), end=at(14)))
    # Fits the first shift's hours only if the worker were already there.
    problem = compile_problem(
        world(
            worker={"shifts": shifts},
            job={"window": TimeWindow(start=at(8), end=at(8)), "duration_minutes": 30},
        )
    )
    assert only_bits(problem) == ReasonBit.TRAVEL
    assert not problem.eligible.any()


def test_pinned_pair_breaking_a_rule_stays_eligible_with_its_bits() -> None:
    """Pins are kept: the pinned shift is eligible and the failed rule is still recorded."""
    problem = compile_problem(
        world(worker={"experience_years": 0.5}, job={"pinned_worker_ids": ("W1",)})
    )
    assert only_bits(problem) == ReasonBit.EXPERIENCE
    assert problem.pinned.tolist() == [[True]]
    assert problem.eligible.tolist() == [[True]]
    assert problem.score[0, 0] > 0


def test_rule_functions_have_stable_names_and_order() -> None:
    """The registry lists every pair rule once, in reason order."""
    assert [r.__name__ for r in PAIR_RULES] == [
        "rule_skill_level",
        "rule_experience",
        "rule_certificate_valid",
        "rule_background_check",
        "rule_worker_active",
        "rule_gender_required",
        "rule_language_required",
        "rule_needs_car",
        "rule_not_blocked",
        "rule_not_excluded",
    ]


def _random_world(seed: int, n_workers: int = 25, n_jobs: int = 30) -> Dataset:
    rng = np.random.default_rng(seed)
    skills = ("cleaning", "cooking", "elderly_care")
    workers = []
    for i in range(n_workers):
        held = {s: int(rng.integers(1, 6)) for s in skills if rng.random() < 0.6}
        workers.append(
            replace(
                WORKER,
                worker_id=f"W{i}",
                gender=Gender.FEMALE if rng.random() < 0.6 else Gender.MALE,
                languages=frozenset(x for x in ("mandarin", "cantonese") if rng.random() < 0.6),
                skills=held,
                experience_years=float(rng.integers(0, 8)),
                certificates=tuple(
                    Certificate(name=c, expires=date(2026, 11, 25) + timedelta(int(d)))
                    for c, d in zip(("health", "nursing"), rng.integers(0, 14, 2), strict=True)
                    if rng.random() < 0.7
                ),
                background_check=BackgroundCheck(
                    status=BackgroundCheckStatus.PASSED
                    if rng.random() < 0.8
                    else BackgroundCheckStatus.PENDING,
                    expires=None
                    if rng.random() < 0.5
                    else date(2026, 11, 28) + timedelta(int(rng.integers(0, 8))),
                ),
                status=WorkerStatus.ACTIVE if rng.random() < 0.85 else WorkerStatus.SUSPENDED,
                shifts=tuple(Shift(start=at(8, day=d), end=at(18, day=d)) for d in range(6)),
            )
        )
    customers = [
        Customer(
            customer_id=f"C{c}",
            blocked_workers=frozenset(f"W{int(w)}" for w in rng.integers(0, n_workers, 2)),
        )
        for c in range(5)
    ]
    jobs = []
    for j in range(n_jobs):
        start = at(8) + timedelta(days=int(rng.integers(0, 6)), minutes=int(rng.integers(0, 600)))
        jobs.append(
            replace(
                JOB,
                job_id=f"J{j}",
                customer_id=f"C{int(rng.integers(0, 5))}",
                window=TimeWindow(start=start, end=start + timedelta(minutes=60)),
                required_skills=tuple(
                    SkillRequirement(name=s, level=int(rng.integers(1, 6)))
                    for s in skills
                    if rng.random() < 0.4
                ),
                min_experience_years=float(rng.integers(0, 5)),
                required_certificates=tuple(c for c in ("health", "nursing") if rng.random() < 0.4),
                gender_required=(None, Gender.FEMALE, Gender.MALE)[int(rng.integers(0, 3))],
                language_required=tuple(x for x in ("mandarin", "cantonese") if rng.random() < 0.3),
                excluded_workers=frozenset(f"W{int(w)}" for w in rng.integers(0, n_workers, 1)),
            )
        )
    return Dataset(workers=tuple(workers), jobs=tuple(jobs), customers=tuple(customers))


VERIFIER_BITS: dict[str, ReasonBit] = {
    "experience": ReasonBit.EXPERIENCE,
    "certificate_valid": ReasonBit.CERTIFICATE,
    "background_check": ReasonBit.BACKGROUND_CHECK,
    "worker_active": ReasonBit.INACTIVE,
    "gender_required": ReasonBit.GENDER,
    "language_required": ReasonBit.LANGUAGE,
    "needs_car": ReasonBit.NO_CAR,
    "not_blocked": ReasonBit.BLOCKED,
    "not_excluded": ReasonBit.EXCLUDED,
}
"""The bit of each verifier pair rule; ``skill_level`` has two and is split below."""
_NO_SKILL = re.compile(r"has no \S+ skill")


def _reference_bits(dataset: Dataset, w: int, j: int) -> int:
    """The pair's bits as the independent verifier sees them: :func:`check_pair`'s
    violations for the pair at the job's latest start, each mapped to its rule's bit.

    The verifier's ``skill_level`` rule covers a missing skill (``NO_SKILL``, its message
    says "has no <skill> skill") and a too-low level (``SKILL_LEVEL``).
    """
    worker, job = dataset.workers[w], dataset.jobs[j]
    bits = 0
    for violation in check_pair(dataset, job.job_id, worker.worker_id, job.latest_start):
        if violation.rule == "skill_level":
            missing = _NO_SKILL.search(violation.message) is not None
            bits |= ReasonBit.NO_SKILL if missing else ReasonBit.SKILL_LEVEL
        else:
            bits |= VERIFIER_BITS[violation.rule]
    return int(bits)


def test_reference_maps_every_verifier_pair_rule() -> None:
    """Every pair rule of the verifier has a bit here, so a new rule cannot slip by the
    comparison with the vectorised rules unmapped."""
    assert set(VERIFIER_PAIR_RULES) == {"skill_level", *VERIFIER_BITS}


@pytest.mark.parametrize("seed", [1, 2])
def test_vectorised_rules_match_a_pair_by_pair_reference(seed: int) -> None:
    """On a random world every pair's bits equal the rules applied one pair at a time."""
    dataset = _random_world(seed)
    bits = pair_reasons(encode_pairs(dataset))
    expected = np.array(
        [
            [_reference_bits(dataset, w, j) for j in range(len(dataset.jobs))]
            for w in range(len(dataset.workers))
        ]
    )
    assert bits.dtype == np.uint16
    assert bits.shape == expected.shape
    assert np.array_equal(bits, expected)
    assert bits.flags.c_contiguous
    assert bits.any()  # the world really exercises the rules


def test_each_rule_function_returns_only_its_bits() -> None:
    """Every rule returns (W, J) uint16 using only its own bits."""
    dataset = _random_world(3)
    enc = encode_pairs(dataset)
    own = {
        rule_skill_level: ReasonBit.NO_SKILL | ReasonBit.SKILL_LEVEL,
        rule_experience: ReasonBit.EXPERIENCE,
        rule_certificate_valid: ReasonBit.CERTIFICATE,
        rule_background_check: ReasonBit.BACKGROUND_CHECK,
        rule_worker_active: ReasonBit.INACTIVE,
        rule_gender_required: ReasonBit.GENDER,
        rule_language_required: ReasonBit.LANGUAGE,
        rule_not_blocked: ReasonBit.BLOCKED,
        rule_not_excluded: ReasonBit.EXCLUDED,
    }
    for rule, bits in own.items():
        result = rule(enc)
        assert result.shape == (len(dataset.workers), len(dataset.jobs)), rule.__name__
        assert result.dtype == np.uint16
        assert not np.any(result & ~np.uint16(bits)), rule.__name__
        assert np.any(result), rule.__name__


def test_eligible_equals_rules_and_shift_fit_on_random_world() -> None:
    """eligible[v, j] is 'no pair bit' and 'the shift holds the job after travel'."""
    dataset = _random_world(4)
    problem = compile_problem(dataset)
    reference = {
        (w, j): _reference_bits(dataset, w, j)
        for w in range(len(dataset.workers))
        for j in range(len(dataset.jobs))
    }
    # Every worker lives at HOME and travels by transit.
    home_travel = [travel_minutes(HOME, job.location, "transit") for job in dataset.jobs]
    for v in range(problem.n_vehicles):
        w = int(problem.vehicle_worker[v])
        for j, job in enumerate(dataset.jobs):
            home = home_travel[j]
            lo = max(int(problem.job_earliest[j]), int(problem.vehicle_start[v]) + home)
            hi = min(int(problem.job_latest[j]), int(problem.vehicle_end[v]) - job.duration_minutes)
            expected = reference[w, j] == 0 and lo <= hi
            assert bool(problem.eligible[v, j]) == expected
    assert problem.eligible.any()
    assert not problem.eligible.all()


def test_cap_fit_needs_room_for_the_job_alone_in_every_cap() -> None:
    """A shift holds a job alone only if it may take a job at all and the job's minutes fit
    its work cap and its week's cap; a week cap of -1 is no cap, as no week caps at all."""
    jobs = np.array([1, 0, 1, 1, 1], dtype=np.int32)
    work = np.array([60, 600, 59, 600, 600], dtype=np.int32)
    duration = np.array([60, 30], dtype=np.int32)
    week = np.array([-1, -1, -1, 59, 60], dtype=np.int64)
    fit = cap_fit(
        vehicle_max_jobs=jobs, vehicle_max_work=work, vehicle_max_week=week, job_duration=duration
    )
    assert fit[:, 0].tolist() == [True, False, False, False, True]
    assert fit[:, 1].tolist() == [True, False, True, True, True]
    uncapped = cap_fit(
        vehicle_max_jobs=jobs, vehicle_max_work=work, vehicle_max_week=None, job_duration=duration
    )
    assert uncapped[:, 0].tolist() == [True, False, False, True, True]
