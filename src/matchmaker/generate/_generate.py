"""Synthetic datasets: a plausible day (or week) of home services in Shanghai.

:func:`generate_frames` draws workers, customers and jobs in the tables of dataset
contract v1; :func:`generate_dataset` writes them as a dataset folder. Everything comes
from one ``numpy.random.default_rng(seed)`` in a fixed order, so a seed (with the same
sizes, days and start date) always gives the same tables; nothing reads the clock.

The data is meant to look like a dispatcher's real round: busy but workable. Homes and
customers cluster in the same districts; most workers work full days, with two or three
skills at levels 2-4, and the lines of work follow the services asked for; care work is
mostly done by women holding the right certificates. Visits are booked in the morning,
around noon or in the afternoon, so that with about three jobs per worker a good plan
serves roughly four in five of them. About one job in ten is hard or impossible on
purpose (an expired certificate, a failed check, a level, certificate, language, gender,
experience or team nobody on the staff offers, a window nobody's commute can meet). A few
jobs are pinned to a worker who can really serve them at the pinned time.
"""

from __future__ import annotations

import math
import secrets
import shutil
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from numbers import Integral
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchmaker.io._schemas import contract_columns
from matchmaker.model import (
    BackgroundCheckStatus,
    Gender,
    InvalidSizeError,
    TravelMode,
    TravelSettings,
    WorkerStatus,
)

__all__ = [
    "CERTIFICATES",
    "DEFAULT_START_DATE",
    "LANGUAGES",
    "SERVICES",
    "SKILLS",
    "TIMEZONE",
    "generate_dataset",
    "generate_frames",
]

DEFAULT_START_DATE = date(2026, 12, 1)
TIMEZONE = "Asia/Shanghai"

_F = npt.NDArray[np.float64]
_I = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]

_WORKER_COLUMNS = contract_columns("workers")
_AVAILABILITY_COLUMNS = contract_columns("availability")
_CUSTOMER_COLUMNS = contract_columns("customers")
_JOB_COLUMNS = contract_columns("jobs")

# Districts of Shanghai: centre, spread (km, one standard deviation) and the share of
# worker homes and of customers. Workers live in the districts they serve, a little further
# out on the whole: a company recruits near its customers, so most visits are a short ride.
_DISTRICT_LAT = np.array([31.2317, 31.2290, 31.1886, 31.2204, 31.2497, 31.2646, 31.2596,
                          31.2340, 31.2050, 31.1130, 31.3400])  # fmt: skip
_DISTRICT_LON = np.array([121.4846, 121.4480, 121.4365, 121.4246, 121.3970, 121.5050,
                          121.5260, 121.5300, 121.5900, 121.3820, 121.4500])  # fmt: skip
_DISTRICT_KM = np.array([1.5, 1.8, 2.2, 2.0, 2.2, 1.8, 2.4, 2.4, 3.0, 3.5, 3.0])
_WORKER_DISTRICTS = np.array([0.05, 0.06, 0.10, 0.07, 0.10, 0.07, 0.11, 0.08, 0.11, 0.14, 0.11])
_CUSTOMER_DISTRICTS = np.array([0.08, 0.09, 0.12, 0.08, 0.09, 0.07, 0.10, 0.11, 0.09, 0.10, 0.07])
_CITY_CENTRE = (31.23, 121.47)

_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
             "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo")  # fmt: skip
_FEMALE_GIVEN = ("Fang", "Min", "Jing", "Li", "Yan", "Hong", "Xia", "Lan", "Ping", "Juan", "Ying",
                 "Hui", "Mei", "Qin", "Xiu", "Yun", "Na", "Ling", "Cui", "Feng")  # fmt: skip
_MALE_GIVEN = ("Wei", "Qiang", "Jun", "Lei", "Yong", "Jie", "Tao", "Ming", "Chao", "Gang", "Bo",
               "Hao", "Peng", "Hua", "Dong", "Bin", "Kai", "Long", "Sheng", "Zhi")  # fmt: skip

SERVICES = (
    "daily_cleaning", "hourly_help", "deep_cleaning", "post_renovation_cleaning", "cooking",
    "elderly_care", "infant_care", "postpartum_care",
)  # fmt: skip
_SERVICE_SHARE = np.array([0.32, 0.25, 0.06, 0.02, 0.10, 0.12, 0.07, 0.06])
_CARE = np.array([False, False, False, False, False, True, True, True])
# Shortest and longest duration of one visit by service, in minutes (drawn in steps of 30):
# a care visit on its own is a home visit of two to four hours.
_DURATION_RANGE = np.array(
    [[120, 180], [60, 120], [180, 240], [240, 360], [60, 120], [120, 240], [120, 240], [120, 240]]
)
# A recurring care order (days > 1) is often a placement: long days at the same home.
_PLACEMENT_RANGE = (360, 480)
_PLACEMENT_SHARE = 0.5
# Probability of 1, 2, 3 workers by service: deep cleaning is sometimes, and post-renovation
# cleaning usually, a team job.
_TEAM_SIZE = np.array(
    [[1, 0, 0], [1, 0, 0], [0.75, 0.22, 0.03], [0.12, 0.7, 0.18],
     [1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]]
)  # fmt: skip
# Recurring orders (several visits in the horizon) by service, when days > 1.
_RECURRING = np.array([0.2, 0.1, 0.0, 0.0, 0.3, 0.5, 0.5, 0.7])

SKILLS = ("cleaning", "deep_cleaning", "cooking", "elderly_care", "infant_care", "postpartum_care")
_SERVICE_SKILL = np.array([0, 0, 1, 1, 2, 3, 4, 5])
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

# Worker tracks: the kind of work a worker mainly does, which drives skills, gender,
# certificates and languages. The shares follow the work the services ask for (team
# cleaning is heavy in worker minutes), so that every service has enough qualified staff.
_TRACK_SHARE = np.array([0.46, 0.14, 0.04, 0.16, 0.10, 0.10])
_TRACK_SKILL = np.array([0, 1, 2, 3, 4, 5])
# Probability of holding each skill (columns as SKILLS) besides the track's own.
_TRACK_SKILLS = np.array(
    [[1.00, 0.40, 0.60, 0.12, 0.05, 0.02],
     [0.90, 1.00, 0.10, 0.02, 0.00, 0.00],
     [0.70, 0.05, 1.00, 0.25, 0.10, 0.05],
     [0.45, 0.02, 0.60, 1.00, 0.05, 0.03],
     [0.25, 0.00, 0.45, 0.05, 1.00, 0.65],
     [0.25, 0.00, 0.45, 0.05, 0.65, 1.00]]
)  # fmt: skip
_TRACK_CARE = np.array([False, False, False, True, True, True])
_TRACK_FEMALE = np.array([0.78, 0.35, 0.70, 0.88, 0.99, 0.99])

LANGUAGES = ("mandarin", "shanghainese", "cantonese", "sichuanese", "english")
_TRACK_LANGUAGES = np.array(
    [[0.97, 0.28, 0.05, 0.14, 0.04],
     [0.97, 0.20, 0.05, 0.18, 0.02],
     [0.97, 0.28, 0.06, 0.14, 0.04],
     [0.97, 0.43, 0.05, 0.14, 0.03],
     [0.97, 0.25, 0.06, 0.12, 0.16],
     [0.97, 0.25, 0.06, 0.12, 0.14]]
)  # fmt: skip

CERTIFICATES = ("health", "nursing", "infant_care", "maternity", "first_aid")
_TRACK_CERTIFICATES = np.array(
    [[0.88, 0.03, 0.02, 0.01, 0.10],
     [0.80, 0.01, 0.00, 0.00, 0.08],
     [0.93, 0.05, 0.05, 0.02, 0.10],
     [0.96, 0.70, 0.03, 0.02, 0.30],
     [0.97, 0.10, 0.92, 0.45, 0.30],
     [0.97, 0.08, 0.55, 0.92, 0.30]]
)  # fmt: skip
# Certificates that come with a care skill: (skill, certificate, probability when trained).
_SKILL_CERTIFICATES = ((3, 1, 0.7), (4, 2, 0.9), (5, 3, 0.9))
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

# Regular shifts as (start, end) minutes after midnight: full time, then part-time patterns.
_FULL_TIME = (480, 1080)
_PART_TIME = np.array([[480, 720], [780, 1140], [480, 840], [720, 1080]])
_PART_TIME_SHARE = np.array([0.3, 0.3, 0.2, 0.2])
_DAY_START, _DAY_END = 480, 1080  # jobs start and end between 08:00 and 18:00
# Customers book a visit in the morning, around noon or in the afternoon: ranges of the
# earliest start by period, and the periods' shares. A worker's day then holds one visit of
# each, instead of all visits crowding around midday.
_PERIODS = np.array([[480, 570], [660, 750], [780, 900]])
_PERIOD_SHARE = np.array([0.42, 0.23, 0.35])

_MODES = (TravelMode.WALK, TravelMode.BIKE, TravelMode.TRANSIT, TravelMode.CAR)
# Travel mode by distance of the home from the city centre: < 5 km, 5-12 km, >= 12 km.
_MODE_BY_BAND = np.array(
    [[0.06, 0.50, 0.40, 0.04], [0.01, 0.35, 0.49, 0.15], [0.00, 0.20, 0.50, 0.30]]
)

# Share of jobs made to ask for something no worker offers, and the kinds of demand.
_DEMANDING_SHARE = 0.05
_DEMANDS = ("language", "certificate", "level", "experience", "gender", "team")
_DEMAND_TRIES = 30  # jobs a demand is tried on per turn, to bound the time on big rounds
# Certificates a customer may ask for on top, by service (columns as CERTIFICATES): health
# and first aid for housework, nursing or first aid for care, the other baby certificate.
_EXTRA_CERTIFICATES = np.array(
    [[1, 0, 0, 0, 1], [1, 0, 0, 0, 1], [1, 0, 0, 0, 0], [1, 0, 0, 0, 0],
     [1, 0, 0, 0, 0], [0, 1, 0, 0, 1], [0, 0, 0, 1, 1], [0, 0, 1, 0, 1]], dtype=bool
)  # fmt: skip
# Services where a customer may ask for a man: heavy cleaning, an elderly man's care.
_MAN_ASKED = np.array([True, True, True, True, False, True, False, False])

_NOT_HELD = -(10**6)  # certificate expiry (days from the start date) of one not held
_NEVER = 10**6  # background check expiry of one that does not expire


@dataclass(frozen=True, kw_only=True, slots=True)
class _Workers:
    """The generated workers as arrays (times in minutes from the first day's midnight)."""

    names: list[str]
    district: _I
    lat: _F
    lon: _F
    track: _I
    female: _B
    levels: _I  # (workers, skills), 0 = skill not held
    experience: _I
    languages: _B  # (workers, languages)
    cert_expiry: _I  # (workers, certificates), days from the start date; _NOT_HELD
    check: _I  # index into _CHECKS
    check_expiry: _I  # days from the start date; _NEVER = no expiry
    rating: _F
    rating_count: _I
    regular_start: _I  # minutes after midnight
    regular_end: _I
    shift_start: _I  # (workers, days), -1 = day off
    shift_end: _I
    max_jobs: _I
    max_work: _I
    mode: _I  # index into _MODES
    status: _I  # index into _STATUSES


@dataclass(frozen=True, kw_only=True, slots=True)
class _Customers:
    names: list[str]
    lat: _F
    lon: _F
    service: _I
    preferred_gender: list[str]
    preferred_languages: list[str]
    preferred: list[list[int]]
    blocked: list[list[int]]
    previous: list[list[int]]


@dataclass(frozen=True, kw_only=True, slots=True)
class _Jobs:
    """The generated jobs, in job-id order."""

    order: _I
    customer: _I
    service: _I
    day: _I
    lat: _F  # resolved location
    lon: _F
    location_given: _B
    earliest: _I  # minutes from the first day's midnight
    latest: _I
    duration: _I
    levels: _I  # (jobs, skills), 0 = not required
    min_experience: _I
    certificates: _B  # (jobs, certificates)
    needed: _I
    gender: _I  # 0 none, 1 F, 2 M
    language: _I  # index into LANGUAGES, -1 none
    priority: _I


_CHECKS = (
    BackgroundCheckStatus.PASSED,
    BackgroundCheckStatus.PENDING,
    BackgroundCheckStatus.FAILED,
)
_STATUSES = (WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED, WorkerStatus.ON_LEAVE)
_GENDER_CODES = ("", Gender.FEMALE.value, Gender.MALE.value)


def generate_frames(
    *, workers: int, jobs: int, seed: int, days: int = 1, start_date: date | None = None
) -> dict[str, pd.DataFrame]:
    """Generate a synthetic dataset as DataFrames in the columns of dataset contract v1.

    Returns ``workers``, ``customers`` and ``jobs`` (and ``availability`` when
    ``days > 1``, one row per worked shift; ``shift_start``/``shift_end`` then hold the
    worker's regular shift on the first day). Empty list cells are ``""``, blank numbers
    ``NaN``. The same arguments always give the same frames.
    """
    _check_sizes(workers=workers, jobs=jobs, seed=seed, days=days)
    first_day = DEFAULT_START_DATE if start_date is None else start_date
    rng = np.random.default_rng(seed)
    travel = TravelSettings()
    pool = _draw_workers(rng, workers, days)
    customers = _draw_customers(rng, max(1, round(jobs / 1.5)), pool)
    job_arrays = _draw_demanding(rng, pool, customers, _draw_jobs(rng, jobs, days, customers))
    pins, pin_starts = _draw_pins(rng, pool, customers, job_arrays, travel)
    clock = _Clock(first_day, days)
    frames = {
        "workers": _worker_frame(pool, clock),
        "customers": _customer_frame(customers, workers),
        "jobs": _job_frame(job_arrays, pins, pin_starts, clock, workers, len(customers.lat)),
    }
    if days > 1:
        frames["availability"] = _availability_frame(pool, clock)
    return frames


def generate_dataset(
    out: Path,
    *,
    workers: int,
    jobs: int,
    seed: int,
    days: int = 1,
    start_date: date | None = None,
) -> None:
    """Write a synthetic dataset folder: one CSV per table and a ``dataset.toml``.

    ``out`` must not exist or be an empty folder; the tables are written to a temporary
    sibling folder that is renamed into place, so a failure leaves nothing behind.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"{out} already exists and is not an empty folder; "
            "choose a new folder or remove it first"
        )
    frames = generate_frames(
        workers=workers, jobs=jobs, seed=seed, days=days, start_date=start_date
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    # A hidden sibling on the same file system, so the final rename is atomic.
    staging = out.parent / f".{out.name}.{secrets.token_hex(6)}.tmp"
    staging.mkdir()
    try:
        for name, frame in frames.items():
            frame.to_csv(staging / f"{name}.csv", index=False)
        command = (
            f"matchmaker generate {out.as_posix()} --workers {workers} --jobs {jobs} --seed {seed}"
        )
        if days != 1:
            command += f" --days {days}"
        if start_date is not None:
            command += f" --start-date {start_date.isoformat()}"
        (staging / "dataset.toml").write_text(_dataset_toml(command), encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty, checked above; rename cannot replace a folder everywhere
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _check_sizes(*, workers: int, jobs: int, seed: int, days: int) -> None:
    for name, value, least in (
        ("workers", workers, 1), ("jobs", jobs, 1), ("days", days, 1), ("seed", seed, 0)
    ):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
            raise InvalidSizeError(f"{name} must be a whole number >= {least}, got {value!r}")


def _dataset_toml(command: str) -> str:
    travel = TravelSettings()
    speeds = "\n".join(f"{mode} = {speed!r}" for mode, speed in travel.speed_kmh.items())
    overheads = "\n".join(f"{mode} = {m}" for mode, m in travel.overhead_minutes.items())
    return (
        "# Synthetic dataset (matchmaker dataset v1), reproduce with:\n"
        f"#   {command}\n"
        "# The default policy applies; add a [policy] table to change it.\n"
        f'timezone = "{TIMEZONE}"\n\n'
        "[travel]\n"
        f"detour_factor = {travel.detour_factor!r}\n"
        f"earth_radius_km = {travel.earth_radius_km!r}\n\n"
        f"[travel.speed_kmh]\n{speeds}\n\n"
        f"[travel.overhead_minutes]\n{overheads}\n"
    )


# --- drawing -----------------------------------------------------------------------------


def _categorical(rng: np.random.Generator, probabilities: _F) -> _I:
    """One draw per row, each from its own row of category probabilities."""
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    draws = rng.random(len(probabilities))
    return np.asarray((draws[:, None] >= cumulative).sum(axis=1), dtype=np.int64)


def _quota(rng: np.random.Generator, n: int, shares: _F) -> _I:
    """Categories in proportion to ``shares`` (largest remainders), in random order.

    Small pools then still hold every kind of worker instead of a lucky draw.
    """
    exact = shares * n
    counts = np.floor(exact).astype(np.int64)
    remainder = exact - counts + rng.random(len(shares)) * 1e-9
    counts[np.argsort(-remainder)[: n - int(counts.sum())]] += 1
    return rng.permutation(np.repeat(np.arange(len(shares)), counts)).astype(np.int64)


def _points(rng: np.random.Generator, district: _I) -> tuple[_F, _F]:
    """Points clustered around the centres of their districts."""
    n = len(district)
    spread = _DISTRICT_KM[district]
    north = rng.normal(0.0, 1.0, n) * spread
    east = rng.normal(0.0, 1.0, n) * spread
    lat = _DISTRICT_LAT[district] + north / 110.57
    lon = _DISTRICT_LON[district] + east / (111.32 * np.cos(np.radians(_DISTRICT_LAT[district])))
    return np.round(lat, 6), np.round(lon, 6)


def _flat_km(lat1: _F, lon1: _F, lat2: _F, lon2: _F) -> _F:
    """Straight-line km on a local flat map (for ranking and banding, not for travel)."""
    dy = (lat1 - lat2) * 110.57
    dx = (lon1 - lon2) * 111.32 * math.cos(math.radians(_CITY_CENTRE[0]))
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def _travel_minutes(
    lat1: _F, lon1: _F, lat2: float, lon2: float, modes: _I, travel: TravelSettings
) -> _I:
    """Travel minutes by the default model of DESIGN section 2, from many points to one."""
    phi1, phi2 = np.radians(lat1), math.radians(lat2)
    half = (
        np.sin((phi2 - phi1) / 2) ** 2
        + np.cos(phi1) * math.cos(phi2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    km = travel.detour_factor * 2 * travel.earth_radius_km * np.arcsin(np.sqrt(half))
    speed = np.array([travel.speed_kmh[m.value] for m in _MODES])[modes]
    overhead = np.array([travel.overhead_minutes[m.value] for m in _MODES])[modes]
    minutes = np.ceil(60.0 * km / speed) + overhead
    return np.where(km == 0.0, 0, minutes).astype(np.int64)


def _draw_workers(rng: np.random.Generator, n: int, days: int) -> _Workers:
    district = _quota(rng, n, _WORKER_DISTRICTS)
    lat, lon = _points(rng, district)
    track = _quota(rng, n, _TRACK_SHARE)
    female = rng.random(n) < _TRACK_FEMALE[track]

    experience = np.minimum(np.floor(rng.gamma(2.0, 3.2, n)), 20).astype(np.int64)
    experience[rng.random(n) < 0.08] = 0
    # Levels grow with experience; other skills sit a little below the track's own.
    # Carers are trained professionals (level 2 at least); infant and postpartum care are
    # learnt together, so the second of them sits close to the first.
    main_level = np.clip(np.rint(2.2 + experience / 5 + rng.normal(0, 0.6, n)), 1, 5)
    main_level = np.where(_TRACK_CARE[track], np.maximum(main_level, 2), main_level)
    below = np.where((track[:, None] >= 4) & (np.arange(len(SKILLS)) >= 4), 0.3, 0.7)
    other_level = np.clip(np.rint(main_level[:, None] - below + rng.normal(0, 0.7, (n, 6))), 1, 5)
    held = rng.random((n, len(SKILLS))) < _TRACK_SKILLS[track]
    levels = np.where(held, other_level, 0).astype(np.int64)
    levels[np.arange(n), _TRACK_SKILL[track]] = main_level.astype(np.int64)

    languages = rng.random((n, len(LANGUAGES))) < _TRACK_LANGUAGES[track]
    languages[~languages.any(axis=1), 0] = True

    # A carer trained in a care skill (level 2 or more) mostly holds its certificate too,
    # whatever the main line of work.
    chance = _TRACK_CERTIFICATES[track].copy()
    for skill, certificate, share in _SKILL_CERTIFICATES:
        trained = levels[:, skill] >= 2
        chance[trained, certificate] = np.maximum(chance[trained, certificate], share)
    held_certs = rng.random((n, len(CERTIFICATES))) < chance
    # Health certificates are renewed every year; a few lapsed before the start date and a
    # few lapse during the horizon.
    fate = rng.random((n, len(CERTIFICATES)))
    expired_share = np.where(np.arange(len(CERTIFICATES)) == 0, 0.05, 0.02)
    lapsing_share = np.where(np.arange(len(CERTIFICATES)) == 0, 0.03, 0.01)
    longest = np.where(np.arange(len(CERTIFICATES)) == 0, 365, 1460)
    expiry = np.where(
        fate < expired_share,
        rng.integers(-120, 0, (n, len(CERTIFICATES))),
        np.where(
            fate < expired_share + lapsing_share,
            rng.integers(0, days + 2, (n, len(CERTIFICATES))),
            rng.integers(days + 2, longest + 1, (n, len(CERTIFICATES))),
        ),
    )
    cert_expiry = np.where(held_certs, expiry, _NOT_HELD).astype(np.int64)

    check = _quota(rng, n, np.array([0.94, 0.04, 0.02]))
    fate_check = rng.random(n)
    check_expiry = np.where(
        fate_check < 0.4,
        _NEVER,
        np.where(
            fate_check < 0.43,
            rng.integers(-60, 0, n),
            np.where(fate_check < 0.48, rng.integers(0, days + 2, n), rng.integers(30, 730, n)),
        ),
    )
    check_expiry = np.where(check == 0, check_expiry, _NEVER).astype(np.int64)

    rating_count = np.minimum(np.exp(rng.normal(3.2, 1.0, n)).astype(np.int64), 300)
    newcomer = experience == 0
    rating_count[newcomer] = rng.poisson(1.0, int(newcomer.sum()))
    rating_count[rng.random(n) < 0.04] = 0
    rating = np.round(5.0 - 2.0 * rng.beta(1.3, 3.8, n), 1)
    rating = np.where(rating_count > 0, rating, np.nan)

    # Most workers are full time (7-9 hours of work in a ten-hour shift, the rest for the
    # road); carers more often than cleaners. Part-timers work what their shift allows,
    # keeping an hour for travel.
    care = _TRACK_CARE[track]
    full_time = rng.random(n) < np.where(care, 0.9, 0.85)
    pattern = rng.choice(len(_PART_TIME), size=n, p=_PART_TIME_SHARE)
    regular_start = np.where(full_time, _FULL_TIME[0], _PART_TIME[pattern, 0]).astype(np.int64)
    regular_end = np.where(full_time, _FULL_TIME[1], _PART_TIME[pattern, 1]).astype(np.int64)
    max_jobs = np.where(
        full_time,
        rng.choice([3, 4, 5], n, p=[0.25, 0.45, 0.3]),
        rng.choice([2, 3], n, p=[0.4, 0.6]),
    ).astype(np.int64)
    full_work = 420 + 30 * np.where(
        care,
        rng.choice(5, n, p=[0.05, 0.15, 0.3, 0.25, 0.25]),
        rng.choice(5, n, p=[0.1, 0.15, 0.3, 0.25, 0.2]),
    )
    max_work = np.where(full_time, full_work, regular_end - regular_start - 60).astype(np.int64)

    works = np.ones((n, days), dtype=bool)
    if days > 1:
        works = rng.random((n, days)) >= np.where(full_time, 0.15, 0.3)[:, None]
        idle = ~works.any(axis=1)
        works[idle, rng.integers(0, days, int(idle.sum()))] = True
    offsets = 1440 * np.arange(days)[None, :]
    shift_start = np.where(works, regular_start[:, None] + offsets, -1).astype(np.int64)
    shift_end = np.where(works, regular_end[:, None] + offsets, -1).astype(np.int64)

    from_centre = _flat_km(lat, lon, np.full(n, _CITY_CENTRE[0]), np.full(n, _CITY_CENTRE[1]))
    band = np.digitize(from_centre, [5.0, 12.0])
    mode = _categorical(rng, _MODE_BY_BAND[band])
    status = _quota(rng, n, np.array([0.97, 0.015, 0.015]))

    return _Workers(
        names=_names(rng, female),
        district=district,
        lat=lat,
        lon=lon,
        track=track.astype(np.int64),
        female=female,
        levels=levels,
        experience=experience,
        languages=languages,
        cert_expiry=cert_expiry,
        check=check,
        check_expiry=check_expiry,
        rating=rating,
        rating_count=rating_count,
        regular_start=regular_start,
        regular_end=regular_end,
        shift_start=shift_start,
        shift_end=shift_end,
        max_jobs=max_jobs,
        max_work=max_work,
        mode=mode,
        status=status,
    )


def _draw_customers(rng: np.random.Generator, n: int, pool: _Workers) -> _Customers:
    # Customers come from where the company has staff: half by the city's demand, half by
    # where this pool's workers live, so that a small team is not spread over the whole city.
    staff = np.bincount(pool.district, minlength=len(_CUSTOMER_DISTRICTS)) / len(pool.district)
    weights = 0.5 * _CUSTOMER_DISTRICTS + 0.5 * staff
    lat, lon = _points(rng, rng.choice(len(weights), size=n, p=weights / weights.sum()))
    # Services in proportion (largest remainders), so that a small day still has its mix.
    service = _quota(rng, n, _SERVICE_SHARE)

    wants_gender = rng.random(n) < np.where(_CARE[service], 0.3, 0.18)
    gender_pick = np.where(rng.random(n) < 0.85, Gender.FEMALE.value, Gender.MALE.value)
    preferred_gender = np.where(wants_gender, gender_pick, "").tolist()
    wants_language = rng.random(n) < 0.18
    language_pick = np.array(LANGUAGES)[rng.choice([1, 4, 2, 3], size=n, p=[0.6, 0.2, 0.1, 0.1])]
    preferred_languages = np.where(wants_language, language_pick, "").tolist()

    # Workers who served a customer before: nearby workers who do the customer's kind of
    # work, ranked by distance with noise (the nearest is not always the one who came).
    nearest, usable = _nearest_qualified(rng, lat, lon, service, pool, k=6)

    n_previous = rng.choice(4, size=n, p=[0.3, 0.35, 0.23, 0.12])
    n_preferred = np.where(rng.random(n) < 0.15, np.where(rng.random(n) < 0.3, 2, 1), 0)
    blocks = rng.random(n) < 0.05
    blocked_slot = rng.integers(3, 6, n)
    previous: list[list[int]] = []
    preferred: list[list[int]] = []
    blocked: list[list[int]] = []
    for c in range(n):
        candidates = nearest[c][usable[c]].tolist()
        previous.append(candidates[: n_previous[c]])
        preferred.append(candidates[: n_preferred[c]])
        slot = int(blocked_slot[c])
        blocked.append([candidates[slot]] if blocks[c] and slot < len(candidates) else [])
    return _Customers(
        names=_names(rng, rng.random(n) < 0.6),
        lat=lat,
        lon=lon,
        service=service,
        preferred_gender=preferred_gender,
        preferred_languages=preferred_languages,
        preferred=preferred,
        blocked=blocked,
        previous=previous,
    )


def _nearest_qualified(
    rng: np.random.Generator, lat: _F, lon: _F, service: _I, pool: _Workers, *, k: int
) -> tuple[_I, _B]:
    """For each customer, ``k`` workers qualified for its service, nearest (with noise) first.

    Returns the worker indices and whether each slot holds a qualified worker at all.
    Customers go in blocks of rows so that memory stays bounded on large pools; the noise
    is drawn row by row, so the block size does not change the result.
    """
    qualified = pool.levels[:, _SERVICE_SKILL] > 0
    qualified[:, _CARE & (_SERVICE_SKILL >= 4)] &= pool.female[:, None]
    k = min(k, len(pool.lat))
    nearest = np.empty((len(lat), k), dtype=np.int64)
    usable = np.empty((len(lat), k), dtype=bool)
    block = max(1, 4_000_000 // len(pool.lat))
    for first in range(0, len(lat), block):
        rows = slice(first, first + block)
        km = _flat_km(lat[rows, None], lon[rows, None], pool.lat[None, :], pool.lon[None, :])
        cost = km + rng.exponential(2.0, km.shape)
        cost[~qualified[:, service[rows]].T] = np.inf
        picked = np.argpartition(cost, k - 1, axis=1)[:, :k]
        picked_cost = np.take_along_axis(cost, picked, 1)
        ordering = np.argsort(picked_cost, axis=1)
        nearest[rows] = np.take_along_axis(picked, ordering, 1)
        usable[rows] = np.isfinite(np.take_along_axis(picked_cost, ordering, 1))
    return nearest, usable


def _draw_jobs(rng: np.random.Generator, n_jobs: int, days: int, customers: _Customers) -> _Jobs:
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
        usual, customers.service[customer], rng.choice(len(SERVICES), m, p=_SERVICE_SHARE)
    ).astype(np.int64)
    visits = np.ones(m, dtype=np.int64)
    placement = np.zeros(m, dtype=bool)
    if days > 1:
        recurring = rng.random(m) < _RECURRING[service]
        visits = np.where(recurring, rng.integers(2, days + 1, m), 1).astype(np.int64)
        placement = recurring & _CARE[service] & (rng.random(m) < _PLACEMENT_SHARE)
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
    width = np.where(_CARE[service], np.minimum(width, 120), width)
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
    levels[np.arange(n_orders), _SERVICE_SKILL[service]] = 1 + _categorical(
        rng, _JOB_LEVEL[service]
    )
    for on_service, skill, share, level in _SECOND_SKILL:
        extra = (service == on_service) & (rng.random(n_orders) < share)
        levels[extra, skill] = level
    min_experience = np.where(
        rng.random(n_orders) < np.where(_CARE[service], 0.4, 0.15),
        rng.choice([1, 2, 3, 5, 8], n_orders, p=[0.2, 0.3, 0.25, 0.17, 0.08]),
        0,
    ).astype(np.int64)
    certificates = rng.random((n_orders, len(CERTIFICATES))) < _JOB_CERTIFICATES[service]
    needed = (1 + _categorical(rng, _TEAM_SIZE[service])).astype(np.int64)

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
    priority = np.minimum(priority + (_CARE[service] & (rng.random(n_orders) < 0.3)), 5).astype(
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
    return _Jobs(
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
    )


def _eligible(pool: _Workers, jobs: _Jobs, j: int, blocked: list[int]) -> _B:
    """Workers who meet every per-worker hard rule of job ``j`` (time aside)."""
    return _eligible_matrix(pool, jobs, np.array([j]), [blocked])[:, 0]


def _eligible_matrix(pool: _Workers, jobs: _Jobs, idx: _I, blocked: list[list[int]]) -> _B:
    """(workers, len(idx)): who meets every per-worker hard rule of each job (time aside)."""
    day = jobs.day[idx][None, :]
    ok: _B = ((pool.status == 0) & (pool.check == 0))[:, None] & (pool.check_expiry[:, None] >= day)
    ok &= pool.experience[:, None] >= jobs.min_experience[idx][None, :]
    for skill in range(len(SKILLS)):
        ok &= pool.levels[:, skill, None] >= jobs.levels[idx, skill][None, :]
    for cert in range(len(CERTIFICATES)):
        ok &= ~jobs.certificates[idx, cert][None, :] | (pool.cert_expiry[:, cert, None] >= day)
    gender = jobs.gender[idx][None, :]
    ok &= (gender == 0) | (pool.female[:, None] == (gender == 1))
    language = jobs.language[idx]
    ok &= (language < 0)[None, :] | pool.languages[:, np.maximum(language, 0)]
    ok &= pool.max_work[:, None] >= jobs.duration[idx][None, :]
    for column, workers in enumerate(blocked):
        ok[workers, column] = False
    return ok


def _draw_demanding(
    rng: np.random.Generator, pool: _Workers, customers: _Customers, jobs: _Jobs
) -> _Jobs:
    """Make up to 5% of the jobs ask for something no worker offers.

    A real round holds orders nobody on the staff can take: the customer wants a rare
    language, one more certificate, the top skill level, ten years of experience, a man for
    a heavy clean or an elderly man's care, or a crew of three. The kinds of demand take
    turns, so that a round holds several; each is added to a job whose service it suits, with
    one more demand of another kind when the first is not enough, so that fewer qualified
    workers than needed remain (time aside). A job that two demands would leave servable
    is passed over, so a big pool, which meets more demands, gets fewer of these jobs.
    Only one-visit orders are chosen, so that the visits of one order always ask for the
    same.
    """
    target = round(_DEMANDING_SHARE * len(jobs.day))
    kinds = rng.permutation(len(_DEMANDS)).tolist()
    single = np.flatnonzero(np.bincount(jobs.order)[jobs.order] == 1)
    # Each kind scans the candidates once, in turns, at most _DEMAND_TRIES a turn.
    turns = -(-target // len(kinds))
    candidates = rng.permutation(single)[: _DEMAND_TRIES * turns]
    preference = rng.random((len(candidates), len(_DEMANDS))).argsort(axis=1)
    blocked = [customers.blocked[c] for c in jobs.customer[candidates].tolist()]
    ok = _eligible_matrix(pool, jobs, candidates, blocked)
    demands = _demand_options(pool, jobs, candidates, ok)
    servable = ok.sum(axis=0) >= jobs.needed[candidates]

    chosen: list[tuple[int, tuple[int, ...]]] = []
    taken = np.zeros(len(candidates), dtype=bool)
    position = dict.fromkeys(kinds, 0)
    for turn in range(target):
        kind = kinds[turn % len(kinds)]
        for _ in range(_DEMAND_TRIES):
            k = position[kind]
            if k >= len(candidates):
                break
            position[kind] += 1
            if taken[k] or not servable[k] or not demands.suits[kind][k]:
                continue
            picked = _pick_demands(demands, ok[:, k], k, kind, preference[k].tolist())
            if picked:
                taken[k] = True
                chosen.append((k, picked))
                break
    return _with_demands(jobs, candidates, demands, chosen)


@dataclass(frozen=True, kw_only=True, slots=True)
class _DemandOptions:
    """Per kind of demand (as ``_DEMANDS``) and candidate job (columns): what it would ask."""

    suits: list[_B]  # (candidates,): the demand suits the job and is not already asked
    meets: list[_B]  # (workers, candidates): who would meet it
    needed: list[_I]  # (candidates,): workers the job needs once asked
    language: _I  # the rarest language a language demand asks for
    certificate: _I  # the rarest suitable certificate a certificate demand asks for


def _demand_options(pool: _Workers, jobs: _Jobs, idx: _I, ok: _B) -> _DemandOptions:
    n_workers, n = ok.shape
    service, day = jobs.service[idx], jobs.day[idx]
    everyone = np.ones((n_workers, n), dtype=bool)

    speakers = ok.T.astype(np.int64) @ pool.languages.astype(np.int64)
    speakers[:, 0] = n_workers + 1  # everyone speaks Mandarin; ask for another language
    language = np.argmin(speakers, axis=1)

    valid = pool.cert_expiry[:, :, None] >= day[None, None, :]  # (workers, certs, jobs)
    holders = (valid & ok[:, None, :]).sum(axis=0).T  # (jobs, certs)
    allowed = _EXTRA_CERTIFICATES[service] & ~jobs.certificates[idx]
    holders[~allowed] = n_workers + 1
    certificate = np.argmin(holders, axis=1)

    skill = _SERVICE_SKILL[service]
    columns = np.arange(n)
    options = {
        "language": (jobs.language[idx] < 0, pool.languages[:, language]),
        "certificate": (allowed.any(axis=1), valid[:, certificate, columns]),
        "level": (jobs.levels[idx, skill] < 5, pool.levels[:, skill] >= 5),
        "experience": (jobs.min_experience[idx] < 10, everyone & (pool.experience >= 10)[:, None]),
        "gender": ((jobs.gender[idx] == 0) & _MAN_ASKED[service], everyone & ~pool.female[:, None]),
        "team": ((jobs.needed[idx] < 3) & (_TEAM_SIZE[service, 0] < 1), everyone),
    }
    return _DemandOptions(
        suits=[options[name][0] for name in _DEMANDS],
        meets=[options[name][1] for name in _DEMANDS],
        needed=[np.full(n, 3) if name == "team" else jobs.needed[idx] for name in _DEMANDS],
        language=language,
        certificate=certificate,
    )


def _pick_demands(
    demands: _DemandOptions, ok: _B, k: int, kind: int, preference: list[int]
) -> tuple[int, ...]:
    """The demands that leave candidate ``k`` unservable: ``kind`` and maybe one more."""
    left = ok & demands.meets[kind][:, k]
    if left.sum() < demands.needed[kind][k]:
        return (kind,)
    # A language is too rare a filter to come second: the plan's reason would name it,
    # hiding the first demand.
    for other in preference:
        if other != kind and _DEMANDS[other] != "language" and demands.suits[other][k]:
            needed = max(demands.needed[kind][k], demands.needed[other][k])
            return (kind, other) if (left & demands.meets[other][:, k]).sum() < needed else ()
    return ()


def _with_demands(
    jobs: _Jobs, idx: _I, demands: _DemandOptions, chosen: list[tuple[int, tuple[int, ...]]]
) -> _Jobs:
    """A copy of ``jobs`` with the chosen demands added."""
    levels, certificates = jobs.levels.copy(), jobs.certificates.copy()
    min_experience, needed = jobs.min_experience.copy(), jobs.needed.copy()
    gender, language = jobs.gender.copy(), jobs.language.copy()
    for k, picked in chosen:
        j = int(idx[k])
        for kind in picked:
            name = _DEMANDS[kind]
            if name == "language":
                language[j] = demands.language[k]
            elif name == "certificate":
                certificates[j, demands.certificate[k]] = True
            elif name == "level":
                levels[j, _SERVICE_SKILL[jobs.service[j]]] = 5
            elif name == "experience":
                min_experience[j] = 10
            elif name == "gender":
                gender[j] = 2
            else:
                needed[j] = 3
    return replace(
        jobs,
        levels=levels,
        certificates=certificates,
        min_experience=min_experience,
        needed=needed,
        gender=gender,
        language=language,
    )


def _draw_pins(
    rng: np.random.Generator,
    pool: _Workers,
    customers: _Customers,
    jobs: _Jobs,
    travel: TravelSettings,
) -> tuple[list[list[int]], _I]:
    """Pin about 3% of jobs to workers who can serve them, at most one pin per worker-day.

    One pin per worker and day keeps every pin feasible together: the worker leaves home
    at the shift start, travels, and starts at the pinned time inside window and shift.
    """
    n_jobs = len(jobs.day)
    pins: list[list[int]] = [[] for _ in range(n_jobs)]
    starts = np.full(n_jobs, -1, dtype=np.int64)
    target = round(0.03 * n_jobs) if n_jobs >= 10 else 0
    order = rng.permutation(n_jobs)
    teams = order[jobs.needed[order] > 1]
    if len(teams):  # try a team job first so that team pins occur
        order = np.concatenate([teams[:1], order[order != teams[0]]])
    used = np.zeros((len(pool.lat), int(jobs.day.max()) + 1), dtype=bool)
    made = 0
    for j in order[: 10 * target].tolist():
        if made >= target:
            break
        day, needed = int(jobs.day[j]), int(jobs.needed[j])
        ok = _eligible(pool, jobs, j, customers.blocked[jobs.customer[j]]) & ~used[:, day]
        ok &= pool.shift_start[:, day] >= 0
        if ok.sum() < needed:
            continue
        commute = _travel_minutes(
            pool.lat, pool.lon, float(jobs.lat[j]), float(jobs.lon[j]), pool.mode, travel
        )
        # One minute of slack guards against rounding differences in other travel code.
        low = np.maximum(jobs.earliest[j], pool.shift_start[:, day] + commute + 1)
        high = np.minimum(jobs.latest[j], pool.shift_end[:, day] - jobs.duration[j])
        ok &= low <= high
        candidates = np.flatnonzero(ok)
        if len(candidates) < needed:
            continue
        previous = [w for w in customers.previous[jobs.customer[j]] if ok[w]]
        tries = previous[:1] + rng.permutation(candidates)[:8].tolist()
        for lead in tries:
            start = -(-int(low[lead]) // 5) * 5  # a round time when one fits
            if start > high[lead]:
                start = int(low[lead])
            team = np.flatnonzero(ok & (low <= start) & (start <= high))
            team = team[team != lead]
            if len(team) < needed - 1:
                continue
            members = [lead, *rng.choice(team, needed - 1, replace=False).tolist()]
            pins[j] = sorted(members)
            starts[j] = start
            used[members, day] = True
            made += 1
            break
    return pins, starts


# --- formatting --------------------------------------------------------------------------


class _Clock:
    """Formats minutes from the first day's midnight as ISO 8601 with the local offset."""

    def __init__(self, first_day: date, days: int) -> None:
        zone = ZoneInfo(TIMEZONE)
        self.first_day = first_day
        self.dates = [(first_day + timedelta(days=d)).isoformat() for d in range(days + 1)]
        self.offsets = []
        for d in range(days + 1):
            offset = datetime.combine(first_day + timedelta(days=d), time(12), zone).strftime("%z")
            self.offsets.append(f"{offset[:3]}:{offset[3:]}")

    def times(self, minutes: _I) -> list[str]:
        day, minute = np.divmod(minutes, 1440)
        hour, minute = np.divmod(minute, 60)
        return [
            f"{self.dates[d]}T{h:02d}:{m:02d}:00{self.offsets[d]}" if t >= 0 else ""
            for d, h, m, t in zip(
                day.tolist(), hour.tolist(), minute.tolist(), minutes.tolist(), strict=True
            )
        ]

    def day_strings(self, offsets: _I) -> npt.NDArray[np.str_]:
        first = np.datetime64(self.first_day.isoformat(), "D")
        return (first + offsets).astype(str)


def _ids(prefix: str, n: int, width: int) -> list[str]:
    width = max(width, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _join(tokens: list[npt.NDArray[np.str_]]) -> list[str]:
    """Join per-column tokens row by row with ``;``, skipping empty ones."""
    return [";".join(t for t in row if t) for row in zip(*tokens, strict=True)]


def _pairs(names: tuple[str, ...], values: npt.NDArray[np.str_], present: _B) -> list[str]:
    tokens = [
        np.where(present[:, k], np.char.add(f"{name}:", values[:, k]), "")
        for k, name in enumerate(names)
    ]
    return _join(tokens)


def _flags(names: tuple[str, ...], present: _B) -> list[str]:
    return _join([np.where(present[:, k], name, "") for k, name in enumerate(names)])


def _worker_frame(pool: _Workers, clock: _Clock) -> pd.DataFrame:
    n = len(pool.lat)
    held_certs = pool.cert_expiry != _NOT_HELD
    expiry = clock.day_strings(np.where(held_certs, pool.cert_expiry, 0))
    check_expires = np.where(
        pool.check_expiry == _NEVER, "", clock.day_strings(np.minimum(pool.check_expiry, 10**5))
    )
    frame = pd.DataFrame(
        {
            "worker_id": _ids("W", n, 4),
            "name": pool.names,
            "gender": np.where(pool.female, Gender.FEMALE.value, Gender.MALE.value),
            "languages": _flags(LANGUAGES, pool.languages),
            "skills": _pairs(SKILLS, pool.levels.astype(str), pool.levels > 0),
            "experience_years": pool.experience,
            "certificates": _pairs(CERTIFICATES, expiry, held_certs),
            "background_check": np.array([c.value for c in _CHECKS])[pool.check],
            "background_check_expires": check_expires,
            "rating": pool.rating,
            "rating_count": pool.rating_count,
            "home_lat": pool.lat,
            "home_lon": pool.lon,
            "shift_start": clock.times(pool.regular_start),
            "shift_end": clock.times(pool.regular_end),
            "max_jobs": pool.max_jobs,
            "max_work_minutes": pool.max_work,
            "travel_mode": np.array([m.value for m in _MODES])[pool.mode],
            "status": np.array([s.value for s in _STATUSES])[pool.status],
        }
    )
    return frame.loc[:, list(_WORKER_COLUMNS)]


def _names(rng: np.random.Generator, female: _B) -> list[str]:
    """Pinyin names: a surname and a one- or two-syllable given name."""
    n = len(female)
    surname = np.array(_SURNAMES)[rng.integers(0, len(_SURNAMES), n)]
    given_f = np.array(_FEMALE_GIVEN)[rng.integers(0, len(_FEMALE_GIVEN), (n, 2))]
    given_m = np.array(_MALE_GIVEN)[rng.integers(0, len(_MALE_GIVEN), (n, 2))]
    given = np.where(female[:, None], given_f, given_m)
    second = np.where(rng.random(n) < 0.6, np.char.lower(given[:, 1]), "")
    names: list[str] = np.char.add(
        np.char.add(np.char.add(surname, " "), given[:, 0]), second
    ).tolist()
    return names


def _customer_frame(customers: _Customers, n_workers: int) -> pd.DataFrame:
    n = len(customers.lat)
    worker_ids = _ids("W", n_workers, 4)

    def ids(groups: list[list[int]]) -> list[str]:
        return [";".join(worker_ids[w] for w in group) for group in groups]

    frame = pd.DataFrame(
        {
            "customer_id": _ids("C", n, 4),
            "name": customers.names,
            "lat": customers.lat,
            "lon": customers.lon,
            "preferred_gender": customers.preferred_gender,
            "preferred_languages": customers.preferred_languages,
            "preferred_workers": ids(customers.preferred),
            "blocked_workers": ids(customers.blocked),
            "previous_workers": ids(customers.previous),
        }
    )
    return frame.loc[:, list(_CUSTOMER_COLUMNS)]


def _job_frame(
    jobs: _Jobs,
    pins: list[list[int]],
    pin_starts: _I,
    clock: _Clock,
    n_workers: int,
    n_customers: int,
) -> pd.DataFrame:
    n = len(jobs.day)
    worker_ids = _ids("W", n_workers, 4)
    order_number, _ = pd.factorize(jobs.order)
    order_ids = np.array(_ids("O", int(order_number.max()) + 1, 5))[order_number]
    customer_ids = np.array(_ids("C", n_customers, 4))[jobs.customer]
    level_text = jobs.levels.astype(str)
    frame = pd.DataFrame(
        {
            "job_id": _ids("J", n, 5),
            "order_id": order_ids,
            "customer_id": customer_ids,
            "service_type": np.array(SERVICES)[jobs.service],
            "lat": np.where(jobs.location_given, jobs.lat, np.nan),
            "lon": np.where(jobs.location_given, jobs.lon, np.nan),
            "earliest_start": clock.times(jobs.earliest),
            "latest_start": clock.times(jobs.latest),
            "duration_minutes": jobs.duration,
            "required_skills": _pairs(SKILLS, level_text, jobs.levels > 0),
            "min_experience_years": jobs.min_experience,
            "required_certificates": _flags(CERTIFICATES, jobs.certificates),
            "workers_needed": jobs.needed,
            "gender_required": np.array(_GENDER_CODES)[jobs.gender],
            "language_required": np.where(
                jobs.language >= 0, np.array(LANGUAGES)[np.maximum(jobs.language, 0)], ""
            ),
            "priority": jobs.priority,
            "pinned_worker_id": [";".join(worker_ids[w] for w in team) for team in pins],
            "pinned_start": clock.times(pin_starts),
        }
    )
    return frame.loc[:, list(_JOB_COLUMNS)]


def _availability_frame(pool: _Workers, clock: _Clock) -> pd.DataFrame:
    worker, day = np.nonzero(pool.shift_start >= 0)
    worker_ids = np.array(_ids("W", len(pool.lat), 4))
    return pd.DataFrame(
        {
            "worker_id": worker_ids[worker],
            "start": clock.times(pool.shift_start[worker, day]),
            "end": clock.times(pool.shift_end[worker, day]),
        }
    ).loc[:, list(_AVAILABILITY_COLUMNS)]
