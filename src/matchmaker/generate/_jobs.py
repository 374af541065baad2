"""Drawing the jobs: orders of the customers, their visits over the days, windows,
durations, requirements, team sizes, priorities and addresses."""

from __future__ import annotations

import numpy as np

from matchmaker.generate._catalogue import (
    CARE,
    CERTIFICATES,
    SERVICE_SHARE,
    SERVICE_SKILL,
    SERVICES,
    SKILLS,
    TEAM_SIZE,
    Customers,
    Jobs,
)
from matchmaker.generate._draw import categorical

__all__ = ["draw_jobs"]

# Shortest and longest duration of one visit by service, in minutes (drawn in steps of 30):
# a care visit on its own is a home visit of two to four hours.
_DURATION_RANGE = np.array(
    [[120, 180], [60, 120], [180, 240], [240, 360], [60, 120], [120, 240], [120, 240], [120, 240]]
)
# A recurring care order (days > 1) is often a placement: long days at the same home.
_PLACEMENT_RANGE = (360, 480)
_PLACEMENT_SHARE = 0.5
# Recurring orders (several visits in the horizon) by service, when days > 1.
_RECURRING = np.array([0.2, 0.1, 0.0, 0.0, 0.3, 0.5, 0.5, 0.7])
# Probability that a job needs its service's skill at level 1..5.
_JOB_LEVEL = np.array(
    [[0.15, 0.45, 0.30, 0.10, 0.00],
     [0.40, 0.45, 0.15, 0.00, 0.00],
     [0.00, 0.35, 0.45, 0.20, 0.00],
     [0.00, 0.30, 0.50, 0.20, 0.00],
     [0.00, 0.35, 0.40, 0.20, 0.05],
     [0.00, 0.55, 0.32, 0.10, 0.03],
     [0.00, 0.55, 0.32, 0.10, 0.03],
     [0.00, 0.50, 0.35, 0.12, 0.03]]
)  # fmt: skip
# A second required skill: (service, skill, probability, level).
_SECOND_SKILL = ((1, 2, 0.2, 1), (3, 0, 0.5, 2), (7, 4, 0.3, 2))
# Probability that a job of each service requires each certificate.
_JOB_CERTIFICATES = np.array(
    [[0.10, 0.00, 0.00, 0.00, 0.00],
     [0.10, 0.00, 0.00, 0.00, 0.00],
     [0.00, 0.00, 0.00, 0.00, 0.00],
     [0.00, 0.00, 0.00, 0.00, 0.00],
     [0.60, 0.00, 0.00, 0.00, 0.00],
     [0.80, 0.45, 0.00, 0.00, 0.00],
     [1.00, 0.00, 1.00, 0.00, 0.00],
     [1.00, 0.00, 0.00, 1.00, 0.00]]
)  # fmt: skip

_DAY_START, _DAY_END = 480, 1080  # jobs start and end between 08:00 and 18:00
# Customers book a visit in the morning, around noon or in the afternoon: ranges of the
# earliest start by period, and the periods' shares. A worker's day then holds one visit of
# each, instead of all visits crowding around midday.
_PERIODS = np.array([[480, 570], [660, 750], [780, 900]])
_PERIOD_SHARE = np.array([0.42, 0.23, 0.35])


def draw_jobs(rng: np.random.Generator, n_jobs: int, days: int, customers: Customers) -> Jobs:
    """Exactly ``n_jobs`` visits of the customers' orders, sorted by day and start."""
    n_customers = len(customers.lat)
    # Draw one order per job (an upper bound), then keep as many orders as it takes to
    # reach exactly n_jobs visits.
    m = n_jobs
    first = rng.permutation(n_customers)[:m]
    customer = np.concatenate([first, rng.integers(0, n_customers, m - len(first))])
    # A customer's first order is for their usual service; further orders on the same
    # horizon (dinner cooked after a clean) are for any service.
    usual = np.arange(m) < len(first)
    service = np.where(
        usual, customers.service[customer], rng.choice(len(SERVICES), m, p=SERVICE_SHARE)
    ).astype(np.int64)
    visits = np.ones(m, dtype=np.int64)
    placement = np.zeros(m, dtype=bool)
    if days > 1:
        recurring = rng.random(m) < _RECURRING[service]
        visits = np.where(recurring, rng.integers(2, days + 1, m), 1).astype(np.int64)
        placement = recurring & CARE[service] & (rng.random(m) < _PLACEMENT_SHARE)
    reached = np.cumsum(visits)
    n_orders = int(np.searchsorted(reached, n_jobs)) + 1
    visits = visits[:n_orders].copy()
    visits[-1] -= int(reached[n_orders - 1]) - n_jobs
    customer, service = customer[:n_orders], service[:n_orders]
    placement = placement[:n_orders] & (visits > 1)  # the last order may be cut to one visit

    low = np.where(placement, _PLACEMENT_RANGE[0], _DURATION_RANGE[service, 0])
    high = np.where(placement, _PLACEMENT_RANGE[1], _DURATION_RANGE[service, 1])
    # Most bookings take the shorter packages; long ones are fewer.
    steps = (high - low) // 30
    duration = low + 30 * np.minimum(np.floor(rng.beta(1.0, 2.0, n_orders) * (steps + 1)), steps)
    duration = duration.astype(np.int64)
    width = rng.choice([0, 30, 60, 90, 120, 180], n_orders, p=[0.06, 0.12, 0.26, 0.16, 0.22, 0.18])
    width = np.where(CARE[service], np.minimum(width, 120), width)
    width = np.minimum(width, _DAY_END - _DAY_START - duration)
    # A fixed-time job cannot start at 08:00: nobody's commute fits before it. Customers
    # still ask for that now and then; those few jobs nobody can serve.
    first_start = _DAY_START + np.where(width >= 60, 0, 30)
    period = _PERIODS[rng.choice(len(_PERIOD_SHARE), n_orders, p=_PERIOD_SHARE)]
    earliest_tod = period[:, 0] + 30 * rng.integers(0, (period[:, 1] - period[:, 0]) // 30 + 1)
    # Long visits booked late in the day move earlier so that they end by 18:00.
    earliest_tod = np.maximum(np.minimum(earliest_tod, _DAY_END - duration - width), first_start)
    width = np.minimum(width, _DAY_END - duration - earliest_tod).astype(np.int64)
    at_eight_sharp = rng.random(n_orders) < 0.02
    width = np.where(at_eight_sharp, 0, width)
    earliest_tod = np.where(at_eight_sharp, _DAY_START, earliest_tod)

    levels = np.zeros((n_orders, len(SKILLS)), dtype=np.int64)
    levels[np.arange(n_orders), SERVICE_SKILL[service]] = 1 + categorical(rng, _JOB_LEVEL[service])
    for on_service, skill, share, level in _SECOND_SKILL:
        extra = (service == on_service) & (rng.random(n_orders) < share)
        levels[extra, skill] = level
    min_experience = np.where(
        rng.random(n_orders) < np.where(CARE[service], 0.4, 0.15),
        rng.choice([1, 2, 3, 5, 8], n_orders, p=[0.2, 0.3, 0.25, 0.17, 0.08]),
        0,
    ).astype(np.int64)
    certificates = rng.random((n_orders, len(CERTIFICATES))) < _JOB_CERTIFICATES[service]
    needed = (1 + categorical(rng, TEAM_SIZE[service])).astype(np.int64)

    infant = service >= 6
    gender_draw = rng.random(n_orders)
    gender = np.where(
        infant,
        1,
        np.where(
            service == 5,
            np.where(gender_draw < 0.15, 1, np.where(gender_draw < 0.18, 2, 0)),
            np.where(gender_draw < 0.03, 1, 0),
        ),
    ).astype(np.int64)
    language_share = np.select([service == 5, infant], [0.1, 0.06], 0.03)
    language_pick = np.where(
        infant,
        rng.choice([4, 1, 2], n_orders, p=[0.6, 0.3, 0.1]),
        rng.choice([1, 4, 2, 3], n_orders, p=[0.65, 0.1, 0.15, 0.1]),
    )
    language = np.where(rng.random(n_orders) < language_share, language_pick, -1).astype(np.int64)
    priority = rng.choice([1, 2, 3, 4, 5], n_orders, p=[0.05, 0.15, 0.55, 0.17, 0.08])
    priority = np.minimum(priority + (CARE[service] & (rng.random(n_orders) < 0.3)), 5).astype(
        np.int64
    )
    # Half the jobs name their own address: mostly the customer's, sometimes another
    # address nearby (a parent's flat, a second home).
    location_given = rng.random(n_orders) < 0.5
    elsewhere = location_given & (rng.random(n_orders) < 0.3)
    lat = customers.lat[customer] + np.where(elsewhere, rng.normal(0, 1.5, n_orders) / 110.57, 0)
    lon = customers.lon[customer] + np.where(elsewhere, rng.normal(0, 1.5, n_orders) / 95.3, 0)

    # Spread each order's visits over distinct days.
    ranks = rng.random((n_orders, days)).argsort(axis=1).argsort(axis=1)
    order, day = np.nonzero(ranks < visits[:, None])
    ordering = np.lexsort((order, earliest_tod[order], day))
    order, day = order[ordering].astype(np.int64), day[ordering].astype(np.int64)
    earliest = 1440 * day + earliest_tod[order]
    return Jobs(
        order=order,
        customer=customer[order],
        service=service[order],
        day=day,
        lat=np.round(lat, 6)[order],
        lon=np.round(lon, 6)[order],
        location_given=location_given[order],
        earliest=earliest,
        latest=earliest + width[order],
        duration=duration[order],
        levels=levels[order],
        min_experience=min_experience[order],
        certificates=certificates[order],
        needed=needed[order],
        gender=gender[order],
        language=language[order],
        priority=priority[order],
        needs_car=np.zeros(len(order), dtype=bool),  # see _demand.draw_car_needs
    )
