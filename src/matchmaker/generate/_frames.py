"""The generated arrays as the tables of dataset contract v1, and the ``dataset.toml``
that goes with them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from matchmaker.generate._catalogue import (
    CERTIFICATES,
    CHECKS,
    LANGUAGES,
    MODES,
    NEVER,
    NOT_HELD,
    SERVICES,
    SKILLS,
    STATUSES,
    TIMEZONE,
    Bools,
    Customers,
    Ints,
    Jobs,
    Workers,
)
from matchmaker.io import PLACEMENT_WORKER_COLUMNS, contract_columns
from matchmaker.model import BreakRule, Gender, TravelSettings

__all__ = [
    "Clock",
    "availability_frame",
    "customer_frame",
    "dataset_toml",
    "job_frame",
    "worker_frame",
]

# The placement columns are added by ._placements, only when placements are asked for.
_WORKER_COLUMNS = tuple(c for c in contract_columns("workers") if c not in PLACEMENT_WORKER_COLUMNS)
_AVAILABILITY_COLUMNS = contract_columns("availability")
_CUSTOMER_COLUMNS = contract_columns("customers")
_JOB_COLUMNS = contract_columns("jobs")
_GENDER_CODES = ("", Gender.FEMALE.value, Gender.MALE.value)


def dataset_toml(command: str, breaks: tuple[BreakRule, ...] = (), timezone: str = TIMEZONE) -> str:
    """The settings file: how to rebuild the tables, the ``timezone``, the default travel
    and the ``breaks`` rules (none: no ``[[breaks]]`` table)."""
    travel = TravelSettings()
    speeds = "\n".join(f"{mode} = {speed!r}" for mode, speed in travel.speed_kmh.items())
    overheads = "\n".join(f"{mode} = {m}" for mode, m in travel.overhead_minutes.items())
    return (
        "# Synthetic dataset (matchmaker dataset v1), reproduce with:\n"
        f"#   {command}\n"
        "# The default policy applies; add a [policy] table to change it.\n"
        f'timezone = "{timezone}"\n\n'
        "[travel]\n"
        f"detour_factor = {travel.detour_factor!r}\n"
        f"earth_radius_km = {travel.earth_radius_km!r}\n\n"
        f"[travel.speed_kmh]\n{speeds}\n\n"
        f"[travel.overhead_minutes]\n{overheads}\n"
    ) + "".join(_break_table(rule) for rule in breaks)


def _break_table(rule: BreakRule) -> str:
    return (
        "\n[[breaks]]\n"
        f'name = "{rule.name}"\n'
        f"min_minutes = {rule.min_minutes}\n"
        f"max_minutes = {rule.longest}\n"
        f'earliest_start = "{rule.earliest_start:%H:%M}"\n'
        f'latest_start = "{rule.latest_start:%H:%M}"\n'
        f"min_shift_minutes = {rule.min_shift_minutes}\n"
    )


class Clock:
    """Formats minutes from the first day's local midnight as ISO 8601 with the UTC offset
    in force at that wall-clock time in ``zone``, so a round on a daylight-saving day is
    stamped right on both sides of the change (a time the clocks skip, 02:30 when they
    jump from 02:00 to 03:00, gets the offset before the jump: the instant of 03:30)."""

    def __init__(self, first_day: date, zone: ZoneInfo) -> None:
        self.first_day = first_day
        self.zone = zone
        self._texts: dict[int, str] = {}

    def times(self, minutes: Ints) -> list[str]:
        return [self._text(t) if t >= 0 else "" for t in minutes.tolist()]

    def _text(self, minute: int) -> str:
        text = self._texts.get(minute)
        if text is None:  # at most one conversion per distinct minute of the round
            day, clock = divmod(minute, 1440)
            wall = time(clock // 60, clock % 60)
            local = datetime.combine(self.first_day + timedelta(days=day), wall, self.zone)
            text = self._texts[minute] = local.isoformat()
        return text

    def day_strings(self, offsets: Ints) -> npt.NDArray[np.str_]:
        first = np.datetime64(self.first_day.isoformat(), "D")
        return (first + offsets).astype(str)


def _ids(prefix: str, n: int, width: int) -> list[str]:
    width = max(width, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _join(tokens: list[npt.NDArray[np.str_]]) -> list[str]:
    """Join per-column tokens row by row with ``;``, skipping empty ones."""
    return [";".join(t for t in row if t) for row in zip(*tokens, strict=True)]


def _pairs(names: tuple[str, ...], values: npt.NDArray[np.str_], present: Bools) -> list[str]:
    tokens = [
        np.where(present[:, k], np.char.add(f"{name}:", values[:, k]), "")
        for k, name in enumerate(names)
    ]
    return _join(tokens)


def _flags(names: tuple[str, ...], present: Bools) -> list[str]:
    return _join([np.where(present[:, k], name, "") for k, name in enumerate(names)])


def worker_frame(pool: Workers, clock: Clock) -> pd.DataFrame:
    n = len(pool.lat)
    held_certs = pool.cert_expiry != NOT_HELD
    expiry = clock.day_strings(np.where(held_certs, pool.cert_expiry, 0))
    check_expires = np.where(
        pool.check_expiry == NEVER, "", clock.day_strings(np.minimum(pool.check_expiry, 10**5))
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
            "background_check": np.array([c.value for c in CHECKS])[pool.check],
            "background_check_expires": check_expires,
            "rating": pool.rating,
            "rating_count": pool.rating_count,
            "home_lat": pool.lat,
            "home_lon": pool.lon,
            "shift_start": clock.times(pool.regular_start),
            "shift_end": clock.times(pool.regular_end),
            "max_jobs": pool.max_jobs,
            "max_work_minutes": pool.max_work,
            "travel_mode": np.array([m.value for m in MODES])[pool.mode],
            "status": np.array([s.value for s in STATUSES])[pool.status],
        }
    )
    return frame.loc[:, list(_WORKER_COLUMNS)]


def customer_frame(customers: Customers, n_workers: int) -> pd.DataFrame:
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


def job_frame(
    jobs: Jobs,
    pins: list[list[int]],
    pin_starts: Ints,
    clock: Clock,
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
            "needs_car": jobs.needs_car,
        }
    )
    return frame.loc[:, list(_JOB_COLUMNS)]


def availability_frame(pool: Workers, clock: Clock) -> pd.DataFrame:
    worker, day = np.nonzero(pool.shift_start >= 0)
    worker_ids = np.array(_ids("W", len(pool.lat), 4))
    return pd.DataFrame(
        {
            "worker_id": worker_ids[worker],
            "start": clock.times(pool.shift_start[worker, day]),
            "end": clock.times(pool.shift_end[worker, day]),
        }
    ).loc[:, list(_AVAILABILITY_COLUMNS)]
