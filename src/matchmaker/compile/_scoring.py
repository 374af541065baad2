"""The match score: 0-100 for every worker-job pair, a sum of named components.

Each component scores the pair 0..1 and is multiplied by its weight in
``policy.score_weights`` (the weights add up to 100), so the score is 0..100 and every
point can be traced to a component:

``rating``
    The worker's rating shrunk towards ``policy.rating_prior_mean`` as if it carried
    ``rating_prior_count`` reviews (a Bayesian average), divided by 5::

        (rating * rating_count + prior_mean * prior_count) / (rating_count + prior_count)

    A worker with no rating (or no reviews) gets the prior mean. With a prior count of 0
    and no reviews the rating itself is used (or the prior mean when there is none).
``experience``
    ``min(experience_years / policy.experience_cap_years, 1)``.
``skill_fit``
    For each required skill, 1 when the worker's level is from the required level up to
    ``policy.overqualified_levels`` above it, then ``OVERQUALIFIED_PENALTY`` less per
    level beyond (a light nudge to keep senior carers for the jobs that need them), 0
    below the required level; the mean over the job's required skills. A job with no
    skill requirement gives full marks.
``preferred_worker``
    1 when the worker is on the customer's preferred list, else 0.
``continuity``
    ``1 / (rank + 1)`` when the worker served the customer before, ``rank`` being the
    position in ``previous_workers`` (0 = most recent, so 1, 1/2, 1/3, ...), else 0.
``preferred_gender``
    1 when the worker has the customer's preferred gender, else 0.
``preferred_language``
    1 when the worker speaks any of the customer's preferred languages, else 0.

**No preference, full marks.** When the customer states nothing a component could use (no
preferred gender, languages or workers, no earlier visits, or no customer row at all), that
component gives full marks to every worker: it cannot tell workers apart, and a perfect
match then scores 100 for every customer, so scores stay comparable across customers
(100 means "everything this customer asked for"), and a job's score does not drop just
because its customer said less. Ranking the workers of one job is the same either way.

Scores are computed for every pair, eligible or not; :func:`matchmaker.compile._compile.
compile_problem` zeroes the pairs with no eligible shift. :func:`pair_components` runs the
same numpy code on one pair, so its numbers are bit-for-bit those of the matrices.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from matchmaker.model import Customer, Dataset, Gender, Job, Policy, Worker

__all__ = [
    "COMPONENTS",
    "OVERQUALIFIED_PENALTY",
    "match_scores",
    "pair_components",
    "pairs_components",
    "score_components",
]

FloatArray = npt.NDArray[np.float64]

COMPONENTS: tuple[str, ...] = (
    "rating",
    "experience",
    "skill_fit",
    "preferred_worker",
    "continuity",
    "preferred_gender",
    "preferred_language",
)
"""Component names, in the order they are summed."""

OVERQUALIFIED_PENALTY = 0.1
"""Skill fit lost per level beyond ``policy.overqualified_levels`` above the requirement."""

_GENDER_CODE = {Gender.FEMALE: 0, Gender.MALE: 1}


def score_components(dataset: Dataset, *, policy: Policy | None = None) -> dict[str, FloatArray]:
    """Each component as a ``(W, J)`` float64 array of points, 0..its weight.

    The arrays are read-only views (transposes of job-major arrays; the worker-only
    components are broadcasts); copy one before writing to it.
    """
    policy = dataset.settings.policy if policy is None else policy
    components: dict[str, FloatArray] = {}
    for name, points in _components(dataset, dataset.workers, dataset.jobs, policy):
        view = points.T
        view.flags.writeable = False
        components[name] = view
    return components


def match_scores(dataset: Dataset, *, policy: Policy | None = None) -> FloatArray:
    """``(W, J)`` match score 0-100: the sum of the components, in :data:`COMPONENTS` order."""
    policy = dataset.settings.policy if policy is None else policy
    total = np.zeros((len(dataset.jobs), len(dataset.workers)), dtype=np.float64)
    for _, points in _components(dataset, dataset.workers, dataset.jobs, policy):
        total += points
    # Weights add up to 100 within 1e-6; keep the contract 0..100 exactly.
    np.clip(total, 0.0, 100.0, out=total)
    return np.ascontiguousarray(total.T)


def pair_components(
    dataset: Dataset, worker_id: str, job_id: str, policy: Policy | None = None
) -> dict[str, float]:
    """The points of each component for one pair, equal to the matrices' entries."""
    return pairs_components(dataset, [(worker_id, job_id)], policy)[0]


_PAIR_BLOCK = 512  # pairs scored at once: at most a (block x block) array per component


def pairs_components(
    dataset: Dataset, pairs: Sequence[tuple[str, str]], policy: Policy | None = None
) -> list[dict[str, float]]:
    """:func:`pair_components` of each ``(worker_id, job_id)`` of ``pairs``, a block at a
    time: the same code on the block's distinct workers and jobs, so the same numbers."""
    policy = dataset.settings.policy if policy is None else policy
    result: list[dict[str, float]] = [{} for _ in pairs]
    for first in range(0, len(pairs), _PAIR_BLOCK):
        block = pairs[first : first + _PAIR_BLOCK]
        worker_ids = list(dict.fromkeys(worker_id for worker_id, _ in block))
        job_ids = list(dict.fromkeys(job_id for _, job_id in block))
        column = {worker_id: k for k, worker_id in enumerate(worker_ids)}
        row = {job_id: k for k, job_id in enumerate(job_ids)}
        rows = np.array([row[job_id] for _, job_id in block], dtype=np.intp)
        columns = np.array([column[worker_id] for worker_id, _ in block], dtype=np.intp)
        workers = [dataset.worker(worker_id) for worker_id in worker_ids]
        jobs = [dataset.job(job_id) for job_id in job_ids]
        for name, points in _components(dataset, workers, jobs, policy):
            for k, value in enumerate(points[rows, columns].tolist()):
                result[first + k][name] = float(value)
    return result


def _components(
    dataset: Dataset, workers: Sequence[Worker], jobs: Sequence[Job], policy: Policy
) -> Iterator[tuple[str, FloatArray]]:
    """Yield ``(name, points)`` one component at a time, each job-major ``(J, W)`` (the
    jobs of a customer or needing a skill are whole rows), so that a caller summing them
    never holds all seven arrays at once."""
    weights = policy.score_weights
    shape = (len(jobs), len(workers))
    customers = [dataset.customer(job.customer_id) for job in jobs]
    worker_col = {worker.worker_id: w for w, worker in enumerate(workers)}

    yield "rating", np.broadcast_to(weights.rating * _rating(workers, policy), shape)
    years = np.array([w.experience_years for w in workers], dtype=np.float64)
    experience = np.minimum(years / policy.experience_cap_years, 1.0)
    yield "experience", np.broadcast_to(weights.experience * experience, shape)
    yield "skill_fit", _scaled(_skill_fit(workers, jobs, policy), weights.skill_fit)
    preferred = [() if c is None else c.preferred_workers for c in customers]
    yield (
        "preferred_worker",
        _scaled(_listed(preferred, worker_col, shape, decay=False), weights.preferred_worker),
    )
    previous = [() if c is None else c.previous_workers for c in customers]
    yield (
        "continuity",
        _scaled(_listed(previous, worker_col, shape, decay=True), weights.continuity),
    )
    yield "preferred_gender", _scaled(_gender(workers, customers), weights.preferred_gender)
    yield (
        "preferred_language",
        _scaled(_language(workers, customers, shape), weights.preferred_language),
    )


def _scaled(values: FloatArray, weight: float) -> FloatArray:
    values *= weight
    return values


def _rating(workers: Sequence[Worker], policy: Policy) -> FloatArray:
    has = np.array([w.rating is not None for w in workers], dtype=np.bool_)
    rating = np.array([w.rating or 0.0 for w in workers], dtype=np.float64)
    count = np.where(has, np.array([w.rating_count for w in workers], dtype=np.float64), 0.0)
    prior_mean, prior_count = policy.rating_prior_mean, policy.rating_prior_count
    denominator = count + prior_count
    fallback = np.where(has, rating, prior_mean)
    shrunk = np.divide(
        rating * count + prior_mean * prior_count,
        denominator,
        out=fallback,
        where=denominator > 0,
    )
    result: FloatArray = shrunk / 5.0
    return result


def _skill_fit(workers: Sequence[Worker], jobs: Sequence[Job], policy: Policy) -> FloatArray:
    # fit[d + 5] for d = worker level - required level, -5..4.
    fit = np.array(
        [
            0.0 if d < 0 else 1.0 - OVERQUALIFIED_PENALTY * max(d - policy.overqualified_levels, 0)
            for d in range(-5, 5)
        ],
        dtype=np.float64,
    )
    names = sorted({r.name for job in jobs for r in job.required_skills})
    column = {name: k for k, name in enumerate(names)}
    need = np.zeros((len(jobs), len(names)), dtype=np.int64)
    for j, job in enumerate(jobs):
        for req in job.required_skills:
            k = column[req.name]
            need[j, k] = max(int(need[j, k]), req.level)
    total = np.zeros((len(jobs), len(workers)), dtype=np.float64)
    n_required = np.zeros(len(jobs), dtype=np.float64)
    levels = np.arange(6, dtype=np.int64)[:, None]
    # Skills in sorted order, so a pair sums its per-skill fits in the same order whether
    # computed in the full matrix or alone (float addition is not associative).
    for k, name in enumerate(names):
        rows = np.flatnonzero(need[:, k])
        have = np.array([w.skills.get(name, 0) for w in workers], dtype=np.int64)
        # by_level[r, w]: worker w's fit to a requirement of level r (row 0 unused).
        by_level = fit[np.clip(have[None, :] - levels + 5, 0, 9)]
        total[rows] += by_level[need[rows, k]]
        n_required[rows] += 1.0
    required = n_required > 0
    np.divide(total, n_required[:, None], out=total, where=required[:, None])
    total[~required] = 1.0
    return total


def _listed(
    lists: Sequence[Sequence[str]],
    worker_col: dict[str, int],
    shape: tuple[int, int],
    *,
    decay: bool,
) -> FloatArray:
    """1 (or ``1 / (rank + 1)`` with ``decay``) for workers on the job's list, 0 for the
    rest, 1 for everyone when the list is empty."""
    has_list = np.array([bool(ids) for ids in lists], dtype=np.bool_)
    values = np.empty(shape, dtype=np.float64)
    values[:] = (~has_list)[:, None]
    jobs: list[int] = []
    workers: list[int] = []
    marks: list[float] = []
    for j, ids in enumerate(lists):
        seen: set[str] = set()
        for rank, worker_id in enumerate(ids):
            w = worker_col.get(worker_id)
            if w is None or worker_id in seen:
                continue
            seen.add(worker_id)
            jobs.append(j)
            workers.append(w)
            marks.append(1.0 / (rank + 1) if decay else 1.0)
    if jobs:
        values[np.array(jobs), np.array(workers)] = np.array(marks, dtype=np.float64)
    return values


def _gender(workers: Sequence[Worker], customers: Sequence[Customer | None]) -> FloatArray:
    worker = np.array([_GENDER_CODE[w.gender] for w in workers], dtype=np.int8)
    wanted = np.array(
        [
            -1 if c is None or c.preferred_gender is None else _GENDER_CODE[c.preferred_gender]
            for c in customers
        ],
        dtype=np.int8,
    )[:, None]
    fits = (wanted < 0) | (wanted == worker[None, :])
    result: FloatArray = fits.astype(np.float64)
    return result


def _language(
    workers: Sequence[Worker], customers: Sequence[Customer | None], shape: tuple[int, int]
) -> FloatArray:
    wanted = [() if c is None else c.preferred_languages for c in customers]
    speaks = np.empty(shape, dtype=np.bool_)
    speaks[:] = ~np.array([bool(w) for w in wanted], dtype=np.bool_)[:, None]
    for lang in sorted({lang for langs in wanted for lang in langs}):
        rows = np.flatnonzero([lang in langs for langs in wanted])
        cols = np.flatnonzero([lang in w.languages for w in workers])
        if rows.size and cols.size:
            speaks[np.ix_(rows, cols)] = True
    return speaks.astype(np.float64)
