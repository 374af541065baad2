"""From validated rows to the domain: :class:`~matchmaker.model.Dataset`.

Runs only when validation found no error, so every reference resolves here. The rules
of the contract that fill in values live here: availability rows replace a worker's
shift_start/shift_end, and a job with a blank location (address, district) takes its
customer's.
"""

from __future__ import annotations

from collections.abc import Iterable

from matchmaker.io._schemas import (
    AvailabilityRow,
    CustomerRow,
    JobRow,
    PlacementRequestRow,
    WorkerRow,
)
from matchmaker.model import (
    BackgroundCheck,
    Customer,
    Dataset,
    DatasetSettings,
    Job,
    Location,
    PlacementProfile,
    PlacementRequest,
    Shift,
    TimeWindow,
    Worker,
)

__all__ = [
    "build_customer",
    "build_dataset",
    "build_job",
    "build_placement_request",
    "build_worker",
]


def build_worker(row: WorkerRow, availability: Iterable[AvailabilityRow] = ()) -> Worker:
    """The worker of one row; availability rows, when any, replace its one shift."""
    shifts = tuple(Shift(start=a.start, end=a.end) for a in availability)
    if not shifts and row.shift_start is not None and row.shift_end is not None:
        shifts = (Shift(start=row.shift_start, end=row.shift_end),)
    return Worker(
        worker_id=row.worker_id,
        name=row.name,
        gender=row.gender,
        languages=row.languages,
        skills=row.skills,
        experience_years=row.experience_years,
        certificates=row.certificates,
        background_check=BackgroundCheck(
            status=row.background_check, expires=row.background_check_expires
        ),
        rating=row.rating,
        rating_count=row.rating_count,
        home=Location(lat=row.home_lat, lon=row.home_lon),
        shifts=shifts,
        max_jobs=row.max_jobs,
        max_work_minutes=row.max_work_minutes,
        travel_mode=row.travel_mode,
        status=row.status,
        placement=PlacementProfile(
            current_placement_end=row.current_placement_end,
            earliest_free_date=row.earliest_free_date,
            salary_expectation=row.salary_expectation,
            live_in_willing=row.live_in_willing,
            tags=row.tags,
            birth_year=row.birth_year,
        ),
        max_week_minutes=row.max_week_minutes,
        min_rest_minutes=row.min_rest_minutes,
        max_consecutive_days=row.max_consecutive_days,
        breaks=row.breaks,
    )


def build_placement_request(row: PlacementRequestRow) -> PlacementRequest:
    return PlacementRequest(
        request_id=row.request_id,
        customer_id=row.customer_id,
        service_type=row.service_type,
        start_date=row.start_date,
        due_date=row.due_date,
        days_before=row.days_before,
        days_after=row.days_after,
        duration_days=row.duration_days,
        live_in=row.live_in,
        required_skills=row.required_skills,
        min_experience_years=row.min_experience_years,
        required_certificates=row.required_certificates,
        gender_required=row.gender_required,
        language_required=row.language_required,
        preferred_tags=row.preferred_tags,
        age_min=row.age_min,
        age_max=row.age_max,
        budget=row.budget,
        priority=row.priority,
        excluded_workers=row.excluded_workers,
    )


def build_customer(row: CustomerRow) -> Customer:
    location = None
    if row.lat is not None and row.lon is not None:
        location = Location(lat=row.lat, lon=row.lon)
    return Customer(
        customer_id=row.customer_id,
        name=row.name,
        location=location,
        preferred_gender=row.preferred_gender,
        preferred_languages=row.preferred_languages,
        preferred_workers=row.preferred_workers,
        blocked_workers=row.blocked_workers,
        previous_workers=row.previous_workers,
        address=row.address,
        district=row.district,
        max_distinct_workers=row.max_distinct_workers,
    )


def build_job(row: JobRow, customer: Customer | None) -> Job:
    """The job of one row; blank lat/lon take the customer's location."""
    if row.lat is not None and row.lon is not None:
        location = Location(lat=row.lat, lon=row.lon)
    elif customer is not None and customer.location is not None:
        location = customer.location
    else:
        raise ValueError(f"job {row.job_id} has no location")  # validation rules this out
    return Job(
        job_id=row.job_id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        service_type=row.service_type,
        location=location,
        window=TimeWindow(start=row.earliest_start, end=row.latest_start),
        duration_minutes=row.duration_minutes,
        required_skills=row.required_skills,
        min_experience_years=row.min_experience_years,
        required_certificates=row.required_certificates,
        workers_needed=row.workers_needed,
        gender_required=row.gender_required,
        language_required=row.language_required,
        priority=row.priority,
        pinned_worker_ids=row.pinned_worker_id,
        pinned_start=row.pinned_start,
        excluded_workers=row.excluded_workers,
        needs_car=row.needs_car,
        due_start=row.due_start,
        depends_on=row.depends_on,
        min_gap=row.min_gap,
        max_gap=row.max_gap,
        link_worker=row.link_worker,
        address=row.address or (customer.address if customer is not None else ""),
        district=row.district or (customer.district if customer is not None else ""),
    )


def build_dataset(
    *,
    workers: Iterable[WorkerRow],
    jobs: Iterable[JobRow],
    customers: Iterable[CustomerRow] = (),
    availability: Iterable[AvailabilityRow] = (),
    placement_requests: Iterable[PlacementRequestRow] = (),
    settings: DatasetSettings,
) -> Dataset:
    """The dataset of validated rows, in the order of the tables."""
    shifts: dict[str, list[AvailabilityRow]] = {}
    for shift in availability:
        shifts.setdefault(shift.worker_id, []).append(shift)
    customer_objects = tuple(build_customer(row) for row in customers)
    by_id = {c.customer_id: c for c in customer_objects}
    return Dataset(
        workers=tuple(build_worker(row, shifts.get(row.worker_id, ())) for row in workers),
        jobs=tuple(build_job(row, by_id.get(row.customer_id)) for row in jobs),
        customers=customer_objects,
        settings=settings,
        placement_requests=tuple(build_placement_request(row) for row in placement_requests),
    )
