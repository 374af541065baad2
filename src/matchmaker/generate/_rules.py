"""The real hard rules and travel model, fed from the generator's arrays.

The generator asks "who could serve this job?" twice: to make a few jobs ask for more than
the staff offers (:mod:`._demand`) and to pin jobs to workers who really can serve them
(:mod:`._pins`). It answers with the pair rules and the travel model that compile, the
solvers and the verifier use (:func:`matchmaker.compile.pair_reasons`,
:class:`matchmaker.compile.HaversineTravel`), so a generated dataset cannot disagree with
what dispatch makes of it. Only the :class:`~matchmaker.compile.PairEncoding` is built
here, straight from the arrays (no dataset is loaded): the same matrices
:func:`~matchmaker.compile.encode_pairs` would build from the written tables.
"""

from __future__ import annotations

import numpy as np

from matchmaker.compile import HaversineTravel, PairEncoding, pair_reasons
from matchmaker.generate._catalogue import (
    CERTIFICATES,
    CHECKS,
    LANGUAGES,
    MODES,
    SKILLS,
    STATUSES,
    Bools,
    Customers,
    Floats,
    Ints,
    Jobs,
    Workers,
)
from matchmaker.model import BackgroundCheckStatus, TravelMode, WorkerStatus

__all__ = ["commute_minutes", "eligible", "pair_encoding", "start_ranges"]

_PASSED = CHECKS.index(BackgroundCheckStatus.PASSED)
_ACTIVE = STATUSES.index(WorkerStatus.ACTIVE)


def pair_encoding(pool: Workers, customers: Customers, jobs: Jobs, idx: Ints) -> PairEncoding:
    """Every worker and the jobs ``idx`` as the pair rules read them.

    Days count from the start date instead of being ordinals: the rules only compare a
    job's day with expiry days, so any common origin gives the same bits. A certificate
    not held (``NOT_HELD``) and a check that did not pass (-1) lie before every job day,
    ``NEVER`` after every one, as the rules expect. The generator's jobs lie inside one
    day, so the job's day is also the date of its latest start, the rules' job date.
    """
    n = len(idx)
    blocked = [customers.blocked[c] for c in jobs.customer[idx].tolist()]
    blocked_workers = np.array([w for group in blocked for w in group], dtype=np.intp)
    blocked_jobs = np.repeat(np.arange(n, dtype=np.intp), [len(group) for group in blocked])
    language = jobs.language[idx]
    speaks = np.flatnonzero(language >= 0)
    job_language = np.zeros((n, len(LANGUAGES)), dtype=np.bool_)
    job_language[speaks, language[speaks]] = True
    nobody = np.zeros(0, dtype=np.intp)
    return PairEncoding(
        n_workers=len(pool.lat),
        n_jobs=n,
        skill_names=SKILLS,
        worker_skill=pool.levels.astype(np.int8),
        job_skill=jobs.levels[idx].astype(np.int8),
        worker_experience=pool.experience.astype(np.float64),
        job_min_experience=jobs.min_experience[idx].astype(np.float64),
        certificate_names=CERTIFICATES,
        worker_certificate_expiry=pool.cert_expiry,
        job_certificate=jobs.certificates[idx],
        job_day=jobs.day[idx],
        worker_check_valid_until=np.where(pool.check == _PASSED, pool.check_expiry, -1),
        worker_active=pool.status == _ACTIVE,
        # Any codes do as long as workers and jobs share them: 0 female, 1 male.
        worker_gender=np.where(pool.female, 0, 1).astype(np.int8),
        job_gender=(jobs.gender[idx] - 1).astype(np.int8),  # 0 none, 1 F, 2 M -> -1, 0, 1
        language_names=LANGUAGES,
        worker_language=pool.languages,
        job_language=job_language,
        blocked=(blocked_workers, blocked_jobs),
        excluded=(nobody, nobody),  # generated jobs exclude nobody
        worker_car=pool.mode == MODES.index(TravelMode.CAR),
        job_needs_car=jobs.needs_car[idx],
    )


def eligible(pool: Workers, customers: Customers, jobs: Jobs, idx: Ints) -> Bools:
    """(workers, len(idx)): who passes every pair rule of each job and whose
    ``max_work_minutes`` holds it (time and the rest of the day aside).

    ``max_work_minutes`` is a limit per shift, not a pair rule, but a job longer than it
    never fits the worker's day however the rest is planned.
    """
    ok: Bools = pair_reasons(pair_encoding(pool, customers, jobs, idx)) == 0
    ok &= pool.max_work[:, None] >= jobs.duration[idx][None, :]
    return ok


def start_ranges(
    pool: Workers, jobs: Jobs, idx: Ints, commute: Ints, margin: int = 0
) -> tuple[Ints, Ints, Bools]:
    """(workers, len(idx)): the earliest and latest start of each job for each worker on
    that day's shift, leaving home at the shift start (``commute`` minutes away, plus
    ``margin``), and whether the worker has such a start."""
    day = jobs.day[idx]
    low = np.maximum(jobs.earliest[idx], pool.shift_start[:, day] + commute + margin)
    high = np.minimum(jobs.latest[idx], pool.shift_end[:, day] - jobs.duration[idx])
    return low, high, (pool.shift_start[:, day] >= 0) & (low <= high)


def commute_minutes(travel: HaversineTravel, pool: Workers, lat: Floats, lon: Floats) -> Ints:
    """(workers, points): minutes from each worker's home to each point by the worker's own
    mode.

    The very model and numbers the compiled problem and the verifier use for the trip from
    home, so a start this far after the shift start is exactly reachable.
    """
    homes = np.column_stack([pool.lat, pool.lon])
    points = np.column_stack([lat, lon])
    by_mode = travel.minutes_by_mode(homes, points, [m.value for m in MODES])
    minutes: Ints = by_mode[pool.mode, np.arange(len(pool.mode))].astype(np.int64)
    return minutes
