"""Pair-only hard rules, vectorised over every worker-job pair.

Each hard rule of docs/design.md section 2 that concerns one worker and one job is one function
with a stable name, ``rule_<name>(enc) -> (W, J) uint16``: the :class:`~matchmaker.compile._problem.
ReasonBit` bits the rule sets for each pair (0 where the pair passes). They read a
:class:`PairEncoding`, built once from the dataset by :func:`encode_pairs`: skills,
certificates and languages become small matrices (workers x names, jobs x names), so a rule
is a few numpy operations per distinct skill, certificate or language, never a Python loop
over pairs. :data:`PAIR_RULES` lists them in reason order; :func:`pair_reasons` ORs them.
The rules build job-major ``(J, W)`` arrays (the jobs needing a skill are whole rows) and
return their transpose, an F-ordered ``(W, J)`` view.

The shift rule is per vehicle (worker shift): :func:`rule_shift_fit` says for every shift
and job whether some start ``t`` in the job's window has ``t >= shift_start + travel from
home`` and ``t + duration <= shift_end``. :func:`shift_reasons` folds it per worker: a worker
with no shift that holds the job gets ``NO_AVAILABILITY``, or ``TRAVEL`` when a shift would
hold the job's window and duration but not the trip from home. :func:`eligible_matrix`
combines both into the ``(V, J)`` ``eligible`` of a :class:`~matchmaker.compile.Problem`;
pinned pairs are eligible whatever their bits (pins are kept as they are), and their
failed bits stay in ``reasons`` so that verify and explain can warn.

Conventions:

* **The job's date** for certificate and background-check validity is the calendar date of
  the job's *latest* start in :func:`~matchmaker.model.local_zone`
  (:func:`~matchmaker.model.latest_start_day`). Validity only ends (an expiry date), so a
  document valid on the latest possible start date is valid on every start date the
  solver may pick, and the independent checker, which looks at the planned start, agrees.
  For the usual window inside one day this is simply the job's day.
* **Travel from home** is a necessary condition for every job of a shift, not just the
  first: with the default model a detour through another job never arrives earlier.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np
import numpy.typing as npt

from matchmaker.model import (
    HARD_RULES,
    BackgroundCheckStatus,
    Dataset,
    Gender,
    ReasonBit,
    RuleScope,
    TravelMode,
    WorkerStatus,
    latest_start_day,
    local_zone,
)

__all__ = [
    "PAIR_RULES",
    "PairEncoding",
    "ShiftFit",
    "any_per_worker",
    "cap_fit",
    "eligible_matrix",
    "encode_pairs",
    "pair_reasons",
    "rule_background_check",
    "rule_certificate_valid",
    "rule_experience",
    "rule_gender_required",
    "rule_language_required",
    "rule_needs_car",
    "rule_not_blocked",
    "rule_not_excluded",
    "rule_shift_fit",
    "rule_skill_level",
    "rule_worker_active",
    "shift_reasons",
]

Bits = npt.NDArray[np.uint16]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]
IndexArray = npt.NDArray[np.intp]

_GENDER_CODE = {Gender.FEMALE: 0, Gender.MALE: 1}
# An ordinal after every real date: "valid for ever".
_NEVER_EXPIRES = date.max.toordinal() + 1


@dataclass(frozen=True, kw_only=True, eq=False)
class PairEncoding:
    """Workers and jobs as arrays, ready for the pair rules.

    ``*_names`` are the distinct skills, certificates and languages that some job
    requires (sorted); the matching matrix columns follow that order. Dates are
    ``date.toordinal()`` values.
    """

    n_workers: int
    n_jobs: int
    skill_names: tuple[str, ...]
    worker_skill: npt.NDArray[np.int8]
    """(W, S) level held, 0 when the worker lacks the skill."""
    job_skill: npt.NDArray[np.int8]
    """(J, S) level required, 0 when not required."""
    worker_experience: npt.NDArray[np.float64]
    job_min_experience: npt.NDArray[np.float64]
    certificate_names: tuple[str, ...]
    worker_certificate_expiry: npt.NDArray[np.int64]
    """(W, C) last valid day, -1 when the certificate is not held."""
    job_certificate: BoolArray
    """(J, C) True where the job requires the certificate."""
    job_day: npt.NDArray[np.int64]
    worker_check_valid_until: npt.NDArray[np.int64]
    """(W,) last day the background check is valid, -1 when it has not passed."""
    worker_active: BoolArray
    worker_gender: npt.NDArray[np.int8]
    job_gender: npt.NDArray[np.int8]
    """(J,) required gender code, -1 when the job requires none."""
    language_names: tuple[str, ...]
    worker_language: BoolArray
    job_language: BoolArray
    blocked: tuple[IndexArray, IndexArray]
    """(worker indices, job indices) of pairs whose customer blocked the worker."""
    excluded: tuple[IndexArray, IndexArray]
    """(worker indices, job indices) of pairs where the job excludes the worker."""
    worker_car: BoolArray
    """(W,) True where the worker travels by car."""
    job_needs_car: BoolArray


def encode_pairs(dataset: Dataset, *, zone: tzinfo | None = None) -> PairEncoding:
    """Build the :class:`PairEncoding` of ``dataset`` (``zone`` defaults to
    :func:`~matchmaker.model.local_zone`)."""
    zone = local_zone(dataset) if zone is None else zone
    workers, jobs = dataset.workers, dataset.jobs
    n_workers, n_jobs = len(workers), len(jobs)

    skills = _names(r.name for j in jobs for r in j.required_skills)
    skill_col = {name: k for k, name in enumerate(skills)}
    worker_skill = np.zeros((n_workers, len(skills)), dtype=np.int8)
    for w, worker in enumerate(workers):
        for name, level in worker.skills.items():
            if name in skill_col:
                worker_skill[w, skill_col[name]] = level
    job_skill = np.zeros((n_jobs, len(skills)), dtype=np.int8)
    for j, job in enumerate(jobs):
        for req in job.required_skills:
            k = skill_col[req.name]
            job_skill[j, k] = max(int(job_skill[j, k]), req.level)

    certificates = _names(c for j in jobs for c in j.required_certificates)
    cert_col = {name: k for k, name in enumerate(certificates)}
    worker_cert = np.full((n_workers, len(certificates)), -1, dtype=np.int64)
    for w, worker in enumerate(workers):
        for cert in worker.certificates:
            if cert.name in cert_col:
                k = cert_col[cert.name]
                worker_cert[w, k] = max(int(worker_cert[w, k]), cert.expires.toordinal())
    job_cert = np.zeros((n_jobs, len(certificates)), dtype=np.bool_)
    for j, job in enumerate(jobs):
        for name in job.required_certificates:
            job_cert[j, cert_col[name]] = True

    check = np.empty(n_workers, dtype=np.int64)
    for w, worker in enumerate(workers):
        bg = worker.background_check
        if bg.status is not BackgroundCheckStatus.PASSED:
            check[w] = -1
        else:
            check[w] = _NEVER_EXPIRES if bg.expires is None else bg.expires.toordinal()

    languages = _names(lang for j in jobs for lang in j.language_required)
    lang_col = {name: k for k, name in enumerate(languages)}
    worker_lang = np.zeros((n_workers, len(languages)), dtype=np.bool_)
    for w, worker in enumerate(workers):
        for lang in worker.languages:
            if lang in lang_col:
                worker_lang[w, lang_col[lang]] = True
    job_lang = np.zeros((n_jobs, len(languages)), dtype=np.bool_)
    for j, job in enumerate(jobs):
        for lang in job.language_required:
            job_lang[j, lang_col[lang]] = True

    return PairEncoding(
        n_workers=n_workers,
        n_jobs=n_jobs,
        skill_names=skills,
        worker_skill=worker_skill,
        job_skill=job_skill,
        worker_experience=np.array([w.experience_years for w in workers], dtype=np.float64),
        job_min_experience=np.array([j.min_experience_years for j in jobs], dtype=np.float64),
        certificate_names=certificates,
        worker_certificate_expiry=worker_cert,
        job_certificate=job_cert,
        job_day=np.array([latest_start_day(j, zone).toordinal() for j in jobs], dtype=np.int64),
        worker_check_valid_until=check,
        worker_active=np.array([w.status is WorkerStatus.ACTIVE for w in workers], dtype=bool),
        worker_gender=np.array([_GENDER_CODE[w.gender] for w in workers], dtype=np.int8),
        job_gender=np.array(
            [-1 if j.gender_required is None else _GENDER_CODE[j.gender_required] for j in jobs],
            dtype=np.int8,
        ),
        language_names=languages,
        worker_language=worker_lang,
        job_language=job_lang,
        blocked=_blocked_pairs(dataset),
        excluded=_pair_arrays(
            (dataset.worker_position(w), j)
            for j, job in enumerate(jobs)
            for w in job.excluded_workers
            if dataset.has_worker(w)
        ),
        worker_car=np.array([w.travel_mode is TravelMode.CAR for w in workers], dtype=bool),
        job_needs_car=np.array([j.needs_car for j in jobs], dtype=bool),
    )


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _pair_arrays(pairs: Iterable[tuple[int, int]]) -> tuple[IndexArray, IndexArray]:
    listed = np.array(list(pairs), dtype=np.intp).reshape(-1, 2)
    return listed[:, 0].copy(), listed[:, 1].copy()


def _blocked_pairs(dataset: Dataset) -> tuple[IndexArray, IndexArray]:
    blocked_by: dict[str, IndexArray] = {}
    for customer in dataset.customers:
        known = sorted(
            dataset.worker_position(w) for w in customer.blocked_workers if dataset.has_worker(w)
        )
        if known:
            blocked_by[customer.customer_id] = np.array(known, dtype=np.intp)
    worker_parts: list[IndexArray] = []
    job_parts: list[IndexArray] = []
    for j, job in enumerate(dataset.jobs):
        rows = blocked_by.get(job.customer_id)
        if rows is not None:
            worker_parts.append(rows)
            job_parts.append(np.full(rows.shape, j, dtype=np.intp))
    if not worker_parts:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(worker_parts), np.concatenate(job_parts)


def _bits(mask: BoolArray, bit: ReasonBit) -> Bits:
    out = mask.astype(np.uint16)
    out *= np.uint16(bit)
    return out


def _empty(enc: PairEncoding) -> Bits:
    """A job-major ``(J, W)`` zero array (see :func:`pair_reasons` for why)."""
    return np.zeros((enc.n_jobs, enc.n_workers), dtype=np.uint16)


# --- the pair-only rules, in reason order ----------------------------------------------
# Each builds a job-major (J, W) array, so that "the jobs needing this skill" are whole
# rows (contiguous copies), and returns its (W, J) transpose, a view.


def rule_skill_level(enc: PairEncoding) -> Bits:
    """Every required skill at or above the required level.

    ``NO_SKILL`` when the worker lacks a required skill entirely, ``SKILL_LEVEL`` when the
    worker has it below the required level (both can be set for a job needing two skills).
    """
    out = _empty(enc)
    levels = np.arange(6, dtype=np.int8)[:, None]
    for k in range(len(enc.skill_names)):
        need = enc.job_skill[:, k]
        rows = np.flatnonzero(need)
        if rows.size == 0:
            continue
        have = enc.worker_skill[:, k]
        code = np.where(have == 0, ReasonBit.NO_SKILL, ReasonBit.SKILL_LEVEL).astype(np.uint16)
        # by_level[r, w]: the bits worker w fails a requirement of level r with.
        by_level = (have[None, :] < levels) * code[None, :]
        out[rows] |= by_level[need[rows]]
    return out.T


def rule_experience(enc: PairEncoding) -> Bits:
    """At least the job's minimum years of experience."""
    short = enc.job_min_experience[:, None] > enc.worker_experience[None, :]
    return _bits(short, ReasonBit.EXPERIENCE).T


def rule_certificate_valid(enc: PairEncoding) -> Bits:
    """Every required certificate held and valid on the job's date."""
    out = _empty(enc)
    for k in range(len(enc.certificate_names)):
        rows = np.flatnonzero(enc.job_certificate[:, k])
        if rows.size == 0:
            continue
        expired = enc.job_day[rows, None] > enc.worker_certificate_expiry[None, :, k]
        out[rows] |= _bits(expired, ReasonBit.CERTIFICATE)
    return out.T


def rule_background_check(enc: PairEncoding) -> Bits:
    """Background check passed and not expired on the job's date."""
    invalid = enc.job_day[:, None] > enc.worker_check_valid_until[None, :]
    return _bits(invalid, ReasonBit.BACKGROUND_CHECK).T


def rule_worker_active(enc: PairEncoding) -> Bits:
    """The worker is active (not suspended, not on leave)."""
    out = _empty(enc)
    out[:] = _bits(~enc.worker_active, ReasonBit.INACTIVE)[None, :]
    return out.T


def rule_gender_required(enc: PairEncoding) -> Bits:
    """The worker has the gender the job requires, when it requires one."""
    required = enc.job_gender[:, None]
    wrong = (required >= 0) & (required != enc.worker_gender[None, :])
    return _bits(wrong, ReasonBit.GENDER).T


def rule_language_required(enc: PairEncoding) -> Bits:
    """The worker speaks every language the job requires."""
    out = _empty(enc)
    for k in range(len(enc.language_names)):
        rows = np.flatnonzero(enc.job_language[:, k])
        cols = np.flatnonzero(~enc.worker_language[:, k])
        if rows.size and cols.size:
            out[np.ix_(rows, cols)] |= np.uint16(ReasonBit.LANGUAGE)
    return out.T


def rule_needs_car(enc: PairEncoding) -> Bits:
    """A job flagged ``needs_car`` gets a worker whose travel mode is car."""
    no_car = enc.job_needs_car[:, None] & ~enc.worker_car[None, :]
    return _bits(no_car, ReasonBit.NO_CAR).T


def rule_not_blocked(enc: PairEncoding) -> Bits:
    """The job's customer has not blocked the worker."""
    out = _empty(enc)
    workers, jobs = enc.blocked
    out[jobs, workers] = ReasonBit.BLOCKED
    return out.T


def rule_not_excluded(enc: PairEncoding) -> Bits:
    """The worker is not excluded from the job (declined it, or excluded by the operator)."""
    out = _empty(enc)
    workers, jobs = enc.excluded
    out[jobs, workers] = ReasonBit.EXCLUDED
    return out.T


PairRule = Callable[[PairEncoding], Bits]

_IMPLEMENTATIONS: dict[str, PairRule] = {
    rule.__name__.removeprefix("rule_"): rule
    for rule in (
        rule_skill_level,
        rule_experience,
        rule_certificate_valid,
        rule_background_check,
        rule_worker_active,
        rule_gender_required,
        rule_language_required,
        rule_needs_car,
        rule_not_blocked,
        rule_not_excluded,
    )
}

PAIR_RULES: tuple[PairRule, ...] = tuple(
    _IMPLEMENTATIONS[rule.name] for rule in HARD_RULES if rule.scope is RuleScope.PAIR
)
"""Every pair rule of :data:`~matchmaker.model.HARD_RULES`, in its order: ``rule_<name>``."""


def pair_reasons(enc: PairEncoding) -> Bits:
    """``(W, J)`` bits of every pair-only rule the pair fails (C-contiguous).

    The rules work job-major and are ORed that way; one transpose at the end.
    """
    out = _empty(enc)
    for rule in PAIR_RULES:
        out |= rule(enc).T
    return np.ascontiguousarray(out.T)


# --- the shift rule, per vehicle -------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class ShiftFit:
    """Per vehicle and job: can the shift hold the job?"""

    fits: BoolArray
    """(V, J) some start in the window fits the shift after travel from home."""
    window_fits: BoolArray
    """(V, J) the same, ignoring travel from home."""
    first_start: IntArray
    """(V, J) the earliest start in the window after travel from home."""
    last_start: IntArray
    """(V, J) the latest start in the window that ends by the shift's end."""


def rule_shift_fit(
    *,
    vehicle_start: IntArray,
    vehicle_end: IntArray,
    travel_home_job: IntArray,
    job_earliest: IntArray,
    job_latest: IntArray,
    job_duration: IntArray,
) -> ShiftFit:
    """The job starts inside its window and inside the shift, ends by the shift's end, and
    the trip from home fits before it (all in integer minutes)."""
    last_start = np.minimum(job_latest[None, :], vehicle_end[:, None] - job_duration[None, :])
    window_fits = np.maximum(job_earliest[None, :], vehicle_start[:, None]) <= last_start
    arrive = vehicle_start[:, None] + travel_home_job
    first_start = np.maximum(job_earliest[None, :], arrive)
    return ShiftFit(
        fits=first_start <= last_start,
        window_fits=window_fits,
        first_start=first_start,
        last_start=last_start,
    )


def cap_fit(
    *,
    vehicle_max_jobs: IntArray,
    vehicle_max_work: IntArray,
    vehicle_max_week: npt.NDArray[np.int64] | None,
    job_duration: IntArray,
) -> BoolArray:
    """``(V, J)``: the shift's caps leave room for the job alone: at least one job, its
    minutes within the shift's work cap and within the week's (``-1`` or ``None``: no
    week cap). Eligibility leaves the caps to the solvers, which count every job of a
    shift; this is the necessary condition for one job."""
    duration = job_duration[None, :]
    room: BoolArray = (vehicle_max_jobs[:, None] >= 1) & (vehicle_max_work[:, None] >= duration)
    if vehicle_max_week is not None:
        week = vehicle_max_week[:, None]
        room &= (week < 0) | (week >= duration)
    return room


def any_per_worker(per_vehicle: BoolArray, vehicle_worker: IntArray, n_workers: int) -> BoolArray:
    """``(W, J)``: True where any vehicle (shift) of the worker is True."""
    out = np.zeros((n_workers, per_vehicle.shape[1]), dtype=np.bool_)
    if per_vehicle.shape[0] == 0:
        return out
    # Rank of each shift among its worker's shifts; the shifts of one rank belong to
    # distinct workers, so each rank is one row gather and one row scatter.
    order = np.argsort(vehicle_worker, kind="stable")
    grouped = vehicle_worker[order]
    position = np.arange(order.size)
    first = np.r_[True, grouped[1:] != grouped[:-1]]
    rank = np.empty_like(position)
    rank[order] = position - np.maximum.accumulate(np.where(first, position, 0))
    for r in range(int(rank.max()) + 1):
        shifts = np.flatnonzero(rank == r)
        out[vehicle_worker[shifts]] |= per_vehicle[shifts]
    return out


def shift_reasons(fit: ShiftFit, vehicle_worker: IntArray, n_workers: int) -> Bits:
    """``(W, J)`` ``NO_AVAILABILITY`` where no shift of the worker holds the job's window
    and duration, ``TRAVEL`` where one does but none leaves time to come from home."""
    window = any_per_worker(fit.window_fits, vehicle_worker, n_workers)
    travel = any_per_worker(fit.fits, vehicle_worker, n_workers)
    out = _bits(~window, ReasonBit.NO_AVAILABILITY)
    out |= _bits(window & ~travel, ReasonBit.TRAVEL)
    return out


def eligible_matrix(
    pair_bits: Bits, vehicle_worker: IntArray, fits: BoolArray, pinned: BoolArray
) -> BoolArray:
    """``(V, J)``: every pair rule holds for the shift's worker and the shift holds the job;
    pinned pairs are eligible whatever their bits."""
    passes = (pair_bits == 0)[vehicle_worker]
    result: BoolArray = (passes & fits) | pinned
    return result
