"""compile_problem: shapes, time arithmetic, vehicles, travel, pins and scores."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from matchmaker.compile import (
    MatrixTravel,
    ReasonBit,
    compile_problem,
    coordinates,
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
    Policy,
    ScoreWeights,
    Shift,
    SkillRequirement,
    TimeWindow,
    TravelMode,
    Worker,
    horizon_start,
    minutes_from,
)
from tests.clock import TZ, at

HOME = Location(lat=31.2300, lon=121.4700)


WORKER = Worker(
    worker_id="W1",
    name="Ann",
    gender=Gender.FEMALE,
    skills={"cleaning": 3},
    experience_years=5.0,
    certificates=(Certificate(name="health", expires=date(2027, 1, 1)),),
    background_check=BackgroundCheck(status=BackgroundCheckStatus.PASSED),
    home=HOME,
    shifts=(Shift(start=at(8), end=at(18)),),
    travel_mode=TravelMode.TRANSIT,
)
JOB = Job(
    job_id="J1",
    customer_id="C1",
    service_type="cleaning",
    location=Location(lat=31.2300, lon=121.4800),
    window=TimeWindow(start=at(10), end=at(11)),
    duration_minutes=120,
    required_skills=(SkillRequirement(name="cleaning", level=2),),
)


def city() -> Dataset:
    """Three workers (two shifts / one shift by bike / none) and three jobs."""
    workers = (
        replace(WORKER, shifts=(Shift(start=at(8), end=at(12)), Shift(start=at(14), end=at(20)))),
        replace(
            WORKER,
            worker_id="W2",
            home=Location(lat=31.2200, lon=121.4600),
            travel_mode=TravelMode.BIKE,
            max_jobs=3,
            max_work_minutes=1000,
        ),
        replace(WORKER, worker_id="W3", shifts=(), travel_mode=TravelMode.CAR),
    )
    jobs = (
        JOB,
        replace(JOB, job_id="J2", window=TimeWindow(start=at(15), end=at(16))),
        replace(
            JOB,
            job_id="J3",
            location=Location(lat=31.2400, lon=121.4900),
            window=TimeWindow(start=at(9), end=at(9, 30)),
            duration_minutes=45,
        ),
    )
    return Dataset(workers=workers, jobs=jobs, customers=(Customer(customer_id="C1"),))


def test_shapes_dtypes_and_read_only() -> None:
    """Every array has the documented shape and dtype and cannot be written."""
    problem = compile_problem(city())
    n_v, n_w, n_j, n_m = 3, 3, 3, 2
    expected = {
        "vehicle_worker": ((n_v,), np.int32),
        "vehicle_start": ((n_v,), np.int32),
        "vehicle_end": ((n_v,), np.int32),
        "vehicle_mode": ((n_v,), np.int32),
        "vehicle_max_jobs": ((n_v,), np.int32),
        "vehicle_max_work": ((n_v,), np.int32),
        "job_earliest": ((n_j,), np.int32),
        "job_latest": ((n_j,), np.int32),
        "job_duration": ((n_j,), np.int32),
        "job_team": ((n_j,), np.int32),
        "job_priority": ((n_j,), np.int32),
        "job_pinned_start": ((n_j,), np.int32),
        "pinned": ((n_v, n_j), np.bool_),
        "travel_job_job": ((n_m, n_j, n_j), np.int32),
        "travel_home_job": ((n_v, n_j), np.int32),
        "eligible": ((n_v, n_j), np.bool_),
        "reasons": ((n_w, n_j), np.uint16),
        "score": ((n_w, n_j), np.float64),
    }
    for name, (shape, dtype) in expected.items():
        array = getattr(problem, name)
        assert array.shape == shape, name
        assert array.dtype == dtype, name
        assert not array.flags.writeable, name
        with pytest.raises(ValueError):
            array[(0,) * array.ndim] = 0
    assert problem.worker_ids == ("W1", "W2", "W3")
    assert problem.job_ids == ("J1", "J2", "J3")


def test_vehicles_are_worker_shifts() -> None:
    """Two shifts give two vehicles; a worker without shifts gives none."""
    problem = compile_problem(city())
    assert problem.vehicle_worker.tolist() == [0, 0, 1]
    assert problem.vehicle_start.tolist() == [8 * 60, 14 * 60, 8 * 60]
    assert problem.vehicle_end.tolist() == [12 * 60, 20 * 60, 18 * 60]


def test_modes_only_those_of_workers_with_shifts() -> None:
    """The car of the shiftless worker is not compiled; vehicles index into modes."""
    problem = compile_problem(city())
    assert problem.modes == ("bike", "transit")
    assert problem.vehicle_mode.tolist() == [1, 1, 0]


def test_limits_default_to_shift_length_and_are_capped() -> None:
    """No limit -> shift minutes; a work limit above the shift length is capped."""
    problem = compile_problem(city())
    assert problem.vehicle_max_jobs.tolist() == [240, 360, 3]
    assert problem.vehicle_max_work.tolist() == [240, 360, 600]


def test_job_arrays() -> None:
    """Windows in minutes from the horizon, durations, team sizes, priorities."""
    problem = compile_problem(city())
    assert problem.job_earliest.tolist() == [600, 900, 540]
    assert problem.job_latest.tolist() == [660, 960, 570]
    assert problem.job_duration.tolist() == [120, 120, 45]
    assert problem.job_team.tolist() == [1, 1, 1]
    assert problem.job_priority.tolist() == [3, 3, 3]
    assert problem.job_pinned_start.tolist() == [-1, -1, -1]
    assert not problem.pinned.any()


def test_horizon_is_local_midnight_of_the_earliest_time() -> None:
    """Midnight of the earliest day in the data's own offset; minutes count from it."""
    problem = compile_problem(city())
    assert problem.horizon_start == datetime(2026, 12, 1, tzinfo=TZ)
    assert problem.horizon_start.utcoffset() == timedelta(hours=8)


def test_horizon_uses_dataset_timezone() -> None:
    """Times given in UTC are placed on the dataset timezone's calendar."""
    utc = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 07:00 on Dec 1 in Shanghai
    dataset = Dataset(
        workers=(replace(WORKER, shifts=(Shift(start=utc, end=utc + timedelta(hours=8)),)),),
        jobs=(replace(JOB, window=TimeWindow(start=utc, end=utc)),),
        settings=DatasetSettings(timezone="Asia/Shanghai"),
    )
    problem = compile_problem(dataset)
    assert problem.horizon_start == datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert problem.vehicle_start.tolist() == [7 * 60]


def test_conservative_rounding_of_seconds() -> None:
    """Shift start and earliest start round up, shift end and latest start round down."""
    dataset = Dataset(
        workers=(replace(WORKER, shifts=(Shift(start=at(8, 0, 30), end=at(17, 59, 30)),)),),
        jobs=(replace(JOB, window=TimeWindow(start=at(10, 0, 1), end=at(10, 59, 59))),),
    )
    problem = compile_problem(dataset)
    assert problem.vehicle_start.tolist() == [481]
    assert problem.vehicle_end.tolist() == [1079]
    assert problem.job_earliest.tolist() == [601]
    assert problem.job_latest.tolist() == [659]


def test_minutes_are_real_time_across_daylight_saving() -> None:
    """A shift over the autumn clock change lasts its real 5 hours, not 4 on the clock."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, 1, 0, tzinfo=berlin)
    end = datetime(2026, 10, 25, 5, 0, tzinfo=berlin)  # clocks go back at 03:00
    dataset = Dataset(
        workers=(replace(WORKER, shifts=(Shift(start=start, end=end),)),),
        jobs=(replace(JOB, window=TimeWindow(start=start, end=start), duration_minutes=30),),
        settings=DatasetSettings(timezone="Europe/Berlin"),
    )
    problem = compile_problem(dataset)
    assert problem.horizon_start == datetime(2026, 10, 25, tzinfo=berlin)
    assert int(problem.vehicle_end[0] - problem.vehicle_start[0]) == 5 * 60
    assert minutes_from(problem.horizon_start, end, round_up=False) == 6 * 60


def test_horizon_start_includes_pinned_starts() -> None:
    """A pinned start earlier than everything else moves the horizon back a day."""
    dataset = Dataset(
        workers=(WORKER,),
        jobs=(replace(JOB, pinned_worker_ids=("W1",), pinned_start=at(23, day=-1)),),
    )
    assert horizon_start(dataset) == datetime(2026, 11, 30, tzinfo=TZ)


def test_travel_matrices_match_the_pair_function() -> None:
    """travel_job_job per mode and travel_home_job per shift equal travel_minutes."""
    dataset = city()
    problem = compile_problem(dataset)
    for m, mode in enumerate(problem.modes):
        for a, job_a in enumerate(dataset.jobs):
            for b, job_b in enumerate(dataset.jobs):
                expected = travel_minutes(job_a.location, job_b.location, mode)
                assert problem.travel_job_job[m, a, b] == expected
    for v in range(problem.n_vehicles):
        worker = dataset.workers[int(problem.vehicle_worker[v])]
        for j, job in enumerate(dataset.jobs):
            expected = travel_minutes(worker.home, job.location, worker.travel_mode)
            assert problem.travel_home_job[v, j] == expected
            assert problem.travel(v, None, j) == expected
    assert problem.travel(2, 0, 2) == travel_minutes(
        dataset.jobs[0].location, dataset.jobs[2].location, "bike"
    )


def test_user_matrix_plugs_in() -> None:
    """A MatrixTravel replaces the haversine model everywhere."""
    base = city()
    moved = replace(base.jobs[1], location=Location(lat=31.2500, lon=121.5000))
    dataset = replace(base, jobs=(base.jobs[0], moved, base.jobs[2]))
    points = [w.home for w in dataset.workers[:2]] + [j.location for j in dataset.jobs]
    table = np.arange(len(points) ** 2).reshape(len(points), len(points))
    problem = compile_problem(dataset, travel=MatrixTravel(points, table))
    assert problem.travel_job_job[0].tolist() == table[2:, 2:].tolist()
    assert problem.travel_home_job.tolist() == [table[0, 2:].tolist()] * 2 + [table[1, 2:].tolist()]


def test_eligibility_per_shift() -> None:
    """The morning job fits the first shift of W1 and W2; the afternoon one the second."""
    problem = compile_problem(city())
    assert problem.eligible.tolist() == [
        [True, False, True],
        [False, True, False],
        [True, True, True],
    ]
    assert problem.reasons[2].tolist() == [ReasonBit.NO_AVAILABILITY] * 3


def test_score_is_zero_without_an_eligible_shift() -> None:
    """Workers with no eligible shift score 0; others their match score."""
    problem = compile_problem(city())
    assert problem.score[2].tolist() == [0.0, 0.0, 0.0]
    assert np.all(problem.score[:2] > 0)
    assert np.all(problem.score <= 100)


def test_policy_argument_overrides_dataset_policy() -> None:
    """The policy passed in sets the score weights."""
    rating_only = Policy(
        score_weights=ScoreWeights(
            rating=100,
            experience=0,
            skill_fit=0,
            preferred_worker=0,
            continuity=0,
            preferred_gender=0,
            preferred_language=0,
        )
    )
    problem = compile_problem(city(), policy=rating_only)
    assert problem.score[0, 0] == pytest.approx(90.0)  # no rating: the prior mean 4.5


def test_pin_goes_to_the_shift_holding_the_pinned_start() -> None:
    """A pinned start in the afternoon pins the afternoon shift, minutes from the horizon."""
    dataset = city()
    job = replace(dataset.jobs[1], pinned_worker_ids=("W1",), pinned_start=at(15, 30))
    problem = compile_problem(replace(dataset, jobs=(dataset.jobs[0], job, dataset.jobs[2])))
    assert problem.job_pinned_start.tolist() == [-1, 930, -1]
    assert np.argwhere(problem.pinned).tolist() == [[1, 1]]
    assert problem.eligible[1, 1]


def test_pin_without_start_goes_to_the_first_shift_that_fits() -> None:
    """With no pinned start, the first shift able to hold the job is pinned."""
    dataset = city()
    job = replace(dataset.jobs[1], pinned_worker_ids=("W1", "W2"), workers_needed=2)
    problem = compile_problem(replace(dataset, jobs=(dataset.jobs[0], job, dataset.jobs[2])))
    assert np.argwhere(problem.pinned).tolist() == [[1, 1], [2, 1]]
    assert problem.job_team.tolist() == [1, 2, 1]


def test_pin_outside_every_shift_goes_to_the_nearest_and_stays_eligible() -> None:
    """A pin the shifts cannot hold is kept on the nearest shift, with its reason bits."""
    dataset = city()
    job = replace(
        dataset.jobs[0],
        pinned_worker_ids=("W1",),
        pinned_start=at(12, 30),
        window=TimeWindow(start=at(12, 30), end=at(12, 30)),
    )
    problem = compile_problem(replace(dataset, jobs=(job, *dataset.jobs[1:])))
    assert np.argwhere(problem.pinned).tolist() == [[0, 0]]  # 12:00 is nearer than 14:00
    assert problem.eligible[0, 0]
    assert problem.reasons[0, 0] == ReasonBit.NO_AVAILABILITY


def test_pin_to_a_worker_without_shifts_pins_nothing() -> None:
    """A shiftless worker has no vehicle to pin; the start is still recorded."""
    dataset = city()
    job = replace(dataset.jobs[0], pinned_worker_ids=("W3",), pinned_start=at(10))
    problem = compile_problem(replace(dataset, jobs=(job, *dataset.jobs[1:])))
    assert not problem.pinned.any()
    assert problem.job_pinned_start[0] == 600


def test_start_without_pinned_worker_is_not_a_pin() -> None:
    """A pinned start with no pinned worker leaves job_pinned_start at -1."""
    dataset = city()
    job = replace(dataset.jobs[0], pinned_start=at(10))
    problem = compile_problem(replace(dataset, jobs=(job, *dataset.jobs[1:])))
    assert problem.job_pinned_start.tolist() == [-1, -1, -1]


def test_empty_dataset_compiles() -> None:
    """No workers and no jobs give empty arrays of the right rank."""
    problem = compile_problem(Dataset(workers=(), jobs=()))
    assert problem.n_vehicles == 0
    assert problem.travel_job_job.shape == (0, 0, 0)
    assert problem.eligible.shape == (0, 0)
    assert problem.modes == ()


def test_jobs_without_workers_with_shifts() -> None:
    """Only shiftless workers: no vehicles, no modes, every job NO_AVAILABILITY."""
    dataset = Dataset(workers=(replace(WORKER, shifts=()),), jobs=(JOB, replace(JOB, job_id="J2")))
    problem = compile_problem(dataset)
    assert problem.travel_job_job.shape == (0, 2, 2)
    assert problem.travel_home_job.shape == (0, 2)
    assert problem.reasons.tolist() == [[ReasonBit.NO_AVAILABILITY] * 2]
    assert coordinates([]).shape == (0, 2)
