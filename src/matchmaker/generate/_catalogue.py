"""What the generated city is made of: its names, the shares shared by several drawing
steps, and the arrays the steps pass on (workers, customers, jobs).

The steps (:mod:`._draw` people and places, :mod:`._jobs` the jobs, :mod:`._demand` the
jobs nobody can take, :mod:`._pins` the pins) work on these arrays; :mod:`._frames` turns
them into the tables of dataset contract v1. Category codes are indices into the tuples
here (``SERVICES``, ``SKILLS``, ``MODES``, ...); days count from the start date and times
in minutes from the first day's midnight, so nothing before the tables depends on the
calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from matchmaker.model import BackgroundCheckStatus, TravelMode, WorkerStatus

__all__ = [
    "CARE",
    "CERTIFICATES",
    "CHECKS",
    "DEFAULT_START_DATE",
    "LANGUAGES",
    "MODES",
    "NEVER",
    "NOT_HELD",
    "SERVICES",
    "SERVICE_SHARE",
    "SERVICE_SKILL",
    "SKILLS",
    "STATUSES",
    "TEAM_SIZE",
    "TIMEZONE",
    "Bools",
    "Customers",
    "Floats",
    "Ints",
    "Jobs",
    "Workers",
]

DEFAULT_START_DATE = date(2026, 12, 1)
TIMEZONE = "Asia/Shanghai"

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

SERVICES = (
    "daily_cleaning", "hourly_help", "deep_cleaning", "post_renovation_cleaning", "cooking",
    "elderly_care", "infant_care", "postpartum_care",
)  # fmt: skip
SERVICE_SHARE = np.array([0.32, 0.25, 0.06, 0.02, 0.10, 0.12, 0.07, 0.06])
CARE = np.array([False, False, False, False, False, True, True, True])
# Probability of 1, 2, 3 workers by service: deep cleaning is sometimes, and post-renovation
# cleaning usually, a team job.
TEAM_SIZE = np.array(
    [[1, 0, 0], [1, 0, 0], [0.75, 0.22, 0.03], [0.12, 0.7, 0.18],
     [1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]]
)  # fmt: skip

SKILLS = ("cleaning", "deep_cleaning", "cooking", "elderly_care", "infant_care", "postpartum_care")
SERVICE_SKILL = np.array([0, 0, 1, 1, 2, 3, 4, 5])  # the skill each service needs

LANGUAGES = ("mandarin", "shanghainese", "cantonese", "sichuanese", "english")
CERTIFICATES = ("health", "nursing", "infant_care", "maternity", "first_aid")

MODES = (TravelMode.WALK, TravelMode.BIKE, TravelMode.TRANSIT, TravelMode.CAR)
CHECKS = (
    BackgroundCheckStatus.PASSED,
    BackgroundCheckStatus.PENDING,
    BackgroundCheckStatus.FAILED,
)
STATUSES = (WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED, WorkerStatus.ON_LEAVE)

NOT_HELD = -(10**6)  # certificate expiry (days from the start date) of one not held
NEVER = 10**6  # background check expiry of one that does not expire


@dataclass(frozen=True, kw_only=True, slots=True)
class Workers:
    """The generated workers as arrays (times in minutes from the first day's midnight)."""

    names: list[str]
    district: Ints
    lat: Floats
    lon: Floats
    track: Ints
    female: Bools
    levels: Ints  # (workers, skills), 0 = skill not held
    experience: Ints
    languages: Bools  # (workers, languages)
    cert_expiry: Ints  # (workers, certificates), days from the start date; NOT_HELD
    check: Ints  # index into CHECKS
    check_expiry: Ints  # days from the start date; NEVER = no expiry
    rating: Floats
    rating_count: Ints
    regular_start: Ints  # minutes after midnight
    regular_end: Ints
    shift_start: Ints  # (workers, days), -1 = day off
    shift_end: Ints
    max_jobs: Ints
    max_work: Ints
    mode: Ints  # index into MODES
    status: Ints  # index into STATUSES


@dataclass(frozen=True, kw_only=True, slots=True)
class Customers:
    """The generated customers; worker lists hold worker indices."""

    names: list[str]
    lat: Floats
    lon: Floats
    service: Ints
    preferred_gender: list[str]
    preferred_languages: list[str]
    preferred: list[list[int]]
    blocked: list[list[int]]
    previous: list[list[int]]


@dataclass(frozen=True, kw_only=True, slots=True)
class Jobs:
    """The generated jobs, in job-id order."""

    order: Ints
    customer: Ints
    service: Ints
    day: Ints
    lat: Floats  # resolved location
    lon: Floats
    location_given: Bools
    earliest: Ints  # minutes from the first day's midnight
    latest: Ints
    duration: Ints
    levels: Ints  # (jobs, skills), 0 = not required
    min_experience: Ints
    certificates: Bools  # (jobs, certificates)
    needed: Ints
    gender: Ints  # 0 none, 1 F, 2 M
    language: Ints  # index into LANGUAGES, -1 none
    priority: Ints
    needs_car: Bools
