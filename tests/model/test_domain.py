"""Invariants of the domain dataclasses."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date, timedelta

import pytest

from matchmaker.model import (
    BackgroundCheck,
    BackgroundCheckStatus,
    Certificate,
    Customer,
    Dataset,
    DomainError,
    Gender,
    Job,
    Location,
    Shift,
    SkillRequirement,
    TimeWindow,
    Worker,
)
from tests.clock import at

NINE = at(9)


def _worker(**overrides: object) -> Worker:
    values: dict[str, object] = {
        "worker_id": "W1",
        "name": "Li",
        "gender": Gender.FEMALE,
        "home": Location(lat=31.2, lon=121.4),
        "shifts": (Shift(start=NINE, end=NINE + timedelta(hours=8)),),
    }
    values.update(overrides)
    return Worker(**values)  # type: ignore[arg-type]


def _job(**overrides: object) -> Job:
    values: dict[str, object] = {
        "job_id": "J1",
        "customer_id": "C1",
        "service_type": "daily_cleaning",
        "location": Location(lat=31.21, lon=121.41),
        "window": TimeWindow(start=NINE, end=NINE + timedelta(hours=1)),
        "duration_minutes": 120,
    }
    values.update(overrides)
    return Job(**values)  # type: ignore[arg-type]


def test_dataclasses_are_frozen() -> None:
    """A worker cannot be changed after construction."""
    worker = _worker()
    with pytest.raises(FrozenInstanceError):
        worker.name = "Wang"  # type: ignore[misc]


def test_skills_mapping_is_read_only() -> None:
    """The skills mapping handed in is copied and cannot be mutated through the worker."""
    skills = {"cleaning": 3}
    worker = _worker(skills=skills)
    skills["cleaning"] = 5
    assert worker.skill_level("cleaning") == 3
    assert worker.skill_level("cooking") == 0
    with pytest.raises(TypeError):
        worker.skills["cleaning"] = 4  # type: ignore[index]


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Location(lat=91.0, lon=0.0), "latitude"),
        (lambda: Location(lat=0.0, lon=-181.0), "longitude"),
        (lambda: SkillRequirement(name="cleaning", level=6), "outside 1..5"),
        (lambda: TimeWindow(start=NINE, end=NINE - timedelta(minutes=1)), "before it starts"),
        (lambda: TimeWindow(start=NINE.replace(tzinfo=None), end=NINE), "timezone-aware"),
        (lambda: Shift(start=NINE, end=NINE), "not after its start"),
        (lambda: _worker(skills={"cleaning": 0}), "outside 1..5"),
        (lambda: _worker(rating=5.5), "rating"),
        (lambda: _worker(experience_years=-1), "experience_years"),
        (
            lambda: _worker(
                shifts=(
                    Shift(start=NINE, end=NINE + timedelta(hours=4)),
                    Shift(start=NINE + timedelta(hours=3), end=NINE + timedelta(hours=6)),
                )
            ),
            "overlap",
        ),
        (lambda: _job(duration_minutes=0), "duration_minutes"),
        (lambda: _job(workers_needed=0), "workers_needed"),
        (lambda: _job(priority=6), "priority"),
        (lambda: _job(pinned_worker_ids=("W1", "W2")), "pinned workers"),
    ],
)
def test_constructors_check_invariants(build: object, fragment: str) -> None:
    """Each constructor rejects values that break its invariants with a DomainError."""
    with pytest.raises(DomainError, match=fragment):
        build()  # type: ignore[operator]


def test_shifts_are_sorted() -> None:
    """A worker's shifts are kept in time order whatever order they were given in."""
    late = Shift(start=NINE + timedelta(days=1), end=NINE + timedelta(days=1, hours=8))
    early = Shift(start=NINE, end=NINE + timedelta(hours=8))
    assert _worker(shifts=(late, early)).shifts == (early, late)


def test_background_check_validity() -> None:
    """Only a passed check that has not expired on the day is valid."""
    day = date(2026, 12, 1)
    assert BackgroundCheck(status=BackgroundCheckStatus.PASSED).valid_on(day)
    assert BackgroundCheck(status=BackgroundCheckStatus.PASSED, expires=day).valid_on(day)
    assert not BackgroundCheck(
        status=BackgroundCheckStatus.PASSED, expires=date(2026, 11, 30)
    ).valid_on(day)
    assert not BackgroundCheck(status=BackgroundCheckStatus.PENDING).valid_on(day)
    assert Certificate(name="health", expires=day).valid_on(day)
    assert not Certificate(name="health", expires=day).valid_on(date(2026, 12, 2))


def test_dataset_lookups_and_reference_checks() -> None:
    """The dataset indexes by id and rejects duplicates and dangling references."""
    dataset = Dataset(workers=(_worker(),), jobs=(_job(),), customers=(Customer(customer_id="C1"),))
    assert dataset.worker("W1").name == "Li"
    assert dataset.job_position("J1") == 0
    assert dataset.customer("C9") is None
    with pytest.raises(DomainError, match="duplicate worker"):
        Dataset(workers=(_worker(), _worker()), jobs=())
    with pytest.raises(DomainError, match="unknown customer"):
        Dataset(
            workers=(_worker(),),
            jobs=(_job(customer_id="C2"),),
            customers=(Customer(customer_id="C1"),),
        )
    with pytest.raises(DomainError, match="unknown pinned worker"):
        Dataset(workers=(_worker(),), jobs=(_job(pinned_worker_ids=("W9",)),))
    with pytest.raises(DomainError, match="pinned and excluded"):
        Dataset(
            workers=(_worker(),),
            jobs=(_job(pinned_worker_ids=("W1",), excluded_workers=frozenset({"W1"})),),
        )


def test_a_released_pin_leaves_the_rest_of_the_job() -> None:
    """``unpinned`` clears the pinned workers and start and nothing else: the exclusions
    stay, no link appears, and putting the pin back gives the job it came from."""
    pinned = _job(pinned_worker_ids=("W1",), pinned_start=at(9), excluded_workers={"W9"})
    free = pinned.unpinned()
    assert not free.is_pinned and free.pinned_start is None
    assert free.unlinked() == free and free.excluded_workers == pinned.excluded_workers
    assert replace(free, pinned_worker_ids=("W1",), pinned_start=at(9)) == pinned
