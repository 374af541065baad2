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

import secrets
import shutil
from datetime import date
from numbers import Integral
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from matchmaker.compile import HaversineTravel
from matchmaker.generate._catalogue import DEFAULT_START_DATE, TIMEZONE
from matchmaker.generate._demand import draw_car_needs, draw_demanding
from matchmaker.generate._draw import draw_customers, draw_workers
from matchmaker.generate._frames import (
    Clock,
    availability_frame,
    customer_frame,
    dataset_toml,
    job_frame,
    worker_frame,
)
from matchmaker.generate._homecare import (
    HOME_CARE_STREAM,
    LUNCH,
    customer_caps,
    draw_due_starts,
    draw_links,
    release_break_pins,
    shorten_visits,
    week_limits,
)
from matchmaker.generate._jobs import draw_jobs
from matchmaker.generate._load import with_load
from matchmaker.generate._pins import draw_pins
from matchmaker.generate._placements import (
    PLACEMENT_STREAM,
    placement_request_frame,
    with_placement_fields,
)
from matchmaker.model import (
    DatasetSettings,
    InvalidSizeError,
    RequestError,
    TravelSettings,
    known_zone,
)

__all__ = ["generate_dataset", "generate_frames", "home_care_settings"]


def generate_frames(
    *,
    workers: int,
    jobs: int,
    seed: int,
    days: int = 1,
    start_date: date | None = None,
    timezone: str = TIMEZONE,
    load: float | None = None,
    placements: int = 0,
    placement_days: int = 90,
    home_care: bool = False,
) -> dict[str, pd.DataFrame]:
    """Generate a synthetic dataset as DataFrames in the columns of dataset contract v1.

    Returns ``workers``, ``customers`` and ``jobs`` (and ``availability`` when
    ``days > 1``, one row per worked shift; ``shift_start``/``shift_end`` then hold the
    worker's regular shift on the first day). The days start at ``start_date`` (1 December
    2026 by default) and every time is a wall-clock time in ``timezone`` (an IANA name,
    :data:`~matchmaker.generate.TIMEZONE` by default) with the UTC offset in force then, so
    a round may span a daylight-saving change. Empty list cells are ``""``, blank numbers
    ``NaN``. The same arguments always give the same frames. ``load`` (work asked for
    over work offered, see :mod:`matchmaker.generate._load`) scales the staff's daily
    work caps; without it the round has its natural load of about 0.9.

    With ``placements`` > 0, ``workers`` also gets the placement columns and a
    ``placement_requests`` table holds that many requests starting within
    ``placement_days`` of the first day (:mod:`matchmaker.generate._placements`); the
    other tables are the same as without.

    With ``home_care``, the round also has the home-care rules
    (:mod:`matchmaker.generate._homecare`): ``jobs`` gets ``due_start`` and linked visits
    (``depends_on``, ``min_gap``, ``max_gap``, ``link_worker``), ``customers``
    ``max_distinct_workers`` and, when ``days > 1``, ``workers`` the limits across days;
    the lunch break rule is in :func:`home_care_settings`, which goes with these frames.
    Workers, customers and the other jobs are those of the seed without it.
    """
    _check_sizes(workers=workers, jobs=jobs, seed=seed, days=days)
    if placements < 0 or placement_days < 1:
        raise InvalidSizeError("placements must be >= 0 and placement_days >= 1")
    first_day = DEFAULT_START_DATE if start_date is None else start_date
    zone = _zone(timezone)
    rng = np.random.default_rng(seed)
    # The default travel settings, the ones dataset.toml writes out.
    travel = HaversineTravel(TravelSettings())
    pool = draw_workers(rng, workers, days)
    customers = draw_customers(rng, max(1, round(jobs / 1.5)), pool)
    job_arrays = draw_demanding(rng, pool, customers, draw_jobs(rng, jobs, days, customers))
    if load is not None:  # before the pins, so that every pin fits the new caps
        pool = with_load(pool, job_arrays, load)
    pins, pin_starts = draw_pins(rng, pool, customers, job_arrays, travel)
    pinned = np.array([bool(team) for team in pins], dtype=bool)
    job_arrays = draw_car_needs(rng, pool, customers, job_arrays, travel, pinned)
    clock = Clock(first_day, zone)
    if home_care:  # its own stream: the city of the seed stays as it is
        care_rng = np.random.default_rng([seed, HOME_CARE_STREAM])
        job_arrays = shorten_visits(job_arrays)
        pins, pin_starts = release_break_pins(pool, job_arrays, pins, pin_starts, travel)
        job_arrays, pins, pin_starts, links = draw_links(care_rng, job_arrays, pins, pin_starts)
        due = draw_due_starts(care_rng, job_arrays)
    frames = {
        "workers": worker_frame(pool, clock),
        "customers": customer_frame(customers, workers),
        "jobs": job_frame(job_arrays, pins, pin_starts, clock, workers, len(customers.lat)),
    }
    if days > 1:
        frames["availability"] = availability_frame(pool, clock)
    if home_care:
        jobs_frame = frames["jobs"]
        jobs_frame["due_start"] = clock.times(due)
        for name, column in links.frame_columns(jobs_frame["job_id"].tolist()).items():
            jobs_frame[name] = column
        frames["customers"]["max_distinct_workers"] = customer_caps(customers, job_arrays, pins)
        if days > 1:
            for name, values in week_limits(pool, job_arrays, pins, first_day).items():
                frames["workers"][name] = values
    if placements:
        extra = np.random.default_rng([seed, PLACEMENT_STREAM])
        frames["workers"] = with_placement_fields(frames["workers"], extra, first_day)
        frames["placement_requests"] = placement_request_frame(
            extra,
            placements,
            [str(c) for c in frames["customers"]["customer_id"]],
            first_day,
            placement_days,
        )
    return frames


def generate_dataset(
    out: Path,
    *,
    workers: int,
    jobs: int,
    seed: int,
    days: int = 1,
    start_date: date | None = None,
    timezone: str = TIMEZONE,
    load: float | None = None,
    placements: int = 0,
    placement_days: int = 90,
    home_care: bool = False,
) -> None:
    """Write a synthetic dataset folder: one CSV per table and a ``dataset.toml``.

    ``out`` must not exist or be an empty folder; the tables are written to a temporary
    sibling folder that is renamed into place, so a failure leaves nothing behind. With
    ``home_care``, ``dataset.toml`` also holds the break rule of :func:`home_care_settings`.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"{out} already exists and is not an empty folder; "
            "choose a new folder or remove it first"
        )
    frames = generate_frames(
        workers=workers,
        jobs=jobs,
        seed=seed,
        days=days,
        start_date=start_date,
        timezone=timezone,
        load=load,
        placements=placements,
        placement_days=placement_days,
        home_care=home_care,
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
        if load is not None:
            command += f" --load {load:g}"
        if start_date is not None:
            command += f" --start-date {start_date.isoformat()}"
        if timezone != TIMEZONE:
            command += f" --timezone {timezone}"
        if placements:
            command += f" --placements {placements} --placement-days {placement_days}"
        if home_care:
            command += " --home-care"
        breaks = (LUNCH,) if home_care else ()
        settings = dataset_toml(command, breaks, timezone)
        (staging / "dataset.toml").write_text(settings, encoding="utf-8")
        if out.exists():
            out.rmdir()  # empty, checked above; rename cannot replace a folder everywhere
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def home_care_settings(timezone: str = TIMEZONE) -> DatasetSettings:
    """The settings of a ``home_care`` round: the ``timezone`` and the lunch break rule
    (30-60 minutes starting 11:30-14:00 on shifts over 6 hours), as its ``dataset.toml``
    has them.

    For frames from :func:`generate_frames`:
    ``dataset_from_frames(frames, settings=home_care_settings())``.
    """
    return DatasetSettings(timezone=timezone, breaks=(LUNCH,))


def _zone(timezone: str) -> ZoneInfo:
    try:
        return known_zone(timezone)
    except ValueError as error:
        raise RequestError(str(error)) from None


def _check_sizes(*, workers: int, jobs: int, seed: int, days: int) -> None:
    for name, value, least in (
        ("workers", workers, 1), ("jobs", jobs, 1), ("days", days, 1), ("seed", seed, 0)
    ):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
            raise InvalidSizeError(f"{name} must be a whole number >= {least}, got {value!r}")
